//! Endpoints beyond an AWS service in the VPC's own Region over IPv4: endpoint services,
//! cross-Region endpoints, dual-stack and IPv6, fixed addresses, Gateway Load Balancer and VPC
//! Lattice endpoints. Each rule is asserted on the generated code of both targets (moto ignores
//! `ServiceRegion`, `IpAddressType` and `DnsOptions`, so the templates are their proof), and on
//! `plan`, which says what the code cannot.

use crate::common::*;
use serde_json::Value;
use vpcgen::render::Target;
use vpcgen::views::report;
use vpcgen::{model, plan};

const VPC: &str = "name: k
region: us-east-1
vpc:
  id: vpc-0a1b2c3d4e5f60718
  cidr: 10.0.0.0/16
  ipv6_cidr: 2600:1f18:4a3b:c100::/56
  subnets:
    - { id: subnet-0a1b2c3d4e5f60718, az_id: use1-az1 }
    - { id: subnet-0b1b2c3d4e5f60718, az_id: use1-az2 }
  route_tables: [rtb-0a1b2c3d4e5f60718, rtb-0b1b2c3d4e5f60718]
";

fn spec(endpoints: &str) -> String {
    format!("{VPC}endpoints:\n{endpoints}")
}

fn cfn(endpoints: &str) -> Value {
    parse_cfn(&render_text(&spec(endpoints), Target::CloudFormation))
}

fn tf(endpoints: &str) -> Vec<vpcgen::output::OutputFile> {
    let files = render_text(&spec(endpoints), Target::Terraform);
    parse_tf(&files);
    files
}

fn plan_of(endpoints: &str) -> report::PlanReport {
    let file = vpcgen::source::SpecFile::new("inline.yaml", spec(endpoints));
    let vpc = model::load(&file).unwrap();
    report::build(&plan::build(&vpc))
}

const PARTNER: &str = "com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0";

#[test]
fn an_endpoint_service_is_an_interface_endpoint_named_by_its_entry() {
    let t = cfn(&format!(
        "  - {{ name: partner-api, endpoint_service: {PARTNER}, ports: [443, 8443] }}\n"
    ));
    let ep = &t["Resources"]["PartnerApiEndpoint"]["Properties"];
    assert_eq!(ep["ServiceName"], PARTNER);
    assert_eq!(ep["VpcEndpointType"], "Interface");
    // Private DNS only once the provider's name is verified: off unless asked.
    assert_eq!(ep["PrivateDnsEnabled"], false);
    // No catalogue policy for a service vpcgen knows nothing about.
    assert!(ep["PolicyDocument"].is_null());
    let ports: Vec<i64> =
        t["Resources"]["EndpointSecurityGroup"]["Properties"]["SecurityGroupIngress"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["FromPort"].as_i64().unwrap())
            .collect();
    assert!(ports.contains(&443) && ports.contains(&8443), "{ports:?}");
    let main = tf(&format!(
        "  - {{ name: partner-api, endpoint_service: {PARTNER} }}\n"
    ));
    let main = file(&main, "main.tf");
    assert!(main.contains("resource \"aws_vpc_endpoint\" \"partner_api\""));
    assert!(!main.contains("local.endpoint_policies.full_access\n  tags"));
}

#[test]
fn an_endpoint_service_takes_a_policy_document_but_no_default_preset() {
    let with_doc = cfn(&format!(
        "  - name: partner\n    endpoint_service: {PARTNER}\n    policy: {{ Version: \"2012-10-17\", Statement: [{{ Effect: Allow, Principal: \"*\", Action: \"*\", Resource: \"*\" }}] }}\n"
    ));
    assert!(!with_doc["Resources"]["PartnerEndpoint"]["Properties"]["PolicyDocument"].is_null());
    let file = vpcgen::source::SpecFile::new(
        "inline.yaml",
        format!(
            "{VPC}org_id: o-a1b2c3d4e5\npolicy: org-only\nendpoints:\n  - {{ name: partner, endpoint_service: {PARTNER} }}\n  - sqs\n"
        ),
    );
    let r = report::build(&plan::build(&model::load(&file).unwrap()));
    let partner = r.endpoints.iter().find(|e| e.key == "partner").unwrap();
    assert_eq!(partner.policy, "none");
    assert_eq!(partner.policy_origin, "left to the endpoint service");
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("partner: gets no endpoint policy"))
    );
    let sqs = r.endpoints.iter().find(|e| e.key == "sqs").unwrap();
    assert_eq!(sqs.policy, "org-only");
}

