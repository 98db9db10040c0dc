//! The endpoint rules of DESIGN §4, each asserted on the generated code of a small spec: type
//! choice, S3/DynamoDB private DNS with and without the gateway, attachments, policies only where
//! accepted, and names that follow service keys.

use crate::common::*;
use serde_json::Value;
use vpcgen::render::Target;

const VPC: &str = "name: r
region: us-east-1
vpc:
  id: vpc-0a1b2c3d4e5f60718
  cidr: 10.0.0.0/16
  subnets:
    - { id: subnet-0a1b2c3d4e5f60718, az: us-east-1a }
    - { id: subnet-0b1b2c3d4e5f60718, az: us-east-1b }
  route_tables: [rtb-0a1b2c3d4e5f60718, rtb-0b1b2c3d4e5f60718]
";

fn cfn(endpoints: &str) -> Value {
    parse_cfn(&render_text(
        &format!("{VPC}endpoints:\n{endpoints}"),
        Target::CloudFormation,
    ))
}

fn tf(endpoints: &str) -> String {
    let files = render_text(&format!("{VPC}endpoints:\n{endpoints}"), Target::Terraform);
    parse_tf(&files);
    file(&files, "main.tf").to_owned()
}

#[test]
fn s3_and_dynamodb_are_gateways_unless_asked() {
    let t = cfn("  - s3\n  - dynamodb\n  - { service: s3, type: interface }\n  - sqs\n");
    let r = &t["Resources"];
    assert_eq!(r["S3Endpoint"]["Properties"]["VpcEndpointType"], "Gateway");
    assert_eq!(
        r["DynamodbEndpoint"]["Properties"]["VpcEndpointType"],
        "Gateway"
    );
    assert_eq!(
        r["S3InterfaceEndpoint"]["Properties"]["VpcEndpointType"],
        "Interface"
    );
    assert_eq!(
        r["SqsEndpoint"]["Properties"]["VpcEndpointType"],
        "Interface"
    );
}

#[test]
fn s3_interface_private_dns_depends_on_the_gateway() {
    let with_gateway = cfn("  - s3\n  - { service: s3, type: interface }\n");
    let ep = &with_gateway["Resources"]["S3InterfaceEndpoint"];
    assert_eq!(ep["Properties"]["PrivateDnsEnabled"], true);
    assert_eq!(
        ep["Properties"]["DnsOptions"]["PrivateDnsOnlyForInboundResolverEndpoint"],
        "OnlyInboundResolver"
    );
    assert_eq!(ep["DependsOn"], "S3Endpoint");
    let main = tf("  - s3\n  - { service: s3, type: interface }\n");
    assert!(
        main.contains("private_dns_only_for_inbound_resolver_endpoint = true"),
        "{main}"
    );
    assert!(
        main.contains("depends_on = [aws_vpc_endpoint.s3]"),
        "{main}"
    );

    let alone = cfn("  - { service: s3, type: interface }\n");
    let ep = &alone["Resources"]["S3InterfaceEndpoint"];
    assert_eq!(
        ep["Properties"]["DnsOptions"]["PrivateDnsOnlyForInboundResolverEndpoint"],
        "AllResolvers"
    );
    assert!(ep["DependsOn"].is_null());
    let main = tf("  - { service: s3, type: interface }\n");
    assert!(
        main.contains("private_dns_only_for_inbound_resolver_endpoint = false"),
        "{main}"
    );
    assert!(!main.contains("depends_on"), "{main}");

    // Without private DNS there is nothing to resolve, so no DNS options at all.
    let off = cfn("  - { service: s3, type: interface, private_dns: false }\n");
    assert!(off["Resources"]["S3InterfaceEndpoint"]["Properties"]["DnsOptions"].is_null());
}

#[test]
fn private_dns_is_explicit_and_on_by_default() {
    let t =
        cfn("  - sqs\n  - { service: execute-api, private_dns: false }\n  - dynamodb-streams\n");
    let r = &t["Resources"];
    assert_eq!(r["SqsEndpoint"]["Properties"]["PrivateDnsEnabled"], true);
    assert_eq!(
        r["ExecuteApiEndpoint"]["Properties"]["PrivateDnsEnabled"],
        false
    );
    // DynamoDB Streams endpoints do not support private DNS.
    assert_eq!(
        r["DynamodbStreamsEndpoint"]["Properties"]["PrivateDnsEnabled"],
        false
    );
}

