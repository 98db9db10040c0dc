//! Robustness: no input makes vpcgen panic, every spec that validates renders to output that
//! parses, and every string from the spec comes out of the generated code with exactly the value
//! it went in with, whatever quotes, escapes, template markers or line breaks it holds.
//!
//! The cases are drawn from a fixed seed so CI always runs the same ones; set `PROPTEST_RNG_SEED`
//! (and `PROPTEST_CASES`) to explore others.

use std::collections::BTreeMap;

use crate::common::*;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use serde_json::{Value, json};
use vpcgen::output::OutputFile;
use vpcgen::render::templates::Templates;
use vpcgen::render::{self, RenderOptions, Target};
use vpcgen::source::SpecFile;
use vpcgen::spec::TagValue;
use vpcgen::{aws, error, model, plan};

fn config(cases: u32) -> Config {
    let seed = std::env::var("PROPTEST_RNG_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(0x7670_6367_656e);
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(cases),
        rng_seed: RngSeed::Fixed(seed),
        failure_persistence: None,
        ..Config::default()
    }
}

/// Everything a spec renders to, one entry per target and format.
struct Rendered {
    terraform: Vec<OutputFile>,
    cfn_yaml: Vec<OutputFile>,
    cfn_json: Vec<OutputFile>,
}

fn render_all(vpc: &model::Vpc, spec_path: &str) -> Rendered {
    let plan = plan::build(vpc);
    let templates = Templates::builtin();
    let run = |target: Target, json: bool| {
        let options = RenderOptions {
            cfn_json: json,
            regenerate: render::regenerate_command(spec_path, target, "out", json, None),
        };
        render::render(&plan, target, &options, &templates)
            .unwrap_or_else(|e| panic!("a valid spec fails to render: {e}"))
    };
    Rendered {
        terraform: run(Target::Terraform, false),
        cfn_yaml: run(Target::CloudFormation, false),
        cfn_json: run(Target::CloudFormation, true),
    }
}

/// Every generated file parses in its own language.
fn assert_parses(r: &Rendered) {
    parse_tf(&r.terraform);
    parse_cfn(&r.cfn_yaml);
    let json = file(&r.cfn_json, "template.json");
    let mut from_json: Value = serde_json::from_str(json).expect("template.json parses");
    let mut from_yaml = parse_cfn(&r.cfn_yaml);
    // Only the regenerate command (`--format json`) may differ between the two.
    for t in [&mut from_json, &mut from_yaml] {
        let t = t.as_object_mut().expect("a template is a mapping");
        t.remove("Description");
        t.remove("Metadata");
    }
    assert_eq!(from_json, from_yaml, "YAML and JSON templates differ");
}

/// The whole pipeline on one text: parse, validate, plan, render. Bad input must end in an error
/// report (rendered here too, as that is where positions are computed), never a panic; good input
/// must render to output that parses.
fn pipeline(text: &str) -> bool {
    let file = SpecFile::new("fuzz.yaml", text);
    let outcome = vpcgen::spec::parse(&file).and_then(|spec| model::build(&file, &spec));
    match outcome {
        Ok(vpc) => {
            if !vpc.warnings.is_empty() {
                let report = error::render(&vpcgen::spec::error(&file, vpc.warnings.clone()), true);
                assert!(!report.is_empty());
            }
            assert_parses(&render_all(&vpc, "fuzz.yaml"));
            true
        }
        Err(e) => {
            let report = error::render(&e, false);
            assert!(report.contains("fuzz.yaml"), "{report}");
            let _ = error::render(&e, true);
            false
        }
    }
}

fn example_texts() -> Vec<String> {
    example_specs()
        .iter()
        .map(|s| std::fs::read_to_string(root().join(s)).unwrap())
        .collect()
}

