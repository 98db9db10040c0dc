//! The endpoints a spec asks for: catalogue keys, long forms and presets, and the endpoints that
//! reach no catalogue service (endpoint services, Gateway Load Balancers, VPC Lattice). They are
//! merged into one endpoint per key and type, each with its type, policy, private DNS and
//! attachments. `reach` checks what a named entry reaches; `addressing` an endpoint's Region,
//! IP address types and fixed addresses; `routes` a Gateway Load Balancer endpoint's routes.

mod addressing;
mod reach;
mod routes;

use std::collections::BTreeMap;

use super::{
    Endpoint, IpAddressType, Network, PolicyChoice, Problems, Reach, Reason, join_names, policy,
    settings,
};
use crate::aws::{self, EndpointType, Region, Service};
use crate::error::suggest;
use crate::naming;
use crate::spec::{EndpointItem, EndpointSpec, PolicySpec, Spec, TypeSpec};

pub(super) use addressing::{ip_address_type, vpc_has_ipv6};

/// One endpoint request before merging: from the spec or from a preset.
struct Request<'a> {
    /// The catalogue key, or the entry's `name`.
    key: String,
    reach: Reach,
    kind: EndpointType,
    type_reason: &'static str,
    /// The long form it came from, when listed explicitly.
    spec: Option<&'a EndpointSpec>,
    path: String,
    reason: Reason,
}

/// Endpoints of an existing VPC that lack what they attach to; one error names them all.
#[derive(Default)]
struct Lacking {
    /// Gateway endpoints, when the VPC lists no route tables.
    route_tables: Vec<String>,
    /// Endpoints with network interfaces, when the VPC lists no subnets.
    subnets: Vec<String>,
    /// Whether every one of `subnets` is an interface endpoint (the error says so).
    subnets_all_interface: bool,
}

/// The spec-wide settings endpoints are checked against.
pub(super) struct Scope<'a> {
    /// `None` when the Region is unknown (reported already).
    pub(super) region: Option<&'static Region>,
    pub(super) network: Option<&'a Network>,
    pub(super) default_policy: Option<&'a PolicyChoice>,
    pub(super) has_org: bool,
    /// The spec's `ip_address_type`: the default of interface endpoints.
    pub(super) ip_address_type: Option<IpAddressType>,
}

/// The keys of a long form that choose what it reaches.
const TARGET_KEYS: [&str; 6] = [
    "service",
    "preset",
    "endpoint_service",
    "gateway_load_balancer",
    "resource_configuration",
    "service_network",
];

fn targets(long: &EndpointSpec) -> Vec<&'static str> {
    let present = [
        long.service.is_some(),
        long.preset.is_some(),
        long.endpoint_service.is_some(),
        long.gateway_load_balancer.is_some(),
        long.resource_configuration.is_some(),
        long.service_network.is_some(),
    ];
    TARGET_KEYS
        .into_iter()
        .zip(present)
        .filter(|(_, on)| *on)
        .map(|(k, _)| k)
        .collect()
}

