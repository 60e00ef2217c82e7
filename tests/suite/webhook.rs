//! Nothing that checks clean is refused by the cluster: programs generated
//! from the grammar and the field catalogue are built, and every one that
//! checks clean must pass the schema oracle (`oracle.rs`) and the webhook
//! predicates below, written here from Istio's validators
//! (`pkg/config/validation/validation.go`, `virtualservice.go`,
//! `agent/validation.go`, `header_value_validator.go`).
//!
//! Programs are valid by construction (values drawn from each field's type
//! and its webhook rule, settings that go together), so most of them check
//! clean and the property is tested on many builds; one in seven carries
//! one edge value (0, empty strings, huge numbers, odd characters) that
//! may break a rule.  `generated_programs_mostly_check_clean_and_cover_every_field`
//! holds the generator to that.
//!
//! Knobs: `MESHC_WEBHOOK_CASES=N` runs N cases instead of the CI's 500;
//! `MESHC_WEBHOOK_DUMP=DIR` writes every clean build there, to compare with
//! another validator by hand; `MESHC_WEBHOOK_COVERAGE=1` prints the clean
//! rate and the fields covered; `MESHC_WEBHOOK_REJECTS=1` prints why
//! generated programs do not check clean (`=E0404` also prints the
//! programs refused with that code).

use proptest::prelude::*;
use proptest::strategy::ValueTree;
use serde_json::Value;

use meshc::catalogue::{self, Field, FieldType, Rule};

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
pub(crate) struct Program {
    pub(crate) text: String,
}

/// A stream of random choices.  Shrinking moves a choice toward 0, which
/// picks the first (simplest) option.
struct Choices<'a> {
    picks: &'a [u32],
    at: usize,
}

impl Choices<'_> {
    fn next(&mut self) -> usize {
        let pick = self.picks.get(self.at % self.picks.len().max(1)).copied().unwrap_or(0);
        // Reuse the stream with an offset once it runs out.
        let lap = self.at / self.picks.len().max(1);
        self.at += 1;
        (pick as usize).wrapping_add(lap.wrapping_mul(7919))
    }

    /// A number in `0..n`.
    fn below(&mut self, n: usize) -> usize {
        self.next() % n.max(1)
    }

    /// True with probability `percent`%.
    fn chance(&mut self, percent: usize) -> bool {
        self.below(100) < percent
    }

    fn pick<'v, T: ?Sized>(&mut self, options: &[&'v T]) -> &'v T {
        options[self.below(options.len())]
    }
}

/// Valid values by kind, each one Istio's webhook accepts (the rules file
/// `webhook-rules.md` gives the grammar of each).
const VALID_DURATIONS: &[&str] = &[
    "1ms",
    "250ms",
    "1s",
    "1.5s",
    "10s",
    "1m30s",
    "2h",
    "1.001s",
    "2562047h47m16.854s",
];
const VALID_HOSTS: &[&str] = &[
    "api.example.com",
    "pay.example.org",
    "Foo.Example.COM",
    "a-b.c-d.e",
    "x.example.org.",
];
const VALID_HEADER_NAMES: &[&str] = &["x-a", "X-Request-Id", "end-user", "x_b", "x.c", "content-type"];
const VALID_HEADER_VALUES: &[&str] = &[
    "v",
    "",
    "100%%",
    "%HOSTNAME%",
    "%REQ(x-a)%",
    "a\tb",
    "é",
    "a b",
    "x %REQ(x-a)% y",
];
const VALID_LABELS: &[&str] = &["web", "shop", "a1", "team-a", "x"];
const VALID_REGIONS: &[&str] = &["us-east1", "eu-west1", "ap-south1", "US-WEST2"];
const VALID_PATHS: &[&str] = &["/", "/api", "/v2/items", "/a%20b"];
const VALID_REGEXES: &[&str] = &["^/(.*)$", ".*", "[a-z]+", "(?i)abc", "a{2,5}", "\\d+"];
const PRIMES: &[&str] = &["2", "3", "1009", "65537", "4999999"];
/// Subset names every generated service defines, so routes can name them.
const SUBSETS: &[&str] = &["v1", "v2"];

