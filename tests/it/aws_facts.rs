//! What AWS documents and the output must follow, each asserted on generated code or on the
//! spec's verdict: the STS policy that keeps federation working, the SSM and CloudFormation
//! buckets, global services bound to their home Region, services missing from a Region, policy
//! support per service and Region, the China S3 gateway name, DynamoDB's private DNS, the
//! presets, Availability Zone IDs and the prices `plan` shows.

use crate::common::*;
use serde_json::Value;
use vpcgen::render::Target;
use vpcgen::source::SpecFile;
use vpcgen::{model, plan};

/// A spec in `region` with one subnet per given zone line and the given endpoints and extras.
fn spec(region: &str, subnets: &[&str], body: &str) -> String {
    let subnets: String = subnets
        .iter()
        .enumerate()
        .map(|(i, zone)| format!("    - {{ id: subnet-0{i}1b2c3d4e5f60718, {zone} }}\n"))
        .collect();
    format!(
        "name: facts\nregion: {region}\nvpc:\n  id: vpc-0a1b2c3d4e5f60718\n  cidr: 10.0.0.0/16\n  subnets:\n{subnets}  route_tables: [rtb-0a1b2c3d4e5f60718]\n{body}"
    )
}

fn load(text: &str) -> Result<model::Vpc, String> {
    model::load(&SpecFile::new("facts.yaml", text)).map_err(|e| vpcgen::error::render(&e, false))
}

fn warnings(text: &str) -> Vec<String> {
    load(text)
        .unwrap_or_else(|e| panic!("{e}"))
        .warnings
        .iter()
        .map(|d| format!("{}: {}", d.message, d.help))
        .collect()
}

fn cfn(text: &str) -> Value {
    parse_cfn(&render_text(text, Target::CloudFormation))
}

