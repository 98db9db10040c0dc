//! How an endpoint is addressed: the Region it reaches its service in (cross-Region
//! PrivateLink), its IP address type and DNS record type, and fixed addresses for its network
//! interfaces. The rules are the PrivateLink Guide's ("Cross-region enabled AWS services",
//! "IP address types", "DNS record IP types") and the EC2 API's (`SubnetConfiguration`).

use std::collections::BTreeMap;
use std::net::{Ipv4Addr, Ipv6Addr};

use super::super::{
    DnsRecordIpType, Endpoint, FixedIp, IpAddressType, Network, Problems, Reach, join_names,
};
use super::{Request, Scope};
use crate::aws::{self, EndpointType, Region};
use crate::spec::{DnsIpTypeSpec, EndpointSpec, FixedIpSpec, IpTypeSpec};

pub(in crate::model) fn ip_address_type(spec: IpTypeSpec) -> IpAddressType {
    match spec {
        IpTypeSpec::Ipv4 => IpAddressType::Ipv4,
        IpTypeSpec::Dualstack => IpAddressType::Dualstack,
        IpTypeSpec::Ipv6 => IpAddressType::Ipv6,
    }
}

fn dns_record_ip_type(spec: DnsIpTypeSpec) -> DnsRecordIpType {
    match spec {
        DnsIpTypeSpec::Ipv4 => DnsRecordIpType::Ipv4,
        DnsIpTypeSpec::Dualstack => DnsRecordIpType::Dualstack,
        DnsIpTypeSpec::Ipv6 => DnsRecordIpType::Ipv6,
        DnsIpTypeSpec::ServiceDefined => DnsRecordIpType::ServiceDefined,
    }
}

/// The Region an interface endpoint reaches its service in, when it is not the VPC's own:
/// `None` after reporting a problem, or when it names the VPC's own Region.
pub(super) fn service_region(
    p: &mut Problems,
    path: &str,
    text: &str,
    req: &Request,
    scope: &Scope,
) -> Option<&'static Region> {
    let at = format!("{path}.service_region");
    let Some(remote) = aws::region(text) else {
        p.error(
            &at,
            format!("unknown Region `{text}`"),
            aws::region_help(text),
        );
        return None;
    };
    let own = scope.region?;
    if remote.name == own.name {
        p.warn(
            &at,
            format!("`service_region` is this VPC's own Region `{text}`"),
            "remove it; an endpoint reaches its own Region's services without it",
        );
        return None;
    }
    if remote.partition != own.partition {
        p.error(
            &at,
            format!(
                "`{text}` is in partition `{}`, but the VPC is in `{}`",
                remote.partition, own.partition
            ),
            "cross-Region PrivateLink connects Regions of one partition only",
        );
        return None;
    }
    if let Reach::Service(s) = req.reach {
        if !s.cross_region {
            let capable: Vec<&str> = aws::services()
                .iter()
                .filter(|s| s.cross_region)
                .map(|s| s.key)
                .collect();
            p.error(
                &at,
                format!("`{}` cannot be reached from another Region", s.key),
                format!(
                    "AWS lists cross-Region access for {} only (`vpcgen services --cross-region`); reach `{}` from a VPC in `{text}`",
                    join_names(&capable),
                    s.key
                ),
            );
            return None;
        }
    }
    // "Cross Region access is not supported for the following Availability Zones".
    let zones: Vec<&str> = match scope.network {
        Some(Network::Existing(v)) => v
            .subnets
            .iter()
            .filter(|s| s.by_id)
            .filter(|s| {
                req.spec
                    .and_then(|l| l.subnets.as_ref())
                    .is_none_or(|only| only.contains(&s.id))
            })
            .map(|s| s.az.as_str())
            .collect(),
        Some(Network::New(v)) if v.azs_by_id => v.azs.iter().map(String::as_str).collect(),
        _ => Vec::new(),
    };
    let refused: Vec<&str> = zones
        .into_iter()
        .filter(|z| aws::CROSS_REGION_UNSUPPORTED_AZ_IDS.contains(z))
        .collect();
    if !refused.is_empty() {
        p.error(
            &at,
            format!(
                "cross-Region endpoints cannot be placed in AZ {}",
                join_names(&refused)
            ),
            if matches!(scope.network, Some(Network::New(_))) {
                "AWS does not support cross-Region access from these AZ IDs, and a new VPC's interface endpoints are in every AZ: choose other `vpc.azs`, or reach the service in this Region"
            } else {
                "AWS does not support cross-Region access from these AZ IDs: give the endpoint `subnets:` in other AZs"
            },
        );
        return None;
    }
    Some(remote)
}

