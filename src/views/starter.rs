//! The starter spec `vpcgen init` writes: commented, valid as written, for an existing VPC or a
//! new one.

use crate::aws;
use crate::error::{Error, suggest};

/// The text of a starter spec. Fails on an unknown Region or preset, or a bad name.
pub fn spec(
    create_vpc: bool,
    name: &str,
    region: &str,
    presets: &[String],
) -> Result<String, Error> {
    let r = aws::region(region).ok_or_else(|| {
        Error::usage_with_help(
            format!("unknown Region `{region}`"),
            aws::region_help(region),
        )
    })?;
    if let Some((message, help)) = crate::naming::name_problem(name) {
        return Err(Error::usage_with_help(message, help));
    }
    for p in presets {
        if aws::preset(p).is_none() {
            let hint = suggest(p, aws::presets().iter().map(|p| p.name))
                .map(|b| format!(" (did you mean `{b}`?)"))
                .unwrap_or_default();
            return Err(Error::usage(format!(
                "unknown preset `{p}`{hint}; `vpcgen services --presets` lists them"
            )));
        }
    }
    let azs = r.az_names();
    let mut out = String::new();
    out.push_str("# yaml-language-server: $schema=vpcgen.schema.json\n");
    out.push_str("# A vpcgen spec: the AWS services this VPC reaches privately.\n");
    out.push_str("# Generate with: vpcgen generate THIS_FILE --target terraform --out generated\n");
    out.push_str("version: 1\n");
    out.push_str(&format!(
        "name: {name}            # names and tags every resource\n"
    ));
    out.push_str(&format!(
        "region: {region}        # decides the partition and the service names\n\n"
    ));
    if create_vpc {
        out.push_str("vpc:\n");
        out.push_str("  create: true\n");
        out.push_str("  cidr: 10.0.0.0/16\n");
        out.push_str(&format!(
            "  azs: {}                  # or a list of AZ names\n",
            azs.len().min(3)
        ));
        out.push_str("  # private_subnet_prefix: 19  # size of each private subnet (default: chosen from the CIDR)\n");
        out.push_str(
            "  # public_subnets: true       # adds public subnets and an internet gateway\n",
        );
        out.push_str("  # nat: single                # none (default) | single | per-az; the endpoints are the way out\n\n");
    } else {
        out.push_str(
            "vpc:                              # an existing VPC; replace the ids with yours\n",
        );
        out.push_str("  id: vpc-0123456789abcdef0\n");
        out.push_str("  cidr: 10.0.0.0/16               # the endpoint security group admits it\n");
        out.push_str(
            "  subnets:                        # interface endpoints: one subnet per AZ\n",
        );
        for (i, az) in azs.iter().take(2).enumerate() {
            out.push_str(&format!(
                "    - {{ id: subnet-0{i}23456789abcdef0, az: {az} }}\n"
            ));
        }
        out.push_str("  route_tables: [rtb-0123456789abcdef0]   # gateway endpoints (s3, dynamodb) attach here\n\n");
    }
    out.push_str("endpoints:\n");
    out.push_str("  - s3                            # gateway: free; interface only when asked (type: interface)\n");
    if presets.is_empty() {
        out.push_str("  - logs                          # interface endpoint, private DNS on\n");
        out.push_str(
            "  # - preset: ssm                 # Session Manager: ssm, ssmmessages, ec2messages\n",
        );
    }
    for p in presets {
        out.push_str(&format!("  - preset: {p}\n"));
    }
    out.push_str("  # - service: sqs                # long form, with options:\n");
    out.push_str(
        "  #   policy: full-access         #   full-access | org-only | a policy document\n",
    );
    out.push_str("  #   private_dns: true\n\n");
    out.push_str("# policy: org-only                # default endpoint policy (needs org_id); default: full-access\n");
    out.push_str("# org_id: o-a1b2c3d4e5\n");
    out.push_str("# security_group:\n");
    out.push_str("#   ingress_cidrs: [10.0.0.0/16]  # default: the VPC CIDR\n");
    out.push_str("#   source_security_groups: []\n");
    out.push_str("tags:\n");
    out.push_str("  team: platform\n");
    Ok(out)
}
