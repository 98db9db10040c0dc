//! `Spec` -> `Vpc`: the spec validated against the catalogue and the rules, with every default
//! applied once. All problems in a spec are collected and reported together; specs that generate
//! but are probably wrong get warnings (lints).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use ipnet::Ipv4Net;

use crate::aws::{self, EndpointType, Partition, Region, Service};
use crate::error::{Diagnostic, Error, suggest};
use crate::naming;
use crate::source::SpecFile;
use crate::spec::{
    AzsSpec, EndpointItem, EndpointSpec, NatSpec, PolicySpec, Spec, TypeSpec, VpcSpec,
};

/// A validated spec: everything the plan needs, nothing left to check.
#[derive(Debug, Clone)]
pub struct Vpc {
    pub name: String,
    pub spec_path: String,
    pub region: &'static Region,
    pub partition: &'static Partition,
    pub network: Network,
    /// Sorted by service key, then type.
    pub endpoints: Vec<Endpoint>,
    pub org_id: Option<String>,
    /// Sources admitted to interface endpoints; `None` means the VPC CIDR.
    pub ingress_cidrs: Option<Vec<Ipv4Net>>,
    pub source_security_groups: Vec<String>,
    pub tags: BTreeMap<String, String>,
    pub traffic_gb_per_month: Option<f64>,
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
    pub subnets: Vec<Subnet>,
    pub route_tables: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subnet {
    pub id: String,
    pub az: String,
}

#[derive(Debug, Clone)]
pub struct NewVpc {
    pub cidr: Ipv4Net,
    /// Full AZ names, in the order given (or the Region's first N).
    pub azs: Vec<String>,
    pub private: Vec<Ipv4Net>,
    /// Empty without public subnets.
    pub public: Vec<Ipv4Net>,
    pub nat: Nat,
    pub gateway_on_public: bool,
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
    pub service: &'static Service,
    pub kind: EndpointType,
    /// Why this type: the rule that chose it, or that the spec asked.
    pub type_reason: &'static str,
    /// `None` when the service rejects endpoint policies.
    pub policy: Option<PolicyChoice>,
    /// Where the policy came from: `endpoint`, `spec default` or `vpcgen default`.
    pub policy_origin: &'static str,
    /// Interface only; always false for gateways.
    pub private_dns: bool,
    /// A subset of the VPC's route tables (gateway) named on the endpoint.
    pub route_tables: Option<Vec<String>>,
    /// A subset of the VPC's subnets (interface) named on the endpoint.
    pub subnets: Option<Vec<String>>,
    pub traffic_gb_per_month: Option<f64>,
    /// Why the endpoint exists: "listed in the spec" and/or each preset's reason.
    pub reasons: Vec<String>,
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

/// Validate `spec` (parsed from `file`).
pub fn build(file: &SpecFile, spec: &Spec) -> Result<Vpc, Error> {
    let mut cx = Checker {
        diags: Vec::new(),
        lack_route_tables: Vec::new(),
        lack_subnets: Vec::new(),
    };
    let vpc = cx.vpc(file, spec);
    let has_errors = cx.diags.iter().any(|d| !d.warning);
    match vpc {
        Some(mut vpc) if !has_errors => {
            vpc.warnings = cx.diags;
            Ok(vpc)
        }
        _ => Err(crate::spec::error(file, cx.diags)),
    }
}

/// Parse and validate in one step.
pub fn load(file: &SpecFile) -> Result<Vpc, Error> {
    let spec = crate::spec::parse(file)?;
    build(file, &spec)
}

struct Checker {
    diags: Vec<Diagnostic>,
    /// Gateway endpoints of an existing VPC that lists no route tables; one error names them all.
    lack_route_tables: Vec<&'static str>,
    /// Interface endpoints of an existing VPC that lists no subnets.
    lack_subnets: Vec<&'static str>,
}

/// One endpoint request before merging: from the spec or from a preset.
struct Request<'a> {
    service: &'static Service,
    kind: EndpointType,
    type_reason: &'static str,
    /// The long form it came from, when listed explicitly.
    spec: Option<&'a EndpointSpec>,
    path: String,
    reason: String,
}

fn is_id(value: &str, prefix: &str) -> bool {
    value.strip_prefix(prefix).is_some_and(|hex| {
        (8..=17).contains(&hex.len())
            && hex
                .bytes()
                .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    })
}

impl Checker {
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

    fn has_errors(&self) -> bool {
        self.diags.iter().any(|d| !d.warning)
    }

    fn warn(&mut self, path: impl AsRef<str>, message: impl AsRef<str>, help: impl AsRef<str>) {
        self.diags
            .push(Diagnostic::new(path.as_ref(), message.as_ref(), help.as_ref()).warning());
    }

