//! Nothing that checks clean is refused by the cluster: programs generated
//! from the grammar and the field catalogue, with edge values (0, empty
//! strings, huge numbers, odd characters), are built, and every one that
//! checks clean must pass the schema oracle (`oracle.rs`) and the webhook
//! predicates below, written here from Istio's validators
//! (`pkg/config/validation/validation.go`, `virtualservice.go`,
//! `agent/validation.go`, `header_value_validator.go`).
//!
//! `MESHC_WEBHOOK_CASES=N` runs N cases instead of the CI's few hundred, and
//! `MESHC_WEBHOOK_DUMP=DIR` writes every clean build there, to compare with
//! another validator by hand.

use proptest::prelude::*;
use serde_json::Value;

use meshc::catalogue::{self, Field, FieldType};

/// Strings that probe the rules: empty, spaces, `%`, control characters,
/// pseudo-headers, IPs, numeric TLDs, wildcards, localities, case.
const STRINGS: &[&str] = &[
    "",
    "a",
    "x-a",
    "x y",
    "Bad Gateway",
    "100%",
    "100%%",
    "%HOSTNAME%",
    "%REQ(x-a)%",
    "%REQ(x",
    "a\nb",
    "a\tb",
    "\u{7f}",
    "é",
    ":path",
    ":authority",
    "host",
    "Host",
    "mesh",
    "ns/gw",
    "ns/*",
    "a/b/c",
    "gw.123",
    "1.2.3.4",
    "::1",
    "foo.123",
    "foo.bar",
    "*.example.com",
    "*",
    "us-east1",
    "us-east1/*",
    "us-east1/a",
    "us-*",
    "a//b",
    "GET",
    "get",
    "CONNECT",
    "connect",
    "POST",
    "http",
    "https",
    "ht tp",
    "HTTPS",
    "/",
    "/x",
    "configmap://ns/name",
    "topology.kubernetes.io/zone",
];

const INTEGERS: &[&str] = &[
    "0",
    "1",
    "2",
    "-1",
    "100",
    "101",
    "65535",
    "65536",
    "65537",
    "4999999",
    "5000011",
    "2147483648",
    "99999999999999999999",
];
const NUMBERS: &[&str] = &["0", "0.5", "1", "100", "100.5", "-1", "0.00001"];
const DURATIONS: &[&str] = &[
    "0s",
    "1ms",
    "1500ms",
    "1s",
    "1.5s",
    "500us",
    "24h",
    "2562047h",
    "2562047h47m16.854s",
];
const PERCENTS: &[&str] = &["0%", "0.00001%", "0.0001%", "0.5%", "50%", "100%", "101%"];
const NAMESPACES: &[&str] = &[".", "*", "shop", "web", "~", "Web"];
const HOSTS: &[&str] = &[
    "api.example.com",
    "*.example.com",
    "10.0.0.1",
    "::1",
    "foo.123",
    "*",
    "b",
    "legacy.42",
    "x.example.org",
];

