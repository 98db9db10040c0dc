//! The security defaults of the generated code, for every spec and both targets: every security
//! group and rule has a description, no ingress from anywhere (0.0.0.0/0 or ::/0) on any port,
//! no egress from the endpoint security group, the default security group has no rules, and
//! every taggable resource is tagged. checkov covers only part of this (its "from anywhere"
//! checks look at ports 22, 80 and 3389 and miss rules without ports), so it is checked here
//! too, and shown to fail on the deliberately broken templates.

use std::sync::OnceLock;

use crate::common::*;
use serde_json::Value;
use vpcgen::output::OutputFile;
use vpcgen::render::templates::Templates;
use vpcgen::render::{self, RenderOptions, Target};
use vpcgen::{model, plan};

const ANYWHERE: &[&str] = &["0.0.0.0/0", "::/0"];

/// Resource types whose provider schema has a `tags` argument.
fn terraform_taggable(kind: &str) -> bool {
    static SCHEMA: OnceLock<Value> = OnceLock::new();
    let schema = SCHEMA.get_or_init(|| {
        serde_json::from_str(include_str!("../data/aws-provider-schema.json")).unwrap()
    });
    let resource = &schema["resources"][kind];
    assert!(
        resource.is_object(),
        "{kind} is not in tests/data/aws-provider-schema.json"
    );
    resource["arguments"].get("tags").is_some()
}

fn literal(expr: Option<&hcl::Expression>) -> Option<&str> {
    match expr {
        Some(hcl::Expression::String(s)) => Some(s),
        _ => None,
    }
}

/// Every departure from the defaults in rendered Terraform.
fn terraform_violations(files: &[OutputFile]) -> Vec<String> {
    let body = parse_tf(files);
    let mut found = Vec::new();
    for block in body.blocks().filter(|b| b.identifier() == "resource") {
        let (kind, name) = (block.labels()[0].as_str(), block.labels()[1].as_str());
        let r = block.body();
        let at = format!("{kind}.{name}");
        if terraform_taggable(kind) && attr(r, "tags").is_none() {
            found.push(format!("{at}: no tags"));
        }
        let has = |key: &str| attr(r, key).is_some() || r.blocks().any(|b| b.identifier() == key);
        match kind {
            "aws_security_group" | "aws_vpc_security_group_ingress_rule" => {
                if literal(attr(r, "description")).is_none_or(str::is_empty) {
                    found.push(format!("{at}: no description"));
                }
                // Rules are separate resources, so that one changing never replaces the others.
                if has("ingress") || has("egress") {
                    found.push(format!("{at}: inline rules"));
                }
                for key in ["cidr_ipv4", "cidr_ipv6"] {
                    if literal(attr(r, key)).is_some_and(|c| ANYWHERE.contains(&c)) {
                        found.push(format!("{at}: ingress from anywhere"));
                    }
                }
            }
            "aws_default_security_group" if has("ingress") || has("egress") => {
                found.push(format!("{at}: the default security group has rules"));
            }
            "aws_vpc_security_group_egress_rule" | "aws_security_group_rule" => {
                found.push(format!("{at}: egress or legacy rule resource"));
            }
            _ => {}
        }
    }
    found
}

/// CloudFormation types that take `Tags`, and those that do not; every type generated must be
/// in one list, so a new type is a decision rather than an oversight.
const CFN_TAGGABLE: &[&str] = &[
    "AWS::EC2::VPC",
    "AWS::EC2::Subnet",
    "AWS::EC2::RouteTable",
    "AWS::EC2::InternetGateway",
    "AWS::EC2::EIP",
    "AWS::EC2::NatGateway",
    "AWS::EC2::SecurityGroup",
    "AWS::EC2::VPCEndpoint",
    "AWS::EC2::EgressOnlyInternetGateway",
    "AWS::Route53::HostedZone",
    "AWS::Route53Profiles::Profile",
    "AWS::Route53Profiles::ProfileAssociation",
];
const CFN_UNTAGGABLE: &[&str] = &[
    "AWS::Route53::RecordSetGroup",
    "AWS::Route53Profiles::ProfileResourceAssociation",
    "AWS::EC2::SubnetRouteTableAssociation",
    "AWS::EC2::VPCGatewayAttachment",
    "AWS::EC2::Route",
    "AWS::EC2::SecurityGroupIngress",
    "AWS::EC2::VPCCidrBlock",
];