/// Pieces of YAML, of specs and of trouble, to splice into text.
#[rustfmt::skip]
const FRAGMENTS: &[&str] = &[
    ":", ": ", "- ", "-", " ", "  ", "\t", "\n", "\r\n", "\r", "#", " # ", "[", "]", "{", "}",
    ",", "&a ", "*a", "&anchor ", "*missing", "!", "!!str ", "!!binary ", "|", ">", "'", "\"",
    "---", "...", "~", "null", "yes", "no", "on", "off", "true", "0x1F", "0o17", "1e400",
    ".nan", "-.inf", "-1", "99999999999999999999999", "1.5", "%", "@", "`", "?", "? ", "<<: *a",
    "é", "日本", "🦀", "\u{85}", "\u{2028}", "\u{feff}", "\u{7f}", "\u{0}", "\u{1b}[31m",
    "${var.x}", "%{ if x }", "$${", "\\", "\\n", "name", "region", "vpc", "cidr", "subnets",
    "route_tables", "endpoints", "service", "preset", "type", "policy", "private_dns", "tags",
    "org_id", "create", "azs", "nat", "per-az", "gateway", "interface", "s3", "dynamodb",
    "ecr.dkr", "ssm", "logs", "full-access", "org-only", "Statement", "Effect", "Deny",
    "us-east-1", "us-east-1a", "cn-north-1", "10.0.0.0/16", "0.0.0.0/0", "10.0.0.0/33",
    "subnet-0123456789abcdef0", "rtb-0123456789abcdef0", "o-abcdefghij", "version: 2",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(FRAGMENTS).prop_map(str::to_owned),
        1 => any::<String>(),
    ]
}

/// One edit of a spec's text, applied to its lines.
#[derive(Debug, Clone)]
enum Edit {
    DeleteLine(usize),
    DuplicateLine(usize),
    SwapLines(usize, usize),
    Insert(usize, usize, String),
    ReplaceValue(usize, String),
    Indent(usize, bool),
    Truncate(usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    let n = any::<usize>;
    prop_oneof![
        1 => n().prop_map(Edit::DeleteLine),
        1 => n().prop_map(Edit::DuplicateLine),
        1 => (n(), n()).prop_map(|(a, b)| Edit::SwapLines(a, b)),
        3 => (n(), n(), fragment()).prop_map(|(l, c, f)| Edit::Insert(l, c, f)),
        3 => (n(), fragment()).prop_map(|(l, f)| Edit::ReplaceValue(l, f)),
        1 => (n(), any::<bool>()).prop_map(|(l, more)| Edit::Indent(l, more)),
        1 => n().prop_map(Edit::Truncate),
    ]
}

fn apply(text: &str, edits: &[Edit]) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    for e in edits {
        if lines.is_empty() {
            lines.push(String::new());
        }
        let len = lines.len();
        let at = |i: &usize| i % len;
        match e {
            Edit::DeleteLine(i) => {
                let i = at(i);
                lines.remove(i);
            }
            Edit::DuplicateLine(i) => {
                let i = at(i);
                lines.insert(i, lines[i].clone());
            }
            Edit::SwapLines(a, b) => {
                let (a, b) = (at(a), at(b));
                lines.swap(a, b);
            }
            Edit::Insert(i, c, f) => {
                let line = &mut lines[at(i)];
                let chars: Vec<char> = line.chars().collect();
                let c = c % (chars.len() + 1);
                *line = chars[..c]
                    .iter()
                    .chain(f.chars().collect::<Vec<_>>().iter())
                    .chain(chars[c..].iter())
                    .collect();
            }
            Edit::ReplaceValue(i, f) => {
                let line = &mut lines[at(i)];
                if let Some((key, _)) = line.split_once(": ") {
                    *line = format!("{key}: {f}");
                } else {
                    line.push_str(f);
                }
            }
            Edit::Indent(i, more) => {
                let line = &mut lines[at(i)];
                if *more {
                    line.insert(0, ' ');
                } else if line.starts_with(' ') {
                    line.remove(0);
                }
            }
            Edit::Truncate(c) => {
                let all = lines.join("\n");
                let chars: Vec<char> = all.chars().collect();
                let keep: String = chars[..c % (chars.len() + 1)].iter().collect();
                lines = keep.lines().map(str::to_owned).collect();
            }
        }
    }
    lines.join("\n") + "\n"
}

proptest! {
    #![proptest_config(config(256))]

    /// Arbitrary text: mostly not YAML, never a crash.
    #[test]
    fn arbitrary_text_never_panics(text in any::<String>()) {
        pipeline(&text);
    }

    /// Text made of YAML and spec words in any order.
    #[test]
    fn yamlish_text_never_panics(parts in proptest::collection::vec(fragment(), 0..40)) {
        pipeline(&parts.concat());
    }
}

