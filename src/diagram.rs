//! `vpcgen diagram`: the VPC at a glance. AZs with their subnets and the interface endpoints in
//! them, route tables with the gateway endpoints on them, and the endpoint security group, as
//! Mermaid (renders on code hosting pages) or Graphviz DOT.

use std::fmt::Write as _;

use crate::catalog::EndpointType;
use crate::plan::{NetworkPlan, Plan, Source};

/// A node id safe in both Mermaid and DOT.
fn id(prefix: &str, text: &str) -> String {
    let body: String = text
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    format!("{prefix}_{body}")
}

/// Label text safe inside a double-quoted Mermaid or DOT label.
fn label(text: &str) -> String {
    text.replace(['"', '\\', '<', '>', '{', '}', '[', ']', '|'], "'")
        .replace('\n', " ")
}

struct Az {
    name: String,
    subnet: String,
    interfaces: Vec<String>,
}

struct View {
    title: String,
    azs: Vec<Az>,
    route_tables: Vec<(String, String)>,
    gateways: Vec<(String, String, Vec<String>)>,
    security_group: Option<String>,
}

fn view(plan: &Plan) -> View {
    let interfaces: Vec<_> = plan
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointType::Interface)
        .collect();
    let (cidr, azs, route_tables) = match &plan.network {
        NetworkPlan::Existing {
            cidr,
            subnets,
            route_tables,
            ..
        } => {
            let mut azs: Vec<Az> = subnets
                .iter()
                .map(|s| Az {
                    name: s.az.clone(),
                    subnet: s.id.clone(),
                    interfaces: interfaces
                        .iter()
                        .filter(|e| e.azs.contains(&s.az))
                        .map(|e| e.key.to_owned())
                        .collect(),
                })
                .collect();
            azs.sort_by(|a, b| a.name.cmp(&b.name));
            let rts = route_tables
                .iter()
                .map(|r| (r.clone(), format!("route table {r}")))
                .collect();
            (cidr.to_string(), azs, rts)
        }
        NetworkPlan::New(v) => {
            let azs = v
                .azs
                .iter()
                .map(|a| Az {
                    name: a.name.clone(),
                    subnet: format!("private {}", a.private_cidr),
                    interfaces: interfaces.iter().map(|e| e.key.to_owned()).collect(),
                })
                .collect();
            let mut rts: Vec<(String, String)> = v
                .azs
                .iter()
                .map(|a| {
                    (
                        format!("private-{}", a.name),
                        format!("private route table {}", a.name),
                    )
                })
                .collect();
            if v.public {
                rts.push(("public".to_owned(), "public route table".to_owned()));
            }
            (v.cidr.to_string(), azs, rts)
        }
    };
    let gateways = plan
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointType::Gateway)
        .map(|e| {
            (
                e.key.to_owned(),
                e.service_name.clone(),
                e.route_tables.items.clone(),
            )
        })
        .collect();
    let security_group = plan.security_group.as_ref().map(|sg| {
        let mut ports: Vec<String> = sg.rules.iter().map(|r| r.from_port.to_string()).collect();
        ports.dedup();
        let mut sources: Vec<String> = sg
            .rules
            .iter()
            .map(|r| match &r.source {
                Source::VpcCidr => "VPC CIDR".to_owned(),
                Source::Cidr(c) => c.to_string(),
                Source::SecurityGroup(g) => g.clone(),
            })
            .collect();
        sources.sort();
        sources.dedup();
        format!(
            "security group {}: TCP {} from {}",
            sg.name,
            ports.join(","),
            sources.join(", ")
        )
    });
    View {
        title: format!("VPC {} {} ({})", plan.name, cidr, plan.region.name),
        azs,
        route_tables,
        gateways,
        security_group,
    }
}

