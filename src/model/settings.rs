//! The spec-wide settings: its name, Region and organization, the sources the security group
//! admits, tags and the traffic estimate.

use std::collections::BTreeMap;

use ipnet::Ipv4Net;

use super::{Problems, is_id, network};
use crate::aws::{self, Region};
use crate::naming;
use crate::spec::Spec;

pub(super) fn name(p: &mut Problems, name: &str) {
    if let Some((message, help)) = naming::name_problem(name) {
        p.error("name", message, help);
    }
}

pub(super) fn region(p: &mut Problems, name: &str) -> Option<&'static Region> {
    if let Some(r) = aws::region(name) {
        return Some(r);
    }
    p.error(
        "region",
        format!("unknown Region `{name}`"),
        aws::region_help(name),
    );
    None
}

pub(super) fn org_id(p: &mut Problems, org_id: Option<&str>) -> Option<String> {
    let id = org_id?;
    let ok = id.strip_prefix("o-").is_some_and(|rest| {
        (10..=32).contains(&rest.len())
            && rest
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    });
    if !ok {
        p.error(
            "org_id",
            format!("`{id}` is not an AWS Organizations id"),
            "an organization id looks like `o-a1b2c3d4e5` (`aws organizations describe-organization` shows it)",
        );
    }
    Some(id.to_owned())
}

pub(super) fn security_group(p: &mut Problems, spec: &Spec) -> (Option<Vec<Ipv4Net>>, Vec<String>) {
    let sg = &spec.security_group;
    let cidrs = sg.ingress_cidrs.as_ref().map(|list| {
        let mut out = Vec::new();
        for (i, c) in list.iter().enumerate() {
            let path = format!("security_group.ingress_cidrs[{i}]");
            if let Some(net) = network::cidr(p, &path, c) {
                if net.prefix_len() < 8 {
                    let share = match net.prefix_len() {
                        0 => "any address".to_owned(),
                        n => format!("1/{} of all IPv4 addresses", 1u64 << n),
                    };
                    p.warn(
                        &path,
                        format!("`{net}` admits {share} to the endpoints"),
                        "endpoints only need the clients' networks; narrow it to the VPC or on-premises ranges",
                    );
                }
                if out.contains(&net) {
                    p.error(&path, format!("`{net}` is listed twice"), "remove one of them");
                }
                out.push(net);
            }
        }
        out
    });
    if let Some(list) = &sg.ingress_cidrs {
        if list.is_empty() && sg.source_security_groups.is_empty() {
            p.error("security_group.ingress_cidrs", "no source can reach the interface endpoints", "list the clients' CIDRs or `source_security_groups`, or remove the key to admit the VPC CIDR");
        }
    }
    let mut groups = Vec::new();
    for (i, g) in sg.source_security_groups.iter().enumerate() {
        if !is_id(g, "sg-") {
            p.error(
                format!("security_group.source_security_groups[{i}]"),
                format!("`{g}` is not a security group id"),
                "a security group id looks like `sg-0123456789abcdef0`",
            );
        } else if groups.contains(g) {
            p.error(
                format!("security_group.source_security_groups[{i}]"),
                format!("`{g}` is listed twice"),
                "remove one of them",
            );
        }
        groups.push(g.clone());
    }
    (cidrs, groups)
}

pub(super) fn tags(p: &mut Problems, spec: &Spec) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for (k, v) in &spec.tags {
        let path = format!("tags.{k}");
        if k.is_empty() || k.chars().count() > 128 {
            p.error(
                &path,
                "a tag key must have 1 to 128 characters",
                "shorten the key",
            );
        } else if k.to_ascii_lowercase().starts_with("aws:") {
            p.error(
                &path,
                format!("tag key `{k}` uses the reserved `aws:` prefix"),
                "choose a key without the `aws:` prefix",
            );
        } else if k == "Name" {
            p.error(
                &path,
                "the `Name` tag is set by vpcgen on each resource",
                "remove it; resources are named after the spec's `name`",
            );
        } else if k == "ManagedBy" {
            p.error(
                &path,
                "the `ManagedBy` tag is set by vpcgen on each resource (`ManagedBy = vpcgen`)",
                "remove it, or use another key for your own value",
            );
        }
        if v.0.chars().count() > 256 {
            p.error(
                &path,
                "a tag value may have at most 256 characters",
                "shorten the value",
            );
        }
        out.insert(k.clone(), v.0.clone());
    }
    out
}

pub(super) fn traffic(p: &mut Problems, path: &str, gb: f64) {
    if !gb.is_finite() || gb < 0.0 {
        p.error(
            path,
            format!("`{gb}` is not a traffic estimate"),
            "give gigabytes per month as a number of 0 or more",
        );
    }
}
