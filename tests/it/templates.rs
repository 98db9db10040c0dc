//! Template customisation end to end: the built-ins load and render every spec; a template
//! directory overrides, extends, adds files and partials by the documented rules; mistakes and
//! template errors name the user's file, exit 2 and write nothing; `templates list` and
//! `templates eject`; the spec's `templates:` key.

use std::path::Path;

use crate::common::*;
use vpcgen::render::templates::{BUILTINS, Templates};
use vpcgen::render::{self, RenderOptions, Target};

/// A small spec with a gateway and an interface endpoint, for CLI runs in a temporary directory.
const SPEC: &str = "name: house-test
region: us-east-1
vpc:
  id: vpc-0123456789abcdef0
  cidr: 10.0.0.0/16
  subnets:
    - { id: subnet-0aaa1111bbbb2222c, az: us-east-1a }
  route_tables: [rtb-0111aaaa2222bbbb3]
endpoints:
  - s3
  - sts
";

fn spec() -> vpcgen::source::SpecFile {
    vpcgen::source::SpecFile::new("spec.yaml", SPEC.to_owned())
}

/// Load a template directory built from `files`.
fn load(files: &[(&str, &str)]) -> (tempfile::TempDir, Templates) {
    let dir = tree(files);
    let templates = Templates::load(Some(dir.path()))
        .unwrap_or_else(|e| panic!("{}", vpcgen::error::render(&e, false)));
    (dir, templates)
}

fn render(templates: &Templates, target: Target) -> Vec<vpcgen::output::OutputFile> {
    render_with(&spec(), target, templates)
        .unwrap_or_else(|e| panic!("{}", vpcgen::error::render(&e, false)))
}

fn builtin(target: Target) -> Vec<vpcgen::output::OutputFile> {
    render(&Templates::builtin(), target)
}

/// Run `vpcgen generate spec.yaml --target terraform --out out ARGS` in a directory holding the
/// spec and `files`; returns the exit code, stderr and what is under `out/` afterwards.
fn generate_in(
    files: &[(&str, &str)],
    args: &[&str],
) -> (i32, String, std::collections::BTreeMap<String, String>) {
    let mut all = vec![("spec.yaml", SPEC)];
    all.extend_from_slice(files);
    let dir = tree(&all);
    let mut argv = vec![
        "generate",
        "spec.yaml",
        "--target",
        "terraform",
        "--out",
        "out",
    ];
    argv.extend_from_slice(args);
    let (code, _, stderr) = run_in(dir.path(), &argv);
    (code, stderr, files_below(&dir.path().join("out")))
}

// ---------------------------------------------------------------------------------------------
// Built-ins

