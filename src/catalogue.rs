//! Istio's field catalogue: every field of DestinationRule and
//! VirtualService (networking.istio.io/v1) with its type, allowed values,
//! a one-line doc and its reference page.
//!
//! Invariant: the catalogue is derived from the CRD schemas in `schema/`
//! (copied from istio/api, see `schema/SOURCE.md`) plus our own one-line
//! docs in `schema/field-docs.tsv`, so it cannot drift from what the cluster
//! accepts.  The checker, the emitter's key order, completion and hover all
//! read it from here.

// Indexing a `serde_json::Value` by key never panics (a missing key gives
// `Null`), which is what reading an optional schema attribute wants.
#![allow(clippy::indexing_slicing)]

use foldhash::{HashMap, HashMapExt};
use std::sync::OnceLock;

use serde_json::Value as Json;

const DESTINATION_RULE_SCHEMA: &str = include_str!("../schema/destinationrule.v1.schema.json");
const VIRTUAL_SERVICE_SCHEMA: &str = include_str!("../schema/virtualservice.v1.schema.json");
const FIELD_DOCS: &str = include_str!("../schema/field-docs.tsv");

/// Where Istio's reference pages live; a field's anchor is appended.
pub const REFERENCE_BASE: &str = "https://istio.io/latest/docs/reference/config/networking/";

/// String fields that hold a duration although the schema has no CEL rule
/// saying so; Istio decodes them as durations (and allows zero).
const DURATIONS_WITHOUT_RULE: &[&str] = &["idleTimeout", "ttl", "budgetInterval"];

/// Groups of fields of which at most one may be set, that Istio's webhook
/// enforces but the schema does not state (the schema's own `oneOf` groups
/// are read from it).
const EXTRA_EXCLUSIVE: &[(&str, &[&str])] = &[
    (
        "consistentHash",
        &["httpHeaderName", "httpCookie", "useSourceIp", "httpQueryParameterName"],
    ),
    ("consistentHash", &["ringHash", "maglev", "minimumRingSize"]),
    ("loadBalancer", &["localityLbSetting", "zoneAwareLbSetting"]),
    ("localityLbSetting", &["distribute", "failover"]),
    ("trafficPolicy", &["tunnel", "proxyProtocol"]),
];

/// Ranges Istio's webhook enforces on integer fields beyond the schema's
/// int32/uint32 bounds, by the end of the field's path.
const EXTRA_RANGES: &[(&str, i64, i64)] = &[
    ("outlierDetection.maxEjectionPercent", 0, 100),
    ("outlierDetection.minHealthPercent", 0, 100),
    ("outlierDetection.consecutiveErrors", 0, i32::MAX as i64),
    ("http.http1MaxPendingRequests", 0, i32::MAX as i64),
    ("http.http2MaxRequests", 0, i32::MAX as i64),
    ("http.maxRequestsPerConnection", 0, i32::MAX as i64),
    ("http.maxRetries", 0, i32::MAX as i64),
    ("http.maxConcurrentStreams", 0, i32::MAX as i64),
    ("tcp.maxConnections", 0, i32::MAX as i64),
    ("tunnel.targetPort", 1, 65535),
    ("port.number", 1, 65535),
    // V.go `validateLoadBalancer`: not 0, below 5000011 and prime (Envoy's
    // isPrime also counts 1; meshc keeps to real primes).
    ("maglev.tableSize", 2, 4_999_999),
    // A.go `ValidateLocalityLbSetting`: each weight in 1..100.
    ("distribute[].to.{}", 1, 100),
    // V.go `validateHTTPDirectResponse`: "status must be between 200 and 599".
    ("directResponse.status", 200, 599),
    // V.go `validateHTTPFaultInjectionAbort` lets 600 through; meshc keeps
    // to the statuses HTTP defines, as for direct responses.
    ("abort.httpStatus", 200, 599),
];

/// HTTP methods a CORS policy may allow (V.go `validateCORSHTTPMethod`,
/// case-sensitive).
const CORS_METHODS: &[&str] = &[
    "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "CONNECT", "OPTIONS", "TRACE", "*",
];

