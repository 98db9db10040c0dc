//! Monthly cost estimates: interface endpoints are billed per endpoint per AZ-hour plus per GB
//! processed (tiered per Region); gateway endpoints are free; Gateway Load Balancer, resource
//! and service-network endpoints have their own rates. The traffic of gateway and interface
//! endpoints is priced through NAT gateways too, so the saving (or the extra) is visible. A
//! hub is compared with the same endpoints in every VPC it serves. Every figure is an estimate.

use serde::Serialize;

use crate::aws::prices::{
    DATA_TIERS, GWLB_GB_USD, HOSTED_ZONE_MONTH_AFTER_25_USD, HOSTED_ZONE_MONTH_USD,
    HOURS_PER_MONTH, NAT_GB_USD, NAT_HOUR_USD, PRICES_AS_OF, REFERENCE_ENDPOINT_HOUR_USD,
    RESOURCE_GB_USD, RESOURCE_HOUR_FACTOR, SERVICE_NETWORK_GB_USD, TGW_ATTACHMENT_HOUR_USD,
    TGW_GB_USD,
};
use crate::aws::{EndpointType, Region};
use crate::plan::Plan;

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct EndpointCost {
    pub key: String,
    pub r#type: String,
    /// AZs billed (interface, Gateway Load Balancer and resource endpoints).
    pub azs: usize,
    pub traffic_gb: f64,
    pub hourly_usd: f64,
    pub data_usd: f64,
    pub total_usd: f64,
}

#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Estimate {
    pub prices_as_of: &'static str,
    /// `third-party`, `estimate` or `unknown`, from the Region table.
    pub price_confidence: &'static str,
    pub interface_hour_usd: f64,
    pub endpoints: Vec<EndpointCost>,
    pub traffic_gb: f64,
    pub total_usd: f64,
    /// The same traffic through NAT gateways, one per AZ the endpoints use.
    pub nat_gateways: usize,
    pub nat_total_usd: f64,
    /// NAT minus endpoints: positive means the endpoints save money.
    pub saving_usd: f64,
    /// With a hub: the shared endpoints in the hub against the same in every VPC.
    pub hub: Option<HubCost>,
}

/// A month of the hub's shared interface endpoints against each VPC having its own. The
/// endpoints' data processing is the same either way and is left out of both.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct HubCost {
    /// The VPCs the shared endpoints serve: the hub and its spokes.
    pub vpcs: usize,
    /// The interface endpoints the spokes reach through the hub.
    pub shared_endpoints: usize,
    /// Those endpoints' AZ-hours in the hub alone.
    pub hub_endpoints_usd: f64,
    /// The same endpoints in every VPC.
    pub per_vpc_usd: f64,
    pub hosted_zones: usize,
    pub hosted_zones_usd: f64,
    /// A transit gateway attachment per VPC; nothing to add where they exist already.
    pub attachments_usd: f64,
    /// The endpoints' traffic through the transit gateway, all of it counted.
    pub transit_data_usd: f64,
    /// Hub endpoints, zones, attachments and transit data.
    pub central_usd: f64,
    /// Per-VPC minus central: positive means the hub saves money.
    pub saving_usd: f64,
    /// What the figures leave out, where something is.
    pub left_out: Option<&'static str>,
}

