//! vpcgen: a YAML spec of the AWS services one VPC reaches privately in, correct Terraform or
//! CloudFormation for its VPC endpoints out. Each stage is one module; see DESIGN in README.

pub mod alloc;
pub mod catalog;
pub mod cli;
pub mod context;
pub mod cost;
pub mod diagram;
pub mod error;
pub mod listing;
pub mod model;
pub mod naming;
pub mod output;
pub mod pipeline;
pub mod plan;
pub mod render;
pub mod report;
pub mod spec;
pub mod starter;
pub mod templates;
