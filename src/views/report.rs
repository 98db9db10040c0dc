//! `vpcgen plan`: what will be built and why, as a table for people or JSON for tools. The JSON
//! shape is versioned (`plan_version`) and documented in README.md.

use serde::Serialize;

use crate::aws::EndpointType;
use crate::model::Reason;
use crate::plan::{NetworkPlan, Plan};
use crate::views::cost::{self, Estimate};

pub const PLAN_VERSION: u32 = 1;

#[derive(Debug, Serialize)]
pub struct PlanReport {
    pub plan_version: u32,
    pub spec: String,
    pub name: String,
    pub region: String,
    pub partition: String,
    /// `existing` or `new`.
    pub vpc: String,
    pub endpoints: Vec<EndpointRow>,
    pub security_group: Option<SecurityGroupRow>,
    pub hub: Option<HubRow>,
    pub cost: Estimate,
    pub warnings: Vec<String>,
    /// What vpcgen cannot check from the spec alone, and policies not applied.
    pub notes: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct EndpointRow {
    /// The catalogue key, or the endpoint's `name`.
    pub key: String,
    /// `gateway`, `interface`, `gateway-load-balancer`, `resource` or `service-network`.
    pub r#type: String,
    pub type_reason: String,
    /// `service`, `endpoint_service`, `gateway_load_balancer`, `resource_configuration` or
    /// `service_network`.
    pub reach: String,
    /// Empty for VPC Lattice endpoints, which reach `arn`.
    pub service_name: String,
    /// VPC Lattice: the resource configuration's or service network's ARN.
    pub arn: Option<String>,
    /// Cross-Region: the Region the service is reached in.
    pub service_region: Option<String>,
    /// `ipv4`, `dualstack` or `ipv6`; null for AWS's default (IPv4).
    pub ip_address_type: Option<String>,
    pub dns_record_ip_type: Option<String>,
    /// Every type but gateway: the AZs it has network interfaces in. Gateway: empty.
    pub azs: Vec<String>,
    /// Gateway: route tables (ids, or names of created ones). Others: empty.
    pub route_tables: Vec<String>,
    /// Subnet ids of an existing VPC (every type but gateway). Empty otherwise.
    pub subnets: Vec<String>,
    /// Fixed addresses: `subnet: address[, address]`.
    pub fixed_ips: Vec<String>,
    /// Gateway Load Balancer: `route table: destination -> endpoint in AZ`.
    pub routes: Vec<String>,
    pub policy: String,
    pub policy_origin: String,
    /// Null for the types without DNS names (gateway, Gateway Load Balancer).
    pub private_dns: Option<bool>,
    pub ports: Vec<u16>,
    pub reasons: Vec<String>,
    pub monthly_usd: f64,
}

/// A hub's sharing: `hosted-zones` or `route53-profile`, its spokes, the zone names or the
/// Profile's endpoints, and each endpoint the spokes do not reach through the hub, with why.
#[derive(Debug, Serialize)]
pub struct HubRow {
    pub dns: String,
    pub spokes: Vec<SpokeRow>,
    pub zones: Vec<String>,
    pub profile_endpoints: Vec<String>,
    pub unshared: Vec<UnsharedRow>,
}

#[derive(Debug, Serialize)]
pub struct SpokeRow {
    pub name: String,
    pub vpc_id: String,
    pub cidr: String,
    /// Null for the hub's own account.
    pub account: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct UnsharedRow {
    pub key: String,
    pub why: String,
}

#[derive(Debug, Serialize)]
pub struct SecurityGroupRow {
    pub name: String,
    pub rules: Vec<String>,
}

pub fn build(plan: &Plan) -> PlanReport {
    let estimate = cost::estimate(plan);
    let existing = matches!(plan.network, NetworkPlan::Existing { .. });
    let endpoints = plan
        .endpoints
        .iter()
        .zip(&estimate.endpoints)
        .map(|(e, c)| {
            let gateway = e.kind == EndpointType::Gateway;
            EndpointRow {
                key: e.key.to_string(),
                r#type: e.kind.word().to_owned(),
                type_reason: e.type_reason.to_owned(),
                reach: e.reach.to_owned(),
                service_name: e.service_name.to_string(),
                arn: e.arn.as_deref().map(str::to_owned),
                service_region: e.service_region.map(str::to_owned),
                ip_address_type: e.ip_address_type.map(|t| t.as_str().to_owned()),
                dns_record_ip_type: e.dns_record_ip_type.map(|t| t.as_str().to_owned()),
                azs: e.azs.to_vec(),
                route_tables: if gateway {
                    e.route_tables.items.to_vec()
                } else {
                    Vec::new()
                },
                subnets: if !gateway && existing {
                    e.subnets.items.to_vec()
                } else {
                    Vec::new()
                },
                fixed_ips: e
                    .fixed_ips
                    .iter()
                    .map(|f| {
                        let addresses: Vec<&str> =
                            f.ipv4.iter().chain(&f.ipv6).map(String::as_str).collect();
                        format!("{}: {}", f.subnet, addresses.join(", "))
                    })
                    .collect(),
                routes: e
                    .routes
                    .iter()
                    .map(|r| {
                        format!(
                            "{}: {} -> endpoint in {}",
                            r.route_table, r.destination, r.az
                        )
                    })
                    .collect(),
                policy: e.policy_kind.to_owned(),
                policy_origin: e.policy_origin.to_owned(),
                private_dns: e.kind.has_private_dns().then_some(e.private_dns),
                ports: e.ports.to_vec(),
                reasons: e.reasons.iter().map(ToString::to_string).collect(),
                monthly_usd: c.total_usd,
            }
        })
        .collect();
    PlanReport {
        plan_version: PLAN_VERSION,
        spec: plan.spec_path.clone(),
        name: plan.name.clone(),
        region: plan.region.name.to_owned(),
        partition: plan.partition.name.to_owned(),
        vpc: if existing {
            "existing".into()
        } else {
            "new".into()
        },
        endpoints,
        security_group: plan.security_group.as_ref().map(|sg| SecurityGroupRow {
            name: sg.name.clone(),
            rules: sg
                .rules
                .iter()
                .map(|r| {
                    let from = r.source.short();
                    format!("tcp/{} from {from}", r.from_port)
                })
                .collect(),
        }),
        hub: plan.hub.as_ref().map(|h| HubRow {
            dns: h.dns.as_str().to_owned(),
            spokes: h
                .spokes
                .iter()
                .map(|s| SpokeRow {
                    name: s.name.clone(),
                    vpc_id: s.vpc_id.clone(),
                    cidr: s.cidr.clone(),
                    account: s.account.clone(),
                })
                .collect(),
            zones: h.zones.iter().map(|z| z.name.clone()).collect(),
            profile_endpoints: h
                .profile_endpoints
                .iter()
                .map(|p| p.endpoint_key.to_string())
                .collect(),
            unshared: h
                .unshared
                .iter()
                .map(|u| UnsharedRow {
                    key: u.endpoint_key.to_string(),
                    why: u.why.to_owned(),
                })
                .collect(),
        }),
        cost: estimate,
        warnings: plan
            .warnings
            .iter()
            .map(|d| format!("{}: {}", d.path, d.message))
            .collect(),
        notes: plan.notes.clone(),
    }
}

fn usd(x: f64) -> String {
    format!("${x:.2}")
}

/// A unit price as exact as it is known (`$0.0117`), without trailing zeros past the cents.
fn unit_usd(x: f64) -> String {
    let text = format!("{x:.4}");
    let text = text.trim_end_matches('0');
    let cents = text.find('.').map_or(0, |dot| text.len() - dot - 1);
    if cents < 2 {
        usd(x)
    } else {
        format!("${text}")
    }
}

/// The table a person reads: one row per endpoint, then the security group and the totals.
pub fn table(r: &PlanReport) -> String {
    let headers = [
        "SERVICE", "TYPE", "WHERE", "POLICY", "DNS", "PORTS", "$/MONTH", "WHY",
    ];
    let rows: Vec<Vec<String>> = r
        .endpoints
        .iter()
        .map(|e| {
            let place = if e.r#type == "gateway" {
                format!(
                    "{} route table{}",
                    e.route_tables.len(),
                    if e.route_tables.len() == 1 { "" } else { "s" }
                )
            } else {
                e.azs.join(",")
            };
            let listed = Reason::Listed.to_string();
            let why = if e.reasons.contains(&listed) {
                e.type_reason.clone()
            } else {
                e.reasons.first().cloned().unwrap_or_default()
            };
            vec![
                e.key.clone(),
                e.r#type.clone(),
                place,
                e.policy.clone(),
                e.private_dns.map_or("-".to_owned(), |d| {
                    if d { "private".into() } else { "off".into() }
                }),
                e.ports
                    .iter()
                    .map(u16::to_string)
                    .collect::<Vec<_>>()
                    .join(","),
                usd(e.monthly_usd),
                why,
            ]
        })
        .collect();
    let mut out = format!(
        "{} in {} ({}), {} VPC, from {}\n\n",
        r.name, r.region, r.partition, r.vpc, r.spec
    );
    // The cost column is aligned right.
    out.push_str(&crate::views::listing::table_aligned(&headers, &rows, &[6]));
    let count = |t: &str| r.endpoints.iter().filter(|e| e.r#type == t).count();
    let mut kinds = format!(
        "{} gateway (free), {} interface",
        count("gateway"),
        count("interface")
    );
    for (t, label) in [
        ("gateway-load-balancer", "Gateway Load Balancer"),
        ("resource", "resource"),
        ("service-network", "service-network"),
    ] {
        let n = count(t);
        if n > 0 {
            kinds.push_str(&format!(", {n} {label}"));
        }
    }
    out.push_str(&format!("\n{} endpoints: {kinds}\n", r.endpoints.len()));
    for e in &r.endpoints {
        for route in &e.routes {
            out.push_str(&format!("route via {}: {route}\n", e.key));
        }
    }
    if let Some(sg) = &r.security_group {
        out.push_str(&format!(
            "security group {}: {}; no egress\n",
            sg.name,
            sg.rules.join(", ")
        ));
    }
    if let Some(h) = &r.hub {
        let spokes: Vec<String> = h
            .spokes
            .iter()
            .map(|s| {
                let account = s
                    .account
                    .as_ref()
                    .map(|a| format!(" in account {a}"))
                    .unwrap_or_default();
                format!("{} {} {}{account}", s.name, s.vpc_id, s.cidr)
            })
            .collect();
        out.push_str(&format!(
            "hub ({}), {} spoke{}: {}\n",
            h.dns,
            h.spokes.len(),
            if h.spokes.len() == 1 { "" } else { "s" },
            spokes.join(", ")
        ));
        if h.dns == "hosted-zones" {
            out.push_str(&format!(
                "  {} private hosted zone{}: {}\n",
                h.zones.len(),
                if h.zones.len() == 1 { "" } else { "s" },
                h.zones.join(", ")
            ));
        } else {
            out.push_str(&format!(
                "  the Route 53 Profile holds {}\n",
                h.profile_endpoints.join(", ")
            ));
        }
        let unshared: Vec<&str> = h.unshared.iter().map(|u| u.key.as_str()).collect();
        if !unshared.is_empty() {
            out.push_str(&format!(
                "  not shared: {} (see the notes)\n",
                unshared.join(", ")
            ));
        }
    }
    let c = &r.cost;
    out.push_str(&format!(
        "\nestimated cost: {}/month ({} per interface endpoint per AZ-hour{})\n",
        usd(c.total_usd),
        unit_usd(c.interface_hour_usd),
        if c.traffic_gb > 0.0 {
            format!(", {:.0} GB/month processed", c.traffic_gb)
        } else {
            String::new()
        }
    ));
    let verdict = if c.saving_usd >= 0.0 {
        format!("the endpoints save {}", usd(c.saving_usd))
    } else {
        format!("the endpoints cost {} more", usd(-c.saving_usd))
    };
    out.push_str(&format!(
        "through {} NAT gateway{} instead: {}/month; {verdict}\n",
        c.nat_gateways,
        if c.nat_gateways == 1 { "" } else { "s" },
        usd(c.nat_total_usd)
    ));
    if let Some(h) = &c.hub {
        let verdict = if h.saving_usd >= 0.0 {
            format!("the hub saves {}", usd(h.saving_usd))
        } else {
            format!("the hub costs {} more", usd(-h.saving_usd))
        };
        out.push_str(&format!(
            "hub: {} shared endpoint{} {} + {} hosted zone{} {} + {} transit gateway attachments {} (none to add where they exist) + transit data {} = {}/month\n  against the same endpoints in each of the {} VPCs: {}/month; {verdict}{}\n",
            h.shared_endpoints,
            if h.shared_endpoints == 1 { "" } else { "s" },
            usd(h.hub_endpoints_usd),
            h.hosted_zones,
            if h.hosted_zones == 1 { "" } else { "s" },
            usd(h.hosted_zones_usd),
            h.vpcs,
            usd(h.attachments_usd),
            usd(h.transit_data_usd),
            usd(h.central_usd),
            h.vpcs,
            usd(h.per_vpc_usd),
            h.left_out.map(|l| format!(" (leaves out {l})")).unwrap_or_default()
        ));
    }
    let hint = if c.traffic_gb > 0.0 {
        ""
    } else {
        "; set traffic_gb_per_month in the spec to include data processing"
    };
    out.push_str(&format!(
        "prices are estimates as of {} (confidence: {}){hint}\n",
        c.prices_as_of, c.price_confidence
    ));
    for w in &r.warnings {
        out.push_str(&format!("warning: {w}\n"));
    }
    for n in &r.notes {
        out.push_str(&format!("note: {n}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_prices_show_the_figure_used() {
        assert_eq!(unit_usd(0.0117), "$0.0117");
        assert_eq!(unit_usd(0.013), "$0.013");
        assert_eq!(unit_usd(0.01), "$0.01");
        assert_eq!(unit_usd(0.1), "$0.10");
    }
}
