//! A hub's sharing: the spokes, and either the private hosted zones (one per name a service
//! answers, with alias records to the hub's endpoint) or the Route 53 Profile that carries the
//! endpoints' own private DNS to the spokes; plus the accounts a spoke lives in, which need an
//! authorisation (zones) or a RAM share (Profile) and a step in the spoke's own account.

use std::sync::Arc;

use serde::Serialize;

use super::PlannedEndpoint;
use crate::aws::{EndpointType, Partition, Region};
use crate::model::{Hub, HubDns, Vpc};
use crate::naming::{self, Ident};

#[derive(Debug, Clone, Serialize)]
pub struct HubPlan {
    pub dns: HubDns,
    /// In the order the spec lists them.
    pub spokes: Vec<SpokePlan>,
    /// The spokes in the hub's own account.
    pub local_spokes: Vec<SpokePlan>,
    /// The spokes in other accounts, and those accounts, sorted.
    pub remote_spokes: Vec<SpokePlan>,
    pub accounts: Vec<String>,
    /// Hosted zones: one per name a shared endpoint answers, sorted by endpoint, then name.
    pub zones: Vec<ZonePlan>,
    /// Route 53 Profile: the interface endpoints the Profile holds.
    pub profile_endpoints: Vec<ProfileEndpoint>,
    /// The keys of the endpoints spokes reach by name through the hub, sorted.
    pub shared: Vec<Arc<str>>,
    /// The endpoints that spokes cannot reach by name through the hub, and why.
    pub unshared: Vec<Unshared>,
}

