//! `Spec` -> `Vpc`: the spec validated against the catalogue and the rules, with every default
//! applied once. All problems in a spec are collected and reported together; specs that generate
//! but are probably wrong get warnings (`lints`). Each part of the spec has its own checks:
//! `settings` (name, Region, organization, security group, tags), `network` (an existing or a
//! new VPC), `policy` (endpoint policies), `endpoints` (what each endpoint reaches, how, and
//! through which addresses and routes).

mod endpoints;
mod hub;
mod lints;
mod network;
mod policy;
mod settings;

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use std::net::{Ipv4Addr, Ipv6Addr};

use ipnet::{IpNet, Ipv4Net, Ipv6Net};

use crate::aws::{self, EndpointType, Partition, Region, Service};
use crate::error::{Diagnostic, Error};
use crate::source::SpecFile;
use crate::spec::Spec;

pub use hub::{Hub, HubDns, Spoke};
pub use network::carve;
pub use policy::{POLICY_MAX_CHARS, POLICY_PRESETS};

/// A validated spec: everything the plan needs, nothing left to check.
#[derive(Debug, Clone)]
pub struct Vpc {
    pub name: String,
    pub spec_path: String,
    pub region: &'static Region,
    pub partition: &'static Partition,
    pub network: Network,
    /// Sorted by key, then type.
    pub endpoints: Vec<Endpoint>,
    pub org_id: Option<String>,
    /// Sources admitted to interface endpoints (IPv4 and IPv6); `None` means the VPC's blocks.
    pub ingress_cidrs: Option<Vec<IpNet>>,
    pub source_security_groups: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub traffic_gb_per_month: Option<f64>,
    /// The spec's default IP address type of interface endpoints.
    pub ip_address_type: Option<IpAddressType>,
    /// The spoke VPCs this VPC's interface endpoints serve, when it is a hub.
    pub hub: Option<Hub>,
    /// Template overrides named in the spec, resolved against the spec's directory.
    pub templates: Option<PathBuf>,
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Clone)]
pub enum Network {
    Existing(ExistingVpc),
    New(NewVpc),
}

#[derive(Debug, Clone)]
pub struct ExistingVpc {
    pub id: Option<String>,
    pub cidr: Ipv4Net,
    /// The VPC's IPv6 block, when it has one.
    pub ipv6_cidr: Option<Ipv6Net>,
    pub subnets: Vec<Subnet>,
    pub route_tables: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    pub id: String,
    /// Its Availability Zone as the spec names it: a name, or an ID when `by_id`.
    pub az: String,
    pub by_id: bool,
}

#[derive(Debug, Clone)]
pub struct NewVpc {
    pub cidr: Ipv4Net,
    /// Full AZ names (or AZ IDs, with `azs_by_id`), in the order given (or the Region's first N).
    pub azs: Vec<String>,
    /// The spec listed the AZs by ID (`use1-az1`): subnets are placed by AZ ID.
    pub azs_by_id: bool,
    pub private: Vec<Ipv4Net>,
    /// Empty without public subnets.
    pub public: Vec<Ipv4Net>,
    pub nat: Nat,
    pub gateway_on_public: bool,
    /// AWS gives the VPC an IPv6 /56 and every subnet a /64 of it (dual-stack subnets).
    pub ipv6: bool,
}

