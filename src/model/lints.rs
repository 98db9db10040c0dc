//! Warnings for specs that generate but are probably wrong: a missing companion endpoint, more
//! interface endpoints than the quota, a policy that only denies, an endpoint in an AZ its
//! service does not offer.

use super::{Network, Problems, Reason, Vpc, join_names};
use crate::aws::{self, EndpointType};
use crate::spec::{EndpointItem, EndpointSpec, PolicySpec, Spec};

pub(super) fn lints(p: &mut Problems, vpc: &Vpc, spec: &Spec) {
    let has = |key: &str, kind: EndpointType| vpc.endpoints.iter().any(|e| e.is(key, kind));
    let path_of = |key: &str| {
        spec.endpoints
            .iter()
            .position(|item| match item {
                EndpointItem::Key(k) => k == key,
                EndpointItem::Long(l) => l.service.as_deref() == Some(key),
            })
            .map_or_else(|| "endpoints".to_owned(), |i| format!("endpoints[{i}]"))
    };
    zones(p, vpc, &path_of);
    if has("ecr.dkr", EndpointType::Interface) && !has("s3", EndpointType::Gateway) {
        p.warn(path_of("ecr.dkr"), "`ecr.dkr` without an S3 gateway endpoint", "ECR serves image layers from S3, so pulls fail without it: add `- s3` (gateway endpoints are free)");
    }
    // Listed on its own, `ssm` usually means instance management; presets that add it for
    // Parameter Store (ecs-fargate, lambda-vpc) do not.
    let ssm_explicit = vpc
        .endpoints
        .iter()
        .any(|e| e.is("ssm", EndpointType::Interface) && e.reasons.contains(&Reason::Listed));
    let companions: Vec<&str> = ["ssmmessages", "ec2messages"]
        .into_iter()
        .filter(|k| !has(k, EndpointType::Interface))
        .collect();
    if ssm_explicit && !companions.is_empty() {
        // The agent prefers `ssmmessages` and falls back to `ec2messages`; agents of
        // different ages need either, so one without the other is still a gap.
        p.warn(
            path_of("ssm"),
            format!("`ssm` without {}", join_names(&companions)),
            "Session Manager and Run Command need `ssm`, `ssmmessages` and `ec2messages` (use `- preset: ssm`); Parameter Store alone needs only `ssm`",
        );
    }
    for key in ["s3", "dynamodb"] {
        if has(key, EndpointType::Interface) && !has(key, EndpointType::Gateway) {
            p.warn(path_of(key), format!("`{key}` interface endpoint without a `{key}` gateway endpoint"), format!("interface endpoints are billed per AZ-hour and per GB; traffic from inside the VPC is free through a gateway: add `- {key}` as well"));
        }
    }
    let interfaces = vpc
        .endpoints
        .iter()
        // The quota is "Interface and Gateway Load Balancer endpoints per VPC".
        .filter(|e| {
            matches!(
                e.kind,
                EndpointType::Interface | EndpointType::GatewayLoadBalancer
            )
        })
        .count();
    if interfaces > aws::INTERFACE_ENDPOINTS_PER_VPC {
        p.warn("endpoints", format!("{interfaces} interface endpoints; the default quota is {} per VPC", aws::INTERFACE_ENDPOINTS_PER_VPC), "request a quota increase (Service Quotas: VPC, interface endpoints per VPC) before applying");
    }
    for e in &vpc.endpoints {
        // A hub that shares hosted zones answers the name itself.
        let hub_answers = vpc
            .hub
            .as_ref()
            .is_some_and(|h| h.dns == super::HubDns::HostedZones);
        if e.is("ecr.dkr", EndpointType::Interface) && !e.private_dns && !hub_answers {
            p.warn(path_of("ecr.dkr"), "`ecr.dkr` with private DNS off", "Docker clients reach ECR by its public name; ECR requires private DNS on this endpoint");
        }
    }
    let deny_only = |doc: &serde_json::Value| {
        let st = doc.get("Statement");
        let list: Vec<&serde_json::Value> = match st {
            Some(serde_json::Value::Array(a)) => a.iter().collect(),
            Some(o) => vec![o],
            None => vec![],
        };
        !list.is_empty()
            && list
                .iter()
                .all(|s| s.get("Effect").and_then(|e| e.as_str()) == Some("Deny"))
    };
    if let Some(PolicySpec::Document(doc)) = &spec.policy {
        if deny_only(doc) {
            p.warn(
                "policy",
                "the policy only denies",
                "an endpoint policy with no Allow blocks every request: add an Allow statement",
            );
        }
    }
    for (i, item) in spec.endpoints.iter().enumerate() {
        if let EndpointItem::Long(long) = item
            && let EndpointSpec {
                policy: Some(PolicySpec::Document(doc)),
                ..
            } = &**long
            && deny_only(doc)
        {
            p.warn(
                format!("endpoints[{i}].policy"),
                "the policy only denies",
                "an endpoint policy with no Allow blocks every request: add an Allow statement",
            );
        }
    }
}

/// Interface endpoints placed, by AZ ID, in a zone their service does not offer: AWS refuses to
/// create them there. Zones given by name cannot be checked (an AZ name is a different zone in
/// each account); the plan notes that instead.
fn zones(p: &mut Problems, vpc: &Vpc, path_of: &dyn Fn(&str) -> String) {
    for e in &vpc.endpoints {
        let Some(s) = e.service() else {
            continue;
        };
        if e.kind != EndpointType::Interface || s.unsupported_az_ids.is_empty() {
            continue;
        }
        let used: Vec<&str> = match &vpc.network {
            Network::Existing(v) => v
                .subnets
                .iter()
                .filter(|s| s.by_id)
                .filter(|s| e.subnets.as_ref().is_none_or(|only| only.contains(&s.id)))
                .map(|s| s.az.as_str())
                .collect(),
            Network::New(v) if v.azs_by_id => v.azs.iter().map(String::as_str).collect(),
            Network::New(_) => Vec::new(),
        };
        for zone in used
            .into_iter()
            .filter(|z| s.unsupported_az_ids.contains(z))
        {
            p.warn(
                path_of(s.key),
                format!("`{}` is not offered in AZ `{zone}`", s.key),
                "AWS refuses to create the endpoint there: give it `subnets:` in the other AZs, or move the subnet",
            );
        }
    }
}