#[test]
fn cross_region_names_carry_the_remote_region_and_plan_says_what_replacing_takes() {
    let eps = "  - { name: kms-west, service: kms, service_region: us-west-2 }\n  - kms\n  - { service: iam, service_region: us-east-1 }\n";
    let t = cfn(eps);
    let west = &t["Resources"]["KmsWestEndpoint"]["Properties"];
    assert_eq!(west["ServiceName"], "com.amazonaws.us-west-2.kms");
    assert_eq!(west["ServiceRegion"], "us-west-2");
    let local = &t["Resources"]["KmsEndpoint"]["Properties"];
    assert_eq!(local["ServiceName"], "com.amazonaws.us-east-1.kms");
    assert!(local["ServiceRegion"].is_null());
    // The VPC is in iam's home Region: `service_region` naming it is redundant and dropped.
    assert!(t["Resources"]["IamEndpoint"]["Properties"]["ServiceRegion"].is_null());
    let files = tf(eps);
    let main = file(&files, "main.tf");
    assert!(
        main.contains("service_region      = \"us-west-2\""),
        "{main}"
    );
    // The provider gained `service_region` in 5.83.0.
    let versions = file(&files, "versions.tf");
    assert!(versions.contains(">= 5.83.0, != 6.28.0"), "{versions}");
    assert!(
        versions.contains("5.83.0 adds service_region"),
        "{versions}"
    );
    let r = plan_of(eps);
    let note = r
        .notes
        .iter()
        .find(|n| n.starts_with("kms-west: reaches com.amazonaws.us-west-2.kms in us-west-2"))
        .expect("a cross-Region note");
    assert!(note.contains("replaces the endpoint") && note.contains("vpce:AllowMultiRegion"));
}

#[test]
fn iam_from_another_region_is_reached_through_its_home_region() {
    let file = vpcgen::source::SpecFile::new(
        "inline.yaml",
        "name: k\nregion: eu-west-1\nvpc:\n  cidr: 10.0.0.0/16\n  subnets: [{ id: subnet-0a1b2c3d4e5f60718, az: eu-west-1a }]\nendpoints:\n  - { service: iam, service_region: us-east-1 }\n",
    );
    let p = plan::build(&model::load(&file).unwrap());
    assert_eq!(&*p.endpoints[0].service_name, "com.amazonaws.iam");
    assert_eq!(p.endpoints[0].service_region, Some("us-east-1"));
}

#[test]
fn dual_stack_endpoints_admit_the_vpc_ipv6_block_and_set_their_dns_records() {
    let eps = "  - { service: sqs, ip_address_type: dualstack, dns_record_ip_type: service-defined }\n  - { service: s3, ip_address_type: dualstack }\n";
    let t = cfn(eps);
    let sqs = &t["Resources"]["SqsEndpoint"]["Properties"];
    assert_eq!(sqs["IpAddressType"], "dualstack");
    assert_eq!(sqs["DnsOptions"]["DnsRecordIpType"], "service-defined");
    assert_eq!(
        t["Resources"]["S3Endpoint"]["Properties"]["IpAddressType"],
        "dualstack"
    );
    let rules = t["Resources"]["EndpointSecurityGroup"]["Properties"]["SecurityGroupIngress"]
        .as_array()
        .unwrap();
    assert!(
        rules
            .iter()
            .any(|r| r["CidrIpv6"] == serde_json::json!({ "Ref": "VpcIpv6Cidr" }))
    );
    assert_eq!(
        t["Parameters"]["VpcIpv6Cidr"]["Default"],
        "2600:1f18:4a3b:c100::/56"
    );
    let files = tf(eps);
    let main = file(&files, "main.tf");
    assert!(
        main.contains("cidr_ipv6         = var.vpc_ipv6_cidr"),
        "{main}"
    );
    assert!(
        main.contains("dns_record_ip_type = \"service-defined\""),
        "{main}"
    );
    // An IPv4-only VPC admits no IPv6 block.
    let v4 = cfn("  - sqs\n");
    assert!(v4["Parameters"]["VpcIpv6Cidr"].is_null());
}

