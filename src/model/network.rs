//! The VPC a spec names: an existing one (its CIDR, subnets one per AZ, route tables) or a new
//! one (its CIDR carved into per-AZ subnets, NAT and public subnets).

use std::collections::{BTreeMap, BTreeSet};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use super::{ExistingVpc, Nat, Network, NewVpc, Problems, Subnet, is_id};
use crate::aws::Region;
use crate::spec::{AzsSpec, NatSpec, VpcSpec};

pub(super) fn cidr(p: &mut Problems, path: &str, text: &str) -> Option<Ipv4Net> {
    match text.parse::<Ipv4Net>() {
        Ok(net) if net.trunc() == net => Some(net),
        Ok(net) => {
            p.error(
                path,
                format!("`{text}` has host bits set"),
                format!("did you mean `{}`?", net.trunc()),
            );
            None
        }
        Err(_) => {
            p.error(
                path,
                format!("`{text}` is not an IPv4 CIDR block"),
                "write an address and a prefix length from 0 to 32, e.g. `10.0.0.0/16`",
            );
            None
        }
    }
}

/// An IPv4 or IPv6 CIDR block, without host bits.
pub(super) fn any_cidr(p: &mut Problems, path: &str, text: &str) -> Option<IpNet> {
    if !text.contains(':') {
        return cidr(p, path, text).map(IpNet::V4);
    }
    ipv6_cidr(p, path, text).map(IpNet::V6)
}

pub(super) fn ipv6_cidr(p: &mut Problems, path: &str, text: &str) -> Option<Ipv6Net> {
    match text.parse::<Ipv6Net>() {
        Ok(net) if net.trunc() == net => Some(net),
        Ok(net) => {
            p.error(
                path,
                format!("`{text}` has host bits set"),
                format!("did you mean `{}`?", net.trunc()),
            );
            None
        }
        Err(_) => {
            p.error(
                path,
                format!("`{text}` is not an IPv6 CIDR block"),
                "write an address and a prefix length from 0 to 128, e.g. `2600:1f18:4a3b:c100::/56`",
            );
            None
        }
    }
}

/// An existing VPC's IPv6 block: AWS gives VPCs IPv6 blocks from /44 to /64 (a /56 when
/// Amazon provides it), never from the link-local, multicast or unique-local ranges.
fn vpc_ipv6_block(p: &mut Problems, text: &str) -> Option<Ipv6Net> {
    let net = ipv6_cidr(p, "vpc.ipv6_cidr", text)?;
    if !(44..=64).contains(&net.prefix_len()) {
        p.error(
            "vpc.ipv6_cidr",
            format!(
                "a VPC's IPv6 block is between /44 and /64, not /{}",
                net.prefix_len()
            ),
            "give the block `aws ec2 describe-vpcs --query 'Vpcs[].Ipv6CidrBlockAssociationSet'` shows, usually a /56",
        );
        return None;
    }
    let first = net.network().segments()[0];
    if first & 0xe000 != 0x2000 {
        p.error(
            "vpc.ipv6_cidr",
            format!("`{net}` is not a global unicast block (2000::/3), which AWS gives VPCs"),
            "give the VPC's IPv6 block as AWS shows it, e.g. `2600:1f18:4a3b:c100::/56`",
        );
        return None;
    }
    Some(net)
}

/// Ranges AWS never gives a VPC: "this network", loopback, link-local and multicast (and the
/// reserved block above it), per the VPC User Guide's CIDR block restrictions.
const NOT_FOR_VPCS: &[(&str, &str)] = &[
    ("0.0.0.0/8", "\"this network\""),
    ("127.0.0.0/8", "loopback"),
    ("169.254.0.0/16", "link-local"),
    ("224.0.0.0/4", "multicast"),
    ("240.0.0.0/4", "reserved"),
];

