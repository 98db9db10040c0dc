//! Workload presets (one word in a spec for the endpoints a workload needs, each member with
//! its reason) and the AWS-owned S3 buckets a restrictive S3 policy must still admit.

use super::EndpointType;

/// A workload preset: one word in the spec for the endpoints a workload needs.
#[derive(Debug, Clone, Copy)]
pub struct Preset {
    pub name: &'static str,
    pub title: &'static str,
    pub members: &'static [PresetMember],
}

#[derive(Debug, Clone, Copy)]
pub struct PresetMember {
    pub key: &'static str,
    pub kind: EndpointType,
    /// Why the workload needs it; shown by `vpcgen plan` and in comments.
    pub reason: &'static str,
}

const fn m(key: &'static str, kind: EndpointType, reason: &'static str) -> PresetMember {
    PresetMember { key, kind, reason }
}

use EndpointType::{Gateway as G, Interface as I};

const ECR_API: PresetMember = m(
    "ecr.api",
    I,
    "ECR API: registry auth tokens and image manifests",
);
const ECR_DKR: PresetMember = m(
    "ecr.dkr",
    I,
    "ECR Docker registry: image pulls (needs private DNS)",
);
const S3_LAYERS: PresetMember = m("s3", G, "image layers are served from S3");

static PRESETS: &[Preset] = &[
    Preset {
        name: "ecr",
        title: "Pull container images from Amazon ECR",
        members: &[ECR_API, ECR_DKR, S3_LAYERS],
    },
    Preset {
        name: "ecs-fargate",
        title: "ECS on Fargate in private subnets",
        members: &[
            ECR_API,
            ECR_DKR,
            S3_LAYERS,
            m(
                "logs",
                I,
                "the awslogs log driver sends task logs to CloudWatch Logs",
            ),
            m(
                "secretsmanager",
                I,
                "secrets injected into task definitions",
            ),
            m(
                "ssm",
                I,
                "Parameter Store values injected into task definitions",
            ),
        ],
    },
    Preset {
        name: "eks-private",
        title: "Private EKS cluster without internet access",
        members: &[
            m("ec2", I, "nodes and the EKS-optimized AMI call the EC2 API"),
            ECR_API,
            ECR_DKR,
            S3_LAYERS,
            m(
                "elasticloadbalancing",
                I,
                "the AWS Load Balancer Controller manages load balancers",
            ),
            m("logs", I, "node and pod logs to CloudWatch Logs"),
            m(
                "sts",
                I,
                "IAM roles for service accounts (IRSA) assume roles through STS",
            ),
            m("eks-auth", I, "EKS Pod Identity"),
            m("eks", I, "nodes and tools call the EKS API"),
        ],
    },
    Preset {
        name: "lambda-vpc",
        title: "Lambda functions attached to a VPC",
        members: &[
            m("s3", G, "functions read and write S3 objects"),
            m("dynamodb", G, "functions use DynamoDB tables"),
            m("sqs", I, "functions send to SQS queues"),
            m("sns", I, "functions publish to SNS topics"),
            m("secretsmanager", I, "functions read secrets"),
            m("ssm", I, "functions read Parameter Store values"),
            m("kms", I, "functions decrypt with KMS keys"),
            m("sts", I, "functions assume roles"),
        ],
    },
    Preset {
        name: "sagemaker-studio",
        title: "SageMaker Studio in VpcOnly mode",
        members: &[
            m("sagemaker.api", I, "SageMaker API calls from notebooks"),
            m("sagemaker.runtime", I, "invoking SageMaker endpoints"),
            m("s3", G, "training data, models and notebook storage"),
            m("sts", I, "the SDK resolves the execution role through STS"),
            m("logs", I, "training and endpoint logs to CloudWatch Logs"),
        ],
    },
    Preset {
        name: "ssm",
        title: "Systems Manager Session Manager",
        members: &[
            m(
                "ssm",
                I,
                "Systems Manager API: agent registration and commands",
            ),
            m("ssmmessages", I, "Session Manager data channels"),
            m(
                "ec2messages",
                I,
                "Run Command message delivery for older agents",
            ),
        ],
    },
];

pub fn presets() -> &'static [Preset] {
    PRESETS
}

pub fn preset(name: &str) -> Option<&'static Preset> {
    PRESETS.iter().find(|p| p.name == name)
}

/// Buckets owned by AWS that a workload reaches through the S3 gateway endpoint. A restrictive S3
/// policy (for example `org-only`) must still admit them, or image pulls and agent updates break.
#[derive(Debug)]
pub struct BucketException {
    pub sid: &'static str,
    /// Present in the VPC when this service is.
    pub when_service: &'static str,
    pub why: &'static str,
    /// Bucket names; `{region}` is replaced.
    pub buckets: &'static [&'static str],
}

pub static S3_BUCKET_EXCEPTIONS: &[BucketException] = &[
    BucketException {
        sid: "AllowEcrImageLayers",
        when_service: "ecr.dkr",
        why: "ECR serves image layers from an AWS-owned bucket",
        buckets: &["prod-{region}-starport-layer-bucket"],
    },
    BucketException {
        sid: "AllowSsmAgentBuckets",
        // Instances run by SSM Agent use ec2messages; Parameter Store readers alone do not.
        when_service: "ec2messages",
        why: "SSM Agent updates, patch baselines and documents come from AWS-owned buckets",
        buckets: &[
            "amazon-ssm-{region}",
            "amazon-ssm-packages-{region}",
            "aws-ssm-{region}",
            "patch-baseline-snapshot-{region}",
        ],
    },
];

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::service;

    #[test]
    fn every_preset_member_is_in_the_catalogue_with_its_type() {
        for p in PRESETS {
            for member in p.members {
                let s = service(member.key).unwrap_or_else(|| panic!("{}: {}", p.name, member.key));
                assert!(
                    s.offers(member.kind),
                    "{}: {} {:?}",
                    p.name,
                    member.key,
                    member.kind
                );
            }
        }
    }
}
