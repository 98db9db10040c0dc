//! The AWS-owned S3 buckets a workload reaches through the S3 endpoints. A restrictive S3 policy
//! (`org-only`) must still admit them, or image pulls, agent updates, patching and stack
//! responses break; each set applies when one of its services is in the VPC.

/// One set of AWS-owned buckets, admitted by one policy statement.
#[derive(Debug)]
pub struct BucketException {
    pub sid: &'static str,
    /// The statement applies when any of these services is in the VPC.
    pub when_any: &'static [&'static str],
    pub why: &'static str,
    /// The guide that lists the buckets.
    pub source: &'static str,
    /// What clients do with the objects.
    pub action: &'static str,
    /// Bucket names. `{region}` is the Region, `{region_compact}` the Region without hyphens,
    /// `{snapshot_suffix}` the Region's patch-baseline snapshot suffix (empty for most) and
    /// `{patch_suffix}` its Patch Manager bucket suffix; a name whose suffix the Region lacks
    /// is left out.
    pub buckets: &'static [&'static str],
}

pub static S3_BUCKET_EXCEPTIONS: &[BucketException] = &[
    BucketException {
        sid: "AllowEcrImageLayers",
        when_any: &["ecr.dkr"],
        why: "ECR serves image layers from an AWS-owned bucket",
        source: "Amazon ECR User Guide, \"Minimum Amazon S3 bucket permissions for Amazon ECR\"",
        action: "s3:GetObject",
        buckets: &["prod-{region}-starport-layer-bucket"],
    },
    BucketException {
        sid: "AllowSsmAgentBuckets",
        // The agents' channels: Parameter Store readers, which use `ssm` alone, run no agent.
        when_any: &["ec2messages", "ssmmessages"],
        why: "SSM Agent updates, SSM documents, Distributor packages and patching come from AWS-owned buckets",
        source: "AWS Systems Manager User Guide, \"SSM Agent communications with AWS managed S3 buckets\" and \"Reference: Amazon S3 buckets for patching operations\" (2025); the Distributor buckets from its 2023 edition",
        action: "s3:GetObject",
        buckets: &[
            "amazon-ssm-{region}",
            "amazon-ssm-packages-{region}",
            "aws-patch-manager-{region}-{patch_suffix}",
            "aws-patchmanager-macos-{region}-{patch_suffix}",
            "aws-ssm-distributor-file-{region}",
            "aws-ssm-document-attachments-{region}",
            "aws-ssm-{region}",
            "aws-windows-downloads-{region}",
            "patch-baseline-snapshot-{region}{snapshot_suffix}",
            "{region}-birdwatcher-prod",
        ],
    },
    BucketException {
        sid: "AllowCloudFormationResponses",
        when_any: &["cloudformation"],
        why: "custom resources and wait conditions send their responses to AWS-owned buckets",
        source: "AWS CloudFormation User Guide, \"Access CloudFormation using an interface endpoint\"",
        action: "s3:PutObject",
        buckets: &[
            "cloudformation-custom-resource-response-{region_compact}",
            "cloudformation-waitcondition-{region}",
        ],
    },
];

/// Regions whose patch-baseline snapshot bucket carries a suffix (the patching reference
/// above); every other Region's bucket is `patch-baseline-snapshot-<region>`.
const SNAPSHOT_SUFFIXES: &[(&str, &str)] = &[
    ("af-south-1", "-tbxdb5b9"),
    ("ap-south-2", "-50209442"),
    ("ap-southeast-3", "-be0a3174"),
    ("ap-southeast-4", "-dc6f76ce"),
    ("eu-south-2", "-df2c9d70"),
    ("me-south-1", "-uduvl7q8"),
];

