//! `vpcgen schema`: the JSON Schema editors use for completion and checking. Every example spec
//! validates against it, and specs with shape mistakes are rejected by it, as vpcgen rejects them.

use crate::common::*;
use serde_json::Value;

fn schema() -> Value {
    let (code, stdout, stderr) = run_in(&root(), &["schema"]);
    assert_eq!(code, 0, "{stderr}");
    let printed: Value = serde_json::from_str(&stdout).expect("`vpcgen schema` prints JSON");
    assert_eq!(printed, vpcgen::spec::json_schema());
    printed
}

fn validator() -> jsonschema::Validator {
    jsonschema::validator_for(&schema()).expect("the schema is a valid JSON Schema")
}

fn yaml(text: &str) -> Value {
    serde_yaml::from_str(text).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

/// Problems the schema finds, as `path: message` lines.
fn problems(v: &jsonschema::Validator, instance: &Value) -> Vec<String> {
    v.iter_errors(instance)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn every_example_spec_validates() {
    let v = validator();
    let specs = example_specs();
    assert!(!specs.is_empty());
    for spec in specs {
        let text = std::fs::read_to_string(root().join(&spec)).unwrap();
        let found = problems(&v, &yaml(&text));
        assert!(found.is_empty(), "{spec}:\n{}", found.join("\n"));
    }
}

const GOOD: &str = "name: shape-check
region: us-east-1
vpc:
  cidr: 10.0.0.0/16
  subnets:
    - { id: subnet-0aaa1111bbbb2222c, az: us-east-1a }
  route_tables: [rtb-0111aaaa2222bbbb3]
endpoints:
  - s3
  - service: logs
    type: interface
    private_dns: true
  - preset: ssm
policy: full-access
tags: { team: payments, cost-centre: 1234 }
";

#[test]
fn the_schema_accepts_what_vpcgen_accepts() {
    let v = validator();
    assert_eq!(problems(&v, &yaml(GOOD)), Vec::<String>::new());
    // And vpcgen itself takes it, so the baseline the rejections start from is sound.
    vpcgen::model::load(&vpcgen::source::SpecFile::new("good.yaml", GOOD)).unwrap();
}

#[test]
fn the_schema_rejects_shape_mistakes() {
    let v = validator();
    let cases = [
        (
            "unknown top-level key",
            GOOD.replace("endpoints:", "endpoint:"),
        ),
        ("missing name", GOOD.replace("name: shape-check\n", "")),
        ("invalid name", GOOD.replace("shape-check", "Shape_Check")),
        (
            "unknown Region",
            GOOD.replace("region: us-east-1", "region: us-east-7"),
        ),
        ("unknown service", GOOD.replace("  - s3\n", "  - ecr-api\n")),
        (
            "unknown preset",
            GOOD.replace("preset: ssm", "preset: ssm-agent"),
        ),
        ("type typo", GOOD.replace("type: interface", "type: gatway")),
        (
            "private_dns not a boolean",
            GOOD.replace("private_dns: true", "private_dns: maybe"),
        ),
        (
            "unknown policy preset",
            GOOD.replace("policy: full-access", "policy: org-onyl"),
        ),
        (
            "endpoints as a mapping",
            GOOD.replace("  - s3\n", "  s3:\n").replace(
                "  - service: logs\n    type: interface\n    private_dns: true\n  - preset: ssm\n",
                "",
            ),
        ),
        (
            "nested tag value",
            GOOD.replace("team: payments", "team: { name: payments }"),
        ),
        (
            "unknown subnet key",
            GOOD.replace("az: us-east-1a", "zone: us-east-1a"),
        ),
        ("nat typo", GOOD.replace("vpc:\n", "vpc:\n  nat: per_az\n")),
        ("too many AZs", GOOD.replace("vpc:\n", "vpc:\n  azs: 9\n")),
        (
            "IP address type typo",
            GOOD.replace("endpoints:", "ip_address_type: dual\nendpoints:"),
        ),
        (
            "DNS record type typo",
            GOOD.replace("private_dns: true", "dns_record_ip_type: servicedefined"),
        ),
        (
            "unknown service Region",
            GOOD.replace("private_dns: true", "service_region: us-west-9"),
        ),
        (
            "a port out of range",
            GOOD.replace("private_dns: true", "ports: [70000]"),
        ),
        (
            "a route without its AZ",
            GOOD.replace(
                "private_dns: true",
                "routes: [{ route_table: rtb-0a1b2c3d4e5f60718, destination: 0.0.0.0/0 }]",
            ),
        ),
    ];
    for (what, text) in cases {
        assert_ne!(text, GOOD, "{what}: the case changes nothing");
        let instance = yaml(&text);
        assert!(!v.is_valid(&instance), "{what}: the schema accepts\n{text}");
        // vpcgen rejects each of them too: the schema is no stricter than the tool.
        let file = vpcgen::source::SpecFile::new("bad.yaml", text.clone());
        assert!(
            vpcgen::model::load(&file).is_err(),
            "{what}: vpcgen accepts\n{text}"
        );
    }
}