/// Tunnel protocols (V.go `validateTunnelSettings`; "" means CONNECT, but
/// meshc asks for the name).
const TUNNEL_PROTOCOLS: &[&str] = &["CONNECT", "POST"];

/// Children that Istio's webhook requires although the schema does not,
/// by the end of the block's path.
const EXTRA_REQUIRED: &[(&str, &[&str])] = &[
    // V.go `validateConnectionPool`: "http2 keepalive interval/timeout is required".
    ("http2KeepAlive", &["interval", "timeout"]),
    // V.go `validateLoadBalancer`: "tableSize must be set for maglev" (an
    // absent size reads as 0).
    ("maglev", &["tableSize"]),
];

/// Rules Istio's webhook applies to a field's value beyond its type, by the
/// end of the field's path.
const RULES: &[(&str, Rule)] = &[
    ("corsPolicy.allowMethods[]", Rule::OneOf(CORS_METHODS)),
    ("tunnel.protocol", Rule::OneOf(TUNNEL_PROTOCOLS)),
    // V.go `validateAllowOrigins`: the set one-of value is non-empty.
    ("allowOrigins[].exact", Rule::NonEmpty),
    ("allowOrigins[].prefix", Rule::NonEmpty),
    // V.go `ValidateCORSHTTPHeaderName`: `*` or an RFC 7230 token.
    ("corsPolicy.allowHeaders[]", Rule::HeaderName),
    ("corsPolicy.exposeHeaders[]", Rule::HeaderName),
    // V.go `validateCORSPolicy`: maxAge has no nanoseconds part.
    ("corsPolicy.maxAge", Rule::WholeSeconds),
    // V.go `validateLoadBalancer`: `isPrime(tableSize)`.
    ("maglev.tableSize", Rule::Prime),
    // V.go `validateLoadBalancer`: "aggression must be greater than 0".
    ("warmup.aggression", Rule::Positive),
    // V.go `validateLoadBalancer`: cookie and attribute names are required.
    ("httpCookie.name", Rule::NonEmpty),
    ("httpCookie.attributes[].name", Rule::NonEmpty),
    // A.go `validateLocalities` (via `ValidateLocalityLbSetting`).
    ("distribute[].from", Rule::Locality),
    ("distribute[].to", Rule::Locality),
    // A.go `ValidateLocalityLbSetting`: failover names regions only.
    ("failover[].from", Rule::Region),
    ("failover[].to", Rule::Region),
    // V.go `validateTunnelSettings`: `ValidateFQDN` or `ValidateIPAddress`.
    ("tunnel.targetHost", Rule::HostOrIp),
    // A.go `ValidateTLS` reads an empty secret or file as unset: `MUTUAL`
    // with `clientCertificate = ""` has no certificate.
    ("tls.credentialName", Rule::NonEmpty),
    ("tls.clientCertificate", Rule::NonEmpty),
    ("tls.privateKey", Rule::NonEmpty),
    ("tls.caCertificates", Rule::NonEmpty),
    ("tls.caCrl", Rule::NonEmpty),
];

/// A rule on a field's value that Istio's webhook enforces beyond the
/// value's type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rule {
    /// One of these strings, case-sensitive.
    OneOf(&'static [&'static str]),
    /// A string that is not empty.
    NonEmpty,
    /// A header name in a CORS policy: `*` or an RFC 7230 token.
    HeaderName,
    /// A duration in whole seconds.
    WholeSeconds,
    /// A prime number.
    Prime,
    /// A number above 0.
    Positive,
    /// A locality `region[/zone[/subzone]]`, maybe ending in `*` (for a
    /// map, its keys).
    Locality,
    /// A region alone: no `/` and no `*`.
    Region,
    /// A DNS name without wildcard, or an IP address.
    HostOrIp,
}

/// Blocks Istio's webhook rejects when they set nothing, by the end of
/// their path.
const NON_EMPTY: &[&str] = &[
    "trafficPolicy",
    "portLevelSettings[]",
    "connectionPool",
    "allowOrigins[]",
];

