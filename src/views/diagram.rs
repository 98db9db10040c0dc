//! `vpcgen diagram`: the VPC at a glance. AZs with their subnets and the interface (and VPC
//! Lattice) endpoints in them, Gateway Load Balancer endpoints with the routes that lead to
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
    /// Whether `interfaces` holds VPC Lattice endpoints too (the label says endpoints).
    mixed: bool,
    /// Gateway Load Balancer endpoints in this AZ's subnet: their keys.
    inspection: Vec<String>,
}

struct View {
    title: String,
    azs: Vec<Az>,
    route_tables: Vec<(String, String)>,
    gateways: Vec<(String, String, Vec<String>)>,
    /// Routes to Gateway Load Balancer endpoints: route table, destination, endpoint key, AZ.
    routes: Vec<(String, String, String, String)>,
    security_group: Option<String>,
    /// A hub's spokes (id stem, label) and what answers the endpoints' names for them.
    spokes: Vec<(String, String)>,
    hub_dns: Option<String>,
}

fn view(plan: &Plan) -> View {
    let interfaces: Vec<_> = plan
        .endpoints
        .iter()
        .filter(|e| e.kind.has_security_group())
        .collect();
    let mixed = interfaces.iter().any(|e| e.kind != EndpointType::Interface);
    let inspection: Vec<_> = plan
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointType::GatewayLoadBalancer)
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
                        .filter(|e| e.subnets.items.contains(&s.id))
                        .map(|e| e.key.to_string())
                        .collect(),
                    mixed,
                    inspection: inspection
                        .iter()
                        .filter(|e| e.placements.iter().any(|p| p.subnet == s.id))
                        .map(|e| e.key.to_string())
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
                    interfaces: interfaces.iter().map(|e| e.key.to_string()).collect(),
                    mixed,
                    inspection: Vec::new(),
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
                e.key.to_string(),
                e.service_name.to_string(),
                e.route_tables.items.to_vec(),
            )
        })
        .collect();
    let routes = inspection
        .iter()
        .flat_map(|e| {
            e.routes.iter().map(|r| {
                (
                    r.route_table.clone(),
                    r.destination.clone(),
                    e.key.to_string(),
                    r.az.clone(),
                )
            })
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
    let spokes = plan.hub.as_ref().map_or_else(Vec::new, |h| {
        h.spokes
            .iter()
            .map(|s| {
                let account = s
                    .account
                    .as_ref()
                    .map(|a| format!(", account {a}"))
                    .unwrap_or_default();
                (
                    s.name.clone(),
                    format!("spoke {} {} ({}{account})", s.name, s.cidr, s.vpc_id),
                )
            })
            .collect()
    });
    let hub_dns = plan.hub.as_ref().map(|h| {
        if h.dns == crate::model::HubDns::HostedZones {
            format!(
                "{} private hosted zones answer for the hub and the spokes",
                h.zones.len()
            )
        } else {
            format!(
                "Route 53 Profile: the private DNS of {} endpoints, for the spokes",
                h.profile_endpoints.len()
            )
        }
    });
    View {
        title: format!("VPC {} {} ({})", plan.name, cidr, plan.region.name),
        azs,
        route_tables,
        gateways,
        routes,
        security_group,
        spokes,
        hub_dns,
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
            let what = if az.mixed {
                "endpoints"
            } else {
                "interface endpoints"
            };
            let text = format!("{what}: {}", label(&az.interfaces.join(", ")));
            out += &syntax.node("      ", &eni, Shape::Component, &text);
            out += &syntax.edge("      ", &subnet, &eni, Link::Line);
        }
        for key in &az.inspection {
            let node = id("gwlbe", &format!("{key} {}", az.name));
            let text = format!("{} Gateway Load Balancer endpoint", label(key));
            out += &syntax.node("      ", &node, Shape::Oval, &text);
            out += &syntax.edge("      ", &subnet, &node, Link::Line);
        }
        out += &syntax.close_group("    ");
    }
    for (rt, text) in &v.route_tables {
        let routes: Vec<&str> = v
            .routes
            .iter()
            .filter(|r| &r.0 == rt)
            .map(|r| r.1.as_str())
            .collect();
        let text = if routes.is_empty() {
            label(text)
        } else {
            format!(
                "{}{}routes {} to inspection",
                label(text),
                syntax.line_break(),
                label(&routes.join(", "))
            )
        };
        out += &syntax.node("    ", &id("rt", rt), Shape::Box, &text);
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
    let mut drawn: Vec<(&str, String)> = Vec::new();
    for (rt, _, key, az) in &v.routes {
        let to = id("gwlbe", &format!("{key} {az}"));
        if !drawn.contains(&(rt.as_str(), to.clone())) {
            out += &syntax.edge("  ", &id("rt", rt), &to, Link::Arrow);
            drawn.push((rt.as_str(), to));
        }
    }
    if v.security_group.is_some() {
        for az in v.azs.iter().filter(|a| !a.interfaces.is_empty()) {
            out += &syntax.edge("  ", "sg", &id("eni", &az.name), Link::Dashed);
        }
    }
    if let Some(dns) = &v.hub_dns {
        out += &syntax.node("  ", "hubdns", Shape::Hexagon, &label(dns));
        for (name, text) in &v.spokes {
            let spoke = id("spoke", name);
            out += &syntax.node("  ", &spoke, Shape::Box, &label(text));
            // A spoke's traffic reaches the endpoints through their security group.
            if v.security_group.is_some() {
                out += &syntax.edge("  ", &spoke, "sg", Link::Arrow);
            }
            out += &syntax.edge("  ", "hubdns", &spoke, Link::Dashed);
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