/// A string written as a `.mesh` string literal (JSON escapes).
fn quote(text: &str) -> String {
    let mut out = String::from("\"");
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The leaf fields of a catalogue block reachable by a dotted path (no list
/// items or map values on the way), with that path.
fn leaves(root: &'static Field) -> Vec<(String, &'static Field)> {
    let prefix = format!("{}.", root.path);
    catalogue::walk(root)
        .into_iter()
        .map(|f| (f.path.strip_prefix(&prefix).unwrap_or(&f.path).to_string(), f))
        .filter(|(path, f)| {
            !path.contains(['[', '{']) && !path.is_empty() && !matches!(f.ty, FieldType::Object | FieldType::Map)
        })
        .filter(|(_, f)| f.ty != FieldType::List || f.item.as_ref().is_some_and(|i| i.ty != FieldType::Object))
        .filter(|(path, _)| !path.starts_with("portLevelSettings"))
        .collect()
}

/// A value of type `ty`, picked by `pick` among typed edge values.
fn value_of(ty: &FieldType, item: Option<&Field>, pick: usize) -> String {
    let from = |list: &[&str]| list[pick % list.len()].to_string();
    match ty {
        FieldType::String | FieldType::Bytes => quote(STRINGS[pick % STRINGS.len()]),
        FieldType::Duration { .. } => from(DURATIONS),
        FieldType::Enum(values) => {
            if pick.is_multiple_of(7) {
                "BOGUS".into()
            } else {
                values[pick % values.len()].clone()
            }
        }
        FieldType::Integer { .. } => from(INTEGERS),
        FieldType::Number { .. } => from(NUMBERS),
        FieldType::Bool => from(&["true", "false"]),
        FieldType::List => {
            let item = item.expect("a list has an item type");
            let first = value_of(&item.ty, None, pick);
            let second = value_of(&item.ty, None, pick / 3 + 1);
            if pick.is_multiple_of(2) {
                format!("[{first}]")
            } else {
                format!("[{first}, {second}]")
            }
        }
        FieldType::Object | FieldType::Map => "{ }".into(),
    }
}

/// `path = value` lines for a policy or CORS block, from the catalogue.
fn catalogue_fields(root: &'static Field, picks: &[(usize, usize)]) -> Vec<String> {
    let fields = leaves(root);
    picks
        .iter()
        .map(|&(field, value)| {
            let (path, schema) = &fields[field % fields.len()];
            format!("{path} = {}", value_of(&schema.ty, schema.item.as_deref(), value))
        })
        .collect()
}

/// Policy fields whose values are lists of blocks, which the dotted-path
/// generator does not reach.
fn block_list_field(pick: usize, a: usize, b: usize) -> String {
    let s = |i: usize| quote(STRINGS[i % STRINGS.len()]);
    let w = |i: usize| INTEGERS[i % INTEGERS.len()];
    match pick % 4 {
        0 => format!(
            "loadBalancer.localityLbSetting.distribute = [{{ from = {}, to = {{ {} = {}, {} = {} }} }}, {{ from = {}, to = {{ {} = 100 }} }}]",
            s(a),
            s(b),
            w(a),
            s(a + b),
            w(b),
            s(b + 1),
            s(a + 2)
        ),
        1 => format!(
            "loadBalancer.localityLbSetting.failover = [{{ from = {}, to = {} }}]",
            s(a),
            s(b)
        ),
        2 => format!(
            "loadBalancer.consistentHash.httpCookie = {{ name = {}, attributes = [{{ name = {} }}, {{ name = {} }}] }}",
            s(a),
            s(b),
            s(a + b)
        ),
        _ => format!(
            "loadBalancer.warmup = {{ duration = {}, aggression = {} }}",
            DURATIONS[a % DURATIONS.len()],
            NUMBERS[b % NUMBERS.len()]
        ),
    }
}

/// One route statement from the grammar, with edge arguments.
fn statement(kind: usize, a: usize, b: usize) -> String {
    let s = |i: usize| quote(STRINGS[i % STRINGS.len()]);
    let pct = |i: usize| PERCENTS[i % PERCENTS.len()];
    let side = ["request", "response"][a % 2];
    match kind % 12 {
        0 => format!("headers {side} set {} {}", s(a), s(b)),
        1 => format!("headers {side} add {} {}", s(a), s(b)),
        2 => format!("headers {side} remove {}", s(b)),
        3 => {
            let options = [
                format!("uri {}", s(a)),
                format!("authority {}", s(b)),
                format!("scheme {}", s(a + b)),
                format!("prefix {}", s(b)),
                format!("port {}", INTEGERS[a % INTEGERS.len()]),
                "code 301".into(),
            ];
            let first = &options[a % options.len()];
            let second = &options[b % options.len()];
            if a == b {
                format!("redirect {first}")
            } else {
                format!("redirect {first} {second}")
            }
        }
        4 => format!("rewrite uri {}", s(a)),
        5 => format!("rewrite authority {}", s(b)),
        6 => format!("rewrite uri regex \"^/(.*)$\" {}", s(a)),
        7 => format!("fault delay {} {}", DURATIONS[a % DURATIONS.len()], pct(b)),
        8 => format!("fault abort 503 {}", pct(a)),
        9 => format!("match gateway {} and uri prefix \"/g{a}\"", s(b)),
        10 => format!(
            "cors {{ allowOrigins = [{{ exact = {} }}] allowMethods = [{}] allowHeaders = [{}] }}",
            s(a),
            s(b),
            s(a + b)
        ),
        _ => format!(
            "retries 2 on {}",
            quote(["5xx,reset", "5xx, reset", "503", "599", ""][a % 5])
        ),
    }
}

/// A generated program: services with settings, a policy and routes.
#[derive(Debug, Clone)]
struct Program {
    text: String,
}

fn program() -> impl Strategy<Value = Program> {
    let service = (
        prop::collection::vec((0usize..10_000, 0usize..10_000), 0..3),
        prop::collection::vec((0usize..10_000, 0usize..10_000), 0..2),
        prop::option::of((0usize..10_000, 0usize..10_000, 0usize..10_000)),
        prop::collection::vec((0usize..10_000, 0usize..10_000, 0usize..10_000), 0..4),
        prop::array::uniform6(0usize..10_000),
    );
    (any::<bool>(), prop::collection::vec(service, 1..3)).prop_map(|(namespaced, services)| {
        let mut text = String::new();
        if namespaced {
            text.push_str("namespace shop\n");
        }
        for (i, (policy, cors, block_list, statements, settings)) in services.into_iter().enumerate() {
            text.push_str(&format!("service s{i} {{\n"));
            let [gateways, hosts, export, destination, host, to] = settings;
            if gateways.is_multiple_of(3) {
                let g = |i: usize| quote(STRINGS[i % STRINGS.len()]);
                text.push_str(&format!("  gateways {}, {}\n", g(gateways / 3), g(gateways / 7)));
            }
            if hosts.is_multiple_of(3) {
                text.push_str(&format!("  hosts {}\n", quote(HOSTS[hosts / 3 % HOSTS.len()])));
            }
            if host.is_multiple_of(5) {
                text.push_str(&format!("  host {}\n", quote(HOSTS[host / 5 % HOSTS.len()])));
            }
            if export.is_multiple_of(3) {
                let n = |i: usize| quote(NAMESPACES[i % NAMESPACES.len()]);
                text.push_str(&format!("  export_to {}, {}\n", n(export / 3), n(export / 5)));
            }
            let mut fields = catalogue_fields(catalogue::traffic_policy(), &policy);
            fields.extend(block_list.map(|(k, a, b)| block_list_field(k, a, b)));
            if !fields.is_empty() {
                text.push_str(&format!("  policy {{\n    {}\n  }}\n", fields.join("\n    ")));
            }
            if !statements.is_empty() || !cors.is_empty() {
                text.push_str("  route {\n");
                for (kind, a, b) in statements {
                    text.push_str(&format!("    {}\n", statement(kind, a, b)));
                }
                let cors_fields = catalogue_fields(catalogue::cors_policy(), &cors);
                if !cors_fields.is_empty() {
                    text.push_str(&format!("    cors {{ {} }}\n", cors_fields.join(" ")));
                }
                let target = if destination.is_multiple_of(2) {
                    format!("s{i}")
                } else {
                    quote(HOSTS[to % HOSTS.len()])
                };
                text.push_str(&format!("    to {target}\n  }}\n"));
            }
            text.push_str("}\n");
        }
        Program { text }
    })
}

fn cases() -> u32 {
    std::env::var("MESHC_WEBHOOK_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(1500)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn programs_that_check_clean_pass_the_webhook(program in program()) {
        let mut sources = meshc::Sources::default();
        sources.add("gen.mesh", program.text.as_str());
        if let Ok((yaml, _)) = meshc::compile(&sources, meshc::emit::ApiVersion::V1) {
            if let Some(dir) = std::env::var_os("MESHC_WEBHOOK_DUMP") {
                let name = format!("{:016x}.yaml", fxhash(&program.text));
                std::fs::write(std::path::Path::new(&dir).join(name), format!("# {}\n{yaml}", program.text.replace('\n', "\n# "))).unwrap();
            }
            for doc in crate::support::documents(&yaml) {
                let mut problems = crate::oracle::problems(&doc);
                problems.extend(webhook_problems(&doc));
                prop_assert!(problems.is_empty(), "{}\nbuilds\n{yaml}\nbut: {problems:#?}", program.text);
            }
        }
    }
}

/// A stable hash for dump file names.
fn fxhash(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Edge programs the generator found, kept as they were found.
#[test]
fn found_by_the_generator() {
    for text in [
        "service s0 {\n  route {\n    headers request set \"x-a\" \"100%\"\n    to s0\n  }\n}\n",
        "service s0 {\n  gateways \"Bad Gateway\", \"\"\n  route { to s0 }\n}\n",
        "service s0 {\n  route {\n    match uri prefix \"/a\"\n    redirect code 301\n  }\n}\n",
        "service s0 {\n  policy { loadBalancer.consistentHash { useSourceIp = true, maglev.tableSize = 0 } }\n}\n",
    ] {
        let mut sources = meshc::Sources::default();
        sources.add("gen.mesh", text);
        assert!(meshc::compile(&sources, meshc::emit::ApiVersion::V1).is_err(), "{text}");
    }
}

// ---------------------------------------------------------------------------
// Webhook predicates, on the emitted JSON.

/// Every webhook rule the document breaks.
fn webhook_problems(doc: &Value) -> Vec<String> {
    let mut out = Vec::new();
    let namespace = doc["metadata"]["namespace"].as_str();
    let spec = &doc["spec"];
    export_to(spec, namespace, &mut out);
    match doc["kind"].as_str() {
        Some("DestinationRule") => {
            if let Some(host) = spec["host"].as_str()
                && !wildcard_domain(host)
            {
                out.push(format!("DR host {host:?}"));
            }
            traffic_policy(&spec["trafficPolicy"], &mut out);
            for subset in spec["subsets"].as_array().into_iter().flatten() {
                traffic_policy(&subset["trafficPolicy"], &mut out);
            }
        }
        _ => virtual_service(spec, &mut out),
    }
    out
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array().into_iter().flatten().filter_map(Value::as_str).collect()
}

/// DNS-1123 label, any case (labels/instance.go `IsDNS1123Label`).
fn label(s: &str) -> bool {
    let b = s.as_bytes();
    !b.is_empty()
        && b.len() <= 63
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'-')
        && b[0] != b'-'
        && b[b.len() - 1] != b'-'
}

/// agent/validation.go `ValidateDNS1123Labels`.
fn dns_labels(s: &str) -> bool {
    let parts: Vec<&str> = s.split('.').collect();
    let last = parts[parts.len() - 1];
    if last.parse::<i64>().is_ok() {
        return false;
    }
    parts
        .iter()
        .enumerate()
        .all(|(i, p)| label(p) || (i == parts.len() - 1 && p.is_empty()))
}

/// agent/validation.go `ValidateFQDN`.
fn fqdn(s: &str) -> bool {
    !s.is_empty() && s.len() <= 255 && dns_labels(s)
}

/// agent/validation.go `ValidateWildcardDomain`.
fn wildcard_domain(s: &str) -> bool {
    if s.is_empty() || s.len() > 255 {
        return false;
    }
    let (first, rest) = match s.split_once('.') {
        Some((f, r)) => (f, Some(r)),
        None => (s, None),
    };
    let wild = first == "*" || label(first.strip_prefix("*-").or(first.strip_prefix('*')).unwrap_or(first));
    wild && rest.is_none_or(dns_labels)
}

fn ip(s: &str) -> bool {
    s.parse::<std::net::IpAddr>().is_ok()
}

/// validation.go `validHeaderNameRegexp` (RFC 7230 token).
fn token(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b))
}

