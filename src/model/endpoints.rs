//! The endpoints a spec asks for: catalogue keys, long forms and presets, merged into one
//! endpoint per service and type, each with its type, policy, private DNS and attachments.

use std::collections::BTreeMap;

use super::{Endpoint, Network, PolicyChoice, Problems, Reason, join_names, policy, settings};
use crate::aws::{self, EndpointType, Region, Service};
use crate::error::suggest;
use crate::spec::{EndpointItem, EndpointSpec, Spec, TypeSpec};

/// One endpoint request before merging: from the spec or from a preset.
struct Request<'a> {
    service: &'static Service,
    kind: EndpointType,
    type_reason: &'static str,
    /// The long form it came from, when listed explicitly.
    spec: Option<&'a EndpointSpec>,
    path: String,
    reason: Reason,
}

/// Endpoints of an existing VPC that lacks what they attach to; one error names them all.
#[derive(Default)]
struct Lacking {
    /// Gateway endpoints, when the VPC lists no route tables.
    route_tables: Vec<&'static str>,
    /// Interface endpoints, when the VPC lists no subnets.
    subnets: Vec<&'static str>,
}

/// The spec-wide settings endpoints are checked against.
pub(super) struct Scope<'a> {
    /// `None` when the Region is unknown (reported already).
    pub(super) region: Option<&'static Region>,
    pub(super) network: Option<&'a Network>,
    pub(super) default_policy: Option<&'a PolicyChoice>,
    pub(super) has_org: bool,
}

pub(super) fn endpoints(p: &mut Problems, spec: &Spec, scope: &Scope) -> Vec<Endpoint> {
    if spec.endpoints.is_empty() {
        p.error(
            "endpoints",
            "no endpoints listed",
            "list the services to reach, e.g. `- s3` or `- preset: ssm`",
        );
    }
    let mut requests: Vec<Request> = Vec::new();
    let mut lacking = Lacking::default();
    for (i, item) in spec.endpoints.iter().enumerate() {
        let path = format!("endpoints[{i}]");
        match item {
            EndpointItem::Key(key) => {
                if let Some(s) = service(p, &path, key) {
                    requests.push(Request {
                        service: s,
                        kind: s.default_type(),
                        type_reason: type_reason(s, None),
                        spec: None,
                        path,
                        reason: Reason::Listed,
                    });
                }
            }
            EndpointItem::Long(long) => long_item(p, &path, long, &mut requests),
        }
    }
    // Merge: one endpoint per (service, type); explicit settings win over presets.
    let mut merged: BTreeMap<(&'static str, EndpointType), (Request, Vec<Reason>)> =
        BTreeMap::new();
    for req in requests {
        let id = (req.service.key, req.kind);
        match merged.get_mut(&id) {
            None => {
                let reasons = vec![req.reason];
                merged.insert(id, (req, reasons));
            }
            Some((existing, reasons)) => {
                let both_explicit =
                    existing.reason == Reason::Listed && req.reason == Reason::Listed;
                if both_explicit {
                    p.error(
                        &req.path,
                        format!(
                            "`{}` ({}) is listed twice: {} and {}",
                            req.service.key,
                            req.kind.lower(),
                            existing.path,
                            req.path
                        ),
                        "keep one entry; a service may appear once per endpoint type",
                    );
                    continue;
                }
                if !reasons.contains(&req.reason) {
                    reasons.push(req.reason);
                }
                if req.reason == Reason::Listed {
                    *existing = req;
                }
            }
        }
    }
    let mut out = Vec::new();
    for (_, (req, mut reasons)) in merged {
        reasons.sort_by_key(|r| *r != Reason::Listed);
        if let Some(e) = endpoint(p, &mut lacking, req, reasons, scope) {
            out.push(e);
        }
    }
    let lacking = [
        (
            lacking.route_tables,
            "route_tables",
            "gateway",
            spec.vpc.route_tables.is_some(),
            "add `route_tables:` under `vpc:` with the ids of the route tables whose subnets use the endpoints, e.g. `route_tables: [rtb-0123456789abcdef0]`",
        ),
        (
            lacking.subnets,
            "subnets",
            "interface",
            spec.vpc.subnets.is_some(),
            "add `subnets:` under `vpc:`, one subnet per AZ, e.g. `- { id: subnet-0123456789abcdef0, az: us-east-1a }`",
        ),
    ];
    for (keys, key, kind, written, help) in lacking {
        if keys.is_empty() {
            continue;
        }
        let (noun, verb) = if keys.len() == 1 {
            ("endpoint", "needs")
        } else {
            ("endpoints", "need")
        };
        let what = key.replace('_', " ");
        let message = format!(
            "no {what} listed, but {kind} {noun} {} {verb} them",
            join_names(&keys)
        );
        let path = if written {
            format!("vpc.{key}")
        } else {
            "vpc".to_owned()
        };
        p.misplaced(path, message, help);
    }
    out
}

fn service(p: &mut Problems, path: &str, key: &str) -> Option<&'static Service> {
    if let Some(s) = aws::service(key) {
        return Some(s);
    }
    let lowered = key.to_ascii_lowercase();
    if let Some(s) = aws::service(&lowered) {
        p.error(
            path,
            format!("unknown service `{key}`"),
            format!("service keys are lowercase: `{}`", s.key),
        );
        return None;
    }
    // A report shows its first problems only, so a spec with thousands of unknown services is
    // not searched for a suggestion thousands of times.
    let suggesting = p.errors() < crate::error::SHOWN_MAX;
    let help = if aws::preset(key).is_some() && aws::service(key).is_none() {
        format!("`{key}` is a preset: write `- preset: {key}`")
    } else if let Some(best) =
        suggest(key, aws::services().iter().map(|s| s.key)).filter(|_| suggesting)
    {
        format!(
            "did you mean `{best}`? `vpcgen services {}` searches the catalogue",
            search_word(key)
        )
    } else {
        format!(
            "`vpcgen services {}` searches the catalogue by key and name",
            search_word(key)
        )
    };
    p.error(path, format!("unknown service `{key}`"), help);
    None
}