/// Fields Istio keeps for compatibility but tells users to replace, by the
/// end of their path.
const DEPRECATED: &[(&str, &str)] = &[
    ("outlierDetection.consecutiveErrors", "consecutive5xxErrors"),
    ("loadBalancer.warmupDurationSecs", "warmup.duration"),
    ("consistentHash.minimumRingSize", "ringHash.minimumRingSize"),
    ("corsPolicy.allowOrigin", "allowOrigins"),
    ("http[].mirrorPercent", "mirrorPercentage"),
    ("http[].mirror_percent", "mirrorPercentage"),
    ("fault.delay.percent", "percentage"),
];

/// Enum constants Istio keeps for compatibility but tells users to replace,
/// by the end of the field's path: (path, constant, replacement).  The
/// schema lists them among the others without a word; istio/api's
/// destination_rule.proto documents `LEAST_CONN` as "Deprecated. Use
/// LEAST_REQUEST instead.".
const DEPRECATED_VALUES: &[(&str, &str, &str)] = &[("loadBalancer.simple", "LEAST_CONN", "LEAST_REQUEST")];

/// What replaces the deprecated enum constant `value` of `field`, if it is one.
pub fn deprecated_value(field: &Field, value: &str) -> Option<&'static str> {
    DEPRECATED_VALUES
        .iter()
        .find(|(path, constant, _)| *constant == value && field.path.ends_with(path))
        .map(|(_, _, new)| *new)
}

/// The type of a field's value.
#[derive(Clone, Debug, PartialEq)]
pub enum FieldType {
    /// A message with named fields ([`Field::children`]).
    Object,
    /// A list; [`Field::item`] describes the elements.
    List,
    /// A map from string keys; [`Field::item`] describes the values.
    Map,
    /// Free text.
    String,
    /// Base64 bytes.
    Bytes,
    /// A Go duration; `at_least_1ms` when Istio refuses anything shorter.
    Duration {
        /// Whether the value must be at least one millisecond.
        at_least_1ms: bool,
    },
    /// One of a fixed set of constants.
    Enum(Vec<String>),
    /// A whole number in `min..=max`.
    Integer {
        /// Smallest allowed.
        min: i64,
        /// Largest allowed.
        max: i64,
    },
    /// A decimal number, optionally bounded.
    Number {
        /// Smallest allowed.
        min: Option<f64>,
        /// Largest allowed.
        max: Option<f64>,
    },
    /// `true` or `false`.
    Bool,
}

impl FieldType {
    /// How the type reads in messages and in editors ("a duration").
    pub fn describe(&self) -> String {
        match self {
            FieldType::Object => "a block of fields".into(),
            FieldType::List => "a list".into(),
            FieldType::Map => "a map".into(),
            FieldType::String => "a string".into(),
            FieldType::Bytes => "a base64 string".into(),
            FieldType::Duration { .. } => "a duration such as 10s".into(),
            FieldType::Enum(_) => "one of the allowed constants".into(),
            FieldType::Integer { min, max } => match (*min, *max) {
                (0, i64::MAX) => "a whole number ≥ 0".into(),
                (min, i64::MAX) => format!("a whole number ≥ {min}"),
                (min, max) => format!("a whole number in {min}..{max}"),
            },
            FieldType::Number { .. } => "a number".into(),
            FieldType::Bool => "`true` or `false`".into(),
        }
    }

    /// A short type name for editors ("duration", "int32", "enum").
    pub fn short_name(&self) -> &'static str {
        match self {
            FieldType::Object => "block",
            FieldType::List => "list",
            FieldType::Map => "map",
            FieldType::String => "string",
            FieldType::Bytes => "bytes",
            FieldType::Duration { .. } => "duration",
            FieldType::Enum(_) => "enum",
            FieldType::Integer { .. } => "integer",
            FieldType::Number { .. } => "number",
            FieldType::Bool => "bool",
        }
    }
}

