//! Text and JSON listings for `vpcgen services` and `vpcgen templates list`: the catalogue,
//! presets, Regions and templates, as a newcomer reads them.

use std::path::Path;

use serde_json::json;

use crate::aws::{self, Region};
use crate::error::Error;
use crate::render::templates::{BUILTINS, Templates, is_partial};

/// A plain-text table: columns padded to their widest cell, the last one left ragged. Columns
/// listed in `right` are aligned right (amounts).
pub fn table_aligned(headers: &[&str], rows: &[Vec<String>], right: &[usize]) -> String {
    let mut widths: Vec<usize> = headers.iter().map(|h| h.len()).collect();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            widths[i] = widths[i].max(cell.chars().count());
        }
    }
    let line = |cells: &[String]| {
        let mut s = String::new();
        for (i, c) in cells.iter().enumerate() {
            if i + 1 == cells.len() {
                s.push_str(c);
            } else if right.contains(&i) {
                s.push_str(&format!("{c:>w$}  ", w = widths[i]));
            } else {
                s.push_str(&format!("{c:<w$}  ", w = widths[i]));
            }
        }
        s.trim_end().to_owned() + "\n"
    };
    let mut out = line(&headers.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    for row in rows {
        out.push_str(&line(row));
    }
    out
}

fn table(headers: &[&str], rows: &[Vec<String>]) -> String {
    table_aligned(headers, rows, &[])
}

/// Services matching `query` (a word in the key or the title), and with `cross_region` only
/// those reachable from another Region, with names in `region`.
pub fn services(query: Option<&str>, cross_region: bool, region: &Region, as_json: bool) -> String {
    let q = query.map(str::to_lowercase);
    let matches: Vec<&aws::Service> = aws::services()
        .iter()
        .filter(|s| !cross_region || s.cross_region)
        .filter(|s| {
            q.as_ref().is_none_or(|q| {
                s.key.contains(q.as_str()) || s.title.to_lowercase().contains(q.as_str())
            })
        })
        .collect();
    if as_json {
        let list: Vec<serde_json::Value> = matches
            .iter()
            .map(|s| {
                json!({
                    "key": s.key,
                    "title": s.title,
                    "types": s.types(),
                    "service_name": s.name_in(region.name, s.default_type()),
                    "ports": s.ports,
                    "policy": s.policy,
                    "private_dns": s.private_dns,
                    "cross_region": s.cross_region,
                    "ipv6": s.ipv6,
                    // What a hub's private hosted zones answer for the service here.
                    "hub_zones": aws::partition(region.partition)
                        .map(|p| {
                            s.hub_zones(region.name, p)
                                .iter()
                                .map(|z| if z.wildcard { format!("*.{}", z.name) } else { z.name.clone() })
                                .collect::<Vec<_>>()
                        })
                        .unwrap_or_default(),
                    "note": s.note,
                })
            })
            .collect();
        return serde_json::to_string_pretty(&list).expect("JSON") + "\n";
    }
    if matches.is_empty() {
        return format!(
            "no service matches `{}`; try a shorter word, or `vpcgen services` for all {}\n",
            query.unwrap_or_default(),
            aws::services().len()
        );
    }
    let rows: Vec<Vec<String>> = matches
        .iter()
        .map(|s| {
            vec![
                s.key.to_owned(),
                s.types().join("+"),
                s.name_in(region.name, s.default_type()),
                s.ports
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
                if s.policy { "yes".into() } else { "no".into() },
                if s.cross_region {
                    "yes".into()
                } else {
                    "no".into()
                },
                s.title.to_owned(),
            ]
        })
        .collect();
    let mut out = table(
        &[
            "KEY",
            "TYPES",
            "SERVICE NAME",
            "PORTS",
            "POLICY",
            "X-REGION",
            "NAME",
        ],
        &rows,
    );
    out.push_str(&format!(
        "{} of {} services; names as in {} ({}). Use the KEY in a spec's `endpoints`; X-REGION: reachable from another Region with `service_region`.\n",
        matches.len(),
        aws::services().len(),
        region.name,
        region.partition
    ));
    out
}