/// The options a long form sets, by key, beside what it reaches.
fn options(long: &EndpointSpec) -> Vec<&'static str> {
    [
        ("name", long.name.is_some()),
        ("type", long.kind.is_some()),
        ("policy", long.policy.is_some()),
        ("private_dns", long.private_dns.is_some()),
        ("route_tables", long.route_tables.is_some()),
        ("subnets", long.subnets.is_some()),
        ("traffic_gb_per_month", long.traffic_gb_per_month.is_some()),
        ("ports", long.ports.is_some()),
        ("service_region", long.service_region.is_some()),
        ("ip_address_type", long.ip_address_type.is_some()),
        ("dns_record_ip_type", long.dns_record_ip_type.is_some()),
        ("fixed_ips", long.fixed_ips.is_some()),
        ("routes", long.routes.is_some()),
    ]
    .into_iter()
    .filter(|(_, on)| *on)
    .map(|(k, _)| k)
    .collect()
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
    let mut lacking = Lacking {
        subnets_all_interface: true,
        ..Lacking::default()
    };
    for (i, item) in spec.endpoints.iter().enumerate() {
        let path = format!("endpoints[{i}]");
        match item {
            EndpointItem::Key(key) => {
                if let Some(s) = service(p, &path, key) {
                    requests.push(Request {
                        key: s.key.to_owned(),
                        reach: Reach::Service(s),
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
    // Merge: one endpoint per (key, type); explicit settings win over presets.
    let mut merged: BTreeMap<(String, EndpointType), (Request, Vec<Reason>)> = BTreeMap::new();
    for req in requests {
        let id = (req.key.clone(), req.kind);
        match merged.get_mut(&id) {
            None => {
                let reasons = vec![req.reason];
                merged.insert(id, (req, reasons));
            }
            Some((existing, reasons)) => {
                let both_explicit =
                    existing.reason == Reason::Listed && req.reason == Reason::Listed;
                if both_explicit {
                    let help = if matches!(req.reach, Reach::Service(_)) {
                        "keep one entry; a service may appear once per endpoint type, or give each entry its own `name`"
                    } else {
                        "give each entry its own `name`"
                    };
                    p.error(
                        &req.path,
                        format!(
                            "`{}` ({}) is listed twice: {} and {}",
                            req.key,
                            req.kind.lower(),
                            existing.path,
                            req.path
                        ),
                        help,
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
    report_lacking(p, spec, lacking);
    unique_names(p, &out);
    if let Some(region) = scope.region {
        private_dns_conflicts(p, &out, region);
        gateway_route_conflicts(p, &out, region);
    }
    addressing::unique_fixed_ips(p, &out);
    routes::unique(p, &out);
    out
}

fn report_lacking(p: &mut Problems, spec: &Spec, lacking: Lacking) {
    let subnets_kind = if lacking.subnets_all_interface {
        "interface "
    } else {
        ""
    };
    let lacking = [
        (
            lacking.route_tables,
            "route_tables",
            "gateway ",
            spec.vpc.route_tables.is_some(),
            "add `route_tables:` under `vpc:` with the ids of the route tables whose subnets use the endpoints, e.g. `route_tables: [rtb-0123456789abcdef0]`",
        ),
        (
            lacking.subnets,
            "subnets",
            subnets_kind,
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
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let message = format!(
            "no {what} listed, but {kind}{noun} {} {verb} them",
            join_names(&keys)
        );
        let path = if written {
            format!("vpc.{key}")
        } else {
            "vpc".to_owned()
        };
        p.misplaced(path, message, help);
    }
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
    } else if key.starts_with("com.amazonaws.vpce.") {
        "an endpoint service is written as `- { name: <name>, endpoint_service: <service name> }`"
            .to_owned()
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
    let given = targets(long);
    match given.as_slice() {
        [] => p.error(
            path,
            "an entry needs `service:` or `preset:`, or names what else it reaches",
            "add `service: <key>` (see `vpcgen services`) or `preset: <name>`; an endpoint service, Gateway Load Balancer or VPC Lattice target is written with `name:` and `endpoint_service:`, `gateway_load_balancer:`, `resource_configuration:` or `service_network:`",
        ),
        [first, second] => p.error(
            path,
            format!("an entry names both `{first}` and `{second}`"),
            "split it into two entries",
        ),
        [_, _, _, ..] => p.error(
            path,
            format!("an entry names {}", join_names(&given)),
            "one entry reaches one thing: split it into entries",
        ),
        ["preset"] => preset_item(p, path, long, requests),
        ["service"] => service_item(p, path, long, requests),
        [target] => {
            if let Some((key, reach, kind, type_reason)) = reach::named(p, path, long, target) {
                requests.push(Request {
                    key,
                    reach,
                    kind,
                    type_reason,
                    spec: Some(long),
                    path: path.to_owned(),
                    reason: Reason::Listed,
                });
            }
        }
    }
}

fn preset_item<'a>(
    p: &mut Problems,
    path: &str,
    long: &'a EndpointSpec,
    requests: &mut Vec<Request<'a>>,
) {
    let name = long.preset.as_deref().unwrap_or_default();
    if !options(long).is_empty() {
        p.error(path, "a preset takes no options", "to change one of its endpoints, list that service on its own with the options; explicit entries win over presets");
    }
    let Some(preset) = aws::preset(name) else {
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
        return;
    };
    for m in preset.members {
        let s = aws::service(m.key).expect("preset members are in the catalogue (tested)");
        requests.push(Request {
            key: s.key.to_owned(),
            reach: Reach::Service(s),
            kind: m.kind,
            type_reason: if m.kind == s.default_type() {
                type_reason(s, None)
            } else {
                "chosen by the preset"
            },
            spec: None,
            path: format!("{path}.preset"),
            reason: Reason::Preset {
                preset: preset.name,
                why: m.reason,
            },
        });
    }
}

fn service_item<'a>(
    p: &mut Problems,
    path: &str,
    long: &'a EndpointSpec,
    requests: &mut Vec<Request<'a>>,
) {
    let key = long.service.as_deref().unwrap_or_default();
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
    // A `name` gives a second endpoint of one service (the local and a cross-Region one) its
    // own resources.
    let key = match &long.name {
        Some(name) => {
            if !reach::name(p, path, name) {
                return;
            }
            name.clone()
        }
        None => s.key.to_owned(),
    };
    requests.push(Request {
        key,
        reach: Reach::Service(s),
        kind,
        type_reason: type_reason(s, long.kind),
        spec: Some(long),
        path: path.to_owned(),
        reason: Reason::Listed,
    });
}

/// Where an option does not belong on a `kind` endpoint: the fix, or `None` where it does.
fn misplaced_help(key: &str, kind: EndpointType, reach: &Reach) -> Option<&'static str> {
    use EndpointType as T;
    let catalogue = matches!(reach, Reach::Service(_));
    Some(match (key, kind) {
        ("type", _) if !catalogue => {
            "remove `type:`; the key that names what the endpoint reaches decides its type"
        }
        ("policy", T::GatewayLoadBalancer | T::Resource | T::ServiceNetwork) => {
            "remove `policy:`; AWS supports endpoint policies only on gateway and interface endpoints"
        }
        ("private_dns", T::GatewayLoadBalancer) => {
            "remove `private_dns`; a Gateway Load Balancer endpoint is a route target and has no DNS names"
        }
        ("route_tables", T::GatewayLoadBalancer) => {
            "a Gateway Load Balancer endpoint is the target of routes: list them under `routes:`"
        }
        ("route_tables", T::Resource | T::ServiceNetwork) => {
            "remove `route_tables`; clients reach the endpoint through its network interfaces in `subnets`"
        }
        ("ports", _) if catalogue => {
            "remove `ports`; the catalogue knows the ports of AWS services (`vpcgen services KEY`)"
        }
        ("ports", T::GatewayLoadBalancer) => {
            "remove `ports`; a Gateway Load Balancer endpoint has no security group"
        }
        (
            "service_region",
            T::Gateway | T::GatewayLoadBalancer | T::Resource | T::ServiceNetwork,
        ) => {
            "remove `service_region`; cross-Region PrivateLink reaches AWS services and endpoint services through interface endpoints only"
        }
        ("ip_address_type", T::Gateway) if !matches!(reach, Reach::Service(s) if s.key == "s3") => {
            "remove `ip_address_type`; of the gateway endpoints only S3's takes IPv6 (DynamoDB's carries IPv4 only)"
        }
        ("dns_record_ip_type", T::Gateway | T::GatewayLoadBalancer) => {
            "remove `dns_record_ip_type`; this endpoint has no DNS names of its own"
        }
        ("fixed_ips", T::Gateway | T::GatewayLoadBalancer | T::Resource | T::ServiceNetwork) => {
            "remove `fixed_ips`; only interface endpoints take fixed addresses"
        }
        ("routes", T::Gateway) => {
            "a gateway endpoint adds its own routes to `route_tables`; `routes:` are for Gateway Load Balancer endpoints"
        }
        ("routes", T::Interface | T::Resource | T::ServiceNetwork) => {
            "remove `routes:`; only a Gateway Load Balancer endpoint is a route target"
        }
        _ => return None,
    })
}

fn endpoint(
    p: &mut Problems,
    lacking: &mut Lacking,
    req: Request,
    reasons: Vec<Reason>,
    scope: &Scope,
) -> Option<Endpoint> {
    let path = req.path.as_str();
    let long = req.spec;
    let network = scope.network;
    let before = p.errors();
    let kind = req.kind;
    let gateway = kind == EndpointType::Gateway;
    let what = format!("`{}` here is {} endpoint", req.key, article(kind));
    for key in long.map(options).unwrap_or_default() {
        // These keep the wording they had before the newer endpoint types.
        if gateway && matches!(key, "private_dns" | "subnets")
            || key == "route_tables" && kind == EndpointType::Interface
        {
            continue;
        }
        if let Some(help) = misplaced_help(key, kind, &req.reach) {
            p.misplaced(
                format!("{path}.{key}"),
                format!("`{key}` does not apply here: {what}"),
                help,
            );
        }
    }
    let service_region = match long.and_then(|l| l.service_region.as_deref()) {
        Some(text) if kind == EndpointType::Interface => {
            addressing::service_region(p, path, text, &req, scope)
        }
        _ => None,
    };
    match &req.reach {
        Reach::Service(s) => {
            if let Some(region) = scope.region {
                where_offered(p, path, s, service_region.unwrap_or(region), region);
            }
        }
        Reach::EndpointService(name) | Reach::GatewayLoadBalancer(name) => {
            let key = if matches!(req.reach, Reach::EndpointService(_)) {
                "endpoint_service"
            } else {
                "gateway_load_balancer"
            };
            if let Some(region) = scope.region {
                reach::offered_in(p, &format!("{path}.{key}"), name, region, service_region);
            }
        }
        Reach::Resource(arn) | Reach::ServiceNetwork(arn) => {
            let key = if kind == EndpointType::Resource {
                "resource_configuration"
            } else {
                "service_network"
            };
            if let Some(region) = scope.region {
                reach::arn_in(p, &format!("{path}.{key}"), arn, kind, region);
            }
        }
    }
    let explicit_policy = long.and_then(|l| l.policy.as_ref());
    let (policy, origin, policy_skipped) = match &req.reach {
        Reach::Service(s) => {
            let region = service_region.or(scope.region);
            service_policy(p, path, s, explicit_policy, region, scope)
        }
        Reach::EndpointService(_) => match explicit_policy {
            Some(PolicySpec::Named(name)) => {
                p.error(
                    format!("{path}.policy"),
                    format!("the `{name}` policy is written for AWS services; an endpoint service's provider decides what its policies may say"),
                    "give a policy document under `policy:`, or remove it (AWS then allows full access through the endpoint)",
                );
                (None, "left to the endpoint service", None)
            }
            Some(asked) => (
                policy::policy(p, &format!("{path}.policy"), asked, scope.has_org),
                "endpoint",
                None,
            ),
            None => match scope.default_policy {
                Some(doc @ PolicyChoice::Custom(_)) => (Some(doc.clone()), "spec default", None),
                other => (
                    None,
                    "left to the endpoint service",
                    other.map(PolicyChoice::name),
                ),
            },
        },
        _ => (
            None,
            "not supported by the endpoint type",
            scope.default_policy.map(PolicyChoice::name),
        ),
    };
    let private_dns = private_dns(p, path, &req, long.and_then(|l| l.private_dns));
    let ports = match (&req.reach, long.and_then(|l| l.ports.as_ref())) {
        (Reach::Service(s), _) if kind == EndpointType::Interface => s.ports.to_vec(),
        (Reach::Service(_) | Reach::GatewayLoadBalancer(_), _) => Vec::new(),
        (_, Some(list)) => reach::ports(p, &format!("{path}.ports"), list),
        (_, None) => vec![443],
    };
    let route_tables = long.and_then(|l| l.route_tables.clone());
    let subnets = long.and_then(|l| l.subnets.clone());
    if let Some(t) = long.and_then(|l| l.traffic_gb_per_month) {
        settings::traffic(p, &format!("{path}.traffic_gb_per_month"), t);
    }
    if route_tables.is_some() && kind == EndpointType::Interface {
        p.misplaced(
            format!("{path}.route_tables"),
            format!(
                "`route_tables` applies to gateway endpoints; `{}` here is an interface endpoint",
                req.key
            ),
            "use `subnets:` to choose subnets for an interface endpoint",
        );
    }
    if subnets.is_some() && gateway {
        p.misplaced(
            format!("{path}.subnets"),
            format!(
                "`subnets` applies to interface endpoints; `{}` here is a gateway endpoint",
                req.key
            ),
            "use `route_tables:` to choose route tables for a gateway endpoint",
        );
    }
    match network {
        Some(Network::Existing(vpc)) => {
            if gateway {
                if vpc.route_tables.is_empty() {
                    lacking.route_tables.push(req.key.clone());
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
                    lacking.subnets.push(req.key.clone());
                    lacking.subnets_all_interface &= kind == EndpointType::Interface;
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
    let (ip_address_type, dns_record_ip_type) =
        addressing::ip_types(p, path, long, &req.reach, kind, scope);
    let fixed_ips = match long.and_then(|l| l.fixed_ips.as_ref()) {
        Some(map) if kind == EndpointType::Interface => addressing::fixed_ips(
            p,
            &format!("{path}.fixed_ips"),
            map,
            subnets.as_deref(),
            ip_address_type.unwrap_or(IpAddressType::Ipv4),
            network,
        ),
        _ => BTreeMap::new(),
    };
    let routes = if kind == EndpointType::GatewayLoadBalancer {
        routes::routes(
            p,
            path,
            &req.key,
            long.and_then(|l| l.routes.as_deref()),
            subnets.as_deref(),
            network,
        )
    } else {
        Vec::new()
    };
    if p.errors() > before {
        return None;
    }
    Some(Endpoint {
        key: req.key,
        reach: req.reach,
        kind,
        type_reason: req.type_reason,
        path: req.path,
        policy,
        policy_origin: origin,
        policy_skipped,
        private_dns,
        route_tables,
        subnets,
        ports,
        service_region,
        ip_address_type,
        dns_record_ip_type,
        fixed_ips,
        routes,
        traffic_gb_per_month: long.and_then(|l| l.traffic_gb_per_month),
        reasons,
    })
}

fn article(kind: EndpointType) -> String {
    match kind {
        EndpointType::Interface => "an interface".to_owned(),
        other => format!("a {}", other.lower()),
    }
}

/// A catalogue service's policy: explicit on the endpoint, then the spec default, then full
/// access spelt out; none where the service accepts none.
fn service_policy(
    p: &mut Problems,
    path: &str,
    s: &Service,
    explicit: Option<&PolicySpec>,
    region: Option<&Region>,
    scope: &Scope,
) -> (Option<PolicyChoice>, &'static str, Option<&'static str>) {
    let accepts = region.map_or(s.policy, |r| s.policy_in(r.name));
    if !accepts {
        if explicit.is_some() {
            let where_ = match region {
                Some(r) if s.policy => format!(" in `{}`", r.name),
                _ => String::new(),
            };
            p.error(
                format!("{path}.policy"),
                format!("`{}` does not accept endpoint policies{where_}", s.key),
                "remove `policy:`; AWS allows full access through endpoints of this service",
            );
        }
        return (
            None,
            "not supported by the service",
            scope.default_policy.map(PolicyChoice::name),
        );
    }
    match (explicit, scope.default_policy) {
        (Some(asked), _) => (
            policy::policy(p, &format!("{path}.policy"), asked, scope.has_org),
            "endpoint",
            None,
        ),
        (None, Some(default)) => (Some(default.clone()), "spec default", None),
        (None, None) => (Some(PolicyChoice::FullAccess), "vpcgen default", None),
    }
}

fn private_dns(p: &mut Problems, path: &str, req: &Request, asked: Option<bool>) -> bool {
    let at = format!("{path}.private_dns");
    match (&req.reach, asked) {
        (_, Some(_)) if req.kind == EndpointType::Gateway => {
            p.misplaced(
                at,
                format!(
                    "`private_dns` applies to interface endpoints; `{}` here is a gateway endpoint",
                    req.key
                ),
                "remove `private_dns`, or add `type: interface`",
            );
            false
        }
        // Reported with the other misplaced keys.
        (_, Some(_)) if !req.kind.has_private_dns() => false,
        (Reach::Service(s), Some(true)) if !s.private_dns => {
            p.error(
                at,
                format!("`{}` interface endpoints do not support private DNS", s.key),
                "remove `private_dns: true`; clients use the endpoint's own DNS names",
            );
            false
        }
        (_, Some(v)) => v,
        (Reach::Service(s), None) => req.kind == EndpointType::Interface && s.private_dns,
        // Only a name its provider has verified resolves privately, and only once the
        // connection is accepted, so the endpoint's own names are the safe default.
        (_, None) => false,
    }
}

/// No two endpoints may share resource names: a `name` written like a catalogue key, or two
/// names that differ only in punctuation (`snow-flake`, `snow.flake` would both be `snow_flake`).
fn unique_names(p: &mut Problems, endpoints: &[Endpoint]) {
    let mut seen: BTreeMap<String, &Endpoint> = BTreeMap::new();
    for e in endpoints {
        let ident = naming::endpoint_ident(&e.key, e.service(), e.kind);
        for id in [format!("tf:{}", ident.tf), format!("cfn:{}", ident.cfn)] {
            if let Some(first) = seen.get(&id) {
                // Point at the entry whose `name` made the clash where one of them has one.
                let named = |x: &Endpoint| x.service().is_none_or(|s| s.key != x.key);
                let (at, other) = if named(first) && !named(e) {
                    (*first, e)
                } else {
                    (e, *first)
                };
                let path = if named(at) {
                    format!("{}.name", at.path)
                } else {
                    at.path.clone()
                };
                p.error(
                    path,
                    format!(
                        "`{}` and `{}` ({}) would name the same resources (`{}`)",
                        at.key, other.key, other.path, ident.tf
                    ),
                    "give one of them another `name`",
                );
                break;
            }
            seen.insert(id, e);
        }
    }
}

/// AWS allows one endpoint with private DNS per service name in a VPC: a second one would
/// claim the same private hosted zone.
fn private_dns_conflicts(p: &mut Problems, endpoints: &[Endpoint], region: &Region) {
    let mut seen: BTreeMap<String, &Endpoint> = BTreeMap::new();
    for e in endpoints.iter().filter(|e| e.private_dns) {
        let Some(name) = reach::service_name(e, region) else {
            continue;
        };
        if let Some(first) = seen.get(&name) {
            p.error(
                format!("{}.private_dns", e.path),
                format!(
                    "`{}` and `{}` ({}) both turn on private DNS for `{name}`",
                    e.key, first.key, first.path
                ),
                "AWS allows one endpoint with private DNS per service in a VPC: set `private_dns: false` on one",
            );
            continue;
        }
        seen.insert(name, e);
    }
}

/// A gateway endpoint adds a route to its service's prefix list in each of its route tables,
/// and a route table holds one route per destination: two gateway endpoints of one service
/// cannot share a route table.
fn gateway_route_conflicts(p: &mut Problems, endpoints: &[Endpoint], region: &Region) {
    let gateways: Vec<(&Endpoint, String)> = endpoints
        .iter()
        .filter(|e| e.kind == EndpointType::Gateway)
        .filter_map(|e| Some((e, reach::service_name(e, region)?)))
        .collect();
    for (i, (e, name)) in gateways.iter().enumerate() {
        let Some((first, _)) = gateways[..i].iter().find(|(f, n)| {
            n == name
                && match (&f.route_tables, &e.route_tables) {
                    (Some(a), Some(b)) => a.iter().any(|t| b.contains(t)),
                    _ => true,
                }
        }) else {
            continue;
        };
        let tables: Vec<&String> = match (&first.route_tables, &e.route_tables) {
            (Some(a), Some(b)) => a.iter().filter(|t| b.contains(t)).collect(),
            (Some(only), None) | (None, Some(only)) => only.iter().collect(),
            (None, None) => Vec::new(),
        };
        let shared = if tables.is_empty() {
            "every route table of the VPC".to_owned()
        } else {
            let names: Vec<String> = tables.iter().map(|t| format!("`{t}`")).collect();
            format!("route table {}", names.join(", "))
        };
        p.error(
            &e.path,
            format!(
                "`{}` and `{}` ({}) are both gateway endpoints for `{name}` in {shared}",
                e.key, first.key, first.path
            ),
            "a route table takes one route to a service's prefix list: give each gateway endpoint its own `route_tables`, or keep one endpoint",
        );
    }
}

/// Whether `s` has an endpoint in `serving` (the VPC's Region, or the `service_region` it is
/// reached in from `own`): an error where it cannot exist (a global control plane's endpoint
/// lives in its home Region only), a warning where its guide says it is not offered (the guide
/// may have moved on since).
fn where_offered(p: &mut Problems, path: &str, s: &Service, serving: &Region, own: &Region) {
    let remote = serving.name != own.name;
    if !s.home_regions.is_empty() {
        match s.home_region(serving.partition) {
            Some(home) if home == serving.name => {}
            Some(home) if remote => p.error(
                format!("{path}.service_region"),
                format!("`{}` is served from `{home}` only, the Region of its control plane", s.key),
                format!("use `service_region: {home}`"),
            ),
            Some(home) if s.cross_region => p.error(
                path,
                format!(
                    "`{}` has an interface endpoint only in `{home}`, the Region of its control plane",
                    s.key
                ),
                format!(
                    "add `service_region: {home}` to reach it from `{}` over cross-Region PrivateLink, or create the endpoint in a VPC of `{home}`",
                    own.name
                ),
            ),
            Some(home) => p.error(
                path,
                format!(
                    "`{}` has an interface endpoint only in `{home}`, the Region of its control plane",
                    s.key
                ),
                format!(
                    "create the endpoint in a VPC of `{home}` (a spec with `region: {home}`) and reach it from `{}` over peering or Transit Gateway",
                    own.name
                ),
            ),
            None => p.error(
                path,
                format!("`{}` has no interface endpoint in partition `{}`", s.key, serving.partition),
                "remove it; clients reach the service through its public endpoint",
            ),
        }
    }
    let absent = s.unavailable_in.contains(&serving.name)
        || (!s.available_in.is_empty() && !s.available_in.contains(&serving.name));
    if absent {
        p.warn(
            path,
            format!("`{}` endpoints are not offered in `{}`, by its service guide", s.key, serving.name),
            format!(
                "creating it will fail unless AWS has added it since; check with `aws ec2 describe-vpc-endpoint-services --region {} --service-names {}`",
                serving.name,
                s.name_in(serving.name, s.default_type())
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