proptest! {
    #![proptest_config(config(384))]

    /// The example specs with a few edits: near-misses of real specs, the inputs people write.
    #[test]
    fn edited_examples_never_panic(
        which in any::<proptest::sample::Index>(),
        edits in proptest::collection::vec(edit(), 1..5),
    ) {
        let texts = example_texts();
        let text = apply(&texts[which.index(texts.len())], &edits);
        pipeline(&text);
    }
}

#[test]
fn the_examples_themselves_validate_and_parse() {
    for text in example_texts() {
        assert!(pipeline(&text));
    }
}

// ---- Specs built to be valid: they must validate, and render to output that parses. ----

const REGIONS: &[&str] = &[
    "us-east-1",
    "eu-west-1",
    "ap-southeast-2",
    "cn-north-1",
    "us-gov-west-1",
];

fn hex_id(prefix: &'static str) -> impl Strategy<Value = String> {
    "[0-9a-f]{17}".prop_map(move |h| format!("{prefix}-{h}"))
}

/// One endpoint entry for a service, in the short or the long form, with options it accepts.
fn endpoint_entry(s: &'static aws::Service) -> BoxedStrategy<(Value, &'static str, bool)> {
    let short = Just((
        json!(s.key),
        s.key,
        s.default_type() == aws::EndpointType::Gateway,
    ));
    if !s.interface {
        return short.boxed();
    }
    let long =
        (any::<bool>(), any::<bool>(), 0u8..3).prop_map(move |(explicit, dns_off, policy)| {
            let mut m = serde_json::Map::new();
            m.insert("service".into(), json!(s.key));
            let interface = explicit || !s.gateway;
            if explicit && s.gateway {
                m.insert("type".into(), json!("interface"));
            }
            if dns_off && interface {
                m.insert("private_dns".into(), json!(false));
            }
            if s.policy {
                match policy {
                    1 => {
                        m.insert("policy".into(), json!("full-access"));
                    }
                    2 => {
                        m.insert(
                            "policy".into(),
                            json!({"Version": "2012-10-17", "Statement": [{
                                "Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"
                            }]}),
                        );
                    }
                    _ => {}
                }
            }
            (Value::Object(m), s.key, !interface)
        });
    prop_oneof![short, long].boxed()
}