/// A valid value for a catalogue leaf, from its type and webhook rule.
fn valid_value(c: &mut Choices, field: &Field) -> String {
    let q = |s: &str| quote(s);
    if let Some(rule) = field.rule {
        return match rule {
            Rule::OneOf(values) => q(values[c.below(values.len())]),
            Rule::NonEmpty => match field.name.as_str() {
                "exact" | "prefix" => q(c.pick(&["https://a.example.com", "http://", "x"])),
                "credentialName" => q(c.pick(&["bank-cert", "kubernetes://shop/bank-cert"])),
                "clientCertificate" => q("/etc/certs/cert.pem"),
                "privateKey" => q("/etc/certs/key.pem"),
                "caCertificates" => q("/etc/certs/ca.pem"),
                "caCrl" => q("/etc/certs/crl.pem"),
                _ => q(c.pick(&["session", "a", "X-Cookie_1"])),
            },
            Rule::HeaderName => q(c.pick(&["*", "x-a", "Content-Type", "x_b!#$&'*+.^`|~"])),
            Rule::WholeSeconds => c.pick(&["1s", "24h", "90s", "1m"]).into(),
            Rule::Prime => c.pick(PRIMES).into(),
            Rule::Positive => c.pick(&["0.5", "1", "2.5", "100"]).into(),
            Rule::Locality | Rule::Region => q(c.pick(VALID_REGIONS)),
            Rule::HostOrIp => q(c.pick(&["proxy.example.com", "proxy", "10.0.0.1", "::1", "egress.local."])),
        };
    }
    match &field.ty {
        FieldType::Duration { at_least_1ms } => {
            if !at_least_1ms && c.chance(20) {
                "0s".into()
            } else {
                c.pick(VALID_DURATIONS).into()
            }
        }
        FieldType::Enum(values) => values[c.below(values.len())].clone(),
        FieldType::Integer { min, max } => {
            let options = [*min, *max, 0, 1, 5, 100, 65535];
            let mut n = options[c.below(options.len())];
            n = n.clamp(*min, *max);
            n.to_string()
        }
        FieldType::Number { min, max } => {
            let options: [f64; 6] = [0.0, 0.5, 1.0, 50.0, 100.0, 1e-4];
            let n = options[c.below(options.len())];
            let n = n.clamp(min.unwrap_or(f64::MIN), max.unwrap_or(f64::MAX));
            format!("{n}")
        }
        FieldType::Bool => c.pick(&["true", "false"]).into(),
        FieldType::String | FieldType::Bytes => match field.name.as_str() {
            "regex" => q(c.pick(VALID_REGEXES)),
            "sni" | "[]" if field.path.ends_with("subjectAltNames[]") || field.name == "sni" => q(c.pick(VALID_HOSTS)),
            "httpHeaderName" => q(c.pick(VALID_HEADER_NAMES)),
            "httpQueryParameterName" => q(c.pick(&["user", "q", "a b"])),
            "path" => q(c.pick(VALID_PATHS)),
            "[]" if field.path.ends_with("failoverPriority[]") => {
                q(c.pick(&["topology.istio.io/network", "app", "tier=gold"]))
            }
            "[]" if field.path.ends_with("allowOrigin[]") => q(c.pick(&["https://a.example.com", "*"])),
            _ => q(c.pick(&["a", "value-1", "A b", ""])),
        },
        FieldType::List => {
            let Some(item) = field.item.as_deref() else {
                return "[]".into();
            };
            let first = valid_value(c, item);
            let second = valid_value(c, item);
            if c.chance(50) || first == second {
                format!("[{first}]")
            } else {
                format!("[{first}, {second}]")
            }
        }
        FieldType::Object | FieldType::Map => "{ }".into(),
    }
}

/// A valid client TLS block (A.go `ValidateTLS`).
fn valid_tls(c: &mut Choices, namespaced: bool) -> String {
    let mut fields = Vec::new();
    let mode = c.pick(&["DISABLE", "SIMPLE", "MUTUAL", "ISTIO_MUTUAL"]);
    fields.push(format!("mode = {mode}"));
    let skip = c.chance(25);
    let secret = c.chance(50);
    if secret && !(skip && mode == "SIMPLE") {
        let name = if namespaced && c.chance(40) {
            "configmap://shop/bank-ca"
        } else {
            c.pick(&["bank-cert", "kubernetes://bank-cert"])
        };
        fields.push(format!("credentialName = {}", quote(name)));
    } else {
        if mode == "MUTUAL" || c.chance(30) {
            fields.push("clientCertificate = \"/etc/certs/cert.pem\"".into());
            fields.push("privateKey = \"/etc/certs/key.pem\"".into());
        }
        if !skip && c.chance(40) {
            fields.push("caCertificates = \"/etc/certs/ca.pem\"".into());
        }
        if c.chance(20) {
            fields.push("caCrl = \"/etc/certs/crl.pem\"".into());
        }
    }
    if !skip && c.chance(40) {
        fields.push(format!("subjectAltNames = [{}]", quote(c.pick(VALID_HOSTS))));
    }
    if skip {
        fields.push("insecureSkipVerify = true".into());
    }
    if c.chance(30) {
        fields.push(format!("sni = {}", quote(c.pick(VALID_HOSTS))));
    }
    format!("tls {{ {} }}", fields.join(", "))
}

/// A valid `localityLbSetting` (A.go `ValidateLocalityLbSetting`).
fn valid_locality(c: &mut Choices, zone_aware: bool) -> String {
    let mut fields = Vec::new();
    if c.chance(30) {
        fields.push(format!("enabled = {}", c.pick(&["true", "false"])));
    }
    let failover = zone_aware || c.chance(50);
    if failover {
        let from = c.below(VALID_REGIONS.len());
        let to = (from + 1 + c.below(VALID_REGIONS.len() - 1)) % VALID_REGIONS.len();
        fields.push(format!(
            "failover = [{{ from = {}, to = {} }}]",
            quote(VALID_REGIONS[from]),
            quote(VALID_REGIONS[to])
        ));
    } else {
        let split = 1 + c.below(99);
        let (a, b) = (c.pick(VALID_REGIONS), c.pick(VALID_REGIONS));
        let zones = format!(
            "{{ {} = {split}, {} = {} }}",
            quote(&format!("{a}/z1/*")),
            quote(&format!("{a}/z2")),
            100 - split
        );
        fields.push(format!(
            "distribute = [{{ from = {}, to = {zones} }}, {{ from = {}, to = {{ {} = 100 }} }}]",
            quote(&format!("{b}/a/*")),
            quote(&format!("{b}/b")),
            quote(&format!("{a}/*"))
        ));
    }
    if c.chance(40) {
        let labels: &[&str] = if failover {
            &["topology.istio.io/network", "app"]
        } else {
            &["topology.kubernetes.io/region", "topology.istio.io/network"]
        };
        fields.push(format!("failoverPriority = [{}]", quote(c.pick(labels))));
    }
    if zone_aware && c.chance(50) {
        fields.push(format!("minClusterSize = {}", c.pick(&["1", "5"])));
    }
    let name = if zone_aware {
        "zoneAwareLbSetting"
    } else {
        "localityLbSetting"
    };
    format!("{name} {{ {} }}", fields.join(", "))
}

