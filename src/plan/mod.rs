//! `Vpc` -> `Plan`: the concrete things to create. Endpoints with their service names, DNS
//! options, attachments and policies; the shared security group and its rules; the new VPC's
//! subnets and route tables. Everything is sorted and target-neutral; templates only spell it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ipnet::{IpNet, Ipv4Net, Ipv6Net};
use serde_json::Value;

use crate::aws::{EndpointType, Partition, Region};
use crate::error::Diagnostic;
use crate::model::{
    DnsRecordIpType, IpAddressType, Nat, Network, PolicyChoice, Reach, Reason, Subnet, Vpc,
};
use crate::naming::{self, Ident};

mod hub;
mod notes;
mod policies;
mod security_group;

pub use hub::{HubPlan, ProfileEndpoint, SpokePlan, Unshared, ZonePlan};
pub use policies::STS_FEDERATION_NOTE;
use policies::{is_sts, policy_document, policy_name};

#[derive(Debug, Clone)]
pub struct Plan {
    pub name: String,
    pub spec_path: String,
    pub region: &'static Region,
    pub partition: &'static Partition,
    pub network: NetworkPlan,
    pub endpoints: Vec<PlannedEndpoint>,
    pub security_group: Option<SecurityGroupPlan>,
    /// Policy documents by name; endpoints refer to them by name.
    pub policies: BTreeMap<String, Arc<Value>>,
    /// Why a policy document says what it says, where that is worth a comment beside it.
    pub policy_notes: BTreeMap<String, &'static str>,
    /// What the reader should know about the plan that is not a warning: facts vpcgen cannot
    /// check from the spec alone.
    pub notes: Vec<String>,
    /// The Terraform provider release the output needs.
    pub provider_floor: ProviderFloor,
    /// A hub's spokes and what shares its endpoints with them.
    pub hub: Option<HubPlan>,
    pub tags: BTreeMap<String, String>,
    pub org_id: Option<String>,
    pub traffic_gb_per_month: Option<f64>,
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug, Clone)]
pub enum NetworkPlan {
    Existing {
        id: Option<String>,
        cidr: Ipv4Net,
        ipv6_cidr: Option<Ipv6Net>,
        subnets: Vec<Subnet>,
        route_tables: Vec<String>,
    },
    New(NewVpcPlan),
}

#[derive(Debug, Clone)]
pub struct NewVpcPlan {
    pub cidr: Ipv4Net,
    pub azs: Vec<AzPlan>,
    pub public: bool,
    pub nat: Nat,
    pub gateway_on_public: bool,
    /// The AZs are AZ IDs (`use1-az1`), and subnets are placed by AZ ID.
    pub azs_by_id: bool,
    /// An Amazon-provided IPv6 /56 with a /64 for every subnet.
    pub ipv6: bool,
}

#[derive(Debug, Clone)]
pub struct AzPlan {
    /// Full AZ name (`us-east-1a`).
    pub name: String,
    pub ident: Ident,
    pub private_cidr: Ipv4Net,
    pub public_cidr: Option<Ipv4Net>,
    /// Whether a NAT gateway sits in this AZ's public subnet.
    pub nat_gateway: bool,
    /// The AZ whose NAT gateway this AZ's private route table uses.
    pub nat_via: Option<String>,
    /// With IPv6: which /64 of the VPC's /56 the private subnet gets (`cidrsubnet`'s netnum).
    pub private_ipv6_netnum: Option<u8>,
    /// With IPv6 and public subnets: the public subnet's /64.
    pub public_ipv6_netnum: Option<u8>,
}

/// The /64 of a new VPC's /56 for AZ `i`'s public subnet is `PUBLIC_IPV6_BASE + i`, and the
/// private one `i`: fixed per AZ, so that adding an AZ or public subnets moves no block.
pub const PUBLIC_IPV6_BASE: u8 = 128;