/// Whether `c` (at `path`) is a block AWS can give a VPC: from /16 to /28, outside the reserved
/// ranges.
pub(super) fn vpc_block(p: &mut Problems, path: &str, c: Ipv4Net) -> bool {
    if !(16..=28).contains(&c.prefix_len()) {
        p.error(
            path,
            format!(
                "a VPC CIDR must be between /16 and /28, not /{}",
                c.prefix_len()
            ),
            "AWS accepts VPC blocks from /16 to /28, e.g. `10.0.0.0/16`",
        );
        return false;
    }
    for (range, what) in NOT_FOR_VPCS {
        let range: Ipv4Net = range.parse().expect("the ranges are CIDRs");
        if range.contains(&c) {
            p.error(
                path,
                format!("`{c}` is in the {what} range {range}, which AWS does not give VPCs"),
                "use the VPC's real block, e.g. from 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16",
            );
            return false;
        }
    }
    true
}

pub(super) fn network(
    p: &mut Problems,
    vpc: &VpcSpec,
    region: Option<&'static Region>,
) -> Option<Network> {
    if vpc.create == Some(true) {
        for (key, present) in [
            ("id", vpc.id.is_some()),
            ("subnets", vpc.subnets.is_some()),
            ("route_tables", vpc.route_tables.is_some()),
            ("ipv6_cidr", vpc.ipv6_cidr.is_some()),
        ] {
            if present {
                p.misplaced(
                    format!("vpc.{key}"),
                    format!("`{key}` describes an existing VPC, but `create: true` makes a new one"),
                    format!("remove `{key}` to create the VPC, or remove `create: true` to use an existing one"),
                );
            }
        }
        return new_vpc(p, vpc, region);
    }
    let create_only = [
        ("azs", vpc.azs.is_some()),
        ("private_subnet_prefix", vpc.private_subnet_prefix.is_some()),
        ("public_subnets", vpc.public_subnets.is_some()),
        ("public_subnet_prefix", vpc.public_subnet_prefix.is_some()),
        ("nat", vpc.nat.is_some()),
        ("gateway_on_public", vpc.gateway_on_public.is_some()),
        ("ipv6", vpc.ipv6.is_some()),
    ];
    for (key, present) in create_only {
        if present {
            let help = if key == "ipv6" {
                "an existing VPC's IPv6 block is written as `ipv6_cidr: <block>`; `ipv6: true` asks AWS for one in a new VPC (`create: true`)"
            } else {
                "add `create: true` to create the VPC, or remove the key"
            };
            p.misplaced(
                format!("vpc.{key}"),
                format!("`{key}` only applies to a new VPC"),
                help,
            );
        }
    }
    let Some(cidr_text) = &vpc.cidr else {
        p.misplaced(
            "vpc",
            "missing `cidr`",
            "add the VPC's CIDR block, e.g. `cidr: 10.0.0.0/16`; the endpoint security group admits it",
        );
        return None;
    };
    // The security group admits the VPC's own block: one AWS could not give a VPC (`0.0.0.0/0`)
    // would open the endpoints to the world.
    let cidr = cidr(p, "vpc.cidr", cidr_text).filter(|c| vpc_block(p, "vpc.cidr", *c));
    if let Some(id) = &vpc.id {
        if !is_id(id, "vpc-") {
            p.error(
                "vpc.id",
                format!("`{id}` is not a VPC id"),
                "a VPC id looks like `vpc-0123456789abcdef0`",
            );
        }
    }
    let mut subnets = Vec::new();
    let mut by_az: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, s) in vpc.subnets.iter().flatten().enumerate() {
        let path = format!("vpc.subnets[{i}]");
        if !is_id(&s.id, "subnet-") {
            p.error(
                format!("{path}.id"),
                format!("`{}` is not a subnet id", s.id),
                "a subnet id looks like `subnet-0123456789abcdef0`",
            );
        }
        if subnets.iter().any(|x: &Subnet| x.id == s.id) {
            p.error(
                format!("{path}.id"),
                format!("subnet `{}` is listed twice", s.id),
                "remove one of them",
            );
        }
        let (zone, by_id) = match (&s.az, &s.az_id) {
            (Some(az), None) => (az, false),
            (None, Some(id)) => (id, true),
            (Some(_), Some(_)) => {
                p.misplaced(
                    format!("{path}.az_id"),
                    "a subnet names its AZ once, by `az` or by `az_id`",
                    "keep `az_id` (it names the same zone in every account) or `az`, not both",
                );
                continue;
            }
            (None, None) => {
                p.error(
                    &path,
                    format!("subnet `{}` names no Availability Zone", s.id),
                    "add `az` (e.g. `az: us-east-1a`) or `az_id` (e.g. `az_id: use1-az2`)",
                );
                continue;
            }
        };
        let key = if by_id { "az_id" } else { "az" };
        if let Some(r) = region {
            zone_of(p, &format!("{path}.{key}"), zone, by_id, r);
        }
        if let Some(first) = by_az.get(zone.as_str()) {
            p.error(
                format!("{path}.{key}"),
                format!("two subnets in AZ `{zone}`: vpc.subnets[{first}] and vpc.subnets[{i}]"),
                "an interface endpoint takes at most one subnet per AZ; keep one subnet for each AZ",
            );
        } else {
            by_az.insert(zone, i);
        }
        subnets.push(Subnet {
            id: s.id.clone(),
            az: zone.clone(),
            by_id,
        });
    }
    let mut route_tables = Vec::new();
    for (i, rt) in vpc.route_tables.iter().flatten().enumerate() {
        if !is_id(rt, "rtb-") {
            p.error(
                format!("vpc.route_tables[{i}]"),
                format!("`{rt}` is not a route table id"),
                "a route table id looks like `rtb-0123456789abcdef0`",
            );
        }
        if route_tables.contains(rt) {
            p.error(
                format!("vpc.route_tables[{i}]"),
                format!("route table `{rt}` is listed twice"),
                "remove one of them",
            );
        }
        route_tables.push(rt.clone());
    }
    let ipv6_cidr = vpc.ipv6_cidr.as_deref().and_then(|t| vpc_ipv6_block(p, t));
    Some(Network::Existing(ExistingVpc {
        id: vpc.id.clone(),
        cidr: cidr?,
        ipv6_cidr,
        subnets,
        route_tables,
    }))
}