/// The IP address type and DNS record type of an endpoint, checked against each other, the
/// service and the VPC's IPv6 block.
pub(super) fn ip_types(
    p: &mut Problems,
    path: &str,
    long: Option<&EndpointSpec>,
    reach: &Reach,
    kind: EndpointType,
    scope: &Scope,
) -> (Option<IpAddressType>, Option<DnsRecordIpType>) {
    let asked = long.and_then(|l| l.ip_address_type).map(ip_address_type);
    let service = match reach {
        Reach::Service(s) => Some(*s),
        _ => None,
    };
    let takes_ipv6 = service.is_none_or(|s| s.ipv6);
    let ip = match asked {
        Some(t) if t.has_ipv6() && !takes_ipv6 => {
            p.error(
                format!("{path}.ip_address_type"),
                format!(
                    "`{}` endpoints carry IPv4 only",
                    service.map_or("", |s| s.key)
                ),
                "remove `ip_address_type` or set it to `ipv4`; the VPC User Guide's \"AWS services that support IPv6\" lists the services whose private endpoints take IPv6",
            );
            None
        }
        Some(t) => {
            if t.has_ipv6() {
                vpc_has_ipv6(p, &format!("{path}.ip_address_type"), t, scope.network);
            }
            Some(t)
        }
        // The spec-wide default is for interface endpoints; a service that takes no IPv6 keeps
        // AWS's default, and the plan says so.
        None if kind == EndpointType::Interface && takes_ipv6 => scope.ip_address_type,
        None => None,
    };
    let dns = long
        .and_then(|l| l.dns_record_ip_type)
        .map(dns_record_ip_type);
    if let Some(d) = dns {
        let effective = ip.unwrap_or(IpAddressType::Ipv4);
        let fits = match d {
            DnsRecordIpType::Ipv4 => effective.has_ipv4(),
            DnsRecordIpType::Ipv6 => effective.has_ipv6(),
            DnsRecordIpType::Dualstack | DnsRecordIpType::ServiceDefined => {
                effective == IpAddressType::Dualstack
            }
        };
        if !fits && kind.has_private_dns() {
            let needs = match d {
                DnsRecordIpType::Ipv4 => "`ipv4` or `dualstack`",
                DnsRecordIpType::Ipv6 => "`ipv6` or `dualstack`",
                _ => "`dualstack`",
            };
            p.error(
                format!("{path}.dns_record_ip_type"),
                format!(
                    "`dns_record_ip_type: {}` needs the IP address type {needs}, and this endpoint's is `{}`",
                    d.as_str(),
                    effective.as_str()
                ),
                "set `ip_address_type` on the endpoint to match, or choose a record type its addresses have",
            );
        }
    }
    (ip, dns)
}

/// Dual-stack and IPv6-only endpoints need an IPv6 block on the VPC, and IPv6-only endpoints
/// need IPv6-only subnets, which a new VPC's dual-stack subnets are not.
pub(in crate::model) fn vpc_has_ipv6(
    p: &mut Problems,
    path: &str,
    t: IpAddressType,
    network: Option<&Network>,
) {
    match network {
        Some(n) if !n.has_ipv6() => p.error(
            path,
            format!("`{}` endpoints need an IPv6 block on the VPC", t.as_str()),
            match n {
                Network::Existing(_) => "give the VPC's IPv6 block as `vpc.ipv6_cidr`, or use `ipv4`",
                Network::New(_) => "add `ipv6: true` under `vpc:` to give the new VPC an IPv6 block and dual-stack subnets, or use `ipv4`",
            },
        ),
        Some(Network::New(_)) if t == IpAddressType::Ipv6 => p.error(
            path,
            "`ipv6` endpoints need IPv6-only subnets, and the new VPC's subnets are dual-stack",
            "use `dualstack`",
        ),
        _ => {}
    }
}

