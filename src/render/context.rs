//! `Plan` -> the serialisable view every template receives. This is a contract with users who
//! write their own templates: `docs/templates.md` documents each field, `CONTEXT_VERSION` changes
//! whenever a field is removed or changes meaning, and `vpcgen generate --dump-context` prints it.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use crate::aws::EndpointType;
use crate::memo;
use crate::naming::Ident;
use crate::plan::{HubPlan, NetworkPlan, Plan, PlannedEndpoint, Source};

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
    /// Every endpoint, sorted by key, then type (`s3` gateway before `s3` interface).
    pub endpoints: Vec<Arc<EndpointInfo>>,
    /// The gateway endpoints of `endpoints`, in the same order.
    pub gateway_endpoints: Vec<Arc<EndpointInfo>>,
    /// The interface endpoints of `endpoints`, in the same order.
    pub interface_endpoints: Vec<Arc<EndpointInfo>>,
    /// The Gateway Load Balancer endpoint sets of `endpoints`, in the same order.
    pub gateway_load_balancer_endpoints: Vec<Arc<EndpointInfo>>,
    /// The VPC Lattice endpoints (resource and service-network) of `endpoints`, in order.
    pub lattice_endpoints: Vec<Arc<EndpointInfo>>,
    /// The one security group of the interface and VPC Lattice endpoints; null without them.
    pub security_group: Option<SecurityGroupInfo>,
    /// Which per-endpoint outputs fit within CloudFormation's limit of 200 outputs per template.
    pub output_limits: OutputLimits,
    /// Whether a security group rule admits the VPC's own CIDR (so the CIDR is an input).
    pub uses_vpc_cidr: bool,
    /// Whether a security group rule admits the VPC's IPv6 block (an input for an existing VPC).
    pub uses_vpc_ipv6_cidr: bool,
    /// Existing VPC: whether an endpoint attaches to every subnet of `vpc.subnets` (so the ids
    /// are an input).
    pub uses_subnet_ids: bool,
    /// Existing VPC: whether a gateway endpoint attaches to every route table of
    /// `vpc.route_tables` (so the ids are an input).
    pub uses_route_table_ids: bool,
    /// The hashicorp/aws release the Terraform output needs.
    pub terraform_provider: ProviderInfo,
    /// Policy documents by name, shared between endpoints (`endpoints[].policy` names one). Each
    /// is an IAM policy document as a JSON object.
    pub policies: &'a BTreeMap<String, Arc<serde_json::Value>>,
    /// Why a policy says what it says, by policy name, where a comment beside it helps (the STS
    /// endpoint's `org-only` policy admits federated callers); policies without one are absent.
    pub policy_notes: &'a BTreeMap<String, &'static str>,
    /// A hub's spokes and how its endpoints are shared with them; null unless the spec has
    /// `hub:`.
    pub hub: Option<&'a HubPlan>,
}

/// The lowest provider release with every argument the output uses.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderInfo {
    /// `5.20.0`, or higher where a feature needs it.
    pub minimum: &'static str,
    /// The features that raise `minimum` above 5.20.0, each with the release that added it, in
    /// version order; empty at 5.20.0.
    pub needs: Vec<ProviderNeed>,
}

/// A feature of the output and the provider release that added it.
#[derive(Debug, Clone, Serialize)]
pub struct ProviderNeed {
    /// `5.83.0`.
    pub version: &'static str,
    /// `service_region (cross-Region endpoints)`.
    pub feature: &'static str,
}

/// Which outputs fit in a CloudFormation template.
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
            .filter(|e| e.kind.has_security_group())
            .count();
        // Room for the fixed outputs: security group, VPC, the hub's zones or Profile, and
        // subnets and route tables per AZ.
        let fixed = 2
            + usize::from(plan.hub.is_some())
            + match &plan.network {
                NetworkPlan::New(v) => 3 * v.azs.len(),
                NetworkPlan::Existing { .. } => 0,
            };
        // A Gateway Load Balancer endpoint set has one endpoint, and one output, per subnet.
        let endpoints: usize = plan
            .endpoints
            .iter()
            .map(|e| e.placements.len().max(1))
            .sum();
        let ids = endpoints + fixed <= CFN_MAX_OUTPUTS;
        OutputLimits {
            endpoint_ids: ids,
            dns_entries: ids && endpoints + interfaces + fixed <= CFN_MAX_OUTPUTS,
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
    /// Existing VPC: its IPv6 block from the spec (`vpc.ipv6_cidr`); null without one and for a
    /// new VPC.
    pub ipv6_cidr: Option<String>,
    /// New VPC: AWS gives it an IPv6 /56 and each subnet a /64 of it (`vpc.ipv6`).
    pub ipv6: bool,
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
    /// With `vpc.ipv6`: the private subnet's /64 as a `cidrsubnet` netnum of the VPC's /56
    /// (the AZ's index); null otherwise.
    pub private_ipv6_netnum: Option<u8>,
    /// With `vpc.ipv6` and public subnets: the public subnet's netnum (128 + the AZ's index).
    pub public_ipv6_netnum: Option<u8>,
    /// `ident` of the `nat_via` AZ; null without NAT.
    pub nat_via_ident: Option<Ident>,
}

