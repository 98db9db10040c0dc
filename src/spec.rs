//! The spec file as written: `SpecFile` (path and text) parsed into `Spec`, the YAML shape one to
//! one, with unknown keys rejected. Nothing here judges meaning (that is `model.rs`); this module
//! also finds where a YAML path such as `endpoints[3].policy` stands in the text, so that every
//! diagnostic can point at the exact line.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use schemars::JsonSchema;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Serialize};

use crate::error::{Diagnostic, Error};

/// A spec file: where it came from and its text.
#[derive(Debug, Clone)]
pub struct SpecFile {
    pub path: PathBuf,
    pub text: String,
}

impl SpecFile {
    pub fn new(path: impl Into<PathBuf>, text: impl Into<String>) -> Self {
        SpecFile {
            path: path.into(),
            text: text.into(),
        }
    }

    pub fn read(path: &Path) -> Result<Self, Error> {
        let bytes = std::fs::read(path).map_err(|e| Error::io(path, "cannot read the spec", e))?;
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::Usage(format!("spec `{}` is not UTF-8 text", path.display())))?;
        Ok(SpecFile::new(path, text))
    }

    /// The path as the user should read it in messages and headers (forward slashes).
    pub fn display_path(&self) -> String {
        self.path.to_string_lossy().replace('\\', "/")
    }

    /// Parse the YAML into its shape. Shape errors (syntax, unknown keys, wrong types) stop at the
    /// first one, as the parser cannot go on past them.
    pub fn parse(&self) -> Result<Spec, Error> {
        if self.text.trim().is_empty() {
            return Err(Error::spec(
                self,
                vec![Diagnostic::new(
                    "",
                    "the spec is empty",
                    "start from `vpcgen init`, which writes a commented spec that generates as-is",
                )],
            ));
        }
        serde_yaml::from_str::<Spec>(&self.text)
            .map_err(|e| Error::spec(self, vec![self.shape_error(&e)]))
    }

    fn shape_error(&self, err: &serde_yaml::Error) -> Diagnostic {
        let mut text = err.to_string();
        if let Some(at) = text.rfind(" at line ") {
            text.truncate(at);
        }
        // serde_yaml prefixes the YAML path of the node it was in: `endpoints[1]: unknown field`.
        let (path, message) = match text.split_once(": ") {
            Some((p, m)) if looks_like_path(p) => (p.to_owned(), m.to_owned()),
            _ => (String::new(), text.clone()),
        };
        let mut diag = Diagnostic::new(&path, &tidy_serde_message(&message), &shape_help(&message));
        if let Some(field) = between(&message, "unknown field `", "`") {
            let key_path = if path.is_empty() {
                field.to_owned()
            } else {
                format!("{path}.{field}")
            };
            diag.path = key_path;
            diag.at_key = true;
            if let Some(expected) = expected_fields(&message) {
                if let Some(best) =
                    crate::error::suggest(field, expected.iter().map(String::as_str))
                {
                    diag.help = format!("did you mean `{best}`? {}", diag.help);
                }
            }
        } else if let Some(variant) = between(&message, "unknown variant `", "`") {
            if let Some(expected) = expected_fields(&message) {
                if let Some(best) =
                    crate::error::suggest(variant, expected.iter().map(String::as_str))
                {
                    diag.help = format!("did you mean `{best}`?");
                }
            }
        }
        if let Some(loc) = err.location() {
            diag.fallback = Some(loc.index());
        }
        diag
    }

    /// Byte range of the node at `path` (its key when `key` is set), found by walking the YAML
    /// events with their positions. Only called when there is something to report.
    pub fn locate(&self, path: &str, key: bool) -> Option<(usize, usize)> {
        locate::find(&self.text, path, key)
    }
}

fn looks_like_path(p: &str) -> bool {
    !p.is_empty()
        && p.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '[' | ']' | '?'))
}

fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
    let rest = &s[s.find(start)? + start.len()..];
    Some(&rest[..rest.find(end)?])
}

fn expected_fields(message: &str) -> Option<Vec<String>> {
    let rest = message.split_once("expected ")?.1;
    let names: Vec<String> = rest
        .split('`')
        .enumerate()
        .filter(|(i, _)| i % 2 == 1)
        .map(|(_, s)| s.to_owned())
        .collect();
    (!names.is_empty()).then_some(names)
}