/// Valid fields of a catalogue block: each child with probability
/// `percent`%, at most one of each exclusive group, the required ones
/// always, and one at least where Istio refuses an empty block.
fn valid_block(c: &mut Choices, schema: &'static Field, percent: usize, namespaced: bool) -> Vec<String> {
    let mut chosen: Vec<&'static Field> = Vec::new();
    // From a random first child on, so each member of an exclusive group
    // gets its turn.
    let start = c.below(schema.children.len());
    for child in schema.children.iter().cycle().skip(start).take(schema.children.len()) {
        let excluded = schema
            .exclusive
            .iter()
            .any(|g| g.contains(&child.name) && chosen.iter().any(|o| g.contains(&o.name)));
        let skipped = child.name == "portLevelSettings" || child.name == "port";
        if !excluded && !skipped && (schema.required.contains(&child.name) || c.chance(percent)) {
            chosen.push(child);
        }
    }
    if chosen.is_empty() && (schema.non_empty || schema.path.ends_with("connectionPool") || schema.path.ends_with("[]"))
    {
        let candidates: Vec<&'static Field> = schema
            .children
            .iter()
            .filter(|f| f.name != "port" && f.name != "portLevelSettings")
            .collect();
        if !candidates.is_empty() {
            chosen.push(candidates[c.below(candidates.len())]);
        }
    }
    let mut lines = Vec::new();
    for child in chosen {
        let line = match (&child.ty, child.name.as_str()) {
            (_, "tls") => valid_tls(c, namespaced),
            (_, "localityLbSetting") => valid_locality(c, false),
            (_, "zoneAwareLbSetting") => valid_locality(c, true),
            (FieldType::Object, _) => {
                format!(
                    "{} {{ {} }}",
                    child.name,
                    valid_block(c, child, 50, namespaced).join(", ")
                )
            }
            (FieldType::List, _) if child.item.as_ref().is_some_and(|i| i.ty == FieldType::Object) => {
                let item = child.item.as_deref().expect("checked");
                let count = 1 + c.below(2);
                let items: Vec<String> = (0..count)
                    .map(|i| {
                        let mut fields = valid_block(c, item, 50, namespaced);
                        // Cookie attribute names are unique.
                        for f in &mut fields {
                            if f.starts_with("name = ") {
                                *f = format!("name = \"attr{i}\"");
                            }
                        }
                        format!("{{ {} }}", fields.join(", "))
                    })
                    .collect();
                format!("{} = [{}]", child.name, items.join(", "))
            }
            _ => format!("{} = {}", child.name, valid_value(c, child)),
        };
        lines.push(line);
    }
    // Values that Istio refuses together in one block.
    if lines.iter().any(|l| l == "h2UpgradePolicy = UPGRADE") {
        lines.retain(|l| l != "useClientProtocol = true");
    }
    if lines
        .iter()
        .any(|l| l.starts_with("consecutiveLocalOriginFailures = ") && !l.ends_with("= 0"))
    {
        lines.retain(|l| !l.starts_with("splitExternalLocalOriginErrors"));
        lines.push("splitExternalLocalOriginErrors = true".into());
    }
    lines
}

/// A valid traffic policy, sometimes with port blocks.
fn valid_policy(c: &mut Choices, namespaced: bool) -> String {
    let schema = catalogue::traffic_policy();
    let mut lines = valid_block(c, schema, 30, namespaced);
    let ports = schema.child("portLevelSettings").and_then(|f| f.item.as_deref());
    if let Some(port_schema) = ports.filter(|_| c.chance(40)) {
        for port in ["80", "8443", "65535", "1"].into_iter().take(1 + c.below(2)) {
            let fields = valid_block(c, port_schema, 50, namespaced);
            lines.push(format!("port {port} {{ {} }}", fields.join(", ")));
        }
    }
    format!("policy {{\n    {}\n  }}", lines.join("\n    "))
}