/// One field of the catalogue.
#[derive(Clone, Debug)]
pub struct Field {
    /// Istio's field name (`maxConnections`); `[]` for list elements and
    /// `{}` for map values.
    pub name: String,
    /// The path from the resource's `spec` (`trafficPolicy.connectionPool.tcp.maxConnections`).
    pub path: String,
    /// The value's type.
    pub ty: FieldType,
    /// One line saying what the field does.
    pub doc: String,
    /// The reference page anchor (`destination-rule/#ConnectionPoolSettings-TCPSettings`).
    pub anchor: String,
    /// Fields of an object, in Istio's documented order.
    pub children: Vec<Field>,
    /// The element of a list or the value of a map.
    pub item: Option<Box<Field>>,
    /// Groups of children of which at most one may be set.
    pub exclusive: Vec<Vec<String>>,
    /// For a deprecated field, what to use instead.
    pub replaced_by: Option<&'static str>,
    /// Children that must be set when this block is.
    pub required: Vec<String>,
    /// Whether Istio rejects this block when it sets nothing.
    pub non_empty: bool,
    /// What Istio's webhook requires of the value beyond its type.
    pub rule: Option<Rule>,
}

/// Fields are the same when they are at the same place in the API.
impl PartialEq for Field {
    fn eq(&self, other: &Field) -> bool {
        self.path == other.path && self.name == other.name
    }
}

impl Field {
    /// The child named `name`.
    pub fn child(&self, name: &str) -> Option<&Field> {
        self.children.iter().find(|c| c.name == name)
    }

    /// The position of child `name` in Istio's order (for emitting keys).
    pub fn child_index(&self, name: &str) -> usize {
        self.children.iter().position(|c| c.name == name).unwrap_or(usize::MAX)
    }

    /// The field at a dotted path below this one.
    pub fn descend(&self, path: &str) -> Option<&Field> {
        path.split('.').try_fold(self, |field, name| field.child(name))
    }

    /// The full reference URL.
    pub fn url(&self) -> String {
        format!("{REFERENCE_BASE}{}", self.anchor)
    }
}

/// The whole catalogue.
#[derive(Debug)]
pub struct Catalogue {
    /// `spec` of a DestinationRule.
    pub destination_rule: Field,
    /// `spec` of a VirtualService.
    pub virtual_service: Field,
}

/// The catalogue, built on first use from the embedded schemas.
pub fn catalogue() -> &'static Catalogue {
    static CATALOGUE: OnceLock<Catalogue> = OnceLock::new();
    CATALOGUE.get_or_init(build)
}

/// A field of an HTTP route of a VirtualService (`http[]`), by its path
/// from the route (`redirect.derivePort`): what route statements set.
pub fn http_route_field(path: &str) -> Option<&'static Field> {
    catalogue()
        .virtual_service
        .descend("http")
        .and_then(|http| http.item.as_deref())
        .and_then(|route| route.descend(path))
}

/// The bounds of an integer field (`i64` bounds for any other).
pub fn integer_range(field: Option<&Field>) -> (i64, i64) {
    match field.map(|f| &f.ty) {
        Some(FieldType::Integer { min, max }) => (*min, *max),
        _ => (i64::MIN, i64::MAX),
    }
}

/// The constants of an enum field (none for any other).
pub fn enum_values(field: Option<&Field>) -> &[String] {
    match field.map(|f| &f.ty) {
        Some(FieldType::Enum(values)) => values,
        _ => &[],
    }
}

/// `spec.trafficPolicy` of a DestinationRule: what `policy { }` sets.
pub fn traffic_policy() -> &'static Field {
    static EMPTY: OnceLock<Field> = OnceLock::new();
    catalogue()
        .destination_rule
        .child("trafficPolicy")
        .unwrap_or_else(|| EMPTY.get_or_init(|| empty("trafficPolicy")))
}

/// What a `port N { ... }` block of a policy may set: an item of
/// `trafficPolicy.portLevelSettings` without its `port`, which `port N`
/// gives (a second `port` would write the key twice, which Istio's strict
/// decoding refuses).  The checker and completion both read it.
pub fn port_block() -> &'static Field {
    static PORT_BLOCK: OnceLock<Field> = OnceLock::new();
    PORT_BLOCK.get_or_init(|| {
        let mut block = port_level_settings().clone();
        block.children.retain(|c| c.name != "port");
        block.exclusive.retain(|group| !group.iter().any(|name| name == "port"));
        block.required.retain(|name| name != "port");
        block
    })
}

