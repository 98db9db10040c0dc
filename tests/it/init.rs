//! `vpcgen init` writes a starter spec that generates as it is, for an existing VPC and for a new
//! one, and never overwrites a file; new VPCs get a sound subnet plan.

use crate::common::*;
use vpcgen::render::Target;

fn init(dir: &std::path::Path, args: &[&str]) -> (i32, String) {
    let mut all = vec!["init"];
    all.extend_from_slice(args);
    let (code, _, err) = run_in(dir, &all);
    (code, err)
}

#[test]
fn starter_specs_generate_for_both_targets() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    let cases: [&[&str]; 3] = [
        &["existing.yaml"],
        &[
            "--create-vpc",
            "--name",
            "edge",
            "--region",
            "ap-southeast-2",
            "new.yaml",
        ],
        &[
            "--create-vpc",
            "--preset",
            "ecr",
            "--preset",
            "ssm",
            "--region",
            "cn-north-1",
            "china.yaml",
        ],
    ];
    for args in cases {
        let (code, err) = init(d, args);
        assert_eq!(code, 0, "{err}");
        let spec = args.last().unwrap();
        let text = std::fs::read_to_string(d.join(spec)).unwrap();
        for target in Target::ALL {
            let files = render_text(&text, target);
            match target {
                Target::Terraform => drop(parse_tf(&files)),
                Target::CloudFormation => drop(parse_cfn(&files)),
            }
        }
        let (code, _, err) = run_in(
            d,
            &[
                "generate",
                spec,
                "--target",
                "all",
                "--out",
                &format!("out-{spec}"),
                "--deny-warnings",
            ],
        );
        assert_eq!(code, 0, "{spec}: {err}");
    }
}

#[test]
fn init_never_overwrites() {
    let tmp = tempfile::tempdir().unwrap();
    std::fs::write(tmp.path().join("vpcgen.yaml"), "mine\n").unwrap();
    let (code, err) = init(tmp.path(), &[]);
    assert_eq!(code, 2);
    assert!(err.contains("already exists"), "{err}");
    assert_eq!(
        std::fs::read_to_string(tmp.path().join("vpcgen.yaml")).unwrap(),
        "mine\n"
    );
}

#[test]
fn init_rejects_unknown_presets_and_regions() {
    let tmp = tempfile::tempdir().unwrap();
    let (code, err) = init(tmp.path(), &["--preset", "ssm-agent"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown preset `ssm-agent`"), "{err}");
    let (code, err) = init(tmp.path(), &["--region", "us-east-7"]);
    assert_eq!(code, 2);
    assert!(err.contains("unknown Region `us-east-7`"), "{err}");
    assert!(!tmp.path().join("vpcgen.yaml").exists());
}

#[test]
fn new_vpc_subnet_plan_is_printed_and_never_overlaps() {
    let text = "name: n\nregion: us-east-1\nvpc:\n  create: true\n  cidr: 10.40.0.0/16\n  azs: 3\n  public_subnets: true\n  nat: per-az\nendpoints: [s3, logs]\n";
    let tf = render_text(text, Target::Terraform);
    let vpc_tf = file(&tf, "vpc.tf");
    for line in [
        "#   us-east-1a  private 10.40.0.0/19  public 10.40.96.0/21",
        "#   us-east-1b  private 10.40.32.0/19  public 10.40.104.0/21",
        "#   us-east-1c  private 10.40.64.0/19  public 10.40.112.0/21",
    ] {
        assert!(vpc_tf.contains(line), "{line}\n{vpc_tf}");
    }
    let cfn = parse_cfn(&render_text(text, Target::CloudFormation));
    let resources = cfn["Resources"].as_object().unwrap();
    let nets: Vec<ipnet::Ipv4Net> = resources
        .values()
        .filter(|r| r["Type"] == "AWS::EC2::Subnet")
        .map(|r| {
            r["Properties"]["CidrBlock"]
                .as_str()
                .unwrap()
                .parse()
                .unwrap()
        })
        .collect();
    assert_eq!(nets.len(), 6);
    for (i, a) in nets.iter().enumerate() {
        for b in &nets[i + 1..] {
            assert!(!a.contains(b) && !b.contains(a), "{a} overlaps {b}");
        }
    }
    assert_eq!(
        resources
            .values()
            .filter(|r| r["Type"] == "AWS::EC2::NatGateway")
            .count(),
        3
    );
    // Gateway endpoints attach to every private route table, by reference.
    let s3 = &resources["S3Endpoint"]["Properties"]["RouteTableIds"];
    assert_eq!(s3.as_array().unwrap().len(), 3);
    assert_eq!(s3[0]["Ref"], "PrivateRouteTableUsEast1a");
}

#[test]
fn init_refuses_a_name_generate_would_refuse() {
    // One name rule: what `init` writes, `generate` accepts, and a name it would refuse is
    // refused here first.
    for name in ["foo-", "Foo", "1abc", "a_b"] {
        let dir = tempfile::tempdir().unwrap();
        let (code, _, stderr) = run_in(dir.path(), &["init", "--name", name]);
        assert_eq!(code, 2, "{name}: {stderr}");
        assert!(stderr.contains("is not a valid name"), "{name}: {stderr}");
        assert!(stderr.contains("help:"), "{name}: {stderr}");
        assert!(!dir.path().join("vpcgen.yaml").exists(), "{name}");
    }
}