fn tidy_serde_message(message: &str) -> String {
    if let Some(field) = between(message, "unknown field `", "`") {
        return format!("unknown key `{field}`");
    }
    if let Some(field) = between(message, "missing field `", "`") {
        return format!("missing required key `{field}`");
    }
    if let Some(field) = between(message, "duplicate field `", "`") {
        return format!("key `{field}` appears twice");
    }
    message
        .replace("invalid type: ", "wrong type: ")
        .replace("unknown variant", "unknown value")
}

fn shape_help(message: &str) -> String {
    if message.contains("unknown field") {
        let expected = expected_fields(message).unwrap_or_default();
        if expected.is_empty() {
            "remove the key".to_owned()
        } else {
            format!("allowed keys here: {}", expected.join(", "))
        }
    } else if let Some(field) = between(message, "missing field `", "`") {
        format!("add `{field}:`; `vpcgen init` writes a complete example")
    } else if message.contains("duplicate field") || message.contains("duplicate entry") {
        "keep one of the two".to_owned()
    } else if message.contains("unknown variant") {
        format!(
            "use one of: {}",
            expected_fields(message).unwrap_or_default().join(", ")
        )
    } else if message.contains("did not find expected")
        || message.contains("found character that cannot start")
        || message.contains("mapping values are not allowed")
        || message.contains("could not find expected")
    {
        "fix the YAML syntax at this position (indent with spaces, quote values containing `: ` or `#`)".to_owned()
    } else {
        "see the spec reference in README.md".to_owned()
    }
}

/// The spec, as written. Field names are the YAML keys.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(
    title = "vpcgen spec",
    description = "The AWS services one VPC reaches privately."
)]
pub struct Spec {
    /// Spec format version; only 1 exists.
    #[serde(default)]
    pub version: Option<u32>,
    /// Lowercase letters, digits and hyphens; names and tags every resource.
    pub name: String,
    /// AWS Region, e.g. `us-east-1`; decides the partition and the service names.
    pub region: String,
    /// Directory of template overrides, relative to this spec file.
    #[serde(default)]
    pub templates: Option<String>,
    pub vpc: VpcSpec,
    /// Services to reach: a catalogue key, a long form, or a preset.
    pub endpoints: Vec<EndpointItem>,
    /// Default endpoint policy for every endpoint whose service accepts one.
    #[serde(default)]
    pub policy: Option<PolicySpec>,
    /// AWS Organizations id, needed by the `org-only` policy.
    #[serde(default)]
    pub org_id: Option<String>,
    #[serde(default)]
    pub security_group: SecurityGroupSpec,
    /// Tags for every resource.
    #[serde(default)]
    pub tags: BTreeMap<String, TagValue>,
    /// Estimated data processed through interface endpoints per month, for cost estimates.
    #[serde(default)]
    pub traffic_gb_per_month: Option<f64>,
}

