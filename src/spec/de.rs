//! How the spec's YAML is read into its shape where serde's derives would say the wrong thing:
//! one-word enums that name the allowed words, endpoint items written as a key or a mapping,
//! policies as a preset name or a document, `azs` as a count or a list, and free-form mappings
//! (tags, policy documents) that refuse a key written twice.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;
use std::fmt;

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};

use super::{
    AzsSpec, DnsIpTypeSpec, EndpointItem, EndpointSpec, FixedIpSpec, IpTypeSpec, NatSpec,
    PolicySpec, TagValue, TypeSpec,
};

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
                    .map(|long| EndpointItem::Long(Box::new(long)))
            }
        }
        d.deserialize_any(V)
    }
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

/// The error for a key written twice in one mapping. The typed structs reject a repeated field
/// themselves; free-form mappings would keep the last value silently, so they say it in the words
/// the diagnostics recognise.
fn repeated<E: de::Error>(key: &str) -> E {
    E::custom(format_args!("duplicate entry with key \"{key}\""))
}

/// A free-form mapping of text keys (`tags`) that rejects a key written twice.
pub(super) fn unique_keys<'de, D, V>(d: D) -> Result<BTreeMap<String, V>, D::Error>
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

/// `unique_keys` for a mapping that may be absent.
pub(super) fn unique_keys_opt<'de, D, V>(d: D) -> Result<Option<BTreeMap<String, V>>, D::Error>
where
    D: Deserializer<'de>,
    V: Deserialize<'de>,
{
    unique_keys(d).map(Some)
}

impl Word for IpTypeSpec {
    const NAMES: &'static [&'static str] = &["ipv4", "dualstack", "ipv6"];
    const EXPECTING: &'static str = "`ipv4`, `dualstack` or `ipv6`";
    fn from_word(word: &str) -> Option<Self> {
        match word {
            "ipv4" => Some(IpTypeSpec::Ipv4),
            "dualstack" => Some(IpTypeSpec::Dualstack),
            "ipv6" => Some(IpTypeSpec::Ipv6),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for IpTypeSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_word(d)
    }
}

impl Word for DnsIpTypeSpec {
    const NAMES: &'static [&'static str] = &["ipv4", "dualstack", "ipv6", "service-defined"];
    const EXPECTING: &'static str = "`ipv4`, `dualstack`, `ipv6` or `service-defined`";
    fn from_word(word: &str) -> Option<Self> {
        match word {
            "ipv4" => Some(DnsIpTypeSpec::Ipv4),
            "dualstack" => Some(DnsIpTypeSpec::Dualstack),
            "ipv6" => Some(DnsIpTypeSpec::Ipv6),
            "service-defined" => Some(DnsIpTypeSpec::ServiceDefined),
            _ => None,
        }
    }
}

impl<'de> Deserialize<'de> for DnsIpTypeSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        deserialize_word(d)
    }
}

impl<'de> Deserialize<'de> for FixedIpSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Both {
            #[serde(default)]
            ipv4: Option<String>,
            #[serde(default)]
            ipv6: Option<String>,
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = FixedIpSpec;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an IPv4 address, or a mapping with `ipv4` and/or `ipv6`")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(FixedIpSpec::V4(v.to_owned()))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Both::deserialize(de::value::MapAccessDeserializer::new(map)).map(|b| {
                    FixedIpSpec::Both {
                        ipv4: b.ipv4,
                        ipv6: b.ipv6,
                    }
                })
            }
        }
        d.deserialize_any(V)
    }
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
                // Not-a-number and infinities have no JSON form; null in their place would
                // change the document without a word.
                serde_json::Number::from_f64(v)
                    .map(|n| UniqueJson(J::Number(n)))
                    .ok_or_else(|| {
                        E::custom(format_args!(
                            "a policy value `{v}` is a number with no JSON form; quote it if it is text"
                        ))
                    })
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

impl<'de> Deserialize<'de> for TagValue {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = TagValue;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a tag value (text, number or boolean)")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(TagValue::text(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(TagValue::typed(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(TagValue::typed(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(TagValue::typed(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(TagValue::typed(v.to_string()))
            }
        }
        d.deserialize_any(V)
    }
}
