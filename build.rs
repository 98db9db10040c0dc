//! Build script: turns the catalogue data files (`src/aws/data/*.yaml`) into static Rust tables,
//! so the binary carries the AWS knowledge without parsing YAML at start-up.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServicesFile {
    services: Vec<ServiceRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ServiceRow {
    key: String,
    title: String,
    types: Vec<String>,
    #[serde(default = "default_prefix")]
    prefix: String,
    #[serde(default)]
    global: bool,
    #[serde(default = "default_ports")]
    ports: Vec<u16>,
    #[serde(default)]
    policy: Option<String>,
    #[serde(default)]
    private_dns: Option<String>,
    #[serde(default)]
    region_prefixes: BTreeMap<String, String>,
    #[serde(default)]
    region_suffixes: BTreeMap<String, String>,
    #[serde(default)]
    inbound_resolver: bool,
    #[serde(default)]
    policy_unsupported_in: Vec<String>,
    #[serde(default)]
    home_regions: Vec<String>,
    #[serde(default)]
    unavailable_in: Vec<String>,
    #[serde(default)]
    available_in: Vec<String>,
    #[serde(default)]
    unsupported_az_ids: Vec<String>,
    #[serde(default)]
    cross_region: bool,
    #[serde(default)]
    ipv6: Option<String>,
    #[serde(default)]
    hub_zones: Option<Vec<String>>,
    #[serde(default)]
    note: Option<String>,
}

fn default_prefix() -> String {
    "com.amazonaws".to_owned()
}