    fn vpc(&mut self, file: &SpecFile, spec: &Spec) -> Option<Vpc> {
        if let Some(v) = spec.version {
            if v != 1 {
                self.error(
                    "version",
                    format!("unknown spec version `{v}`"),
                    "this vpcgen reads version 1; set `version: 1` or remove the key",
                );
            }
        }
        self.name(&spec.name);
        let region = self.region(&spec.region);
        let org_id = self.org_id(spec.org_id.as_deref());
        let network = self.network(&spec.vpc, region);
        let (ingress_cidrs, source_security_groups) = self.security_group(spec);
        let tags = self.tags(spec);
        if let Some(t) = spec.traffic_gb_per_month {
            self.traffic("traffic_gb_per_month", t);
        }
        let default_policy = spec
            .policy
            .as_ref()
            .and_then(|p| self.policy("policy", p, org_id.is_some()));
        // Endpoints are checked even when the Region is unknown, so that every problem is
        // reported at once.
        let endpoints = self.endpoints(
            spec,
            network.as_ref(),
            default_policy.as_ref(),
            org_id.is_some(),
        );
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
            templates,
            warnings: Vec::new(),
        };
        // Lints look for what is missing; with errors, endpoints that failed are missing too, and
        // the warnings would only repeat the errors.
        if !self.has_errors() {
            self.lints(&vpc, spec);
        }
        Some(vpc)
    }

    fn name(&mut self, name: &str) {
        if let Some((message, help)) = naming::name_problem(name) {
            self.error("name", message, help);
        }
    }

