//! `Plan` -> the serialisable view every template receives. This is a contract with users who
//! write their own templates: `docs/templates.md` documents each field, `CONTEXT_VERSION` changes
//! whenever a field is removed or changes meaning, and `vpcgen generate --dump-context` prints it.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::aws::EndpointType;
use crate::memo;
use crate::naming::Ident;
use crate::plan::{NetworkPlan, Plan, PlannedEndpoint, Source};

/// Bumped on any incompatible change to the context's shape or meaning: a field removed or
/// renamed, a type changed, a value's meaning changed. Adding a field is compatible and does not
/// bump it. Templates can check it (`{% if context_version != 1 %}{{ throw(...) }}{% endif %}`).
pub const CONTEXT_VERSION: u32 = 1;

/// Everything a template receives, for one spec and one target. Field order is the JSON order
/// of `--dump-context`; every field is described in `docs/templates.md`, which a test keeps in
/// step with this file.
#[derive(Debug, Clone, Serialize)]
pub struct Context<'a> {
    /// [`CONTEXT_VERSION`].
    pub context_version: u32,
    /// The vpcgen release that rendered the files (`0.1.0`). Not printed by the built-ins, so that
    /// upgrading vpcgen does not change every file.
    pub vpcgen_version: &'static str,
    /// `terraform` or `cloudformation`.
    pub target: &'static str,
    pub spec: SpecInfo<'a>,
    /// The command that regenerates this output directory, as printed in file headers:
    /// `vpcgen generate SPEC --target T --out DIR [--format json] [--templates DIR]`.
    pub regenerate: &'a str,
    pub region: RegionInfo,
    /// Tags for every taggable resource (the spec's plus `ManagedBy`), sorted by key.
    pub tags: Vec<Tag<'a>>,
    pub vpc: VpcInfo,
    /// Every endpoint, sorted by service key, then type (`s3` gateway before `s3` interface).
    pub endpoints: Vec<Arc<EndpointInfo>>,
    /// The gateway endpoints of `endpoints`, in the same order.
    pub gateway_endpoints: Vec<Arc<EndpointInfo>>,
    /// The interface endpoints of `endpoints`, in the same order.
    pub interface_endpoints: Vec<Arc<EndpointInfo>>,
    /// The one security group of the interface endpoints; null when there are none.
    pub security_group: Option<SecurityGroupInfo>,
    /// Which per-endpoint outputs fit within CloudFormation's limit of 200 outputs per template.
    pub output_limits: OutputLimits,
    /// Whether a security group rule admits the VPC's own CIDR (so the CIDR is an input).
    pub uses_vpc_cidr: bool,
    /// Policy documents by name, shared between endpoints (`endpoints[].policy` names one). Each
    /// is an IAM policy document as a JSON object.
    pub policies: &'a BTreeMap<String, serde_json::Value>,
    /// Why a policy says what it says, by policy name, where a comment beside it helps (the STS
    /// endpoint's `org-only` policy admits federated callers); policies without one are absent.
    pub policy_notes: &'a BTreeMap<String, &'static str>,
}

/// The spec the output comes from.
#[derive(Debug, Clone, Serialize)]
pub struct OutputLimits {
    /// One output per endpoint with its id fits.
    pub endpoint_ids: bool,
    /// One more output per interface endpoint with its DNS entries fits too.
    pub dns_entries: bool,
}

/// CloudFormation accepts at most this many outputs in one template.
const CFN_MAX_OUTPUTS: usize = 200;