/// header_value_validator.go, reduced: control characters, and `%` that
/// is neither `%%` nor inside a closed `%...%`.
fn header_value(s: &str) -> bool {
    if s.bytes().any(|b| (b < 0x20 && b != b'\t') || b == 0x7f) {
        return false;
    }
    let mut rest = s;
    while let Some(at) = rest.find('%') {
        let after = &rest[at + 1..];
        if let Some(tail) = after.strip_prefix('%') {
            rest = tail;
            continue;
        }
        match after.find('%') {
            Some(end) => rest = &after[end + 1..],
            None => return false,
        }
    }
    true
}

fn export_to(spec: &Value, namespace: Option<&str>, out: &mut Vec<String>) {
    let entries = strs(&spec["exportTo"]);
    let mut seen = Vec::new();
    for e in &entries {
        let resolved = if *e == "." { namespace.unwrap_or(".") } else { e };
        if seen.contains(&resolved) {
            out.push(format!("exportTo duplicate {e:?}"));
        }
        seen.push(resolved);
        if !(*e == "." || *e == "*" || label(e)) {
            out.push(format!("exportTo {e:?}"));
        }
    }
    if entries.contains(&"*") && entries.len() > 1 {
        out.push("exportTo * with others".into());
    }
}

fn traffic_policy(tp: &Value, out: &mut Vec<String>) {
    if tp.is_null() {
        return;
    }
    let lb = &tp["loadBalancer"];
    let ch = &lb["consistentHash"];
    if let Some(size) = ch["maglev"]["tableSize"].as_u64() {
        let prime = size >= 2 && (2..).take_while(|d| d * d <= size).all(|d| size % d != 0);
        if size == 0 || size >= 5_000_011 || !(prime || size == 1) {
            out.push(format!("maglev.tableSize {size}"));
        }
    }
    let cookie = &ch["httpCookie"];
    if cookie.is_object() && cookie["name"].as_str().is_none_or(str::is_empty) {
        out.push("httpCookie.name empty".into());
    }
    let attribute_names: Vec<&str> = cookie["attributes"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|a| a["name"].as_str().unwrap_or(""))
        .collect();
    for (i, name) in attribute_names.iter().enumerate() {
        if name.is_empty() || attribute_names[..i].contains(name) {
            out.push(format!("cookie attribute {name:?}"));
        }
    }
    let warmup = &lb["warmup"];
    if warmup.is_object() && (warmup["duration"].is_null() || warmup["aggression"].as_f64().is_some_and(|a| a <= 0.0)) {
        out.push("warmup".into());
    }
    locality(&lb["localityLbSetting"], out);
    let keepalive = &tp["connectionPool"]["http"]["http2KeepAlive"];
    if keepalive.is_object() && (keepalive["interval"].is_null() || keepalive["timeout"].is_null()) {
        out.push("http2KeepAlive needs interval and timeout".into());
    }
    let http = &tp["connectionPool"]["http"];
    if http["h2UpgradePolicy"] == "UPGRADE" && http["useClientProtocol"] == true {
        out.push("h2UpgradePolicy UPGRADE with useClientProtocol".into());
    }
    let tunnel = &tp["tunnel"];
    if tunnel.is_object() {
        if !["", "CONNECT", "POST"].contains(&tunnel["protocol"].as_str().unwrap_or("")) {
            out.push("tunnel.protocol".into());
        }
        let target = tunnel["targetHost"].as_str().unwrap_or("");
        if !(fqdn(target) || ip(target)) {
            out.push(format!("tunnel.targetHost {target:?}"));
        }
    }
    let tls = &tp["tls"];
    if tls["insecureSkipVerify"] == true
        && ["SIMPLE", "MUTUAL"].contains(&tls["mode"].as_str().unwrap_or(""))
        && (!tls["caCertificates"].is_null() || !tls["subjectAltNames"].is_null())
    {
        out.push("insecureSkipVerify with verification settings".into());
    }
    for port in tp["portLevelSettings"].as_array().into_iter().flatten() {
        traffic_policy(port, out);
    }
}