/// Whether a zone as written in `azs:` is an AZ ID (`use1-az2`) rather than a name.
fn looks_like_az_id(zone: &str) -> bool {
    zone.contains("-az")
}

/// Check a zone of `region`, written as an AZ name or (with `by_id`) an AZ ID.
fn zone_of(p: &mut Problems, path: &str, zone: &str, by_id: bool, region: &Region) {
    if by_id {
        az_id(p, path, zone, region);
    } else {
        az(p, path, zone, region);
    }
}

fn az_id(p: &mut Problems, path: &str, id: &str, region: &Region) {
    if region.has_az_id(id) {
        return;
    }
    let shaped = id.split_once("-az").is_some_and(|(prefix, n)| {
        prefix.ends_with(|c: char| c.is_ascii_digit())
            && prefix
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
            && !n.is_empty()
            && n.bytes().all(|b| b.is_ascii_digit())
    });
    match region.az_id_prefix {
        None if shaped => p.warn(
            path,
            format!("vpcgen does not know the AZ IDs of `{}`", region.name),
            "check the ID with `aws ec2 describe-availability-zones --query 'AvailabilityZones[].ZoneId'`",
        ),
        Some(prefix) if shaped && id.starts_with(&format!("{prefix}-az")) => p.warn(
            path,
            format!("AZ ID `{id}` is not in vpcgen's list for `{}`", region.name),
            format!(
                "known AZ IDs: {}; check it with `aws ec2 describe-availability-zones`",
                region.az_ids().join(", ")
            ),
        ),
        _ => {
            let known = region.az_ids();
            p.error(
                path,
                format!("`{id}` is not an AZ ID of Region `{}`", region.name),
                if known.is_empty() {
                    "an AZ ID looks like `use1-az2`; `aws ec2 describe-availability-zones` lists the Region's".to_owned()
                } else {
                    format!("use an AZ ID of `{}`: {}", region.name, known.join(", "))
                },
            );
        }
    }
}

