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

fn services(code: &mut String) {
    let file: ServicesFile = serde_yaml::from_str(&read("src/aws/data/services.yaml"))
        .unwrap_or_else(|e| panic!("src/aws/data/services.yaml: {e}"));
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
        writeln!(
            code,
            "    Service {{ key: {:?}, title: {:?}, gateway: {gateway}, interface: {interface}, prefix: {:?}, global: {}, ports: &{:?}, policy: {policy}, private_dns: {private_dns}, region_prefixes: {}, region_suffixes: {}, note: {:?} }},",
            s.key,
            s.title,
            s.prefix,
            s.global,
            s.ports,
            pairs(&s.region_prefixes),
            pairs(&s.region_suffixes),
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
            "    Partition {{ name: {:?}, title: {:?} }},",
            p.name, p.title
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
        writeln!(
            code,
            "    Region {{ name: {:?}, title: {:?}, partition: {:?}, azs: &{:?}, interface_hour_usd: {:?}, price_confidence: {:?} }},",
            r.name, r.title, r.partition, r.azs, r.interface_hour_usd, r.price_confidence
        )
        .unwrap();
    }
    code.push_str("];\n");
}
