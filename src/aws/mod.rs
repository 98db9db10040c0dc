//! AWS knowledge: which services have endpoints, of which types, under which name in each Region
//! and partition, on which ports, and whether they accept an endpoint policy; the Regions and
//! partitions; the workload presets (`presets`), the AWS-owned buckets restrictive S3 policies
//! must admit (`buckets`) and prices (`prices`). The tables are generated
//! at build time from `src/aws/data/*.yaml` (see `build.rs`), so nothing is looked up or parsed
//! at run time.

mod buckets;
mod presets;
pub mod prices;

pub use buckets::{BucketException, S3_BUCKET_EXCEPTIONS};
pub use presets::{Preset, PresetMember, preset, presets};

use serde::Serialize;

/// One AWS service reachable through a VPC endpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Service {
    /// The catalogue key: the service-name suffix (`ecr.api`).
    pub key: &'static str,
    pub title: &'static str,
    pub gateway: bool,
    pub interface: bool,
    prefix: &'static str,
    pub global: bool,
    /// TCP ports clients use; 443 for nearly everything.
    pub ports: &'static [u16],
    /// Whether the service accepts a custom endpoint policy.
    pub policy: bool,
    /// Whether interface endpoints of this service support private DNS.
    pub private_dns: bool,
    /// Whether private DNS can be limited to inbound Resolver endpoints while a gateway endpoint
    /// serves the VPC (S3 only).
    pub inbound_resolver: bool,
    region_prefixes: &'static [(&'static str, &'static str)],
    region_suffixes: &'static [(&'static str, &'static str)],
    /// Regions where the endpoint rejects custom policies although it accepts them elsewhere.
    policy_unsupported_in: &'static [&'static str],
    /// The only Regions the endpoint exists in, one per partition (a global control plane).
    pub home_regions: &'static [&'static str],
    /// Regions where the service guide says the endpoint is not offered.
    pub unavailable_in: &'static [&'static str],
    /// The only Regions where the service guide says the endpoint is offered (empty: no limit).
    pub available_in: &'static [&'static str],
    /// AZ IDs in which the endpoint cannot be created.
    pub unsupported_az_ids: &'static [&'static str],
    /// Whether an interface endpoint in another Region of the partition can reach it.
    pub cross_region: bool,
    /// Whether its private endpoints take IPv6 (dual-stack or IPv6-only), as far as AWS says.
    pub ipv6: bool,
    /// The private hosted zones a hub answers the service's names from, where they are not
    /// the one `<key>.<region>.<dns suffix>` zone (see `hub_zones`).
    hub_zones: Option<&'static [&'static str]>,
    pub note: Option<&'static str>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Partition {
    /// The ARN partition (`aws`, `aws-cn`, ...).
    pub name: &'static str,
    pub title: &'static str,
    /// Ends its service host names: `ssm.us-east-1.amazonaws.com`.
    pub dns_suffix: &'static str,
    /// Ends its dual-stack host names: `ssm.us-east-1.api.aws`.
    pub dualstack_dns_suffix: &'static str,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Region {
    pub name: &'static str,
    pub title: &'static str,
    pub partition: &'static str,
    /// Availability Zone suffix letters (`a`, `b`, ...).
    pub azs: &'static [&'static str],
    /// Estimated price of one interface endpoint per AZ-hour, in USD.
    pub interface_hour_usd: f64,
    /// How sure the price is: `third-party`, `estimate` or `unknown`.
    pub price_confidence: &'static str,
    /// The prefix of the Region's AZ IDs (`use1`), where a source gives it.
    pub az_id_prefix: Option<&'static str>,
    /// The numbers of its AZ IDs (`use1-az4` is 4).
    pub az_id_numbers: &'static [u8],
}

include!(concat!(env!("OUT_DIR"), "/catalog_data.rs"));

/// When the catalogue (`data/services.yaml`, `data/regions.yaml`) was last reviewed against AWS
/// sources (those its comments name). `vpcgen --version` prints it, so that a report of a wrong
/// service name or a missing Region says how old the data was.
pub const CATALOGUE_AS_OF: &str = "2026-12";