impl Network {
    /// Whether the VPC has an IPv6 block: written for an existing VPC, asked for a new one.
    pub fn has_ipv6(&self) -> bool {
        match self {
            Network::Existing(v) => v.ipv6_cidr.is_some(),
            Network::New(v) => v.ipv6,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Nat {
    None,
    Single,
    PerAz,
}

impl Nat {
    pub fn as_str(self) -> &'static str {
        match self {
            Nat::None => "none",
            Nat::Single => "single",
            Nat::PerAz => "per-az",
        }
    }
}

#[derive(Debug, Clone)]
pub struct Endpoint {
    /// The catalogue key of the service, or the endpoint's `name` where the spec gives one
    /// (required for endpoints that reach no catalogue service). Names its resources.
    pub key: String,
    /// What the endpoint reaches.
    pub reach: Reach,
    pub kind: EndpointType,
    /// Why this type: the rule that chose it, or that the spec asked.
    pub type_reason: &'static str,
    /// The spec entry that set it (`endpoints[3]`), or the preset that brought it.
    pub path: String,
    /// `None` when the service or the endpoint type rejects endpoint policies.
    pub policy: Option<PolicyChoice>,
    /// Where the policy came from: `endpoint`, `spec default` or `vpcgen default`, or why there
    /// is none.
    pub policy_origin: &'static str,
    /// The spec-wide default policy (`org-only`, ...) that this endpoint does not get because its
    /// service accepts no policy here, or because it is an endpoint service's to decide.
    pub policy_skipped: Option<&'static str>,
    /// Always false for the types without private DNS (gateway, Gateway Load Balancer).
    pub private_dns: bool,
    /// A subset of the VPC's route tables (gateway) named on the endpoint.
    pub route_tables: Option<Vec<String>>,
    /// A subset of the VPC's subnets named on the endpoint (every type but gateway).
    pub subnets: Option<Vec<String>>,
    /// TCP ports its security group admits: the catalogue's, or the spec's `ports`.
    pub ports: Vec<u16>,
    /// Cross-Region: the Region the service is offered from, when not the VPC's.
    pub service_region: Option<&'static Region>,
    /// `None` leaves AWS's default (IPv4).
    pub ip_address_type: Option<IpAddressType>,
    pub dns_record_ip_type: Option<DnsRecordIpType>,
    /// Fixed addresses by subnet id (existing VPC) or AZ (new VPC); empty when AWS chooses.
    pub fixed_ips: BTreeMap<String, FixedIp>,
    /// Gateway Load Balancer: the routes whose target is the endpoint.
    pub routes: Vec<Route>,
    pub traffic_gb_per_month: Option<f64>,
    /// Why the endpoint exists: listed in the spec (first) and/or each preset's reason.
    pub reasons: Vec<Reason>,
}

impl Endpoint {
    /// The catalogue service it reaches, if it reaches one.
    pub fn service(&self) -> Option<&'static Service> {
        match self.reach {
            Reach::Service(s) => Some(s),
            _ => None,
        }
    }

    /// Whether it reaches the catalogue service `key` as a `kind` endpoint.
    pub fn is(&self, key: &str, kind: EndpointType) -> bool {
        self.kind == kind && self.service().is_some_and(|s| s.key == key)
    }
}

/// What an endpoint reaches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reach {
    /// An AWS service of the catalogue.
    Service(&'static Service),
    /// An endpoint service (your own, a partner's, an AWS Marketplace one), by service name.
    EndpointService(String),
    /// A Gateway Load Balancer's endpoint service, by service name.
    GatewayLoadBalancer(String),
    /// A VPC Lattice resource configuration, by ARN.
    Resource(String),
    /// A VPC Lattice service network, by ARN.
    ServiceNetwork(String),
}

/// An endpoint's IP address type (`IpAddressType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum IpAddressType {
    Ipv4,
    Dualstack,
    Ipv6,
}

impl IpAddressType {
    pub fn as_str(self) -> &'static str {
        match self {
            IpAddressType::Ipv4 => "ipv4",
            IpAddressType::Dualstack => "dualstack",
            IpAddressType::Ipv6 => "ipv6",
        }
    }

    pub fn has_ipv4(self) -> bool {
        self != IpAddressType::Ipv6
    }

    pub fn has_ipv6(self) -> bool {
        self != IpAddressType::Ipv4
    }
}

/// The records of an endpoint's DNS names (`DnsOptions.DnsRecordIpType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DnsRecordIpType {
    Ipv4,
    Dualstack,
    Ipv6,
    ServiceDefined,
}

impl DnsRecordIpType {
    pub fn as_str(self) -> &'static str {
        match self {
            DnsRecordIpType::Ipv4 => "ipv4",
            DnsRecordIpType::Dualstack => "dualstack",
            DnsRecordIpType::Ipv6 => "ipv6",
            DnsRecordIpType::ServiceDefined => "service-defined",
        }
    }
}

/// The fixed addresses of an endpoint's network interface in one subnet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FixedIp {
    pub ipv4: Option<Ipv4Addr>,
    pub ipv6: Option<Ipv6Addr>,
}

/// A route through a Gateway Load Balancer endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub route_table: String,
    pub destination: IpNet,
    /// The AZ, as the spec names the VPC's subnets, whose endpoint is the target.
    pub az: String,
}

/// Why an endpoint is in the plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Reason {
    /// Named in the spec's `endpoints`.
    Listed,
    /// A member of a preset the spec names, with the preset's reason for it.
    Preset {
        preset: &'static str,
        why: &'static str,
    },
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match self {
            Reason::Listed => f.write_str("listed in the spec"),
            Reason::Preset { preset, why } => write!(f, "preset {preset}: {why}"),
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum PolicyChoice {
    FullAccess,
    OrgOnly,
    Custom(serde_json::Value),
}

impl PolicyChoice {
    pub fn name(&self) -> &'static str {
        match self {
            PolicyChoice::FullAccess => "full-access",
            PolicyChoice::OrgOnly => "org-only",
            PolicyChoice::Custom(_) => "custom",
        }
    }
}

/// Validate `spec` (parsed from `file`).
pub fn build(file: &SpecFile, spec: &Spec) -> Result<Vpc, Error> {
    let mut p = Problems::default();
    let vpc = vpc(&mut p, file, spec);
    match vpc {
        Some(mut vpc) if !p.has_errors() => {
            vpc.warnings = p.diags;
            Ok(vpc)
        }
        _ => Err(crate::spec::error(file, p.diags)),
    }
}