fn valid_spec() -> impl Strategy<Value = Value> {
    let services: Vec<&'static aws::Service> = aws::services().iter().collect();
    (
        proptest::sample::select(REGIONS),
        any::<bool>(),
        proptest::sample::subsequence(services, 1..8),
        proptest::collection::btree_map("[a-z][a-z0-9-]{0,12}", tag_text(), 0..4),
        0u8..3,
        (1usize..4, any::<bool>(), 0u8..3),
        (hex_id("vpc"), proptest::collection::vec(hex_id("subnet"), 3), hex_id("rtb")),
    )
        .prop_flat_map(|(region, create, picked, tags, policy, new_vpc, ids)| {
            let entries: Vec<BoxedStrategy<(Value, &'static str, bool)>> =
                picked.iter().map(|s| endpoint_entry(s)).collect();
            (Just((region, create, tags, policy, new_vpc, ids)), entries)
        })
        .prop_map(|((region, create, tags, policy, (azs, public, nat), (vpc_id, subnets, rtb)), entries)| {
            let region_info = aws::region(region).unwrap();
            let az_names = region_info.az_names();
            let vpc = if create {
                let public = public || nat > 0;
                let nat = ["none", "single", "per-az"][nat as usize];
                json!({
                    "create": true,
                    "cidr": "10.20.0.0/16",
                    "azs": azs.min(az_names.len()),
                    "public_subnets": public,
                    "nat": nat,
                })
            } else {
                let subnets: Vec<Value> = subnets
                    .iter()
                    .zip(&az_names)
                    .take(azs)
                    .map(|(id, az)| json!({"id": id, "az": az}))
                    .collect();
                json!({"id": vpc_id, "cidr": "10.20.0.0/16", "subnets": subnets, "route_tables": [rtb]})
            };
            let mut seen = BTreeMap::new();
            // Only services with an endpoint in the Region (a global control plane's lives in its
            // home Region), and a policy only where the service takes one there.
            let here = |key: &str| {
                let s = aws::service(key).unwrap();
                s.home_regions.is_empty() || s.home_region(region_info.partition) == Some(region)
            };
            let endpoints: Vec<Value> = entries
                .into_iter()
                .filter(|(_, key, _)| here(key))
                .filter(|(_, key, gateway)| seen.insert((*key, *gateway), ()).is_none())
                .map(|(mut v, key, _)| {
                    if !aws::service(key).unwrap().policy_in(region) {
                        if let Some(m) = v.as_object_mut() {
                            m.remove("policy");
                        }
                    }
                    v
                })
                .collect();
            let endpoints = if endpoints.is_empty() { vec![json!("sqs")] } else { endpoints };
            let mut spec = json!({
                "name": "fuzz-check",
                "region": region,
                "vpc": vpc,
                "endpoints": endpoints,
                "org_id": "o-abcdefghij",
                "tags": tags,
            });
            match policy {
                1 => spec["policy"] = json!("org-only"),
                2 => spec["policy"] = json!("full-access"),
                _ => {}
            }
            spec
        })
}

proptest! {
    #![proptest_config(config(96))]

    /// A broad family of valid specs (any Region, new or existing VPC, any services, long forms,
    /// policies, tags) validates and renders to Terraform and CloudFormation that parse.
    #[test]
    fn valid_specs_render_to_output_that_parses(spec in valid_spec()) {
        let text = serde_yaml::to_string(&spec).unwrap();
        let file = SpecFile::new("valid.yaml", text.as_str());
        let parsed = vpcgen::spec::parse(&file).unwrap_or_else(|e| panic!("{}\n{text}", error::render(&e, false)));
        let vpc = model::build(&file, &parsed)
            .unwrap_or_else(|e| panic!("{}\n{text}", error::render(&e, false)));
        assert_parses(&render_all(&vpc, "valid.yaml"));
    }
}

// ---- Strings round-trip: what the spec says is what the output means. ----

/// Text that is hard to carry through HCL and YAML unchanged.
#[rustfmt::skip]
const TRICKY: &[&str] = &[
    "\"", "'", "\\", "\\\\", "\\n", "${", "${var.x}", "%{", "%{ if true }x%{ endif }", "$${",
    "%%{", "$", "%", "{", "}", "\n", "\r", "\r\n", "\t", "\u{0}", "\u{7}", "\u{1b}", "\u{7f}",
    "\u{85}", "\u{a0}", "\u{2028}", "\u{2029}", "\u{feff}", "\u{fffe}", "é", "日本語", "🦀", ": ",
    " #", "#", "# ", "*", "&", "!", "%", "@", "`", "|", ">", "-", "- ", "? ", ",", "[", "]",
    "yes", "no", "on", "off", "y", "n", "true", "false", "null", "Null", "~", "", " ", "0",
    "0x10", "0o17", "1e3", "1_000", ".inf", "-.nan", "2001-01-01", "=", "<<", "---",
];

/// Characters AWS refuses in tags and vpcgen refuses with them: control characters and
/// invisible formatting.
fn refused_in_tags(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{00AD}')
}

/// Tag text AWS takes: anything but the characters it refuses.
fn tag_text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::collection::vec(proptest::sample::select(TRICKY), 0..6).prop_map(|p| p.concat()),
        1 => "\\PC{0,20}",
        1 => any::<String>().prop_map(|s| s.chars().take(60).collect()),
    ]
    .prop_map(|s: String| s.chars().filter(|c| !refused_in_tags(*c)).collect())
}

fn tag_key() -> impl Strategy<Value = String> {
    tag_text()
        .prop_map(|k| format!("k{k}"))
        .prop_filter("keys vpcgen reserves", |k| {
            k.chars().count() <= 128 && k != "ManagedBy"
        })
}

const ROUND_TRIP_SPEC: &str = "name: round-trip
region: us-east-1
vpc:
  id: vpc-0123456789abcdef0
  cidr: 10.0.0.0/16
  subnets:
    - { id: subnet-0aaa1111bbbb2222c, az: us-east-1a }
  route_tables: [rtb-0111aaaa2222bbbb3]
endpoints: [s3, logs]
";

/// Render the round-trip spec with `tags`, from a spec file at `path`.
fn render_tagged(path: &str, tags: &BTreeMap<String, String>) -> Rendered {
    let file = SpecFile::new(path, ROUND_TRIP_SPEC);
    let mut spec = vpcgen::spec::parse(&file).unwrap();
    spec.tags = tags
        .iter()
        .map(|(k, v)| (k.clone(), TagValue::text(v.clone())))
        .collect();
    let vpc = model::build(&file, &spec).unwrap_or_else(|e| panic!("{}", error::render(&e, false)));
    render_all(&vpc, path)
}

