//! Endpoint policies: a preset (`full-access`, `org-only`) or an IAM policy document, checked
//! for what AWS would reject (unknown elements, a missing `Principal`, the size limit).

use super::{PolicyChoice, Problems, join_names};
use crate::error::suggest;
use crate::spec::PolicySpec;

pub const POLICY_PRESETS: &[&str] = &["full-access", "org-only"];
/// The elements of an IAM policy document and of one of its statements.
const POLICY_ELEMENTS: &[&str] = &["Version", "Id", "Statement"];
const STATEMENT_ELEMENTS: &[&str] = &[
    "Sid",
    "Effect",
    "Principal",
    "NotPrincipal",
    "Action",
    "NotAction",
    "Resource",
    "NotResource",
    "Condition",
];
/// The largest endpoint policy AWS accepts, in characters.
pub const POLICY_MAX_CHARS: usize = 20_480;

/// A JSON value's kind, as a message names it.
fn json_kind(v: &serde_json::Value) -> &'static str {
    match v {
        serde_json::Value::Null => "an empty value",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "text",
        serde_json::Value::Array(_) => "a list of other things",
        serde_json::Value::Object(_) => "a mapping",
    }
}

/// The first CloudFormation intrinsic (`Ref`, `Fn::Sub`, ...) in a policy document: its path and
/// its name.
fn intrinsic(v: &serde_json::Value, path: &str) -> Option<(String, String)> {
    match v {
        serde_json::Value::Object(map) => map.iter().find_map(|(k, x)| {
            if k == "Ref" || k == "Condition" && x.is_string() || k.starts_with("Fn::") {
                Some((format!("{path}.{k}"), k.clone()))
            } else {
                intrinsic(x, &format!("{path}.{k}"))
            }
        }),
        serde_json::Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, x)| intrinsic(x, &format!("{path}[{i}]"))),
        _ => None,
    }
}

pub(super) fn policy(
    p: &mut Problems,
    path: &str,
    policy: &PolicySpec,
    has_org: bool,
) -> Option<PolicyChoice> {
    match policy {
        PolicySpec::Named(name) => match name.as_str() {
            "full-access" => Some(PolicyChoice::FullAccess),
            "org-only" => {
                if !has_org {
                    p.error(
                        path,
                        "`org-only` needs `org_id`, the id of your AWS organization",
                        "add `org_id:` at the top level, e.g. `org_id: o-a1b2c3d4e5` (`aws organizations describe-organization` shows it)",
                    );
                }
                Some(PolicyChoice::OrgOnly)
            }
            other => {
                let help = match suggest(other, POLICY_PRESETS.iter().copied()) {
                    Some(best) => format!("did you mean `{best}`? policies are `full-access`, `org-only`, or a policy document"),
                    None => "policies are `full-access`, `org-only`, or a policy document written as YAML".to_owned(),
                };
                p.error(path, format!("unknown policy `{other}`"), help);
                None
            }
        },
        PolicySpec::Document(doc) => {
            document(p, path, doc).then(|| PolicyChoice::Custom(doc.clone()))
        }
    }
}

/// Keys of `obj` that are not among `known`, each reported with the closest known key; returns
/// the known keys suggested, so that "missing `Effect`" is not said about `Efect`.
pub(super) fn unknown_elements(
    p: &mut Problems,
    path: &str,
    obj: &serde_json::Map<String, serde_json::Value>,
    known: &[&'static str],
    what: &str,
) -> Vec<&'static str> {
    let mut suggested = Vec::new();
    for key in obj.keys().filter(|k| !known.contains(&k.as_str())) {
        let best = suggest(key, known.iter().copied())
            .or_else(|| known.iter().copied().find(|k| k.eq_ignore_ascii_case(key)));
        let list = join_names(known);
        let help = match best {
            Some(b) => {
                suggested.push(b);
                format!("did you mean `{b}`? {what} has {list}; names are case-sensitive")
            }
            None => format!("{what} has {list}"),
        };
        p.misplaced(
            format!("{path}.{key}"),
            format!("unknown policy element `{key}`"),
            help,
        );
    }
    suggested
}

