//! `vpcgen diagram`: the VPC at a glance. AZs with their subnets and the interface endpoints in
//! them, route tables with the gateway endpoints on them, and the endpoint security group, as
//! Mermaid (renders on code hosting pages) or Graphviz DOT.

use crate::aws::EndpointType;
use crate::plan::{NetworkPlan, Plan};

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
                e.service_name.to_string(),
                e.route_tables.items.to_vec(),
            )
        })
        .collect();
    let security_group = plan.security_group.as_ref().map(|sg| {
        let mut ports: Vec<String> = sg.rules.iter().map(|r| r.from_port.to_string()).collect();
        ports.dedup();
        let mut sources: Vec<String> = sg.rules.iter().map(|r| r.source.short()).collect();
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

#[derive(Clone, Copy)]
enum Shape {
    Box,
    Component,
    Hexagon,
    Oval,
}

#[derive(Clone, Copy)]
enum Link {
    Arrow,
    Line,
    Dashed,
}

/// The two diagram languages differ only in how they spell groups, nodes and edges.
trait Syntax {
    fn header(&self) -> &'static str;
    fn footer(&self) -> &'static str;
    /// How a label breaks a line.
    fn line_break(&self) -> &'static str;
    fn open_group(&self, pad: &str, id: &str, label: &str) -> String;
    fn close_group(&self, pad: &str) -> String;
    fn node(&self, pad: &str, id: &str, shape: Shape, label: &str) -> String;
    fn edge(&self, pad: &str, from: &str, to: &str, link: Link) -> String;
}

struct Mermaid;

impl Syntax for Mermaid {
    fn header(&self) -> &'static str {
        "flowchart LR\n"
    }
    fn footer(&self) -> &'static str {
        ""
    }
    fn line_break(&self) -> &'static str {
        "<br/>"
    }
    fn open_group(&self, pad: &str, id: &str, label: &str) -> String {
        format!("{pad}subgraph {id}[\"{label}\"]\n")
    }
    fn close_group(&self, pad: &str) -> String {
        format!("{pad}end\n")
    }
    fn node(&self, pad: &str, id: &str, shape: Shape, label: &str) -> String {
        let (open, close) = match shape {
            Shape::Box => ("[", "]"),
            Shape::Component => ("[[", "]]"),
            Shape::Hexagon => ("{{", "}}"),
            Shape::Oval => ("([", "])"),
        };
        format!("{pad}{id}{open}\"{label}\"{close}\n")
    }
    fn edge(&self, pad: &str, from: &str, to: &str, link: Link) -> String {
        let arrow = match link {
            Link::Arrow => "-->",
            Link::Line => "---",
            Link::Dashed => "-.-",
        };
        format!("{pad}{from} {arrow} {to}\n")
    }
}

struct Dot;

impl Syntax for Dot {
    fn header(&self) -> &'static str {
        "digraph vpc {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\"];\n"
    }
    fn footer(&self) -> &'static str {
        "}\n"
    }
    fn line_break(&self) -> &'static str {
        "\\n"
    }
    fn open_group(&self, pad: &str, id: &str, label: &str) -> String {
        format!("{pad}subgraph cluster_{id} {{\n{pad}  label=\"{label}\";\n")
    }
    fn close_group(&self, pad: &str) -> String {
        format!("{pad}}}\n")
    }
    fn node(&self, pad: &str, id: &str, shape: Shape, label: &str) -> String {
        let shape = match shape {
            Shape::Box => "",
            Shape::Component => "shape=component, ",
            Shape::Hexagon => "shape=hexagon, ",
            Shape::Oval => "shape=oval, ",
        };
        format!("{pad}{id} [{shape}label=\"{label}\"];\n")
    }
    fn edge(&self, pad: &str, from: &str, to: &str, link: Link) -> String {
        let style = match link {
            Link::Arrow => "",
            Link::Line => " [dir=none]",
            Link::Dashed => " [style=dashed, dir=none]",
        };
        format!("{pad}{from} -> {to}{style};\n")
    }
}

fn draw(plan: &Plan, syntax: &dyn Syntax) -> String {
    let v = view(plan);
    let mut out = String::from(syntax.header());
    out += &syntax.open_group("  ", "vpc", &label(&v.title));
    for az in &v.azs {
        let (subnet, eni) = (id("subnet", &az.name), id("eni", &az.name));
        out += &syntax.open_group("    ", &id("az", &az.name), &label(&az.name));
        out += &syntax.node(
            "      ",
            &subnet,
            Shape::Box,
            &format!("subnet {}", label(&az.subnet)),
        );
        if !az.interfaces.is_empty() {
            let text = format!("interface endpoints: {}", label(&az.interfaces.join(", ")));
            out += &syntax.node("      ", &eni, Shape::Component, &text);
            out += &syntax.edge("      ", &subnet, &eni, Link::Line);
        }
        out += &syntax.close_group("    ");
    }
    for (rt, text) in &v.route_tables {
        out += &syntax.node("    ", &id("rt", rt), Shape::Box, &label(text));
    }
    if let Some(sg) = &v.security_group {
        out += &syntax.node("    ", "sg", Shape::Hexagon, &label(sg));
    }
    out += &syntax.close_group("  ");
    for (key, name, rts) in &v.gateways {
        let text = format!(
            "{key} gateway endpoint{}{}",
            syntax.line_break(),
            label(name)
        );
        out += &syntax.node("  ", &id("gw", key), Shape::Oval, &text);
        for rt in rts {
            out += &syntax.edge("  ", &id("rt", rt), &id("gw", key), Link::Arrow);
        }
    }
    if v.security_group.is_some() {
        for az in v.azs.iter().filter(|a| !a.interfaces.is_empty()) {
            out += &syntax.edge("  ", "sg", &id("eni", &az.name), Link::Dashed);
        }
    }
    out.push_str(syntax.footer());
    out
}

pub fn mermaid(plan: &Plan) -> String {
    draw(plan, &Mermaid)
}

pub fn dot(plan: &Plan) -> String {
    draw(plan, &Dot)
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