/// An existing VPC (`id`, `cidr`, `subnets`, `route_tables`) or a new one (`create: true`).
#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct VpcSpec {
    /// Default for the VPC id input (existing VPC).
    #[serde(default)]
    pub id: Option<String>,
    /// The VPC's IPv4 CIDR.
    #[serde(default)]
    pub cidr: Option<String>,
    /// Subnets for interface endpoints, at most one per AZ (existing VPC).
    #[serde(default)]
    pub subnets: Option<Vec<SubnetSpec>>,
    /// Route tables gateway endpoints attach to (existing VPC).
    #[serde(default)]
    pub route_tables: Option<Vec<String>>,
    /// Create the VPC too.
    #[serde(default)]
    pub create: Option<bool>,
    /// New VPC: how many AZs, or their names.
    #[serde(default)]
    pub azs: Option<AzsSpec>,
    /// New VPC: prefix length of each private subnet.
    #[serde(default)]
    pub private_subnet_prefix: Option<u8>,
    /// New VPC: add public subnets and an internet gateway.
    #[serde(default)]
    pub public_subnets: Option<bool>,
    /// New VPC: prefix length of each public subnet.
    #[serde(default)]
    pub public_subnet_prefix: Option<u8>,
    /// New VPC: NAT gateways (`none`, `single`, `per-az`).
    #[serde(default)]
    pub nat: Option<NatSpec>,
    /// New VPC: attach gateway endpoints to the public route table as well.
    #[serde(default)]
    pub gateway_on_public: Option<bool>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SubnetSpec {
    pub id: String,
    pub az: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NatSpec {
    None,
    Single,
    PerAz,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TypeSpec {
    Gateway,
    Interface,
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SecurityGroupSpec {
    /// CIDRs admitted to interface endpoints; default: the VPC CIDR.
    #[serde(default)]
    pub ingress_cidrs: Option<Vec<String>>,
    /// Client security groups admitted to interface endpoints.
    #[serde(default)]
    pub source_security_groups: Vec<String>,
}

/// One item of `endpoints`.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum EndpointItem {
    /// `- s3`
    Key(String),
    /// `- service: logs` or `- preset: ssm`, with options.
    Long(EndpointSpec),
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointSpec {
    /// Catalogue key of the service.
    #[serde(default)]
    pub service: Option<String>,
    /// A workload preset that expands to several endpoints.
    #[serde(default)]
    pub preset: Option<String>,
    /// Endpoint type; chosen by the rules when absent.
    #[serde(default, rename = "type")]
    pub kind: Option<TypeSpec>,
    #[serde(default)]
    pub policy: Option<PolicySpec>,
    /// Interface endpoints: private DNS (default on).
    #[serde(default)]
    pub private_dns: Option<bool>,
    /// Gateway endpoints: a subset of `vpc.route_tables`.
    #[serde(default)]
    pub route_tables: Option<Vec<String>>,
    /// Interface endpoints: a subset of the `vpc.subnets` ids.
    #[serde(default)]
    pub subnets: Option<Vec<String>>,
    #[serde(default)]
    pub traffic_gb_per_month: Option<f64>,
}

impl<'de> Deserialize<'de> for EndpointItem {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = EndpointItem;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a service key such as `s3`, or a mapping with `service:` or `preset:`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(EndpointItem::Key(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                EndpointSpec::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(EndpointItem::Long)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for EndpointItem {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "EndpointItem".into()
    }
    fn json_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let long = generator.subschema_for::<EndpointSpec>();
        schemars::json_schema!({
            "description": "A catalogue key (`s3`, `ecr.api`), or a mapping with `service:` or `preset:`.",
            "anyOf": [{ "type": "string" }, long]
        })
    }
}

/// A policy: a preset name or an IAM policy document written as YAML.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PolicySpec {
    Named(String),
    Document(serde_json::Value),
}

impl<'de> Deserialize<'de> for PolicySpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = PolicySpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a policy preset (`full-access`, `org-only`) or a policy document mapping",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(PolicySpec::Named(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                serde_json::Value::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(PolicySpec::Document)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for PolicySpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "PolicySpec".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "description": "`full-access`, `org-only`, or an IAM policy document (Version, Statement).",
            "anyOf": [
                { "type": "string", "enum": ["full-access", "org-only"] },
                { "type": "object", "required": ["Statement"] }
            ]
        })
    }
}

/// `azs: 3` or `azs: [us-east-1a, us-east-1b]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AzsSpec {
    Count(i64),
    Names(Vec<String>),
}

impl<'de> Deserialize<'de> for AzsSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = AzsSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a number of AZs (1 to 6) or a list of AZ names")
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(AzsSpec::Count(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(AzsSpec::Count(i64::try_from(v).unwrap_or(i64::MAX)))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
                Vec::<String>::deserialize(de::value::SeqAccessDeserializer::new(seq))
                    .map(AzsSpec::Names)
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for AzsSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "AzsSpec".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "anyOf": [
                { "type": "integer", "minimum": 1, "maximum": 6 },
                { "type": "array", "items": { "type": "string" }, "minItems": 1, "maxItems": 6 }
            ]
        })
    }
}

/// A tag value: any YAML scalar, kept as the text a person wrote (`1234`, `true`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TagValue(pub String);