impl OutputLimits {
    fn for_plan(plan: &Plan) -> Self {
        let interfaces = plan
            .endpoints
            .iter()
            .filter(|e| e.kind == EndpointType::Interface)
            .count();
        // Room for the fixed outputs: security group, VPC, and subnets and route tables per AZ.
        let fixed = 2 + match &plan.network {
            NetworkPlan::New(v) => 3 * v.azs.len(),
            NetworkPlan::Existing { .. } => 0,
        };
        let ids = plan.endpoints.len() + fixed <= CFN_MAX_OUTPUTS;
        OutputLimits {
            endpoint_ids: ids,
            dns_entries: ids && plan.endpoints.len() + interfaces + fixed <= CFN_MAX_OUTPUTS,
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct SpecInfo<'a> {
    /// The spec's path as given on the command line (`specs/ecs-fargate.yaml`).
    pub path: &'a str,
    /// The spec's `name`: lowercase letters, digits and hyphens. Prefixes every `Name` tag.
    pub name: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionInfo {
    /// Region code (`eu-west-1`).
    pub name: &'static str,
    /// Human name (`Europe (Ireland)`).
    pub title: &'static str,
    /// ARN partition: `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: &'static str,
}

/// One tag. A list of pairs rather than a map, so the order is fixed (sorted by key).
#[derive(Debug, Clone, Serialize)]
pub struct Tag<'a> {
    pub key: &'a str,
    pub value: &'a str,
}

#[derive(Debug, Clone, Serialize)]
pub struct VpcInfo {
    /// True when vpcgen creates the VPC; false for an existing VPC, whose ids become inputs.
    pub create: bool,
    /// Existing VPC: the id from the spec, if given (the default of the input); null otherwise.
    pub id: Option<String>,
    /// The VPC's IPv4 CIDR block (`10.0.0.0/16`).
    pub cidr: String,
    /// Existing VPC: subnets as given, sorted by AZ; empty for a new VPC.
    pub subnets: Vec<SubnetInfo>,
    /// Existing VPC: the subnet ids of `subnets`, in the same order.
    pub subnet_ids: Vec<String>,
    /// Existing VPC: route table ids as given; empty for a new VPC.
    pub route_tables: Vec<String>,
    /// New VPC: one entry per AZ with its subnets; empty for an existing VPC.
    pub azs: Vec<AzInfo>,
    /// New VPC: whether public subnets and an internet gateway are created.
    pub public_subnets: bool,
    /// New VPC: `none`, `single` or `per-az` NAT gateways; `none` for an existing VPC.
    pub nat: String,
    /// New VPC: whether gateway endpoints also attach to the public route table.
    pub gateway_on_public: bool,
    /// New VPC: the AZs are AZ IDs (`use1-az1`), so subnets are placed by AZ ID
    /// (`availability_zone_id`, `AvailabilityZoneId`); false for names and for an existing VPC.
    pub azs_by_id: bool,
}

/// A subnet of an existing VPC.
#[derive(Debug, Clone, Serialize)]
pub struct SubnetInfo {
    pub id: String,
    /// Its Availability Zone as the spec names it: a name (`us-east-1a`) or an AZ ID.
    pub az: String,
    /// `az` is an AZ ID (`use1-az2`).
    pub by_id: bool,
}

/// One Availability Zone of a new VPC.
#[derive(Debug, Clone, Serialize)]
pub struct AzInfo {
    /// AZ name (`eu-central-1a`).
    pub name: String,
    /// The AZ in identifiers: `eu_central_1a`, `EuCentral1a`, `eu-central-1a`.
    pub ident: Ident,
    /// CIDR of the private subnet in this AZ.
    pub private_cidr: String,
    /// CIDR of the public subnet, when `vpc.public_subnets`; null otherwise.
    pub public_cidr: Option<String>,
    /// Whether a NAT gateway sits in this AZ's public subnet.
    pub nat_gateway: bool,
    /// AZ whose NAT gateway the private route table uses; null without NAT.
    pub nat_via: Option<String>,
    /// `ident` of the `nat_via` AZ; null without NAT.
    pub nat_via_ident: Option<Ident>,
}

/// One VPC endpoint. It holds its own data (shared with the plan where it can), so that a
/// thread can hand an equal endpoint of a later spec the template value it made for this one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct EndpointInfo {
    /// Catalogue key of the service (`ecr.api`), as written in specs.
    pub key: &'static str,
    /// The service's name (`Amazon ECR API`).
    pub title: &'static str,
    /// Identifiers derived from the key (and the type, when it is not the service's default):
    /// `ecr_api` / `EcrApi` / `ecr-api`, `s3_interface` / `S3Interface` / `s3-interface`.
    pub ident: Arc<Ident>,
    /// `Gateway` or `Interface`, spelt as AWS spells it.
    pub r#type: &'static str,
    /// `type == "Gateway"`.
    pub gateway: bool,
    /// `type == "Interface"`.
    pub interface: bool,
    /// Why this type was chosen (`gateway by default: free, and reached from inside the VPC`).
    pub type_reason: &'static str,
    /// The AWS service name in this Region (`com.amazonaws.eu-west-1.ecr.api`).
    pub service_name: Arc<str>,
    /// Interface: TCP ports the service listens on (`[443]`); empty for gateways.
    pub ports: &'static [u16],
    /// Interface: whether private DNS is enabled; always false for gateways.
    pub private_dns: bool,
    /// S3/DynamoDB interface with private DNS: the inbound-resolver-only setting (true when a
    /// gateway endpoint for the service exists); null for every other endpoint.
    pub inbound_resolver_only: Option<bool>,
    /// A gateway endpoint this one must be created after (its `ident`); null otherwise.
    pub depends_on: Option<Arc<Ident>>,
    /// Gateway: the route tables it attaches to.
    pub route_tables: AttachmentInfo,
    /// Interface: the subnets it has network interfaces in.
    pub subnets: AttachmentInfo,
    /// Interface: the AZs of its subnets, sorted; empty for gateways.
    pub azs: Arc<[String]>,
    /// Name of the policy in `policies`, or null where the service rejects policies.
    pub policy: Option<Arc<str>>,
    /// `full-access`, `org-only`, `custom` or `none`.
    pub policy_kind: &'static str,
    /// Where the policy choice came from: `endpoint`, `spec default`, `vpcgen default` or
    /// `not supported by the service`.
    pub policy_origin: &'static str,
    /// The spec's default policy (`org-only`, `full-access`, `custom`) that this endpoint does
    /// not get because its service accepts no policy here; null otherwise.
    pub policy_skipped: Option<&'static str>,
    /// Why the endpoint exists: `listed in the spec` first, then the presets that asked for it.
    pub reasons: Vec<String>,
    /// A catalogue note about the service worth a comment in the output; null if none.
    pub note: Option<&'static str>,
}

/// What an endpoint attaches to.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct AttachmentInfo {
    /// Every subnet / route table of the VPC (true) or a subset named in the spec (false).
    pub all: bool,
    /// Existing VPC: the ids. New VPC: AZ names (subnets) or `private-<az>` and `public` (route
    /// tables). Empty when the attachment does not apply to the endpoint's type.
    pub items: Arc<[String]>,
}

