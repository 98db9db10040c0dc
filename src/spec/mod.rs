//! The spec file as written: its text parsed into `Spec`, the YAML shape one to one, with
//! unknown keys rejected. Nothing here judges meaning (that is `model`). The stage also places
//! diagnostics: it finds where a YAML path such as `endpoints[3].policy` stands in the text, so
//! that every error points at the exact line, and turns the YAML parser's own messages (syntax,
//! wrong types, repeated keys) into diagnostics in the user's words.

mod de;
mod diagnose;
mod locate;
mod schema;

use std::collections::BTreeMap;
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::error::{Diagnostic, Error};
use crate::source::{ReadError, SpecFile};

pub use schema::json_schema;

/// Read the spec at `path`.
pub fn read(path: &Path) -> Result<SpecFile, Error> {
    let shown = crate::source::shown(path);
    SpecFile::read(path).map_err(|e| match e {
        ReadError::Io(e) => Error::io(path, "cannot read the spec", e),
        ReadError::NotUtf8 => Error::usage(format!("spec `{shown}` is not UTF-8 text")),
        ReadError::NotAFile(kind) => Error::usage_with_help(
            format!("spec `{shown}` is {kind}, not a regular file"),
            "give the path of a spec file; vpcgen reads no FIFOs or devices",
        ),
        ReadError::TooLarge(limit) => Error::usage_with_help(
            format!(
                "spec `{shown}` is larger than {} MiB, the most vpcgen reads",
                limit / (1024 * 1024)
            ),
            "a spec lists one VPC's endpoints; split a larger one into several specs",
        ),
    })
}

/// Parse a spec's YAML into its shape. Shape errors (syntax, unknown keys, wrong types) stop at
/// the first one, as the parser cannot go on past them.
pub fn parse(file: &SpecFile) -> Result<Spec, Error> {
    let fail = |d: Diagnostic| Err(error(file, vec![d]));
    if let Some(at) = diagnose::too_deep(&file.text) {
        let mut d = Diagnostic::new(
            "",
            "the YAML is nested too deeply",
            "a spec needs only a few levels of nesting; check for brackets that are never closed, or a line of `- - - ...`",
        );
        d.span = Some((at, at + 1));
        return fail(d);
    }
    if let Some((at, c)) = diagnose::first_unprintable(&file.text) {
        let mut d = Diagnostic::new(
            "",
            &format!(
                "the spec holds the control character U+{:04X}, which YAML does not allow",
                u32::from(c)
            ),
            "remove it; to put such a character in a value, write it as an escape inside double quotes (`\"\\u0007\"`)",
        );
        d.span = Some((at, at + c.len_utf8()));
        return fail(d);
    }
    // One typed pass. The free-form mappings (tags, policy documents) reject repeated keys
    // themselves, so a valid spec needs no second parse. Only a failing spec is parsed again as
    // plain YAML, to tell an empty file, a list or a scalar from a mapping with a wrong key,
    // which the typed error alone cannot.
    match serde_yaml::from_str::<Spec>(&file.text) {
        Ok(spec) => Ok(spec),
        Err(e) => match serde_yaml::from_str::<serde_yaml::Value>(&file.text) {
            Ok(serde_yaml::Value::Null) => fail(empty(file)),
            Ok(v) if !v.is_mapping() => fail(not_a_mapping(file, &v)),
            _ => fail(shape_error(file, &e)),
        },
    }
}

/// The error for `diagnostics` of `file`, each placed in the text: by its YAML path (its key for
/// misplaced keys), or its parent's when the node is missing. All paths are found in one walk
/// of the YAML events, however many diagnostics there are.
pub fn error(file: &SpecFile, mut diagnostics: Vec<Diagnostic>) -> Error {
    let wanted: Vec<(String, bool)> = diagnostics
        .iter()
        .filter(|d| d.span.is_none() && !d.path.is_empty())
        .flat_map(|d| {
            let parent = parent_path(&d.path).map(|p| (p, false));
            std::iter::once((d.path.clone(), d.at_key)).chain(parent)
        })
        .collect();
    if !wanted.is_empty() {
        let found = locate::find_all(&file.text, &wanted);
        for d in diagnostics
            .iter_mut()
            .filter(|d| d.span.is_none() && !d.path.is_empty())
        {
            d.span = found
                .get(&(d.path.clone(), d.at_key))
                .or_else(|| parent_path(&d.path).and_then(|p| found.get(&(p, false))))
                .copied();
        }
    }
    Error::located(file, diagnostics)
}

