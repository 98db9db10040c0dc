//! The spec file as written: `SpecFile` (path and text) parsed into `Spec`, the YAML shape one to
//! one, with unknown keys rejected. Nothing here judges meaning (that is `model.rs`); this module
//! also finds where a YAML path such as `endpoints[3].policy` stands in the text, so that every
//! diagnostic can point at the exact line, and turns the YAML parser's own messages (syntax,
//! wrong types, repeated keys) into diagnostics in the user's words. It owns the JSON Schema too.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
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
        // Room for a spec of a hundred lines; a longer one grows the buffer. A batch keeps every
        // spec's text until it ends, so a short spec gives the spare room back (the allocator
        // keeps a block that is at least half used).
        let mut bytes = crate::output::read_file(path, 4 * 1024)
            .map_err(|e| Error::io(path, "cannot read the spec", e))?;
        bytes.shrink_to_fit();
        let text = String::from_utf8(bytes)
            .map_err(|_| Error::Usage(format!("spec `{}` is not UTF-8 text", path.display())))?;
        Ok(SpecFile::new(path, text))
    }

    /// The path as the user should read it in messages and headers (forward slashes).
    pub fn display_path(&self) -> String {
        crate::error::shown(&self.path)
    }

    /// Parse the YAML into its shape. Shape errors (syntax, unknown keys, wrong types) stop at the
    /// first one, as the parser cannot go on past them.
    pub fn parse(&self) -> Result<Spec, Error> {
        let fail = |d: Diagnostic| Err(Error::spec(self, vec![d]));
        if let Some(at) = shape::too_deep(&self.text) {
            let mut d = Diagnostic::new(
                "",
                "the YAML is nested too deeply",
                "a spec needs only a few levels of `[` and `{`; check for brackets that are never closed",
            );
            d.span = Some((at, at + 1));
            return fail(d);
        }
        // One typed pass. The free-form mappings (tags, policy documents) reject repeated keys
        // themselves, so a valid spec needs no second parse. Only a failing spec is parsed again
        // as plain YAML, to tell an empty file, a list or a scalar from a mapping with a wrong
        // key, which the typed error alone cannot.
        match serde_yaml::from_str::<Spec>(&self.text) {
            Ok(spec) => Ok(spec),
            Err(e) => match serde_yaml::from_str::<serde_yaml::Value>(&self.text) {
                Ok(serde_yaml::Value::Null) => fail(self.empty()),
                Ok(v) if !v.is_mapping() => fail(self.not_a_mapping(&v)),
                _ => fail(self.shape_error(&e)),
            },
        }
    }

    fn empty(&self) -> Diagnostic {
        let message = if self.text.trim().is_empty() {
            "the spec is empty"
        } else {
            "the spec holds no keys, only comments"
        };
        let mut d = Diagnostic::new(
            "",
            message,
            "start from `vpcgen init`, which writes a commented spec that generates as-is",
        );
        if !self.text.is_empty() {
            d.span = Some((0, 0));
        }
        d
    }

    fn not_a_mapping(&self, v: &serde_yaml::Value) -> Diagnostic {
        let (message, help) = if v.is_sequence() {
            (
                "the spec is a list; it must be a mapping of keys such as `name:` and `region:`"
                    .to_owned(),
                "remove the leading `- ` and un-indent the keys below it",
            )
        } else {
            (
                format!(
                    "the spec is {}; it must be a mapping of keys such as `name:` and `region:`",
                    shape::found(&shape::kind_of(v))
                ),
                "start from `vpcgen init`, which writes a commented spec that generates as-is",
            )
        };
        let mut d = Diagnostic::new("", &message, help);
        d.span = self.locate("", false);
        d
    }

    fn shape_error(&self, err: &serde_yaml::Error) -> Diagnostic {
        let full = err.to_string();
        let text = shape::strip_location(&full);
        // serde_yaml prefixes the YAML path of the node it was in: `endpoints[1]: unknown field`.
        let (path, message) = match text.split_once(": ") {
            Some((p, m)) if looks_like_path(p) => (p.to_owned(), m.to_owned()),
            _ => (String::new(), text.clone()),
        };
        let at = err.location().map(|l| l.index());
        let mut d = shape::diagnose(self, &path, &message, at);
        // An unclosed quote is found at the end of the file; its opening quote is the place to
        // show, and the parser names it in its context ("while scanning a quoted scalar at ...").
        if message.contains("while scanning a quoted scalar") {
            if let Some(start) = shape::context_offset(&self.text, &full) {
                d.span = Some((start, start + 1));
            }
        }
        d
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
    #[schemars(regex(pattern = r"^[a-z]([a-z0-9-]{0,38}[a-z0-9])?$"))]
    pub name: String,
    /// AWS Region, e.g. `us-east-1`; decides the partition and the service names.
    #[schemars(schema_with = "region_schema")]
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
    #[serde(default, deserialize_with = "unique_keys")]
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum NatSpec {
    None,
    Single,
    PerAz,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum TypeSpec {
    Gateway,
    Interface,
}

/// An enum written as one word. Derived enum deserialisers accept YAML tags and report a list or
/// a mapping as "expected a YAML tag starting with '!'"; this says which words are allowed.
trait Word: Sized {
    const NAMES: &'static [&'static str];
    const EXPECTING: &'static str;
    fn from_word(word: &str) -> Option<Self>;
}

impl Word for NatSpec {
    const NAMES: &'static [&'static str] = &["none", "single", "per-az"];
    const EXPECTING: &'static str = "`none`, `single` or `per-az`";
    fn from_word(word: &str) -> Option<Self> {
        match word {
            "none" => Some(NatSpec::None),
            "single" => Some(NatSpec::Single),
            "per-az" => Some(NatSpec::PerAz),
            _ => None,
        }
    }
}