/// agent/validation.go `ValidateLocalityLbSetting` and `validateLocalities`.
fn locality(setting: &Value, out: &mut Vec<String>) {
    let valid = |l: &str| {
        let star = l.matches('*').count();
        let parts: Vec<&str> = l.splitn(3, '/').collect();
        star <= 1 && (star == 0 || l.ends_with('*')) && parts.iter().all(|p| !p.is_empty())
    };
    let overlapping = |list: &[&str]| {
        list.iter().enumerate().any(|(i, b)| {
            list[..i]
                .iter()
                .any(|a| a == b || *a == "*" || b.starts_with(&format!("{}/", a.trim_end_matches("/*"))))
        })
    };
    let mut froms = Vec::new();
    for entry in setting["distribute"].as_array().into_iter().flatten() {
        froms.push(entry["from"].as_str().unwrap_or(""));
        let to = entry["to"].as_object().cloned().unwrap_or_default();
        let weights: Vec<u64> = to.values().filter_map(Value::as_u64).collect();
        if weights.iter().any(|w| *w == 0 || *w > 100) || weights.iter().sum::<u64>() != 100 {
            out.push("locality weights".into());
        }
        let keys: Vec<&str> = to.keys().map(String::as_str).collect();
        if !keys.iter().all(|k| valid(k)) || overlapping(&keys) {
            out.push(format!("locality to {keys:?}"));
        }
    }
    if !froms.iter().all(|f| valid(f)) || overlapping(&froms) {
        out.push(format!("locality from {froms:?}"));
    }
    for entry in setting["failover"].as_array().into_iter().flatten() {
        let (from, to) = (entry["from"].as_str().unwrap_or(""), entry["to"].as_str().unwrap_or(""));
        if from == to || format!("{from}{to}").contains(['/', '*']) {
            out.push(format!("failover {from:?} -> {to:?}"));
        }
    }
}

