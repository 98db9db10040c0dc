//! vpcgen: a YAML spec of the AWS services one VPC reaches privately in, correct Terraform or
//! CloudFormation for its VPC endpoints out.
//!
//! The stages, each importing only those before it:
//! `source` (spec files) -> `spec` (the YAML shape) -> `model` (validated, defaults applied) ->
//! `plan` (what to create) -> `render` (template context, templates, files) -> `output` (the
//! output directory). `aws` holds the catalogue every stage consults; `pipeline` runs a batch
//! through the stages; `views` are what `plan`, `diagram`, `services` and `init` print; `cli`
//! is the command line.

pub mod aws;
pub mod cli;
pub mod error;
mod memo;
pub mod model;
pub mod naming;
pub mod output;
pub mod pipeline;
pub mod plan;
pub mod render;
pub mod source;
pub mod spec;
pub mod views;
