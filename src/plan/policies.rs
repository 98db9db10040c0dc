//! Endpoint policy documents: full access written out, the organization-only policy (with the
//! AWS-owned buckets an S3 policy must still admit, and STS's federated callers), and the
//! spec's own documents, each shared between endpoints under one name.

use std::collections::BTreeSet;
use std::sync::Arc;

use serde_json::{Value, json};

use crate::aws;
use crate::memo;
use crate::model::{PolicyChoice, Vpc};
use crate::naming::Ident;

/// AWS-owned buckets a restrictive S3 policy must still admit, given the services present.
fn bucket_exceptions<'a>(
    key: &str,
    present: &'a BTreeSet<&str>,
) -> impl Iterator<Item = &'static aws::BucketException> + 'a {
    let s3 = key == "s3";
    aws::S3_BUCKET_EXCEPTIONS
        .iter()
        .filter(move |ex| s3 && ex.applies(|k| present.contains(k)))
}

/// Whether `key` is STS, whose `org-only` policy must also let federated callers through.
pub(super) fn is_sts(key: &str) -> bool {
    matches!(key, "sts" | "sts-fips")
}

/// Why the STS endpoint's `org-only` policy has a second statement, for a comment beside it.
pub const STS_FEDERATION_NOTE: &str = "Federated callers (IRSA's AssumeRoleWithWebIdentity, SAML sign-in) carry no aws:PrincipalOrgID, so the second statement admits them into roles of the organization (aws:ResourceOrgID), as the IAM User Guide's \"STS VPC endpoint policies\" shows.";

/// The name a policy document is shared under.
pub(super) fn policy_name(
    choice: &PolicyChoice,
    key: Option<&str>,
    ident: &Ident,
    origin: &str,
    present: &BTreeSet<&str>,
) -> String {
    match choice {
        PolicyChoice::FullAccess => "full_access".to_owned(),
        PolicyChoice::OrgOnly
            if key.is_some_and(|k| bucket_exceptions(k, present).next().is_some()) =>
        {
            "org_only_s3".to_owned()
        }
        PolicyChoice::OrgOnly if key.is_some_and(is_sts) => "org_only_sts".to_owned(),
        PolicyChoice::OrgOnly => "org_only".to_owned(),
        PolicyChoice::Custom(_) if origin == "endpoint" => format!("custom_{}", ident.tf),
        PolicyChoice::Custom(_) => "custom".to_owned(),
    }
}

/// What a preset's document is made of, so that the specs of a batch share one document per
/// organisation, Region and set of bucket statements rather than each building its own.
#[derive(PartialEq, Eq, Hash)]
enum Preset {
    FullAccess,
    OrgOnly {
        org_id: Option<String>,
        sts: bool,
        region: &'static str,
        partition: &'static str,
        /// The bucket statements that apply, by `sid`.
        exceptions: Vec<&'static str>,
    },
}

/// The policy document for one endpoint, whose catalogue service is `key` (if it has one).
pub(super) fn policy_document(
    vpc: &Vpc,
    choice: &PolicyChoice,
    key: Option<&str>,
    present: &BTreeSet<&str>,
) -> Arc<Value> {
    let key = key.unwrap_or_default();
    let preset = match choice {
        PolicyChoice::Custom(doc) => return Arc::new(doc.clone()),
        PolicyChoice::FullAccess => Preset::FullAccess,
        PolicyChoice::OrgOnly => Preset::OrgOnly {
            org_id: vpc.org_id.clone(),
            sts: is_sts(key),
            region: vpc.region.name,
            partition: vpc.partition.name,
            exceptions: bucket_exceptions(key, present).map(|ex| ex.sid).collect(),
        },
    };
    memo::remember(preset, |p| Arc::new(preset_document(p)))
}

/// The document of `preset`, built from it alone, so a remembered document is the one that
/// would have been built.
fn preset_document(preset: &Preset) -> Value {
    let Preset::OrgOnly {
        org_id,
        sts,
        region,
        partition,
        exceptions,
    } = preset
    else {
        return json!({
            "Version": "2012-10-17",
            "Statement": [{
                "Sid": "AllowAll",
                "Effect": "Allow",
                "Principal": "*",
                "Action": "*",
                "Resource": "*"
            }]
        });
    };
    let org = org_id.clone().unwrap_or_default();
    if *sts {
        // The IAM User Guide's "Allow all AWS STS actions for your organization": principals
        // of the organization, and federated callers assuming roles of the organization.
        return json!({
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Sid": "AllowOrganizationPrincipals",
                    "Effect": "Allow",
                    "Principal": { "AWS": "*" },
                    "Action": "sts:*",
                    "Resource": "*",
                    "Condition": { "StringEquals": { "aws:PrincipalOrgID": org } }
                },
                {
                    "Sid": "AllowFederatedAssumeRoleIntoOrganizationRoles",
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": ["sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"],
                    "Resource": "*",
                    "Condition": { "StringEquals": { "aws:ResourceOrgID": org } }
                }
            ]
        });
    }
    let mut statements = vec![json!({
        "Sid": "AllowOrganizationPrincipals",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "*",
        "Resource": "*",
        "Condition": { "StringEquals": { "aws:PrincipalOrgID": org } }
    })];
    for ex in aws::S3_BUCKET_EXCEPTIONS
        .iter()
        .filter(|ex| exceptions.contains(&ex.sid))
    {
        let resources: Vec<String> = ex
            .buckets_in(region)
            .iter()
            .map(|b| format!("arn:{partition}:s3:::{b}/*"))
            .collect();
        statements.push(json!({
            "Sid": ex.sid,
            "Effect": "Allow",
            "Principal": "*",
            "Action": ex.action,
            "Resource": resources
        }));
    }
    json!({ "Version": "2012-10-17", "Statement": statements })
}
