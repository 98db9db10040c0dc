//! `Vpc` -> `Plan`: the concrete things to create. Endpoints with their service names, DNS
//! options, attachments and policies; the shared security group and its rules; the new VPC's
//! subnets and route tables. Everything is sorted and target-neutral; templates only spell it.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use ipnet::Ipv4Net;
use serde_json::{Value, json};

use crate::aws::{self, EndpointType, Partition, Region};
use crate::error::Diagnostic;
use crate::model::{Nat, Network, PolicyChoice, Reason, Subnet, Vpc};
use crate::naming::{self, Ident};

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
    pub policies: BTreeMap<String, Value>,
    /// Why a policy document says what it says, where that is worth a comment beside it.
    pub policy_notes: BTreeMap<String, &'static str>,
    /// What the reader should know about the plan that is not a warning: facts vpcgen cannot
    /// check from the spec alone.
    pub notes: Vec<String>,
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
}

#[derive(Debug, Clone)]
pub struct PlannedEndpoint {
    pub key: &'static str,
    pub title: &'static str,
    /// Shared with every plan that has this endpoint (see `naming::endpoint`).
    pub ident: Arc<Ident>,
    pub kind: EndpointType,
    pub type_reason: &'static str,
    pub service_name: Arc<str>,
    pub ports: &'static [u16],
    pub private_dns: bool,
    /// S3/DynamoDB interface endpoints with private DNS: resolve to this endpoint only for
    /// on-premises clients when the gateway endpoint exists.
    pub inbound_resolver_only: Option<bool>,
    /// The gateway endpoint that must exist first.
    pub depends_on: Option<Arc<Ident>>,
    /// Gateway: route tables (ids of an existing VPC, or names of created ones).
    pub route_tables: Attachment,
    /// Interface: subnets (ids of an existing VPC, or AZ names of created ones).
    pub subnets: Attachment,
    /// AZs an interface endpoint has a network interface in.
    pub azs: Arc<[String]>,
    /// The name of its document in `Plan::policies`.
    pub policy: Option<Arc<str>>,
    pub policy_kind: &'static str,
    pub policy_origin: &'static str,
    /// The spec's default policy, when this endpoint's service accepts none here.
    pub policy_skipped: Option<&'static str>,
    pub reasons: Vec<Reason>,
    pub note: Option<&'static str>,
    pub traffic_gb_per_month: Option<f64>,
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
    Cidr(Ipv4Net),
    SecurityGroup(String),
}

impl Source {
    /// How the plan and the diagram name a source: `VPC CIDR`, the CIDR, or the group id.
    pub fn short(&self) -> String {
        match self {
            Source::VpcCidr => "VPC CIDR".to_owned(),
            Source::Cidr(c) => c.to_string(),
            Source::SecurityGroup(g) => g.clone(),
        }
    }
}

/// Human name of a port, for rule descriptions.
fn port_name(port: u16) -> &'static str {
    match port {
        443 => "HTTPS",
        9142 => "Keyspaces CQL over TLS",
        25 | 465 | 587 | 2465 | 2587 => "SMTP",
        _ => "TCP",
    }
}

pub fn build(vpc: &Vpc) -> Plan {
    let network = network(vpc);
    let gateways: BTreeSet<&str> = vpc
        .endpoints
        .iter()
        .filter(|e| e.kind == EndpointType::Gateway)
        .map(|e| e.service.key)
        .collect();
    let present: BTreeSet<&str> = vpc.endpoints.iter().map(|e| e.service.key).collect();
    let mut policies = BTreeMap::new();
    let mut policy_notes = BTreeMap::new();
    let whole = Whole::of(&network);
    let mut endpoints = Vec::new();
    for e in &vpc.endpoints {
        let ident = naming::endpoint(e.service, e.kind);
        let interface = e.kind == EndpointType::Interface;
        let has_gateway = gateways.contains(e.service.key);
        let (inbound_resolver_only, depends_on) =
            if interface && e.service.inbound_resolver && e.private_dns {
                let dep = has_gateway.then(|| naming::endpoint(e.service, EndpointType::Gateway));
                (Some(has_gateway), dep)
            } else {
                (None, None)
            };
        let (route_tables, subnets, azs) = attachments(&network, &whole, e);
        let policy = e.policy.as_ref().map(|choice| {
            let name = policy_name(choice, e.service.key, &ident, e.policy_origin, &present);
            if is_sts(e.service.key) && *choice == PolicyChoice::OrgOnly {
                policy_notes.insert(name.clone(), STS_FEDERATION_NOTE);
            }
            // Endpoints share documents by name, so each is built once.
            if !policies.contains_key(&name) {
                policies.insert(
                    name.clone(),
                    policy_document(vpc, choice, e.service.key, &present),
                );
            }
            Arc::<str>::from(name)
        });
        endpoints.push(PlannedEndpoint {
            key: e.service.key,
            title: e.service.title,
            ident,
            kind: e.kind,
            type_reason: e.type_reason,
            service_name: e.service.name_in(vpc.region.name, e.kind).into(),
            ports: if interface { e.service.ports } else { &[] },
            private_dns: interface && e.private_dns,
            inbound_resolver_only,
            depends_on,
            route_tables,
            subnets,
            azs,
            policy,
            policy_kind: e.policy.as_ref().map_or("none", PolicyChoice::name),
            policy_origin: e.policy_origin,
            policy_skipped: e.policy_skipped,
            reasons: e.reasons.clone(),
            note: e.service.note,
            traffic_gb_per_month: e.traffic_gb_per_month,
        });
    }
    let security_group = security_group(vpc, &endpoints);
    let notes = notes(vpc, &endpoints);
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
        tags: vpc.tags.clone(),
        org_id: vpc.org_id.clone(),
        traffic_gb_per_month: vpc.traffic_gb_per_month,
        warnings: vpc.warnings.clone(),
    }
}