/// The suffix of each Region's Patch Manager buckets (Linux and Windows, and macOS), from the
/// patching reference above; the guide names no bucket for the other Regions.
const PATCH_SUFFIXES: &[(&str, &str)] = &[
    ("af-south-1", "bdd5f65a9"),
    ("ap-east-1", "632356271"),
    ("ap-northeast-1", "4849fa78f"),
    ("ap-northeast-2", "10467995c"),
    ("ap-northeast-3", "67373598a"),
    ("ap-south-1", "cb7c62ff9"),
    ("ap-south-2", "32f4b4128"),
    ("ap-southeast-1", "7fdfd9ef7"),
    ("ap-southeast-2", "17283a275"),
    ("ap-southeast-3", "aa48fc462"),
    ("ap-southeast-4", "01e2c40d3"),
    ("ca-central-1", "3148e69e3"),
    ("ca-west-1", "9e3a4b2f9"),
    ("eu-central-1", "9163fdaaf"),
    ("eu-central-2", "184ce43c8"),
    ("eu-north-1", "795879e9b"),
    ("eu-south-1", "c52f3f594"),
    ("eu-south-2", "a4cf248b1"),
    ("eu-west-1", "5522fb710"),
    ("eu-west-2", "902a2bc74"),
    ("eu-west-3", "29bf85721"),
    ("il-central-1", "e221cb57b"),
    ("me-central-1", "2932f2f80"),
    ("me-south-1", "a53fc9dce"),
    ("sa-east-1", "ddf4b6a09"),
    ("us-east-1", "1970c647d"),
    ("us-east-2", "552881074"),
    ("us-west-1", "8badb4304"),
    ("us-west-2", "34d7f99f8"),
];

fn lookup(table: &[(&str, &'static str)], region: &str) -> Option<&'static str> {
    table.iter().find(|(r, _)| *r == region).map(|(_, v)| *v)
}

impl BucketException {
    /// Whether the statement applies to a VPC with the services `present`.
    pub fn applies(&self, present: impl Fn(&str) -> bool) -> bool {
        self.when_any.iter().any(|k| present(k))
    }

    /// The bucket names in `region`, sorted.
    pub fn buckets_in(&self, region: &str) -> Vec<String> {
        let compact: String = region.chars().filter(|c| *c != '-').collect();
        let snapshot = lookup(SNAPSHOT_SUFFIXES, region).unwrap_or("");
        let patch = lookup(PATCH_SUFFIXES, region);
        let mut out: Vec<String> = self
            .buckets
            .iter()
            .filter(|b| !b.contains("{patch_suffix}") || patch.is_some())
            .map(|b| {
                b.replace("{region_compact}", &compact)
                    .replace("{region}", region)
                    .replace("{snapshot_suffix}", snapshot)
                    .replace("{patch_suffix}", patch.unwrap_or(""))
            })
            .collect();
        out.sort();
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ssm() -> &'static BucketException {
        &S3_BUCKET_EXCEPTIONS[1]
    }

    #[test]
    fn region_specific_bucket_names_are_the_guides() {
        let me = ssm().buckets_in("me-south-1");
        assert!(me.contains(&"patch-baseline-snapshot-me-south-1-uduvl7q8".to_owned()));
        assert!(me.contains(&"aws-patch-manager-me-south-1-a53fc9dce".to_owned()));
        assert!(me.contains(&"aws-patchmanager-macos-me-south-1-a53fc9dce".to_owned()));
        let af = ssm().buckets_in("af-south-1");
        assert!(af.contains(&"patch-baseline-snapshot-af-south-1-tbxdb5b9".to_owned()));
        assert!(af.contains(&"aws-ssm-distributor-file-af-south-1".to_owned()));
        let east = ssm().buckets_in("us-east-2");
        assert!(east.contains(&"patch-baseline-snapshot-us-east-2".to_owned()));
        assert!(east.contains(&"aws-patch-manager-us-east-2-552881074".to_owned()));
        assert!(east.contains(&"aws-windows-downloads-us-east-2".to_owned()));
        assert!(east.contains(&"us-east-2-birdwatcher-prod".to_owned()));
        // A Region the patching reference does not list gets no guessed Patch Manager bucket.
        let my = ssm().buckets_in("ap-southeast-5");
        assert!(!my.iter().any(|b| b.starts_with("aws-patch")), "{my:?}");
        assert!(my.contains(&"aws-ssm-ap-southeast-5".to_owned()));
    }

    #[test]
    fn cloudformation_response_buckets_drop_the_hyphens_where_the_guide_says() {
        let cfn = &S3_BUCKET_EXCEPTIONS[2];
        assert_eq!(
            cfn.buckets_in("us-west-2"),
            [
                "cloudformation-custom-resource-response-uswest2",
                "cloudformation-waitcondition-us-west-2"
            ]
        );
    }

    #[test]
    fn tables_are_sorted_and_name_known_regions() {
        for table in [SNAPSHOT_SUFFIXES, PATCH_SUFFIXES] {
            assert!(table.windows(2).all(|w| w[0].0 < w[1].0));
            for (r, _) in table {
                assert!(crate::aws::region(r).is_some(), "{r}");
            }
        }
    }
}
