//! The integration tests, in one binary: each module tests one part of vpcgen through its
//! library or its command line; `common` holds what they share.

// A test binary has no users outside it, so its shared helpers are `pub` for its modules, and
// tests report what they skip on standard error.
#![allow(unreachable_pub, clippy::print_stderr)]

mod architecture;
mod aws_facts;
mod bad_specs;
mod catalogue;
#[path = "tf_schema/checker.rs"]
mod checker;
mod common;
mod context;
mod endpoint_kinds;
mod examples;
mod habits;
mod hostile_input;
mod hub;
mod init;
mod lints;
mod output_safety;
mod plan;
mod regenerate;
mod robustness;
mod rules;
mod schema;
mod secure_defaults;
mod templates;
mod tf_schema;