#[test]
fn the_spec_wide_ip_address_type_skips_services_without_ipv6() {
    let file = vpcgen::source::SpecFile::new(
        "inline.yaml",
        format!("{VPC}ip_address_type: dualstack\nendpoints:\n  - sqs\n  - ecr.api\n  - s3\n"),
    );
    let r = report::build(&plan::build(&model::load(&file).unwrap()));
    let ty = |k: &str| {
        r.endpoints
            .iter()
            .find(|e| e.key == k)
            .unwrap()
            .ip_address_type
            .clone()
    };
    assert_eq!(ty("sqs").as_deref(), Some("dualstack"));
    assert_eq!(ty("ecr.api"), None);
    // The default is for interface endpoints; the S3 gateway keeps AWS's default.
    assert_eq!(ty("s3"), None);
    assert!(r.notes.iter().any(|n| n.starts_with("ecr.api: stays IPv4")));
}

#[test]
fn a_new_dual_stack_vpc_gives_every_subnet_a_64_that_never_moves() {
    let text = "name: k\nregion: eu-central-1\nvpc:\n  create: true\n  cidr: 10.0.0.0/16\n  ipv6: true\n  azs: 2\n  public_subnets: true\n  nat: single\nendpoints:\n  - { service: sqs, ip_address_type: dualstack }\n";
    let files = render_text(text, Target::Terraform);
    let vpc = file(&files, "vpc.tf");
    assert!(vpc.contains("assign_generated_ipv6_cidr_block = true"));
    assert!(
        vpc.contains("\"eu-central-1b\" = { cidr = \"10.0.64.0/18\", ipv6_netnum = 1 }"),
        "{vpc}"
    );
    assert!(vpc.contains("ipv6_netnum = 129"), "{vpc}");
    assert!(vpc.contains("resource \"aws_egress_only_internet_gateway\" \"this\""));
    let t = parse_cfn(&render_text(text, Target::CloudFormation));
    let r = &t["Resources"];
    assert_eq!(r["VpcIpv6Block"]["Type"], "AWS::EC2::VPCCidrBlock");
    assert_eq!(r["PrivateSubnetEuCentral1b"]["DependsOn"], "VpcIpv6Block");
    assert_eq!(
        r["PublicSubnetEuCentral1a"]["Properties"]["Ipv6CidrBlock"]["Fn::Select"][0],
        128
    );
    assert_eq!(r["EndpointSecurityGroup"]["DependsOn"], "VpcIpv6Block");
    assert_eq!(
        r["PrivateIpv6EgressRouteEuCentral1a"]["Properties"]["DestinationIpv6CidrBlock"],
        "::/0"
    );
}