fn network(vpc: &Vpc) -> NetworkPlan {
    match &vpc.network {
        Network::Existing(v) => NetworkPlan::Existing {
            id: v.id.clone(),
            cidr: v.cidr,
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

/// AWS-owned buckets a restrictive S3 policy must still admit, given the services present.
fn bucket_exceptions<'a>(
    key: &str,
    present: &'a BTreeSet<&str>,
) -> impl Iterator<Item = &'static aws::BucketException> + 'a {
    let s3 = key == "s3";
    aws::S3_BUCKET_EXCEPTIONS
        .iter()
        .filter(move |ex| s3 && ex.applies(|k| present.contains(k)))
}

/// Whether `key` is STS, whose `org-only` policy must also let federated callers through.
fn is_sts(key: &str) -> bool {
    matches!(key, "sts" | "sts-fips")
}

/// Why the STS endpoint's `org-only` policy has a second statement, for a comment beside it.
pub const STS_FEDERATION_NOTE: &str = "Federated callers (IRSA's AssumeRoleWithWebIdentity, SAML sign-in) carry no aws:PrincipalOrgID, so the second statement admits them into roles of the organization (aws:ResourceOrgID), as the IAM User Guide's \"STS VPC endpoint policies\" shows.";

/// The name a policy document is shared under.
fn policy_name(
    choice: &PolicyChoice,
    key: &str,
    ident: &Ident,
    origin: &str,
    present: &BTreeSet<&str>,
) -> String {
    match choice {
        PolicyChoice::FullAccess => "full_access".to_owned(),
        PolicyChoice::OrgOnly if bucket_exceptions(key, present).next().is_some() => {
            "org_only_s3".to_owned()
        }
        PolicyChoice::OrgOnly if is_sts(key) => "org_only_sts".to_owned(),
        PolicyChoice::OrgOnly => "org_only".to_owned(),
        PolicyChoice::Custom(_) if origin == "endpoint" => format!("custom_{}", ident.tf),
        PolicyChoice::Custom(_) => "custom".to_owned(),
    }
}

/// The policy document for one endpoint.
fn policy_document(vpc: &Vpc, choice: &PolicyChoice, key: &str, present: &BTreeSet<&str>) -> Value {
    match choice {
        PolicyChoice::FullAccess => json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "AllowAll",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "*",
                "Resource": "*"
            }]
        }),
        PolicyChoice::OrgOnly if is_sts(key) => {
            // The IAM User Guide's "Allow all AWS STS actions for your organization": principals
            // of the organization, and federated callers assuming roles of the organization.
            let org = vpc.org_id.clone().unwrap_or_default();
            json!({
                "Version": "2012-10-17",
                "Statement": [
                    {
                        "Sid": "AllowOrganizationPrincipals",
                        "Effect": "Allow",
                        "Principal": { "AWS": "*" },
                        "Action": "sts:*",
                        "Resource": "*",
                        "Condition": { "StringEquals": { "aws:PrincipalOrgID": org } }
                    },
                    {
                        "Sid": "AllowFederatedAssumeRoleIntoOrganizationRoles",
                        "Effect": "Allow",
                        "Principal": "*",
                        "Action": ["sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"],
                        "Resource": "*",
                        "Condition": { "StringEquals": { "aws:ResourceOrgID": org } }
                    }
                ]
            })
        }
        PolicyChoice::OrgOnly => {
            let mut statements = vec![json!({
                "Sid": "AllowOrganizationPrincipals",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "*",
                "Resource": "*",
                "Condition": { "StringEquals": { "aws:PrincipalOrgID": vpc.org_id.clone().unwrap_or_default() } }
            })];
            for ex in bucket_exceptions(key, present) {
                let resources: Vec<String> = ex
                    .buckets_in(vpc.region.name)
                    .iter()
                    .map(|b| format!("arn:{}:s3:::{b}/*", vpc.partition.name))
                    .collect();
                statements.push(json!({
                    "Sid": ex.sid,
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ex.action,
                    "Resource": resources
                }));
            }
            json!({ "Version": "2012-10-17", "Statement": statements })
        }
        PolicyChoice::Custom(doc) => doc.clone(),
    }
}

