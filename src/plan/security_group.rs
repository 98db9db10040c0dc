//! The one security group of the endpoints clients connect to (interface, resource and
//! service-network endpoints): a rule per port and source, IPv6 sources beside IPv4 ones where
//! an endpoint has IPv6 addresses, and no egress.

use std::collections::BTreeSet;

use ipnet::IpNet;

use super::{PlannedEndpoint, RulePlan, SecurityGroupPlan, Source};
use crate::model::Vpc;
use crate::naming::{self, Ident};

/// Human name of a port, for rule descriptions.
fn port_name(port: u16) -> &'static str {
    match port {
        443 => "HTTPS",
        9142 => "Keyspaces CQL over TLS",
        25 | 465 | 587 | 2465 | 2587 => "SMTP",
        _ => "TCP",
    }
}

pub(super) fn build(vpc: &Vpc, endpoints: &[PlannedEndpoint]) -> Option<SecurityGroupPlan> {
    let members: Vec<&PlannedEndpoint> = endpoints
        .iter()
        .filter(|e| e.kind.has_security_group())
        .collect();
    if members.is_empty() {
        return None;
    }
    let ports: BTreeSet<u16> = members
        .iter()
        .flat_map(|e| e.ports.iter().copied())
        .collect();
    // The VPC's IPv6 block is admitted only where an endpoint has IPv6 addresses to reach.
    let ipv6 = members
        .iter()
        .any(|e| e.ip_address_type.is_some_and(|t| t.has_ipv6()));
    let mut sources: Vec<Source> = match &vpc.ingress_cidrs {
        None if ipv6 => vec![Source::VpcCidr, Source::VpcIpv6Cidr],
        None => vec![Source::VpcCidr],
        Some(list) => list.iter().map(|c| Source::Cidr(*c)).collect(),
    };
    // A hub's endpoints serve its spokes, each from its own block.
    let spokes: Vec<(IpNet, &str)> = vpc
        .hub
        .iter()
        .flat_map(|h| &h.spokes)
        .map(|s| (IpNet::V4(s.cidr), s.name.as_str()))
        .collect();
    for (cidr, _) in &spokes {
        if !sources.contains(&Source::Cidr(*cidr)) {
            sources.push(Source::Cidr(*cidr));
        }
    }
    sources.extend(
        vpc.source_security_groups
            .iter()
            .cloned()
            .map(Source::SecurityGroup),
    );
    let only_interfaces = members
        .iter()
        .all(|e| e.kind == crate::aws::EndpointType::Interface);
    let mut rules = Vec::new();
    for port in &ports {
        let users: Vec<&str> = members
            .iter()
            .filter(|e| e.ports.contains(port))
            .map(|e| &*e.key)
            .collect();
        let for_whom = if *port == 443 && only_interfaces {
            "interface endpoints".to_owned()
        } else if *port == 443 {
            "endpoints".to_owned()
        } else {
            users.join(", ")
        };
        for src in &sources {
            let (slug, from_text) = match src {
                Source::VpcCidr => ("vpc".to_owned(), "the VPC CIDR".to_owned()),
                Source::VpcIpv6Cidr => ("vpc ipv6".to_owned(), "the VPC's IPv6 block".to_owned()),
                Source::Cidr(c) => match spokes.iter().find(|(s, _)| s == c) {
                    Some((_, name)) => (c.to_string(), format!("spoke {name} ({c})")),
                    None => (c.to_string(), c.to_string()),
                },
                Source::SecurityGroup(g) => (g.clone(), format!("security group {g}")),
            };
            rules.push(RulePlan {
                ident: naming::rule(*port, *port, &slug),
                from_port: *port,
                to_port: *port,
                source: src.clone(),
                description: format!(
                    "{} ({port}) to {for_whom} from {from_text}",
                    port_name(*port)
                ),
            });
        }
    }
    let port_list: Vec<String> = ports.iter().map(u16::to_string).collect();
    let whose = if only_interfaces {
        "Interface endpoints"
    } else {
        "Endpoints"
    };
    Some(SecurityGroupPlan {
        ident: Ident {
            tf: "endpoints".into(),
            cfn: "EndpointSecurityGroup".into(),
            kebab: "endpoints".into(),
        },
        name: naming::name_tag(&vpc.name, "endpoints"),
        description: format!(
            "{whose} of {}: TCP {} from clients only",
            vpc.name,
            port_list.join(", ")
        ),
        rules,
    })
}