/// `locals { tags = { ... } }` of the Terraform, evaluated as Terraform would.
fn terraform_tags(files: &[OutputFile]) -> BTreeMap<String, String> {
    use hcl::eval::Evaluate;
    let body = parse_tf(files);
    let locals = body
        .blocks()
        .find(|b| b.identifier() == "locals")
        .expect("a locals block");
    let tags = attr(locals.body(), "tags").expect("local.tags");
    let value = tags
        .evaluate(&hcl::eval::Context::new())
        .unwrap_or_else(|e| panic!("local.tags does not evaluate: {e}"));
    match value {
        hcl::Value::Object(map) => map
            .into_iter()
            .map(|(k, v)| match v {
                hcl::Value::String(s) => (k, s),
                other => panic!("tag {k:?} is not a string: {other:?}"),
            })
            .collect(),
        other => panic!("local.tags is {other:?}"),
    }
}

/// The `Tags` of every CloudFormation resource that has them, each as a map.
fn cloudformation_tags(template: &Value) -> Vec<(String, BTreeMap<String, String>)> {
    template["Resources"]
        .as_object()
        .expect("Resources")
        .iter()
        .filter_map(|(id, r)| {
            let list = r["Properties"]["Tags"].as_array()?;
            let map = list
                .iter()
                .map(|t| {
                    let text = |v: &Value| {
                        v.as_str()
                            .unwrap_or_else(|| panic!("{id}: tag {t} is not text"))
                            .to_owned()
                    };
                    (text(&t["Key"]), text(&t["Value"]))
                })
                .collect();
            Some((id.clone(), map))
        })
        .collect()
}

fn check_round_trip(path: &str, tags: &BTreeMap<String, String>) {
    let r = render_tagged(path, tags);
    let mut want = tags.clone();
    want.insert("ManagedBy".into(), "vpcgen".into());
    assert_eq!(terraform_tags(&r.terraform), want, "Terraform tags");
    let yaml = parse_cfn(&r.cfn_yaml);
    let json: Value = serde_json::from_str(file(&r.cfn_json, "template.json")).unwrap();
    for template in [&yaml, &json] {
        let tagged = cloudformation_tags(template);
        assert!(!tagged.is_empty(), "no resource has tags");
        for (id, mut got) in tagged {
            assert!(got.remove("Name").is_some(), "{id} has no Name tag");
            assert_eq!(got, want, "CloudFormation tags of {id}");
        }
    }
    // Paths are shown with forward slashes on every platform.
    let shown = path.replace('\\', "/");
    assert_eq!(
        yaml["Metadata"]["vpcgen"]["spec"],
        json!(shown),
        "spec path in Metadata"
    );
}

proptest! {
    #![proptest_config(config(192))]

    #[test]
    fn tag_values_come_out_exactly_as_they_went_in(
        tags in proptest::collection::btree_map(tag_key(), tag_text(), 1..5),
    ) {
        check_round_trip("spec.yaml", &tags);
    }

    /// The spec's path reaches `#` comments in every file header; no line break in it may end a
    /// comment early and turn the rest of the path into code.
    #[test]
    fn no_spec_path_escapes_its_comment(path in tag_text()) {
        let path = format!("specs/{path}.yaml");
        let plain = render_tagged("specs/plain.yaml", &BTreeMap::new());
        let odd = render_tagged(&path, &BTreeMap::new());
        for (a, b) in [(&plain.terraform, &odd.terraform), (&plain.cfn_yaml, &odd.cfn_yaml)] {
            for (fa, fb) in a.iter().zip(b) {
                prop_assert_eq!(fa.contents.lines().count(), fb.contents.lines().count(), "{}", fb.path);
            }
        }
        parse_tf(&odd.terraform);
        let template = parse_cfn(&odd.cfn_yaml);
        prop_assert_eq!(&template["Metadata"]["vpcgen"]["spec"], &json!(path.replace('\\', "/")));
    }
}