/// The endpoint types AWS offers (`VpcEndpointType`), in the order the plan lists them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub enum EndpointType {
    Gateway,
    Interface,
    /// Puts a Gateway Load Balancer's appliances in the path of routed traffic.
    GatewayLoadBalancer,
    /// Reaches one VPC Lattice resource configuration (a database, a host, a domain).
    Resource,
    /// Reaches a whole VPC Lattice service network.
    ServiceNetwork,
}

impl EndpointType {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointType::Gateway => "Gateway",
            EndpointType::Interface => "Interface",
            EndpointType::GatewayLoadBalancer => "GatewayLoadBalancer",
            EndpointType::Resource => "Resource",
            EndpointType::ServiceNetwork => "ServiceNetwork",
        }
    }

    pub fn lower(self) -> &'static str {
        match self {
            EndpointType::Gateway => "gateway",
            EndpointType::Interface => "interface",
            EndpointType::GatewayLoadBalancer => "Gateway Load Balancer",
            EndpointType::Resource => "resource",
            EndpointType::ServiceNetwork => "service-network",
        }
    }

    /// The type as one word, for JSON and tables: `gateway`, `interface`,
    /// `gateway-load-balancer`, `resource`, `service-network`.
    pub fn word(self) -> &'static str {
        match self {
            EndpointType::GatewayLoadBalancer => "gateway-load-balancer",
            other => other.lower(),
        }
    }

    /// Network interfaces in subnets: every type but Gateway.
    pub fn has_subnets(self) -> bool {
        self != EndpointType::Gateway
    }

    /// Behind the endpoint security group: the types whose network interfaces clients connect to.
    pub fn has_security_group(self) -> bool {
        matches!(
            self,
            EndpointType::Interface | EndpointType::Resource | EndpointType::ServiceNetwork
        )
    }

    /// Takes an endpoint policy ("supported only for gateway and interface endpoints").
    pub fn takes_policy(self) -> bool {
        matches!(self, EndpointType::Gateway | EndpointType::Interface)
    }

    /// Has private DNS names to enable.
    pub fn has_private_dns(self) -> bool {
        self.has_security_group()
    }
}

/// A private hosted zone that answers one of a service's names for the VPCs associated with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubZone {
    /// The zone's name, which is also its apex record's: `ssm.us-east-1.amazonaws.com`.
    pub name: String,
    /// Whether the zone also needs a `*.` record: names below the apex (ECR's per-account
    /// registries, S3's bucket names, API Gateway's API ids).
    pub wildcard: bool,
}

impl Service {
    /// The zones a hub needs so that other VPCs resolve this service's names to its endpoint in
    /// `region` of `partition`: empty where the service has no private DNS to stand in for.
    /// Most services answer at `<key>.<region>.<dns suffix>`; the exceptions are in the
    /// catalogue's `hub_zones`.
    pub fn hub_zones(&self, region: &str, partition: &Partition) -> Vec<HubZone> {
        if !self.private_dns || !self.interface || self.global {
            return Vec::new();
        }
        let default = [format!("{}.{{region}}.{{dns}}", self.key)];
        let patterns: Vec<&str> = match self.hub_zones {
            Some(list) => list.to_vec(),
            None => default.iter().map(String::as_str).collect(),
        };
        patterns
            .into_iter()
            .map(|p| {
                let (wildcard, name) = match p.strip_prefix("*.") {
                    Some(rest) => (true, rest),
                    None => (false, p),
                };
                HubZone {
                    name: name
                        .replace("{region}", region)
                        .replace("{dns}", partition.dns_suffix)
                        .replace("{dualstack}", partition.dualstack_dns_suffix),
                    wildcard,
                }
            })
            .collect()
    }

    /// Whether the endpoint accepts a custom policy in `region`.
    pub fn policy_in(&self, region: &str) -> bool {
        self.policy && !self.policy_unsupported_in.contains(&region)
    }