fn long_item<'a>(
    p: &mut Problems,
    path: &str,
    long: &'a EndpointSpec,
    requests: &mut Vec<Request<'a>>,
) {
    match (&long.service, &long.preset) {
        (Some(_), Some(_)) => {
            p.error(
                path,
                "an entry names both `service` and `preset`",
                "split it into two entries",
            );
        }
        (None, None) => {
            p.error(
                path,
                "an entry needs `service:` or `preset:`",
                "add `service: <key>` (see `vpcgen services`) or `preset: <name>`",
            );
        }
        (None, Some(name)) => {
            let options = long.kind.is_some()
                || long.policy.is_some()
                || long.private_dns.is_some()
                || long.route_tables.is_some()
                || long.subnets.is_some()
                || long.traffic_gb_per_month.is_some();
            if options {
                p.error(path, "a preset takes no options", "to change one of its endpoints, list that service on its own with the options; explicit entries win over presets");
            }
            match aws::preset(name) {
                Some(p) => {
                    for m in p.members {
                        let s = aws::service(m.key)
                            .expect("preset members are in the catalogue (tested)");
                        requests.push(Request {
                            service: s,
                            kind: m.kind,
                            type_reason: if m.kind == s.default_type() {
                                type_reason(s, None)
                            } else {
                                "chosen by the preset"
                            },
                            spec: None,
                            path: format!("{path}.preset"),
                            reason: Reason::Preset {
                                preset: p.name,
                                why: m.reason,
                            },
                        });
                    }
                }
                None => {
                    let names = aws::presets().iter().map(|p| p.name);
                    let help = match suggest(name, names.clone()) {
                        Some(best) => {
                            format!("did you mean `{best}`? `vpcgen services --presets` lists them")
                        }
                        None => format!("presets: {}", names.collect::<Vec<_>>().join(", ")),
                    };
                    p.error(
                        format!("{path}.preset"),
                        format!("unknown preset `{name}`"),
                        help,
                    );
                }
            }
        }
        (Some(key), None) => {
            let Some(s) = service(p, &format!("{path}.service"), key) else {
                return;
            };
            let kind = match long.kind {
                None => s.default_type(),
                Some(TypeSpec::Gateway) => EndpointType::Gateway,
                Some(TypeSpec::Interface) => EndpointType::Interface,
            };
            if !s.offers(kind) {
                let offered = if s.gateway && s.interface {
                    "gateway and interface"
                } else if s.gateway {
                    "gateway only"
                } else {
                    "interface only"
                };
                p.error(
                    format!("{path}.type"),
                    format!("`{}` has no {} endpoint", s.key, kind.lower()),
                    format!(
                        "`{}` offers {offered}; remove `type:` to let vpcgen choose",
                        s.key
                    ),
                );
                return;
            }
            requests.push(Request {
                service: s,
                kind,
                type_reason: type_reason(s, long.kind),
                spec: Some(long),
                path: path.to_owned(),
                reason: Reason::Listed,
            });
        }
    }
}