impl Word for TypeSpec {
    const NAMES: &'static [&'static str] = &["gateway", "interface"];
    const EXPECTING: &'static str = "`gateway` or `interface`";
    fn from_word(word: &str) -> Option<Self> {
        match word {
            "gateway" => Some(TypeSpec::Gateway),
            "interface" => Some(TypeSpec::Interface),
            _ => None,
        }
    }
}

fn deserialize_word<'de, D: Deserializer<'de>, T: Word>(d: D) -> Result<T, D::Error> {
    struct V<T>(std::marker::PhantomData<T>);
    impl<T: Word> Visitor<'_> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str(T::EXPECTING)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            T::from_word(v).ok_or_else(|| E::unknown_variant(v, T::NAMES))
        }
    }
    d.deserialize_str(V(std::marker::PhantomData))
}

impl<'de> Deserialize<'de> for NatSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_word(d)
    }
}

impl<'de> Deserialize<'de> for TypeSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_word(d)
    }
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
    #[schemars(schema_with = "service_schema")]
    pub service: Option<String>,
    /// A workload preset that expands to several endpoints.
    #[serde(default)]
    #[schemars(schema_with = "preset_schema")]
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
                f.write_str("a service key or a mapping with `service:` or `preset:`")
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
        let key = generator.subschema_for::<ServiceKey>();
        schemars::json_schema!({
            "description": "A catalogue key (`s3`, `ecr.api`), or a mapping with `service:` or `preset:`.",
            "anyOf": [key, long]
        })
    }
}

// Editors complete and check the words vpcgen knows from the catalogue: Regions, service keys
// and presets. The catalogue is compiled in, so the schema always matches this binary.

fn region_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names: Vec<&str> = crate::catalog::regions().iter().map(|r| r.name).collect();
    schemars::json_schema!({ "type": "string", "enum": names })
}

/// A service key as written in `endpoints`; a named definition so the 397 keys appear once.
struct ServiceKey;

impl JsonSchema for ServiceKey {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ServiceKey".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let keys: Vec<&str> = crate::catalog::services().iter().map(|s| s.key).collect();
        schemars::json_schema!({
            "description": "A catalogue key; `vpcgen services` lists them.",
            "type": "string",
            "enum": keys
        })
    }
}

fn service_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let key = generator.subschema_for::<ServiceKey>();
    schemars::json_schema!({ "anyOf": [key, { "type": "null" }] })
}

fn preset_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names: Vec<&str> = crate::catalog::presets().iter().map(|p| p.name).collect();
    schemars::json_schema!({ "anyOf": [{ "type": "string", "enum": names }, { "type": "null" }] })
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
                f.write_str("`full-access`, `org-only` or a policy document")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(PolicySpec::Named(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                UniqueJson::deserialize(de::value::MapAccessDeserializer::new(map))
                    .map(|d| PolicySpec::Document(d.0))
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

/// The error for a key written twice in one mapping. The typed structs reject a repeated field
/// themselves; free-form mappings would keep the last value silently, so they say it in the words
/// the diagnostics recognise.
fn repeated<E: de::Error>(key: &str) -> E {
    E::custom(format_args!("duplicate entry with key \"{key}\""))
}

/// A free-form mapping of text keys (`tags`) that rejects a key written twice.
fn unique_keys<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    struct Keys<V>(std::marker::PhantomData<V>);
    impl<'de, V: Deserialize<'de>> Visitor<'de> for Keys<V> {
        type Value = BTreeMap<String, V>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            // As the standard map's visitor says, so that messages do not change.
            f.write_str("a map")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut out = BTreeMap::new();
            while let Some(key) = map.next_key::<String>()? {
                let value = map.next_value()?;
                match out.entry(key) {
                    Entry::Occupied(e) => return Err(repeated(e.key())),
                    Entry::Vacant(e) => e.insert(value),
                };
            }
            Ok(out)
        }
    }
    d.deserialize_map(Keys(std::marker::PhantomData))
}