/// `endpoints[2]` for `endpoints[2].policy`, `endpoints` for `endpoints[2]`.
fn parent_path(path: &str) -> Option<String> {
    let cut = path.rfind(['.', '['])?;
    Some(path[..cut].to_owned())
}

fn empty(file: &SpecFile) -> Diagnostic {
    let message = if file.text.trim().is_empty() {
        "the spec is empty"
    } else {
        "the spec holds no keys, only comments"
    };
    let mut d = Diagnostic::new(
        "",
        message,
        "start from `vpcgen init`, which writes a commented spec that generates as-is",
    );
    if !file.text.is_empty() {
        d.span = Some((0, 0));
    }
    d
}

fn not_a_mapping(file: &SpecFile, v: &serde_yaml::Value) -> Diagnostic {
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
                diagnose::found(&diagnose::kind_of(v))
            ),
            "start from `vpcgen init`, which writes a commented spec that generates as-is",
        )
    };
    let mut d = Diagnostic::new("", &message, help);
    d.span = locate::find(&file.text, "", false);
    d
}

fn shape_error(file: &SpecFile, err: &serde_yaml::Error) -> Diagnostic {
    let full = err.to_string();
    let text = diagnose::strip_location(&full);
    // serde_yaml prefixes the YAML path of the node it was in: `endpoints[1]: unknown field`.
    let (path, message) = match text.split_once(": ") {
        Some((p, m)) if looks_like_path(p) => (p.to_owned(), m.to_owned()),
        _ => (String::new(), text.clone()),
    };
    let at = err.location().map(|l| l.index());
    let mut d = diagnose::diagnose(file, &path, &message, at);
    // An unclosed quote is found at the end of the file; its opening quote is the place to
    // show, and the parser names it in its context ("while scanning a quoted scalar at ...").
    if message.contains("while scanning a quoted scalar") {
        if let Some(start) = diagnose::context_offset(&file.text, &full) {
            d.span = Some((start, start + 1));
        }
    }
    d
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
    #[schemars(regex(pattern = crate::naming::NAME_PATTERN))]
    pub name: String,
    /// AWS Region, e.g. `us-east-1`; decides the partition and the service names.
    #[schemars(schema_with = "schema::region_schema")]
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
    #[serde(default, deserialize_with = "de::unique_keys")]
    pub tags: BTreeMap<String, TagValue>,
    /// Estimated data processed through interface endpoints per month, for cost estimates.
    #[serde(default)]
    pub traffic_gb_per_month: Option<f64>,
    /// Default IP address type of interface endpoints: `ipv4` (AWS's default), `dualstack` or
    /// `ipv6`; dual-stack and IPv6 need an IPv6 block on the VPC.
    #[serde(default)]
    pub ip_address_type: Option<IpTypeSpec>,
    /// This VPC is a hub: its interface endpoints serve the spoke VPCs too.
    #[serde(default)]
    pub hub: Option<HubSpec>,
}

/// The VPCs a hub's interface endpoints serve, and how they find them.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HubSpec {
    /// The VPCs that reach the hub's endpoints (through a transit gateway or peering).
    pub spokes: Vec<SpokeSpec>,
    /// `hosted-zones` (default): a private hosted zone per service, associated with every
    /// spoke; `route53-profile`: a Route 53 Profile the spokes associate with.
    #[serde(default)]
    pub dns: Option<HubDnsSpec>,
}

#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SpokeSpec {
    /// The spoke VPC's id.
    pub vpc_id: String,
    /// The spoke VPC's IPv4 CIDR, which the endpoint security group admits.
    pub cidr: String,
    /// The spoke's AWS account, when not the hub's: 12 digits, quoted.
    #[serde(default)]
    pub account: Option<String>,
    /// Names its resources; default: the VPC id.
    #[serde(default)]
    pub name: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum HubDnsSpec {
    HostedZones,
    #[serde(rename = "route53-profile")]
    Route53Profile,
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
    /// Existing VPC: its IPv6 block, which the endpoint security group admits.
    #[serde(default)]
    pub ipv6_cidr: Option<String>,
    /// New VPC: ask AWS for an IPv6 /56 and give every subnet a /64 of it.
    #[serde(default)]
    pub ipv6: Option<bool>,
    /// Subnets for interface endpoints, at most one per AZ (existing VPC).
    #[serde(default)]
    pub subnets: Option<Vec<SubnetSpec>>,
    /// Route tables gateway endpoints attach to (existing VPC).
    #[serde(default)]
    pub route_tables: Option<Vec<String>>,
    /// Create the VPC too.
    #[serde(default)]
    pub create: Option<bool>,
    /// New VPC: how many AZs, or their names (`us-east-1a`) or IDs (`use1-az1`).
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
    /// Its Availability Zone by name (`us-east-1a`); or give `az_id`.
    #[serde(default)]
    pub az: Option<String>,
    /// Its Availability Zone by ID (`use1-az2`), which names the same zone in every account.
    #[serde(default)]
    pub az_id: Option<String>,
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

/// An endpoint's IP address type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum IpTypeSpec {
    Ipv4,
    Dualstack,
    Ipv6,
}