/// An item of `trafficPolicy.portLevelSettings`, `port` included.
pub fn port_level_settings() -> &'static Field {
    static EMPTY: OnceLock<Field> = OnceLock::new();
    traffic_policy()
        .child("portLevelSettings")
        .and_then(|f| f.item.as_deref())
        .unwrap_or_else(|| EMPTY.get_or_init(|| empty("portLevelSettings[]")))
}

/// `http[].corsPolicy` of a VirtualService: what `cors { }` sets.
pub fn cors_policy() -> &'static Field {
    static EMPTY: OnceLock<Field> = OnceLock::new();
    catalogue()
        .virtual_service
        .descend("http")
        .and_then(|http| http.item.as_deref())
        .and_then(|route| route.child("corsPolicy"))
        .unwrap_or_else(|| EMPTY.get_or_init(|| empty("corsPolicy")))
}

fn empty(name: &str) -> Field {
    Field {
        name: name.into(),
        path: name.into(),
        ty: FieldType::Object,
        doc: String::new(),
        anchor: String::new(),
        children: Vec::new(),
        item: None,
        exclusive: Vec::new(),
        replaced_by: None,
        required: Vec::new(),
        non_empty: false,
        rule: None,
    }
}

/// `(kind, path)` → `(doc, anchor, row)`; the row order of the docs file is
/// Istio's documented field order.
type Docs = HashMap<(String, String), (String, String, usize)>;

fn build() -> Catalogue {
    let mut docs: Docs = HashMap::new();
    for (row, line) in FIELD_DOCS.lines().skip(1).enumerate() {
        let mut cols = line.split('\t');
        if let (Some(kind), Some(path), Some(doc), Some(anchor)) = (cols.next(), cols.next(), cols.next(), cols.next())
        {
            docs.insert((kind.into(), path.into()), (doc.into(), anchor.into(), row));
        }
    }
    let root = |schema: &str, kind: &str| -> Field {
        let json: Json = serde_json::from_str(schema).unwrap_or(Json::Null);
        let spec = &json["properties"]["spec"];
        let mut field = read_field(kind, "spec", "", spec, &docs);
        field.path = String::new();
        field
    };
    Catalogue {
        destination_rule: root(DESTINATION_RULE_SCHEMA, "DestinationRule"),
        virtual_service: root(VIRTUAL_SERVICE_SCHEMA, "VirtualService"),
    }
}

