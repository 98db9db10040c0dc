//! The template context is a contract: `--dump-context` prints exactly what templates receive,
//! and docs/templates.md documents every field of it, every filter and every block, so that a
//! change to the context cannot ship without a change to its documentation.

use std::collections::BTreeSet;

use crate::common::*;
use serde_json::Value;
use vpcgen::render::FILTERS;
use vpcgen::render::templates::{BUILTINS, Templates};
use vpcgen::render::{self, RenderOptions, Target};

fn docs() -> String {
    std::fs::read_to_string(root().join("docs/templates.md")).unwrap()
}

/// Every spec the repository has, so that each optional field is non-null in at least one.
fn all_specs() -> Vec<String> {
    let mut specs = example_specs();
    specs.push("examples/custom-templates/spec.yaml".to_owned());
    // Fixed addresses are Terraform's alone, so no example (all are rendered for both) has them.
    specs.push("tests/data/fixed-ips.yaml".to_owned());
    // Likewise spokes in other accounts, and a hub's Route 53 Profile.
    specs.push("tests/data/hub-cross-account.yaml".to_owned());
    specs.push("tests/data/hub-profile.yaml".to_owned());
    specs
}

fn contexts() -> Vec<Value> {
    let mut out = Vec::new();
    for spec in all_specs() {
        let vpc = vpcgen::model::load(&spec_file(&spec)).unwrap();
        let plan = vpcgen::plan::build(&vpc);
        for target in Target::ALL {
            let options = RenderOptions {
                cfn_json: false,
                regenerate: String::new(),
            };
            out.push(serde_json::to_value(render::context(&plan, target, &options)).unwrap());
        }
    }
    out
}

fn is_ident(v: &Value) -> bool {
    v.as_object().is_some_and(|m| {
        let keys: BTreeSet<&str> = m.keys().map(String::as_str).collect();
        keys == BTreeSet::from(["tf", "cfn", "kebab"])
    })
}