/// A valid `match` condition of an HTTP route.
fn valid_condition(c: &mut Choices, gateways: &[&str], kind: usize) -> String {
    let op = |c: &mut Choices| -> String {
        match c.below(3) {
            0 => format!("exact {}", quote(c.pick(&["a", "", "x y", "é"]))),
            1 => format!("prefix {}", quote(c.pick(&["a", "/x"]))),
            _ => format!("regex {}", quote(c.pick(VALID_REGEXES))),
        }
    };
    match kind {
        1 => format!("scheme {}", op(c)),
        2 => format!("method {}", op(c)),
        3 => format!("authority {}", op(c)),
        4 => {
            let tail = if c.chance(30) { "present".to_string() } else { op(c) };
            format!(
                "header {} {tail}",
                quote(c.pick(&["x-a", ":path", ":method", "x-user"]))
            )
        }
        5 => {
            let tail = match c.below(3) {
                0 => "present".to_string(),
                1 => format!("exact {}", quote(c.pick(&["1", "", "a b"]))),
                _ => format!("regex {}", quote(c.pick(VALID_REGEXES))),
            };
            format!("query {} {tail}", quote(c.pick(&["q", "a b", "user"])))
        }
        6 => {
            let tail = if c.chance(50) { "present".to_string() } else { op(c) };
            format!("without header {} {tail}", quote(c.pick(&["x-b", "x-debug"])))
        }
        7 => format!("source {{ app = {} }}", quote(c.pick(&["web", "", "a.b_c"]))),
        8 => format!("source namespace {}", quote(c.pick(VALID_LABELS))),
        9 => format!("port {}", c.pick(&["1", "80", "65535"])),
        10 if !gateways.is_empty() => format!("gateway {}", quote(c.pick(gateways))),
        11 => format!("name {}", quote(c.pick(&["m1", "a b"]))),
        12 => format!("stat_prefix {}", quote(c.pick(&["p", "route.stats"]))),
        _ => "ignore_uri_case".into(),
    }
}

/// A destination of service `i` (or a service by host).
fn valid_target(c: &mut Choices, i: usize, services: usize) -> String {
    let service = format!(
        "s{}",
        c.below(services)
            .max(if c.chance(70) { i } else { 0 })
            .min(services - 1)
    );
    let subset = if c.chance(60) {
        format!("/{}", c.pick(SUBSETS))
    } else {
        String::new()
    };
    let port = if c.chance(20) {
        format!(":{}", c.pick(&["80", "9080", "65535"]))
    } else {
        String::new()
    };
    format!("{service}{subset}{port}")
}