/// What the plan's reader should know: the AZ IDs an endpoint cannot use, where the spec names
/// its subnets' AZs by name (an AZ name is a different AZ ID in each account), and default
/// policies an endpoint does not get.
fn notes(vpc: &Vpc, endpoints: &[PlannedEndpoint]) -> Vec<String> {
    let mut notes = Vec::new();
    let by_name = match &vpc.network {
        Network::Existing(v) => v.subnets.iter().any(|s| !s.by_id),
        Network::New(v) => !v.azs_by_id,
    };
    for e in endpoints {
        let Some(s) = aws::service(e.key) else {
            continue;
        };
        let here: Vec<&str> = s
            .unsupported_az_ids
            .iter()
            .copied()
            .filter(|id| vpc.region.has_az_id(id))
            .collect();
        if e.kind == EndpointType::Interface && by_name && !here.is_empty() {
            notes.push(format!(
                "{}: not offered in AZ IDs {} of {}; AZ names map to other AZ IDs in each account, so check yours with `aws ec2 describe-availability-zones --region {}`, or give subnets by `az_id`",
                e.key,
                here.join(", "),
                vpc.region.name,
                vpc.region.name
            ));
        }
        if let Some(skipped) = e.policy_skipped {
            notes.push(format!(
                "{}: gets no endpoint policy: the service accepts none here, so the spec's `{skipped}` policy is not applied to it",
                e.key
            ));
        }
    }
    notes
}

fn security_group(vpc: &Vpc, endpoints: &[PlannedEndpoint]) -> Option<SecurityGroupPlan> {
    let interfaces: Vec<&PlannedEndpoint> = endpoints
        .iter()
        .filter(|e| e.kind == EndpointType::Interface)
        .collect();
    if interfaces.is_empty() {
        return None;
    }
    let ports: BTreeSet<u16> = interfaces
        .iter()
        .flat_map(|e| e.ports.iter().copied())
        .collect();
    let mut sources: Vec<Source> = match &vpc.ingress_cidrs {
        None => vec![Source::VpcCidr],
        Some(list) => list.iter().map(|c| Source::Cidr(*c)).collect(),
    };
    sources.extend(
        vpc.source_security_groups
            .iter()
            .cloned()
            .map(Source::SecurityGroup),
    );
    let mut rules = Vec::new();
    for port in &ports {
        let users: Vec<&str> = interfaces
            .iter()
            .filter(|e| e.ports.contains(port))
            .map(|e| e.key)
            .collect();
        let for_whom = if *port == 443 {
            "interface endpoints".to_owned()
        } else {
            users.join(", ")
        };
        for src in &sources {
            let (slug, from_text) = match src {
                Source::VpcCidr => ("vpc".to_owned(), "the VPC CIDR".to_owned()),
                Source::Cidr(c) => (c.to_string(), c.to_string()),
                Source::SecurityGroup(g) => (g.clone(), format!("security group {g}")),
            };
            rules.push(RulePlan {
                ident: naming::rule(*port, *port, &slug),
                from_port: *port,
                to_port: *port,
                source: src.clone(),
                description: format!(
                    "{} ({port}) to {for_whom} from {from_text}",
                    port_name(*port)
                ),
            });
        }
    }
    let port_list: Vec<String> = ports.iter().map(u16::to_string).collect();
    Some(SecurityGroupPlan {
        ident: Ident {
            tf: "endpoints".into(),
            cfn: "EndpointSecurityGroup".into(),
            kebab: "endpoints".into(),
        },
        name: naming::name_tag(&vpc.name, "endpoints"),
        description: format!(
            "Interface endpoints of {}: TCP {} from clients only",
            vpc.name,
            port_list.join(", ")
        ),
        rules,
    })
}
