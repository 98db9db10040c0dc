//! Prices vpcgen estimates with, beside the per-Region interface endpoint price in
//! `data/regions.yaml`. Every figure is an estimate with its date; `PRICES_AS_OF` says when they
//! were last reviewed.

/// When the price figures were last reviewed.
pub const PRICES_AS_OF: &str = "2026-11";
/// Hours in a billing month, as AWS price pages count them.
pub const HOURS_PER_MONTH: f64 = 730.0;
/// Interface endpoint data processing, per GB per month, by tier (first 1 PB, next 4 PB, above).
pub const DATA_TIERS: &[(f64, f64)] = &[
    (1_048_576.0, 0.01),
    (4.0 * 1_048_576.0, 0.006),
    (f64::INFINITY, 0.004),
];
/// NAT gateway list prices in us-east-1; other Regions are scaled like their endpoint price.
pub const NAT_HOUR_USD: f64 = 0.045;
pub const NAT_GB_USD: f64 = 0.045;
pub const REFERENCE_ENDPOINT_HOUR_USD: f64 = 0.01;
/// Gateway Load Balancer endpoints: billed per endpoint-hour at the Region's interface endpoint
/// rate (`USE1-VpcEndpoint-GWLBE-Hours` $0.010, `APS7-…` $0.0117) and per GB processed
/// (`…-GWLBE-Bytes`, $0.0035 in both); AWS Price List `AmazonVPC`, 2026-09-17.
pub const GWLB_GB_USD: f64 = 0.0035;
/// Resource endpoints: twice the Region's interface endpoint rate per AZ-hour
/// (`USE1-VpcEndpoint-Resource-Hours` $0.020, `APS7-…` $0.0234) and $0.010 per GB; same source.
pub const RESOURCE_HOUR_FACTOR: f64 = 2.0;
pub const RESOURCE_GB_USD: f64 = 0.01;
/// Service-network endpoints cost nothing themselves; VPC Lattice bills what they reach, from
/// $0.010 per GB to resources (VPC Lattice pricing page, third-party copy read 2026-09-20).
pub const SERVICE_NETWORK_GB_USD: f64 = 0.01;
/// Transit gateway list prices in us-east-1, the usual way spokes reach a hub: per attachment
/// per hour and per GB processed; other Regions are scaled like their endpoint price
/// (third-party copies of the Transit Gateway pricing page: awsnegotiations.com and c3x.dev,
/// read 2026-11).
pub const TGW_ATTACHMENT_HOUR_USD: f64 = 0.05;
pub const TGW_GB_USD: f64 = 0.02;
/// Route 53 private hosted zones, per zone per month: the first 25 of an account, then each
/// further one (Route 53 pricing, third-party copy at ns1.com, read 2026-11). The price of a
/// Route 53 Profile was not found in a source, so estimates leave it out and say so.
pub const HOSTED_ZONE_MONTH_USD: f64 = 0.50;
pub const HOSTED_ZONE_MONTH_AFTER_25_USD: f64 = 0.10;