#[test]
fn fixed_addresses_are_terraform_subnet_configurations_and_cloudformation_refuses_them() {
    let files = render_spec("tests/data/fixed-ips.yaml", Target::Terraform);
    parse_tf(&files);
    let main = file(&files, "main.tf");
    assert!(main.contains(
        "  subnet_configuration {\n    subnet_id = \"subnet-0a1b2c3d4e5f60718\"\n    ipv4      = \"10.0.1.11\"\n    ipv6      = \"2600:1f18:4a3b:c101::11\"\n  }"
    ), "{main}");
    assert!(file(&files, "versions.tf").contains(">= 5.54.0, != 6.28.0"));

    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let (code, _, stderr) = run_in(
        &root(),
        &[
            "generate",
            "tests/data/fixed-ips.yaml",
            "--target",
            "all",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(!out.exists(), "nothing is written for either target");
    assert!(stderr.contains("endpoints[0].fixed_ips: CloudFormation cannot fix the"));
    assert!(stderr.contains("`--target terraform`"));
}

#[test]
fn a_gateway_load_balancer_endpoint_is_one_per_subnet_with_routes_that_wait_for_it() {
    let eps = "  - name: firewall\n    gateway_load_balancer: com.amazonaws.vpce.us-east-1.vpce-svc-0fedcba9876543210\n    routes:\n      - { route_table: rtb-0a1b2c3d4e5f60718, destination: 0.0.0.0/0, az: use1-az1 }\n      - { route_table: rtb-0b1b2c3d4e5f60718, destination: \"::/0\", az: use1-az2 }\n";
    let t = cfn(eps);
    let r = t["Resources"].as_object().unwrap();
    let endpoints: Vec<&String> = r
        .keys()
        .filter(|k| k.starts_with("FirewallEndpoint"))
        .collect();
    assert_eq!(
        endpoints,
        [
            "FirewallEndpointSubnet0a1b2c3d4e5f60718",
            "FirewallEndpointSubnet0b1b2c3d4e5f60718"
        ]
    );
    let first = &r["FirewallEndpointSubnet0a1b2c3d4e5f60718"]["Properties"];
    assert_eq!(first["VpcEndpointType"], "GatewayLoadBalancer");
    assert_eq!(
        first["SubnetIds"],
        serde_json::json!(["subnet-0a1b2c3d4e5f60718"])
    );
    for key in ["SecurityGroupIds", "PolicyDocument", "PrivateDnsEnabled"] {
        assert!(first[key].is_null(), "{key}");
    }
    // No interface endpoint, so no security group.
    assert!(!r.contains_key("EndpointSecurityGroup"));
    let v4 = &r["FirewallRouteRtb0a1b2c3d4e5f607180x0x0x0n0"]["Properties"];
    assert_eq!(v4["DestinationCidrBlock"], "0.0.0.0/0");
    assert_eq!(
        v4["VpcEndpointId"],
        serde_json::json!({ "Ref": "FirewallEndpointSubnet0a1b2c3d4e5f60718" })
    );
    let v6 = &r["FirewallRouteRtb0b1b2c3d4e5f60718ccn0"]["Properties"];
    assert_eq!(v6["DestinationIpv6CidrBlock"], "::/0");

    let files = tf(eps);
    let main = file(&files, "main.tf");
    assert!(main.contains("subnet_ids        = [each.key]"), "{main}");
    assert!(
        main.contains(
            "vpc_endpoint_id             = aws_vpc_endpoint.firewall[each.value.subnet].id"
        )
    );
    assert!(main.contains("\"rtb-0b1b2c3d4e5f60718 ::/0\"      = { route_table_id = \"rtb-0b1b2c3d4e5f60718\", ipv4 = null, ipv6 = \"::/0\""), "{main}");
    let outputs = file(&files, "outputs.tf");
    assert!(outputs.contains(
        "firewall = { for subnet, endpoint in aws_vpc_endpoint.firewall : subnet => endpoint.id }"
    ));
    let report = plan_of(eps);
    assert_eq!(report.endpoints[0].r#type, "gateway-load-balancer");
    assert_eq!(report.endpoints[0].routes.len(), 2);
}

#[test]
fn lattice_endpoints_name_their_arn_and_take_a_security_group_but_no_policy() {
    let eps = "  - { name: db, resource_configuration: \"arn:aws:vpc-lattice:us-east-1:111122223333:resourceconfiguration/rcfg-0123456789abcdef0\", ports: [5432] }\n  - { name: mesh, service_network: \"arn:aws:vpc-lattice:us-east-1:111122223333:servicenetwork/sn-0123456789abcdef0\" }\n";
    let t = cfn(eps);
    let db = &t["Resources"]["DbEndpoint"]["Properties"];
    assert_eq!(db["VpcEndpointType"], "Resource");
    assert!(db["ServiceName"].is_null() && db["PolicyDocument"].is_null());
    assert!(
        db["ResourceConfigurationArn"]
            .as_str()
            .unwrap()
            .ends_with("rcfg-0123456789abcdef0")
    );
    let mesh = &t["Resources"]["MeshEndpoint"]["Properties"];
    assert_eq!(mesh["VpcEndpointType"], "ServiceNetwork");
    assert!(!mesh["SecurityGroupIds"].is_null());
    let files = tf(eps);
    assert!(file(&files, "versions.tf").contains(">= 5.85.0, != 6.28.0"));
    let r = plan_of(eps);
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("db: the resource configuration must be"))
    );
    assert!(
        r.notes
            .iter()
            .any(|n| n.starts_with("mesh: the service network") && n.contains("/28"))
    );
}

#[test]
fn services_lists_what_is_reachable_across_regions() {
    let (code, stdout, _) = run_in(&root(), &["services", "--cross-region", "--format", "json"]);
    assert_eq!(code, 0);
    let list: Vec<Value> = serde_json::from_str(&stdout).unwrap();
    let keys: Vec<&str> = list.iter().map(|s| s["key"].as_str().unwrap()).collect();
    assert_eq!(
        keys,
        [
            "ecr.api",
            "ecr.dkr",
            "ecs",
            "iam",
            "kinesis-firehose",
            "kinesisanalytics",
            "kinesisanalytics-fips",
            "kms",
            "kms-fips",
            "lambda",
            "route53",
            "s3"
        ]
    );
    assert!(list.iter().all(|s| s["cross_region"] == true));
}
