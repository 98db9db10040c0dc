//! The one place identifiers are made: Terraform resource names, CloudFormation logical ids and
//! `Name` tags, all derived from catalogue keys so that adding or removing one service never
//! renames another.

use std::sync::Arc;

use heck::{ToKebabCase, ToSnakeCase, ToUpperCamelCase};
use serde::Serialize;

use crate::aws::{EndpointType, Service};
use crate::memo;

/// The names of one thing in each target.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct Ident {
    /// Terraform resource name (`ecr_api`).
    pub tf: String,
    /// CloudFormation logical id stem (`EcrApi`); templates append `Endpoint`.
    pub cfn: String,
    /// Kebab-case stem for `Name` tags (`ecr-api`).
    pub kebab: String,
}

/// Terraform identifier: lowercase, underscores, never starting with a digit.
pub fn tf_ident(text: &str) -> String {
    let s = text.to_snake_case();
    if s.starts_with(|c: char| c.is_ascii_digit()) {
        format!("_{s}")
    } else {
        s
    }
}

/// CloudFormation logical id: ASCII letters and digits only.
pub fn cfn_logical_id(text: &str) -> String {
    text.to_upper_camel_case()
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .collect()
}

pub fn kebab(text: &str) -> String {
    text.to_kebab_case()
}

/// An endpoint is named after its service key; the type is added only when it is not the
/// service's default (`s3` is the gateway, `s3_interface` the interface endpoint).
pub fn endpoint(service: &'static Service, kind: EndpointType) -> Arc<Ident> {
    // The names depend only on the catalogue entry and the type, so every plan of a thread
    // shares one copy rather than converting the case again.
    memo::remember((service.key, kind), |_| {
        Arc::new(endpoint_named(service, kind))
    })
}

/// The names of an endpoint with key `key`: a catalogue service's (as `endpoint`), or those of
/// the `name` the spec gives it, which are the name's alone.
pub fn endpoint_ident(
    key: &str,
    service: Option<&'static Service>,
    kind: EndpointType,
) -> Arc<Ident> {
    match service {
        Some(s) if s.key == key => endpoint(s, kind),
        _ => memo::remember(NamedEndpoint(key.to_owned()), |n| {
            Arc::new(Ident {
                tf: tf_ident(&n.0),
                cfn: cfn_logical_id(&n.0),
                kebab: kebab(&n.0),
            })
        }),
    }
}

/// A named endpoint's `name`, as the key of its remembered identifiers.
#[derive(PartialEq, Eq, Hash)]
struct NamedEndpoint(String);

fn endpoint_named(service: &Service, kind: EndpointType) -> Ident {
    let stem = if kind == service.default_type() {
        service.key.to_owned()
    } else {
        format!("{} {}", service.key, kind.lower())
    };
    Ident {
        tf: tf_ident(&stem),
        cfn: cfn_logical_id(&stem),
        kebab: kebab(&stem),
    }
}

/// A security-group rule: protocol, ports and source, e.g. `tcp_443_from_vpc`. Nearly every
/// spec has the same few rules, so each thread remembers their names as it does endpoints'.
pub fn rule(from: u16, to: u16, source: &str) -> Ident {
    memo::remember((from, to, source.to_owned()), |(from, to, source)| {
        rule_named(*from, *to, source)
    })
}

fn rule_named(from: u16, to: u16, source: &str) -> Ident {
    let ports = if from == to {
        from.to_string()
    } else {
        format!("{from}-{to}")
    };
    let stem = format!("tcp {ports} from {source}");
    Ident {
        tf: tf_ident(&stem),
        cfn: cfn_logical_id(&stem),
        kebab: kebab(&stem),
    }
}

/// The longest spec name: it prefixes every `Name` tag and the security group's name.
pub const NAME_MAX: usize = 40;

/// The name rule as a regular expression, for the JSON Schema (a test holds it to
/// `name_problem`).
pub const NAME_PATTERN: &str = r"^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$";

/// What is wrong with a spec name, and the fix, or `None` for a good name: lowercase letters,
/// digits and hyphens, starting with a letter, not ending with a hyphen, at most `NAME_MAX`
/// characters.
pub fn name_problem(name: &str) -> Option<(String, String)> {
    let ok = name.len() <= NAME_MAX
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.ends_with('-');
    if ok {
        return None;
    }
    let chars = name.chars().count();
    if chars > NAME_MAX {
        return Some((
            format!("`{name}` is {chars} characters long; a name has at most {NAME_MAX}"),
            format!(
                "shorten it to {NAME_MAX} characters or fewer; it names and tags every resource"
            ),
        ));
    }
    let fixed: String = name
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    let fixed = fixed.trim_matches('-');
    let example = if fixed.starts_with(|c: char| c.is_ascii_lowercase()) {
        format!(", e.g. `{fixed}`")
    } else {
        String::new()
    };
    Some((
        format!("`{name}` is not a valid name"),
        format!(
            "use lowercase letters, digits and hyphens, starting with a letter and not ending with a hyphen, at most {NAME_MAX} characters{example}"
        ),
    ))
}

/// The `Name` tag of a resource of the spec `name`.
pub fn name_tag(spec_name: &str, stem: &str) -> String {
    format!("{spec_name}-{stem}")
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;
    use crate::aws;

    #[test]
    fn identifiers_follow_keys() {
        assert_eq!(tf_ident("ecr.api"), "ecr_api");
        assert_eq!(cfn_logical_id("ecr.api"), "EcrApi");
        assert_eq!(tf_ident("s3-global.accesspoint"), "s3_global_accesspoint");
        assert_eq!(
            cfn_logical_id("sagemaker.runtime-fips"),
            "SagemakerRuntimeFips"
        );
        let s3 = aws::service("s3").unwrap();
        assert_eq!(endpoint(s3, EndpointType::Gateway).tf, "s3");
        assert_eq!(endpoint(s3, EndpointType::Interface).tf, "s3_interface");
        assert_eq!(endpoint(s3, EndpointType::Interface).cfn, "S3Interface");
    }

    #[test]
    fn no_two_catalogue_endpoints_share_a_name() {
        let mut tf = BTreeSet::new();
        let mut cfn = BTreeSet::new();
        for s in aws::services() {
            for kind in [EndpointType::Gateway, EndpointType::Interface] {
                if s.offers(kind) {
                    let id = endpoint(s, kind);
                    assert!(tf.insert(id.tf.clone()), "terraform name clash: {}", id.tf);
                    assert!(cfn.insert(id.cfn.clone()), "logical id clash: {}", id.cfn);
                }
            }
        }
    }
}
