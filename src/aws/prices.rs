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