impl<'de> Deserialize<'de> for TagValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = TagValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a tag value (text, number or boolean)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(TagValue(v.to_owned()))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(TagValue(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(TagValue(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(TagValue(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(TagValue(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}

impl JsonSchema for TagValue {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "TagValue".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({ "type": ["string", "number", "boolean"] })
    }
}

/// The JSON Schema of the spec, for editors and validators.
pub fn json_schema() -> serde_json::Value {
    let schema = schemars::schema_for!(Spec);
    serde_json::to_value(schema).expect("a schema is JSON")
}

mod locate {
    //! Positions of YAML paths, from the parser's event stream.

    use saphyr_parser::{Event, Parser, Span, SpannedEventReceiver};

    enum Frame {
        Map {
            path: String,
            expecting_key: bool,
            key: Option<String>,
        },
        Seq {
            path: String,
            index: usize,
        },
    }

    struct Finder<'a> {
        target: &'a str,
        want_key: bool,
        stack: Vec<Frame>,
        found: Option<Span>,
    }

    fn join(parent: &str, key: &str) -> String {
        if parent.is_empty() {
            key.to_owned()
        } else {
            format!("{parent}.{key}")
        }
    }

    impl Finder<'_> {
        /// The path of the node starting now, or `None` when a mapping key is starting.
        fn node_path(&mut self) -> Option<String> {
            match self.stack.last_mut() {
                None => Some(String::new()),
                Some(Frame::Seq { path, index }) => {
                    let p = format!("{path}[{index}]");
                    *index += 1;
                    Some(p)
                }
                Some(Frame::Map {
                    path,
                    expecting_key,
                    key,
                }) => {
                    if *expecting_key {
                        None
                    } else {
                        *expecting_key = true;
                        Some(join(path, key.as_deref().unwrap_or("?")))
                    }
                }
            }
        }

        fn record(&mut self, path: &str, span: Span) {
            if self.found.is_none() && !self.want_key && path == self.target {
                self.found = Some(span);
            }
        }
    }

    impl<'i> SpannedEventReceiver<'i> for Finder<'_> {
        fn on_event(&mut self, ev: Event<'i>, span: Span) {
            match ev {
                Event::Scalar(value, ..) => match self.node_path() {
                    Some(p) => self.record(&p, span),
                    None => {
                        if let Some(Frame::Map {
                            path,
                            expecting_key,
                            key,
                        }) = self.stack.last_mut()
                        {
                            let full = join(path, &value);
                            *expecting_key = false;
                            *key = Some(value.into_owned());
                            if self.found.is_none() && self.want_key && full == self.target {
                                self.found = Some(span);
                            }
                        }
                    }
                },
                Event::MappingStart(..) => {
                    let p = self.node_path().unwrap_or_default();
                    self.record(&p, span);
                    self.stack.push(Frame::Map {
                        path: p,
                        expecting_key: true,
                        key: None,
                    });
                }
                Event::SequenceStart(..) => {
                    let p = self.node_path().unwrap_or_default();
                    self.record(&p, span);
                    self.stack.push(Frame::Seq { path: p, index: 0 });
                }
                Event::Alias(..) => {
                    if let Some(p) = self.node_path() {
                        self.record(&p, span);
                    }
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    self.stack.pop();
                }
                _ => {}
            }
        }
    }

    /// Byte range of `path` in `text`; with `key`, of the mapping key that names it.
    pub fn find(text: &str, path: &str, key: bool) -> Option<(usize, usize)> {
        let mut finder = Finder {
            target: path,
            want_key: key,
            stack: Vec::new(),
            found: None,
        };
        let mut parser = Parser::new_from_str(text);
        // A syntax error part-way still leaves whatever was found before it.
        let _ = parser.load(&mut finder, false);
        let span = finder.found?;
        let start = char_to_byte(text, span.start.index());
        let end = char_to_byte(text, span.end.index()).max(start);
        Some((start, end))
    }

    fn char_to_byte(text: &str, chars: usize) -> usize {
        text.char_indices()
            .nth(chars)
            .map_or(text.len(), |(b, _)| b)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name: x\nregion: us-east-1\nvpc:\n  cidr: 10.0.0.0/16\nendpoints:\n  - s3\n  - service: logs\n    policy: org-only\n";

    #[test]
    fn locates_list_items_and_keys() {
        let f = SpecFile::new("a.yaml", TEXT);
        let (s, e) = f.locate("endpoints[0]", false).unwrap();
        assert_eq!(&TEXT[s..e], "s3");
        let (s, e) = f.locate("endpoints[1].policy", false).unwrap();
        assert_eq!(&TEXT[s..e], "org-only");
        let (s, e) = f.locate("endpoints[1].policy", true).unwrap();
        assert_eq!(&TEXT[s..e], "policy");
        assert!(f.locate("endpoints[5]", false).is_none());
    }

    #[test]
    fn parses_all_endpoint_forms() {
        let spec = SpecFile::new("a.yaml", TEXT).parse().unwrap();
        assert!(matches!(&spec.endpoints[0], EndpointItem::Key(k) if k == "s3"));
        match &spec.endpoints[1] {
            EndpointItem::Long(l) => {
                assert_eq!(l.service.as_deref(), Some("logs"));
                assert_eq!(l.policy, Some(PolicySpec::Named("org-only".into())));
            }
            other => panic!("{other:?}"),
        }
    }
}
