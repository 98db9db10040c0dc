//! The hub: the spoke VPCs its interface endpoints serve, checked against each other and the
//! hub (ids, blocks that must not overlap, accounts), and how the spokes find the endpoints.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

use super::{Endpoint, Network, Problems, is_id, network};
use crate::aws::EndpointType;
use crate::spec::{EndpointItem, HubDnsSpec, Spec};

/// A VPC whose interface endpoints serve other VPCs.
#[derive(Debug, Clone)]
pub struct Hub {
    /// In the order the spec lists them.
    pub spokes: Vec<Spoke>,
    pub dns: HubDns,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spoke {
    /// The spoke's `name`, or its VPC id: names its resources.
    pub name: String,
    pub vpc_id: String,
    pub cidr: Ipv4Net,
    /// The spoke's account, when not the hub's.
    pub account: Option<String>,
    /// `hub.spokes[1]`, for errors that later stages find.
    pub path: String,
}

/// How the spokes resolve the services' names to the hub's endpoints. Templates see it as
/// `hosted-zones` or `route53-profile`, as the spec spells it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HubDns {
    /// A private hosted zone per service name, associated with the hub and every spoke; the
    /// hub's endpoints have private DNS off, as their own zones would answer only the hub.
    HostedZones,
    /// A Route 53 Profile holding the endpoints (private DNS on), associated with every spoke.
    Route53Profile,
}

impl HubDns {
    pub fn as_str(self) -> &'static str {
        match self {
            HubDns::HostedZones => "hosted-zones",
            HubDns::Route53Profile => "route53-profile",
        }
    }
}

pub(super) fn hub(p: &mut Problems, spec: &Spec, network: Option<&Network>) -> Option<Hub> {
    let asked = spec.hub.as_ref()?;
    let dns = match asked.dns {
        None | Some(HubDnsSpec::HostedZones) => HubDns::HostedZones,
        Some(HubDnsSpec::Route53Profile) => HubDns::Route53Profile,
    };
    if asked.spokes.is_empty() {
        p.error(
            "hub.spokes",
            "a hub lists no spokes",
            "list the VPCs the hub's endpoints serve, e.g. `- { vpc_id: vpc-0a1b2c3d4e5f60718, cidr: 10.61.0.0/16 }`, or remove `hub:`",
        );
    }
    let (hub_id, hub_cidr) = match network {
        Some(Network::Existing(v)) => (v.id.as_deref(), Some(v.cidr)),
        Some(Network::New(v)) => (None, Some(v.cidr)),
        None => (None, None),
    };
    let mut spokes: Vec<Spoke> = Vec::new();
    let mut seen_ids: BTreeMap<&str, String> = BTreeMap::new();
    let mut seen_names: BTreeMap<String, String> = BTreeMap::new();
    for (i, s) in asked.spokes.iter().enumerate() {
        let path = format!("hub.spokes[{i}]");
        let before = p.errors();
        if !is_id(&s.vpc_id, "vpc-") {
            p.error(
                format!("{path}.vpc_id"),
                format!("`{}` is not a VPC id", s.vpc_id),
                "a VPC id looks like `vpc-0a1b2c3d4e5f60718` (`aws ec2 describe-vpcs` lists them)",
            );
        } else if hub_id == Some(s.vpc_id.as_str()) {
            p.error(
                format!("{path}.vpc_id"),
                format!("`{}` is the hub VPC itself", s.vpc_id),
                "the hub's endpoints already serve the hub; list only the other VPCs",
            );
        } else if let Some(first) = seen_ids.get(s.vpc_id.as_str()) {
            p.error(
                format!("{path}.vpc_id"),
                format!("`{}` is listed twice (first at {first})", s.vpc_id),
                "list each spoke VPC once",
            );
        } else {
            seen_ids.insert(&s.vpc_id, path.clone());
        }
        let name = s.name.clone().unwrap_or_else(|| s.vpc_id.clone());
        if let Some(n) = &s.name {
            if let Some((message, help)) = crate::naming::name_problem(n) {
                p.error(format!("{path}.name"), message, help);
            }
        }
        if let Some(first) = seen_names.get(&name) {
            p.error(
                format!("{path}.name"),
                format!("two spokes are named `{name}` (the other is {first})"),
                "give each spoke its own `name`; it names the spoke's resources",
            );
        } else {
            seen_names.insert(name.clone(), path.clone());
        }
        if let Some(a) = &s.account {
            if a.len() != 12 || !a.bytes().all(|b| b.is_ascii_digit()) {
                p.error(
                    format!("{path}.account"),
                    format!("`{a}` is not an AWS account id"),
                    "an account id is 12 digits, written in quotes (`\"222233334444\"`) so that YAML keeps its leading zeros",
                );
            }
        }
        let cidr_path = format!("{path}.cidr");
        let cidr =
            network::cidr(p, &cidr_path, &s.cidr).filter(|c| network::vpc_block(p, &cidr_path, *c));
        let Some(cidr) = cidr else { continue };
        if let Some(h) = hub_cidr.filter(|h| overlaps(*h, cidr)) {
            p.error(
                &cidr_path,
                format!("spoke `{name}`'s block {cidr} overlaps the hub's {h}"),
                "traffic between overlapping VPCs cannot be routed; give the spoke's real, distinct block",
            );
        }
        for other in &spokes {
            if overlaps(other.cidr, cidr) {
                p.error(
                    &cidr_path,
                    format!(
                        "spoke `{name}`'s block {cidr} overlaps spoke `{}`'s {} ({})",
                        other.name, other.cidr, other.path
                    ),
                    "the hub routes to each spoke by its block, so no two may overlap; give each spoke its real block",
                );
            }
        }
        if p.errors() == before {
            spokes.push(Spoke {
                name,
                vpc_id: s.vpc_id.clone(),
                cidr,
                account: s.account.clone(),
                path,
            });
        }
    }
    if dns == HubDns::HostedZones {
        // The hub's own zones would shadow the shared ones in the hub, and AWS refuses to
        // associate a zone whose name a private-DNS endpoint of the VPC already answers.
        for (i, item) in spec.endpoints.iter().enumerate() {
            if let EndpointItem::Long(e) = item {
                if e.private_dns == Some(true) {
                    p.error(
                        format!("endpoints[{i}].private_dns"),
                        "a hub that shares hosted zones keeps private DNS off on its endpoints",
                        "the hub's private hosted zones answer these names for the hub and every spoke; remove `private_dns: true`, or use `hub: { dns: route53-profile }`, which keeps private DNS on",
                    );
                }
            }
        }
    }
    Some(Hub { spokes, dns })
}

/// After the endpoints are built: a hub with nothing to share is an error, and with hosted
/// zones its endpoints' private DNS is off.
pub(super) fn endpoints(p: &mut Problems, hub: &Hub, endpoints: &mut [Endpoint]) {
    let shared = endpoints
        .iter()
        .filter(|e| e.kind == EndpointType::Interface)
        .count();
    if shared == 0 && !p.has_errors() {
        p.error(
            "hub",
            "a hub has no interface endpoints to share",
            "gateway endpoints cannot be reached from other VPCs; list the interface endpoints the spokes need, or remove `hub:`",
        );
    }
    if hub.dns == HubDns::HostedZones {
        for e in endpoints
            .iter_mut()
            .filter(|e| e.kind == EndpointType::Interface)
        {
            e.private_dns = false;
        }
    }
}

fn overlaps(a: Ipv4Net, b: Ipv4Net) -> bool {
    a.contains(&b.network()) || b.contains(&a.network())
}
