//! The JSON Schema of the spec (`vpcgen schema`), for editors: the shape from the types, and the
//! words vpcgen knows from its catalogue (Regions, service keys, presets), compiled in, so the
//! schema always matches this binary.

use schemars::JsonSchema;

use super::{AzsSpec, EndpointItem, EndpointSpec, PolicySpec, Spec, TagValue};

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

pub(super) fn region_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names: Vec<&str> = crate::aws::regions().iter().map(|r| r.name).collect();
    schemars::json_schema!({ "type": "string", "enum": names })
}

/// A service key as written in `endpoints`; a named definition so the 397 keys appear once.
struct ServiceKey;

impl JsonSchema for ServiceKey {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ServiceKey".into()
    }
    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        let keys: Vec<&str> = crate::aws::services().iter().map(|s| s.key).collect();
        schemars::json_schema!({
            "description": "A catalogue key; `vpcgen services` lists them.",
            "type": "string",
            "enum": keys
        })
    }
}

pub(super) fn optional_region_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names: Vec<&str> = crate::aws::regions().iter().map(|r| r.name).collect();
    schemars::json_schema!({ "anyOf": [{ "type": "string", "enum": names }, { "type": "null" }] })
}

pub(super) fn service_schema(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let key = generator.subschema_for::<ServiceKey>();
    schemars::json_schema!({ "anyOf": [key, { "type": "null" }] })
}

pub(super) fn preset_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let names: Vec<&str> = crate::aws::presets().iter().map(|p| p.name).collect();
    schemars::json_schema!({ "anyOf": [{ "type": "string", "enum": names }, { "type": "null" }] })
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
