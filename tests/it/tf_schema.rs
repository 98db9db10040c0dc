//! Generated Terraform against the AWS provider schema (6.25) and the Terraform language, in
//! place of `terraform validate`, which cannot run here: every spec rendered in memory, every
//! `.tf` directory under `examples/` (custom-template examples included), and proof that the
//! checker fails on the mistakes it exists to catch.

use std::collections::BTreeMap;
use std::path::Path;

use crate::common::*;
use vpcgen::output::OutputFile;
use vpcgen::render::templates::Templates;
use vpcgen::render::{self, RenderOptions, Target};
use vpcgen::{model, plan};

/// The `.tf` files of a render, as the checker takes them.
fn tf_files(files: &[OutputFile]) -> Vec<(String, String)> {
    files
        .iter()
        .filter(|f| f.path.ends_with(".tf"))
        .map(|f| (f.path.clone(), f.contents.clone()))
        .collect()
}

fn assert_passes(what: &str, files: &[(String, String)]) {
    let problems = crate::checker::check_module(files);
    assert!(
        problems.is_empty(),
        "{what}: the Terraform does not match the provider schema:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn every_spec_renders_valid_terraform() {
    let mut new_vpc = 0;
    let mut existing_vpc = 0;
    // Plus the specs only Terraform can express: fixed addresses, spokes in other accounts
    // (aliased providers assuming a role) and a Profile shared through RAM.
    let mut specs = example_specs();
    specs.extend(
        [
            "tests/data/fixed-ips.yaml",
            "tests/data/hub-cross-account.yaml",
            "tests/data/hub-profile.yaml",
        ]
        .map(str::to_owned),
    );
    for spec in specs {
        let files = tf_files(&render_spec(&spec, Target::Terraform));
        if files.iter().any(|(name, _)| name == "vpc.tf") {
            new_vpc += 1;
        } else {
            existing_vpc += 1;
        }
        assert_passes(&spec, &files);
    }
    // Both VPC modes render different files; each must have been checked.
    assert!(
        new_vpc > 0 && existing_vpc > 0,
        "{new_vpc} new, {existing_vpc} existing"
    );
}

/// Every directory below `dir` that holds `.tf` files, with those files.
fn tf_dirs(dir: &Path, found: &mut BTreeMap<String, Vec<(String, String)>>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            tf_dirs(&path, found);
        } else if path.extension().is_some_and(|e| e == "tf") {
            let parent = path.parent().unwrap().strip_prefix(root()).unwrap();
            let name = path.file_name().unwrap().to_string_lossy().into_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            found
                .entry(parent.display().to_string())
                .or_default()
                .push((name, text));
        }
    }
}

#[test]
fn every_example_directory_is_valid_terraform() {
    let mut dirs = BTreeMap::new();
    tf_dirs(&root().join("examples"), &mut dirs);
    // At least one Terraform directory per spec, so an empty walk cannot pass.
    assert!(
        dirs.len() >= example_specs().len(),
        "only {} Terraform directories under examples/",
        dirs.len()
    );
    for (dir, files) in &dirs {
        assert_passes(dir, files);
    }
}

/// The rendered Terraform of a spec that uses most template features: gateway and interface
/// endpoints, `dns_options`, `depends_on`, variables, subsets of route tables.
fn sample() -> Vec<(String, String)> {
    tf_files(&render_spec("specs/platform-large.yaml", Target::Terraform))
}

/// `sample()` with the first `from` in `file` replaced by `to`.
fn mutated(file: &str, from: &str, to: &str) -> Vec<(String, String)> {
    let mut files = sample();
    let (_, text) = files.iter_mut().find(|(n, _)| n == file).unwrap();
    assert!(text.contains(from), "{file} has no `{from}` to change");
    *text = text.replacen(from, to, 1);
    files
}

/// The checker must report a problem containing `expected`; the unchanged sample passes, so
/// the change is what it caught.
fn assert_caught(files: &[(String, String)], expected: &str) {
    assert_passes("the unchanged sample", &sample());
    let problems = crate::checker::check_module(files);
    assert!(
        problems.iter().any(|p| p.contains(expected)),
        "expected a problem containing {expected:?}, got:\n  {}",
        problems.join("\n  ")
    );
}

#[test]
fn fails_on_a_misspelt_argument() {
    let files = mutated("main.tf", "vpc_endpoint_type", "vpc_endpont_type");
    assert_caught(
        &files,
        "unknown argument `vpc_endpont_type` (did you mean `vpc_endpoint_type`?)",
    );
}

#[test]
fn fails_on_a_misspelt_argument_in_a_nested_block() {
    let files = mutated(
        "main.tf",
        "private_dns_only_for_inbound_resolver_endpoint",
        "private_dns_only_for_inbound_resolver",
    );
    assert_caught(
        &files,
        "> dns_options: unknown argument `private_dns_only_for_inbound_resolver`",
    );
}

#[test]
fn fails_on_a_missing_required_argument() {
    // Drop the line that gives the first route-table association its endpoint.
    let mut files = sample();
    let (_, text) = files.iter_mut().find(|(n, _)| n == "main.tf").unwrap();
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with("vpc_endpoint_id"))
        .expect("a route-table association")
        .to_owned();
    *text = text.replacen(&format!("{line}\n"), "", 1);
    assert_caught(&files, "missing required argument `vpc_endpoint_id`");
}

