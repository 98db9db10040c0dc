//! `vpcgen plan` and `vpcgen diagram`: snapshots for every example, the cost arithmetic on a
//! known spec, the Mermaid structure, DOT rendered by Graphviz where installed, and the committed
//! `examples/*/diagram.md` kept current.

use std::collections::BTreeSet;

use crate::common::*;
use vpcgen::source::SpecFile;
use vpcgen::views::{cost, diagram, report};
use vpcgen::{model, plan};

fn plan_of(rel: &str) -> plan::Plan {
    plan::build(&model::load(&spec_file(rel)).unwrap())
}

fn stem(rel: &str) -> &str {
    rel.trim_start_matches("specs/").trim_end_matches(".yaml")
}

#[test]
fn plan_snapshots() {
    each(example_specs(), |spec| {
        let r = report::build(&plan_of(spec));
        insta::assert_snapshot!(format!("plan_table_{}", stem(spec)), report::table(&r));
        insta::assert_json_snapshot!(format!("plan_json_{}", stem(spec)), r);
    });
}

#[test]
fn diagram_snapshots() {
    each(example_specs(), |spec| {
        let p = plan_of(spec);
        insta::assert_snapshot!(
            format!("diagram_mermaid_{}", stem(spec)),
            diagram::mermaid(&p)
        );
        insta::assert_snapshot!(format!("diagram_dot_{}", stem(spec)), diagram::dot(&p));
    });
}

#[test]
fn committed_diagrams_are_current() {
    for spec in example_specs() {
        let p = plan_of(&spec);
        let path = root().join("examples").join(&p.name).join("diagram.md");
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        assert_eq!(
            committed,
            diagram::markdown(&p),
            "{} is stale: run `vpcgen diagram {spec} --format markdown > examples/{}/diagram.md`",
            path.display(),
            p.name
        );
    }
}

/// A typical VPC: 3 AZs, 2 gateway and 12 interface endpoints.
const TYPICAL: &str = "name: typical
region: us-east-1
vpc:
  create: true
  cidr: 10.0.0.0/16
  azs: 3
endpoints: [s3, dynamodb, ecr.api, ecr.dkr, logs, ssm, ssmmessages, ec2messages, kms, sts, secretsmanager, sqs, sns, monitoring]
traffic_gb_per_month: 1400
";

#[test]
fn cost_of_a_typical_vpc() {
    let p = plan::build(&model::load(&SpecFile::new("t.yaml", TYPICAL)).unwrap());
    let e = cost::estimate(&p);
    // 12 interface endpoints x 3 AZs x 730 h x $0.01.
    let hourly: f64 = e.endpoints.iter().map(|c| c.hourly_usd).sum();
    assert!((hourly - 262.80).abs() < 0.01, "{hourly}");
    assert!(
        e.endpoints
            .iter()
            .filter(|c| c.r#type == "gateway")
            .all(|c| c.total_usd == 0.0)
    );
    // 1400 GB shared by 14 endpoints: 100 GB each; 1200 GB through interface endpoints at $0.01.
    assert!(
        (e.total_usd - (262.80 + 12.0)).abs() < 0.01,
        "{}",
        e.total_usd
    );
    // Through 3 NAT gateways: 3 x 730 h x $0.045 + 1400 GB x $0.045.
    assert!(
        (e.nat_total_usd - (98.55 + 63.0)).abs() < 0.01,
        "{}",
        e.nat_total_usd
    );
    assert!((e.saving_usd - (e.nat_total_usd - e.total_usd)).abs() < 0.01);
}

#[test]
fn plan_command_prints_table_and_json() {
    let (code, out, _) = run_in(&root(), &["plan", "specs/ecs-fargate.yaml"]);
    assert_eq!(code, 0);
    assert!(out.contains("estimated cost: $"), "{out}");
    assert!(out.contains("NAT gateway"), "{out}");
    let (code, out, _) = run_in(
        &root(),
        &["plan", "specs/ecs-fargate.yaml", "--format", "json"],
    );
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["plan_version"], 1);
    assert_eq!(v["endpoints"][0]["key"], "ecr.api");
}

/// Mermaid structure: a flowchart header, balanced subgraphs, and edges between declared nodes.
fn check_mermaid(text: &str) {
    let mut lines = text.lines();
    assert_eq!(lines.next(), Some("flowchart LR"));
    let mut depth = 0i32;
    let mut nodes = BTreeSet::new();
    let mut edges = Vec::new();
    for line in lines {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("subgraph ") {
            depth += 1;
            nodes.insert(rest.split('[').next().unwrap().to_owned());
        } else if t == "end" {
            depth -= 1;
            assert!(depth >= 0, "unbalanced `end`");
        } else if let Some((a, b)) = t
            .split_once(" --> ")
            .or_else(|| t.split_once(" --- "))
            .or_else(|| t.split_once(" -.- "))
        {
            edges.push((a.to_owned(), b.to_owned()));
        } else {
            let node: String = t
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            assert!(!node.is_empty(), "unexpected line {t:?}");
            let shape = &t[node.len()..];
            assert!(
                shape.starts_with(['[', '(', '{']) && shape.contains('"'),
                "bad node {t:?}"
            );
            assert_eq!(shape.matches('"').count(), 2, "quotes in label: {t:?}");
            nodes.insert(node);
        }
    }
    assert_eq!(depth, 0, "unbalanced subgraphs");
    for (a, b) in edges {
        assert!(
            nodes.contains(&a) && nodes.contains(&b),
            "edge {a} -> {b} names an undeclared node"
        );
    }
}

#[test]
fn mermaid_is_well_formed() {
    for spec in example_specs() {
        check_mermaid(&diagram::mermaid(&plan_of(&spec)));
    }
}

#[test]
fn dot_renders_with_graphviz() {
    if std::process::Command::new("dot")
        .arg("-V")
        .output()
        .is_err()
    {
        // .ci/run installs Graphviz, so CI always renders; a machine without it skips.
        eprintln!("dot not installed: skipping the render check");
        return;
    }
    for spec in example_specs() {
        let mut child = std::process::Command::new("dot")
            .arg("-Tsvg")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child
            .stdin
            .take()
            .unwrap()
            .write_all(diagram::dot(&plan_of(&spec)).as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{spec}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            String::from_utf8_lossy(&out.stdout).contains("<svg"),
            "{spec}"
        );
    }
}