/// Field paths as docs/templates.md writes them: `endpoints[].route_tables.all`. An ident is a
/// leaf (its own fields are documented once, as `ident.*`); the policy documents are opaque;
/// `gateway_endpoints[]`, `interface_endpoints[]`, `gateway_load_balancer_endpoints[]` and
/// `lattice_endpoints[]` have the fields of `endpoints[]`, and `hub.local_spokes[]` and
/// `hub.remote_spokes[]` those of `hub.spokes[]`. A field
/// that is null or empty in every spec still counts; only fields *inside* it can be missed,
/// which is why `all_specs` covers new and existing VPCs, NAT and S3 in both types.
fn collect(v: &Value, path: &str, out: &mut BTreeSet<String>) {
    let subsets = [
        "gateway_endpoints[]",
        "interface_endpoints[]",
        "gateway_load_balancer_endpoints[]",
        "lattice_endpoints[]",
        "hub.local_spokes[]",
        "hub.remote_spokes[]",
    ];
    if subsets.iter().any(|s| path.starts_with(s)) {
        return;
    }
    // Plain objects (`spec`, `endpoints[].route_tables`) are documented through their fields;
    // one that can be null (`security_group`) is recorded where it is null.
    // Maps by policy name are documented as maps.
    let by_name = path == "policies" || path == "policy_notes";
    let plain_object = v.is_object() && !is_ident(v) && !by_name;
    if !path.is_empty() && !plain_object && !path.ends_with("[]") {
        out.insert(path.to_owned());
    }
    if is_ident(v) {
        for key in v.as_object().unwrap().keys() {
            out.insert(format!("ident.{key}"));
        }
        return;
    }
    match v {
        Value::Object(map) if !by_name => {
            for (k, x) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                collect(x, &p, out);
            }
        }
        Value::Array(items) => {
            for x in items.iter().filter(|x| x.is_object()) {
                collect(x, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

/// The fields docs/templates.md documents: the first cell of each table row in "The context".
fn documented() -> BTreeSet<String> {
    let text = docs();
    let section = text
        .split("\n## The context\n")
        .nth(1)
        .expect("docs/templates.md has a `## The context` section");
    let section = section.split("\n## ").next().unwrap();
    section
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_owned)
        .collect()
}

#[test]
fn docs_describe_every_context_field_and_no_other() {
    let mut actual = BTreeSet::new();
    for c in contexts() {
        collect(&c, "", &mut actual);
    }
    let documented = documented();
    let missing: Vec<&String> = actual.difference(&documented).collect();
    let stale: Vec<&String> = documented.difference(&actual).collect();
    assert!(
        missing.is_empty(),
        "context fields missing from the table in docs/templates.md (and maybe from the doc \
         comments in src/render/context.rs): {missing:?}"
    );
    assert!(
        stale.is_empty(),
        "docs/templates.md documents fields the context does not have (removed or renamed? \
         that also needs a CONTEXT_VERSION bump): {stale:?}"
    );
}

#[test]
fn docs_name_every_filter_block_and_builtin() {
    let text = docs();
    for f in FILTERS {
        assert!(
            text.contains(&format!("| `{f}")),
            "filter `{f}` is not documented"
        );
    }
    for (name, source) in BUILTINS {
        assert!(
            text.contains(&format!("`{name}`")),
            "{name} is not documented"
        );
        for block in vpcgen::views::listing::blocks(source) {
            assert!(
                text.contains(&format!("`{block}`")),
                "block `{block}` of {name} is not documented"
            );
        }
    }
}

#[test]
fn every_documented_filter_is_registered() {
    let dir = tree(&[(
        "terraform/files/filters.txt.tera",
        &FILTERS
            .iter()
            .map(|f| format!("{f}: {{{{ \"ecr.api\" | {f} }}}}\n"))
            .collect::<String>(),
    )]);
    let templates = Templates::load(Some(dir.path())).unwrap();
    let files = render_with(
        &spec_file("specs/s3-dynamodb.yaml"),
        Target::Terraform,
        &templates,
    )
    .unwrap();
    assert_eq!(
        file(&files, "filters.txt"),
        "hcl_string: \"ecr.api\"\nhcl: \"ecr.api\"\nyaml_string: \"ecr.api\"\nyaml: \"ecr.api\"\n\
         json: \"ecr.api\"\ntf_ident: ecr_api\ncfn_id: EcrApi\nkebab: ecr-api\ncomment: ecr.api\n\
         cfn_description: ecr.api\n"
    );
}

#[test]
fn dump_context_prints_exactly_what_templates_receive() {
    // A template that writes out its whole context, rendered by the real command, against the
    // dump of the same command.
    let dir = tree(&[(
        "style/terraform/files/context.json.tera",
        "{{ __tera_context | json }}",
    )]);
    for spec in all_specs() {
        let spec_path = root().join(&spec);
        let spec_arg = spec_path.to_str().unwrap();
        let args = [
            "generate",
            spec_arg,
            "--target",
            "terraform",
            "--out",
            "out",
            "--templates",
            "style",
        ];
        let (code, _, stderr) = run_in(dir.path(), &args);
        assert_eq!(code, 0, "{spec}: {stderr}");
        let rendered: Value = serde_json::from_str(
            &std::fs::read_to_string(dir.path().join("out/context.json")).unwrap(),
        )
        .unwrap();
        let (code, stdout, stderr) = run_in(dir.path(), &[&args[..], &["--dump-context"]].concat());
        assert_eq!(code, 0, "{spec}: {stderr}");
        let dumped: Value = serde_json::from_str(&stdout).unwrap();
        assert_eq!(rendered, dumped, "{spec}");
        assert_eq!(dumped["context_version"], render::context::CONTEXT_VERSION);
        // The object order is the documented order too.
        let keys: Vec<&String> = dumped.as_object().unwrap().keys().collect();
        assert_eq!(keys[0], "context_version");
    }
}

#[test]
fn dump_context_needs_no_out_dir_and_lists_several() {
    let (code, stdout, stderr) = run_in(
        &root(),
        &[
            "generate",
            "specs/s3-dynamodb.yaml",
            "specs/ecs-fargate.yaml",
            "--target",
            "all",
            "--dump-context",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let dumped: Value = serde_json::from_str(&stdout).unwrap();
    let list = dumped.as_array().expect("several contexts are a list");
    assert_eq!(list.len(), 4);
    assert_eq!(
        list[0]["regenerate"],
        "vpcgen generate specs/s3-dynamodb.yaml --target terraform --out DIR/s3-dynamodb/terraform"
    );
    assert_eq!(list[3]["target"], "cloudformation");
}

#[test]
fn endpoints_shared_between_specs_reach_templates_as_each_spec_has_them() {
    // A thread hands an endpoint equal to one it converted before the same template value. Every
    // spec, rendered one after another on one thread in both orders, must still see its own
    // endpoints: the same services recur across the specs with other Regions, attachments,
    // policies and DNS settings.
    let dir = tree(&[(
        "terraform/files/context.json.tera",
        "{{ __tera_context | json }}",
    )]);
    let templates = Templates::load(Some(dir.path())).unwrap();
    let specs = all_specs();
    for order in [specs.clone(), specs.into_iter().rev().collect()] {
        for spec in &order {
            let spec_text = spec_file(spec);
            let rendered: Value = serde_json::from_str(file(
                &render_with(&spec_text, Target::Terraform, &templates).unwrap(),
                "context.json",
            ))
            .unwrap();
            let plan = vpcgen::plan::build(&vpcgen::model::load(&spec_text).unwrap());
            let options = RenderOptions {
                cfn_json: false,
                regenerate: String::new(),
            };
            let own =
                serde_json::to_value(render::context(&plan, Target::Terraform, &options)).unwrap();
            assert!(own["endpoints"].as_array().is_some_and(|e| !e.is_empty()));
            for list in ["endpoints", "gateway_endpoints", "interface_endpoints"] {
                assert_eq!(rendered[list], own[list], "{spec}: {list}");
            }
        }
    }
}