/// A policy document as JSON, rejecting a key written twice at any depth.
struct UniqueJson(serde_json::Value);

impl<'de> Deserialize<'de> for UniqueJson {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde_json::Value as J;
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = UniqueJson;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any valid JSON value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<UniqueJson, E> {
                Ok(UniqueJson(J::Bool(v)))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<UniqueJson, E> {
                Ok(UniqueJson(J::from(v)))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<UniqueJson, E> {
                Ok(UniqueJson(J::from(v)))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<UniqueJson, E> {
                // Not-a-number and infinities have no JSON form; serde_json makes them null too.
                Ok(UniqueJson(
                    serde_json::Number::from_f64(v).map_or(J::Null, J::Number),
                ))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<UniqueJson, E> {
                Ok(UniqueJson(J::String(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<UniqueJson, E> {
                Ok(UniqueJson(J::String(v)))
            }
            fn visit_unit<E: de::Error>(self) -> Result<UniqueJson, E> {
                Ok(UniqueJson(J::Null))
            }
            fn visit_none<E: de::Error>(self) -> Result<UniqueJson, E> {
                Ok(UniqueJson(J::Null))
            }
            fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<UniqueJson, D::Error> {
                UniqueJson::deserialize(d)
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<UniqueJson, A::Error> {
                let mut out = Vec::new();
                while let Some(UniqueJson(v)) = seq.next_element()? {
                    out.push(v);
                }
                Ok(UniqueJson(J::Array(out)))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<UniqueJson, A::Error> {
                let mut out = serde_json::Map::new();
                while let Some(key) = map.next_key::<String>()? {
                    let UniqueJson(value) = map.next_value()?;
                    if out.contains_key(&key) {
                        return Err(repeated(&key));
                    }
                    out.insert(key, value);
                }
                Ok(UniqueJson(J::Object(out)))
            }
        }
        d.deserialize_any(V)
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

mod shape {
    //! serde_yaml's messages turned into diagnostics in the house voice: what is wrong in the
    //! user's words (a list, a mapping, `maybe`), where, and a help line that names the fix.

    use super::{SpecFile, locate};
    use crate::error::{Diagnostic, suggest};

    /// ` at line L column C` at the start of `text`: the position and the length of the phrase.
    fn position(text: &str) -> Option<((usize, usize), usize)> {
        let rest = text.strip_prefix(" at line ")?;
        let digits = |s: &str| s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
        let line_len = digits(rest);
        let line = rest[..line_len].parse().ok()?;
        let after = rest[line_len..].strip_prefix(" column ")?;
        let col_len = digits(after);
        let col = after[..col_len].parse().ok()?;
        Some(((line, col), text.len() - after.len() + col_len))
    }

    /// serde_yaml appends ` at line L column C` to the problem and to any `, while ...` context;
    /// positions are reported on their own, so drop them from the text.
    pub fn strip_location(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(at) = rest.find(" at line ") {
            out.push_str(&rest[..at]);
            match position(&rest[at..]) {
                Some((_, len)) => rest = &rest[at + len..],
                None => {
                    out.push_str(" at line ");
                    rest = &rest[at + " at line ".len()..];
                }
            }
        }
        out.push_str(rest);
        out
    }

    /// Byte offset of the position named in the `, while ...` context of a parser message.
    pub fn context_offset(text: &str, message: &str) -> Option<usize> {
        let context = &message[message.find(", while ")?..];
        let ((line, col), _) = position(&context[context.find(" at line ")?..])?;
        let start = text
            .split_inclusive('\n')
            .take(line.checked_sub(1)?)
            .map(str::len)
            .sum::<usize>();
        let line_text = text.get(start..)?.lines().next().unwrap_or("");
        let within: usize = line_text
            .chars()
            .take(col.checked_sub(1)?)
            .map(char::len_utf8)
            .sum();
        Some(start + within)
    }

    pub fn between<'a>(s: &'a str, start: &str, end: &str) -> Option<&'a str> {
        let rest = &s[s.find(start)? + start.len()..];
        Some(&rest[..rest.find(end)?])
    }

    fn expected_names(message: &str) -> Vec<String> {
        let Some((_, rest)) = message.split_once("expected ") else {
            return Vec::new();
        };
        rest.split('`')
            .enumerate()
            .filter(|(i, _)| i % 2 == 1)
            .map(|(_, s)| s.to_owned())
            .collect()
    }

    /// The last key of a path, without list indices: `endpoints[2].policy` -> `policy`.
    fn last_key(path: &str) -> &str {
        let key = path.rsplit('.').next().unwrap_or(path);
        key.split('[').next().unwrap_or(key)
    }

    /// A plain-YAML value's kind, as serde would name it.
    pub fn kind_of(v: &serde_yaml::Value) -> String {
        use serde_yaml::Value as Y;
        match v {
            Y::Null => "unit value".to_owned(),
            Y::Bool(b) => format!("boolean `{b}`"),
            Y::Number(n) => format!("integer `{n}`"),
            Y::String(s) => format!("string {s:?}"),
            Y::Sequence(_) => "sequence".to_owned(),
            Y::Mapping(_) => "map".to_owned(),
            Y::Tagged(_) => "a tagged value".to_owned(),
        }
    }

    /// serde's description of what it found, in the user's words: `maybe`, a list, a mapping.
    pub fn found(unexpected: &str) -> String {
        for prefix in ["boolean ", "integer ", "floating point ", "char "] {
            if let Some(v) = unexpected.strip_prefix(prefix) {
                return v.to_owned();
            }
        }
        if let Some(v) = unexpected.strip_prefix("string ") {
            let inner = v.strip_prefix('"').and_then(|v| v.strip_suffix('"'));
            return format!("`{}`", inner.unwrap_or(v));
        }
        match unexpected {
            "unit value" => "an empty value".to_owned(),
            "sequence" => "a list".to_owned(),
            "map" => "a mapping".to_owned(),
            other => other.to_owned(),
        }
    }

    /// serde's description of what it wanted, in the user's words.
    fn expected(wanted: &str) -> String {
        match wanted {
            "a sequence" => "a list".to_owned(),
            "a map" => "a mapping".to_owned(),
            w if w.starts_with("struct ") => "a mapping".to_owned(),
            "a string" => "text".to_owned(),
            "u8" => "a whole number from 0 to 255".to_owned(),
            "u16" | "u32" | "u64" | "i32" | "i64" => "a whole number".to_owned(),
            "f32" | "f64" => "a number".to_owned(),
            other => other.to_owned(),
        }
    }

    pub fn diagnose(file: &SpecFile, path: &str, message: &str, at: Option<usize>) -> Diagnostic {
        let mut d = if let Some(field) = between(message, "unknown field `", "`") {
            unknown_key(path, field, message)
        } else if let Some(field) = between(message, "missing field `", "`") {
            Diagnostic::new(
                path,
                &format!("missing required key `{field}`"),
                &missing_help(field),
            )
        } else if let Some(field) = between(message, "duplicate field `", "`")
            .or_else(|| between(message, "duplicate entry with key \"", "\""))
        {
            let mut d = Diagnostic::new(
                path,
                &format!("key `{field}` appears twice"),
                "keep one of the two",
            );
            if let Some((dup_path, first, second)) = locate::first_duplicate(&file.text) {
                let (line, _) = crate::error::line_col(&file.text, first.0);
                d.help = format!("keep one of the two; the first is on line {line}");
                d.path = dup_path;
                d.span = Some(second);
            }
            d
        } else if let Some(value) = between(message, "unknown variant `", "`") {
            let names = expected_names(message);
            let help = match suggest(value, names.iter().map(String::as_str)) {
                Some(best) => format!("did you mean `{best}`?"),
                None => format!("use one of: {}", names.join(", ")),
            };
            let list = names
                .iter()
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            Diagnostic::new(
                path,
                &format!("unknown value `{value}`; expected one of {list}"),
                &help,
            )
        } else if let Some(rest) = message
            .strip_prefix("invalid type: ")
            .or_else(|| message.strip_prefix("invalid value: "))
        {
            wrong_type(path, rest)
        } else {
            syntax(file, path, message, at)
        };
        if d.span.is_none() {
            d.fallback = at;
        }
        d
    }

    fn unknown_key(path: &str, field: &str, message: &str) -> Diagnostic {
        let key_path = if path.is_empty() {
            field.to_owned()
        } else {
            format!("{path}.{field}")
        };
        let names = expected_names(message);
        let mut help = if names.is_empty() {
            "remove the key".to_owned()
        } else {
            format!("allowed keys here: {}", names.join(", "))
        };
        if let Some(best) = suggest(field, names.iter().map(String::as_str)) {
            help = format!("did you mean `{best}`? {help}");
        }
        Diagnostic::new(&key_path, &format!("unknown key `{field}`"), &help).at_key()
    }

    fn missing_help(field: &str) -> String {
        match field {
            "name" => "add `name:` at the top level, e.g. `name: payments-prod` (lowercase letters, digits and hyphens)".to_owned(),
            "region" => "add `region:` at the top level, e.g. `region: us-east-1`".to_owned(),
            "vpc" => "add `vpc:` with the VPC's `cidr`, `subnets` and `route_tables`, or `create: true` and a `cidr` for a new VPC".to_owned(),
            "endpoints" => "add `endpoints:` with the services to reach, one per line, e.g. `- s3`".to_owned(),
            "id" | "az" => "each subnet needs `id` and `az`, e.g. `{ id: subnet-0123456789abcdef0, az: us-east-1a }`".to_owned(),
            other => format!("add `{other}:`; `vpcgen init` writes a complete example"),
        }
    }

    fn wrong_type(path: &str, rest: &str) -> Diagnostic {
        let (got, wanted) = rest.split_once(", expected ").unwrap_or((rest, ""));
        let got = found(got);
        let key = last_key(path);
        let wanted = if key.ends_with("_prefix") {
            "a prefix length such as `20`".to_owned()
        } else {
            expected(wanted)
        };
        let in_list = path.ends_with(']');
        let scalar = got.starts_with('`');
        let help = if wanted == "a boolean" {
            "write `true` or `false`, without quotes".to_owned()
        } else if wanted == "a list" && key == "endpoints" {
            "write one service per line, each starting with `- `, e.g. `- s3`".to_owned()
        } else if wanted == "a list" {
            "write a list: one `- item` per line, or `[a, b]` on one line".to_owned()
        } else if wanted == "a mapping" && key == "vpc" && !in_list {
            let value = got.trim_matches('`');
            let cidr = if value.contains('/') {
                value
            } else {
                "10.0.0.0/16"
            };
            format!("write the VPC's keys on the lines below `vpc:`, indented, e.g. `cidr: {cidr}`")
        } else if wanted == "a mapping" && key == "tags" {
            "write one `key: value` per tag on the lines below `tags:`, e.g. `team: payments`"
                .to_owned()
        } else if wanted == "a mapping" && key == "subnets" {
            "write each subnet as `- { id: subnet-0123456789abcdef0, az: us-east-1a }`".to_owned()
        } else if wanted == "a mapping" {
            format!("write `key: value` pairs on the lines below `{key}:`, indented")
        } else if wanted == "text" && scalar {
            format!("put the value in quotes: `\"{}\"`", got.trim_matches('`'))
        } else if wanted == "text" {
            "write a single value on the same line as the key".to_owned()
        } else if key.ends_with("_prefix") {
            "write a prefix length from 16 to 28 without the slash; vpcgen chooses one when the key is absent".to_owned()
        } else if wanted.starts_with("a whole number") || wanted == "a number" {
            "write a number without quotes, e.g. `100`".to_owned()
        } else if wanted.starts_with("a tag value") {
            format!(
                "a tag holds one value: write it on the line of `{key}:`, or use one tag per value (e.g. `{key}-email: ...`)"
            )
        } else if wanted.ends_with("a policy document") {
            "a policy document is a mapping: write `Version: \"2012-10-17\"` and `Statement:` under `policy:`, and list the statements under `Statement:`".to_owned()
        } else if wanted.starts_with("a service key") {
            "write a catalogue key (`- s3`) or a mapping (`- service: logs`); `vpcgen services` lists the keys".to_owned()
        } else if wanted.starts_with("a number of AZs") {
            "write a count, e.g. `azs: 3`, or AZ names, e.g. `azs: [us-east-1a, us-east-1b]`"
                .to_owned()
        } else if let Some(first) = expected_names(&format!("expected {wanted}")).first() {
            format!("write one value on the line of `{key}:`, e.g. `{key}: {first}`")
        } else {
            "see the spec reference in README.md".to_owned()
        };
        Diagnostic::new(path, &format!("expected {wanted}, found {got}"), &help)
    }

    /// Where `[`/`{` nesting passes a depth no spec needs. The YAML scanner's cost grows with the
    /// square of the nesting, so thousands of open brackets would stall it for minutes before it
    /// reached its own limit; this finds them in one pass. Quotes and comments are skipped
    /// roughly, which is enough for a limit this far above real specs.
    pub fn too_deep(text: &str) -> Option<usize> {
        const LIMIT: usize = 100;
        let mut depth = 0usize;
        let mut quote: Option<char> = None;
        let mut escaped = false;
        let mut comment = false;
        let mut prev = '\n';
        for (i, c) in text.char_indices() {
            if comment {
                comment = c != '\n';
            } else if let Some(q) = quote {
                if escaped {
                    escaped = false;
                } else if q == '"' && c == '\\' {
                    escaped = true;
                } else if c == q {
                    quote = None;
                }
            } else {
                match c {
                    '#' if prev.is_whitespace() => comment = true,
                    '"' | '\'' if !prev.is_alphanumeric() => quote = Some(c),
                    '[' | '{' => {
                        depth += 1;
                        if depth > LIMIT {
                            return Some(i);
                        }
                    }
                    ']' | '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            prev = c;
        }
        None
    }

    /// The `---` line that starts a second document: after some content, or after a first `---`.
    fn second_document(text: &str) -> Option<(usize, usize)> {
        let mut at = 0;
        let mut started = false;
        for line in text.split_inclusive('\n') {
            let trimmed = line.trim_end();
            if trimmed == "---" || trimmed.starts_with("--- ") {
                if started {
                    return Some((at, at + 3));
                }
                started = true;
            } else if !trimmed.is_empty() && !trimmed.starts_with('#') {
                started = true;
            }
            at += line.len();
        }
        None
    }

    /// A key indented deeper than the plain value on the line above reads, to YAML, as more of that
    /// value, and the parser only complains at the key's `:`. Name the two lines instead.
    fn indented_too_deep(text: &str, at: usize) -> Option<Diagnostic> {
        let start = text.get(..at)?.rfind('\n').map_or(0, |i| i + 1);
        let line = text[start..].lines().next()?;
        let before: Vec<&str> = text[..start]
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#'))
            .collect();
        let above = before.last()?;
        let indent = |l: &str| l.len() - l.trim_start_matches(' ').len();
        // The key of a `key: value` line and its column, past any `- ` list markers.
        let key_of = |l: &str| -> Option<(String, usize)> {
            let mut body = l.trim_start_matches(' ');
            while let Some(rest) = body.strip_prefix('-').filter(|r| r.starts_with(' ')) {
                body = rest.trim_start_matches(' ');
            }
            let (key, value) = body.split_once(':')?;
            let column = l.len() - body.len();
            (!value.trim().is_empty()).then(|| (key.trim().to_owned(), column))
        };
        let (above_key, column) = key_of(above)?;
        if indent(line) <= column {
            return None;
        }
        let key = line.trim_start().split(':').next()?.trim();
        let key_start = start + indent(line);
        let mut d = Diagnostic::new(
            "",
            &format!("`{key}` is indented deeper than `{above_key}` on the line above"),
            &format!(
                "indent `{key}` with {column} spaces, like `{above_key}`; YAML reads a deeper line as more of the value above"
            ),
        );
        d.span = Some((key_start, key_start + key.len()));
        Some(d)
    }

    fn syntax(file: &SpecFile, path: &str, message: &str, at: Option<usize>) -> Diagnostic {
        let ch = at
            .and_then(|i| file.text.get(i..))
            .and_then(|t| t.chars().next());
        let quote_help = "quote values that start with `@`, `` ` ``, `%`, `!`, `&`, `*`, `{`, `[` or `#`, or contain `: `";
        let (msg, help): (String, String) = if message
            .starts_with("found character that cannot start any token")
        {
            match ch {
                Some('\t') => (
                    "a tab character in the indentation".to_owned(),
                    "YAML indents with spaces only: replace the tab with spaces".to_owned(),
                ),
                Some(c) => (
                    format!("a value cannot start with `{c}`"),
                    format!("put the value in quotes; {quote_help}"),
                ),
                None => (message.to_owned(), quote_help.to_owned()),
            }
        } else if message.starts_with("mapping values are not allowed") {
            if let Some(d) = at.and_then(|at| indented_too_deep(&file.text, at)) {
                return d;
            }
            (
                "unexpected `:`".to_owned(),
                "indent this key like the keys of its mapping above, or quote a value that contains `: `".to_owned(),
            )
        } else if message.starts_with("found unexpected end of stream")
            && message.contains("quoted scalar")
        {
            (
                "a quoted value is never closed".to_owned(),
                "add the closing quote at the end of the value".to_owned(),
            )
        } else if message.contains("did not find expected ',' or ']'") {
            (
                "a `[` list is not closed".to_owned(),
                "close it with `]`, with `, ` between the items".to_owned(),
            )
        } else if message.contains("did not find expected ',' or '}'") {
            (
                "a `{` mapping is not closed".to_owned(),
                "close it with `}`, with `, ` between the `key: value` pairs".to_owned(),
            )
        } else if message.starts_with("did not find expected '-' indicator") {
            (
                "this line does not continue the list above it".to_owned(),
                "start each list item with `- `, all at the same indentation".to_owned(),
            )
        } else if message.starts_with("did not find expected key")
            || message.starts_with("block sequence entries are not allowed")
        {
            (
                "this line does not fit the indentation of the lines around it".to_owned(),
                "indent the keys of one mapping to the same column, with spaces".to_owned(),
            )
        } else if message.starts_with("unknown anchor") {
            let name: String = at
                .and_then(|i| file.text.get(i..))
                .map(|t| {
                    t.chars()
                        .skip(1)
                        .take_while(|c| !c.is_whitespace() && !",]}".contains(*c))
                        .collect()
                })
                .unwrap_or_default();
            (
                format!("alias `*{name}` refers to no anchor"),
                format!("define `&{name}` on a value before this line, or write the value out"),
            )
        } else if message.contains("more than one document") {
            let mut d = Diagnostic::new(
                path,
                "the file holds more than one YAML document",
                "keep one spec per file: remove this `---` line and move what follows into another file",
            );
            d.span = second_document(&file.text);
            return d;
        } else if message.starts_with("recursion limit exceeded") {
            (
                "the YAML is nested too deeply".to_owned(),
                "a spec needs only a few levels of nesting; check the indentation".to_owned(),
            )
        } else if message.starts_with("repetition limit exceeded") {
            (
                "the YAML expands aliases too many times".to_owned(),
                "write the values out instead of repeating `*aliases`".to_owned(),
            )
        } else {
            (
                message.to_owned(),
                format!("fix the YAML syntax here: indent with spaces, and {quote_help}"),
            )
        };
        Diagnostic::new(path, &msg, &help)
    }
}

mod locate {
    //! Positions of YAML paths, from the parser's event stream.

    use saphyr_parser::{Event, Parser, Span, SpannedEventReceiver};

    enum Frame {
        Map {
            path: String,
            expecting_key: bool,
            key: Option<String>,
            /// Keys so far, with where each stands.
            seen: Vec<(String, Span)>,
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
        /// The first key repeated within one mapping: its path, first and second appearance.
        duplicate: Option<(String, Span, Span)>,
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
                    ..
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
                            seen,
                        }) = self.stack.last_mut()
                        {
                            let full = join(path, &value);
                            *expecting_key = false;
                            match seen.iter().find(|(k, _)| *k == value) {
                                Some((_, first)) => {
                                    if self.duplicate.is_none() {
                                        self.duplicate = Some((full.clone(), *first, span));
                                    }
                                }
                                None => seen.push((value.to_string(), span)),
                            }
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
                        seen: Vec::new(),
                    });
                }
                Event::SequenceStart(..) => {
                    let p = self.node_path().unwrap_or_default();
                    self.record(&p, span);
                    self.stack.push(Frame::Seq { path: p, index: 0 });
                }
                Event::Alias(..) => match self.node_path() {
                    Some(p) => self.record(&p, span),
                    // An alias used as a key: the value that follows is not a key.
                    None => {
                        if let Some(Frame::Map {
                            expecting_key, key, ..
                        }) = self.stack.last_mut()
                        {
                            *expecting_key = false;
                            *key = Some("*".to_owned());
                        }
                    }
                },
                Event::MappingEnd | Event::SequenceEnd => {
                    self.stack.pop();
                }
                _ => {}
            }
        }
    }

    fn walk<'a>(text: &str, path: &'a str, key: bool) -> Finder<'a> {
        let mut finder = Finder {
            target: path,
            want_key: key,
            stack: Vec::new(),
            found: None,
            duplicate: None,
        };
        // Event by event rather than `Parser::load`, which recurses once per nesting level and
        // overflows the stack on deeply nested input. A syntax error part-way still leaves
        // whatever was found before it.
        for event in Parser::new_from_str(text) {
            match event {
                Ok((ev, span)) => finder.on_event(ev, span),
                Err(_) => break,
            }
        }
        finder
    }

    /// Start and end byte offsets in the spec's text.
    pub type ByteRange = (usize, usize);

    fn bytes(text: &str, span: Span) -> ByteRange {
        let start = char_to_byte(text, span.start.index());
        let end = char_to_byte(text, span.end.index()).max(start);
        (start, end)
    }

    /// Byte range of `path` in `text`; with `key`, of the mapping key that names it.
    pub fn find(text: &str, path: &str, key: bool) -> Option<(usize, usize)> {
        let span = walk(text, path, key).found?;
        Some(bytes(text, span))
    }

    /// The first key that appears twice in one mapping: its path and the byte ranges of its
    /// first and second appearances.
    pub fn first_duplicate(text: &str) -> Option<(String, ByteRange, ByteRange)> {
        let (path, first, second) = walk(text, "", false).duplicate?;
        Some((path, bytes(text, first), bytes(text, second)))
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
    fn finds_both_appearances_of_a_repeated_key() {
        let text = "a: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n";
        let (path, first, second) = locate::first_duplicate(text).unwrap();
        assert_eq!(path, "b.c");
        assert_eq!((&text[first.0..first.1], first.0), ("c", 10));
        assert_eq!((&text[second.0..second.1], second.0), ("c", 24));
        assert!(locate::first_duplicate("a: 1\nb: {a: 2}\n").is_none());
    }

    #[test]
    fn drops_serde_positions_but_keeps_their_context() {
        assert_eq!(
            shape::strip_location("found x at line 2 column 1, while scanning a quoted scalar"),
            "found x, while scanning a quoted scalar"
        );
        assert_eq!(
            shape::strip_location("tags: invalid type: map at line 10 column 3"),
            "tags: invalid type: map"
        );
        assert_eq!(shape::strip_location("no position"), "no position");
        assert_eq!(
            shape::strip_location("x at line 3 column 1, while y at line 2 column 9"),
            "x, while y"
        );
        let text = "a: 1\nb: \"é\n";
        let message =
            "end of stream at line 3 column 1, while scanning a quoted scalar at line 2 column 4";
        assert_eq!(shape::context_offset(text, message), Some(8));
    }

    #[test]
    fn a_key_written_twice_deep_in_a_policy_document_is_an_error() {
        let text = format!(
            "{TEXT}policy:\n  Statement:\n    - Effect: Allow\n      Action: \"*\"\n      Effect: Deny\n"
        );
        let err = SpecFile::new("a.yaml", text).parse().unwrap_err();
        let shown = crate::error::render(&err, false);
        assert!(
            shown.contains("policy.Statement[0].Effect: key `Effect` appears twice"),
            "{shown}"
        );
        // The same document with distinct keys parses, in the order written.
        let text =
            format!("{TEXT}policy:\n  Statement:\n    - Effect: Allow\n      Action: \"*\"\n");
        let spec = SpecFile::new("a.yaml", text).parse().unwrap();
        let Some(PolicySpec::Document(doc)) = spec.policy else {
            panic!("a policy document")
        };
        assert_eq!(
            doc.to_string(),
            r#"{"Statement":[{"Effect":"Allow","Action":"*"}]}"#
        );
    }

    #[test]
    fn a_tag_written_twice_is_an_error_not_a_silent_overwrite() {
        let text = format!("{TEXT}tags:\n  team: a\n  team: b\n");
        let err = SpecFile::new("a.yaml", text).parse().unwrap_err();
        let shown = crate::error::render(&err, false);
        assert!(
            shown.contains("tags.team: key `team` appears twice"),
            "{shown}"
        );
    }

    #[test]
    fn an_over_indented_key_is_named_with_the_indent_it_needs() {
        for (text, want) in [
            (
                "vpc:\n  cidr: x\n   id: y\n",
                "indent `id` with 2 spaces, like `cidr`",
            ),
            (
                "endpoints:\n  - service: s3\n     type: gateway\n",
                "indent `type` with 4 spaces, like `service`",
            ),
        ] {
            let err = SpecFile::new("a.yaml", text).parse().unwrap_err();
            let shown = crate::error::render(&err, false);
            assert!(shown.contains("is indented deeper than"), "{shown}");
            assert!(shown.contains(want), "{shown}");
        }
    }

    #[test]
    fn finds_nesting_no_spec_needs() {
        assert_eq!(shape::too_deep("a: [[b]]\n"), None);
        let deep = format!("a: {}", "[".repeat(101));
        assert_eq!(shape::too_deep(&deep), Some(103));
        // Brackets in quotes and comments do not count.
        let quoted = format!(
            "a: '{}'\nb: \"{}\" # {}",
            "[".repeat(200),
            "{".repeat(200),
            "[".repeat(200)
        );
        assert_eq!(shape::too_deep(&quoted), None);
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