#[derive(Debug, Clone)]
pub struct PlannedEndpoint {
    /// The catalogue key, or the endpoint's `name`.
    pub key: Arc<str>,
    /// The catalogue service it reaches, if it reaches one.
    pub service_key: Option<&'static str>,
    pub title: &'static str,
    /// What it reaches: `service`, `endpoint_service`, `gateway_load_balancer`,
    /// `resource_configuration` or `service_network`.
    pub reach: &'static str,
    /// Shared with every plan that has this endpoint (see `naming::endpoint`).
    pub ident: Arc<Ident>,
    pub kind: EndpointType,
    pub type_reason: &'static str,
    /// The service name (empty for VPC Lattice endpoints, which name an ARN).
    pub service_name: Arc<str>,
    /// VPC Lattice: the resource configuration's or service network's ARN.
    pub arn: Option<Arc<str>>,
    /// The Region the service is reached in, when not the VPC's (cross-Region).
    pub service_region: Option<&'static str>,
    pub ports: Arc<[u16]>,
    pub private_dns: bool,
    /// S3/DynamoDB interface endpoints with private DNS: resolve to this endpoint only for
    /// on-premises clients when the gateway endpoint exists.
    pub inbound_resolver_only: Option<bool>,
    pub ip_address_type: Option<IpAddressType>,
    pub dns_record_ip_type: Option<DnsRecordIpType>,
    /// The gateway endpoint that must exist first.
    pub depends_on: Option<Arc<Ident>>,
    /// Gateway: route tables (ids of an existing VPC, or names of created ones).
    pub route_tables: Attachment,
    /// Every other type: subnets (ids of an existing VPC, or AZ names of created ones).
    pub subnets: Attachment,
    /// AZs the endpoint has a network interface in.
    pub azs: Arc<[String]>,
    /// Fixed addresses, by subnet (as in `subnets`), sorted.
    pub fixed_ips: Vec<FixedIpPlan>,
    /// Gateway Load Balancer: one endpoint per subnet, sorted by AZ.
    pub placements: Vec<Placement>,
    /// Gateway Load Balancer: routes to the endpoint of their AZ, sorted.
    pub routes: Vec<RoutePlan>,
    /// The name of its document in `Plan::policies`.
    pub policy: Option<Arc<str>>,
    pub policy_kind: &'static str,
    pub policy_origin: &'static str,
    /// The spec's default policy, when this endpoint takes none.
    pub policy_skipped: Option<&'static str>,
    pub reasons: Vec<Reason>,
    pub note: Option<&'static str>,
    pub traffic_gb_per_month: Option<f64>,
}

/// A fixed address pair for an endpoint's network interface in one subnet.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FixedIpPlan {
    /// A subnet id (existing VPC) or AZ (new VPC), as in the endpoint's `subnets`.
    pub subnet: String,
    pub ipv4: Option<String>,
    pub ipv6: Option<String>,
}

/// One Gateway Load Balancer endpoint of a set: the subnet (and so the AZ) it lives in.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Placement {
    pub subnet: String,
    pub az: String,
    /// The subnet id as a logical id suffix (`Subnet0aaa1111bbbb2222c`).
    pub cfn: String,
}

/// A route through a Gateway Load Balancer endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct RoutePlan {
    /// `rtb-… destination`: the route's key, which never moves when others are added.
    pub key: String,
    /// Logical id suffix, made from the key without loss (`Rtb0abc10x0x0x0n16`).
    pub cfn: String,
    pub route_table: String,
    pub destination: String,
    pub ipv6: bool,
    pub az: String,
    /// The endpoint subnet of `az`, whose endpoint is the target.
    pub subnet: String,
}

/// The lowest hashicorp/aws release that has every argument the output uses, and why.
#[derive(Debug, Clone)]
pub struct ProviderFloor {
    pub version: &'static str,
    /// The features that raise it above the base, with the release that added each, in
    /// version order; empty at the base.
    pub needs: Vec<(&'static str, &'static str)>,
}

/// What an endpoint attaches to: everything the VPC has, or a subset named in the spec. The
/// lists of "everything" are made once per plan and shared by its endpoints.
#[derive(Debug, Clone)]
pub struct Attachment {
    pub all: bool,
    pub items: Arc<[String]>,
}

#[derive(Debug, Clone)]
pub struct SecurityGroupPlan {
    pub ident: Ident,
    pub name: String,
    pub description: String,
    pub rules: Vec<RulePlan>,
}