    /// The Region of `partition` the endpoint exists in, when it exists in only one per
    /// partition (`home_regions`).
    pub fn home_region(&self, partition: &str) -> Option<&'static str> {
        self.home_regions
            .iter()
            .copied()
            .find(|r| region(r).is_some_and(|r| r.partition == partition))
    }

    pub fn offers(&self, kind: EndpointType) -> bool {
        match kind {
            EndpointType::Gateway => self.gateway,
            EndpointType::Interface => self.interface,
            _ => false,
        }
    }

    /// The endpoint types offered, as users write them (`gateway`, `interface`).
    pub fn types(&self) -> Vec<&'static str> {
        [EndpointType::Gateway, EndpointType::Interface]
            .into_iter()
            .filter(|k| self.offers(*k))
            .map(EndpointType::lower)
            .collect()
    }

    /// The type chosen when the spec does not ask: Gateway where the service has one (it is free),
    /// Interface otherwise.
    pub fn default_type(&self) -> EndpointType {
        if self.gateway {
            EndpointType::Gateway
        } else {
            EndpointType::Interface
        }
    }

    /// The endpoint service name of a `kind` endpoint in `region`, e.g.
    /// `cn.com.amazonaws.cn-north-1.transcribe.cn`. Region prefixes and suffixes are those of
    /// interface endpoints: gateway names have none (CDK's `GatewayVpcEndpointAwsService`), so
    /// the China S3 gateway is `com.amazonaws.cn-north-1.s3`.
    pub fn name_in(&self, region: &str, kind: EndpointType) -> String {
        let lookup = |table: &'static [(&'static str, &'static str)]| {
            table
                .iter()
                .find(|(r, _)| *r == region && kind == EndpointType::Interface)
                .map(|(_, v)| *v)
        };
        let prefix = lookup(self.region_prefixes).unwrap_or(self.prefix);
        let suffix = lookup(self.region_suffixes).unwrap_or("");
        // Joined by hand: this runs for every endpoint of every spec, and `format!` was a
        // tenth of planning.
        let mut name =
            String::with_capacity(prefix.len() + region.len() + self.key.len() + suffix.len() + 2);
        name.push_str(prefix);
        name.push('.');
        if !self.global {
            name.push_str(region);
            name.push('.');
        }
        name.push_str(self.key);
        name.push_str(suffix);
        name
    }
}

pub fn services() -> &'static [Service] {
    SERVICES
}

pub fn service(key: &str) -> Option<&'static Service> {
    SERVICES
        .binary_search_by(|s| s.key.cmp(key))
        .ok()
        .map(|i| &SERVICES[i])
}

pub fn regions() -> &'static [Region] {
    REGIONS
}

pub fn region(name: &str) -> Option<&'static Region> {
    REGIONS
        .binary_search_by(|r| r.name.cmp(name))
        .ok()
        .map(|i| &REGIONS[i])
}

/// The help line for a Region vpcgen does not know: the closest one, and where to find them all.
pub fn region_help(name: &str) -> String {
    match crate::error::suggest(name, REGIONS.iter().map(|r| r.name)) {
        Some(best) => {
            format!("did you mean `{best}`? `vpcgen services --regions` lists every Region")
        }
        None => "`vpcgen services --regions` lists every Region vpcgen knows".to_owned(),
    }
}

pub fn partitions() -> &'static [Partition] {
    PARTITIONS
}

pub fn partition(name: &str) -> Option<&'static Partition> {
    PARTITIONS.iter().find(|p| p.name == name)
}

impl Region {
    /// Whether `az` is one of this Region's AZs, without building their names.
    pub fn has_az(&self, az: &str) -> bool {
        az.strip_prefix(self.name)
            .is_some_and(|letter| self.azs.iter().any(|l| **l == *letter))
    }

