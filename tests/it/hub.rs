//! A hub VPC's endpoints shared with spokes: private hosted zones named for each service's
//! private DNS name, alias records to the hub endpoint, associations with the hub and every
//! spoke (authorised from the hub, made in the spoke's account for another account), or a
//! Route 53 Profile; the security group admitting every spoke; CloudFormation refusing what it
//! cannot express; the cost comparison. moto checks the same-account example as deployed; what
//! it cannot hold (a Profile, another account) is asserted here on the generated code.

use std::collections::BTreeSet;

use crate::common::*;
use serde_json::Value;
use vpcgen::render::Target;
use vpcgen::views::{cost, report};
use vpcgen::{model, plan};

fn tf(rel: &str) -> (Vec<vpcgen::output::OutputFile>, hcl::Body) {
    let files = render_spec(rel, Target::Terraform);
    let body = parse_tf(&files);
    (files, body)
}

fn names<'a>(body: &'a hcl::Body, kind: &'a str) -> BTreeSet<&'a str> {
    resources(body, kind).map(|(n, _)| n).collect()
}

fn string(body: &hcl::Body, name: &str) -> String {
    match attr(body, name) {
        Some(hcl::Expression::String(s)) => s.clone(),
        other => panic!("{name} is not a string: {other:?}"),
    }
}

fn text(body: &hcl::Body, name: &str) -> String {
    attr(body, name)
        .map(|e| e.to_string())
        .unwrap_or_else(|| panic!("no {name}"))
}

#[test]
fn every_shared_endpoint_gets_a_private_zone_with_alias_records_and_every_spoke() {
    let (_, body) = tf("specs/hub-and-spoke.yaml");
    let zones: Vec<(String, String)> = resources(&body, "aws_route53_zone")
        .map(|(n, b)| (n.to_owned(), string(b, "name")))
        .collect();
    let expected = [
        ("ec2messages", "ec2messages.us-east-1.amazonaws.com"),
        ("ecr_api", "api.ecr.us-east-1.amazonaws.com"),
        ("ecr_dkr", "dkr.ecr.us-east-1.amazonaws.com"),
        ("logs", "logs.us-east-1.amazonaws.com"),
        ("ssm", "ssm.us-east-1.amazonaws.com"),
        ("ssmmessages", "ssmmessages.us-east-1.amazonaws.com"),
        ("sts", "sts.us-east-1.amazonaws.com"),
    ];
    assert_eq!(
        zones,
        expected.map(|(a, b)| (a.to_owned(), b.to_owned())).to_vec()
    );
    for (ident, zone_body) in resources(&body, "aws_route53_zone") {
        // Private: the hub VPC inline, so that the zone is never without a VPC; the spokes'
        // associations are resources of their own, which the inline block must not undo.
        let vpc = zone_body
            .blocks()
            .find(|b| b.identifier() == "vpc")
            .unwrap();
        assert_eq!(text(vpc.body(), "vpc_id"), "var.vpc_id");
        let lifecycle = zone_body
            .blocks()
            .find(|b| b.identifier() == "lifecycle")
            .unwrap();
        let ignored = text(lifecycle.body(), "ignore_changes").replace(char::is_whitespace, "");
        assert_eq!(ignored, "[vpc]");
        // An alias A record at the apex to the endpoint's Regional name.
        let (_, record) = resources(&body, "aws_route53_record")
            .find(|(n, _)| *n == ident)
            .unwrap_or_else(|| panic!("no record for {ident}"));
        assert_eq!(string(record, "name"), string(zone_body, "name"));
        assert_eq!(text(record, "for_each"), "toset([\"A\"])");
        let alias = record.blocks().find(|b| b.identifier() == "alias").unwrap();
        assert_eq!(
            text(alias.body(), "name"),
            format!("aws_vpc_endpoint.{ident}.dns_entry[0].dns_name")
        );
        assert_eq!(
            text(alias.body(), "zone_id"),
            format!("aws_vpc_endpoint.{ident}.dns_entry[0].hosted_zone_id")
        );
        // Every spoke of this account associated.
        let (_, assoc) = resources(&body, "aws_route53_zone_association")
            .find(|(n, _)| *n == ident)
            .unwrap();
        assert_eq!(text(assoc, "for_each"), "local.hub_spokes");
    }
    // ECR's registry names sit below dkr.ecr: a wildcard record beside the apex.
    let wildcards = names(&body, "aws_route53_record")
        .into_iter()
        .filter(|n| n.ends_with("_wildcard"))
        .collect::<Vec<_>>();
    assert_eq!(wildcards, ["ecr_dkr_wildcard"]);
    // Private DNS is off on every shared endpoint: its own zone would answer the hub alone.
    for (name, ep) in resources(&body, "aws_vpc_endpoint") {
        if text(ep, "vpc_endpoint_type") == "\"Interface\"" {
            assert_eq!(text(ep, "private_dns_enabled"), "false", "{name}");
        }
    }
    // The gateway endpoint stays the hub's own: no zone, no sharing.
    assert!(!names(&body, "aws_route53_zone").contains("s3"));
}

