//! A Gateway Load Balancer endpoint's place in the VPC: one endpoint in each of its subnets'
//! AZs, and the routes that send traffic through the endpoint of their AZ (PrivateLink Guide,
//! "Gateway Load Balancer endpoints"; VPC User Guide, "Route tables").

use std::collections::BTreeMap;

use ipnet::IpNet;

use super::super::{Endpoint, Network, Problems, Route, is_id, join_names, network};
use crate::spec::RouteSpec;

pub(super) fn routes(
    p: &mut Problems,
    path: &str,
    key: &str,
    list: Option<&[RouteSpec]>,
    subset: Option<&[String]>,
    network: Option<&Network>,
) -> Vec<Route> {
    let vpc = match network {
        Some(Network::Existing(v)) => v,
        Some(Network::New(_)) => {
            p.error(
                path,
                "a Gateway Load Balancer endpoint needs subnets of its own, and a new VPC from vpcgen has only its workloads' subnets",
                "create the VPC first and list its endpoint subnets and route tables in a spec for the existing VPC; the endpoint belongs in a subnet apart from the workloads it inspects",
            );
            return Vec::new();
        }
        None => return Vec::new(),
    };
    let zones: Vec<&str> = vpc
        .subnets
        .iter()
        .filter(|s| subset.is_none_or(|only| only.contains(&s.id)))
        .map(|s| s.az.as_str())
        .collect();
    let Some(list) = list.filter(|l| !l.is_empty()) else {
        p.warn(
            path,
            format!("no routes send traffic through `{key}`"),
            "add `routes:` (`- { route_table: rtb-..., destination: 0.0.0.0/0, az: us-east-1a }`) so that traffic reaches the appliances, or add the routes elsewhere",
        );
        return Vec::new();
    };
    let mut out: Vec<Route> = Vec::new();
    for (i, r) in list.iter().enumerate() {
        let at = format!("{path}.routes[{i}]");
        let before = p.errors();
        if !is_id(&r.route_table, "rtb-") {
            p.error(
                format!("{at}.route_table"),
                format!("`{}` is not a route table id", r.route_table),
                "a route table id looks like `rtb-0123456789abcdef0`",
            );
        } else if !vpc.route_tables.contains(&r.route_table) {
            p.error(
                format!("{at}.route_table"),
                format!("route table `{}` is not in `vpc.route_tables`", r.route_table),
                format!("add `{}` to `vpc.route_tables`, the VPC's route tables vpcgen may change (gateway endpoints attach to them too unless they name `route_tables:`)", r.route_table),
            );
        }
        let destination = network::any_cidr(p, &format!("{at}.destination"), &r.destination);
        if let Some(IpNet::V6(d)) = destination {
            if vpc.ipv6_cidr.is_none() {
                p.error(
                    format!("{at}.destination"),
                    format!("`{d}` is an IPv6 destination, but the VPC has no IPv6 block"),
                    "give the VPC's IPv6 block as `vpc.ipv6_cidr`, or route IPv4 destinations only",
                );
            }
        }
        if !zones.contains(&r.az.as_str()) {
            p.error(
                format!("{at}.az"),
                format!("`{key}` has no endpoint in AZ `{}`", r.az),
                format!(
                    "a route goes to the endpoint in its own AZ: use one of {}, the AZs of the endpoint's subnets",
                    join_names(&zones)
                ),
            );
        }
        if p.errors() > before {
            continue;
        }
        let Some(destination) = destination else {
            continue;
        };
        out.push(Route {
            route_table: r.route_table.clone(),
            destination,
            az: r.az.clone(),
        });
    }
    out
}

/// A route table holds one route per destination: two routes (of one or two endpoints) for the
/// same table and destination cannot both exist.
pub(super) fn unique(p: &mut Problems, endpoints: &[Endpoint]) {
    let mut seen: BTreeMap<(&str, IpNet), String> = BTreeMap::new();
    for e in endpoints {
        for (i, r) in e.routes.iter().enumerate() {
            let at = format!("{}.routes[{i}]", e.path);
            match seen.get(&(r.route_table.as_str(), r.destination)) {
                Some(first) => p.error(
                    &at,
                    format!(
                        "`{}` has two routes to `{}`: {first} and {at}",
                        r.route_table, r.destination
                    ),
                    "a route table has one route per destination: keep one",
                ),
                None => {
                    seen.insert((r.route_table.as_str(), r.destination), at);
                }
            }
        }
    }
}
