//! Any bytes as a spec, through every stage: a spec that fails must give a report, never a
//! panic; one that validates must plan, render both targets (CloudFormation as YAML and, through
//! its conversion to JSON, as parsed YAML) without an error, and give a plan report and both
//! diagrams. Whether a target accepts the spec (CloudFormation refuses fixed addresses and
//! cross-account spokes) is the pipeline's check, after this stage, so both are rendered here.

#![no_main]

use libfuzzer_sys::fuzz_target;
use vpcgen::render::{self, RenderOptions, Target, Templates};
use vpcgen::source::SpecFile;
use vpcgen::views::{diagram, report};
use vpcgen::{error, model, plan};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let file = SpecFile::new("fuzz.yaml", text);
    let vpc = match model::load(&file) {
        Ok(vpc) => vpc,
        Err(e) => {
            assert!(!error::render(&e, false).is_empty());
            return;
        }
    };
    let plan = plan::build(&vpc);
    let templates = Templates::builtin();
    for (target, cfn_json) in [
        (Target::Terraform, false),
        (Target::CloudFormation, false),
        (Target::CloudFormation, true),
    ] {
        let options = RenderOptions {
            cfn_json,
            regenerate: "vpcgen generate fuzz.yaml".into(),
        };
        let files = render::render(&plan, target, &options, &templates)
            .unwrap_or_else(|e| panic!("a valid spec must render: {}", error::render(&e, false)));
        assert!(!files.is_empty());
    }
    let _ = report::table(&report::build(&plan));
    let _ = diagram::mermaid(&plan);
    let _ = diagram::dot(&plan);
});