pub fn mermaid(plan: &Plan) -> String {
    let v = view(plan);
    let mut out = String::from("flowchart LR\n");
    writeln!(out, "  subgraph vpc[\"{}\"]", label(&v.title)).unwrap();
    for az in &v.azs {
        let az_id = id("az", &az.name);
        writeln!(out, "    subgraph {az_id}[\"{}\"]", label(&az.name)).unwrap();
        writeln!(
            out,
            "      {}[\"subnet {}\"]",
            id("subnet", &az.name),
            label(&az.subnet)
        )
        .unwrap();
        if !az.interfaces.is_empty() {
            writeln!(
                out,
                "      {}[[\"interface endpoints: {}\"]]",
                id("eni", &az.name),
                label(&az.interfaces.join(", "))
            )
            .unwrap();
            writeln!(
                out,
                "      {} --- {}",
                id("subnet", &az.name),
                id("eni", &az.name)
            )
            .unwrap();
        }
        out.push_str("    end\n");
    }
    for (rt, text) in &v.route_tables {
        writeln!(out, "    {}[\"{}\"]", id("rt", rt), label(text)).unwrap();
    }
    if let Some(sg) = &v.security_group {
        writeln!(out, "    sg{{{{\"{}\"}}}}", label(sg)).unwrap();
    }
    out.push_str("  end\n");
    for (key, name, rts) in &v.gateways {
        writeln!(
            out,
            "  {}([\"{key} gateway endpoint<br/>{}\"])",
            id("gw", key),
            label(name)
        )
        .unwrap();
        for rt in rts {
            writeln!(out, "  {} --> {}", id("rt", rt), id("gw", key)).unwrap();
        }
    }
    if v.security_group.is_some() {
        for az in v.azs.iter().filter(|a| !a.interfaces.is_empty()) {
            writeln!(out, "  sg -.- {}", id("eni", &az.name)).unwrap();
        }
    }
    out
}

pub fn dot(plan: &Plan) -> String {
    let v = view(plan);
    let mut out =
        String::from("digraph vpc {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n");
    writeln!(
        out,
        "  subgraph cluster_vpc {{\n    label=\"{}\";",
        label(&v.title)
    )
    .unwrap();
    for az in &v.azs {
        writeln!(
            out,
            "    subgraph cluster_{} {{\n      label=\"{}\";",
            id("az", &az.name),
            label(&az.name)
        )
        .unwrap();
        writeln!(
            out,
            "      {} [label=\"subnet {}\"];",
            id("subnet", &az.name),
            label(&az.subnet)
        )
        .unwrap();
        if !az.interfaces.is_empty() {
            writeln!(
                out,
                "      {} [shape=component, label=\"interface endpoints: {}\"];",
                id("eni", &az.name),
                label(&az.interfaces.join(", "))
            )
            .unwrap();
            writeln!(
                out,
                "      {} -> {} [dir=none];",
                id("subnet", &az.name),
                id("eni", &az.name)
            )
            .unwrap();
        }
        out.push_str("    }\n");
    }
    for (rt, text) in &v.route_tables {
        writeln!(out, "    {} [label=\"{}\"];", id("rt", rt), label(text)).unwrap();
    }
    if let Some(sg) = &v.security_group {
        writeln!(out, "    sg [shape=hexagon, label=\"{}\"];", label(sg)).unwrap();
    }
    out.push_str("  }\n");
    for (key, name, rts) in &v.gateways {
        writeln!(
            out,
            "  {} [shape=oval, label=\"{key} gateway endpoint\\n{}\"];",
            id("gw", key),
            label(name)
        )
        .unwrap();
        for rt in rts {
            writeln!(out, "  {} -> {};", id("rt", rt), id("gw", key)).unwrap();
        }
    }
    if v.security_group.is_some() {
        for az in v.azs.iter().filter(|a| !a.interfaces.is_empty()) {
            writeln!(
                out,
                "  sg -> {} [style=dashed, dir=none];",
                id("eni", &az.name)
            )
            .unwrap();
        }
    }
    out.push_str("}\n");
    out
}

/// The Markdown page committed beside each example: a title and the Mermaid diagram.
pub fn markdown(plan: &Plan) -> String {
    format!(
        "# {}\n\nGenerated by `vpcgen diagram {} --format markdown`; do not edit.\n\n```mermaid\n{}```\n",
        plan.name,
        plan.spec_path,
        mermaid(plan)
    )
}