fn gateway(name: &str) -> bool {
    match name.split_once('/') {
        Some((ns, gw)) => label(ns) && label(gw),
        None => fqdn(name),
    }
}

fn virtual_service(spec: &Value, out: &mut Vec<String>) {
    let gateways = strs(&spec["gateways"]);
    for g in &gateways {
        if !gateway(g) {
            out.push(format!("gateway {g:?}"));
        }
    }
    let mesh_bound = gateways.is_empty() || gateways.contains(&"mesh");
    let hosts = strs(&spec["hosts"]);
    for (i, host) in hosts.iter().enumerate() {
        if !(wildcard_domain(host) || ip(host)) || (*host == "*" && mesh_bound) {
            out.push(format!("VS host {host:?}"));
        }
        // host/name.go `Matches`.
        let matches = |a: &str, b: &str| match (a.strip_prefix('*'), b.strip_prefix('*')) {
            (Some(x), Some(y)) => x.ends_with(y) || y.ends_with(x),
            (Some(x), None) => b.ends_with(x),
            (None, Some(y)) => a.ends_with(y),
            (None, None) => a == b,
        };
        if hosts[..i].iter().any(|first| matches(first, host)) {
            out.push(format!("VS hosts overlap at {host:?}"));
        }
    }
    for route in spec["http"].as_array().into_iter().flatten() {
        http_route(route, out);
    }
}