fn tf(text: &str) -> String {
    let files = render_text(text, Target::Terraform);
    parse_tf(&files);
    files
        .iter()
        .map(|f| f.contents.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

const US: &[&str] = &["az: us-east-1a", "az: us-east-1b"];
const ORG: &str = "policy: org-only\norg_id: o-a1b2c3d4e5\n";

#[test]
fn the_sts_org_only_policy_lets_federated_callers_assume_roles_of_the_organization() {
    let text = spec("us-east-1", US, &format!("endpoints: [sts, sqs]\n{ORG}"));
    let t = cfn(&text);
    let sts = &t["Resources"]["StsEndpoint"]["Properties"]["PolicyDocument"]["Statement"];
    assert_eq!(sts[0]["Principal"]["AWS"], "*");
    assert_eq!(
        sts[0]["Condition"]["StringEquals"]["aws:PrincipalOrgID"],
        "o-a1b2c3d4e5"
    );
    assert_eq!(sts[1]["Principal"], "*");
    assert_eq!(
        sts[1]["Action"],
        serde_json::json!(["sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"])
    );
    assert_eq!(
        sts[1]["Condition"]["StringEquals"]["aws:ResourceOrgID"],
        "o-a1b2c3d4e5"
    );
    // Other endpoints keep the one-statement policy.
    let sqs = &t["Resources"]["SqsEndpoint"]["Properties"]["PolicyDocument"]["Statement"];
    assert_eq!(sqs.as_array().unwrap().len(), 1);
    // The output says why, in both targets.
    let yaml = file(&render_text(&text, Target::CloudFormation), "template.yaml").to_owned();
    assert!(yaml.contains("# Federated callers (IRSA"), "{yaml}");
    let main = tf(&text);
    assert!(main.contains("org_only_sts = jsonencode("), "{main}");
    assert!(main.contains("# Federated callers (IRSA"), "{main}");
    assert!(
        main.contains("\"aws:ResourceOrgID\" = \"o-a1b2c3d4e5\""),
        "{main}"
    );
}

/// The S3 resources admitted next to the organization, by statement.
fn s3_exceptions(region: &str, endpoints: &str) -> Vec<(String, Vec<String>)> {
    let zones = [format!("az: {region}a"), format!("az: {region}b")];
    let zones: Vec<&str> = zones.iter().map(String::as_str).collect();
    let t = cfn(&spec(
        region,
        &zones,
        &format!("endpoints: [{endpoints}]\n{ORG}"),
    ));
    let statements = t["Resources"]["S3Endpoint"]["Properties"]["PolicyDocument"]["Statement"]
        .as_array()
        .unwrap()
        .clone();
    statements[1..]
        .iter()
        .map(|s| {
            let r = s["Resource"].as_array().unwrap();
            (
                s["Sid"].as_str().unwrap().to_owned(),
                r.iter().map(|x| x.as_str().unwrap().to_owned()).collect(),
            )
        })
        .collect()
}

#[test]
fn ssm_bucket_names_are_the_guides_in_every_region_and_partition() {
    let me = s3_exceptions("me-south-1", "s3, ssmmessages");
    assert_eq!(me.len(), 1);
    assert_eq!(me[0].0, "AllowSsmAgentBuckets");
    for bucket in [
        "arn:aws:s3:::patch-baseline-snapshot-me-south-1-uduvl7q8/*",
        "arn:aws:s3:::aws-patch-manager-me-south-1-a53fc9dce/*",
        "arn:aws:s3:::aws-patchmanager-macos-me-south-1-a53fc9dce/*",
        "arn:aws:s3:::aws-windows-downloads-me-south-1/*",
        "arn:aws:s3:::amazon-ssm-me-south-1/*",
        "arn:aws:s3:::aws-ssm-me-south-1/*",
    ] {
        assert!(
            me[0].1.contains(&bucket.to_owned()),
            "{bucket}: {:?}",
            me[0].1
        );
    }
    assert!(
        !me[0]
            .1
            .iter()
            .any(|b| b.ends_with("patch-baseline-snapshot-me-south-1/*"))
    );
    let af = s3_exceptions("af-south-1", "s3, ec2messages");
    assert!(
        af[0]
            .1
            .contains(&"arn:aws:s3:::patch-baseline-snapshot-af-south-1-tbxdb5b9/*".to_owned())
    );
    assert!(
        af[0]
            .1
            .contains(&"arn:aws:s3:::aws-ssm-distributor-file-af-south-1/*".to_owned())
    );
    // Every partition's ARN form.
    for (region, partition) in [
        ("cn-north-1", "aws-cn"),
        ("us-gov-west-1", "aws-us-gov"),
        ("eusc-de-east-1", "aws-eusc"),
    ] {
        let got = s3_exceptions(region, "s3, ssmmessages");
        assert!(
            got[0]
                .1
                .iter()
                .all(|b| b.starts_with(&format!("arn:{partition}:s3:::"))),
            "{region}: {:?}",
            got[0].1
        );
        assert!(
            got[0]
                .1
                .contains(&format!("arn:{partition}:s3:::aws-ssm-{region}/*"))
        );
    }
    // Parameter Store readers (`ssm` alone) run no agent, so admit no agent buckets.
    assert!(s3_exceptions("us-east-1", "s3, ssm").is_empty());
}

#[test]
fn cloudformation_responses_reach_their_buckets_under_org_only() {
    let got = s3_exceptions("us-west-2", "s3, cloudformation");
    assert_eq!(got[0].0, "AllowCloudFormationResponses");
    assert_eq!(
        got[0].1,
        [
            "arn:aws:s3:::cloudformation-custom-resource-response-uswest2/*",
            "arn:aws:s3:::cloudformation-waitcondition-us-west-2/*"
        ]
    );
}

#[test]
fn the_ssm_preset_brings_the_s3_gateway() {
    let v = load(&spec(
        "us-east-2",
        &["az: us-east-2a"],
        "endpoints: [{ preset: ssm }]\n",
    ))
    .unwrap();
    assert!(
        v.endpoints
            .iter()
            .any(|e| e.is("s3", vpcgen::aws::EndpointType::Gateway))
    );
}

#[test]
fn iam_and_route53_endpoints_exist_only_in_their_home_region() {
    for key in ["iam", "route53"] {
        let err = load(&spec(
            "eu-west-1",
            &["az: eu-west-1a"],
            &format!("endpoints: [{key}]\n"),
        ))
        .unwrap_err();
        assert!(
            err.contains(&format!(
                "`{key}` has an interface endpoint only in `us-east-1`"
            )),
            "{err}"
        );
        assert!(err.contains("region: us-east-1"), "{err}");
        load(&spec("us-east-1", US, &format!("endpoints: [{key}]\n"))).unwrap();
    }
    // Each partition has its own home Region.
    let err = load(&spec(
        "cn-northwest-1",
        &["az: cn-northwest-1a"],
        "endpoints: [iam]\n",
    ))
    .unwrap_err();
    assert!(err.contains("only in `cn-north-1`"), "{err}");
    load(&spec(
        "cn-north-1",
        &["az: cn-north-1a"],
        "endpoints: [iam]\n",
    ))
    .unwrap();
    load(&spec(
        "us-gov-west-1",
        &["az: us-gov-west-1a"],
        "endpoints: [iam]\n",
    ))
    .unwrap();
}

#[test]
fn iam_outside_its_home_region_fails_the_command_line_and_writes_nothing() {
    let dir = tree(&[(
        "s.yaml",
        &spec("eu-west-1", &["az: eu-west-1a"], "endpoints: [iam]\n"),
    )]);
    let (code, _, stderr) = run_in(
        dir.path(),
        &[
            "generate",
            "s.yaml",
            "--target",
            "terraform",
            "--out",
            "out",
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("us-east-1"), "{stderr}");
    assert!(!dir.path().join("out").exists());
}

#[test]
fn services_missing_from_a_region_are_warned_about() {
    let w = warnings(&spec(
        "ap-southeast-5",
        &["az: ap-southeast-5a"],
        "endpoints: [eks, eks-auth]\n",
    ));
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("`eks` endpoints are not offered in `ap-southeast-5`"),
        "{w:?}"
    );
    // S3 Express is offered in a few Regions only.
    let w = warnings(&spec(
        "eu-west-2",
        &["az: eu-west-2a"],
        "endpoints: [s3express]\n",
    ));
    assert!(
        w[0].contains("`s3express` endpoints are not offered in `eu-west-2`"),
        "{w:?}"
    );
    assert!(warnings(&spec("us-east-1", US, "endpoints: [s3express]\n")).is_empty());
}

#[test]
fn policy_support_follows_the_service_guides() {
    let t = cfn(&spec(
        "us-east-1",
        US,
        &format!("endpoints: [batch, billingconductor]\n{ORG}"),
    ));
    let r = &t["Resources"];
    assert!(r["BatchEndpoint"]["Properties"]["PolicyDocument"].is_object());
    assert!(r["BillingconductorEndpoint"]["Properties"]["PolicyDocument"].is_null());
    // Asked for on the endpoint itself, a policy the service rejects is an error.
    let err = load(&spec(
        "us-east-1",
        US,
        "endpoints:\n  - { service: billingconductor, policy: full-access }\n",
    ))
    .unwrap_err();
    assert!(
        err.contains("`billingconductor` does not accept endpoint policies"),
        "{err}"
    );
    // HealthOmics accepts policies everywhere but il-central-1.
    let omics = |region: &str| {
        let zone = format!("az: {region}a");
        cfn(&spec(
            region,
            &[zone.as_str()],
            &format!("endpoints: [storage-omics]\n{ORG}"),
        ))["Resources"]["StorageOmicsEndpoint"]["Properties"]["PolicyDocument"]
            .is_object()
    };
    assert!(omics("us-east-1"));
    assert!(!omics("il-central-1"));
    let err = load(&spec(
        "il-central-1",
        &["az: il-central-1a"],
        "endpoints:\n  - { service: storage-omics, policy: org-only }\norg_id: o-a1b2c3d4e5\n",
    ))
    .unwrap_err();
    assert!(
        err.contains("does not accept endpoint policies in `il-central-1`"),
        "{err}"
    );
}

#[test]
fn a_default_policy_a_service_rejects_is_skipped_with_a_note_in_the_output_and_the_plan() {
    let text = spec("us-east-1", US, &format!("endpoints: [email-smtp]\n{ORG}"));
    let main = tf(&text);
    assert!(
        main.contains("so the spec's `org-only` policy is\n# not applied to this endpoint"),
        "{main}"
    );
    let yaml = file(&render_text(&text, Target::CloudFormation), "template.yaml").to_owned();
    assert!(
        yaml.contains("so the spec's `org-only` policy is"),
        "{yaml}"
    );
    let p = plan::build(&load(&text).unwrap());
    assert!(
        p.notes
            .iter()
            .any(|n| n.starts_with("email-smtp: gets no endpoint policy")),
        "{:?}",
        p.notes
    );
    // Without a spec-wide policy there is nothing to skip and nothing to say.
    let main = tf(&spec("us-east-1", US, "endpoints: [email-smtp]\n"));
    assert!(!main.contains("Policy: none"), "{main}");
}

#[test]
fn the_china_s3_gateway_has_no_china_prefix_and_the_interface_has() {
    let zones = ["az: cn-north-1a", "az: cn-north-1b"];
    let text = spec(
        "cn-north-1",
        &zones,
        "endpoints: [s3, { service: s3, type: interface }, dynamodb]\n",
    );
    let t = cfn(&text);
    let r = &t["Resources"];
    assert_eq!(
        r["S3Endpoint"]["Properties"]["ServiceName"],
        "com.amazonaws.cn-north-1.s3"
    );
    assert_eq!(
        r["S3InterfaceEndpoint"]["Properties"]["ServiceName"],
        "cn.com.amazonaws.cn-north-1.s3"
    );
    assert_eq!(
        r["DynamodbEndpoint"]["Properties"]["ServiceName"],
        "com.amazonaws.cn-north-1.dynamodb"
    );
    let main = tf(&text);
    assert!(
        main.contains("service_name      = \"com.amazonaws.cn-north-1.s3\""),
        "{main}"
    );
}

#[test]
fn dynamodb_interface_endpoints_have_no_private_dns_in_either_target() {
    let text = spec(
        "us-east-1",
        US,
        "endpoints: [dynamodb, { service: dynamodb, type: interface }]\n",
    );
    let t = cfn(&text);
    let ep = &t["Resources"]["DynamodbInterfaceEndpoint"];
    assert_eq!(ep["Properties"]["PrivateDnsEnabled"], false);
    assert!(ep["Properties"]["DnsOptions"].is_null());
    assert!(ep["DependsOn"].is_null());
    let main = tf(&text);
    let block = &main[main
        .find("resource \"aws_vpc_endpoint\" \"dynamodb_interface\"")
        .unwrap()..];
    let block = &block[..block.find("\n}\n").unwrap()];
    assert!(block.contains("private_dns_enabled = false"), "{block}");
    assert!(!block.contains("dns_options"), "{block}");
    assert!(!block.contains("depends_on"), "{block}");
    let err = load(&spec(
        "us-east-1",
        US,
        "endpoints:\n  - { service: dynamodb, type: interface, private_dns: true }\n",
    ))
    .unwrap_err();
    assert!(err.contains("do not support private DNS"), "{err}");
}

#[test]
fn presets_carry_the_members_their_guides_list() {
    let members = |name: &str| -> Vec<&str> {
        vpcgen::aws::preset(name)
            .unwrap()
            .members
            .iter()
            .map(|m| m.key)
            .collect()
    };
    let eks = members("eks-private");
    assert!(
        eks.contains(&"xray") && eks.contains(&"autoscaling"),
        "{eks:?}"
    );
    assert!(members("sagemaker-studio").contains(&"servicecatalog"));
    assert!(members("ssm").contains(&"s3"));
    for p in vpcgen::aws::presets() {
        for m in p.members {
            assert!(
                !m.reason.is_empty() && !m.source.is_empty(),
                "{}: {}",
                p.name,
                m.key
            );
        }
    }
}

#[test]
fn subnets_may_name_their_zone_by_az_id() {
    let text = spec(
        "us-east-1",
        &["az_id: use1-az1", "az_id: use1-az4"],
        "endpoints: [sqs]\n",
    );
    load(&text).unwrap();
    let err = load(&spec(
        "us-east-1",
        &["az_id: usw2-az1"],
        "endpoints: [sqs]\n",
    ))
    .unwrap_err();
    assert!(
        err.contains("`usw2-az1` is not an AZ ID of Region `us-east-1`"),
        "{err}"
    );
    assert!(err.contains("use1-az6"), "{err}");
    let err = load(&spec(
        "us-east-1",
        &["az: us-east-1a, az_id: use1-az1"],
        "endpoints: [sqs]\n",
    ))
    .unwrap_err();
    assert!(err.contains("by `az` or by `az_id`"), "{err}");
    let err = load(&spec(
        "us-east-1",
        &["az_id: use1-az2", "az_id: use1-az2"],
        "endpoints: [sqs]\n",
    ))
    .unwrap_err();
    assert!(err.contains("two subnets in AZ `use1-az2`"), "{err}");
}

#[test]
fn a_service_in_an_az_id_it_is_not_offered_in_is_warned_about() {
    let w = warnings(&spec(
        "us-east-1",
        &["az_id: use1-az1", "az_id: use1-az2"],
        "endpoints: [email-smtp]\n",
    ));
    assert_eq!(w.len(), 1, "{w:?}");
    assert!(
        w[0].contains("`email-smtp` is not offered in AZ `use1-az2`"),
        "{w:?}"
    );
    // A subset that avoids the zone is fine.
    assert!(
        warnings(&spec(
            "us-east-1",
            &["az_id: use1-az1", "az_id: use1-az2"],
            "endpoints:\n  - { service: email-smtp, subnets: [subnet-001b2c3d4e5f60718] }\n",
        ))
        .is_empty()
    );
    // By AZ name the zone cannot be known: the plan says what to check.
    let p = plan::build(&load(&spec("us-east-1", US, "endpoints: [email-smtp]\n")).unwrap());
    assert!(
        p.notes
            .iter()
            .any(|n| n.contains("use1-az2, use1-az3, use1-az5") && n.contains("az_id")),
        "{:?}",
        p.notes
    );
}

#[test]
fn a_new_vpc_may_list_its_azs_by_id() {
    let text = "name: ids\nregion: us-east-1\nvpc:\n  create: true\n  cidr: 10.0.0.0/16\n  azs: [use1-az1, use1-az4]\nendpoints: [sqs]\n";
    let main = tf(text);
    assert!(main.contains("availability_zone_id = each.key"), "{main}");
    assert!(main.contains("\"use1-az4\" = "), "{main}");
    let t = cfn(text);
    let subnets: Vec<&Value> = t["Resources"]
        .as_object()
        .unwrap()
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::Subnet")
        .collect();
    assert_eq!(subnets.len(), 2);
    for s in subnets {
        assert!(s["Properties"]["AvailabilityZone"].is_null());
        assert!(
            s["Properties"]["AvailabilityZoneId"]
                .as_str()
                .unwrap()
                .starts_with("use1-az")
        );
    }
    let err = load(&text.replace("[use1-az1, use1-az4]", "[use1-az1, us-east-1b]")).unwrap_err();
    assert!(err.contains("mixes AZ names and AZ IDs"), "{err}");
}

#[test]
fn plan_prints_the_hourly_price_it_computes_with() {
    let dir = tree(&[(
        "s.yaml",
        &spec(
            "ap-southeast-5",
            &["az: ap-southeast-5a"],
            "endpoints: [sqs]\n",
        ),
    )]);
    let (code, stdout, stderr) = run_in(dir.path(), &["plan", "s.yaml"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains("$0.0117 per interface endpoint per AZ-hour"),
        "{stdout}"
    );
    let mumbai = vpcgen::aws::region("ap-south-1").unwrap();
    assert_eq!(mumbai.interface_hour_usd, 0.013);
}