fn read_field(kind: &str, name: &str, path: &str, schema: &Json, docs: &Docs) -> Field {
    let (doc, anchor, _) = docs
        .get(&(kind.to_string(), path.to_string()))
        .cloned()
        .unwrap_or_default();
    let mut field = Field {
        name: name.into(),
        path: path.into(),
        ty: FieldType::String,
        doc,
        anchor,
        children: Vec::new(),
        item: None,
        exclusive: Vec::new(),
        replaced_by: DEPRECATED
            .iter()
            .find(|(old, _)| path.ends_with(old))
            .map(|(_, new)| *new),
        required: schema["required"]
            .as_array()
            .map(|names| names.iter().filter_map(|n| n.as_str().map(String::from)).collect())
            .unwrap_or_default(),
        non_empty: NON_EMPTY.iter().any(|suffix| path.ends_with(suffix)),
        rule: RULES
            .iter()
            .find(|(suffix, _)| path.ends_with(suffix))
            .map(|(_, rule)| *rule),
    };
    if let Some((_, extra)) = EXTRA_REQUIRED.iter().find(|(suffix, _)| path.ends_with(suffix)) {
        field.required.extend(extra.iter().map(|n| n.to_string()));
    }
    let child_path = |child: &str| {
        if path.is_empty() {
            child.to_string()
        } else {
            format!("{path}.{child}")
        }
    };
    match schema["type"].as_str() {
        Some("object") => {
            if let Some(properties) = schema["properties"].as_object() {
                field.ty = FieldType::Object;
                field.children = properties
                    .iter()
                    .map(|(child, sub)| read_field(kind, child, &child_path(child), sub, docs))
                    .collect();
                // Emit and complete fields in the order Istio documents
                // them; those it does not document, by name.
                field.children.sort_by_cached_key(|c| {
                    let documented = docs
                        .get(&(kind.to_string(), c.path.clone()))
                        .map_or(usize::MAX, |d| d.2);
                    (documented, c.path.clone())
                });
                field.exclusive = exclusive_groups(name, schema);
            } else {
                field.ty = FieldType::Map;
                let item_path = format!("{path}.{{}}");
                let value = &schema["additionalProperties"];
                let mut item = read_field(kind, "{}", &item_path, value, docs);
                if item.doc.is_empty() {
                    item.doc = field.doc.clone();
                    item.anchor = field.anchor.clone();
                }
                field.item = Some(Box::new(item));
            }
        }
        Some("array") => {
            field.ty = FieldType::List;
            let mut item = read_field(kind, "[]", &format!("{path}[]"), &schema["items"], docs);
            if item.doc.is_empty() {
                item.doc = field.doc.clone();
                item.anchor = field.anchor.clone();
            }
            field.item = Some(Box::new(item));
        }
        Some("integer") => {
            let (mut min, mut max) = match schema["format"].as_str() {
                Some("int32") => (i64::from(i32::MIN), i64::from(i32::MAX)),
                _ => (0, i64::from(u32::MAX)),
            };
            if let Some(m) = schema["minimum"].as_i64() {
                min = m;
            }
            if let Some(m) = schema["maximum"].as_i64() {
                max = m;
            }
            if let Some((_, lo, hi)) = EXTRA_RANGES.iter().find(|(suffix, _, _)| path.ends_with(suffix)) {
                (min, max) = (*lo, *hi);
            }
            field.ty = FieldType::Integer { min, max };
        }
        Some("number") => {
            field.ty = FieldType::Number {
                min: schema["minimum"].as_f64(),
                max: schema["maximum"].as_f64(),
            };
        }
        Some("boolean") => field.ty = FieldType::Bool,
        _ => {
            field.ty = if let Some(values) = schema["enum"].as_array() {
                FieldType::Enum(values.iter().filter_map(|v| v.as_str().map(String::from)).collect())
            } else if schema["format"].as_str() == Some("byte") {
                FieldType::Bytes
            } else if has_duration_rule(schema) {
                FieldType::Duration { at_least_1ms: true }
            } else if DURATIONS_WITHOUT_RULE.contains(&name) {
                FieldType::Duration { at_least_1ms: false }
            } else {
                FieldType::String
            };
        }
    }
    field
}

fn has_duration_rule(schema: &Json) -> bool {
    schema["x-kubernetes-validations"].as_array().is_some_and(|rules| {
        rules
            .iter()
            .any(|r| r["rule"].as_str().is_some_and(|s| s.contains("duration(")))
    })
}

/// The schema's `oneOf: [{required: [a]}, {required: [b]}, ...]` groups, plus
/// the webhook's groups for this object.
fn exclusive_groups(name: &str, schema: &Json) -> Vec<Vec<String>> {
    let mut groups = Vec::new();
    if let Some(one_of) = schema["oneOf"].as_array() {
        let group: Vec<String> = one_of
            .iter()
            .filter_map(|branch| branch["required"].as_array())
            .flat_map(|required| required.iter().filter_map(|r| r.as_str().map(String::from)))
            .collect();
        if group.len() > 1 {
            groups.push(group);
        }
    }
    for (owner, group) in EXTRA_EXCLUSIVE {
        if *owner == name {
            groups.push(group.iter().map(|s| s.to_string()).collect());
        }
    }
    groups
}

/// The paths from `block` (`tcp.maxConnections`) of the fields named `name`
/// below it, through blocks only (a list's items or a map's values cannot
/// be reached by a dotted path), leaving out deprecated fields and `block`'s
/// own children.
pub fn paths_to(block: &Field, name: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack: Vec<(&Field, String)> = block
        .children
        .iter()
        .rev()
        .filter(|c| c.ty == FieldType::Object)
        .map(|c| (c, c.name.clone()))
        .collect();
    while let Some((field, path)) = stack.pop() {
        for child in &field.children {
            if child.name == name && child.replaced_by.is_none() {
                out.push(format!("{path}.{name}"));
            }
        }
        stack.extend(
            field
                .children
                .iter()
                .rev()
                .filter(|c| c.ty == FieldType::Object)
                .map(|c| (c, format!("{path}.{}", c.name))),
        );
    }
    out
}