    /// Whether `id` is one of this Region's AZ IDs (`use1-az4`), when vpcgen knows them.
    pub fn has_az_id(&self, id: &str) -> bool {
        self.az_id_prefix
            .and_then(|p| id.strip_prefix(p))
            .and_then(|rest| rest.strip_prefix("-az"))
            .and_then(|n| n.parse::<u8>().ok().filter(|_| !n.starts_with('0')))
            .is_some_and(|n| self.az_id_numbers.contains(&n))
    }

    /// The Region's AZ IDs, in number order; empty where vpcgen does not know them.
    pub fn az_ids(&self) -> Vec<String> {
        self.az_id_prefix.map_or_else(Vec::new, |p| {
            self.az_id_numbers
                .iter()
                .map(|n| format!("{p}-az{n}"))
                .collect()
        })
    }

    pub fn az_names(&self) -> Vec<String> {
        self.azs
            .iter()
            .map(|l| format!("{}{l}", self.name))
            .collect()
    }
}

/// AZ IDs from which no endpoint reaches a service in another Region (PrivateLink Guide,
/// "Cross-region enabled AWS services").
pub const CROSS_REGION_UNSUPPORTED_AZ_IDS: &[&str] = &[
    "apne1-az3",
    "apne2-az2",
    "apne2-az4",
    "use1-az3",
    "usw1-az2",
];

/// Interface endpoints per VPC before AWS asks for a quota increase.
pub const INTERFACE_ENDPOINTS_PER_VPC: usize = 50;

#[cfg(test)]
mod tests {
    use super::*;
    use EndpointType::{Gateway as G, Interface as I};

    #[test]
    fn an_az_belongs_to_its_region_and_no_other() {
        for r in REGIONS {
            for az in r.az_names() {
                assert!(r.has_az(&az), "{az}");
                assert!(
                    REGIONS.iter().filter(|o| o.has_az(&az)).count() == 1,
                    "{az}"
                );
            }
            assert!(!r.has_az(r.name));
            assert!(!r.has_az(&format!("{}z", r.name)) || r.azs.contains(&"z"));
            assert!(!r.has_az(&format!("{}aa", r.name)));
        }
    }

    #[test]
    fn services_are_sorted_and_unique() {
        assert!(SERVICES.windows(2).all(|w| w[0].key < w[1].key));
    }

    #[test]
    fn every_region_names_a_known_partition_and_has_azs() {
        // `model` relies on both for any Region a spec may name.
        for r in REGIONS {
            assert!(
                partition(r.partition).is_some(),
                "{}: {}",
                r.name,
                r.partition
            );
            assert!(!r.azs.is_empty(), "{} has no AZs", r.name);
        }
    }

    #[test]
    fn names_follow_region_and_partition() {
        let s3 = service("s3").unwrap();
        assert_eq!(s3.name_in("us-east-1", G), "com.amazonaws.us-east-1.s3");
        // China prefixes are the interface names' (CDK's interface table); gateways have none.
        assert_eq!(s3.name_in("cn-north-1", G), "com.amazonaws.cn-north-1.s3");
        assert_eq!(
            s3.name_in("cn-north-1", I),
            "cn.com.amazonaws.cn-north-1.s3"
        );
        assert_eq!(
            service("dynamodb").unwrap().name_in("cn-northwest-1", G),
            "com.amazonaws.cn-northwest-1.dynamodb"
        );
        assert_eq!(
            service("iam").unwrap().name_in("us-east-1", I),
            "com.amazonaws.iam"
        );
        assert_eq!(
            service("notebook").unwrap().name_in("eu-west-1", I),
            "aws.sagemaker.eu-west-1.notebook"
        );
        assert_eq!(
            service("transcribe").unwrap().name_in("cn-northwest-1", I),
            "cn.com.amazonaws.cn-northwest-1.transcribe.cn"
        );
        assert_eq!(
            service("codecatalyst").unwrap().name_in("us-west-2", I),
            "aws.api.global.codecatalyst"
        );
        assert_eq!(
            service("kms").unwrap().name_in("us-gov-west-1", I),
            "com.amazonaws.us-gov-west-1.kms"
        );
    }
}