/// Fixed addresses by subnet (existing VPC) or AZ (new VPC): one for each of the endpoint's
/// subnets, inside the VPC's blocks (and the subnet's, where vpcgen carves it), of the families
/// the endpoint's IP address type has.
pub(super) fn fixed_ips(
    p: &mut Problems,
    path: &str,
    map: &BTreeMap<String, FixedIpSpec>,
    subset: Option<&[String]>,
    ip: IpAddressType,
    network: Option<&Network>,
) -> BTreeMap<String, FixedIp> {
    let mut out = BTreeMap::new();
    let Some(network) = network else {
        return out;
    };
    // The places the endpoint has a network interface in, each with the IPv4 block an address
    // there must lie in.
    let places: Vec<(String, ipnet::Ipv4Net)> = match network {
        Network::Existing(v) => v
            .subnets
            .iter()
            .filter(|s| subset.is_none_or(|only| only.contains(&s.id)))
            .map(|s| (s.id.clone(), v.cidr))
            .collect(),
        Network::New(v) => v
            .azs
            .iter()
            .cloned()
            .zip(v.private.iter().copied())
            .collect(),
    };
    let (noun, article, plural, example) = match network {
        Network::Existing(_) => ("subnet", "a", "subnets", "subnet-0123456789abcdef0"),
        Network::New(_) => ("AZ", "an", "AZs", "us-east-1a"),
    };
    for (key, spec) in map {
        let at = format!("{path}.{key}");
        let Some((_, block)) = places.iter().find(|(k, _)| k == key) else {
            let known: Vec<&str> = places.iter().map(|(k, _)| k.as_str()).collect();
            p.misplaced(
                &at,
                format!("`{key}` is not {article} {noun} of this endpoint"),
                format!(
                    "key fixed addresses by the endpoint's {noun}s ({}), e.g. `{example}: 10.0.1.10`",
                    join_names(&known)
                ),
            );
            continue;
        };
        let (v4, v6) = match spec {
            FixedIpSpec::V4(a) => (Some(a.as_str()), None),
            FixedIpSpec::Both { ipv4, ipv6 } => (ipv4.as_deref(), ipv6.as_deref()),
        };
        if v4.is_none() && v6.is_none() {
            p.error(
                &at,
                "no address given",
                "give `ipv4`, `ipv6` or both, e.g. `{ ipv4: 10.0.1.10 }`",
            );
            continue;
        }
        let ipv4 = v4.and_then(|text| {
            let a = address_v4(p, &at, text, ip, *block, network)?;
            Some(a)
        });
        let ipv6 = v6.and_then(|text| address_v6(p, &at, text, ip, network));
        out.insert(key.clone(), FixedIp { ipv4, ipv6 });
    }
    let missing: Vec<&str> = places
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| !map.contains_key(*k))
        .collect();
    if !missing.is_empty() {
        p.misplaced(
            path,
            format!(
                "no fixed address for {} {}",
                if missing.len() == 1 { noun } else { plural },
                join_names(&missing)
            ),
            match network {
                Network::Existing(_) => "give one address for each subnet the endpoint is in, or name fewer with `subnets:`".to_owned(),
                Network::New(_) => "give one address for each AZ of the VPC: a new VPC's interface endpoints are in every AZ".to_owned(),
            },
        );
    }
    out
}