/// One VPC endpoint. It holds its own data (shared with the plan where it can), so that a
/// thread can hand an equal endpoint of a later spec the template value it made for this one.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct EndpointInfo {
    /// Catalogue key of the service (`ecr.api`) as written in specs, or the endpoint's `name`
    /// where the spec gives one (always for endpoints that reach no catalogue service).
    pub key: Arc<str>,
    /// The catalogue key of the service it reaches; null for the other kinds.
    pub service_key: Option<&'static str>,
    /// The service's name (`Amazon ECR API`), or the kind of target (`Endpoint service`).
    pub title: &'static str,
    /// What it reaches: `service` (an AWS service of the catalogue), `endpoint_service`,
    /// `gateway_load_balancer`, `resource_configuration` or `service_network`.
    pub reach: &'static str,
    /// Identifiers derived from the key (and the type, when it is not the service's default):
    /// `ecr_api` / `EcrApi` / `ecr-api`, `s3_interface` / `S3Interface` / `s3-interface`.
    pub ident: Arc<Ident>,
    /// `Gateway`, `Interface`, `GatewayLoadBalancer`, `Resource` or `ServiceNetwork`, spelt as
    /// AWS spells it.
    pub r#type: &'static str,
    /// `type == "Gateway"`.
    pub gateway: bool,
    /// `type == "Interface"`.
    pub interface: bool,
    /// `type == "GatewayLoadBalancer"`.
    pub gateway_load_balancer: bool,
    /// `type` is `Resource` or `ServiceNetwork`.
    pub lattice: bool,
    /// Its network interfaces are in the endpoint security group (interface and VPC Lattice).
    pub has_security_group: bool,
    /// Why this type was chosen (`gateway by default: free, and reached from inside the VPC`).
    pub type_reason: &'static str,
    /// The service name (`com.amazonaws.eu-west-1.ecr.api`, in the `service_region` when set);
    /// empty for VPC Lattice endpoints.
    pub service_name: Arc<str>,
    /// VPC Lattice: the resource configuration's or service network's ARN; null otherwise.
    pub arn: Option<Arc<str>>,
    /// Cross-Region: the Region the service is reached in; null for the VPC's own.
    pub service_region: Option<&'static str>,
    /// TCP ports its security group rules admit (`[443]`); empty without a security group.
    pub ports: Arc<[u16]>,
    /// Whether private DNS is enabled; always false for gateway and Gateway Load Balancer.
    pub private_dns: bool,
    /// S3/DynamoDB interface with private DNS: the inbound-resolver-only setting (true when a
    /// gateway endpoint for the service exists); null for every other endpoint.
    pub inbound_resolver_only: Option<bool>,
    /// `ipv4`, `dualstack` or `ipv6`; null for AWS's default (IPv4).
    pub ip_address_type: Option<&'static str>,
    /// `ipv4`, `dualstack`, `ipv6` or `service-defined`; null for AWS's default.
    pub dns_record_ip_type: Option<&'static str>,
    /// Whether the endpoint has DNS options to set (`dns_record_ip_type` or
    /// `inbound_resolver_only`).
    pub dns_options: bool,
    /// A gateway endpoint this one must be created after (its `ident`); null otherwise.
    pub depends_on: Option<Arc<Ident>>,
    /// Gateway: the route tables it attaches to.
    pub route_tables: AttachmentInfo,
    /// Every other type: the subnets it has network interfaces in.
    pub subnets: AttachmentInfo,
    /// The AZs of its subnets, sorted; empty for gateways.
    pub azs: Arc<[String]>,
    /// Interface: fixed addresses by subnet (`subnet`, `ipv4`, `ipv6`), sorted; empty when AWS
    /// chooses them.
    pub fixed_ips: Arc<[FixedIpInfo]>,
    /// Gateway Load Balancer: one endpoint per subnet (`subnet`, `az`, `cfn` suffix), by AZ.
    pub placements: Arc<[PlacementInfo]>,
    /// Gateway Load Balancer: the routes to its endpoints, sorted by `key`.
    pub routes: Arc<[RouteInfo]>,
    /// Name of the policy in `policies`, or null where the endpoint takes none.
    pub policy: Option<Arc<str>>,
    /// `full-access`, `org-only`, `custom` or `none`.
    pub policy_kind: &'static str,
    /// Where the policy choice came from: `endpoint`, `spec default`, `vpcgen default`, or why
    /// there is none: `not supported by the service`, `left to the endpoint service`,
    /// `not supported by the endpoint type`.
    pub policy_origin: &'static str,
    /// The spec's default policy (`org-only`, `full-access`, `custom`) that this endpoint does
    /// not get; null otherwise.
    pub policy_skipped: Option<&'static str>,
    /// Why the endpoint exists: `listed in the spec` first, then the presets that asked for it.
    pub reasons: Vec<String>,
    /// A catalogue note about the service worth a comment in the output; null if none.
    pub note: Option<&'static str>,
}