#[test]
fn fails_on_a_dangling_resource_reference() {
    let files = mutated(
        "main.tf",
        "aws_security_group.endpoints.id",
        "aws_security_group.endpoint.id",
    );
    assert_caught(
        &files,
        "`aws_security_group.endpoint` refers to no declared resource (did you mean `aws_security_group.endpoints`?)",
    );
}

#[test]
fn fails_on_an_undeclared_variable_or_local() {
    let files = mutated("main.tf", "var.vpc_id", "var.vpc");
    assert_caught(
        &files,
        "`var.vpc` is not declared (did you mean `var.vpc_id`?)",
    );
    let files = mutated("main.tf", "local.tags", "local.tag");
    assert_caught(&files, "`local.tag` is not defined");
}

#[test]
fn fails_on_a_reference_inside_a_string_template() {
    let files = mutated("main.tf", "Name = \"", "Name = \"${local.nope}-");
    assert_caught(&files, "`local.nope` is not defined");
}

#[test]
fn fails_on_an_unknown_resource_type_or_attribute() {
    let files = mutated(
        "main.tf",
        "\"aws_vpc_endpoint_route_table_association\"",
        "\"aws_vpc_endpoint_route_table_assoc\"",
    );
    assert_caught(
        &files,
        "unknown resource type `aws_vpc_endpoint_route_table_assoc`",
    );
    let files = mutated("outputs.tf", ".prefix_list_id", ".prefix_list");
    assert_caught(&files, "has no attribute `prefix_list`");
}

#[test]
fn fails_on_an_unknown_function() {
    let files = mutated("main.tf", "merge(", "marge(");
    assert_caught(&files, "unknown function `marge` (did you mean `merge`?)");
}

#[test]
fn fails_on_the_broken_override_templates() {
    // The fixture .ci/negative-checks.sh renders to prove cfn-lint and checkov fail; the schema
    // check must reject the same output, naming the argument misspelt in it.
    let templates = Templates::load(Some(&root().join("tests/broken-templates"))).unwrap();
    let vpc = model::load(&spec_file("specs/ecs-fargate.yaml")).unwrap();
    let options = RenderOptions {
        cfn_json: false,
        regenerate: "vpcgen generate specs/ecs-fargate.yaml".to_owned(),
    };
    let files =
        render::render(&plan::build(&vpc), Target::Terraform, &options, &templates).unwrap();
    let problems = crate::checker::check_module(&tf_files(&files));
    assert_eq!(
        problems,
        [
            "main.tf: resource \"aws_vpc_security_group_ingress_rule\" \"broken_open_to_the_world\": \
             unknown argument `tgas` (did you mean `tags`?)"
        ]
    );
}

/// Check a small module given inline.
fn check(text: &str) -> Vec<String> {
    crate::checker::check_module(&[("main.tf".to_owned(), text.to_owned())])
}

#[test]
fn accepts_valid_terraform_beyond_what_the_templates_emit() {
    // Constructs a custom template may use: count, dynamic blocks, data sources, for
    // expressions with keys, template directives, splats and lifecycle conditions.
    let problems = check(
        r#"
variable "cidrs" {
  type    = list(string)
  default = []
  validation {
    condition     = length(var.cidrs) < 5
    error_message = "Too many."
  }
}
locals {
  names = { for i, c in var.cidrs : "rule-${i}" => c }
  text  = "%{for c in var.cidrs}${c},%{endfor}"
}
data "aws_region" "current" {}
resource "aws_vpc" "this" {
  count      = 2
  cidr_block = "10.${count.index}.0.0/16"
}
resource "aws_security_group" "sg" {
  vpc_id      = aws_vpc.this[0].id
  description = "For ${data.aws_region.current.name}"
  dynamic "ingress" {
    for_each = local.names
    iterator = rule
    content {
      description = rule.key
      cidr_blocks = [rule.value]
      from_port   = 443
      to_port     = 443
      protocol    = "tcp"
    }
  }
  lifecycle {
    ignore_changes = [tags]
    postcondition {
      condition     = self.vpc_id != ""
      error_message = "No VPC."
    }
  }
  depends_on = [aws_vpc.this]
}
output "ids" {
  value = aws_vpc.this[*].id
}
"#,
    );
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn fails_on_misused_instances_and_meta_arguments() {
    let problems = check(
        r#"
resource "aws_vpc" "many" {
  for_each   = toset(["a"])
  cidr_block = each.value
}
resource "aws_vpc" "one" {
  cidr_block = each.key
  lifecycle {
    create_before_destroy = true
    prevent_destory       = true
  }
}
resource "aws_subnet" "s" {
  vpc_id     = aws_vpc.many.id
  cidr_block = aws_vpc.one["a"].cidr_block
  timeouts {
    create = "5m"
  }
  timeouts {
    create = "5m"
  }
}
"#,
    );
    let joined = problems.join("\n");
    for expected in [
        "`each.key` outside a block with `for_each`",
        "unknown argument `prevent_destory` (did you mean `prevent_destroy`?)",
        "`aws_vpc.many.id`: `aws_vpc.many` has `count` or `for_each`; index an instance first",
        "`aws_vpc.one` has no `count` or `for_each`, so it takes no index",
        "block `timeouts` may appear only once",
    ] {
        assert!(
            joined.contains(expected),
            "missing {expected:?} in:\n{joined}"
        );
    }
}