/// The security group of the interface endpoints.
#[derive(Debug, Clone, Serialize)]
pub struct SecurityGroupInfo {
    /// `endpoints` / `EndpointSecurityGroup` / `endpoints`.
    pub ident: Ident,
    /// Its `Name` tag (`<spec name>-endpoints`).
    pub name: String,
    /// Its description (`Interface endpoints of NAME: TCP 443 from clients only`).
    pub description: String,
    /// Ingress rules: one per port and source, sorted by port.
    pub rules: Vec<RuleInfo>,
}

/// One ingress rule of the security group.
#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    /// From the port and source (`tcp_443_from_vpc`, `Tcp443FromVpc`, ...).
    pub ident: Ident,
    /// Always `tcp`.
    pub protocol: String,
    pub from_port: u16,
    pub to_port: u16,
    /// `vpc_cidr`, `cidr` or `security_group`.
    pub source_kind: String,
    /// The CIDR or security group id; empty for `vpc_cidr`.
    pub source: String,
    /// Human description (`HTTPS (443) to interface endpoints from the VPC CIDR`).
    pub description: String,
}

impl Context<'_> {
    /// The context as Tera holds it. Endpoints are converted once and shared by the three
    /// endpoint lists (Tera values are reference-counted) rather than converted three times, as
    /// serialising the struct whole would. A test checks it equals `--dump-context`.
    pub fn to_tera(&self) -> tera::Context {
        let mut c = tera::Context::new();
        c.insert("context_version", &self.context_version);
        c.insert("vpcgen_version", &self.vpcgen_version);
        c.insert("target", &self.target);
        c.insert("spec", &self.spec);
        c.insert("regenerate", &self.regenerate);
        c.insert("region", &self.region);
        c.insert("tags", &self.tags);
        c.insert("vpc", &self.vpc);
        let endpoints = endpoint_values(&self.endpoints);
        let pick = |gateway: bool| -> Vec<tera::Value> {
            endpoints
                .iter()
                .zip(&self.endpoints)
                .filter(|(_, e)| e.gateway == gateway)
                .map(|(v, _)| v.clone())
                .collect()
        };
        c.insert_value("gateway_endpoints", tera::Value::from(pick(true)));
        c.insert_value("interface_endpoints", tera::Value::from(pick(false)));
        c.insert_value("endpoints", tera::Value::from(endpoints));
        c.insert("security_group", &self.security_group);
        c.insert("output_limits", &self.output_limits);
        c.insert("uses_vpc_cidr", &self.uses_vpc_cidr);
        c.insert_value("policies", policy_values(self.policies));
        c.insert("policy_notes", &self.policy_notes);
        c
    }
}