/// A valid HTTP route: conditions, an action and its companions.
fn valid_http_route(c: &mut Choices, i: usize, services: usize, gateways: &[&str], name: usize) -> String {
    let mut lines = Vec::new();
    for m in 0..c.below(3) {
        // Each condition tests another attribute; `uri` comes last.
        let first = 1 + c.below(13);
        let mut conditions = vec![valid_condition(c, gateways, first)];
        if c.chance(40) {
            let second = 1 + (first + c.below(12)) % 13;
            conditions.push(valid_condition(c, gateways, second));
        }
        // Routes after the first keep a distinct uri, so none is unreachable.
        conditions.push(match c.below(3) {
            0 => format!("uri prefix \"/r{name}m{m}\""),
            1 => format!("uri exact \"/r{name}m{m}\""),
            _ => format!("uri regex \"/r{name}m{m}/.*\""),
        });
        lines.push(format!("match {}", conditions.join(" and ")));
    }
    if lines.is_empty() {
        lines.push(format!("match uri prefix \"/r{name}\""));
    }
    if c.chance(30) {
        lines.push(format!("timeout {}", c.pick(VALID_DURATIONS)));
    }
    if c.chance(30) {
        let mut retry = format!("retries {}", c.pick(&["1", "3", "10"]));
        if c.chance(50) {
            retry.push_str(&format!(" per_try {}", c.pick(VALID_DURATIONS)));
        }
        if c.chance(50) {
            retry.push_str(&format!(
                " on {}",
                quote(c.pick(&[
                    "5xx",
                    "gateway-error,connect-failure,503",
                    "retriable-4xx,refused-stream",
                    "unavailable,cancelled",
                    "429"
                ]))
            ));
        }
        if c.chance(30) {
            retry.push_str(&format!(" remote_localities {}", c.pick(&["true", "false"])));
        }
        if c.chance(30) {
            retry.push_str(&format!(" ignore_previous_hosts {}", c.pick(&["true", "false"])));
        }
        if c.chance(30) {
            retry.push_str(&format!(" backoff {}", c.pick(VALID_DURATIONS)));
        }
        lines.push(retry);
    }
    if c.chance(20) {
        lines.push("retries 0".into());
        if lines.iter().filter(|l| l.starts_with("retries")).count() > 1 {
            lines.pop();
        }
    }
    let mut authority_set = false;
    // `for` names a destination of the route: only a split `to` has them.
    let action = c.below(10);
    let split = action >= 3 && c.chance(30);
    let mut names = VALID_HEADER_NAMES.to_vec();
    for _ in 0..c.below(3) {
        let side = c.pick(&["request", "response"]);
        let op = c.pick(&["set", "add", "remove"]);
        let name = if side == "request" && op != "remove" && !authority_set && c.chance(15) {
            authority_set = true;
            c.pick(&[":authority", "Host"])
        } else {
            // Each header once, so no two edits of one header conflict.
            names.remove(c.below(names.len()))
        };
        let value = if op == "remove" {
            String::new()
        } else {
            format!(" {}", quote(c.pick(VALID_HEADER_VALUES)))
        };
        let target = if split && c.chance(40) {
            format!(" for s{i}/{}", c.pick(SUBSETS))
        } else {
            String::new()
        };
        lines.push(format!("headers {side} {op} {}{value}{target}", quote(name)));
    }
    if c.chance(20) {
        let fields = valid_block(c, catalogue::cors_policy(), 40, false);
        lines.push(format!("cors {{ {} }}", fields.join(", ")));
    }
    match action {
        0 => {
            let options = [
                format!("uri {}", quote(c.pick(VALID_PATHS))),
                format!("authority {}", quote(c.pick(VALID_HOSTS))),
                format!("scheme {}", quote(c.pick(&["http", "https"]))),
                format!("port {}", c.pick(&["1", "8080", "65535"])),
                format!(
                    "derive_port {}",
                    c.pick(&["FROM_PROTOCOL_DEFAULT", "FROM_REQUEST_PORT"])
                ),
                format!("prefix {}", quote(c.pick(VALID_PATHS))),
            ];
            let mut redirect = format!("redirect {}", options[c.below(options.len())]);
            if c.chance(50) {
                redirect.push_str(&format!(" code {}", c.pick(&["301", "302", "303", "307", "308"])));
            }
            lines.push(redirect);
        }
        1 => {
            let body = match c.below(3) {
                0 => String::new(),
                1 => format!(" {}", quote(c.pick(&["ok", "", "{\"a\": 1}", "é\n"]))),
                _ => format!(" bytes {}", quote(c.pick(&["aGVsbG8=", "", "AA=="]))),
            };
            lines.push(format!("respond {}{body}", c.pick(&["200", "404", "503", "599"])));
        }
        2 if !authority_set => {
            // Quoted: a VirtualService outside the program (a bare name
            // must be a delegate block of the program).
            lines.push(format!(
                "delegate {} namespace {}",
                quote(c.pick(&["team-a", "routes"])),
                c.pick(VALID_LABELS)
            ));
        }
        _ => {
            if c.chance(25) {
                lines.push(match c.below(3) {
                    0 => format!(
                        "fault delay {} {}",
                        c.pick(VALID_DURATIONS),
                        c.pick(&["0%", "0.0001%", "10%", "100%"])
                    ),
                    1 => format!(
                        "fault abort {} {}",
                        c.pick(&["200", "503", "599"]),
                        c.pick(&["0.5%", "100%"])
                    ),
                    _ => format!(
                        "fault abort grpc {} {}",
                        quote(c.pick(&["UNAVAILABLE", "DATA_LOSS", "OK"])),
                        c.pick(&["1%", "50%"])
                    ),
                });
            }
            if c.chance(20) {
                lines.push(match c.below(3) {
                    0 => format!("rewrite uri {}", quote(c.pick(VALID_PATHS))),
                    1 if !authority_set => format!("rewrite authority {}", quote(c.pick(VALID_HOSTS))),
                    _ => format!("rewrite uri regex {} {}", quote(c.pick(VALID_REGEXES)), quote("/\\1")),
                });
            }
            if c.chance(15) {
                lines.push(format!(
                    "mirror {} {}",
                    valid_target(c, i, services),
                    c.pick(&["0%", "25%", "100%"])
                ));
                // Two mirrors are written as `mirrors`.
                if c.chance(30) {
                    lines.push(format!("mirror s{i}/v2 {}", c.pick(&["1%", "50%"])));
                }
            }
            if split {
                let share = 1 + c.below(99);
                lines.push(format!("to s{i}/v1 {share}%, s{i}/v2 {}%", 100 - share));
            } else {
                lines.push(format!("to {}", valid_target(c, i, services)));
            }
        }
    }
    let label = if c.chance(30) {
        format!("r{name} ")
    } else {
        String::new()
    };
    format!("  route {label}{{\n    {}\n  }}\n", lines.join("\n    "))
}