pub(super) fn document(p: &mut Problems, path: &str, doc: &serde_json::Value) -> bool {
    let before = p.diags.len();
    let suggested = match doc.as_object() {
        Some(obj) => unknown_elements(p, path, obj, POLICY_ELEMENTS, "a policy document"),
        None => Vec::new(),
    };
    if let Some(v) = doc.get("Version") {
        if v != "2012-10-17" && v != "2008-10-17" {
            p.error(
                format!("{path}.Version"),
                format!(
                    "unknown policy language version `{}`",
                    v.as_str().map_or_else(|| v.to_string(), str::to_owned)
                ),
                "use `Version: \"2012-10-17\"`",
            );
        }
    }
    let statements: Vec<&serde_json::Value> = match doc.get("Statement") {
        Some(serde_json::Value::Array(list)) if !list.is_empty() => list.iter().collect(),
        Some(obj @ serde_json::Value::Object(_)) => vec![obj],
        _ => {
            if !suggested.contains(&"Statement") {
                p.error(path, "the policy document has no `Statement`", "add `Statement:` with a list of statements (Effect, Principal, Action, Resource)");
            }
            return false;
        }
    };
    for (i, st) in statements.iter().enumerate() {
        let sp = if doc.get("Statement").is_some_and(|s| s.is_array()) {
            format!("{path}.Statement[{i}]")
        } else {
            format!("{path}.Statement")
        };
        let Some(obj) = st.as_object() else {
            p.error(
                &sp,
                "a statement must be a mapping",
                "write Effect, Principal, Action and Resource keys",
            );
            continue;
        };
        let suggested = unknown_elements(p, &sp, obj, STATEMENT_ELEMENTS, "a statement");
        match obj.get("Effect") {
            Some(e) if e == "Allow" || e == "Deny" => {}
            Some(e) => p.error(
                format!("{sp}.Effect"),
                format!(
                    "`{}` is not an effect",
                    e.as_str().map_or_else(|| e.to_string(), str::to_owned)
                ),
                "write `Allow` or `Deny`, capitalised",
            ),
            None if suggested.contains(&"Effect") => {}
            None => p.error(
                &sp,
                "a statement needs `Effect: Allow` or `Effect: Deny`",
                "add `Effect: Allow`",
            ),
        }
        let named = |keys: [&str; 2]| {
            keys.iter()
                .any(|k| obj.contains_key(*k) || suggested.contains(k))
        };
        if !named(["Principal", "NotPrincipal"]) {
            p.error(&sp, "endpoint policy statements must name a `Principal`", "add `Principal: \"*\"` and restrict with a `Condition` (AWS rejects endpoint policies without one)");
        }
        if !named(["Action", "NotAction"]) {
            p.error(
                &sp,
                "a statement needs `Action`",
                "add `Action:` with the allowed actions, e.g. `s3:GetObject`",
            );
        }
        // IAM reads these elements as text, or lists of text: a number or a nested list is a
        // document AWS refuses.
        for key in ["Action", "NotAction", "Resource", "NotResource"] {
            let Some(v) = obj.get(key) else { continue };
            let text = |v: &serde_json::Value| v.is_string();
            let ok = text(v)
                || v.as_array()
                    .is_some_and(|l| !l.is_empty() && l.iter().all(text));
            if !ok {
                p.error(
                    format!("{sp}.{key}"),
                    format!("`{key}` must be text or a list of text, not {}", json_kind(v)),
                    format!("quote it, e.g. `{key}: \"s3:GetObject\"`, or list several as `[\"a\", \"b\"]`"),
                );
            }
        }
    }
    if let Some(at) = intrinsic(doc, path) {
        p.error(
            &at.0,
            format!("`{}` is a CloudFormation function, which a policy document here cannot hold", at.1),
            "vpcgen writes the document as data for both targets, where it would be a function in CloudFormation and text in Terraform: write the values out",
        );
    }
    let size = serde_json::to_string(doc).map_or(0, |s| s.len());
    if size > POLICY_MAX_CHARS {
        p.error(
            path,
            format!("the policy has {size} characters; AWS accepts at most {POLICY_MAX_CHARS}"),
            "shorten the policy, e.g. with wildcards in actions",
        );
    }
    p.diags.len() == before
}
