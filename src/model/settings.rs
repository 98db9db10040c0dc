//! The spec-wide settings: its name, Region and organization, the sources the security group
//! admits, tags and the traffic estimate.

use std::collections::BTreeMap;

use ipnet::IpNet;

use super::{Network, Problems, is_id, network};
use crate::aws::{self, Region};
use crate::naming;
use crate::source::SpecFile;
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

pub(super) fn security_group(
    p: &mut Problems,
    spec: &Spec,
    network: Option<&Network>,
) -> (Option<Vec<IpNet>>, Vec<String>) {
    let sg = &spec.security_group;
    let cidrs = sg.ingress_cidrs.as_ref().map(|list| {
        let mut out = Vec::new();
        for (i, c) in list.iter().enumerate() {
            let path = format!("security_group.ingress_cidrs[{i}]");
            let Some(net) = network::any_cidr(p, &path, c) else {
                continue;
            };
            match net {
                IpNet::V4(v4) if v4.prefix_len() < 8 => {
                    let share = match v4.prefix_len() {
                        0 => "any address".to_owned(),
                        n => format!("1/{} of all IPv4 addresses", 1u64 << n),
                    };
                    p.warn(
                        &path,
                        format!("`{net}` admits {share} to the endpoints"),
                        "endpoints only need the clients' networks; narrow it to the VPC or on-premises ranges",
                    );
                }
                IpNet::V6(_) if network.is_some_and(|n| !n.has_ipv6()) => p.error(
                    &path,
                    format!("`{net}` is an IPv6 block, but the VPC has none"),
                    "give the VPC's IPv6 block as `vpc.ipv6_cidr` (existing VPC) or `vpc.ipv6: true` (new VPC), or remove the entry",
                ),
                // Checked after the VPC's own block: a wide range in a VPC without
                // IPv6 is an error, not a warning.
                IpNet::V6(v6) if v6.prefix_len() < 32 => p.warn(
                    &path,
                    format!("`{net}` admits a share of the IPv6 internet to the endpoints"),
                    "endpoints only need the clients' networks; narrow it to the VPC's IPv6 block or on-premises ranges",
                ),
                _ => {}
            }
            if out.contains(&net) {
                p.error(&path, format!("`{net}` is listed twice"), "remove one of them");
            }
            out.push(net);
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

/// The most tags an AWS resource carries; vpcgen adds `Name` and `ManagedBy` to the spec's.
const TAGS_MAX: usize = 50;

/// Characters AWS refuses in tags, and that would hide what a tag says: control characters and
/// invisible formatting (zero-width spaces, bidirectional overrides, the byte order mark).
fn unshowable(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

pub(super) fn tags(p: &mut Problems, file: &SpecFile, spec: &Spec) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    if spec.tags.len() > TAGS_MAX - 2 {
        p.error(
            "tags",
            format!(
                "{} tags; with `Name` and `ManagedBy` a resource would carry {}, and AWS allows {TAGS_MAX}",
                spec.tags.len(),
                spec.tags.len() + 2
            ),
            format!("keep at most {} tags in the spec", TAGS_MAX - 2),
        );
        return out;
    }
    // The tags' text as written is needed for a value YAML read as a number or boolean, and to
    // find a YAML tag (`!`) on one; a spec with neither, the usual case, is not walked again.
    let needed = spec.tags.values().any(|v| v.typed)
        || (!spec.tags.is_empty() && memchr::memchr(b'!', file.text.as_bytes()).is_some());
    let written = if needed {
        crate::spec::written_all(file, spec.tags.keys().map(|k| format!("tags.{k}")))
    } else {
        Default::default()
    };
    for (k, v) in &spec.tags {
        let path = format!("tags.{k}");
        for (what, text) in [("key", k.as_str()), ("value", v.text.as_str())] {
            if let Some(c) = text.chars().find(|c| unshowable(*c)) {
                p.error(
                    &path,
                    format!("the tag {what} holds the invisible or control character U+{:04X}", u32::from(c)),
                    "remove it; AWS refuses control characters in tags, and invisible ones hide what a tag says",
                );
            }
        }
        if v.typed {
            // YAML reads `1.10`, `0x1F` and `1e3` as numbers, whose text is not what was
            // written; the value must reach AWS as the user wrote it.
            let text = written.get(&path).copied();
            if text != Some(v.text.as_str()) {
                let as_written = text.unwrap_or(&v.text);
                p.error(
                    &path,
                    format!(
                        "YAML reads `{as_written}` as the value `{}`, not as the text written",
                        v.text
                    ),
                    format!("quote the value to keep it as written: `{k}: \"{as_written}\"`"),
                );
            }
        } else if written.get(&path).is_some_and(|w| w.starts_with('!')) {
            p.error(
                &path,
                "a YAML tag (`!!binary`, `!Ref`, ...) on a tag value is not read",
                "write the value as plain text",
            );
        }
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
        if v.text.chars().count() > 256 {
            p.error(
                &path,
                "a tag value may have at most 256 characters",
                "shorten the value",
            );
        }
        out.insert(k.clone(), v.text.clone());
    }
    out
}

/// The most traffic an estimate may name: an exabyte a month.
const TRAFFIC_MAX_GB: f64 = 1e9;

pub(super) fn traffic(p: &mut Problems, path: &str, gb: f64) {
    if !gb.is_finite() || !(0.0..=TRAFFIC_MAX_GB).contains(&gb) {
        p.error(
            path,
            format!("`{gb}` is not a traffic estimate"),
            "give gigabytes per month as a number from 0 to 1000000000",
        );
    }
}
