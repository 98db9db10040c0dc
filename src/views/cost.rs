//! Monthly cost estimates: interface endpoints are billed per endpoint per AZ-hour plus per GB
//! processed (tiered per Region); gateway endpoints are free; Gateway Load Balancer, resource
//! and service-network endpoints have their own rates. The traffic of gateway and interface
//! endpoints is priced through NAT gateways too, so the saving (or the extra) is visible. Every
//! figure is an estimate.

use serde::Serialize;

use crate::aws::prices::{
    DATA_TIERS, GWLB_GB_USD, HOURS_PER_MONTH, NAT_GB_USD, NAT_HOUR_USD, PRICES_AS_OF,
    REFERENCE_ENDPOINT_HOUR_USD, RESOURCE_GB_USD, RESOURCE_HOUR_FACTOR, SERVICE_NETWORK_GB_USD,
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
    NAT_HOUR_USD * region.interface_hour_usd / REFERENCE_ENDPOINT_HOUR_USD
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
    let nat_gateways = max_azs.max(usize::from(!plan.endpoints.is_empty()));
    let nat_total = nat_gateways as f64 * nat_hour(region) * HOURS_PER_MONTH
        + natable_gb * NAT_GB_USD * region.interface_hour_usd / REFERENCE_ENDPOINT_HOUR_USD;
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
    }
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
