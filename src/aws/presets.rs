//! Workload presets: one word in a spec for the endpoints a workload needs, each member with its
//! reason and the guide that asks for it.

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
    /// The guide that says so.
    pub source: &'static str,
}

const fn m(
    key: &'static str,
    kind: EndpointType,
    reason: &'static str,
    source: &'static str,
) -> PresetMember {
    PresetMember {
        key,
        kind,
        reason,
        source,
    }
}

use EndpointType::{Gateway as G, Interface as I};

const ECR_GUIDE: &str = "Amazon ECR User Guide, \"Amazon ECR interface VPC endpoints\"";
const ECS_GUIDE: &str = "Amazon ECS Developer Guide, \"Amazon ECS interface VPC endpoints\"";
const EKS_GUIDE: &str =
    "Amazon EKS User Guide, \"Deploy private clusters with limited internet access\"";
const SAGEMAKER_GUIDE: &str =
    "SageMaker Developer Guide, \"Connect Studio notebooks in a VPC to external resources\"";
const SSM_GUIDE: &str = "AWS Systems Manager User Guide, \"Improve the security of EC2 instances by using VPC endpoints for Systems Manager\"";
const LAMBDA_GUIDE: &str =
    "vpcgen: the services functions most often call; no guide fixes the list";

const ECR_API: PresetMember = m(
    "ecr.api",
    I,
    "ECR API: registry auth tokens and image manifests",
    ECR_GUIDE,
);
const ECR_DKR: PresetMember = m(
    "ecr.dkr",
    I,
    "ECR Docker registry: image pulls (needs private DNS)",
    ECR_GUIDE,
);
const S3_LAYERS: PresetMember = m("s3", G, "image layers are served from S3", ECR_GUIDE);

static PRESETS: &[Preset] = &[
    Preset {
        name: "ecr",
        title: "Pull container images from Amazon ECR",
        members: &[ECR_API, ECR_DKR, S3_LAYERS],
    },
    Preset {
        name: "ecs-fargate",
        title: "ECS on Fargate in private subnets",
        // Tasks on Fargate need no `ecs` endpoints; Service Connect adds `ecs-agent` and ECS Exec
        // adds `ssmmessages`, both listed separately when used.
        members: &[
            ECR_API,
            ECR_DKR,
            S3_LAYERS,
            m(
                "logs",
                I,
                "the awslogs log driver sends task logs to CloudWatch Logs",
                ECS_GUIDE,
            ),
            m(
                "secretsmanager",
                I,
                "secrets injected into task definitions",
                ECS_GUIDE,
            ),
            m(
                "ssm",
                I,
                "Parameter Store values injected into task definitions",
                ECS_GUIDE,
            ),
        ],
    },
    Preset {
        name: "eks-private",
        title: "Private EKS cluster without internet access",
        members: &[
            m(
                "ec2",
                I,
                "nodes and the EKS-optimized AMI call the EC2 API",
                EKS_GUIDE,
            ),
            ECR_API,
            ECR_DKR,
            S3_LAYERS,
            m(
                "elasticloadbalancing",
                I,
                "the AWS Load Balancer Controller manages load balancers",
                EKS_GUIDE,
            ),
            m("logs", I, "node and pod logs to CloudWatch Logs", EKS_GUIDE),
            m(
                "sts",
                I,
                "IAM roles for service accounts (IRSA) assume roles through STS",
                EKS_GUIDE,
            ),
            m("eks-auth", I, "EKS Pod Identity", EKS_GUIDE),
            m("eks", I, "nodes and tools call the EKS API", EKS_GUIDE),
            m("xray", I, "traces sent to AWS X-Ray", EKS_GUIDE),
            m(
                "autoscaling",
                I,
                "the Cluster Autoscaler resizes node groups through EC2 Auto Scaling",
                EKS_GUIDE,
            ),
        ],
    },
    Preset {
        name: "lambda-vpc",
        title: "Lambda functions attached to a VPC",
        members: &[
            m("s3", G, "functions read and write S3 objects", LAMBDA_GUIDE),
            m("dynamodb", G, "functions use DynamoDB tables", LAMBDA_GUIDE),
            m("sqs", I, "functions send to SQS queues", LAMBDA_GUIDE),
            m("sns", I, "functions publish to SNS topics", LAMBDA_GUIDE),
            m("secretsmanager", I, "functions read secrets", LAMBDA_GUIDE),
            m(
                "ssm",
                I,
                "functions read Parameter Store values",
                LAMBDA_GUIDE,
            ),
            m("kms", I, "functions decrypt with KMS keys", LAMBDA_GUIDE),
            m("sts", I, "functions assume roles", LAMBDA_GUIDE),
        ],
    },
    Preset {
        name: "sagemaker-studio",
        title: "SageMaker Studio in VpcOnly mode",
        members: &[
            m(
                "sagemaker.api",
                I,
                "SageMaker API calls from notebooks",
                SAGEMAKER_GUIDE,
            ),
            m(
                "sagemaker.runtime",
                I,
                "running notebooks and invoking SageMaker endpoints",
                SAGEMAKER_GUIDE,
            ),
            m(
                "s3",
                G,
                "training data, models and notebook storage",
                SAGEMAKER_GUIDE,
            ),
            m(
                "servicecatalog",
                I,
                "SageMaker Projects provision through Service Catalog",
                SAGEMAKER_GUIDE,
            ),
            m(
                "sts",
                I,
                "the SageMaker Python SDK resolves the execution role for remote training",
                SAGEMAKER_GUIDE,
            ),
            m(
                "logs",
                I,
                "the SageMaker Python SDK reads remote training jobs' status from CloudWatch Logs",
                SAGEMAKER_GUIDE,
            ),
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
                SSM_GUIDE,
            ),
            m(
                "ssmmessages",
                I,
                "Session Manager data channels and Run Command",
                SSM_GUIDE,
            ),
            m(
                "ec2messages",
                I,
                "Run Command message delivery for agents older than 3.3.40.0",
                SSM_GUIDE,
            ),
            m(
                "s3",
                G,
                "SSM Agent updates and patching fetch from AWS-owned S3 buckets",
                SSM_GUIDE,
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
                assert!(
                    !member.source.is_empty(),
                    "{}: {} has no source",
                    p.name,
                    member.key
                );
            }
        }
    }
}
