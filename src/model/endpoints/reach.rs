//! What an entry that names no catalogue service reaches: an endpoint service (its service name
//! and Region), a Gateway Load Balancer's endpoint service, or a VPC Lattice resource
//! configuration or service network (their ARNs), and the `name` and `ports` such entries need.

use super::super::{Endpoint, Problems, Reach};
use crate::aws::{self, EndpointType, Region};
use crate::naming;
use crate::spec::EndpointSpec;

/// The key, reach, type and type reason of an entry whose `target` key is not `service` or
/// `preset`; `None` after reporting what is wrong.
pub(super) fn named(
    p: &mut Problems,
    path: &str,
    long: &EndpointSpec,
    target: &str,
) -> Option<(String, Reach, EndpointType, &'static str)> {
    let at = format!("{path}.{target}");
    let (reach, kind, why) = match target {
        "endpoint_service" => {
            let name = long.endpoint_service.clone().unwrap_or_default();
            service_name_shape(p, &at, &name)?;
            (
                Reach::EndpointService(name),
                EndpointType::Interface,
                "endpoint services are reached through interface endpoints",
            )
        }
        "gateway_load_balancer" => {
            let name = long.gateway_load_balancer.clone().unwrap_or_default();
            service_name_shape(p, &at, &name)?;
            (
                Reach::GatewayLoadBalancer(name),
                EndpointType::GatewayLoadBalancer,
                "a Gateway Load Balancer's endpoint service",
            )
        }
        "resource_configuration" => (
            Reach::Resource(long.resource_configuration.clone().unwrap_or_default()),
            EndpointType::Resource,
            "a VPC Lattice resource configuration",
        ),
        _ => (
            Reach::ServiceNetwork(long.service_network.clone().unwrap_or_default()),
            EndpointType::ServiceNetwork,
            "a VPC Lattice service network",
        ),
    };
    let Some(key) = &long.name else {
        p.misplaced(
            path,
            format!("an entry with `{target}` needs a `name`"),
            "add `name: <name>` (lowercase letters, digits and hyphens); it names the endpoint's resources",
        );
        return None;
    };
    name(p, path, key).then(|| (key.clone(), reach, kind, why))
}

/// Check an endpoint's `name` against the spec's name rule; false after reporting.
pub(super) fn name(p: &mut Problems, path: &str, name: &str) -> bool {
    match naming::name_problem(name) {
        Some((message, help)) => {
            p.error(format!("{path}.name"), message, help);
            false
        }
        None => true,
    }
}