#[derive(Debug, Clone)]
pub struct RulePlan {
    pub ident: Ident,
    pub from_port: u16,
    pub to_port: u16,
    pub source: Source,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Source {
    /// The VPC's own CIDR (an input for an existing VPC).
    VpcCidr,
    /// The VPC's IPv6 block (an input for an existing VPC).
    VpcIpv6Cidr,
    /// An IPv4 or IPv6 block.
    Cidr(IpNet),
    SecurityGroup(String),
}

impl Source {
    /// How the plan and the diagram name a source: `VPC CIDR`, the CIDR, or the group id.
    pub fn short(&self) -> String {
        match self {
            Source::VpcCidr => "VPC CIDR".to_owned(),
            Source::VpcIpv6Cidr => "VPC IPv6 block".to_owned(),
            Source::Cidr(c) => c.to_string(),
            Source::SecurityGroup(g) => g.clone(),
        }
    }
}

pub fn build(vpc: &Vpc) -> Plan {
    let network = network(vpc);
    let present: BTreeSet<&str> = vpc
        .endpoints
        .iter()
        .filter_map(|e| e.service().map(|s| s.key))
        .collect();
    let mut policies = BTreeMap::new();
    let mut policy_notes = BTreeMap::new();
    let whole = Whole::of(&network);
    let mut endpoints = Vec::new();
    for e in &vpc.endpoints {
        let service = e.service();
        let ident = naming::endpoint_ident(&e.key, service, e.kind);
        let interface = e.kind == EndpointType::Interface;
        let (inbound_resolver_only, depends_on) = match service {
            Some(s)
                if interface
                    && s.inbound_resolver
                    && e.private_dns
                    && e.service_region.is_none() =>
            {
                // The option needs this VPC's gateway endpoint for the same service.
                let gateway = vpc
                    .endpoints
                    .iter()
                    .find(|g| g.is(s.key, EndpointType::Gateway));
                let dep = gateway.map(|g| naming::endpoint_ident(&g.key, g.service(), g.kind));
                (Some(gateway.is_some()), dep)
            }
            // A remote Region's S3 has no gateway endpoint here: every resolver gets this one.
            Some(s) if interface && s.inbound_resolver && e.private_dns => (Some(false), None),
            _ => (None, None),
        };
        let (route_tables, subnets, azs) = attachments(&network, &whole, e);
        let key = service.map(|s| s.key);
        let policy = e.policy.as_ref().map(|choice| {
            let name = policy_name(choice, key, &ident, e.policy_origin, &present);
            if key.is_some_and(is_sts) && *choice == PolicyChoice::OrgOnly {
                policy_notes.insert(name.clone(), STS_FEDERATION_NOTE);
            }
            // Endpoints share documents by name, so each is built once.
            if !policies.contains_key(&name) {
                policies.insert(name.clone(), policy_document(vpc, choice, key, &present));
            }
            Arc::<str>::from(name)
        });
        let (reach, title, service_name, arn): (&str, &str, Arc<str>, Option<Arc<str>>) =
            match &e.reach {
                Reach::Service(s) => (
                    "service",
                    s.title,
                    s.name_in(e.service_region.unwrap_or(vpc.region).name, e.kind)
                        .into(),
                    None,
                ),
                Reach::EndpointService(n) => (
                    "endpoint_service",
                    "Endpoint service",
                    n.as_str().into(),
                    None,
                ),
                Reach::GatewayLoadBalancer(n) => (
                    "gateway_load_balancer",
                    "Gateway Load Balancer endpoint service",
                    n.as_str().into(),
                    None,
                ),
                Reach::Resource(a) => (
                    "resource_configuration",
                    "VPC Lattice resource configuration",
                    "".into(),
                    Some(a.as_str().into()),
                ),
                Reach::ServiceNetwork(a) => (
                    "service_network",
                    "VPC Lattice service network",
                    "".into(),
                    Some(a.as_str().into()),
                ),
            };
        let (placements, routes) = gateway_load_balancer(&network, e, &subnets);
        endpoints.push(PlannedEndpoint {
            key: e.key.as_str().into(),
            service_key: key,
            title,
            reach,
            ident,
            kind: e.kind,
            type_reason: e.type_reason,
            service_name,
            arn,
            service_region: e.service_region.map(|r| r.name),
            ports: e.ports.as_slice().into(),
            private_dns: e.kind.has_private_dns() && e.private_dns,
            inbound_resolver_only,
            ip_address_type: e.ip_address_type,
            dns_record_ip_type: e.dns_record_ip_type,
            depends_on,
            route_tables,
            subnets,
            azs,
            fixed_ips: e
                .fixed_ips
                .iter()
                .map(|(subnet, f)| FixedIpPlan {
                    subnet: subnet.clone(),
                    ipv4: f.ipv4.map(|a| a.to_string()),
                    ipv6: f.ipv6.map(|a| a.to_string()),
                })
                .collect(),
            placements,
            routes,
            policy,
            policy_kind: e.policy.as_ref().map_or("none", PolicyChoice::name),
            policy_origin: e.policy_origin,
            policy_skipped: e.policy_skipped,
            reasons: e.reasons.clone(),
            note: service.and_then(|s| s.note),
            traffic_gb_per_month: e.traffic_gb_per_month,
        });
    }
    let security_group = security_group::build(vpc, &endpoints);
    let hub = hub::build(vpc, &endpoints);
    let mut notes = notes::notes(vpc, vpc.ip_address_type, &endpoints);
    if let Some(h) = &hub {
        notes.extend(hub::notes(h));
    }
    let provider_floor = provider_floor(&endpoints, hub.as_ref());
    Plan {
        name: vpc.name.clone(),
        spec_path: vpc.spec_path.clone(),
        region: vpc.region,
        partition: vpc.partition,
        network,
        endpoints,
        security_group,
        policies,
        policy_notes,
        notes,
        provider_floor,
        hub,
        tags: vpc.tags.clone(),
        org_id: vpc.org_id.clone(),
        traffic_gb_per_month: vpc.traffic_gb_per_month,
        warnings: vpc.warnings.clone(),
    }
}

/// The Terraform provider release the endpoints need: 5.20 has everything but fixed addresses
/// (5.54.0), Route 53 Profiles (5.72.0: 5.71.0 added them but was withdrawn from the registry),
/// `service_region` (5.83.0) and VPC Lattice endpoints (5.85.0), per the provider's changelog.
fn provider_floor(endpoints: &[PlannedEndpoint], hub: Option<&HubPlan>) -> ProviderFloor {
    let uses = [
        (
            "5.54.0",
            "subnet_configuration (fixed addresses)",
            endpoints.iter().any(|e| !e.fixed_ips.is_empty()),
        ),
        (
            "5.72.0",
            "the aws_route53profiles resources (a hub's Route 53 Profile)",
            hub.is_some_and(|h| h.dns == crate::model::HubDns::Route53Profile),
        ),
        (
            "5.83.0",
            "service_region (cross-Region endpoints)",
            endpoints.iter().any(|e| e.service_region.is_some()),
        ),
        (
            "5.85.0",
            "resource_configuration_arn and service_network_arn (VPC Lattice endpoints)",
            endpoints.iter().any(|e| e.arn.is_some()),
        ),
    ];
    let needs: Vec<(&str, &str)> = uses
        .into_iter()
        .filter(|(_, _, used)| *used)
        .map(|(v, why, _)| (v, why))
        .collect();
    ProviderFloor {
        version: needs.last().map_or("5.20.0", |(v, _)| v),
        needs,
    }
}

/// A Gateway Load Balancer endpoint's set: one endpoint per subnet, and its routes, each to
/// the endpoint in its AZ.
fn gateway_load_balancer(
    network: &NetworkPlan,
    e: &crate::model::Endpoint,
    subnets: &Attachment,
) -> (Vec<Placement>, Vec<RoutePlan>) {
    let NetworkPlan::Existing { subnets: all, .. } = network else {
        return (Vec::new(), Vec::new());
    };
    if e.kind != EndpointType::GatewayLoadBalancer {
        return (Vec::new(), Vec::new());
    }
    let mut placements: Vec<Placement> = all
        .iter()
        .filter(|s| subnets.items.contains(&s.id))
        .map(|s| Placement {
            subnet: s.id.clone(),
            az: s.az.clone(),
            cfn: naming::cfn_logical_id(&s.id),
        })
        .collect();
    placements.sort_by(|a, b| a.az.cmp(&b.az));
    let mut routes: Vec<RoutePlan> = e
        .routes
        .iter()
        .filter_map(|r| {
            let subnet = placements.iter().find(|p| p.az == r.az)?.subnet.clone();
            let destination = r.destination.to_string();
            // Dots, colons and the slash become letters so that no two destinations share a
            // logical id (`10.0.0.0/16` is `10x0x0x0n16`).
            let spelt: String = destination
                .chars()
                .map(|c| match c {
                    '.' => 'x',
                    ':' => 'c',
                    '/' => 'n',
                    c => c,
                })
                .collect();
            let key = format!("{} {destination}", r.route_table);
            Some(RoutePlan {
                cfn: naming::cfn_logical_id(&r.route_table) + &spelt,
                key,
                route_table: r.route_table.clone(),
                destination,
                ipv6: matches!(r.destination, IpNet::V6(_)),
                az: r.az.clone(),
                subnet,
            })
        })
        .collect();
    routes.sort_by(|a, b| a.key.cmp(&b.key));
    (placements, routes)
}

fn network(vpc: &Vpc) -> NetworkPlan {
    match &vpc.network {
        Network::Existing(v) => NetworkPlan::Existing {
            id: v.id.clone(),
            cidr: v.cidr,
            ipv6_cidr: v.ipv6_cidr,
            subnets: v.subnets.clone(),
            route_tables: v.route_tables.clone(),
        },
        Network::New(v) => {
            let public = !v.public.is_empty();
            let azs = v
                .azs
                .iter()
                .enumerate()
                .map(|(i, az)| {
                    let nat_gateway = match v.nat {
                        Nat::None => false,
                        Nat::Single => i == 0,
                        Nat::PerAz => true,
                    };
                    let nat_via = match v.nat {
                        Nat::None => None,
                        Nat::Single => v.azs.first().cloned(),
                        Nat::PerAz => Some(az.clone()),
                    };
                    AzPlan {
                        name: az.clone(),
                        ident: Ident {
                            tf: naming::tf_ident(az),
                            cfn: naming::cfn_logical_id(az),
                            kebab: naming::kebab(az),
                        },
                        private_cidr: v.private[i],
                        public_cidr: v.public.get(i).copied(),
                        nat_gateway,
                        nat_via,
                        private_ipv6_netnum: v.ipv6.then_some(i as u8),
                        public_ipv6_netnum: (v.ipv6 && !v.public.is_empty())
                            .then_some(PUBLIC_IPV6_BASE + i as u8),
                    }
                })
                .collect();
            NetworkPlan::New(NewVpcPlan {
                cidr: v.cidr,
                azs,
                public,
                nat: v.nat,
                gateway_on_public: v.gateway_on_public,
                azs_by_id: v.azs_by_id,
                ipv6: v.ipv6,
            })
        }
    }
}

/// What every endpoint of a VPC attaches to unless the spec names a subset: made once per plan
/// and shared (reference-counted) by its endpoints.
struct Whole {
    /// Gateway endpoints: every route table.
    route_tables: Arc<[String]>,
    /// Interface endpoints: every subnet.
    subnets: Arc<[String]>,
    /// The AZs of `subnets`, in name order.
    azs: Arc<[String]>,
    /// For the attachments that do not apply to an endpoint's type.
    empty: Arc<[String]>,
}

impl Whole {
    fn of(network: &NetworkPlan) -> Self {
        let (route_tables, subnets, azs): (Vec<String>, Vec<String>, Vec<String>) = match network {
            NetworkPlan::Existing {
                subnets,
                route_tables,
                ..
            } => {
                let mut azs: Vec<String> = subnets.iter().map(|s| s.az.clone()).collect();
                azs.sort();
                (
                    route_tables.clone(),
                    subnets.iter().map(|s| s.id.clone()).collect(),
                    azs,
                )
            }
            NetworkPlan::New(v) => {
                let mut tables: Vec<String> = v
                    .azs
                    .iter()
                    .map(|a| format!("private-{}", a.name))
                    .collect();
                if v.gateway_on_public {
                    tables.push("public".to_owned());
                }
                let names: Vec<String> = v.azs.iter().map(|a| a.name.clone()).collect();
                (tables, names.clone(), names)
            }
        };
        Whole {
            route_tables: route_tables.into(),
            subnets: subnets.into(),
            azs: azs.into(),
            empty: Arc::from([]),
        }
    }
}

fn attachments(
    network: &NetworkPlan,
    whole: &Whole,
    e: &crate::model::Endpoint,
) -> (Attachment, Attachment, Arc<[String]>) {
    let none = Attachment {
        all: false,
        items: whole.empty.clone(),
    };
    let all = |items: &Arc<[String]>| Attachment {
        all: true,
        items: items.clone(),
    };
    let subset = |items: &[String]| Attachment {
        all: false,
        items: sorted(items).into(),
    };
    if e.kind == EndpointType::Gateway {
        let att = match (&e.route_tables, network) {
            (Some(names), NetworkPlan::Existing { .. }) => subset(names),
            _ => all(&whole.route_tables),
        };
        return (att, none, whole.empty.clone());
    }
    match (&e.subnets, network) {
        (Some(ids), NetworkPlan::Existing { subnets, .. }) => {
            let mut azs: Vec<String> = subnets
                .iter()
                .filter(|s| ids.contains(&s.id))
                .map(|s| s.az.clone())
                .collect();
            azs.sort();
            (none, subset(ids), azs.into())
        }
        _ => (none, all(&whole.subnets), whole.azs.clone()),
    }
}

fn sorted(items: &[String]) -> Vec<String> {
    let mut v = items.to_vec();
    v.sort();
    v.dedup();
    v
}