fn destination_host(host: &str, out: &mut Vec<String>) {
    if host == "*" || !wildcard_domain(host) {
        out.push(format!("destination host {host:?}"));
    }
}

fn http_route(route: &Value, out: &mut Vec<String>) {
    for m in route["match"].as_array().into_iter().flatten() {
        for g in strs(&m["gateways"]) {
            if !gateway(g) {
                out.push(format!("match gateway {g:?}"));
            }
        }
    }
    headers(&route["headers"], out);
    for d in route["route"].as_array().into_iter().flatten() {
        destination_host(d["destination"]["host"].as_str().unwrap_or(""), out);
        headers(&d["headers"], out);
    }
    let redirect = &route["redirect"];
    if redirect.is_object() {
        let text = |k: &str| redirect[k].as_str().unwrap_or("");
        let targets = ["uri", "prefixRewrite", "authority", "scheme"]
            .iter()
            .any(|k| !text(k).is_empty())
            || !redirect["port"].is_null()
            || !redirect["derivePort"].is_null();
        if !targets || !["", "http", "https"].contains(&text("scheme")) {
            out.push(format!("redirect {redirect}"));
        }
    }
    let rewrite = &route["rewrite"];
    if rewrite.is_object() {
        let text = |k: &str| rewrite[k].as_str().unwrap_or("");
        let regex = &rewrite["uriRegexRewrite"];
        let sets = !text("uri").is_empty() || regex.is_object() || !text("authority").is_empty();
        let regex_ok = regex.is_null()
            || (regex["match"].as_str().is_some_and(|m| !m.is_empty())
                && regex["rewrite"].as_str().is_some_and(|r| !r.is_empty()));
        if !sets || !regex_ok {
            out.push(format!("rewrite {rewrite}"));
        }
    }
    let cors = &route["corsPolicy"];
    for origin in cors["allowOrigins"].as_array().into_iter().flatten() {
        if !origin
            .as_object()
            .is_some_and(|o| o.values().any(|v| v.as_str().is_some_and(|s| !s.is_empty())))
        {
            out.push(format!("CORS origin {origin}"));
        }
    }
    const METHODS: &[&str] = &[
        "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*",
    ];
    for m in strs(&cors["allowMethods"]) {
        if !METHODS.contains(&m) {
            out.push(format!("CORS method {m:?}"));
        }
    }
    for h in strs(&cors["allowHeaders"])
        .into_iter()
        .chain(strs(&cors["exposeHeaders"]))
    {
        if !(h == "*" || token(h)) {
            out.push(format!("CORS header {h:?}"));
        }
    }
    if let Some(age) = cors["maxAge"].as_str()
        && duration_seconds(age).is_none_or(|secs| secs.fract().abs() > 1e-9)
    {
        out.push(format!("CORS maxAge {age:?}"));
    }
    for kind in ["delay", "abort"] {
        if let Some(p) = route["fault"][kind]["percentage"]["value"].as_f64()
            && !(p == 0.0 || (0.0001..=100.0).contains(&p))
        {
            out.push(format!("fault percentage {p}"));
        }
    }
    if let Some(on) = route["retries"]["retryOn"].as_str() {
        for item in on.split(',') {
            if item.is_empty() || item.contains(' ') {
                out.push(format!("retryOn {on:?}"));
            }
        }
    }
}