/// The egress rule that stands in for none: CloudFormation adds allow-all egress to a group
/// that lists no egress rule, so the template lists one that reaches only loopback.
fn is_no_egress(rule: &Value) -> bool {
    rule["IpProtocol"] == "-1" && rule["CidrIp"] == "127.0.0.1/32"
}

fn cloudformation_violations(template: &Value) -> Vec<String> {
    let mut found = Vec::new();
    for (id, r) in template["Resources"].as_object().expect("Resources") {
        let kind = r["Type"].as_str().unwrap();
        let p = &r["Properties"];
        if CFN_TAGGABLE.contains(&kind) {
            let tags = if kind == "AWS::Route53::HostedZone" {
                "HostedZoneTags"
            } else {
                "Tags"
            };
            if p[tags].as_array().is_none_or(Vec::is_empty) {
                found.push(format!("{id}: no tags"));
            }
        } else if !CFN_UNTAGGABLE.contains(&kind) {
            found.push(format!("{id}: {kind} is in neither tag list of this test"));
        }
        let ingress: Vec<&Value> = match kind {
            "AWS::EC2::SecurityGroup" => {
                if p["GroupDescription"].as_str().is_none_or(str::is_empty) {
                    found.push(format!("{id}: no description"));
                }
                let egress = p["SecurityGroupEgress"].as_array();
                if !egress.is_some_and(|e| e.len() == 1 && is_no_egress(&e[0])) {
                    found.push(format!("{id}: egress other than none"));
                }
                p["SecurityGroupIngress"]
                    .as_array()
                    .map(|rules| rules.iter().collect())
                    .unwrap_or_default()
            }
            "AWS::EC2::SecurityGroupIngress" => vec![p],
            _ => vec![],
        };
        for rule in ingress {
            if rule["Description"].as_str().is_none_or(str::is_empty) {
                found.push(format!("{id}: ingress rule without a description"));
            }
            for key in ["CidrIp", "CidrIpv6"] {
                if rule[key].as_str().is_some_and(|c| ANYWHERE.contains(&c)) {
                    found.push(format!("{id}: ingress from anywhere"));
                }
            }
        }
    }
    found
}

#[test]
fn every_spec_keeps_the_security_defaults() {
    for spec in example_specs() {
        let tf = terraform_violations(&render_spec(&spec, Target::Terraform));
        assert!(tf.is_empty(), "{spec} terraform: {tf:#?}");
        let cfn =
            cloudformation_violations(&parse_cfn(&render_spec(&spec, Target::CloudFormation)));
        assert!(cfn.is_empty(), "{spec} cloudformation: {cfn:#?}");
    }
}

fn render_broken(target: Target) -> Vec<OutputFile> {
    let templates = Templates::load(Some(&root().join("tests/broken-templates"))).unwrap();
    let vpc = model::load(&spec_file("specs/ecs-fargate.yaml")).unwrap();
    let options = RenderOptions {
        cfn_json: false,
        regenerate: "vpcgen generate specs/ecs-fargate.yaml".to_owned(),
    };
    render::render(&plan::build(&vpc), target, &options, &templates).unwrap()
}

#[test]
fn the_checks_fail_on_the_broken_templates() {
    // The broken templates add SSH from anywhere, and the Terraform rule's tags are misspelt.
    assert_eq!(
        terraform_violations(&render_broken(Target::Terraform)),
        [
            "aws_vpc_security_group_ingress_rule.broken_open_to_the_world: no tags",
            "aws_vpc_security_group_ingress_rule.broken_open_to_the_world: ingress from anywhere",
        ]
    );
    assert_eq!(
        cloudformation_violations(&parse_cfn(&render_broken(Target::CloudFormation))),
        ["BrokenOpenToTheWorld: ingress from anywhere"]
    );
}