#[test]
fn builtins_load_and_render_every_spec_for_both_targets() {
    // Built-in templates can only fail for users if they fail here: this renders each of them
    // with every example spec, for both targets and both CloudFormation formats.
    let templates = Templates::load(None).expect("the built-ins load");
    templates.parse_all();
    assert!(templates.overridden.is_empty() && templates.added.is_empty());
    let mut specs = example_specs();
    specs.push("examples/custom-templates/spec.yaml".to_owned());
    for spec in &specs {
        let file = spec_file(spec);
        let vpc = vpcgen::model::load(&file).unwrap();
        let plan = vpcgen::plan::build(&vpc);
        for target in Target::ALL {
            for cfn_json in [false, true] {
                let options = RenderOptions {
                    cfn_json,
                    regenerate: "vpcgen generate".to_owned(),
                };
                let files = render::render(&plan, target, &options, &templates)
                    .unwrap_or_else(|e| panic!("{spec} {target}: {e}"));
                let names: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
                let want: &[&str] = match (target, cfn_json) {
                    (Target::Terraform, _) => &["main.tf", "outputs.tf", "versions.tf"],
                    (Target::CloudFormation, false) => &["template.yaml"],
                    (Target::CloudFormation, true) => &["template.json"],
                };
                for w in want {
                    assert!(names.contains(w), "{spec} {target}: no {w} in {names:?}");
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Overrides, extension, partials, new files

#[test]
fn a_file_named_like_a_builtin_replaces_it() {
    let (_dir, t) = load(&[(
        "terraform/outputs.tf.tera",
        "# House outputs for {{ spec.name }}.\n",
    )]);
    assert!(t.overridden.contains("terraform/outputs.tf.tera"));
    let files = render(&t, Target::Terraform);
    assert_eq!(
        file(&files, "outputs.tf"),
        "# House outputs for house-test.\n"
    );
    let base = builtin(Target::Terraform);
    for f in files.iter().filter(|f| f.path != "outputs.tf") {
        assert_eq!(f.contents, file(&base, &f.path), "{} changed", f.path);
    }
}

#[test]
fn a_template_can_extend_its_builtin_and_fill_one_block() {
    let (_dir, t) = load(&[
        (
            "terraform/main.tf.tera",
            r#"{% extends "builtin/terraform/main.tf.tera" %}
{% block tags %}{{ super() }}    "CostCenter" = "cc-1"
{% endblock tags %}
{% block extra %}
# House: flow logs are enabled by the platform account.
{% endblock extra %}"#,
        ),
        (
            "terraform/versions.tf.tera",
            r#"{% extends "builtin/terraform/versions.tf.tera" %}{% block required_version %}  required_version = ">= 1.10.0"
{% endblock required_version %}"#,
        ),
    ]);
    let files = render(&t, Target::Terraform);
    let base = builtin(Target::Terraform);
    let main = file(&files, "main.tf");
    // Only the two blocks differ from the built-in.
    let expected = file(&base, "main.tf").replace(
        "    \"ManagedBy\" = \"vpcgen\"\n  }",
        "    \"ManagedBy\"  = \"vpcgen\"\n    \"CostCenter\" = \"cc-1\"\n  }",
    ) + "\n# House: flow logs are enabled by the platform account.\n";
    assert_eq!(main, expected);
    assert!(file(&files, "versions.tf").contains("required_version = \">= 1.10.0\"\n"));
    assert_eq!(file(&files, "outputs.tf"), file(&base, "outputs.tf"));
    parse_tf(&files);
}

#[test]
fn a_builtin_partial_is_replaced_wherever_it_is_included() {
    let (_dir, t) = load(&[(
        "terraform/_interface_endpoint.tera",
        "\n# House interface endpoint: {{ e.key }} via {{ vpc_id }}\n",
    )]);
    let main = render(&t, Target::Terraform);
    let main = file(&main, "main.tf");
    assert!(main.contains("# House interface endpoint: sts via var.vpc_id\n"));
    assert!(!main.contains("resource \"aws_vpc_endpoint\" \"sts\""));
    assert!(main.contains("resource \"aws_vpc_endpoint\" \"s3\""));
}

#[test]
fn files_under_files_become_new_output_files() {
    let (_dir, t) = load(&[
        (
            "terraform/files/backend.tf.tera",
            "terraform {\n  backend \"s3\" {\n    bucket = \"state\"\n    key = \"{{ spec.name }}.tfstate\"\n  }\n}\n",
        ),
        ("terraform/files/docs/README.md.tera", "# {{ spec.name }}\n"),
        // A template may decide its file is not needed, as vpc.tf does.
        (
            "terraform/files/vpc-notes.md.tera",
            "{% if vpc.create %}new{% endif %}",
        ),
    ]);
    assert_eq!(
        t.added
            .get("terraform/files/backend.tf.tera")
            .map(String::as_str),
        Some("backend.tf")
    );
    let files = render(&t, Target::Terraform);
    // `.tf` files are aligned like `terraform fmt`, whoever wrote the template.
    assert_eq!(
        file(&files, "backend.tf"),
        "terraform {\n  backend \"s3\" {\n    bucket = \"state\"\n    key    = \"house-test.tfstate\"\n  }\n}\n"
    );
    assert_eq!(file(&files, "docs/README.md"), "# house-test\n");
    assert!(files.iter().all(|f| f.path != "vpc-notes.md"));
    // Terraform additions do not reach the CloudFormation output.
    assert_eq!(
        render(&t, Target::CloudFormation),
        builtin(Target::CloudFormation)
    );
}

#[test]
fn a_new_partial_serves_the_users_own_templates() {
    let (_dir, t) = load(&[
        (
            "terraform/_owner.tera",
            "# Owner: platform ({{ spec.name }})\n",
        ),
        (
            "terraform/files/owner.tf.tera",
            "{% include \"terraform/_owner.tera\" %}",
        ),
    ]);
    assert!(t.partials.contains("terraform/_owner.tera"));
    let files = render(&t, Target::Terraform);
    assert_eq!(file(&files, "owner.tf"), "# Owner: platform (house-test)\n");
}

#[test]
fn the_header_partial_changes_every_file() {
    let (_dir, t) = load(&[(
        "terraform/_header.tera",
        "# House header: {{ spec.path }}\n",
    )]);
    for f in render(&t, Target::Terraform) {
        assert!(
            f.contents.starts_with("# House header: spec.yaml\n"),
            "{}",
            f.path
        );
    }
}

#[test]
fn cloudformation_blocks_add_tags_metadata_and_parameters() {
    let (_dir, t) = load(&[(
        "cloudformation/template.yaml.tera",
        r#"{% extends "builtin/cloudformation/template.yaml.tera" %}
{% block tags %}{{ super() }}        - Key: "CostCenter"
          Value: "cc-1"
{% endblock tags %}
{% block metadata %}  house:
    owner: "platform"
{% endblock metadata %}
{% block extra_parameters %}  Environment:
    Type: String
    AllowedValues: ["dev", "prod"]
{% endblock extra_parameters %}"#,
    )]);
    let new_vpc = "name: fresh\nregion: us-east-1\nvpc:\n  create: true\n  cidr: 10.0.0.0/16\n  azs: 2\nendpoints: [s3, sts]\n";
    for file in [
        spec(),
        vpcgen::source::SpecFile::new("new.yaml", new_vpc.to_owned()),
    ] {
        let files = render_with(&file, Target::CloudFormation, &t).unwrap();
        let doc = parse_cfn(&files);
        assert_eq!(doc["Metadata"]["house"]["owner"], "platform");
        // A new VPC has no built-in parameters; the section appears for the house's.
        assert_eq!(doc["Parameters"]["Environment"]["Type"], "String");
        let resources = doc["Resources"].as_object().unwrap();
        let mut tagged = 0;
        for (id, r) in resources {
            if let Some(tags) = r["Properties"]["Tags"].as_array() {
                tagged += 1;
                assert_eq!(tags[0]["Key"], "Name", "{id}");
                assert!(
                    tags.iter()
                        .any(|t| t["Key"] == "CostCenter" && t["Value"] == "cc-1"),
                    "{id} lacks CostCenter"
                );
            }
        }
        assert!(tagged > 1);
    }
}

// ---------------------------------------------------------------------------------------------
// Mistakes in a template directory: named, with a fix, exit 2, nothing written

fn refused(name: &str, files: &[(&str, &str)]) {
    let mut prefixed: Vec<(String, &str)> = files
        .iter()
        .map(|(p, t)| (format!("style/{p}"), *t))
        .collect();
    prefixed.sort();
    let refs: Vec<(&str, &str)> = prefixed.iter().map(|(p, t)| (p.as_str(), *t)).collect();
    let (code, stderr, written) = generate_in(&refs, &["--templates", "style"]);
    assert_eq!(code, 2, "{name}: {stderr}");
    assert!(written.is_empty(), "{name}: wrote {written:?}");
    insta::assert_snapshot!(name, stderr);
}

#[test]
fn a_misspelt_template_is_an_error_with_a_suggestion() {
    refused("typo_in_builtin_name", &[("terraform/mian.tf.tera", "x")]);
    refused(
        "new_file_outside_files",
        &[("terraform/backend.tf.tera", "x")],
    );
    refused(
        "template_without_tera_extension",
        &[("terraform/files/backend.tf", "x")],
    );
    refused("template_outside_targets", &[("main.tf.tera", "x")]);
    refused(
        "misspelt_partial_is_unused",
        &[("terraform/_gateway_endpiont.tera", "x")],
    );
    refused(
        "new_file_takes_a_builtin_name",
        &[("terraform/files/main.tf.tera", "x")],
    );
    refused(
        "partial_that_extends",
        &[(
            "cloudformation/_tags.tera",
            "{% extends \"builtin/cloudformation/_tags.tera\" %}",
        )],
    );
}

#[test]
fn files_that_are_not_templates_beside_the_targets_are_ignored() {
    let (code, stderr, written) = generate_in(
        &[
            ("style/README.md", "# House style\n"),
            ("style/.git/HEAD", "ref"),
            ("style/terraform/.gitkeep", ""),
        ],
        &["--templates", "style"],
    );
    assert_eq!(code, 0, "{stderr}");
    assert!(written.contains_key("main.tf"));
}

#[test]
fn errors_in_user_templates_name_the_file_and_line() {
    let cases: &[(&str, &str, &str)] = &[
        (
            "syntax_error",
            "terraform/main.tf.tera",
            "{% extends \"builtin/terraform/main.tf.tera\" %}\n{% block extra %}\n{% if %}\n{% endblock extra %}\n",
        ),
        (
            "unknown_variable",
            "terraform/files/backend.tf.tera",
            "# {{ spec.name }}\nkey = \"{{ state_key }}\"\n",
        ),
        (
            "unknown_variable_into_a_filter",
            "terraform/files/backend.tf.tera",
            "# {{ spec.name }}\nkey = {{ state_key | hcl_string }}\n",
        ),
        (
            "unknown_filter",
            "terraform/files/backend.tf.tera",
            "# {{ spec.name }}\nkey = {{ spec.name | hcl_str }}\n",
        ),
        (
            "unknown_field_in_partial",
            "terraform/_interface_endpoint.tera",
            "\n# {{ e.service }}\n",
        ),
        (
            "extends_its_own_name",
            "terraform/main.tf.tera",
            "{% extends \"terraform/main.tf.tera\" %}",
        ),
        (
            "unknown_block",
            "terraform/main.tf.tera",
            "{% extends \"builtin/terraform/main.tf.tera\" %}\n{% block taggs %}{% endblock taggs %}",
        ),
        (
            "throw",
            "terraform/files/check.tf.tera",
            "{% if \"CostCenter\" not in [t.key for t in tags] %}{{ throw(message=\"house style: set tags.CostCenter\") }}{% endif %}",
        ),
    ];
    each(cases, |(name, path, text)| refused(name, &[(path, text)]));
}

#[test]
fn one_broken_template_is_reported_once_for_many_specs() {
    let other = SPEC.replace("house-test", "house-other");
    let dir = tree(&[
        ("specs/a.yaml", SPEC),
        ("specs/b.yaml", &other),
        ("style/terraform/files/x.tf.tera", "{{ nope }}"),
    ]);
    let (code, _, stderr) = run_in(
        dir.path(),
        &[
            "generate",
            "specs",
            "--target",
            "all",
            "--out",
            "out",
            "--templates",
            "style",
        ],
    );
    assert_eq!(code, 2);
    assert_eq!(stderr.matches("Variable `nope` is not defined").count(), 1);
    assert!(
        stderr.contains("nothing was written: 2 spec(s) failed"),
        "{stderr}"
    );
    // Neither the output nor the hidden directory a new output tree is staged in is left.
    assert_eq!(listing(dir.path()), ["specs", "style"]);
    // Nor the parents of an output directory that the run had to create.
    let (code, _, _) = run_in(
        dir.path(),
        &[
            "generate",
            "specs",
            "--target",
            "all",
            "--out",
            "p/q/out",
            "--templates",
            "style",
        ],
    );
    assert_eq!(code, 2);
    assert!(!dir.path().join("p").exists());
}

// ---------------------------------------------------------------------------------------------
// Where templates come from

#[test]
fn a_missing_template_directory_is_an_error() {
    let (code, stderr, written) = generate_in(&[], &["--templates", "nowhere"]);
    assert_eq!(code, 2);
    assert!(written.is_empty());
    insta::assert_snapshot!("missing_directory_flag", stderr);

    let dir = tree(&[(
        "spec.yaml",
        &SPEC.replace("region:", "templates: nowhere\nregion:"),
    )]);
    let (code, _, stderr) = run_in(
        dir.path(),
        &["generate", "spec.yaml", "--target", "all", "--out", "out"],
    );
    assert_eq!(code, 2);
    assert!(!dir.path().join("out").exists());
    insta::assert_snapshot!("missing_directory_spec_key", stderr);
}

#[test]
fn the_spec_key_is_relative_to_the_spec_and_the_flag_wins() {
    let spec = SPEC.replace("region:", "templates: house\nregion:");
    let dir = tree(&[
        ("project/spec.yaml", &spec),
        ("project/house/terraform/files/who.txt.tera", "spec key\n"),
        ("other/terraform/files/who.txt.tera", "flag\n"),
    ]);
    let args = ["generate", "project/spec.yaml", "--target", "terraform"];
    let (code, _, stderr) = run_in(dir.path(), &[&args[..], &["--out", "out"]].concat());
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/who.txt")).unwrap(),
        "spec key\n"
    );
    // The header's command needs no `--templates`: the spec names its templates.
    let main = std::fs::read_to_string(dir.path().join("out/main.tf")).unwrap();
    assert!(main.contains(
        "# Regenerate: vpcgen generate project/spec.yaml --target terraform --out out\n"
    ));

    let with_flag = [&args[..], &["--out", "out2", "--templates", "other"]].concat();
    let (code, _, stderr) = run_in(dir.path(), &with_flag);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out2/who.txt")).unwrap(),
        "flag\n"
    );
    let main = std::fs::read_to_string(dir.path().join("out2/main.tf")).unwrap();
    assert!(main.contains("--out out2 --templates other\n"), "{main}");
}

#[test]
fn check_covers_added_files() {
    let dir = tree(&[
        ("spec.yaml", SPEC),
        ("style/terraform/files/backend.tf.tera", "# backend v1\n"),
    ]);
    let args = [
        "generate",
        "spec.yaml",
        "--target",
        "terraform",
        "--out",
        "out",
        "--templates",
        "style",
    ];
    let check: Vec<&str> = args.iter().copied().chain(["--check"]).collect();
    assert_eq!(run_in(dir.path(), &args).0, 0);
    assert_eq!(run_in(dir.path(), &check).0, 0);

    std::fs::write(
        dir.path().join("style/terraform/files/backend.tf.tera"),
        "# backend v2\n",
    )
    .unwrap();
    let (code, stdout, _) = run_in(dir.path(), &check);
    assert_eq!(code, 1);
    assert!(stdout.contains("+# backend v2"), "{stdout}");

    std::fs::remove_file(dir.path().join("style/terraform/files/backend.tf.tera")).unwrap();
    let (code, stdout, _) = run_in(dir.path(), &check);
    assert_eq!(code, 1);
    assert!(
        stdout.contains("no longer generated: out/backend.tf"),
        "{stdout}"
    );
    assert_eq!(run_in(dir.path(), &args).0, 0);
    assert!(!dir.path().join("out/backend.tf").exists());
}

// ---------------------------------------------------------------------------------------------
// templates list / eject

#[test]
fn templates_list_shows_builtins_blocks_and_a_directorys_changes() {
    let (code, stdout, _) = run_in(&root(), &["templates", "list"]);
    assert_eq!(code, 0);
    for (name, _) in BUILTINS {
        assert!(stdout.contains(name), "{name} missing");
    }
    insta::assert_snapshot!("templates_list", stdout);

    let (code, stdout, stderr) = run_in(
        &root(),
        &[
            "templates",
            "list",
            "--templates",
            "examples/custom-templates/house-style",
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    insta::assert_snapshot!("templates_list_house_style", stdout);
}

#[test]
fn templates_list_reports_a_broken_directory() {
    let dir = tree(&[("style/terraform/mian.tf.tera", "x")]);
    let (code, _, stderr) = run_in(dir.path(), &["templates", "list", "--templates", "style"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("did you mean `terraform/main.tf.tera`?"),
        "{stderr}"
    );
}

#[test]
fn ejected_templates_render_byte_for_byte_like_the_builtins() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run_in(dir.path(), &["templates", "eject", "ejected"]);
    assert_eq!(code, 0, "{stderr}");
    let ejected = files_below(&dir.path().join("ejected"));
    let names: Vec<&str> = ejected.keys().map(String::as_str).collect();
    let builtins: Vec<&str> = BUILTINS.iter().map(|(n, _)| *n).collect();
    assert_eq!(names, builtins);

    let templates = Templates::load(Some(&dir.path().join("ejected"))).unwrap();
    assert_eq!(templates.overridden.len(), BUILTINS.len());
    let mut specs = example_specs();
    specs.push("examples/custom-templates/spec.yaml".to_owned());
    for spec in specs {
        let file = spec_file(&spec);
        for target in Target::ALL {
            let from_ejected = render_with(&file, target, &templates).unwrap();
            let from_builtins = render_with(&file, target, &Templates::builtin()).unwrap();
            assert_eq!(from_ejected, from_builtins, "{spec} {target}");
        }
    }

    // The same through the command line, for every spec at once. The headers record the
    // command, which names `--templates`; nothing else may differ.
    let specs = root().join("specs");
    let specs = specs.to_str().unwrap();
    let base = ["generate", specs, "--target", "all", "--out"];
    let (code, _, stderr) = run_in(dir.path(), &[&base[..], &["builtin"]].concat());
    assert_eq!(code, 0, "{stderr}");
    let (code, _, stderr) = run_in(
        dir.path(),
        &[&base[..], &["custom", "--templates", "ejected"]].concat(),
    );
    assert_eq!(code, 0, "{stderr}");
    let builtin = files_below(&dir.path().join("builtin"));
    let custom = files_below(&dir.path().join("custom"));
    assert!(builtin.len() > 2 * example_specs().len(), "{builtin:?}");
    assert_eq!(
        builtin.keys().collect::<Vec<_>>(),
        custom.keys().collect::<Vec<_>>()
    );
    for (path, text) in &builtin {
        if path.ends_with(".vpcgen-manifest") {
            continue;
        }
        let expected = text.replace("--out builtin/", "--out custom/");
        let got = custom[path].replace(" --templates ejected", "");
        assert_eq!(got, expected, "{path}");
    }
}

#[test]
fn eject_refuses_to_overwrite_and_can_pick_a_target() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, _) = run_in(
        dir.path(),
        &["templates", "eject", "style", "--target", "terraform"],
    );
    assert_eq!(code, 0);
    let first = files_below(&dir.path().join("style"));
    assert!(first.keys().all(|k| k.starts_with("terraform/")));
    assert!(!first.is_empty());

    let edited = dir.path().join("style/terraform/main.tf.tera");
    std::fs::write(&edited, "# mine\n").unwrap();
    let (code, _, stderr) = run_in(dir.path(), &["templates", "eject", "style"]);
    assert_eq!(code, 2);
    assert!(stderr.contains("refusing to overwrite"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&edited).unwrap(), "# mine\n");
    // Nothing was added either: the refusal comes before any write.
    assert!(!dir.path().join("style/cloudformation").exists());
}

// ---------------------------------------------------------------------------------------------
// The committed example house style

const EXAMPLE: &str = "examples/custom-templates/spec.yaml";

fn example(target: Target) -> Vec<vpcgen::output::OutputFile> {
    let file = spec_file(EXAMPLE);
    let vpc = vpcgen::model::load(&file).unwrap();
    let templates = Templates::load(vpc.templates.as_deref()).unwrap();
    let plan = vpcgen::plan::build(&vpc);
    let dir = format!("examples/custom-templates/out/{target}");
    let options = RenderOptions {
        cfn_json: false,
        regenerate: render::regenerate_command(EXAMPLE, target, &dir, false, None),
    };
    render::render(&plan, target, &options, &templates).unwrap()
}

fn joined(files: &[vpcgen::output::OutputFile]) -> String {
    files
        .iter()
        .map(|f| format!("=== {} ===\n{}", f.path, f.contents))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn example_house_style_snapshots() {
    for target in Target::ALL {
        insta::assert_snapshot!(
            format!("custom_templates__{target}"),
            joined(&example(target))
        );
    }
}

#[test]
fn example_house_style_output_is_committed_and_current() {
    let (code, stdout, stderr) = run_in(
        &root(),
        &[
            "generate",
            EXAMPLE,
            "--target",
            "all",
            "--out",
            "examples/custom-templates/out",
            "--check",
        ],
    );
    assert_eq!(
        code, 0,
        "examples/custom-templates/out is stale; run the command in .ci/run without --check\n{stdout}\n{stderr}"
    );
}

#[test]
fn example_house_style_tags_every_resource_and_adds_a_backend() {
    let tf = example(Target::Terraform);
    let body = parse_tf(&tf);
    let backend = file(&tf, "backend.tf");
    assert!(
        backend
            .contains("key          = \"network/vpc-endpoints/payments-prod/terraform.tfstate\"")
    );
    assert!(file(&tf, "main.tf").contains("\"CostCenter\" = \"cc-4200\""));
    assert!(file(&tf, "main.tf").contains("\"Owner\"      = \"platform-networking\""));
    assert!(resources(&body, "aws_vpc_endpoint").count() > 0);
    for f in &tf {
        assert!(
            f.contents.starts_with("# Acme Corp platform networking"),
            "{}",
            f.path
        );
    }

    let cfn = parse_cfn(&example(Target::CloudFormation));
    assert_eq!(cfn["Metadata"]["acme"]["cost-center"], "cc-4200");
    for (id, r) in cfn["Resources"].as_object().unwrap() {
        let tags = r["Properties"]["Tags"]
            .as_array()
            .unwrap_or_else(|| panic!("{id} has no tags"));
        for key in ["Name", "CostCenter", "Owner", "ManagedBy"] {
            assert!(tags.iter().any(|t| t["Key"] == key), "{id} lacks {key}");
        }
    }
}

#[test]
fn example_house_style_refuses_a_spec_without_cost_center() {
    let text = std::fs::read_to_string(root().join(EXAMPLE))
        .unwrap()
        .replace("  CostCenter: cc-4200\n", "");
    let dir = tree(&[("spec.yaml", &text)]);
    let style = root().join("examples/custom-templates/house-style");
    let (code, _, stderr) = run_in(
        dir.path(),
        &[
            "generate",
            "spec.yaml",
            "--target",
            "terraform",
            "--out",
            "out",
            "--templates",
            style.to_str().unwrap(),
        ],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("house style: spec.yaml must set `tags.CostCenter`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("house-style/terraform/main.tf.tera:"),
        "{stderr}"
    );
    assert!(!Path::new(&dir.path().join("out")).exists());
}