pub fn presets(as_json: bool) -> String {
    if as_json {
        let list: Vec<serde_json::Value> = aws::presets()
            .iter()
            .map(|p| {
                json!({
                    "name": p.name,
                    "title": p.title,
                    "endpoints": p.members.iter().map(|m| json!({"service": m.key, "type": m.kind.lower(), "reason": m.reason})).collect::<Vec<_>>(),
                })
            })
            .collect();
        return serde_json::to_string_pretty(&list).expect("JSON") + "\n";
    }
    let mut out = String::new();
    for p in aws::presets() {
        out.push_str(&format!("{}: {}\n", p.name, p.title));
        let rows: Vec<Vec<String>> = p
            .members
            .iter()
            .map(|m| {
                vec![
                    format!("  {}", m.key),
                    m.kind.lower().to_owned(),
                    m.reason.to_owned(),
                ]
            })
            .collect();
        let t = table(&["", "", ""], &rows);
        out.push_str(t.split_once('\n').map_or("", |(_, rest)| rest));
        out.push('\n');
    }
    out.push_str("Use one in a spec as `- preset: NAME`; an endpoint listed explicitly overrides the preset's.\n");
    out
}

pub fn regions(as_json: bool) -> String {
    if as_json {
        let list: Vec<serde_json::Value> = aws::regions()
            .iter()
            .map(|r| json!({"name": r.name, "title": r.title, "partition": r.partition, "azs": r.az_names()}))
            .collect();
        return serde_json::to_string_pretty(&list).expect("JSON") + "\n";
    }
    let rows: Vec<Vec<String>> = aws::regions()
        .iter()
        .map(|r| {
            vec![
                r.name.to_owned(),
                r.partition.to_owned(),
                r.azs.join(","),
                r.title.to_owned(),
            ]
        })
        .collect();
    table(&["REGION", "PARTITION", "AZS", "NAME"], &rows)
}

/// Named blocks of a template, in order of appearance.
pub fn blocks(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("{% block ") {
        rest = &rest[i + 9..];
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !name.is_empty() && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// `vpcgen templates list`: every built-in, the file it writes, its blocks, and what `dir` (if
/// given) does to it; then the files and partials `dir` adds.
pub fn templates(dir: Option<&Path>) -> Result<String, Error> {
    let user = match dir {
        Some(d) => Some(Templates::load(Some(d))?),
        None => None,
    };
    let writes = |name: &str| {
        if is_partial(name) {
            "(partial)".to_owned()
        } else {
            name.rsplit('/')
                .next()
                .unwrap_or(name)
                .trim_end_matches(".tera")
                .to_owned()
        }
    };
    let mut rows = Vec::new();
    for (name, text) in BUILTINS {
        let status = match &user {
            Some(u) if u.overridden.contains(*name) => "overridden",
            _ => "built-in",
        };
        rows.push(vec![
            name.to_string(),
            writes(name),
            status.to_owned(),
            blocks(text).join(", "),
        ]);
    }
    if let Some(u) = &user {
        for (name, output) in &u.added {
            rows.push(vec![
                name.clone(),
                output.clone(),
                "added".to_owned(),
                String::new(),
            ]);
        }
        for name in &u.partials {
            rows.push(vec![
                name.clone(),
                writes(name),
                "added".to_owned(),
                String::new(),
            ]);
        }
    }
    let mut out = table(&["TEMPLATE", "WRITES", "STATUS", "BLOCKS"], &rows);
    match (dir, &user) {
        (Some(d), Some(u)) => out.push_str(&format!(
            "{}: {} overridden, {} added file(s), {} added partial(s)\n",
            crate::source::shown(d),
            u.overridden.len(),
            u.added.len(),
            u.partials.len()
        )),
        _ => out.push_str(
            "built-ins only; pass --templates DIR to see what a template directory changes\n",
        ),
    }
    out.push_str("Extend a built-in with {% extends \"builtin/NAME\" %} and fill its blocks; see docs/templates.md.\n");
    Ok(out)
}