/// Seconds in a Go duration (enough precision for the generated values).
fn duration_seconds(text: &str) -> Option<f64> {
    let mut total = 0.0;
    let mut rest = text;
    while !rest.is_empty() {
        let end = rest.find(|c: char| !c.is_ascii_digit() && c != '.')?;
        let number: f64 = rest[..end].parse().ok()?;
        let after = &rest[end..];
        let (unit, len) = [
            ("ms", 1e-3),
            ("us", 1e-6),
            ("ns", 1e-9),
            ("h", 3600.0),
            ("m", 60.0),
            ("s", 1.0),
        ]
        .iter()
        .find(|(u, _)| after.starts_with(u))
        .map(|(u, f)| (*f, u.len()))?;
        total += number * unit;
        rest = &after[len..];
    }
    Some(total)
}

/// VS.go `validateHTTPRoute` header operations.
fn headers(h: &Value, out: &mut Vec<String>) {
    for side in ["request", "response"] {
        let ops = &h[side];
        for op in ["set", "add"] {
            for (name, value) in ops[op].as_object().into_iter().flatten() {
                let lower = name.to_ascii_lowercase();
                let name_ok = if side == "request" {
                    !name.is_empty() && (!lower.starts_with(':') || lower == ":authority")
                } else {
                    !name.is_empty() && !lower.starts_with(':') && lower != "host"
                };
                if !name_ok || !header_value(value.as_str().unwrap_or("")) {
                    out.push(format!("{side}.{op} {name:?}: {value}"));
                }
            }
        }
        for name in strs(&ops["remove"]) {
            let lower = name.to_ascii_lowercase();
            if name.is_empty() || lower.starts_with(':') || lower == "host" {
                out.push(format!("{side}.remove {name:?}"));
            }
        }
    }
}