#[test]
fn gateway_associations_are_keyed_by_route_table() {
    let main = tf("  - s3\n  - { service: dynamodb, route_tables: [rtb-0b1b2c3d4e5f60718] }\n");
    assert!(
        main.contains("for_each = toset(var.route_table_ids)"),
        "{main}"
    );
    assert!(
        main.contains("for_each = toset([\"rtb-0b1b2c3d4e5f60718\"])"),
        "{main}"
    );
    assert!(main.contains("route_table_id  = each.key"), "{main}");
    let t = cfn("  - { service: dynamodb, route_tables: [rtb-0b1b2c3d4e5f60718] }\n");
    assert_eq!(
        t["Resources"]["DynamodbEndpoint"]["Properties"]["RouteTableIds"],
        serde_json::json!(["rtb-0b1b2c3d4e5f60718"])
    );
}

#[test]
fn interface_subnet_subsets_are_literal() {
    let t = cfn("  - { service: sqs, subnets: [subnet-0b1b2c3d4e5f60718] }\n  - sns\n");
    let r = &t["Resources"];
    assert_eq!(
        r["SqsEndpoint"]["Properties"]["SubnetIds"],
        serde_json::json!(["subnet-0b1b2c3d4e5f60718"])
    );
    assert_eq!(
        r["SnsEndpoint"]["Properties"]["SubnetIds"],
        serde_json::json!({"Ref": "SubnetIds"})
    );
}

#[test]
fn policies_only_where_accepted_and_always_explicit() {
    let t = cfn("  - sqs\n  - cloudtrail\n  - s3\n");
    let r = &t["Resources"];
    assert_eq!(
        r["SqsEndpoint"]["Properties"]["PolicyDocument"]["Statement"][0]["Sid"],
        "AllowAll"
    );
    assert_eq!(
        r["S3Endpoint"]["Properties"]["PolicyDocument"]["Statement"][0]["Action"],
        "*"
    );
    assert!(r["CloudtrailEndpoint"]["Properties"]["PolicyDocument"].is_null());
    let main = tf("  - sqs\n  - cloudtrail\n");
    let cloudtrail = main
        .split("resource \"aws_vpc_endpoint\" \"cloudtrail\"")
        .nth(1)
        .unwrap()
        .split("\n}\n")
        .next()
        .unwrap();
    assert!(!cloudtrail.contains("policy"), "{cloudtrail}");
}

#[test]
fn names_follow_service_keys_so_adding_one_renames_none() {
    let before = cfn("  - ecr.api\n  - logs\n");
    let after = cfn("  - ecr.api\n  - ecr.dkr\n  - logs\n");
    let ids = |t: &Value| {
        t["Resources"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    let (b, a) = (ids(&before), ids(&after));
    assert!(b.iter().all(|id| a.contains(id)), "{b:?} -> {a:?}");
    assert!(a.contains(&"EcrDkrEndpoint".to_owned()));
    let main = tf("  - ecr.api\n");
    assert!(
        main.contains("resource \"aws_vpc_endpoint\" \"ecr_api\""),
        "{main}"
    );
}

#[test]
fn strings_from_the_spec_are_escaped_for_each_target() {
    let text = format!("{VPC}endpoints: [sqs]\ntags:\n  note: 'say \"hi\" ${{x}} %{{y}} \\ end'\n");
    let main = file(&render_text(&text, Target::Terraform), "main.tf").to_owned();
    assert!(
        main.contains(r#""note"      = "say \"hi\" $${x} %%{y} \\ end""#),
        "{main}"
    );
    let t = parse_cfn(&render_text(&text, Target::CloudFormation));
    let tags = t["Resources"]["SqsEndpoint"]["Properties"]["Tags"]
        .as_array()
        .unwrap();
    assert!(
        tags.iter()
            .any(|tag| tag["Key"] == "note" && tag["Value"] == "say \"hi\" ${x} %{y} \\ end")
    );
}

#[test]
fn tags_vpcgen_sets_itself_are_refused() {
    for key in ["Name", "ManagedBy"] {
        let text = format!("{VPC}endpoints: [sqs]\ntags:\n  {key}: mine\n");
        let err = vpcgen::model::load(&vpcgen::source::SpecFile::new("t.yaml", text)).unwrap_err();
        let shown = vpcgen::error::render(&err, false);
        assert!(
            shown.contains(&format!("the `{key}` tag is set by vpcgen")),
            "{shown}"
        );
    }
}
