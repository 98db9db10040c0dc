//! What the plan's reader should know that is not a warning: facts vpcgen cannot check from the
//! spec alone (AZ IDs behind AZ names, a provider's acceptance, a RAM share), what replacing an
//! endpoint would take, and defaults an endpoint does not get.

use super::PlannedEndpoint;
use crate::aws::{self, EndpointType};
use crate::model::{IpAddressType, Network, Vpc};

pub(super) fn notes(
    vpc: &Vpc,
    spec_ip_type: Option<IpAddressType>,
    endpoints: &[PlannedEndpoint],
) -> Vec<String> {
    let mut notes = Vec::new();
    let by_name = match &vpc.network {
        Network::Existing(v) => v.subnets.iter().any(|s| !s.by_id),
        Network::New(v) => !v.azs_by_id,
    };
    let region = vpc.region.name;
    for e in endpoints {
        let key = &*e.key;
        let service = e.service_key.and_then(aws::service);
        if let Some(s) = service {
            let here: Vec<&str> = s
                .unsupported_az_ids
                .iter()
                .copied()
                .filter(|id| vpc.region.has_az_id(id))
                .collect();
            if e.kind == EndpointType::Interface && by_name && !here.is_empty() {
                notes.push(format!(
                    "{key}: not offered in AZ IDs {} of {region}; AZ names map to other AZ IDs in each account, so check yours with `aws ec2 describe-availability-zones --region {region}`, or give subnets by `az_id`",
                    here.join(", "),
                ));
            }
            if e.kind == EndpointType::Interface
                && !s.ipv6
                && spec_ip_type.is_some_and(IpAddressType::has_ipv6)
            {
                notes.push(format!(
                    "{key}: stays IPv4: its private endpoints take no IPv6, so the spec's `ip_address_type` is not applied to it"
                ));
            }
        }
        if let Some(skipped) = e.policy_skipped {
            let why = match e.kind {
                EndpointType::Interface if service.is_none() => {
                    "whether an endpoint service takes a policy is its provider's choice, so the spec's `{skipped}` policy is not applied to it; give the endpoint a policy document to set one"
                }
                EndpointType::Interface | EndpointType::Gateway => {
                    "the service accepts none here, so the spec's `{skipped}` policy is not applied to it"
                }
                _ => {
                    "AWS supports endpoint policies only on gateway and interface endpoints, so the spec's `{skipped}` policy is not applied to it"
                }
            };
            notes.push(format!(
                "{key}: gets no endpoint policy: {}",
                why.replace("{skipped}", skipped)
            ));
        }
        if let Some(remote) = e.service_region {
            let mut note = format!(
                "{key}: reaches {} in {remote} over cross-Region PrivateLink. Changing `service_region` replaces the endpoint; whoever creates it needs the permission-only action `vpce:AllowMultiRegion` (and no SCP denying it); clients must use the Regional DNS name, as zonal names do not work across Regions",
                e.service_name
            );
            if by_name {
                note.push_str(&format!(
                    "; AZ IDs {} cannot host cross-Region endpoints, so check the AZ IDs of your subnets",
                    aws::CROSS_REGION_UNSUPPORTED_AZ_IDS.join(", ")
                ));
            }
            notes.push(note);
        }
        match (e.kind, service) {
            (EndpointType::Interface, None) => {
                let mut note = format!(
                    "{key}: the endpoint service's provider must accept the connection (unless it accepts automatically) before traffic flows"
                );
                if e.private_dns {
                    note.push_str(
                        "; private DNS works only for a name the provider has verified, once the connection is accepted",
                    );
                }
                if e.ip_address_type.is_some_and(IpAddressType::has_ipv6) {
                    note.push_str("; the service must accept IPv6 (its supported IP address types)");
                }
                notes.push(note);
            }
            (EndpointType::GatewayLoadBalancer, _) => notes.push(format!(
                "{key}: one endpoint in each of {} (an endpoint's subnet cannot change: another subnet replaces it); the provider must accept the connections and serve these AZs; the routes are created once the endpoints are available",
                e.subnets.items.join(", ")
            )),
            (EndpointType::Resource, _) => notes.push(format!(
                "{key}: the resource configuration must be this account's, or shared with it through AWS RAM with the share accepted, before the endpoint can be created; changing the ARN replaces the endpoint"
            )),
            (EndpointType::ServiceNetwork, _) => notes.push(format!(
                "{key}: the service network must be this account's, or shared with it through AWS RAM with the share accepted; each subnet needs a free contiguous /28 of IPv4 addresses (and a /80 of IPv6 for IPv6), and another /28 once resource configurations are added; changing the ARN replaces the endpoint"
            )),
            _ => {}
        }
        // A gateway endpoint has no subnets: its routes serve IPv6 clients through the route tables.
        if e.ip_address_type == Some(IpAddressType::Ipv6) && e.kind != EndpointType::Gateway {
            notes.push(format!(
                "{key}: IPv6-only endpoints need IPv6-only subnets; AWS refuses subnets with IPv4 addresses"
            ));
        }
        if !e.fixed_ips.is_empty() {
            notes.push(format!(
                "{key}: fixed addresses must be free in their subnets when the endpoint is created"
            ));
        }
    }
    notes
}