fn endpoint(
    p: &mut Problems,
    lacking: &mut Lacking,
    req: Request,
    reasons: Vec<Reason>,
    scope: &Scope,
) -> Option<Endpoint> {
    let s = req.service;
    let path = req.path.as_str();
    let long = req.spec;
    let network = scope.network;
    let before = p.errors();
    let gateway = req.kind == EndpointType::Gateway;
    if let Some(region) = scope.region {
        where_offered(p, path, s, region);
    }
    // Policy: explicit on the endpoint, then the spec default, then full access spelt out.
    let explicit_policy = long.and_then(|l| l.policy.as_ref());
    let accepts = scope.region.map_or(s.policy, |r| s.policy_in(r.name));
    let mut policy_skipped = None;
    let (policy, origin) = if !accepts {
        if explicit_policy.is_some() {
            let where_ = match scope.region {
                Some(r) if s.policy => format!(" in `{}`", r.name),
                _ => String::new(),
            };
            p.error(
                format!("{path}.policy"),
                format!("`{}` does not accept endpoint policies{where_}", s.key),
                "remove `policy:`; AWS allows full access through endpoints of this service",
            );
        }
        policy_skipped = scope.default_policy.map(PolicyChoice::name);
        (None, "not supported by the service")
    } else if let Some(asked) = explicit_policy {
        (
            policy::policy(p, &format!("{path}.policy"), asked, scope.has_org),
            "endpoint",
        )
    } else if let Some(p) = scope.default_policy {
        (Some(p.clone()), "spec default")
    } else {
        (Some(PolicyChoice::FullAccess), "vpcgen default")
    };
    let private_dns = match long.and_then(|l| l.private_dns) {
        Some(_) if gateway => {
            p.misplaced(
                format!("{path}.private_dns"),
                format!(
                    "`private_dns` applies to interface endpoints; `{}` here is a gateway endpoint",
                    s.key
                ),
                "remove `private_dns`, or add `type: interface`",
            );
            false
        }
        Some(true) if !s.private_dns => {
            p.error(
                format!("{path}.private_dns"),
                format!("`{}` interface endpoints do not support private DNS", s.key),
                "remove `private_dns: true`; clients use the endpoint's own DNS names",
            );
            false
        }
        Some(v) => v,
        None => !gateway && s.private_dns,
    };
    let route_tables = long.and_then(|l| l.route_tables.clone());
    let subnets = long.and_then(|l| l.subnets.clone());
    if let Some(t) = long.and_then(|l| l.traffic_gb_per_month) {
        settings::traffic(p, &format!("{path}.traffic_gb_per_month"), t);
    }
    if route_tables.is_some() && !gateway {
        p.misplaced(
            format!("{path}.route_tables"),
            format!(
                "`route_tables` applies to gateway endpoints; `{}` here is an interface endpoint",
                s.key
            ),
            "use `subnets:` to choose subnets for an interface endpoint",
        );
    }
    if subnets.is_some() && gateway {
        p.misplaced(
            format!("{path}.subnets"),
            format!(
                "`subnets` applies to interface endpoints; `{}` here is a gateway endpoint",
                s.key
            ),
            "use `route_tables:` to choose route tables for a gateway endpoint",
        );
    }
    match network {
        Some(Network::Existing(vpc)) => {
            if gateway {
                if vpc.route_tables.is_empty() {
                    lacking.route_tables.push(s.key);
                }
                for (i, rt) in route_tables.iter().flatten().enumerate() {
                    if !vpc.route_tables.is_empty() && !vpc.route_tables.contains(rt) {
                        p.error(
                            format!("{path}.route_tables[{i}]"),
                            format!("route table `{rt}` is not in `vpc.route_tables`"),
                            format!(
                                "use one of `vpc.route_tables` ({}), or add `{rt}` there",
                                vpc.route_tables.join(", ")
                            ),
                        );
                    }
                }
            } else {
                if vpc.subnets.is_empty() {
                    lacking.subnets.push(s.key);
                }
                for (i, sn) in subnets.iter().flatten().enumerate() {
                    if !vpc.subnets.is_empty() && !vpc.subnets.iter().any(|x| &x.id == sn) {
                        let ids: Vec<&str> = vpc.subnets.iter().map(|x| x.id.as_str()).collect();
                        p.error(
                            format!("{path}.subnets[{i}]"),
                            format!("subnet `{sn}` is not in `vpc.subnets`"),
                            format!(
                                "use one of `vpc.subnets` ({}), or add `{sn}` there with its `az`",
                                ids.join(", ")
                            ),
                        );
                    }
                }
            }
        }
        Some(Network::New(_)) => {
            for (key, present) in [
                ("route_tables", route_tables.is_some()),
                ("subnets", subnets.is_some()),
            ] {
                if present {
                    p.misplaced(format!("{path}.{key}"), format!("`{key}` names ids of an existing VPC, but this VPC is new"), format!("remove `{key}`; endpoints attach to every private subnet or route table vpcgen creates"));
                }
            }
        }
        None => {}
    }
    if p.errors() > before {
        return None;
    }
    Some(Endpoint {
        service: s,
        kind: req.kind,
        type_reason: req.type_reason,
        policy,
        policy_origin: origin,
        policy_skipped,
        private_dns,
        route_tables,
        subnets,
        traffic_gb_per_month: long.and_then(|l| l.traffic_gb_per_month),
        reasons,
    })
}