/// A fixed address of an interface endpoint's network interface.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct FixedIpInfo {
    /// Existing VPC: the subnet id. New VPC: the AZ, as in `vpc.azs[].name`.
    pub subnet: String,
    pub ipv4: Option<String>,
    pub ipv6: Option<String>,
}

/// One endpoint of a Gateway Load Balancer endpoint set.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct PlacementInfo {
    pub subnet: String,
    pub az: String,
    /// The subnet id as a logical id suffix (`Subnet0aaa1111bbbb2222c`).
    pub cfn: String,
}

/// A route whose target is a Gateway Load Balancer endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize)]
pub struct RouteInfo {
    /// `<route table> <destination>`, the route's Terraform key.
    pub key: String,
    /// Logical id suffix from the key (`Rtb0abc0x0x0x0n0`).
    pub cfn: String,
    pub route_table: String,
    /// The destination CIDR block.
    pub destination: String,
    /// The destination is an IPv6 block.
    pub ipv6: bool,
    pub az: String,
    /// The endpoint subnet in `az`: the endpoint this route goes to.
    pub subnet: String,
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
    /// `vpc_cidr`, `vpc_ipv6_cidr`, `cidr`, `cidr_ipv6` or `security_group`.
    pub source_kind: String,
    /// The CIDR or security group id; empty for `vpc_cidr` and `vpc_ipv6_cidr`.
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
        let pick = |group: Group| -> Vec<tera::Value> {
            endpoints
                .iter()
                .zip(&self.endpoints)
                .filter(|(_, e)| group.has(e))
                .map(|(v, _)| v.clone())
                .collect()
        };
        c.insert_value("gateway_endpoints", tera::Value::from(pick(Group::Gateway)));
        c.insert_value(
            "interface_endpoints",
            tera::Value::from(pick(Group::Interface)),
        );
        c.insert_value(
            "gateway_load_balancer_endpoints",
            tera::Value::from(pick(Group::GatewayLoadBalancer)),
        );
        c.insert_value("lattice_endpoints", tera::Value::from(pick(Group::Lattice)));
        c.insert_value("endpoints", tera::Value::from(endpoints));
        c.insert("security_group", &self.security_group);
        c.insert("output_limits", &self.output_limits);
        c.insert("uses_vpc_cidr", &self.uses_vpc_cidr);
        c.insert("uses_vpc_ipv6_cidr", &self.uses_vpc_ipv6_cidr);
        c.insert("uses_subnet_ids", &self.uses_subnet_ids);
        c.insert("uses_route_table_ids", &self.uses_route_table_ids);
        c.insert("terraform_provider", &self.terraform_provider);
        c.insert_value("policies", policy_values(self.policies));
        c.insert("policy_notes", &self.policy_notes);
        c.insert("hub", &self.hub);
        c
    }
}

/// The endpoint lists of the context besides `endpoints`.
#[derive(Clone, Copy)]
enum Group {
    Gateway,
    Interface,
    GatewayLoadBalancer,
    Lattice,
}