/// The endpoints as template values. Endpoints repeat between the specs of a batch (the same
/// services in the same Region with the same policy choice), and converting one is far dearer
/// than comparing it, so each thread remembers the value of every endpoint it converted.
fn endpoint_values(endpoints: &[Arc<EndpointInfo>]) -> Vec<tera::Value> {
    endpoints
        .iter()
        .map(|e| memo::remember(e.clone(), |e| tera::Value::from_serializable(&**e)))
        .collect()
}

/// The policy documents as template values. Documents repeat between the specs of a batch (one
/// organisation's `org-only` policy, a house policy copied into every spec); each thread
/// remembers the value of every document it converted, by its JSON text, which is exact: two
/// documents with the same text give the same template value. The layout filters then lay out
/// a document once for the whole batch rather than once per spec (see `filters`).
fn policy_values(policies: &BTreeMap<String, serde_json::Value>) -> tera::Value {
    let values: BTreeMap<&str, tera::Value> = policies
        .iter()
        .map(|(name, doc)| {
            let text = serde_json::to_string(doc).expect("a JSON value serialises");
            let value = memo::remember(PolicyText(text), |_| tera::Value::from_serializable(doc));
            (name.as_str(), value)
        })
        .collect();
    tera::Value::from_serializable(&values)
}

/// A policy document's JSON text, as the key of its remembered template value.
#[derive(PartialEq, Eq, Hash)]
struct PolicyText(String);

/// Build the context for one target. `regenerate` is the command printed in file headers. The
/// context borrows from the plan: it is built once per output directory and dropped after it.
pub fn build<'a>(plan: &'a Plan, target: &'static str, regenerate: &'a str) -> Context<'a> {
    let mut tags: BTreeMap<&str, &str> = plan
        .tags
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    tags.insert("ManagedBy", "vpcgen");
    let endpoints: Vec<Arc<EndpointInfo>> = plan
        .endpoints
        .iter()
        .map(|e| Arc::new(endpoint(e)))
        .collect();
    let pick = |gateway: bool| -> Vec<Arc<EndpointInfo>> {
        endpoints
            .iter()
            .filter(|e| e.gateway == gateway)
            .cloned()
            .collect()
    };
    Context {
        context_version: CONTEXT_VERSION,
        vpcgen_version: env!("CARGO_PKG_VERSION"),
        target,
        spec: SpecInfo {
            path: &plan.spec_path,
            name: &plan.name,
        },
        regenerate,
        region: RegionInfo {
            name: plan.region.name,
            title: plan.region.title,
            partition: plan.partition.name,
        },
        tags: tags
            .into_iter()
            .map(|(key, value)| Tag { key, value })
            .collect(),
        vpc: vpc(plan),
        gateway_endpoints: pick(true),
        interface_endpoints: pick(false),
        endpoints,
        security_group: plan.security_group.as_ref().map(|sg| SecurityGroupInfo {
            ident: sg.ident.clone(),
            name: sg.name.clone(),
            description: sg.description.clone(),
            rules: sg
                .rules
                .iter()
                .map(|r| {
                    let (kind, source) = match &r.source {
                        Source::VpcCidr => ("vpc_cidr", String::new()),
                        Source::Cidr(c) => ("cidr", c.to_string()),
                        Source::SecurityGroup(g) => ("security_group", g.clone()),
                    };
                    RuleInfo {
                        ident: r.ident.clone(),
                        protocol: "tcp".into(),
                        from_port: r.from_port,
                        to_port: r.to_port,
                        source_kind: kind.into(),
                        source,
                        description: r.description.clone(),
                    }
                })
                .collect(),
        }),
        output_limits: OutputLimits::for_plan(plan),
        uses_vpc_cidr: plan
            .security_group
            .as_ref()
            .is_some_and(|sg| sg.rules.iter().any(|r| r.source == Source::VpcCidr)),
        policies: &plan.policies,
        policy_notes: &plan.policy_notes,
    }
}