#[derive(Debug, Clone, Serialize)]
pub struct SpokePlan {
    pub name: String,
    pub ident: Ident,
    pub vpc_id: String,
    pub cidr: String,
    /// The spoke's account, when not the hub's.
    pub account: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ZonePlan {
    pub ident: Ident,
    /// The zone's name and its apex record's: `ssm.us-east-1.amazonaws.com`.
    pub name: String,
    /// The endpoint the records alias.
    pub endpoint: Arc<Ident>,
    pub endpoint_key: Arc<str>,
    /// A `*.` record beside the apex one.
    pub wildcard: bool,
    /// Which record types the endpoint's addresses need: A (IPv4) and AAAA (IPv6).
    pub ipv4: bool,
    pub ipv6: bool,
}

#[derive(Debug, Clone, Serialize)]
pub struct ProfileEndpoint {
    pub endpoint: Arc<Ident>,
    pub endpoint_key: Arc<str>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Unshared {
    pub endpoint_key: Arc<str>,
    pub why: &'static str,
}

pub(super) fn build(vpc: &Vpc, endpoints: &[PlannedEndpoint]) -> Option<HubPlan> {
    let hub: &Hub = vpc.hub.as_ref()?;
    let spokes: Vec<SpokePlan> = hub
        .spokes
        .iter()
        .map(|s| SpokePlan {
            name: s.name.clone(),
            ident: Ident {
                tf: naming::tf_ident(&s.name),
                cfn: naming::cfn_logical_id(&s.name),
                kebab: naming::kebab(&s.name),
            },
            vpc_id: s.vpc_id.clone(),
            cidr: s.cidr.to_string(),
            account: s.account.clone(),
        })
        .collect();
    let (remote_spokes, local_spokes): (Vec<SpokePlan>, Vec<SpokePlan>) =
        spokes.iter().cloned().partition(|s| s.account.is_some());
    let mut accounts: Vec<String> = remote_spokes
        .iter()
        .filter_map(|s| s.account.clone())
        .collect();
    accounts.sort();
    accounts.dedup();
    let mut zones = Vec::new();
    let mut profile_endpoints = Vec::new();
    let mut unshared = Vec::new();
    for e in endpoints {
        let why = match e.kind {
            EndpointType::Gateway => Some(
                "a gateway endpoint serves only its own VPC's route tables; each spoke keeps its own (they are free)",
            ),
            EndpointType::GatewayLoadBalancer => {
                Some("a Gateway Load Balancer endpoint inspects the hub's own routes")
            }
            EndpointType::Resource | EndpointType::ServiceNetwork => Some(
                "VPC Lattice endpoints are not shared through the hub; share the resource or service network with the spokes through AWS RAM",
            ),
            EndpointType::Interface => None,
        };
        if let Some(why) = why {
            unshared.push(Unshared {
                endpoint_key: e.key.clone(),
                why,
            });
            continue;
        }
        if hub.dns == HubDns::Route53Profile {
            if e.private_dns {
                profile_endpoints.push(ProfileEndpoint {
                    endpoint: e.ident.clone(),
                    endpoint_key: e.key.clone(),
                });
            } else {
                unshared.push(Unshared {
                    endpoint_key: e.key.clone(),
                    why: "its private DNS is off, so the Profile has no names of it to carry; spokes use its endpoint-specific names",
                });
            }
            continue;
        }
        let Some(service) = e.service_key.and_then(crate::aws::service) else {
            unshared.push(Unshared {
                endpoint_key: e.key.clone(),
                why: "an endpoint service's private DNS name is its provider's, so no hosted zone is written for it; spokes use its endpoint-specific names",
            });
            continue;
        };
        let region: &Region = e
            .service_region
            .and_then(crate::aws::region)
            .unwrap_or(vpc.region);
        let partition: &Partition = vpc.partition;
        let names = service.hub_zones(region.name, partition);
        if names.is_empty() {
            unshared.push(Unshared {
                endpoint_key: e.key.clone(),
                why: "the service has no private DNS name a hosted zone could stand in for; spokes use its endpoint-specific names",
            });
            continue;
        }
        let ip = e
            .ip_address_type
            .unwrap_or(crate::model::IpAddressType::Ipv4);
        for (i, z) in names.iter().enumerate() {
            let ident = if i == 0 {
                (*e.ident).clone()
            } else {
                let stem = format!("{} {}", e.ident.kebab, zone_stem(&z.name, region.name));
                Ident {
                    tf: naming::tf_ident(&stem),
                    cfn: naming::cfn_logical_id(&stem),
                    kebab: naming::kebab(&stem),
                }
            };
            zones.push(ZonePlan {
                ident,
                name: z.name.clone(),
                endpoint: e.ident.clone(),
                endpoint_key: e.key.clone(),
                wildcard: z.wildcard,
                ipv4: ip.has_ipv4(),
                ipv6: ip.has_ipv6(),
            });
        }
    }
    let mut shared: Vec<Arc<str>> = zones
        .iter()
        .map(|z: &ZonePlan| z.endpoint_key.clone())
        .chain(profile_endpoints.iter().map(|p| p.endpoint_key.clone()))
        .collect();
    shared.sort();
    shared.dedup();
    Some(HubPlan {
        shared,
        dns: hub.dns,
        spokes,
        local_spokes,
        remote_spokes,
        accounts,
        zones,
        profile_endpoints,
        unshared,
    })
}

/// What tells a service's further zones apart: the labels before the Region
/// (`s3-control` of `s3-control.us-east-1.amazonaws.com`), or `dualstack` for a dual-stack
/// name, whose labels before the Region repeat the first zone's.
fn zone_stem(name: &str, region: &str) -> String {
    let (before, after) = name
        .split_once(&format!(".{region}."))
        .unwrap_or((name, ""));
    if after.starts_with("api.") {
        "dualstack".to_owned()
    } else {
        before.to_owned()
    }
}

/// What the hub's reader must do or know that the output cannot do for them.
pub(super) fn notes(hub: &HubPlan) -> Vec<String> {
    let mut notes = vec![
        "hub: spokes reach the endpoints at the hub's addresses, so each spoke's route tables must send the hub's block to the hub (a transit gateway attachment or peering connection, which vpcgen does not create)".to_owned(),
    ];
    if hub.dns == HubDns::HostedZones {
        notes.push(format!(
            "hub: private DNS is off on the hub's interface endpoints; {} private hosted zones answer their names for the hub and every spoke. A spoke with its own endpoint for one of these services, private DNS on, must remove it first: AWS refuses to associate a zone whose name the VPC already answers",
            hub.zones.len()
        ));
    } else {
        notes.push(
            "hub: the Route 53 Profile carries the endpoints' own private DNS to the spokes. A VPC can be associated with one Profile only; a spoke that has one already needs these endpoints added to it instead".to_owned(),
        );
    }
    for u in &hub.unshared {
        notes.push(format!(
            "{}: not shared with the spokes: {}",
            u.endpoint_key, u.why
        ));
    }
    for account in &hub.accounts {
        let names: Vec<&str> = hub
            .remote_spokes
            .iter()
            .filter(|s| s.account.as_deref() == Some(account))
            .map(|s| s.name.as_str())
            .collect();
        let how = if hub.dns == HubDns::HostedZones {
            "the hub authorises each zone's association, which Terraform then makes in that account"
        } else {
            "the hub shares the Profile through AWS RAM to that account (inside the organization only), and Terraform associates the spoke there"
        };
        notes.push(format!(
            "hub: spoke {} in account {account}: {how}, through the provider `aws.account_{account}`, which assumes the role named by `spoke_role_name` there (it needs only the Route 53 and EC2 actions spokes.tf lists)",
            names.join(", ")
        ));
    }
    notes
}