#[test]
fn the_security_group_admits_every_spoke() {
    let (_, body) = tf("specs/hub-and-spoke.yaml");
    let sources: BTreeSet<String> = resources(&body, "aws_vpc_security_group_ingress_rule")
        .filter_map(|(_, r)| attr(r, "cidr_ipv4").map(ToString::to_string))
        .collect();
    assert_eq!(
        sources,
        BTreeSet::from([
            "var.vpc_cidr".to_owned(),
            "\"10.61.0.0/16\"".to_owned(),
            "\"10.62.0.0/16\"".to_owned()
        ])
    );
    let t = parse_cfn(&render_spec(
        "specs/hub-and-spoke.yaml",
        Target::CloudFormation,
    ));
    let ingress = t["Resources"]["EndpointSecurityGroup"]["Properties"]["SecurityGroupIngress"]
        .as_array()
        .unwrap();
    let cidrs: Vec<&str> = ingress
        .iter()
        .filter_map(|r| r["CidrIp"].as_str())
        .collect();
    assert!(cidrs.contains(&"10.61.0.0/16") && cidrs.contains(&"10.62.0.0/16"));
}

#[test]
fn cloudformation_zones_list_the_hub_and_every_spoke_and_alias_the_first_dns_entry() {
    let t = parse_cfn(&render_spec(
        "specs/hub-and-spoke.yaml",
        Target::CloudFormation,
    ));
    let resources = t["Resources"].as_object().unwrap();
    let zones: Vec<&str> = resources
        .iter()
        .filter(|(_, r)| r["Type"] == "AWS::Route53::HostedZone")
        .map(|(_, r)| r["Properties"]["Name"].as_str().unwrap())
        .collect();
    assert_eq!(zones.len(), 7, "{zones:?}");
    let zone = &resources["EcrDkrHostedZone"]["Properties"];
    let vpcs: Vec<&Value> = zone["VPCs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| &v["VPCId"])
        .collect();
    assert_eq!(vpcs[0]["Ref"], "VpcId");
    assert_eq!(vpcs[1], "vpc-0a1b2c3d4e5f60711");
    assert_eq!(vpcs[2], "vpc-0b2c3d4e5f6071822");
    assert!(!zone["HostedZoneTags"].as_array().unwrap().is_empty());
    let sets = resources["EcrDkrRecords"]["Properties"]["RecordSets"]
        .as_array()
        .unwrap();
    let names: Vec<&str> = sets.iter().map(|s| s["Name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "dkr.ecr.us-east-1.amazonaws.com",
            "*.dkr.ecr.us-east-1.amazonaws.com"
        ]
    );
    // DnsEntries are "zone id:name": the alias takes both halves of the first (Regional) one.
    let alias = &sets[0]["AliasTarget"];
    let entry = serde_json::json!({ "Fn::Select": [0, { "Fn::GetAtt": ["EcrDkrEndpoint", "DnsEntries"] }] });
    assert_eq!(
        alias["DNSName"],
        serde_json::json!({ "Fn::Select": [1, { "Fn::Split": [":", entry] }] })
    );
    assert_eq!(
        alias["HostedZoneId"],
        serde_json::json!({ "Fn::Select": [0, { "Fn::Split": [":", entry] }] })
    );
    assert_eq!(
        resources["EcrDkrEndpoint"]["Properties"]["PrivateDnsEnabled"],
        false
    );
}

#[test]
fn another_account_is_authorised_from_the_hub_and_associated_in_its_own_account() {
    let (files, body) = tf("tests/data/hub-cross-account.yaml");
    let spokes = file(&files, "spokes.tf");
    assert!(spokes.contains("default     = \"vpcgen-spoke-dns\""));
    // One provider per account, assuming the spoke role there.
    let providers: Vec<(String, String)> = body
        .blocks()
        .filter(|b| b.identifier() == "provider")
        .map(|b| {
            let role = b
                .body()
                .blocks()
                .find(|x| x.identifier() == "assume_role")
                .map(|x| text(x.body(), "role_arn"))
                .unwrap();
            (string(b.body(), "alias"), role)
        })
        .collect();
    assert_eq!(
        providers,
        [
            (
                "account_222233334444".to_owned(),
                "\"arn:aws:iam::222233334444:role/${var.spoke_role_name}\"".to_owned()
            ),
            (
                "account_555566667777".to_owned(),
                "\"arn:aws:iam::555566667777:role/${var.spoke_role_name}\"".to_owned()
            ),
        ]
    );
    let zones = names(&body, "aws_route53_zone");
    let authorisations = names(&body, "aws_route53_vpc_association_authorization");
    assert_eq!(zones, authorisations);
    for (name, a) in resources(&body, "aws_route53_vpc_association_authorization") {
        assert_eq!(text(a, "for_each"), "local.hub_remote_spokes", "{name}");
    }
    // Per zone and account, an association made through that account's provider, from the
    // authorisation (which orders it after the authorisation).
    let remote: Vec<(&str, String)> = resources(&body, "aws_route53_zone_association")
        .filter_map(|(n, b)| attr(b, "provider").map(|p| (n, p.to_string())))
        .collect();
    assert_eq!(remote.len(), zones.len() * 2);
    for (name, provider) in &remote {
        let account = name.rsplit('_').next().unwrap();
        assert_eq!(provider, &format!("aws.account_{account}"));
        let (_, b) = resources(&body, "aws_route53_zone_association")
            .find(|(n, _)| n == name)
            .unwrap();
        assert!(text(b, "zone_id").starts_with("aws_route53_vpc_association_authorization."));
    }
    // Dual-stack endpoints get AAAA records beside A; ECR's carry IPv4 only.
    let (_, s3) = resources(&body, "aws_route53_record")
        .find(|(n, _)| *n == "s3_interface")
        .unwrap();
    assert_eq!(text(s3, "for_each"), "toset([\"A\", \"AAAA\"])");
    let (_, ecr) = resources(&body, "aws_route53_record")
        .find(|(n, _)| *n == "ecr_api")
        .unwrap();
    assert_eq!(text(ecr, "for_each"), "toset([\"A\"])");
    // S3 answers three names, each with its subdomains.
    for zone in [
        "s3_interface",
        "s3_interface_s3_control",
        "s3_interface_s3_accesspoint",
    ] {
        assert!(zones.contains(zone), "{zone}");
        assert!(names(&body, "aws_route53_record").contains(format!("{zone}_wildcard").as_str()));
    }
    let versions = file(&files, "versions.tf");
    assert!(versions.contains(">= 5.20.0"), "{versions}");
}

#[test]
fn cloudformation_refuses_a_spoke_in_another_account_and_names_the_terraform_route() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let (code, _, stderr) = run_in(
        &root(),
        &[
            "generate",
            "tests/data/hub-cross-account.yaml",
            "--target",
            "all",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(!out.exists(), "nothing is written");
    assert!(stderr.contains("hub.spokes[1].account"), "{stderr}");
    assert!(stderr.contains("222233334444"), "{stderr}");
    assert!(stderr.contains("hub.spokes[3].account"), "{stderr}");
    assert!(stderr.contains("--target terraform"), "{stderr}");
}

#[test]
fn a_route53_profile_keeps_private_dns_on_and_is_shared_through_ram() {
    let (files, body) = tf("tests/data/hub-profile.yaml");
    assert!(names(&body, "aws_route53_zone").is_empty());
    assert_eq!(
        names(&body, "aws_route53profiles_resource_association"),
        BTreeSet::from(["ec2messages", "kms", "ssm", "ssmmessages"])
    );
    for (name, a) in resources(&body, "aws_route53profiles_resource_association") {
        assert_eq!(
            text(a, "resource_arn"),
            format!("aws_vpc_endpoint.{name}.arn")
        );
    }
    for (name, ep) in resources(&body, "aws_vpc_endpoint") {
        assert_eq!(text(ep, "private_dns_enabled"), "true", "{name}");
    }
    let (_, share) = resources(&body, "aws_ram_resource_share").next().unwrap();
    assert_eq!(text(share, "allow_external_principals"), "false");
    let (_, principals) = resources(&body, "aws_ram_principal_association")
        .next()
        .unwrap();
    assert_eq!(text(principals, "for_each"), "toset([\"222233334444\"])");
    let (_, spoke) = resources(&body, "aws_route53profiles_association")
        .find(|(n, _)| *n == "account_222233334444")
        .unwrap();
    assert_eq!(text(spoke, "provider"), "aws.account_222233334444");
    assert!(text(spoke, "depends_on").contains("aws_ram_principal_association.hub_profile"));
    // Route 53 Profiles arrived in the provider's 5.72.0 (5.71.0 was withdrawn).
    assert!(file(&files, "versions.tf").contains(">= 5.72.0"));
    assert!(file(&files, "outputs.tf").contains("aws_route53profiles_profile.hub.id"));
}

#[test]
fn a_cloudformation_profile_associates_each_endpoint_by_arn_and_each_spoke() {
    let text = std::fs::read_to_string(root().join("tests/data/hub-profile.yaml")).unwrap();
    let local: String = text
        .lines()
        .filter(|l| !l.contains("account:"))
        .map(|l| format!("{l}\n"))
        .collect();
    let t = parse_cfn(&render_text(&local, Target::CloudFormation));
    let r = &t["Resources"];
    assert_eq!(r["HubProfile"]["Type"], "AWS::Route53Profiles::Profile");
    assert_eq!(
        r["SsmProfileResource"]["Properties"]["ResourceArn"]["Fn::Sub"],
        "arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-endpoint/${SsmEndpoint}"
    );
    assert_eq!(
        r["SpokeWebProfileAssociation"]["Properties"]["ResourceId"],
        "vpc-0a1b2c3d4e5f60711"
    );
    assert_eq!(r["SsmEndpoint"]["Properties"]["PrivateDnsEnabled"], true);
    assert_eq!(
        t["Outputs"]["HubProfileId"]["Value"]["Fn::GetAtt"],
        serde_json::json!(["HubProfile", "Id"])
    );
}

#[test]
fn plan_lists_spokes_zones_and_what_is_not_shared() {
    let p = plan::build(&model::load(&spec_file("specs/hub-and-spoke.yaml")).unwrap());
    let r = report::build(&p);
    let hub = r.hub.as_ref().unwrap();
    assert_eq!(hub.dns, "hosted-zones");
    assert_eq!(hub.spokes.len(), 2);
    assert_eq!(hub.zones.len(), 7);
    assert_eq!(hub.unshared.len(), 1);
    assert_eq!(hub.unshared[0].key, "s3");
    assert!(hub.unshared[0].why.contains("gateway"));
    assert!(r.notes.iter().any(|n| n.contains("transit gateway")));
}

/// The cost model's worked example (reference §2.6): 10 VPCs that each need the same 10
/// interface endpoints in 3 AZs in us-east-1: about $2,190 a month per VPC against about
/// $589 through a hub with 10 transit gateway attachments and 10 zones.
#[test]
fn a_hub_of_ten_vpcs_costs_what_the_reference_model_says() {
    let services = [
        "ssm",
        "ssmmessages",
        "ec2messages",
        "logs",
        "sts",
        "kms",
        "secretsmanager",
        "sqs",
        "sns",
        "ecr.api",
    ];
    let spokes: String = (1..10)
        .map(|i| format!("    - {{ vpc_id: vpc-0{i:016x}, cidr: 10.{i}.0.0/16 }}\n"))
        .collect();
    let spec = format!(
        "name: ten\nregion: us-east-1\nvpc:\n  id: vpc-0aaaaaaaaaaaaaaaa\n  cidr: 10.100.0.0/16\n  subnets:\n    - {{ id: subnet-0aaaaaaaaaaaaaaa1, az: us-east-1a }}\n    - {{ id: subnet-0aaaaaaaaaaaaaaa2, az: us-east-1b }}\n    - {{ id: subnet-0aaaaaaaaaaaaaaa3, az: us-east-1c }}\nendpoints: [{}]\nhub:\n  spokes:\n{spokes}",
        services.join(", ")
    );
    let file = vpcgen::source::SpecFile::new("ten.yaml", spec);
    let p = plan::build(&model::load(&file).unwrap());
    let c = cost::estimate(&p).hub.unwrap();
    assert_eq!(c.vpcs, 10);
    assert_eq!(c.shared_endpoints, 10);
    assert_eq!(c.per_vpc_usd, 2190.0);
    assert_eq!(c.hub_endpoints_usd, 219.0);
    assert_eq!(c.attachments_usd, 365.0);
    assert_eq!(c.hosted_zones, 10);
    assert_eq!(c.hosted_zones_usd, 5.0);
    assert_eq!(c.central_usd, 589.0);
    assert_eq!(c.saving_usd, 1601.0);
    assert_eq!(cost::hosted_zones_usd(30), 25.0 * 0.5 + 5.0 * 0.1);
}