fn address_v4(
    p: &mut Problems,
    at: &str,
    text: &str,
    ip: IpAddressType,
    block: ipnet::Ipv4Net,
    network: &Network,
) -> Option<Ipv4Addr> {
    let Ok(a) = text.parse::<Ipv4Addr>() else {
        p.error(
            at,
            format!("`{text}` is not an IPv4 address"),
            "write it as four numbers, e.g. `10.0.1.10`, without a prefix length",
        );
        return None;
    };
    if !ip.has_ipv4() {
        p.error(
            at,
            format!("`{a}` is an IPv4 address, but the endpoint is IPv6-only"),
            "give an IPv6 address (`{ ipv6: ... }`), or use `ip_address_type: dualstack`",
        );
        return None;
    }
    if !block.contains(&a) {
        let what = match network {
            Network::Existing(_) => "the VPC's CIDR",
            Network::New(_) => "the AZ's private subnet",
        };
        p.error(
            at,
            format!("`{a}` is outside {what} `{block}`"),
            format!("choose an address in `{block}`"),
        );
        return None;
    }
    // AWS keeps the first four addresses and the last one of every subnet. vpcgen knows the
    // subnets it carves; of an existing VPC's it knows only that the VPC's first four and its
    // last address begin and end a subnet wherever one covers them.
    let offset = u32::from(a) - u32::from(block.network());
    let last = u32::from(block.broadcast()) - u32::from(block.network());
    if offset < 4 || offset == last {
        let (message, help) = match network {
            Network::New(_) => (
                format!("`{a}` is one of the five addresses AWS keeps in subnet `{block}`"),
                "choose an address from the fifth on, and not the subnet's last",
            ),
            Network::Existing(_) => (
                format!(
                    "`{a}` is kept by AWS: the first four and the last address of the VPC's `{block}` are reserved in the subnets that hold them"
                ),
                "choose an address from the fifth of its subnet on, and not the subnet's last",
            ),
        };
        p.error(at, message, help);
        return None;
    }
    Some(a)
}

fn address_v6(
    p: &mut Problems,
    at: &str,
    text: &str,
    ip: IpAddressType,
    network: &Network,
) -> Option<Ipv6Addr> {
    let Ok(a) = text.parse::<Ipv6Addr>() else {
        p.error(
            at,
            format!("`{text}` is not an IPv6 address"),
            "write it as AWS shows it, e.g. `2600:1f18:4a3b:c101::10`, without a prefix length",
        );
        return None;
    };
    if !ip.has_ipv6() {
        p.error(
            at,
            format!("`{a}` is an IPv6 address, but the endpoint is IPv4-only"),
            "set `ip_address_type: dualstack` on the endpoint, or give an IPv4 address",
        );
        return None;
    }
    match network {
        Network::New(_) => {
            p.error(
                at,
                "the new VPC's IPv6 block is chosen by AWS, so an IPv6 address cannot be fixed in advance",
                "fix IPv4 addresses only, or fix IPv6 ones once the VPC exists (in a spec for the existing VPC)",
            );
            None
        }
        Network::Existing(v) => match v.ipv6_cidr {
            Some(block) if block.contains(&a) => Some(a),
            Some(block) => {
                p.error(
                    at,
                    format!("`{a}` is outside the VPC's IPv6 block `{block}`"),
                    format!("choose an address in `{block}`"),
                );
                None
            }
            // An IPv6 endpoint without the VPC's block is reported on `ip_address_type`.
            None => Some(a),
        },
    }
}

/// No address is fixed twice in the VPC.
pub(super) fn unique_fixed_ips(p: &mut Problems, endpoints: &[Endpoint]) {
    let mut seen: BTreeMap<String, String> = BTreeMap::new();
    for e in endpoints {
        for (place, fixed) in &e.fixed_ips {
            let addresses = fixed
                .ipv4
                .map(|a| a.to_string())
                .into_iter()
                .chain(fixed.ipv6.map(|a| a.to_string()));
            for a in addresses {
                let at = format!("{}.fixed_ips.{place}", e.path);
                if let Some(first) = seen.get(&a) {
                    p.error(
                        &at,
                        format!("`{a}` is fixed for two network interfaces: {first} and {at}"),
                        "give every endpoint network interface its own address",
                    );
                } else {
                    seen.insert(a, at);
                }
            }
        }
    }
}