fn default_ports() -> Vec<u16> {
    vec![443]
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionsFile {
    partitions: Vec<PartitionRow>,
    regions: Vec<RegionRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PartitionRow {
    name: String,
    title: String,
    dns_suffix: String,
    dualstack_dns_suffix: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RegionRow {
    name: String,
    title: String,
    partition: String,
    azs: Vec<String>,
    interface_hour_usd: f64,
    price_confidence: String,
    #[serde(default)]
    az_ids: Option<AzIdsRow>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct AzIdsRow {
    prefix: String,
    numbers: Vec<u8>,
}

fn main() {
    println!("cargo::rerun-if-changed=src/aws/data/services.yaml");
    println!("cargo::rerun-if-changed=src/aws/data/regions.yaml");
    let out_dir = std::env::var("OUT_DIR").expect("cargo sets OUT_DIR");
    let mut code = String::new();
    services(&mut code);
    regions(&mut code);
    std::fs::write(Path::new(&out_dir).join("catalog_data.rs"), code)
        .expect("write catalog_data.rs");
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn pairs(map: &BTreeMap<String, String>) -> String {
    let items: Vec<String> = map.iter().map(|(k, v)| format!("({k:?}, {v:?})")).collect();
    format!("&[{}]", items.join(", "))
}

/// A sorted list of names, checked to be sorted and, when `known` is given, each one of them.
fn names(list: &[String], what: &str, known: Option<&[String]>) -> String {
    assert!(
        list.windows(2).all(|w| w[0] < w[1]),
        "services.yaml: {what} is not sorted or repeats a name: {list:?}"
    );
    if let Some(known) = known {
        for n in list {
            assert!(
                known.contains(n),
                "services.yaml: {what} names unknown Region `{n}`"
            );
        }
    }
    format!("&{list:?}")
}

fn services(code: &mut String) {
    let file: ServicesFile = serde_yaml::from_str(&read("src/aws/data/services.yaml"))
        .unwrap_or_else(|e| panic!("src/aws/data/services.yaml: {e}"));
    let regions: RegionsFile = serde_yaml::from_str(&read("src/aws/data/regions.yaml"))
        .unwrap_or_else(|e| panic!("src/aws/data/regions.yaml: {e}"));
    let region_names: Vec<String> = regions.regions.iter().map(|r| r.name.clone()).collect();
    let known = Some(region_names.as_slice());
    let mut previous: Option<&str> = None;
    code.push_str("pub(crate) static SERVICES: &[Service] = &[\n");
    for s in &file.services {
        if let Some(p) = previous {
            assert!(
                p < s.key.as_str(),
                "services.yaml: `{}` is out of order or repeated",
                s.key
            );
        }
        previous = Some(&s.key);
        let gateway = s.types.iter().any(|t| t == "gateway");
        let interface = s.types.iter().any(|t| t == "interface");
        assert!(
            (gateway || interface) && s.types.iter().all(|t| t == "gateway" || t == "interface"),
            "services.yaml: `{}` has bad types {:?}",
            s.key,
            s.types
        );
        let policy = match s.policy.as_deref() {
            None => true,
            Some("unsupported") => false,
            Some(other) => panic!("services.yaml: `{}` has policy `{other}`", s.key),
        };
        let private_dns = match s.private_dns.as_deref() {
            None => true,
            Some("unsupported") => false,
            Some(other) => panic!("services.yaml: `{}` has private_dns `{other}`", s.key),
        };
        assert!(
            !s.inbound_resolver || (gateway && interface && private_dns),
            "services.yaml: `{}` has inbound_resolver without both types and private DNS",
            s.key
        );
        let ipv6 = match s.ipv6.as_deref() {
            None => true,
            Some("unsupported") => false,
            Some(other) => panic!("services.yaml: `{}` has ipv6 `{other}`", s.key),
        };
        assert!(
            !s.cross_region || interface,
            "services.yaml: `{}` is cross_region without an interface endpoint",
            s.key
        );
        let hub_zones = match &s.hub_zones {
            None => "None".to_owned(),
            Some(zones) => {
                for z in zones {
                    let name = z.strip_prefix("*.").unwrap_or(z);
                    assert!(
                        name.contains(".{region}.") && !name.contains('*'),
                        "services.yaml: `{}` has hub zone `{z}`, not `[*.]<name>.{{region}}.<suffix>`",
                        s.key
                    );
                }
                format!("Some(&{zones:?})")
            }
        };
        let key = &s.key;
        writeln!(
            code,
            "    Service {{ key: {:?}, title: {:?}, gateway: {gateway}, interface: {interface}, prefix: {:?}, global: {}, ports: &{:?}, policy: {policy}, private_dns: {private_dns}, inbound_resolver: {}, region_prefixes: {}, region_suffixes: {}, policy_unsupported_in: {}, home_regions: {}, unavailable_in: {}, available_in: {}, unsupported_az_ids: {}, cross_region: {}, ipv6: {ipv6}, hub_zones: {hub_zones}, note: {:?} }},",
            s.key,
            s.title,
            s.prefix,
            s.global,
            s.ports,
            s.inbound_resolver,
            pairs(&s.region_prefixes),
            pairs(&s.region_suffixes),
            names(&s.policy_unsupported_in, &format!("{key}.policy_unsupported_in"), known),
            names(&s.home_regions, &format!("{key}.home_regions"), known),
            names(&s.unavailable_in, &format!("{key}.unavailable_in"), known),
            names(&s.available_in, &format!("{key}.available_in"), known),
            names(&s.unsupported_az_ids, &format!("{key}.unsupported_az_ids"), None),
            s.cross_region,
            s.note,
        )
        .unwrap();
    }
    code.push_str("];\n");
}

fn regions(code: &mut String) {
    let file: RegionsFile = serde_yaml::from_str(&read("src/aws/data/regions.yaml"))
        .unwrap_or_else(|e| panic!("src/aws/data/regions.yaml: {e}"));
    code.push_str("pub(crate) static PARTITIONS: &[Partition] = &[\n");
    for p in &file.partitions {
        writeln!(
            code,
            "    Partition {{ name: {:?}, title: {:?}, dns_suffix: {:?}, dualstack_dns_suffix: {:?} }},",
            p.name, p.title, p.dns_suffix, p.dualstack_dns_suffix
        )
        .unwrap();
    }
    code.push_str("];\n");
    code.push_str("pub(crate) static REGIONS: &[Region] = &[\n");
    let mut previous: Option<&str> = None;
    for r in &file.regions {
        if let Some(p) = previous {
            assert!(
                p < r.name.as_str(),
                "regions.yaml: `{}` is out of order or repeated",
                r.name
            );
        }
        previous = Some(&r.name);
        assert!(
            file.partitions.iter().any(|p| p.name == r.partition),
            "regions.yaml: `{}` names unknown partition `{}`",
            r.name,
            r.partition
        );
        assert!(
            matches!(
                r.price_confidence.as_str(),
                "third-party" | "estimate" | "unknown"
            ),
            "regions.yaml: `{}` has price_confidence `{}`",
            r.name,
            r.price_confidence
        );
        let (az_id_prefix, az_id_numbers) = match &r.az_ids {
            Some(ids) => (Some(ids.prefix.as_str()), ids.numbers.clone()),
            None => (None, Vec::new()),
        };
        writeln!(
            code,
            "    Region {{ name: {:?}, title: {:?}, partition: {:?}, azs: &{:?}, interface_hour_usd: {:?}, price_confidence: {:?}, az_id_prefix: {:?}, az_id_numbers: &{:?} }},",
            r.name,
            r.title,
            r.partition,
            r.azs,
            r.interface_hour_usd,
            r.price_confidence,
            az_id_prefix,
            az_id_numbers
        )
        .unwrap();
    }
    code.push_str("];\n");
}