/// The kind of DNS records an endpoint's names get.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
pub enum DnsIpTypeSpec {
    Ipv4,
    Dualstack,
    Ipv6,
    ServiceDefined,
}

/// A fixed address for an endpoint's network interface in one subnet: an IPv4 address, or
/// `{ipv4, ipv6}`.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum FixedIpSpec {
    V4(String),
    Both {
        #[serde(default)]
        ipv4: Option<String>,
        #[serde(default)]
        ipv6: Option<String>,
    },
}

/// A route that sends traffic through a Gateway Load Balancer endpoint.
#[derive(Debug, Clone, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RouteSpec {
    /// A route table of the VPC (an id, or `private-<az>`, `public` of a new VPC).
    pub route_table: String,
    /// The destination CIDR, IPv4 or IPv6.
    pub destination: String,
    /// The AZ whose endpoint is the route's target; one of the endpoint's subnets is there.
    pub az: String,
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
    Long(Box<EndpointSpec>),
}

#[derive(Debug, Clone, Default, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EndpointSpec {
    /// Catalogue key of the service.
    #[serde(default)]
    #[schemars(schema_with = "schema::service_schema")]
    pub service: Option<String>,
    /// A workload preset that expands to several endpoints.
    #[serde(default)]
    #[schemars(schema_with = "schema::preset_schema")]
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
    /// The endpoint's own name: required for endpoint services, Gateway Load Balancer,
    /// resource and service-network endpoints, whose resources it names.
    #[serde(default)]
    pub name: Option<String>,
    /// An endpoint service (your own, a partner's or an AWS Marketplace one):
    /// `com.amazonaws.vpce.<region>.vpce-svc-<17 hex digits>`.
    #[serde(default)]
    pub endpoint_service: Option<String>,
    /// TCP ports the security group admits to this endpoint (endpoint services, resource and
    /// service-network endpoints); default `[443]`.
    #[serde(default)]
    pub ports: Option<Vec<u16>>,
    /// Interface endpoints: the Region the service is offered from, when not the VPC's own
    /// (cross-Region PrivateLink).
    #[serde(default)]
    #[schemars(schema_with = "schema::optional_region_schema")]
    pub service_region: Option<String>,
    /// `ipv4`, `dualstack` or `ipv6`; default: the spec's `ip_address_type`.
    #[serde(default)]
    pub ip_address_type: Option<IpTypeSpec>,
    /// `ipv4`, `dualstack`, `ipv6` or `service-defined`: the records of the endpoint's names.
    #[serde(default)]
    pub dns_record_ip_type: Option<DnsIpTypeSpec>,
    /// Interface endpoints: fixed addresses, by subnet id (or AZ of a new VPC).
    #[serde(default, deserialize_with = "de::unique_keys_opt")]
    pub fixed_ips: Option<BTreeMap<String, FixedIpSpec>>,
    /// A Gateway Load Balancer endpoint service: `com.amazonaws.vpce.<region>.vpce-svc-...`.
    #[serde(default)]
    pub gateway_load_balancer: Option<String>,
    /// Gateway Load Balancer endpoints: routes that send traffic through the endpoint.
    #[serde(default)]
    pub routes: Option<Vec<RouteSpec>>,
    /// A resource endpoint: the ARN of a VPC Lattice resource configuration.
    #[serde(default)]
    pub resource_configuration: Option<String>,
    /// A service-network endpoint: the ARN of a VPC Lattice service network.
    #[serde(default)]
    pub service_network: Option<String>,
}

/// A policy: a preset name or an IAM policy document written as YAML.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum PolicySpec {
    Named(String),
    Document(serde_json::Value),
}

/// `azs: 3` or `azs: [us-east-1a, us-east-1b]`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum AzsSpec {
    Count(i64),
    Names(Vec<String>),
}

/// A tag value: any YAML scalar. A number or boolean is kept in the form YAML gives it, which
/// `model` compares with the text as written (`1.10` is the number 1.1).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TagValue {
    pub text: String,
    /// Read as a number or a boolean rather than as text.
    #[serde(skip)]
    pub typed: bool,
}

impl TagValue {
    /// A tag value written as text.
    pub fn text(text: impl Into<String>) -> Self {
        TagValue {
            text: text.into(),
            typed: false,
        }
    }