/// Parse and validate in one step.
pub fn load(file: &SpecFile) -> Result<Vpc, Error> {
    let spec = crate::spec::parse(file)?;
    build(file, &spec)
}

/// The problems found so far in one spec, errors and warnings, in the order found.
#[derive(Default)]
struct Problems {
    diags: Vec<Diagnostic>,
}

impl Problems {
    fn error(&mut self, path: impl AsRef<str>, message: impl AsRef<str>, help: impl AsRef<str>) {
        self.diags.push(Diagnostic::new(
            path.as_ref(),
            message.as_ref(),
            help.as_ref(),
        ));
    }

    /// An error about a key that does not belong where it is: point at the key, not its value.
    fn misplaced(
        &mut self,
        path: impl AsRef<str>,
        message: impl AsRef<str>,
        help: impl AsRef<str>,
    ) {
        self.diags
            .push(Diagnostic::new(path.as_ref(), message.as_ref(), help.as_ref()).at_key());
    }

    fn warn(&mut self, path: impl AsRef<str>, message: impl AsRef<str>, help: impl AsRef<str>) {
        self.diags
            .push(Diagnostic::new(path.as_ref(), message.as_ref(), help.as_ref()).warning());
    }

    fn has_errors(&self) -> bool {
        self.errors() > 0
    }

    /// How many errors so far: a check compares before and after to see whether it found any.
    fn errors(&self) -> usize {
        self.diags.iter().filter(|d| !d.warning).count()
    }
}

fn vpc(p: &mut Problems, file: &SpecFile, spec: &Spec) -> Option<Vpc> {
    if let Some(v) = spec.version {
        if v != 1 {
            p.error(
                "version",
                format!("unknown spec version `{v}`"),
                "this vpcgen reads version 1; set `version: 1` or remove the key",
            );
        }
    }
    settings::name(p, &spec.name);
    let region = settings::region(p, &spec.region);
    let org_id = settings::org_id(p, spec.org_id.as_deref());
    let network = network::network(p, &spec.vpc, region);
    let ip_address_type = spec.ip_address_type.map(endpoints::ip_address_type);
    if let Some(t) = ip_address_type.filter(|t| t.has_ipv6()) {
        endpoints::vpc_has_ipv6(p, "ip_address_type", t, network.as_ref());
    }
    let (ingress_cidrs, source_security_groups) =
        settings::security_group(p, spec, network.as_ref());
    let tags = settings::tags(p, file, spec);
    if let Some(t) = spec.traffic_gb_per_month {
        settings::traffic(p, "traffic_gb_per_month", t);
    }
    let default_policy = spec
        .policy
        .as_ref()
        .and_then(|asked| policy::policy(p, "policy", asked, org_id.is_some()));
    // Endpoints are checked even when the Region is unknown, so that every problem is
    // reported at once.
    let hub = hub::hub(p, spec, network.as_ref());
    let mut endpoints = endpoints::endpoints(
        p,
        spec,
        &endpoints::Scope {
            region,
            network: network.as_ref(),
            default_policy: default_policy.as_ref(),
            has_org: org_id.is_some(),
            ip_address_type,
        },
    );
    if let Some(h) = &hub {
        hub::endpoints(p, h, &mut endpoints);
    }
    if spec.templates.as_ref().is_some_and(|t| t.trim().is_empty()) {
        p.error(
            "templates",
            "`templates:` names no directory",
            "give the template directory's path, relative to this spec file, or remove the key",
        );
    }
    let templates = spec.templates.as_ref().map(|t| {
        let base = file.path.parent().unwrap_or(Path::new(""));
        base.join(t)
    });
    let region = region?;
    let vpc = Vpc {
        name: spec.name.clone(),
        spec_path: file.display_path(),
        region,
        partition: aws::partition(region.partition)
            .expect("every Region names a known partition (tested in catalog)"),
        network: network?,
        endpoints,
        org_id,
        ingress_cidrs,
        source_security_groups,
        tags,
        traffic_gb_per_month: spec.traffic_gb_per_month,
        ip_address_type,
        hub,
        templates,
        warnings: Vec::new(),
    };
    // Lints look for what is missing; with errors, endpoints that failed are missing too, and
    // the warnings would only repeat the errors.
    if !p.has_errors() {
        lints::lints(p, &vpc, spec);
    }
    Some(vpc)
}

fn is_id(value: &str, prefix: &str) -> bool {
    value.strip_prefix(prefix).is_some_and(|hex| {
        (8..=17).contains(&hex.len())
            && hex
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    })
}

/// `a`, `a` and `b`, `a`, `b` and `c`: names in backticks for a sentence.
fn join_names(names: &[&str]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    match quoted.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} and {last}", rest.join(", ")),
    }
}