/// Every field below `root`, depth first, in catalogue order.
pub fn walk(root: &Field) -> Vec<&Field> {
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(field) = stack.pop() {
        out.push(field);
        if let Some(item) = &field.item {
            stack.push(item);
        }
        stack.extend(field.children.iter().rev());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The route checks read these; a wrong path would silently widen them.
    #[test]
    fn route_fields_the_checker_reads_resolve() {
        let range = |path: &str| integer_range(http_route_field(path));
        assert_eq!(range("directResponse.status"), (200, 599));
        assert_eq!(range("fault.abort.httpStatus"), (200, 599));
        assert!(http_route_field("retries.attempts").is_some());
        let derive = enum_values(http_route_field("redirect.derivePort"));
        assert!(derive.iter().any(|v| v == "FROM_REQUEST_PORT"), "{derive:?}");
    }

    #[test]
    fn knows_traffic_policy_types() {
        let tp = traffic_policy();
        let simple = tp.descend("loadBalancer.simple").map(|f| &f.ty);
        assert!(matches!(simple, Some(FieldType::Enum(v)) if v.iter().any(|e| e == "ROUND_ROBIN")));
        let interval = tp.descend("outlierDetection.interval").map(|f| &f.ty);
        assert_eq!(interval, Some(&FieldType::Duration { at_least_1ms: true }));
        let ttl = tp.descend("loadBalancer.consistentHash.httpCookie.ttl").map(|f| &f.ty);
        assert_eq!(ttl, Some(&FieldType::Duration { at_least_1ms: false }));
        let lb = tp
            .child("loadBalancer")
            .map(|f| f.exclusive.clone())
            .unwrap_or_default();
        assert!(lb.contains(&vec!["simple".to_string(), "consistentHash".to_string()]));
        assert!(!cors_policy().children.is_empty());
    }

    /// Where a field written one level too high really lives.
    #[test]
    fn paths_to_a_field_below_a_block() {
        let tp = traffic_policy();
        assert_eq!(
            paths_to(tp, "consecutive5xxErrors"),
            ["outlierDetection.consecutive5xxErrors"]
        );
        let pool = tp.child("connectionPool").map(|p| paths_to(p, "maxConnections"));
        assert_eq!(pool.as_deref(), Some(&["tcp.maxConnections".to_string()][..]));
        // A deprecated field is never a suggestion.
        assert!(paths_to(tp, "consecutiveErrors").is_empty());
        // Its own children are not "below" a block, and lists are not walked.
        assert!(paths_to(tp, "loadBalancer").is_empty());
        assert!(paths_to(tp, "port").is_empty());
        assert!(paths_to(tp, "interval").len() > 1);
    }

    /// The deprecated constants name constants the schema still has.
    #[test]
    fn deprecated_constants_are_in_the_schema() {
        let simple = traffic_policy().descend("loadBalancer.simple");
        assert!(enum_values(simple).iter().any(|v| v == "LEAST_CONN"));
        assert!(enum_values(simple).iter().any(|v| v == "LEAST_REQUEST"));
        assert_eq!(
            simple.and_then(|f| deprecated_value(f, "LEAST_CONN")),
            Some("LEAST_REQUEST")
        );
        assert_eq!(simple.and_then(|f| deprecated_value(f, "RANDOM")), None);
    }

    #[test]
    fn every_field_has_a_doc_and_an_anchor() {
        let c = catalogue();
        for root in [&c.destination_rule, &c.virtual_service] {
            for field in walk(root).into_iter().skip(1) {
                if field.name == "[]" || field.name == "{}" {
                    continue;
                }
                assert!(!field.doc.is_empty(), "no doc for {}", field.path);
                assert!(!field.anchor.is_empty(), "no anchor for {}", field.path);
            }
        }
    }
}