/// Whether `s` has an endpoint in `region`: an error where it cannot exist (a global control
/// plane's endpoint lives in its home Region only), a warning where its guide says it is not
/// offered (the guide may have moved on since).
fn where_offered(p: &mut Problems, path: &str, s: &Service, region: &Region) {
    if !s.home_regions.is_empty() {
        match s.home_region(region.partition) {
            Some(home) if home == region.name => {}
            Some(home) => p.error(
                path,
                format!(
                    "`{}` has an interface endpoint only in `{home}`, the Region of its control plane",
                    s.key
                ),
                format!(
                    "create the endpoint in a VPC of `{home}` (a spec with `region: {home}`) and reach it from `{}` over peering or Transit Gateway",
                    region.name
                ),
            ),
            None => p.error(
                path,
                format!("`{}` has no interface endpoint in partition `{}`", s.key, region.partition),
                "remove it; clients reach the service through its public endpoint",
            ),
        }
    }
    let absent = s.unavailable_in.contains(&region.name)
        || (!s.available_in.is_empty() && !s.available_in.contains(&region.name));
    if absent {
        p.warn(
            path,
            format!("`{}` endpoints are not offered in `{}`, by its service guide", s.key, region.name),
            format!(
                "creating it will fail unless AWS has added it since; check with `aws ec2 describe-vpc-endpoint-services --region {} --service-names {}`",
                region.name,
                s.name_in(region.name, s.default_type())
            ),
        );
    }
}

fn search_word(key: &str) -> String {
    key.split(['.', '-', '_']).next().unwrap_or(key).to_owned()
}

fn type_reason(s: &Service, asked: Option<TypeSpec>) -> &'static str {
    match asked {
        Some(_) => "asked in spec",
        None if s.gateway && s.interface => {
            "gateway by default: free, and reached from inside the VPC"
        }
        None if s.gateway => "the service offers only gateway endpoints",
        None => "the service offers only interface endpoints",
    }
}