fn round(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Data-processing charge for `gb` in a month, across the tiers.
pub fn data_processing_usd(gb: f64) -> f64 {
    let mut left = gb.max(0.0);
    let mut total = 0.0;
    for &(size, price) in DATA_TIERS {
        let here = left.min(size);
        total += here * price;
        left -= here;
        if left <= 0.0 {
            break;
        }
    }
    total
}

fn nat_hour(region: &Region) -> f64 {
    NAT_HOUR_USD * regional(region)
}

/// How a Region's prices compare with us-east-1's, for the prices vpcgen has for us-east-1
/// only (NAT and transit gateways): as its interface endpoint price does.
fn regional(region: &Region) -> f64 {
    region.interface_hour_usd / REFERENCE_ENDPOINT_HOUR_USD
}

/// Estimate the monthly cost of `plan`. Traffic given on an endpoint is its own; the spec-wide
/// figure is shared evenly by the endpoints that give none.
pub fn estimate(plan: &Plan) -> Estimate {
    let region = plan.region;
    let unassigned = plan
        .endpoints
        .iter()
        .filter(|e| e.traffic_gb_per_month.is_none())
        .count();
    let share = match (plan.traffic_gb_per_month, unassigned) {
        (Some(total), n) if n > 0 => total / n as f64,
        _ => 0.0,
    };
    let mut endpoints = Vec::new();
    let mut interface_gb = 0.0;
    // Traffic that could go through NAT gateways instead: that of AWS and endpoint services.
    let mut natable_gb = 0.0;
    let mut max_azs = 0;
    let hour = region.interface_hour_usd * HOURS_PER_MONTH;
    for e in &plan.endpoints {
        let gb = e.traffic_gb_per_month.unwrap_or(share);
        let azs = e.azs.len();
        let (hourly, data) = match e.kind {
            EndpointType::Interface => {
                interface_gb += gb;
                natable_gb += gb;
                max_azs = max_azs.max(azs);
                (azs as f64 * hour, 0.0)
            }
            EndpointType::Gateway => {
                natable_gb += gb;
                (0.0, 0.0)
            }
            EndpointType::GatewayLoadBalancer => (azs as f64 * hour, gb * GWLB_GB_USD),
            EndpointType::Resource => (
                azs as f64 * hour * RESOURCE_HOUR_FACTOR,
                gb * RESOURCE_GB_USD,
            ),
            EndpointType::ServiceNetwork => (0.0, gb * SERVICE_NETWORK_GB_USD),
        };
        endpoints.push(EndpointCost {
            key: e.key.to_string(),
            r#type: e.kind.word().to_owned(),
            azs: if e.kind == EndpointType::Gateway {
                0
            } else {
                azs
            },
            traffic_gb: gb,
            hourly_usd: round(hourly),
            data_usd: round(data),
            total_usd: round(hourly + data),
        });
    }
    let all_gb: f64 = endpoints.iter().map(|c| c.traffic_gb).sum();
    let other_data: f64 = endpoints.iter().map(|c| c.data_usd).sum();
    // Tiers apply to the month's total, so each endpoint gets its share of the blended rate.
    let data_total = data_processing_usd(interface_gb);
    if interface_gb > 0.0 {
        for (c, e) in endpoints.iter_mut().zip(&plan.endpoints) {
            if e.kind == EndpointType::Interface {
                c.data_usd = round(data_total * c.traffic_gb / interface_gb);
                c.total_usd = round(c.hourly_usd + c.data_usd);
            }
        }
    }
    let total: f64 = endpoints.iter().map(|c| c.hourly_usd).sum::<f64>() + data_total + other_data;
    let hub = hub_cost(plan, &endpoints, interface_gb);
    let nat_gateways = max_azs.max(usize::from(!plan.endpoints.is_empty()));
    let nat_total = nat_gateways as f64 * nat_hour(region) * HOURS_PER_MONTH
        + natable_gb * NAT_GB_USD * regional(region);
    Estimate {
        prices_as_of: PRICES_AS_OF,
        price_confidence: region.price_confidence,
        interface_hour_usd: region.interface_hour_usd,
        endpoints,
        traffic_gb: all_gb,
        total_usd: round(total),
        nat_gateways,
        nat_total_usd: round(nat_total),
        saving_usd: round(nat_total - total),
        hub,
    }
}

/// Monthly cost of `n` private hosted zones in one account.
pub fn hosted_zones_usd(n: usize) -> f64 {
    let first = n.min(25) as f64;
    let rest = n.saturating_sub(25) as f64;
    first * HOSTED_ZONE_MONTH_USD + rest * HOSTED_ZONE_MONTH_AFTER_25_USD
}

fn hub_cost(plan: &Plan, costs: &[EndpointCost], interface_gb: f64) -> Option<HubCost> {
    let hub = plan.hub.as_ref()?;
    let scale = regional(plan.region);
    let shared = &hub.shared;
    let hub_endpoints: f64 = costs
        .iter()
        .zip(&plan.endpoints)
        .filter(|(_, e)| e.kind == EndpointType::Interface && shared.contains(&e.key))
        .map(|(c, _)| c.hourly_usd)
        .sum();
    let vpcs = hub.spokes.len() + 1;
    let zones = hub.zones.len();
    let zones_usd = hosted_zones_usd(zones);
    let attachments = vpcs as f64 * TGW_ATTACHMENT_HOUR_USD * scale * HOURS_PER_MONTH;
    let transit = interface_gb * TGW_GB_USD * scale;
    let central = hub_endpoints + zones_usd + attachments + transit;
    let per_vpc = hub_endpoints * vpcs as f64;
    Some(HubCost {
        vpcs,
        shared_endpoints: shared.len(),
        hub_endpoints_usd: round(hub_endpoints),
        per_vpc_usd: round(per_vpc),
        hosted_zones: zones,
        hosted_zones_usd: round(zones_usd),
        attachments_usd: round(attachments),
        transit_data_usd: round(transit),
        central_usd: round(central),
        saving_usd: round(per_vpc - central),
        left_out: (hub.dns == crate::model::HubDns::Route53Profile)
            .then_some("the Route 53 Profile's own charges, for which no price was found"),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_processing_is_tiered() {
        assert_eq!(data_processing_usd(0.0), 0.0);
        assert!((data_processing_usd(100.0) - 1.0).abs() < 1e-9);
        let pb = 1_048_576.0;
        assert!((data_processing_usd(pb) - pb * 0.01).abs() < 1e-6);
        assert!((data_processing_usd(2.0 * pb) - (pb * 0.01 + pb * 0.006)).abs() < 1e-6);
        assert!(
            (data_processing_usd(6.0 * pb) - (pb * 0.01 + 4.0 * pb * 0.006 + pb * 0.004)).abs()
                < 1e-6
        );
    }
}