impl Group {
    fn has(self, e: &EndpointInfo) -> bool {
        match self {
            Group::Gateway => e.gateway,
            Group::Interface => e.interface,
            Group::GatewayLoadBalancer => e.gateway_load_balancer,
            Group::Lattice => e.lattice,
        }
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
fn policy_values(policies: &BTreeMap<String, Arc<serde_json::Value>>) -> tera::Value {
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
    let existing = matches!(plan.network, NetworkPlan::Existing { .. });
    let endpoints: Vec<Arc<EndpointInfo>> = plan
        .endpoints
        .iter()
        .map(|e| Arc::new(endpoint(e)))
        .collect();
    let pick = |group: Group| -> Vec<Arc<EndpointInfo>> {
        endpoints.iter().filter(|e| group.has(e)).cloned().collect()
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
        gateway_endpoints: pick(Group::Gateway),
        interface_endpoints: pick(Group::Interface),
        gateway_load_balancer_endpoints: pick(Group::GatewayLoadBalancer),
        lattice_endpoints: pick(Group::Lattice),
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
                        Source::VpcIpv6Cidr => ("vpc_ipv6_cidr", String::new()),
                        Source::Cidr(ipnet::IpNet::V4(c)) => ("cidr", c.to_string()),
                        Source::Cidr(ipnet::IpNet::V6(c)) => ("cidr_ipv6", c.to_string()),
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
        uses_vpc_ipv6_cidr: plan
            .security_group
            .as_ref()
            .is_some_and(|sg| sg.rules.iter().any(|r| r.source == Source::VpcIpv6Cidr)),
        uses_subnet_ids: existing
            && plan
                .endpoints
                .iter()
                .any(|e| e.kind.has_security_group() && e.subnets.all),
        uses_route_table_ids: existing
            && plan
                .endpoints
                .iter()
                .any(|e| e.kind == EndpointType::Gateway && e.route_tables.all),
        terraform_provider: ProviderInfo {
            minimum: plan.provider_floor.version,
            needs: plan
                .provider_floor
                .needs
                .iter()
                .map(|(version, feature)| ProviderNeed { version, feature })
                .collect(),
        },
        policies: &plan.policies,
        policy_notes: &plan.policy_notes,
        hub: plan.hub.as_ref(),
    }
}

fn vpc(plan: &Plan) -> VpcInfo {
    match &plan.network {
        NetworkPlan::Existing {
            id,
            cidr,
            ipv6_cidr,
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
                ipv6_cidr: ipv6_cidr.map(|c| c.to_string()),
                ipv6: false,
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
            ipv6_cidr: None,
            ipv6: v.ipv6,
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
                    private_ipv6_netnum: a.private_ipv6_netnum,
                    public_ipv6_netnum: a.public_ipv6_netnum,
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
        key: e.key.clone(),
        service_key: e.service_key,
        title: e.title,
        reach: e.reach,
        ident: e.ident.clone(),
        r#type: e.kind.as_str(),
        gateway: e.kind == EndpointType::Gateway,
        interface: e.kind == EndpointType::Interface,
        gateway_load_balancer: e.kind == EndpointType::GatewayLoadBalancer,
        lattice: matches!(
            e.kind,
            EndpointType::Resource | EndpointType::ServiceNetwork
        ),
        has_security_group: e.kind.has_security_group(),
        type_reason: e.type_reason,
        service_name: e.service_name.clone(),
        arn: e.arn.clone(),
        service_region: e.service_region,
        ports: e.ports.clone(),
        private_dns: e.private_dns,
        inbound_resolver_only: e.inbound_resolver_only,
        ip_address_type: e.ip_address_type.map(|t| t.as_str()),
        dns_record_ip_type: e.dns_record_ip_type.map(|t| t.as_str()),
        dns_options: e.dns_record_ip_type.is_some() || e.inbound_resolver_only.is_some(),
        depends_on: e.depends_on.clone(),
        route_tables: attachment(&e.route_tables),
        subnets: attachment(&e.subnets),
        azs: e.azs.clone(),
        fixed_ips: e
            .fixed_ips
            .iter()
            .map(|f| FixedIpInfo {
                subnet: f.subnet.clone(),
                ipv4: f.ipv4.clone(),
                ipv6: f.ipv6.clone(),
            })
            .collect(),
        placements: e
            .placements
            .iter()
            .map(|p| PlacementInfo {
                subnet: p.subnet.clone(),
                az: p.az.clone(),
                cfn: p.cfn.clone(),
            })
            .collect(),
        routes: e
            .routes
            .iter()
            .map(|r| RouteInfo {
                key: r.key.clone(),
                cfn: r.cfn.clone(),
                route_table: r.route_table.clone(),
                destination: r.destination.clone(),
                ipv6: r.ipv6,
                az: r.az.clone(),
                subnet: r.subnet.clone(),
            })
            .collect(),
        policy: e.policy.clone(),
        policy_kind: e.policy_kind,
        policy_origin: e.policy_origin,
        policy_skipped: e.policy_skipped,
        reasons: e.reasons.iter().map(ToString::to_string).collect(),
        note: e.note,
    }
}
