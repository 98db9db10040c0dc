//! `Plan` -> the serialisable view every template receives. This is a contract with users who
//! write their own templates: `docs/templates.md` documents each field, `CONTEXT_VERSION` changes
//! whenever a field is removed or changes meaning, and `vpcgen generate --dump-context` prints it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::catalog::EndpointType;
use crate::naming::Ident;
use crate::plan::{NetworkPlan, Plan, PlannedEndpoint, Source};

/// Bumped on any incompatible change to the context's shape or meaning.
pub const CONTEXT_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize)]
pub struct Context {
    pub context_version: u32,
    pub vpcgen_version: &'static str,
    /// `terraform` or `cloudformation`.
    pub target: String,
    pub spec: SpecInfo,
    /// The command that regenerates this output.
    pub regenerate: String,
    pub region: RegionInfo,
    /// Tags for every taggable resource (the spec's plus `ManagedBy`), sorted by key.
    pub tags: Vec<Tag>,
    pub vpc: VpcInfo,
    pub endpoints: Vec<EndpointInfo>,
    pub gateway_endpoints: Vec<EndpointInfo>,
    pub interface_endpoints: Vec<EndpointInfo>,
    pub security_group: Option<SecurityGroupInfo>,
    /// Which per-endpoint outputs fit within CloudFormation's limit of 200 outputs per template.
    pub output_limits: OutputLimits,
    /// Whether a security group rule admits the VPC's own CIDR (so the CIDR is an input).
    pub uses_vpc_cidr: bool,
    /// Policy documents by name, shared between endpoints (`endpoints[].policy` names one).
    pub policies: BTreeMap<String, serde_json::Value>,
}

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
pub struct SpecInfo {
    pub path: String,
    pub name: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct RegionInfo {
    pub name: String,
    pub title: String,
    /// ARN partition: `aws`, `aws-cn`, `aws-us-gov`, ...
    pub partition: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tag {
    pub key: String,
    pub value: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct VpcInfo {
    /// True when vpcgen creates the VPC.
    pub create: bool,
    /// Existing VPC: the id from the spec, if given (the default of the input).
    pub id: Option<String>,
    pub cidr: String,
    /// Existing VPC: subnets as given, sorted by AZ.
    pub subnets: Vec<SubnetInfo>,
    /// Existing VPC: the subnet ids of `subnets`, in the same order.
    pub subnet_ids: Vec<String>,
    /// Existing VPC: route table ids as given.
    pub route_tables: Vec<String>,
    /// New VPC: one entry per AZ with its subnets.
    pub azs: Vec<AzInfo>,
    pub public_subnets: bool,
    /// `none`, `single` or `per-az`.
    pub nat: String,
    pub gateway_on_public: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct SubnetInfo {
    pub id: String,
    pub az: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct AzInfo {
    pub name: String,
    pub ident: Ident,
    pub private_cidr: String,
    pub public_cidr: Option<String>,
    pub nat_gateway: bool,
    /// AZ whose NAT gateway the private route table uses.
    pub nat_via: Option<String>,
    pub nat_via_ident: Option<Ident>,
}

#[derive(Debug, Clone, Serialize)]
pub struct EndpointInfo {
    pub key: String,
    pub title: String,
    pub ident: Ident,
    /// `Gateway` or `Interface`.
    pub r#type: String,
    pub gateway: bool,
    pub interface: bool,
    pub type_reason: String,
    pub service_name: String,
    pub ports: Vec<u16>,
    pub private_dns: bool,
    /// S3/DynamoDB interface with private DNS: the inbound-resolver-only setting.
    pub inbound_resolver_only: Option<bool>,
    /// A gateway endpoint this one must be created after.
    pub depends_on: Option<Ident>,
    pub route_tables: AttachmentInfo,
    pub subnets: AttachmentInfo,
    pub azs: Vec<String>,
    /// Name of the policy in `policies`, or null where the service rejects policies.
    pub policy: Option<String>,
    /// `full-access`, `org-only`, `custom` or `none`.
    pub policy_kind: String,
    pub policy_origin: String,
    pub reasons: Vec<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct AttachmentInfo {
    /// Every subnet / route table of the VPC (true) or a subset named in the spec (false).
    pub all: bool,
    pub items: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SecurityGroupInfo {
    pub ident: Ident,
    pub name: String,
    pub description: String,
    pub rules: Vec<RuleInfo>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RuleInfo {
    pub ident: Ident,
    pub protocol: String,
    pub from_port: u16,
    pub to_port: u16,
    /// `vpc_cidr`, `cidr` or `security_group`.
    pub source_kind: String,
    /// The CIDR or security group id; empty for `vpc_cidr`.
    pub source: String,
    pub description: String,
}

/// Build the context for one target. `regenerate` is the command printed in file headers.
pub fn build(plan: &Plan, target: &str, regenerate: &str) -> Context {
    let mut tags: BTreeMap<String, String> = plan.tags.clone();
    tags.insert("ManagedBy".into(), "vpcgen".into());
    let endpoints: Vec<EndpointInfo> = plan.endpoints.iter().map(endpoint).collect();
    Context {
        context_version: CONTEXT_VERSION,
        vpcgen_version: env!("CARGO_PKG_VERSION"),
        target: target.to_owned(),
        spec: SpecInfo {
            path: plan.spec_path.clone(),
            name: plan.name.clone(),
        },
        regenerate: regenerate.to_owned(),
        region: RegionInfo {
            name: plan.region.name.to_owned(),
            title: plan.region.title.to_owned(),
            partition: plan.partition.name.to_owned(),
        },
        tags: tags
            .into_iter()
            .map(|(key, value)| Tag { key, value })
            .collect(),
        vpc: vpc(plan),
        gateway_endpoints: endpoints.iter().filter(|e| e.gateway).cloned().collect(),
        interface_endpoints: endpoints.iter().filter(|e| e.interface).cloned().collect(),
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
        policies: plan.policies.clone(),
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
        },
    }
}

fn endpoint(e: &PlannedEndpoint) -> EndpointInfo {
    EndpointInfo {
        key: e.key.to_owned(),
        title: e.title.to_owned(),
        ident: e.ident.clone(),
        r#type: e.kind.as_str().to_owned(),
        gateway: e.kind == EndpointType::Gateway,
        interface: e.kind == EndpointType::Interface,
        type_reason: e.type_reason.to_owned(),
        service_name: e.service_name.clone(),
        ports: e.ports.clone(),
        private_dns: e.private_dns,
        inbound_resolver_only: e.inbound_resolver_only,
        depends_on: e.depends_on.clone(),
        route_tables: AttachmentInfo {
            all: e.route_tables.all,
            items: e.route_tables.items.clone(),
        },
        subnets: AttachmentInfo {
            all: e.subnets.all,
            items: e.subnets.items.clone(),
        },
        azs: e.azs.clone(),
        policy: e.policy.clone(),
        policy_kind: e.policy_kind.to_owned(),
        policy_origin: e.policy_origin.to_owned(),
        reasons: e.reasons.clone(),
        note: e.note.map(str::to_owned),
    }
}