    fn region(&mut self, name: &str) -> Option<&'static Region> {
        if let Some(r) = aws::region(name) {
            return Some(r);
        }
        self.error(
            "region",
            format!("unknown Region `{name}`"),
            aws::region_help(name),
        );
        None
    }

    fn org_id(&mut self, org_id: Option<&str>) -> Option<String> {
        let id = org_id?;
        let ok = id.strip_prefix("o-").is_some_and(|rest| {
            (10..=32).contains(&rest.len())
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
        });
        if !ok {
            self.error(
                "org_id",
                format!("`{id}` is not an AWS Organizations id"),
                "an organization id looks like `o-a1b2c3d4e5` (`aws organizations describe-organization` shows it)",
            );
        }
        Some(id.to_owned())
    }

    fn cidr(&mut self, path: &str, text: &str) -> Option<Ipv4Net> {
        match text.parse::<Ipv4Net>() {
            Ok(net) if net.trunc() == net => Some(net),
            Ok(net) => {
                self.error(
                    path,
                    format!("`{text}` has host bits set"),
                    format!("did you mean `{}`?", net.trunc()),
                );
                None
            }
            Err(_) => {
                self.error(
                    path,
                    format!("`{text}` is not an IPv4 CIDR block"),
                    "write an address and a prefix length from 0 to 32, e.g. `10.0.0.0/16`",
                );
                None
            }
        }
    }

    fn network(&mut self, vpc: &VpcSpec, region: Option<&'static Region>) -> Option<Network> {
        if vpc.create == Some(true) {
            for (key, present) in [
                ("id", vpc.id.is_some()),
                ("subnets", vpc.subnets.is_some()),
                ("route_tables", vpc.route_tables.is_some()),
            ] {
                if present {
                    self.misplaced(
                        format!("vpc.{key}"),
                        format!("`{key}` describes an existing VPC, but `create: true` makes a new one"),
                        format!("remove `{key}` to create the VPC, or remove `create: true` to use an existing one"),
                    );
                }
            }
            return self.new_vpc(vpc, region);
        }
        let create_only = [
            ("azs", vpc.azs.is_some()),
            ("private_subnet_prefix", vpc.private_subnet_prefix.is_some()),
            ("public_subnets", vpc.public_subnets.is_some()),
            ("public_subnet_prefix", vpc.public_subnet_prefix.is_some()),
            ("nat", vpc.nat.is_some()),
            ("gateway_on_public", vpc.gateway_on_public.is_some()),
        ];
        for (key, present) in create_only {
            if present {
                self.misplaced(
                    format!("vpc.{key}"),
                    format!("`{key}` only applies to a new VPC"),
                    "add `create: true` to create the VPC, or remove the key",
                );
            }
        }
        let Some(cidr_text) = &vpc.cidr else {
            self.misplaced(
                "vpc",
                "missing `cidr`",
                "add the VPC's CIDR block, e.g. `cidr: 10.0.0.0/16`; the endpoint security group admits it",
            );
            return None;
        };
        let cidr = self.cidr("vpc.cidr", cidr_text);
        if let Some(id) = &vpc.id {
            if !is_id(id, "vpc-") {
                self.error(
                    "vpc.id",
                    format!("`{id}` is not a VPC id"),
                    "a VPC id looks like `vpc-0123456789abcdef0`",
                );
            }
        }
        let mut subnets = Vec::new();
        let mut by_az: BTreeMap<&str, usize> = BTreeMap::new();
        for (i, s) in vpc.subnets.iter().flatten().enumerate() {
            let path = format!("vpc.subnets[{i}]");
            if !is_id(&s.id, "subnet-") {
                self.error(
                    format!("{path}.id"),
                    format!("`{}` is not a subnet id", s.id),
                    "a subnet id looks like `subnet-0123456789abcdef0`",
                );
            }
            if subnets.iter().any(|x: &Subnet| x.id == s.id) {
                self.error(
                    format!("{path}.id"),
                    format!("subnet `{}` is listed twice", s.id),
                    "remove one of them",
                );
            }
            if let Some(r) = region {
                self.az(&format!("{path}.az"), &s.az, r);
            }
            if let Some(first) = by_az.get(s.az.as_str()) {
                self.error(
                    format!("{path}.az"),
                    format!("two subnets in AZ `{}`: vpc.subnets[{first}] and vpc.subnets[{i}]", s.az),
                    "an interface endpoint takes at most one subnet per AZ; keep one subnet for each AZ",
                );
            } else {
                by_az.insert(&s.az, i);
            }
            subnets.push(Subnet {
                id: s.id.clone(),
                az: s.az.clone(),
            });
        }
        let mut route_tables = Vec::new();
        for (i, rt) in vpc.route_tables.iter().flatten().enumerate() {
            if !is_id(rt, "rtb-") {
                self.error(
                    format!("vpc.route_tables[{i}]"),
                    format!("`{rt}` is not a route table id"),
                    "a route table id looks like `rtb-0123456789abcdef0`",
                );
            }
            if route_tables.contains(rt) {
                self.error(
                    format!("vpc.route_tables[{i}]"),
                    format!("route table `{rt}` is listed twice"),
                    "remove one of them",
                );
            }
            route_tables.push(rt.clone());
        }
        Some(Network::Existing(ExistingVpc {
            id: vpc.id.clone(),
            cidr: cidr?,
            subnets,
            route_tables,
        }))
    }

    fn az(&mut self, path: &str, az: &str, region: &Region) {
        if region.has_az(az) {
            return;
        }
        let belongs = az
            .strip_prefix(region.name)
            .is_some_and(|l| l.len() == 1 && l.as_bytes()[0].is_ascii_lowercase());
        if belongs {
            self.warn(
                path,
                format!("AZ `{az}` is not in vpcgen's list for `{}`", region.name),
                format!(
                    "known AZs: {}; check the name with `aws ec2 describe-availability-zones`",
                    region.az_names().join(", ")
                ),
            );
        } else {
            self.error(
                path,
                format!("AZ `{az}` is not in Region `{}`", region.name),
                format!(
                    "use an AZ of `{}`: {}",
                    region.name,
                    region.az_names().join(", ")
                ),
            );
        }
    }

    fn new_vpc(&mut self, vpc: &VpcSpec, region: Option<&'static Region>) -> Option<Network> {
        let Some(cidr_text) = &vpc.cidr else {
            self.misplaced(
                "vpc",
                "missing `cidr` for the new VPC",
                "add `cidr:`, e.g. `cidr: 10.0.0.0/16`",
            );
            return None;
        };
        let cidr = self.cidr("vpc.cidr", cidr_text);
        if let Some(c) = cidr {
            if !(16..=28).contains(&c.prefix_len()) {
                self.error(
                    "vpc.cidr",
                    format!(
                        "a VPC CIDR must be between /16 and /28, not /{}",
                        c.prefix_len()
                    ),
                    "AWS accepts VPC blocks from /16 to /28, e.g. `10.0.0.0/16`",
                );
            }
        }
        let region = region?;
        let azs: Vec<String> = match &vpc.azs {
            None => region.az_names().into_iter().take(3).collect(),
            Some(AzsSpec::Count(n)) => {
                let available = region.azs.len().min(6);
                if *n < 1 || *n > available as i64 {
                    self.error(
                        "vpc.azs",
                        format!("`azs: {n}` is out of range"),
                        format!(
                            "use a count from 1 to {available} (`{}` has {} AZs that vpcgen knows)",
                            region.name,
                            region.azs.len()
                        ),
                    );
                    return None;
                }
                region.az_names().into_iter().take(*n as usize).collect()
            }
            Some(AzsSpec::Names(names)) => {
                if names.is_empty() || names.len() > 6 {
                    self.error(
                        "vpc.azs",
                        format!("{} AZs listed", names.len()),
                        "list 1 to 6 AZ names",
                    );
                }
                let mut seen = BTreeSet::new();
                for (i, n) in names.iter().enumerate() {
                    self.az(&format!("vpc.azs[{i}]"), n, region);
                    if !seen.insert(n) {
                        self.error(
                            format!("vpc.azs[{i}]"),
                            format!("AZ `{n}` is listed twice"),
                            "list each AZ once",
                        );
                    }
                }
                names.clone()
            }
        };
        let public = vpc.public_subnets.unwrap_or(false);
        let nat = match vpc.nat.unwrap_or(NatSpec::None) {
            NatSpec::None => Nat::None,
            NatSpec::Single => Nat::Single,
            NatSpec::PerAz => Nat::PerAz,
        };
        if nat != Nat::None && !public {
            self.error("vpc.nat", format!("`nat: {}` needs public subnets", nat.as_str()), "NAT gateways live in public subnets: add `public_subnets: true`, or use `nat: none` (the endpoints are the way out)");
        }
        if vpc.gateway_on_public == Some(true) && !public {
            self.error(
                "vpc.gateway_on_public",
                "`gateway_on_public` needs public subnets",
                "add `public_subnets: true` or remove the key",
            );
        }
        if !public && vpc.public_subnet_prefix.is_some() {
            self.error(
                "vpc.public_subnet_prefix",
                "`public_subnet_prefix` needs public subnets",
                "add `public_subnets: true` or remove the key",
            );
        }
        let cidr = cidr?;
        let n = azs.len().max(1);
        let spread = usize::BITS - (n - 1).leading_zeros();
        let private_prefix = vpc
            .private_subnet_prefix
            .unwrap_or_else(|| (cidr.prefix_len() + spread as u8 + 1).min(28));
        let public_prefix = vpc
            .public_subnet_prefix
            .unwrap_or_else(|| private_prefix.saturating_add(2).min(28));
        for (key, p, set) in [
            (
                "private_subnet_prefix",
                private_prefix,
                vpc.private_subnet_prefix.is_some(),
            ),
            (
                "public_subnet_prefix",
                public_prefix,
                vpc.public_subnet_prefix.is_some(),
            ),
        ] {
            if set && (p < cidr.prefix_len() || p > 28) {
                self.error(
                    format!("vpc.{key}"),
                    format!("`/{p}` does not fit in `{cidr}`"),
                    format!("use a prefix length from /{} to /28", cidr.prefix_len()),
                );
                return None;
            }
        }
        let mut wanted = vec![private_prefix; azs.len()];
        if public {
            wanted.extend(std::iter::repeat_n(public_prefix, azs.len()));
        }
        match carve(cidr, &wanted) {
            Some(nets) => {
                let (private, public) = nets.split_at(azs.len());
                Some(Network::New(NewVpc {
                    cidr,
                    azs,
                    private: private.to_vec(),
                    public: public.to_vec(),
                    nat,
                    gateway_on_public: vpc.gateway_on_public.unwrap_or(false),
                }))
            }
            None => {
                let need: u64 = wanted.iter().map(|p| 1u64 << (32 - p)).sum();
                let have = 1u64 << (32 - cidr.prefix_len());
                let fit = 32u32.saturating_sub(need.next_power_of_two().trailing_zeros());
                let what = if public {
                    format!("{n} private /{private_prefix} and {n} public /{public_prefix} subnets")
                } else {
                    format!("{n} private /{private_prefix} subnets")
                };
                self.error(
                    "vpc.cidr",
                    format!("`{cidr}` ({have} addresses) is too small for {what} ({need} addresses)"),
                    if fit >= 16 {
                        format!("use a `/{fit}` or larger block, or smaller subnets with `private_subnet_prefix`")
                    } else {
                        "use fewer AZs or smaller subnets with `private_subnet_prefix` / `public_subnet_prefix`".to_owned()
                    },
                );
                None
            }
        }
    }

    fn security_group(&mut self, spec: &Spec) -> (Option<Vec<Ipv4Net>>, Vec<String>) {
        let sg = &spec.security_group;
        let cidrs = sg.ingress_cidrs.as_ref().map(|list| {
            let mut out = Vec::new();
            for (i, c) in list.iter().enumerate() {
                let path = format!("security_group.ingress_cidrs[{i}]");
                if let Some(net) = self.cidr(&path, c) {
                    if net.prefix_len() == 0 {
                        self.warn(&path, "`0.0.0.0/0` admits any address to the endpoints", "endpoints only need the clients' networks; narrow it to the VPC or on-premises ranges");
                    }
                    if out.contains(&net) {
                        self.error(&path, format!("`{net}` is listed twice"), "remove one of them");
                    }
                    out.push(net);
                }
            }
            out
        });
        if let Some(list) = &sg.ingress_cidrs {
            if list.is_empty() && sg.source_security_groups.is_empty() {
                self.error("security_group.ingress_cidrs", "no source can reach the interface endpoints", "list the clients' CIDRs or `source_security_groups`, or remove the key to admit the VPC CIDR");
            }
        }
        let mut groups = Vec::new();
        for (i, g) in sg.source_security_groups.iter().enumerate() {
            if !is_id(g, "sg-") {
                self.error(
                    format!("security_group.source_security_groups[{i}]"),
                    format!("`{g}` is not a security group id"),
                    "a security group id looks like `sg-0123456789abcdef0`",
                );
            } else if groups.contains(g) {
                self.error(
                    format!("security_group.source_security_groups[{i}]"),
                    format!("`{g}` is listed twice"),
                    "remove one of them",
                );
            }
            groups.push(g.clone());
        }
        (cidrs, groups)
    }

    fn tags(&mut self, spec: &Spec) -> BTreeMap<String, String> {
        let mut out = BTreeMap::new();
        for (k, v) in &spec.tags {
            let path = format!("tags.{k}");
            if k.is_empty() || k.chars().count() > 128 {
                self.error(
                    &path,
                    "a tag key must have 1 to 128 characters",
                    "shorten the key",
                );
            } else if k.to_ascii_lowercase().starts_with("aws:") {
                self.error(
                    &path,
                    format!("tag key `{k}` uses the reserved `aws:` prefix"),
                    "choose a key without the `aws:` prefix",
                );
            } else if k == "Name" {
                self.error(
                    &path,
                    "the `Name` tag is set by vpcgen on each resource",
                    "remove it; resources are named after the spec's `name`",
                );
            } else if k == "ManagedBy" {
                self.error(
                    &path,
                    "the `ManagedBy` tag is set by vpcgen on each resource (`ManagedBy = vpcgen`)",
                    "remove it, or use another key for your own value",
                );
            }
            if v.0.chars().count() > 256 {
                self.error(
                    &path,
                    "a tag value may have at most 256 characters",
                    "shorten the value",
                );
            }
            out.insert(k.clone(), v.0.clone());
        }
        out
    }

    fn traffic(&mut self, path: &str, gb: f64) {
        if !gb.is_finite() || gb < 0.0 {
            self.error(
                path,
                format!("`{gb}` is not a traffic estimate"),
                "give gigabytes per month as a number of 0 or more",
            );
        }
    }

    fn policy(&mut self, path: &str, policy: &PolicySpec, has_org: bool) -> Option<PolicyChoice> {
        match policy {
            PolicySpec::Named(name) => match name.as_str() {
                "full-access" => Some(PolicyChoice::FullAccess),
                "org-only" => {
                    if !has_org {
                        self.error(
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
                    self.error(path, format!("unknown policy `{other}`"), help);
                    None
                }
            },
            PolicySpec::Document(doc) => self
                .document(path, doc)
                .then(|| PolicyChoice::Custom(doc.clone())),
        }
    }

    /// Keys of `obj` that are not among `known`, each reported with the closest known key; returns
    /// the known keys suggested, so that "missing `Effect`" is not said about `Efect`.
    fn unknown_elements(
        &mut self,
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
            self.misplaced(
                format!("{path}.{key}"),
                format!("unknown policy element `{key}`"),
                help,
            );
        }
        suggested
    }

    fn document(&mut self, path: &str, doc: &serde_json::Value) -> bool {
        let before = self.diags.len();
        let suggested = match doc.as_object() {
            Some(obj) => self.unknown_elements(path, obj, POLICY_ELEMENTS, "a policy document"),
            None => Vec::new(),
        };
        if let Some(v) = doc.get("Version") {
            if v != "2012-10-17" && v != "2008-10-17" {
                self.error(
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
                    self.error(path, "the policy document has no `Statement`", "add `Statement:` with a list of statements (Effect, Principal, Action, Resource)");
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
                self.error(
                    &sp,
                    "a statement must be a mapping",
                    "write Effect, Principal, Action and Resource keys",
                );
                continue;
            };
            let suggested = self.unknown_elements(&sp, obj, STATEMENT_ELEMENTS, "a statement");
            match obj.get("Effect") {
                Some(e) if e == "Allow" || e == "Deny" => {}
                Some(e) => self.error(
                    format!("{sp}.Effect"),
                    format!(
                        "`{}` is not an effect",
                        e.as_str().map_or_else(|| e.to_string(), str::to_owned)
                    ),
                    "write `Allow` or `Deny`, capitalised",
                ),
                None if suggested.contains(&"Effect") => {}
                None => self.error(
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
                self.error(&sp, "endpoint policy statements must name a `Principal`", "add `Principal: \"*\"` and restrict with a `Condition` (AWS rejects endpoint policies without one)");
            }
            if !named(["Action", "NotAction"]) {
                self.error(
                    &sp,
                    "a statement needs `Action`",
                    "add `Action:` with the allowed actions, e.g. `s3:GetObject`",
                );
            }
        }
        let size = serde_json::to_string(doc).map_or(0, |s| s.len());
        if size > POLICY_MAX_CHARS {
            self.error(
                path,
                format!("the policy has {size} characters; AWS accepts at most {POLICY_MAX_CHARS}"),
                "shorten the policy, e.g. with wildcards in actions",
            );
        }
        self.diags.len() == before
    }

    fn endpoints(
        &mut self,
        spec: &Spec,
        network: Option<&Network>,
        default_policy: Option<&PolicyChoice>,
        has_org: bool,
    ) -> Vec<Endpoint> {
        if spec.endpoints.is_empty() {
            self.error(
                "endpoints",
                "no endpoints listed",
                "list the services to reach, e.g. `- s3` or `- preset: ssm`",
            );
        }
        let mut requests: Vec<Request> = Vec::new();
        for (i, item) in spec.endpoints.iter().enumerate() {
            let path = format!("endpoints[{i}]");
            match item {
                EndpointItem::Key(key) => {
                    if let Some(s) = self.service(&path, key) {
                        requests.push(Request {
                            service: s,
                            kind: s.default_type(),
                            type_reason: type_reason(s, None),
                            spec: None,
                            path,
                            reason: "listed in the spec".into(),
                        });
                    }
                }
                EndpointItem::Long(long) => self.long_item(&path, long, &mut requests),
            }
        }
        // Merge: one endpoint per (service, type); explicit settings win over presets.
        let mut merged: BTreeMap<(&'static str, EndpointType), (Request, Vec<String>)> =
            BTreeMap::new();
        for req in requests {
            let id = (req.service.key, req.kind);
            match merged.get_mut(&id) {
                None => {
                    let reasons = vec![req.reason.clone()];
                    merged.insert(id, (req, reasons));
                }
                Some((existing, reasons)) => {
                    let both_explicit = existing.reason == "listed in the spec"
                        && req.reason == "listed in the spec";
                    if both_explicit {
                        self.error(
                            &req.path,
                            format!(
                                "`{}` ({}) is listed twice: {} and {}",
                                req.service.key,
                                req.kind.lower(),
                                existing.path,
                                req.path
                            ),
                            "keep one entry; a service may appear once per endpoint type",
                        );
                        continue;
                    }
                    if !reasons.contains(&req.reason) {
                        reasons.push(req.reason.clone());
                    }
                    if req.reason == "listed in the spec" {
                        *existing = req;
                    }
                }
            }
        }
        let mut out = Vec::new();
        for (_, (req, mut reasons)) in merged {
            reasons.sort_by_key(|r| r != "listed in the spec");
            if let Some(e) = self.endpoint(req, reasons, network, default_policy, has_org) {
                out.push(e);
            }
        }
        let lacking = [
            (
                std::mem::take(&mut self.lack_route_tables),
                "route_tables",
                "gateway",
                spec.vpc.route_tables.is_some(),
                "add `route_tables:` under `vpc:` with the ids of the route tables whose subnets use the endpoints, e.g. `route_tables: [rtb-0123456789abcdef0]`",
            ),
            (
                std::mem::take(&mut self.lack_subnets),
                "subnets",
                "interface",
                spec.vpc.subnets.is_some(),
                "add `subnets:` under `vpc:`, one subnet per AZ, e.g. `- { id: subnet-0123456789abcdef0, az: us-east-1a }`",
            ),
        ];
        for (keys, key, kind, written, help) in lacking {
            if keys.is_empty() {
                continue;
            }
            let (noun, verb) = if keys.len() == 1 {
                ("endpoint", "needs")
            } else {
                ("endpoints", "need")
            };
            let what = key.replace('_', " ");
            let message = format!(
                "no {what} listed, but {kind} {noun} {} {verb} them",
                join_names(&keys)
            );
            let path = if written {
                format!("vpc.{key}")
            } else {
                "vpc".to_owned()
            };
            self.misplaced(path, message, help);
        }
        out
    }

    fn service(&mut self, path: &str, key: &str) -> Option<&'static Service> {
        if let Some(s) = aws::service(key) {
            return Some(s);
        }
        let lowered = key.to_ascii_lowercase();
        if let Some(s) = aws::service(&lowered) {
            self.error(
                path,
                format!("unknown service `{key}`"),
                format!("service keys are lowercase: `{}`", s.key),
            );
            return None;
        }
        let help = if aws::preset(key).is_some() && aws::service(key).is_none() {
            format!("`{key}` is a preset: write `- preset: {key}`")
        } else if let Some(best) = suggest(key, aws::services().iter().map(|s| s.key)) {
            format!(
                "did you mean `{best}`? `vpcgen services {}` searches the catalogue",
                search_word(key)
            )
        } else {
            format!(
                "`vpcgen services {}` searches the catalogue by key and name",
                search_word(key)
            )
        };
        self.error(path, format!("unknown service `{key}`"), help);
        None
    }

    fn long_item<'a>(
        &mut self,
        path: &str,
        long: &'a EndpointSpec,
        requests: &mut Vec<Request<'a>>,
    ) {
        match (&long.service, &long.preset) {
            (Some(_), Some(_)) => {
                self.error(
                    path,
                    "an entry names both `service` and `preset`",
                    "split it into two entries",
                );
            }
            (None, None) => {
                self.error(
                    path,
                    "an entry needs `service:` or `preset:`",
                    "add `service: <key>` (see `vpcgen services`) or `preset: <name>`",
                );
            }
            (None, Some(name)) => {
                let options = long.kind.is_some()
                    || long.policy.is_some()
                    || long.private_dns.is_some()
                    || long.route_tables.is_some()
                    || long.subnets.is_some()
                    || long.traffic_gb_per_month.is_some();
                if options {
                    self.error(path, "a preset takes no options", "to change one of its endpoints, list that service on its own with the options; explicit entries win over presets");
                }
                match aws::preset(name) {
                    Some(p) => {
                        for m in p.members {
                            let s = aws::service(m.key)
                                .expect("preset members are in the catalogue (tested)");
                            requests.push(Request {
                                service: s,
                                kind: m.kind,
                                type_reason: if m.kind == s.default_type() {
                                    type_reason(s, None)
                                } else {
                                    "chosen by the preset"
                                },
                                spec: None,
                                path: format!("{path}.preset"),
                                reason: format!("preset {}: {}", p.name, m.reason),
                            });
                        }
                    }
                    None => {
                        let names = aws::presets().iter().map(|p| p.name);
                        let help = match suggest(name, names.clone()) {
                            Some(best) => format!(
                                "did you mean `{best}`? `vpcgen services --presets` lists them"
                            ),
                            None => format!("presets: {}", names.collect::<Vec<_>>().join(", ")),
                        };
                        self.error(
                            format!("{path}.preset"),
                            format!("unknown preset `{name}`"),
                            help,
                        );
                    }
                }
            }
            (Some(key), None) => {
                let Some(s) = self.service(&format!("{path}.service"), key) else {
                    return;
                };
                let kind = match long.kind {
                    None => s.default_type(),
                    Some(TypeSpec::Gateway) => EndpointType::Gateway,
                    Some(TypeSpec::Interface) => EndpointType::Interface,
                };
                if !s.offers(kind) {
                    let offered = if s.gateway && s.interface {
                        "gateway and interface"
                    } else if s.gateway {
                        "gateway only"
                    } else {
                        "interface only"
                    };
                    self.error(
                        format!("{path}.type"),
                        format!("`{}` has no {} endpoint", s.key, kind.lower()),
                        format!(
                            "`{}` offers {offered}; remove `type:` to let vpcgen choose",
                            s.key
                        ),
                    );
                    return;
                }
                requests.push(Request {
                    service: s,
                    kind,
                    type_reason: type_reason(s, long.kind),
                    spec: Some(long),
                    path: path.to_owned(),
                    reason: "listed in the spec".into(),
                });
            }
        }
    }

    fn endpoint(
        &mut self,
        req: Request,
        reasons: Vec<String>,
        network: Option<&Network>,
        default_policy: Option<&PolicyChoice>,
        has_org: bool,
    ) -> Option<Endpoint> {
        let s = req.service;
        let path = req.path.as_str();
        let long = req.spec;
        let before = self.diags.iter().filter(|d| !d.warning).count();
        let gateway = req.kind == EndpointType::Gateway;
        // Policy: explicit on the endpoint, then the spec default, then full access spelt out.
        let explicit_policy = long.and_then(|l| l.policy.as_ref());
        let (policy, origin) = if !s.policy {
            if explicit_policy.is_some() {
                self.error(
                    format!("{path}.policy"),
                    format!("`{}` does not accept endpoint policies", s.key),
                    "remove `policy:`; AWS allows full access through endpoints of this service",
                );
            }
            (None, "not supported by the service")
        } else if let Some(p) = explicit_policy {
            (
                self.policy(&format!("{path}.policy"), p, has_org),
                "endpoint",
            )
        } else if let Some(p) = default_policy {
            (Some(p.clone()), "spec default")
        } else {
            (Some(PolicyChoice::FullAccess), "vpcgen default")
        };
        let private_dns = match long.and_then(|l| l.private_dns) {
            Some(_) if gateway => {
                self.misplaced(format!("{path}.private_dns"), format!("`private_dns` applies to interface endpoints; `{}` here is a gateway endpoint", s.key), "remove `private_dns`, or add `type: interface`");
                false
            }
            Some(true) if !s.private_dns => {
                self.error(
                    format!("{path}.private_dns"),
                    format!("`{}` interface endpoints do not support private DNS", s.key),
                    "remove `private_dns: true`; clients use the endpoint's own DNS names",
                );
                false
            }
            Some(v) => v,
            None => !gateway && s.private_dns,
        };
        let route_tables = long.and_then(|l| l.route_tables.clone());
        let subnets = long.and_then(|l| l.subnets.clone());
        if let Some(t) = long.and_then(|l| l.traffic_gb_per_month) {
            self.traffic(&format!("{path}.traffic_gb_per_month"), t);
        }
        if route_tables.is_some() && !gateway {
            self.misplaced(format!("{path}.route_tables"), format!("`route_tables` applies to gateway endpoints; `{}` here is an interface endpoint", s.key), "use `subnets:` to choose subnets for an interface endpoint");
        }
        if subnets.is_some() && gateway {
            self.misplaced(
                format!("{path}.subnets"),
                format!(
                    "`subnets` applies to interface endpoints; `{}` here is a gateway endpoint",
                    s.key
                ),
                "use `route_tables:` to choose route tables for a gateway endpoint",
            );
        }
        match network {
            Some(Network::Existing(vpc)) => {
                if gateway {
                    if vpc.route_tables.is_empty() {
                        self.lack_route_tables.push(s.key);
                    }
                    for (i, rt) in route_tables.iter().flatten().enumerate() {
                        if !vpc.route_tables.is_empty() && !vpc.route_tables.contains(rt) {
                            self.error(
                                format!("{path}.route_tables[{i}]"),
                                format!("route table `{rt}` is not in `vpc.route_tables`"),
                                format!(
                                    "use one of `vpc.route_tables` ({}), or add `{rt}` there",
                                    vpc.route_tables.join(", ")
                                ),
                            );
                        }
                    }
                } else {
                    if vpc.subnets.is_empty() {
                        self.lack_subnets.push(s.key);
                    }
                    for (i, sn) in subnets.iter().flatten().enumerate() {
                        if !vpc.subnets.is_empty() && !vpc.subnets.iter().any(|x| &x.id == sn) {
                            let ids: Vec<&str> =
                                vpc.subnets.iter().map(|x| x.id.as_str()).collect();
                            self.error(
                                format!("{path}.subnets[{i}]"),
                                format!("subnet `{sn}` is not in `vpc.subnets`"),
                                format!(
                                    "use one of `vpc.subnets` ({}), or add `{sn}` there with its `az`",
                                    ids.join(", ")
                                ),
                            );
                        }
                    }
                }
            }
            Some(Network::New(_)) => {
                for (key, present) in [
                    ("route_tables", route_tables.is_some()),
                    ("subnets", subnets.is_some()),
                ] {
                    if present {
                        self.misplaced(format!("{path}.{key}"), format!("`{key}` names ids of an existing VPC, but this VPC is new"), format!("remove `{key}`; endpoints attach to every private subnet or route table vpcgen creates"));
                    }
                }
            }
            None => {}
        }
        if self.diags.iter().filter(|d| !d.warning).count() > before {
            return None;
        }
        Some(Endpoint {
            service: s,
            kind: req.kind,
            type_reason: req.type_reason,
            policy,
            policy_origin: origin,
            private_dns,
            route_tables,
            subnets,
            traffic_gb_per_month: long.and_then(|l| l.traffic_gb_per_month),
            reasons,
        })
    }

    fn lints(&mut self, vpc: &Vpc, spec: &Spec) {
        let has = |key: &str, kind: EndpointType| {
            vpc.endpoints
                .iter()
                .any(|e| e.service.key == key && e.kind == kind)
        };
        let path_of = |key: &str| {
            spec.endpoints
                .iter()
                .position(|item| match item {
                    EndpointItem::Key(k) => k == key,
                    EndpointItem::Long(l) => l.service.as_deref() == Some(key),
                })
                .map_or_else(|| "endpoints".to_owned(), |i| format!("endpoints[{i}]"))
        };
        if has("ecr.dkr", EndpointType::Interface) && !has("s3", EndpointType::Gateway) {
            self.warn(path_of("ecr.dkr"), "`ecr.dkr` without an S3 gateway endpoint", "ECR serves image layers from S3, so pulls fail without it: add `- s3` (gateway endpoints are free)");
        }
        // Listed on its own, `ssm` usually means instance management; presets that add it for
        // Parameter Store (ecs-fargate, lambda-vpc) do not.
        let ssm_explicit = vpc
            .endpoints
            .iter()
            .any(|e| e.service.key == "ssm" && e.reasons.iter().any(|r| r == "listed in the spec"));
        let companions: Vec<&str> = ["ssmmessages", "ec2messages"]
            .into_iter()
            .filter(|k| !has(k, EndpointType::Interface))
            .collect();
        if ssm_explicit && !companions.is_empty() {
            // The agent prefers `ssmmessages` and falls back to `ec2messages`; agents of
            // different ages need either, so one without the other is still a gap.
            self.warn(
                path_of("ssm"),
                format!("`ssm` without {}", join_names(&companions)),
                "Session Manager and Run Command need `ssm`, `ssmmessages` and `ec2messages` (use `- preset: ssm`); Parameter Store alone needs only `ssm`",
            );
        }
        for key in ["s3", "dynamodb"] {
            if has(key, EndpointType::Interface) && !has(key, EndpointType::Gateway) {
                self.warn(path_of(key), format!("`{key}` interface endpoint without a `{key}` gateway endpoint"), format!("interface endpoints are billed per AZ-hour and per GB; traffic from inside the VPC is free through a gateway: add `- {key}` as well"));
            }
        }
        let interfaces = vpc
            .endpoints
            .iter()
            .filter(|e| e.kind == EndpointType::Interface)
            .count();
        if interfaces > aws::INTERFACE_ENDPOINTS_PER_VPC {
            self.warn("endpoints", format!("{interfaces} interface endpoints; the default quota is {} per VPC", aws::INTERFACE_ENDPOINTS_PER_VPC), "request a quota increase (Service Quotas: VPC, interface endpoints per VPC) before applying");
        }
        for e in &vpc.endpoints {
            if e.service.key == "ecr.dkr" && e.kind == EndpointType::Interface && !e.private_dns {
                self.warn(path_of("ecr.dkr"), "`ecr.dkr` with private DNS off", "Docker clients reach ECR by its public name; ECR requires private DNS on this endpoint");
            }
        }
        let deny_only = |doc: &serde_json::Value| {
            let st = doc.get("Statement");
            let list: Vec<&serde_json::Value> = match st {
                Some(serde_json::Value::Array(a)) => a.iter().collect(),
                Some(o) => vec![o],
                None => vec![],
            };
            !list.is_empty()
                && list
                    .iter()
                    .all(|s| s.get("Effect").and_then(|e| e.as_str()) == Some("Deny"))
        };
        if let Some(PolicySpec::Document(doc)) = &spec.policy {
            if deny_only(doc) {
                self.warn(
                    "policy",
                    "the policy only denies",
                    "an endpoint policy with no Allow blocks every request: add an Allow statement",
                );
            }
        }
        for (i, item) in spec.endpoints.iter().enumerate() {
            if let EndpointItem::Long(EndpointSpec {
                policy: Some(PolicySpec::Document(doc)),
                ..
            }) = item
            {
                if deny_only(doc) {
                    self.warn(format!("endpoints[{i}].policy"), "the policy only denies", "an endpoint policy with no Allow blocks every request: add an Allow statement");
                }
            }
        }
    }
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

fn search_word(key: &str) -> String {
    key.split(['.', '-', '_']).next().unwrap_or(key).to_owned()
}

fn type_reason(s: &Service, asked: Option<TypeSpec>) -> &'static str {
    match asked {
        Some(_) => "asked in spec",
        None if s.gateway && s.interface => {
            "gateway by default: free, and reached from inside the VPC"
        }
        None if s.gateway => "the service offers only gateway endpoints",
        None => "the service offers only interface endpoints",
    }
}

/// Allocate aligned blocks of the given prefix lengths from `cidr`, in order. `None` when they
/// do not fit. Each block starts at the next address aligned to its size, so none overlap.
pub fn carve(cidr: Ipv4Net, prefixes: &[u8]) -> Option<Vec<Ipv4Net>> {
    let start = u64::from(u32::from(cidr.network()));
    let end = start + (1u64 << (32 - cidr.prefix_len()));
    let mut cursor = start;
    let mut out = Vec::new();
    for &p in prefixes {
        if p < cidr.prefix_len() || p > 32 {
            return None;
        }
        let size = 1u64 << (32 - p);
        cursor = cursor.div_ceil(size) * size;
        if cursor + size > end {
            return None;
        }
        let addr = std::net::Ipv4Addr::from(u32::try_from(cursor).ok()?);
        out.push(Ipv4Net::new(addr, p).ok()?);
        cursor += size;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn carving_aligns_and_never_overlaps() {
        let cidr: Ipv4Net = "10.0.0.0/16".parse().unwrap();
        let nets = carve(cidr, &[19, 19, 19, 21, 21, 21]).unwrap();
        let text: Vec<String> = nets.iter().map(|n| n.to_string()).collect();
        assert_eq!(
            text,
            [
                "10.0.0.0/19",
                "10.0.32.0/19",
                "10.0.64.0/19",
                "10.0.96.0/21",
                "10.0.104.0/21",
                "10.0.112.0/21"
            ]
        );
        assert!(carve("10.0.0.0/28".parse().unwrap(), &[28, 28]).is_none());
    }
}