pub(super) fn az(p: &mut Problems, path: &str, az: &str, region: &Region) {
    if region.has_az(az) {
        return;
    }
    let belongs = az
        .strip_prefix(region.name)
        .is_some_and(|l| l.len() == 1 && l.as_bytes()[0].is_ascii_lowercase());
    if belongs {
        p.warn(
            path,
            format!("AZ `{az}` is not in vpcgen's list for `{}`", region.name),
            format!(
                "known AZs: {}; check the name with `aws ec2 describe-availability-zones`",
                region.az_names().join(", ")
            ),
        );
    } else {
        p.error(
            path,
            format!("AZ `{az}` is not in Region `{}`", region.name),
            format!(
                "use an AZ of `{}`: {}",
                region.name,
                region.az_names().join(", ")
            ),
        );
    }
}

pub(super) fn new_vpc(
    p: &mut Problems,
    vpc: &VpcSpec,
    region: Option<&'static Region>,
) -> Option<Network> {
    let Some(cidr_text) = &vpc.cidr else {
        p.misplaced(
            "vpc",
            "missing `cidr` for the new VPC",
            "add `cidr:`, e.g. `cidr: 10.0.0.0/16`",
        );
        return None;
    };
    let cidr = cidr(p, "vpc.cidr", cidr_text);
    let cidr = cidr.filter(|c| vpc_block(p, "vpc.cidr", *c));
    let region = region?;
    let mut azs_by_id = false;
    let azs: Vec<String> = match &vpc.azs {
        None => region.az_names().into_iter().take(3).collect(),
        Some(AzsSpec::Count(n)) => {
            let available = region.azs.len().min(6);
            if *n < 1 || *n > available as i64 {
                p.error(
                    "vpc.azs",
                    format!("`azs: {n}` is out of range"),
                    format!(
                        "use a count from 1 to {available} (`{}` has {} AZs that vpcgen knows)",
                        region.name,
                        region.azs.len()
                    ),
                );
                return None;
            }
            region.az_names().into_iter().take(*n as usize).collect()
        }
        Some(AzsSpec::Names(names)) => {
            if names.is_empty() || names.len() > 6 {
                p.error(
                    "vpc.azs",
                    format!("{} AZs listed", names.len()),
                    "list 1 to 6 AZ names",
                );
            }
            let by_id = names.first().is_some_and(|n| looks_like_az_id(n));
            let mut seen = BTreeSet::new();
            for (i, n) in names.iter().enumerate() {
                if looks_like_az_id(n) != by_id {
                    p.error(
                        format!("vpc.azs[{i}]"),
                        format!("`{n}` mixes AZ names and AZ IDs in one list"),
                        "list every AZ by name (`us-east-1a`) or every AZ by ID (`use1-az1`)",
                    );
                    continue;
                }
                zone_of(p, &format!("vpc.azs[{i}]"), n, by_id, region);
                if !seen.insert(n) {
                    p.error(
                        format!("vpc.azs[{i}]"),
                        format!("AZ `{n}` is listed twice"),
                        "list each AZ once",
                    );
                }
            }
            azs_by_id = by_id;
            names.clone()
        }
    };
    let public = vpc.public_subnets.unwrap_or(false);
    let nat = match vpc.nat.unwrap_or(NatSpec::None) {
        NatSpec::None => Nat::None,
        NatSpec::Single => Nat::Single,
        NatSpec::PerAz => Nat::PerAz,
    };
    if nat != Nat::None && !public {
        p.error("vpc.nat", format!("`nat: {}` needs public subnets", nat.as_str()), "NAT gateways live in public subnets: add `public_subnets: true`, or use `nat: none` (the endpoints are the way out)");
    }
    if vpc.gateway_on_public == Some(true) && !public {
        p.error(
            "vpc.gateway_on_public",
            "`gateway_on_public` needs public subnets",
            "add `public_subnets: true` or remove the key",
        );
    }
    if !public && vpc.public_subnet_prefix.is_some() {
        p.error(
            "vpc.public_subnet_prefix",
            "`public_subnet_prefix` needs public subnets",
            "add `public_subnets: true` or remove the key",
        );
    }
    let cidr = cidr?;
    let n = azs.len().max(1);
    let spread = usize::BITS - (n - 1).leading_zeros();
    let private_prefix = vpc
        .private_subnet_prefix
        .unwrap_or_else(|| (cidr.prefix_len() + spread as u8 + 1).min(28));
    let public_prefix = vpc
        .public_subnet_prefix
        .unwrap_or_else(|| private_prefix.saturating_add(2).min(28));
    for (key, prefix, set) in [
        (
            "private_subnet_prefix",
            private_prefix,
            vpc.private_subnet_prefix.is_some(),
        ),
        (
            "public_subnet_prefix",
            public_prefix,
            vpc.public_subnet_prefix.is_some(),
        ),
    ] {
        if set && (prefix < cidr.prefix_len() || prefix > 28) {
            p.error(
                format!("vpc.{key}"),
                format!("`/{prefix}` does not fit in `{cidr}`"),
                format!("use a prefix length from /{} to /28", cidr.prefix_len()),
            );
            return None;
        }
    }
    let mut wanted = vec![private_prefix; azs.len()];
    if public {
        wanted.extend(std::iter::repeat_n(public_prefix, azs.len()));
    }
    match carve(cidr, &wanted) {
        Some(nets) => {
            let (private, public) = nets.split_at(azs.len());
            Some(Network::New(NewVpc {
                cidr,
                azs,
                private: private.to_vec(),
                public: public.to_vec(),
                nat,
                gateway_on_public: vpc.gateway_on_public.unwrap_or(false),
                azs_by_id,
                ipv6: vpc.ipv6.unwrap_or(false),
            }))
        }
        None => {
            let need: u64 = wanted.iter().map(|p| 1u64 << (32 - p)).sum();
            let have = 1u64 << (32 - cidr.prefix_len());
            let fit = 32u32.saturating_sub(need.next_power_of_two().trailing_zeros());
            let what = if public {
                format!("{n} private /{private_prefix} and {n} public /{public_prefix} subnets")
            } else {
                format!("{n} private /{private_prefix} subnets")
            };
            p.error(
                "vpc.cidr",
                format!("`{cidr}` ({have} addresses) is too small for {what} ({need} addresses)"),
                if fit >= 16 {
                    format!("use a `/{fit}` or larger block, or smaller subnets with `private_subnet_prefix`")
                } else {
                    "use fewer AZs or smaller subnets with `private_subnet_prefix` / `public_subnet_prefix`".to_owned()
                },
            );
            None
        }
    }
}