fn vpc(plan: &Plan) -> VpcInfo {
    match &plan.network {
        NetworkPlan::Existing {
            id,
            cidr,
            subnets,
            route_tables,
        } => {
            let mut subnets: Vec<SubnetInfo> = subnets
                .iter()
                .map(|s| SubnetInfo {
                    id: s.id.clone(),
                    az: s.az.clone(),
                    by_id: s.by_id,
                })
                .collect();
            subnets.sort_by(|a, b| a.az.cmp(&b.az));
            VpcInfo {
                create: false,
                id: id.clone(),
                cidr: cidr.to_string(),
                subnet_ids: subnets.iter().map(|s| s.id.clone()).collect(),
                subnets,
                route_tables: route_tables.clone(),
                azs: Vec::new(),
                public_subnets: false,
                nat: "none".into(),
                gateway_on_public: false,
                azs_by_id: false,
            }
        }
        NetworkPlan::New(v) => VpcInfo {
            create: true,
            id: None,
            cidr: v.cidr.to_string(),
            subnets: Vec::new(),
            subnet_ids: Vec::new(),
            route_tables: Vec::new(),
            azs: v
                .azs
                .iter()
                .map(|a| AzInfo {
                    name: a.name.clone(),
                    ident: a.ident.clone(),
                    private_cidr: a.private_cidr.to_string(),
                    public_cidr: a.public_cidr.map(|c| c.to_string()),
                    nat_gateway: a.nat_gateway,
                    nat_via: a.nat_via.clone(),
                    nat_via_ident: a
                        .nat_via
                        .as_ref()
                        .and_then(|n| v.azs.iter().find(|x| &x.name == n))
                        .map(|x| x.ident.clone()),
                })
                .collect(),
            public_subnets: v.public,
            nat: v.nat.as_str().into(),
            gateway_on_public: v.gateway_on_public,
            azs_by_id: v.azs_by_id,
        },
    }
}

fn endpoint(e: &PlannedEndpoint) -> EndpointInfo {
    let attachment = |a: &crate::plan::Attachment| AttachmentInfo {
        all: a.all,
        items: a.items.clone(),
    };
    EndpointInfo {
        key: e.key,
        title: e.title,
        ident: e.ident.clone(),
        r#type: e.kind.as_str(),
        gateway: e.kind == EndpointType::Gateway,
        interface: e.kind == EndpointType::Interface,
        type_reason: e.type_reason,
        service_name: e.service_name.clone(),
        ports: e.ports,
        private_dns: e.private_dns,
        inbound_resolver_only: e.inbound_resolver_only,
        depends_on: e.depends_on.clone(),
        route_tables: attachment(&e.route_tables),
        subnets: attachment(&e.subnets),
        azs: e.azs.clone(),
        policy: e.policy.clone(),
        policy_kind: e.policy_kind,
        policy_origin: e.policy_origin,
        policy_skipped: e.policy_skipped,
        reasons: e.reasons.iter().map(ToString::to_string).collect(),
        note: e.note,
    }
}