    fn typed(text: String) -> Self {
        TagValue { text, typed: true }
    }
}

/// The text of the scalar at `path` as the spec writes it (quotes and all), when it is there.
pub fn written(file: &SpecFile, path: &str) -> Option<String> {
    locate::find(&file.text, path, false).map(|(s, e)| file.text[s..e].to_owned())
}

/// `written` for many paths, in one walk of the spec: the text of each scalar that is there,
/// by path.
pub fn written_all(
    file: &SpecFile,
    paths: impl IntoIterator<Item = String>,
) -> std::collections::HashMap<String, &str> {
    let wanted: Vec<(String, bool)> = paths.into_iter().map(|p| (p, false)).collect();
    locate::find_all(&file.text, &wanted)
        .into_iter()
        .map(|((path, _), (s, e))| (path, &file.text[s..e]))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str = "name: x\nregion: us-east-1\nvpc:\n  cidr: 10.0.0.0/16\nendpoints:\n  - s3\n  - service: logs\n    policy: org-only\n";

    #[test]
    fn locates_list_items_and_keys() {
        let f = |path: &str, key: bool| locate::find(TEXT, path, key);
        let (s, e) = f("endpoints[0]", false).unwrap();
        assert_eq!(&TEXT[s..e], "s3");
        let (s, e) = f("endpoints[1].policy", false).unwrap();
        assert_eq!(&TEXT[s..e], "org-only");
        let (s, e) = f("endpoints[1].policy", true).unwrap();
        assert_eq!(&TEXT[s..e], "policy");
        assert!(f("endpoints[5]", false).is_none());
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
            diagnose::strip_location("found x at line 2 column 1, while scanning a quoted scalar"),
            "found x, while scanning a quoted scalar"
        );
        assert_eq!(
            diagnose::strip_location("tags: invalid type: map at line 10 column 3"),
            "tags: invalid type: map"
        );
        assert_eq!(diagnose::strip_location("no position"), "no position");
        assert_eq!(
            diagnose::strip_location("x at line 3 column 1, while y at line 2 column 9"),
            "x, while y"
        );
        let text = "a: 1\nb: \"é\n";
        let message =
            "end of stream at line 3 column 1, while scanning a quoted scalar at line 2 column 4";
        assert_eq!(diagnose::context_offset(text, message), Some(8));
    }

    #[test]
    fn a_key_written_twice_deep_in_a_policy_document_is_an_error() {
        let text = format!(
            "{TEXT}policy:\n  Statement:\n    - Effect: Allow\n      Action: \"*\"\n      Effect: Deny\n"
        );
        let err = parse(&SpecFile::new("a.yaml", text)).unwrap_err();
        let shown = crate::error::render(&err, false);
        assert!(
            shown.contains("policy.Statement[0].Effect: key `Effect` appears twice"),
            "{shown}"
        );
        // The same document with distinct keys parses, in the order written.
        let text =
            format!("{TEXT}policy:\n  Statement:\n    - Effect: Allow\n      Action: \"*\"\n");
        let spec = parse(&SpecFile::new("a.yaml", text)).unwrap();
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
        let err = parse(&SpecFile::new("a.yaml", text)).unwrap_err();
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
            let err = parse(&SpecFile::new("a.yaml", text)).unwrap_err();
            let shown = crate::error::render(&err, false);
            assert!(shown.contains("is indented deeper than"), "{shown}");
            assert!(shown.contains(want), "{shown}");
        }
    }

    #[test]
    fn finds_nesting_no_spec_needs() {
        assert_eq!(diagnose::too_deep("a: [[b]]\n"), None);
        let deep = format!("a: {}", "[".repeat(101));
        assert_eq!(diagnose::too_deep(&deep), Some(103));
        // Brackets in quotes and comments do not count.
        let quoted = format!(
            "a: '{}'\nb: \"{}\" # {}",
            "[".repeat(200),
            "{".repeat(200),
            "[".repeat(200)
        );
        assert_eq!(diagnose::too_deep(&quoted), None);
        // Block list items opened on one line nest as deeply.
        let dashes = format!("endpoints:\n  {}x\n", "- ".repeat(150));
        assert_eq!(diagnose::too_deep(&dashes), Some(13 + 2 * 100));
        assert_eq!(
            diagnose::too_deep("endpoints:\n  - - x\n  - y-z\n  - - - w\n"),
            None
        );
    }

    #[test]
    fn parses_all_endpoint_forms() {
        let spec = parse(&SpecFile::new("a.yaml", TEXT)).unwrap();
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