/// Allocate aligned blocks of the given prefix lengths from `cidr`, in order. `None` when they
/// do not fit. Each block starts at the next address aligned to its size, so none overlap.
pub fn carve(cidr: Ipv4Net, prefixes: &[u8]) -> Option<Vec<Ipv4Net>> {
    let start = u64::from(u32::from(cidr.network()));
    let end = start + (1u64 << (32 - cidr.prefix_len()));
    let mut cursor = start;
    let mut out = Vec::new();
    for &p in prefixes {
        if p < cidr.prefix_len() || p > 32 {
            return None;
        }
        let size = 1u64 << (32 - p);
        cursor = cursor.div_ceil(size) * size;
        if cursor + size > end {
            return None;
        }
        let addr = std::net::Ipv4Addr::from(u32::try_from(cursor).ok()?);
        out.push(Ipv4Net::new(addr, p).ok()?);
        cursor += size;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carving_aligns_and_never_overlaps() {
        let cidr: Ipv4Net = "10.0.0.0/16".parse().unwrap();
        let nets = carve(cidr, &[19, 19, 19, 21, 21, 21]).unwrap();
        let text: Vec<String> = nets.iter().map(|n| n.to_string()).collect();
        assert_eq!(
            text,
            [
                "10.0.0.0/19",
                "10.0.32.0/19",
                "10.0.64.0/19",
                "10.0.96.0/21",
                "10.0.104.0/21",
                "10.0.112.0/21"
            ]
        );
        assert!(carve("10.0.0.0/28".parse().unwrap(), &[28, 28]).is_none());
    }
}
