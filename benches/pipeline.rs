//! Criterion benchmarks of the whole pipeline in memory (parse, validate, plan, render; no
//! writes): a typical spec, the all-services spec, batches of 100 and 500 specs, and the scaling
//! series in BENCHMARKS.md (services per spec, specs per batch).

use std::path::PathBuf;

use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};
use vpcgen::aws;
use vpcgen::pipeline::{self, Settings};
use vpcgen::render::{Target, Templates};
use vpcgen::source::SpecFile;
use vpcgen::{model, plan, render};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn one(file: &SpecFile, targets: &[Target]) -> usize {
    let vpc = model::load(file).expect("valid spec");
    let plan = plan::build(&vpc);
    let templates = Templates::builtin();
    let mut bytes = 0;
    for &t in targets {
        let options = render::RenderOptions {
            cfn_json: false,
            regenerate: "vpcgen generate".into(),
        };
        for f in render::render(&plan, t, &options, &templates).expect("renders") {
            bytes += f.contents.len();
        }
    }
    bytes
}

/// A spec with the first `n` interface services of the catalogue.
fn spec_with(n: usize) -> String {
    let mut text = String::from(
        "name: scale\nregion: us-east-1\nvpc:\n  cidr: 10.0.0.0/16\n  subnets:\n    - { id: subnet-0a1b2c3d4e5f60718, az: us-east-1a }\n    - { id: subnet-0b1b2c3d4e5f60718, az: us-east-1b }\n    - { id: subnet-0c1b2c3d4e5f60718, az: us-east-1c }\n  route_tables: [rtb-0a1b2c3d4e5f60718]\nendpoints:\n",
    );
    for s in aws::services().iter().filter(|s| s.interface).take(n) {
        text.push_str(&format!("  - {{ service: {}, type: interface }}\n", s.key));
    }
    text
}

/// `count` copies of the typical spec, each with its own name, written to a temporary directory.
fn batch(count: usize) -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(root().join("benches/typical.yaml")).expect("example");
    let paths = (0..count)
        .map(|i| {
            let p = dir.path().join(format!("s{i:04}.yaml"));
            std::fs::write(
                &p,
                text.replace("name: typical", &format!("name: typical-{i}")),
            )
            .expect("write");
            p
        })
        .collect();
    (dir, paths)
}

fn run_batch(paths: &[PathBuf], settings: &Settings) -> usize {
    let specs: Vec<pipeline::Validated> = pipeline::validate_all(paths)
        .into_iter()
        .map(|r| r.expect("valid"))
        .collect();
    let refs: Vec<&pipeline::Validated> = specs.iter().collect();
    let (sets, errors) = pipeline::load_templates(&refs, settings, None);
    assert!(errors.is_empty());
    pipeline::render_each(&refs, settings, &sets, |r| Ok(r.files.len()))
        .into_iter()
        .map(|r| r.expect("renders"))
        .sum()
}

fn benches(c: &mut Criterion) {
    // The fixed costs of one process, to see what dominates a single-spec run.
    c.bench_function("set-up: parse the built-in templates, both targets", |b| {
        b.iter(|| {
            let t = Templates::load(None).expect("built-ins load");
            t.parse_all();
            t
        })
    });
    let typical_text = std::fs::read_to_string(root().join("benches/typical.yaml")).unwrap();
    c.bench_function("stage: parse the typical spec (YAML)", |b| {
        b.iter(|| {
            vpcgen::spec::parse(&SpecFile::new("s.yaml", typical_text.clone())).expect("parses")
        })
    });
    Templates::builtin();
    {
        let file = SpecFile::new("benches/typical.yaml", typical_text.clone());
        let vpc = model::load(&file).expect("valid spec");
        c.bench_function("stage: validate the typical spec", |b| {
            b.iter(|| model::build(&file, &vpcgen::spec::parse(&file).unwrap()).unwrap())
        });
        c.bench_function("stage: plan the typical spec", |b| {
            b.iter(|| plan::build(&vpc))
        });
        let plan = plan::build(&vpc);
        let options = render::RenderOptions {
            cfn_json: false,
            regenerate: "vpcgen generate".into(),
        };
        c.bench_function("stage: template context of the typical spec", |b| {
            b.iter(|| render::context(&plan, Target::CloudFormation, &options).to_tera())
        });
    }
    let typical = SpecFile::new(
        "benches/typical.yaml",
        std::fs::read_to_string(root().join("benches/typical.yaml")).unwrap(),
    );
    c.bench_function("typical spec, cloudformation", |b| {
        b.iter(|| one(&typical, &[Target::CloudFormation]))
    });
    c.bench_function("typical spec, both targets", |b| {
        b.iter(|| one(&typical, &Target::ALL))
    });
    let all = SpecFile::new(
        "all.yaml",
        std::fs::read_to_string(root().join("tests/all-services/spec.yaml")).unwrap(),
    );
    c.bench_function("all-services spec, cloudformation", |b| {
        b.iter(|| one(&all, &[Target::CloudFormation]))
    });

    let mut services = c.benchmark_group("services per spec");
    for n in [1, 10, 100, 397] {
        // 397: every catalogue entry (s3 and dynamodb with both types).
        let text = if n == 397 {
            all.text.clone()
        } else {
            spec_with(n)
        };
        let file = SpecFile::new("scale.yaml", text);
        services.bench_with_input(BenchmarkId::from_parameter(n), &file, |b, f| {
            b.iter(|| one(f, &[Target::CloudFormation]))
        });
    }
    services.finish();

    let settings = Settings {
        targets: vec![Target::CloudFormation],
        out: PathBuf::from("out"),
        cfn_json: false,
        templates: None,
        // Only the directories named in file headers depend on it.
        many: true,
    };
    let mut specs = c.benchmark_group("specs per batch");
    specs.sample_size(20);
    for n in [1, 10, 100, 500] {
        let (_dir, paths) = batch(n);
        specs.bench_with_input(BenchmarkId::from_parameter(n), &paths, |b, p| {
            b.iter(|| run_batch(p, &settings))
        });
    }
    specs.finish();
}

criterion_group!(pipeline_benches, benches);
criterion_main!(pipeline_benches);