/// A valid service: settings, subsets, a policy and routes.
fn valid_service(c: &mut Choices, i: usize, services: usize, namespaced: bool, out: &mut String) {
    out.push_str(&format!("service s{i} {{\n"));
    let mut gateways: Vec<&str> = Vec::new();
    if c.chance(30) {
        gateways.push(c.pick(&["mesh", "shop/gw", "istio-system/ingress", "gw"]));
        if c.chance(50) {
            gateways.push(c.pick(&["mesh", "web/edge", "edge-gw"]));
            gateways.dedup();
        }
        let list: Vec<String> = gateways.iter().map(|g| quote(g)).collect();
        out.push_str(&format!("  gateways {}\n", list.join(", ")));
    }
    if c.chance(25) {
        let hosts = [
            format!("h{i}.example.com"),
            format!("*.w{i}.example.org"),
            format!("10.0.{i}.1"),
            format!("H{i}.Example.NET"),
        ];
        out.push_str(&format!("  hosts {}\n", quote(&hosts[c.below(hosts.len())])));
    }
    let mut host = if namespaced {
        format!("s{i}.shop.svc.cluster.local")
    } else {
        format!("s{i}")
    };
    if c.chance(20) {
        host = format!("s{i}.{}", c.pick(&["example.com", "svc", "local."]));
        out.push_str(&format!("  host {}\n", quote(&host)));
    }
    if c.chance(25) {
        let export = match c.below(4) {
            0 => "\".\"".to_string(),
            1 => "\"*\"".to_string(),
            2 => "\".\", \"web\"".to_string(),
            _ => "\"web\", \"team-a\"".to_string(),
        };
        out.push_str(&format!("  export_to {export}\n"));
    }
    if c.chance(15) {
        out.push_str("  labels { app = \"shop\", \"app.kubernetes.io/part-of\" = \"store\" }\n");
    }
    for subset in SUBSETS {
        out.push_str(&format!("  subset {subset} {{ version = \"{subset}\""));
        if c.chance(15) {
            out.push_str(&format!(" {}", valid_policy(c, namespaced).replace('\n', " ")));
        }
        out.push_str(" }\n");
    }
    if c.chance(70) {
        out.push_str(&format!("  {}\n", valid_policy(c, namespaced)));
    }
    for name in 0..c.below(4) {
        out.push_str(&valid_http_route(c, i, services, &gateways, name));
    }
    let to = |c: &mut Choices| -> String {
        let port = if c.chance(30) { ":8443" } else { "" };
        if c.chance(40) {
            format!("s{i}/v1{port} 70%, s{i}/v2{port} 30%")
        } else {
            format!("s{i}/v1{port}")
        }
    };
    let condition = |c: &mut Choices, tcp: bool| -> String {
        match c.below(if tcp { 6 } else { 5 }) {
            0 => format!("port {}", c.pick(&["27017", "1", "65535"])),
            1 => format!(
                "destination_subnet {}",
                quote(c.pick(&["10.0.0.0/8", "::1", "fe80::/10", "192.168.1.1"]))
            ),
            2 => format!("source {{ app = {} }}", quote(c.pick(&["web", "a.b_c"]))),
            3 => format!("source namespace {}", quote(c.pick(VALID_LABELS))),
            4 if !gateways.is_empty() => format!("gateway {}", quote(c.pick(&gateways))),
            _ if tcp => format!("source_subnet {}", quote(c.pick(&["10.0.0.0/8", "::1"]))),
            _ => format!("port {}", c.pick(&["443", "8443"])),
        }
    };
    if c.chance(15) {
        let condition = condition(c, true);
        let to = to(c);
        out.push_str(&format!("  tcp route {{\n    match {condition}\n    to {to}\n  }}\n"));
    }
    if c.chance(15) {
        // SNI names a host of the VirtualService: its own host by default.
        let sni = host.as_str();
        let condition = condition(c, false);
        let to = to(c);
        out.push_str(&format!(
            "  tls route {{\n    match sni {} and {condition}\n    to {to}\n  }}\n",
            quote(sni)
        ));
    }
    out.push_str("}\n");
}

/// Where a mutation goes: into a route, a policy, or the service block.
enum Place {
    Route,
    Policy,
    Service,
}

/// One edge-case item that may break a rule: an edge route statement,
/// policy field, CORS field or setting, placed into an otherwise valid
/// program.
fn mutation(c: &mut Choices) -> (Place, String) {
    let (a, b) = (c.next() % 10_000, c.next() % 10_000);
    let s = |list: &[&str], i: usize| quote(list[i % list.len()]);
    match c.below(6) {
        0 => (Place::Route, statement(c.next(), a, b)),
        1 => (
            Place::Policy,
            catalogue_fields(catalogue::traffic_policy(), &[(a, b)]).join(""),
        ),
        2 => (Place::Policy, block_list_field(c.next(), a, b)),
        3 => (
            Place::Route,
            format!(
                "cors {{ {} }}",
                catalogue_fields(catalogue::cors_policy(), &[(a, b)]).join("")
            ),
        ),
        4 => (Place::Service, format!("hosts {}", s(HOSTS, a))),
        _ => match c.below(3) {
            0 => (
                Place::Service,
                format!("export_to {}, {}", s(NAMESPACES, a), s(NAMESPACES, b)),
            ),
            1 => (Place::Service, format!("gateways {}, {}", s(STRINGS, a), s(STRINGS, b))),
            _ => (Place::Service, format!("host {}", s(HOSTS, a))),
        },
    }
}

pub(crate) fn program() -> impl Strategy<Value = Program> {
    (any::<bool>(), 1usize..4, prop::collection::vec(any::<u32>(), 64..256)).prop_map(
        |(namespaced, services, picks)| {
            let mut c = Choices { picks: &picks, at: 0 };
            let mut text = String::new();
            if namespaced {
                text.push_str("namespace shop\n");
            }
            for i in 0..services {
                valid_service(&mut c, i, services, namespaced, &mut text);
            }
            // A minority of programs carry one edge value that may break a rule.
            if c.chance(15) {
                let (place, item) = mutation(&mut c);
                let placed = match place {
                    Place::Route => text.replacen("  route {\n", &format!("  route {{\n    {item}\n"), 1),
                    Place::Policy => text.replacen("  policy {\n", &format!("  policy {{\n    {item}\n"), 1),
                    Place::Service => text.replacen("service s0 {\n", &format!("service s0 {{\n  {item}\n"), 1),
                };
                text = if placed == text {
                    text.replacen(
                        "service s0 {\n",
                        &format!("service s0 {{\n  route {{\n    {item}\n    to s0\n  }}\n"),
                        1,
                    )
                } else {
                    placed
                };
            }
            Program { text }
        },
    )
}