/// `com.amazonaws.vpce.<region>.vpce-svc-<17 hex digits>`, the form of every endpoint service
/// name (PrivateLink Guide, "Share your services through AWS PrivateLink"); AWS Marketplace
/// services have it too. Returns the Region part.
fn service_name_shape<'a>(p: &mut Problems, path: &str, name: &'a str) -> Option<&'a str> {
    let parsed = name
        .strip_prefix("com.amazonaws.vpce.")
        .and_then(|rest| rest.split_once(".vpce-svc-"))
        .filter(|(region, id)| {
            !region.is_empty()
                && region
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && id.len() == 17
                && id
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
    match parsed {
        Some((region, _)) => Some(region),
        None => {
            p.error(
                path,
                format!("`{name}` is not an endpoint service name"),
                "an endpoint service name looks like `com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0` (the provider gives it; `aws ec2 describe-vpc-endpoint-services --service-names NAME` checks it)",
            );
            None
        }
    }
}

/// The Region in an endpoint service's name must be the VPC's, or the `service_region` the
/// endpoint reaches it in.
pub(super) fn offered_in(
    p: &mut Problems,
    path: &str,
    name: &str,
    own: &Region,
    service_region: Option<&Region>,
) {
    let Some(in_name) = name
        .strip_prefix("com.amazonaws.vpce.")
        .and_then(|rest| rest.split_once(".vpce-svc-"))
        .map(|(r, _)| r)
    else {
        return;
    };
    let serving = service_region.unwrap_or(own);
    if in_name == serving.name {
        return;
    }
    let known = aws::region(in_name);
    match (known, service_region) {
        (None, _) => p.error(
            path,
            format!("`{in_name}` in the service name is not an AWS Region"),
            aws::region_help(in_name),
        ),
        (Some(r), None) if r.partition == own.partition && path.ends_with(".endpoint_service") => {
            p.error(
                path,
                format!(
                    "the endpoint service is in `{in_name}`, not this VPC's Region `{}`",
                    own.name
                ),
                format!(
                    "add `service_region: {in_name}` to reach it over cross-Region PrivateLink (its provider must list `{}` among the service's supported Regions)",
                    own.name
                ),
            )
        }
        (Some(r), None) => p.error(
            path,
            format!(
                "the endpoint service is in `{in_name}`, not this VPC's Region `{}`",
                own.name
            ),
            if r.partition != own.partition {
                format!(
                    "PrivateLink does not cross partitions (`{in_name}` is in `{}`, this VPC in `{}`): use the service's name in `{}`",
                    r.partition, own.partition, own.name
                )
            } else {
                "a Gateway Load Balancer endpoint reaches endpoint services of its own Region only: use the service's name in this Region".to_owned()
            },
        ),
        (Some(_), Some(sr)) => p.error(
            path,
            format!(
                "the endpoint service is in `{in_name}`, but `service_region` is `{}`",
                sr.name
            ),
            format!("set `service_region: {in_name}`, the Region in the service name"),
        ),
    }
}

/// A VPC Lattice ARN (`arn:aws:vpc-lattice:us-east-1:111122223333:resourceconfiguration/rcfg-…`
/// or `…:servicenetwork/sn-…`, VPC Lattice User Guide), in the VPC's partition and Region: a
/// resource endpoint reaches resource configurations of its own Region, shared to the account
/// through AWS RAM.
pub(super) fn arn_in(p: &mut Problems, path: &str, arn: &str, kind: EndpointType, region: &Region) {
    let (resource, prefix, example) = if kind == EndpointType::Resource {
        (
            "resourceconfiguration",
            "rcfg-",
            "arn:aws:vpc-lattice:us-east-1:111122223333:resourceconfiguration/rcfg-0123456789abcdef0",
        )
    } else {
        (
            "servicenetwork",
            "sn-",
            "arn:aws:vpc-lattice:us-east-1:111122223333:servicenetwork/sn-0123456789abcdef0",
        )
    };
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let shaped = match parts.as_slice() {
        ["arn", _, "vpc-lattice", _, account, tail] => {
            account.len() == 12
                && account.bytes().all(|b| b.is_ascii_digit())
                && tail
                    .strip_prefix(resource)
                    .and_then(|t| t.strip_prefix('/'))
                    .is_some_and(|id| super::super::is_id(id, prefix))
        }
        _ => false,
    };
    if !shaped {
        p.error(
            path,
            format!("`{arn}` is not the ARN of a VPC Lattice {}", resource_name(kind)),
            format!("it looks like `{example}`; the share in AWS RAM (or `aws vpc-lattice list-{}s`) shows it", if kind == EndpointType::Resource { "resource-configuration" } else { "service-network" }),
        );
        return;
    }
    if parts[1] != region.partition {
        p.error(
            path,
            format!(
                "`{arn}` is in partition `{}`, but the VPC is in `{}`",
                parts[1], region.partition
            ),
            "an endpoint reaches VPC Lattice in its own partition only",
        );
    } else if parts[3] != region.name {
        p.error(
            path,
            format!(
                "`{arn}` is in `{}`, not this VPC's Region `{}`",
                parts[3], region.name
            ),
            format!(
                "a {} endpoint reaches its own Region only: share it to `{}` or create the endpoint there",
                kind.lower(),
                parts[3]
            ),
        );
    }
}

fn resource_name(kind: EndpointType) -> &'static str {
    if kind == EndpointType::Resource {
        "resource configuration"
    } else {
        "service network"
    }
}

/// The TCP ports the security group admits to an endpoint that is not a catalogue service.
pub(super) fn ports(p: &mut Problems, path: &str, list: &[u16]) -> Vec<u16> {
    if list.is_empty() {
        p.error(
            path,
            "`ports` is empty, so nothing could reach the endpoint",
            "list the TCP ports the service listens on, e.g. `ports: [443]`, or remove the key for 443",
        );
    }
    let mut out: Vec<u16> = Vec::new();
    for (i, port) in list.iter().enumerate() {
        if *port == 0 {
            p.error(
                format!("{path}[{i}]"),
                "port 0 is not a TCP port a service listens on",
                "use a port from 1 to 65535",
            );
        } else if out.contains(port) {
            p.error(
                format!("{path}[{i}]"),
                format!("port {port} is listed twice"),
                "remove one of them",
            );
        } else {
            out.push(*port);
        }
    }
    out.sort_unstable();
    out
}

/// The service name an endpoint reaches, as AWS spells it; `None` for VPC Lattice ARNs.
pub(crate) fn service_name(e: &Endpoint, region: &Region) -> Option<String> {
    match &e.reach {
        Reach::Service(s) => Some(s.name_in(e.service_region.unwrap_or(region).name, e.kind)),
        Reach::EndpointService(name) | Reach::GatewayLoadBalancer(name) => Some(name.clone()),
        Reach::Resource(_) | Reach::ServiceNetwork(_) => None,
    }
}