#[test]
fn the_tricky_strings_one_by_one() {
    for (i, text) in TRICKY.iter().enumerate() {
        let path = format!("specs/{i}{text}.yaml");
        let tags = BTreeMap::from([(format!("key{text}"), text.to_string())]);
        if text.chars().any(refused_in_tags) {
            // Refused in a tag, with the character named; the path still round-trips.
            let file = SpecFile::new(path.as_str(), ROUND_TRIP_SPEC);
            let mut spec = vpcgen::spec::parse(&file).unwrap();
            spec.tags = tags
                .iter()
                .map(|(k, v)| (k.clone(), TagValue::text(v.clone())))
                .collect();
            let err = model::build(&file, &spec).expect_err(&path);
            assert!(
                error::render(&err, false).contains("invisible or control character"),
                "{path}"
            );
            check_round_trip(&path, &BTreeMap::new());
        } else {
            check_round_trip(&path, &tags);
        }
    }
}

// ---- The binary, on files no one should write but someone will. ----

fn run_on(bytes: &[u8]) -> (i32, String, std::time::Duration) {
    let tmp = tempfile::tempdir().unwrap();
    let spec = tmp.path().join("odd.yaml");
    std::fs::write(&spec, bytes).unwrap();
    let out = tmp.path().join("out");
    let started = std::time::Instant::now();
    let (code, _, stderr) = run_in(
        tmp.path(),
        &[
            "generate",
            spec.to_str().unwrap(),
            "--target",
            "all",
            "--out",
            out.to_str().unwrap(),
        ],
    );
    if code != 0 {
        assert!(!out.exists(), "bad input wrote {out:?}");
    }
    (code, stderr, started.elapsed())
}

#[test]
fn pathological_files_are_refused_quickly_and_cleanly() {
    let mut laughs = String::from("a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n");
    for i in 1..12 {
        let refs = vec![format!("*a{}", i - 1); 10].join(", ");
        laughs.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let deep_block: String = std::iter::once("tags:\n".to_owned())
        .chain((1..2000).map(|i| format!("{}k{i}:\n", "  ".repeat(i))))
        .collect();
    let cases: Vec<(&str, Vec<u8>)> = vec![
        (
            "deep flow nesting",
            format!("name: {}{}\n", "[".repeat(100_000), "]".repeat(100_000)).into_bytes(),
        ),
        (
            "deep flow mapping",
            format!("tags: {}1{}\n", "{a: ".repeat(50_000), "}".repeat(50_000)).into_bytes(),
        ),
        ("deep block nesting", deep_block.into_bytes()),
        ("alias bomb", laughs.into_bytes()),
        ("not UTF-8", b"name: \xff\xfe\nregion: us-east-1\n".to_vec()),
        ("NUL byte", b"name: a\0b\nregion: us-east-1\n".to_vec()),
        ("only a BOM", "\u{feff}".as_bytes().to_vec()),
        (
            "lone CRs",
            b"name: a\rregion: us-east-1\rvpc: {cidr: 10.0.0.0/16}\r".to_vec(),
        ),
        (
            "a very long line",
            format!("name: {}\n", "x".repeat(1_000_000)).into_bytes(),
        ),
    ];
    for (what, bytes) in cases {
        let (code, stderr, took) = run_on(&bytes);
        assert_eq!(
            code,
            2,
            "{what}: exit code\n{}",
            &stderr[..stderr.len().min(2000)]
        );
        assert!(!stderr.contains("panicked"), "{what}: {stderr}");
        assert!(
            stderr.contains("odd.yaml"),
            "{what}: the report names no file"
        );
        assert!(took.as_secs() < 20, "{what}: took {took:?}");
    }
}

#[test]
fn line_endings_and_a_byte_order_mark_change_nothing() {
    let text = std::fs::read_to_string(root().join("specs/ecs-fargate.yaml")).unwrap();
    let render = |t: &str| {
        let file = SpecFile::new("specs/ecs-fargate.yaml", t);
        let vpc = model::load(&file).unwrap_or_else(|e| panic!("{}", error::render(&e, false)));
        let r = render_all(&vpc, "specs/ecs-fargate.yaml");
        (r.terraform, r.cfn_yaml)
    };
    let plain = render(&text);
    assert_eq!(render(&text.replace('\n', "\r\n")), plain, "CRLF");
    assert_eq!(render(&format!("\u{feff}{text}")), plain, "BOM");
}