fn cases() -> u32 {
    std::env::var("MESHC_WEBHOOK_CASES")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(500)
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

/// The catalogue leaves (scalar fields, scalar list items and map values)
/// that `json` sets, walked beside `field`.
fn covered(json: &Value, field: &Field, out: &mut std::collections::BTreeSet<String>) {
    match (&field.ty, json) {
        (FieldType::Object, Value::Object(map)) => {
            for (key, value) in map {
                if let Some(child) = field.child(key) {
                    covered(value, child, out);
                }
            }
        }
        (FieldType::List, Value::Array(items)) => {
            for item in items {
                covered(item, field.item.as_deref().expect("a list has an item"), out);
            }
        }
        (FieldType::Map, Value::Object(map)) => {
            for value in map.values() {
                covered(value, field.item.as_deref().expect("a map has a value"), out);
            }
        }
        (FieldType::Object | FieldType::List | FieldType::Map, _) => {}
        _ => {
            out.insert(field.path.clone());
        }
    }
}

/// Every scalar leaf below `root`.
fn scalar_leaves(root: &Field) -> Vec<String> {
    catalogue::walk(root)
        .into_iter()
        .filter(|f| !matches!(f.ty, FieldType::Object | FieldType::List | FieldType::Map))
        .map(|f| f.path.clone())
        .collect()
}

/// How much a run of the generator exercises: the share of programs that
/// check clean, and the policy, CORS and VirtualService fields and route
/// statements their builds cover.
struct Coverage {
    programs: usize,
    clean: usize,
    fields: std::collections::BTreeSet<String>,
    statements: std::collections::BTreeSet<String>,
}

fn coverage(programs: usize) -> Coverage {
    let mut runner = proptest::test_runner::TestRunner::deterministic();
    let strategy = program();
    let mut out = Coverage {
        programs,
        clean: 0,
        fields: Default::default(),
        statements: Default::default(),
    };
    let c = catalogue::catalogue();
    for _ in 0..programs {
        let program = strategy.new_tree(&mut runner).expect("a program").current();
        let mut sources = meshc::Sources::default();
        sources.add("gen.mesh", program.text.as_str());
        let (yaml, _) = match meshc::compile(&sources, meshc::emit::ApiVersion::V1) {
            Ok(built) => built,
            Err(e) => {
                if std::env::var_os("MESHC_WEBHOOK_REJECTS").is_some() {
                    for d in e.iter().filter(|d| d.severity == meshc::Severity::Error) {
                        eprintln!("REJECT {} {}", d.code.as_str(), d.message);
                        if std::env::var("MESHC_WEBHOOK_REJECTS").is_ok_and(|code| code == d.code.as_str()) {
                            eprintln!("{}", program.text);
                        }
                    }
                }
                continue;
            }
        };
        out.clean += 1;
        for doc in crate::support::documents(&yaml) {
            let root = if doc["kind"] == "DestinationRule" {
                &c.destination_rule
            } else {
                &c.virtual_service
            };
            covered(&doc["spec"], root, &mut out.fields);
        }
        for line in program.text.lines().map(str::trim) {
            let words: Vec<&str> = line.split_whitespace().take(2).collect();
            if let [first, second] = words.as_slice()
                && STATEMENTS.contains(first)
            {
                out.statements.insert(format!("{first} {}", second.trim_matches('"')));
            }
        }
    }
    out
}

/// Route statements, by their keyword.
const STATEMENTS: &[&str] = &[
    "match", "to", "timeout", "retries", "fault", "mirror", "rewrite", "redirect", "respond", "delegate", "headers",
    "cors",
];

/// A bounded run of the generator is worth running: most programs check
/// clean, and the clean ones set every traffic policy and CORS field and
/// use every route statement.  `MESHC_WEBHOOK_COVERAGE=1` prints the numbers.
#[test]
fn generated_programs_mostly_check_clean_and_cover_every_field() {
    let run = coverage(400);
    let policy = scalar_leaves(catalogue::traffic_policy());
    let cors = scalar_leaves(catalogue::cors_policy());
    let vs = scalar_leaves(&catalogue::catalogue().virtual_service);
    let missing: Vec<&String> = policy
        .iter()
        .chain(&cors)
        .filter(|f| !run.fields.contains(*f))
        .collect();
    let vs_covered = vs.iter().filter(|f| run.fields.contains(*f)).count();
    if std::env::var_os("MESHC_WEBHOOK_COVERAGE").is_some() {
        eprintln!(
            "{} of {} programs check clean; they set {} of {} policy fields, {} of {} CORS fields, {} of {} VirtualService fields; statements: {:?}; VirtualService fields not set: {:?}",
            run.clean,
            run.programs,
            policy.iter().filter(|f| run.fields.contains(*f)).count(),
            policy.len(),
            cors.iter().filter(|f| run.fields.contains(*f)).count(),
            cors.len(),
            vs_covered,
            vs.len(),
            run.statements,
            vs.iter().filter(|f| !run.fields.contains(*f)).collect::<Vec<_>>(),
        );
    }
    assert!(
        run.clean * 10 >= run.programs * 6,
        "only {} of {} check clean",
        run.clean,
        run.programs
    );
    assert!(missing.is_empty(), "no clean program sets {missing:?}");
    let keywords: std::collections::BTreeSet<&str> =
        run.statements.iter().filter_map(|s| s.split(' ').next()).collect();
    assert_eq!(keywords.len(), STATEMENTS.len(), "statements used: {keywords:?}");
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

/// V.go `validateHTTPDirectResponse`: a body of exactly 1 MiB passes, one
/// byte more does not, counted decoded for `bytes` (the UI test
/// E0303-large-direct-response shows the message).
#[test]
fn direct_response_bodies_up_to_one_mebibyte() {
    let build = |body: &str| {
        let text = format!("service s0 {{\n  route {{\n    respond 200 {body}\n  }}\n}}\n");
        let mut sources = meshc::Sources::default();
        sources.add("gen.mesh", text.as_str());
        meshc::compile(&sources, meshc::emit::ApiVersion::V1).is_ok()
    };
    let mib = 1024 * 1024;
    assert!(build(&format!("\"{}\"", "é".repeat(mib / 2))));
    assert!(!build(&format!("\"{}x\"", "é".repeat(mib / 2))));
    // 349,526 groups of 4 base64 characters hold 1,048,578 bytes less the
    // padding: `==` leaves exactly 1 MiB, `=` one byte more.
    let groups = mib / 3 + 1;
    assert!(build(&format!("bytes \"{}==\"", "A".repeat(groups * 4 - 2))));
    assert!(!build(&format!("bytes \"{}=\"", "A".repeat(groups * 4 - 1))));
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
            traffic_policy(&spec["trafficPolicy"], namespace, &mut out);
            for subset in spec["subsets"].as_array().into_iter().flatten() {
                traffic_policy(&subset["trafficPolicy"], namespace, &mut out);
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

fn traffic_policy(tp: &Value, namespace: Option<&str>, out: &mut Vec<String>) {
    if tp.is_null() {
        return;
    }
    let lb = &tp["loadBalancer"];
    let ch = &lb["consistentHash"];
    if ch["maglev"].is_object() && ch["maglev"]["tableSize"].is_null() {
        out.push("maglev without tableSize".into());
    }
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
    client_tls(tls, namespace, out);
    if tls["insecureSkipVerify"] == true
        && ["SIMPLE", "MUTUAL"].contains(&tls["mode"].as_str().unwrap_or(""))
        && (!tls["caCertificates"].is_null() || !tls["subjectAltNames"].is_null())
    {
        out.push("insecureSkipVerify with verification settings".into());
    }
    for port in tp["portLevelSettings"].as_array().into_iter().flatten() {
        traffic_policy(port, namespace, out);
    }
}

/// agent/validation.go `ValidateTLS`: `configmap://` credentials in the
/// rule's namespace, nothing to verify with when verification is skipped,
/// files or a secret, and a client certificate for `MUTUAL`.
fn client_tls(tls: &Value, namespace: Option<&str>, out: &mut Vec<String>) {
    if !tls.is_object() {
        return;
    }
    let text = |k: &str| tls[k].as_str().unwrap_or("");
    let mode = text("mode");
    let credential = text("credentialName");
    if let Some(rest) = credential.strip_prefix("configmap://") {
        let mut parts = rest.split('/');
        let (ns, name) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
        if ns.is_empty() || name.is_empty() || Some(ns) != namespace {
            out.push(format!("credentialName {credential:?} in namespace {namespace:?}"));
        }
    }
    if tls["insecureSkipVerify"] == true && mode == "SIMPLE" && !credential.is_empty() {
        out.push("insecureSkipVerify with credentialName".into());
    }
    let files = ["clientCertificate", "caCertificates", "privateKey", "caCrl"];
    if ["SIMPLE", "MUTUAL"].contains(&mode) && !credential.is_empty() {
        if files.iter().any(|f| !text(f).is_empty()) {
            out.push("credentialName with certificate files".into());
        }
    } else if mode == "MUTUAL" && (text("clientCertificate").is_empty() || text("privateKey").is_empty()) {
        out.push("MUTUAL without client certificate and key".into());
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
    // VS.go `validateHTTPRoute`: nothing to rewrite in an answered request.
    if !route["rewrite"].is_null() && (redirect.is_object() || route["directResponse"].is_object()) {
        out.push("rewrite with redirect or directResponse".into());
    }
    // V.go `validateHTTPRedirect`: a prefix rewrite needs prefix matches.
    if redirect["prefixRewrite"].as_str().is_some_and(|p| !p.is_empty()) {
        for m in route["match"].as_array().into_iter().flatten() {
            if m["uri"].is_object() && m["uri"]["prefix"].is_null() {
                out.push(format!("redirect prefixRewrite with uri match {}", m["uri"]));
            }
        }
    }
    // V.go `validateHTTPDirectResponse`: bodies up to 1 MiB.
    let body = &route["directResponse"]["body"];
    let size = body["string"].as_str().map(str::len).or_else(|| {
        body["bytes"]
            .as_str()
            .map(|b| b.len() / 4 * 3 - (b.len() - b.trim_end_matches('=').len()))
    });
    if size.is_some_and(|n| n > 1024 * 1024) {
        out.push(format!("directResponse body of {size:?} bytes"));
    }
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
