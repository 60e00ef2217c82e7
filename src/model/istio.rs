//! The Istio resources meshc emits, as typed structs.
//!
//! Only these types derive `Serialize`.  Field order is Istio's documented
//! order; empty lists, maps and absent options are left out, as `kubectl get
//! -o yaml` would show them.  Traffic and CORS policies are [`Node`] trees
//! whose keys the checker already put in the catalogue's order.

use serde::ser::{SerializeMap, SerializeSeq};
use serde::{Serialize, Serializer};

/// One Kubernetes object.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Resource {
    /// `networking.istio.io/v1` (or the requested version).
    pub api_version: &'static str,
    /// `DestinationRule` or `VirtualService`.
    pub kind: &'static str,
    /// Name and namespace.
    pub metadata: Metadata,
    /// The resource's spec.
    pub spec: Spec,
}

/// `metadata`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metadata {
    /// The object name.
    pub name: String,
    /// The namespace, when the program declares one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// Labels of the resource (`labels { }`).
    #[serde(skip_serializing_if = "Pairs::is_empty")]
    pub labels: Pairs<String>,
    /// Annotations of the resource (`annotations { }`).
    #[serde(skip_serializing_if = "Pairs::is_empty")]
    pub annotations: Pairs<String>,
}

/// The spec of either kind.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(untagged)]
pub enum Spec {
    /// A DestinationRule's spec.
    DestinationRule(DestinationRuleSpec),
    /// A VirtualService's spec.
    VirtualService(VirtualServiceSpec),
}

/// A map that keeps insertion order (labels, header values, matches by name).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Pairs<T>(pub Vec<(String, T)>);

impl<T> Pairs<T> {
    /// Whether there are no entries.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl<T: Serialize> Serialize for Pairs<T> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.0.len()))?;
        for (key, value) in &self.0 {
            map.serialize_entry(key, value)?;
        }
        map.end()
    }
}

/// A value set through the field catalogue (`policy { }`, `cors { }`).
#[derive(Clone, Debug, PartialEq)]
pub enum Node {
    /// A string, enum constant or duration.
    Str(String),
    /// A whole number.
    Int(i64),
    /// A decimal number.
    Float(f64),
    /// A boolean.
    Bool(bool),
    /// A list.
    List(Vec<Node>),
    /// Fields or map entries, in the order to emit them.
    Object(Vec<(String, Node)>),
}

impl Serialize for Node {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Node::Str(s) => serializer.serialize_str(s),
            Node::Int(i) => serializer.serialize_i64(*i),
            Node::Float(f) => serializer.serialize_f64(*f),
            Node::Bool(b) => serializer.serialize_bool(*b),
            Node::List(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Node::Object(entries) => {
                let mut map = serializer.serialize_map(Some(entries.len()))?;
                for (key, value) in entries {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }
    }
}

/// A DestinationRule's spec.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DestinationRuleSpec {
    /// The service host.
    pub host: String,
    /// The service-wide policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic_policy: Option<Node>,
    /// The subsets.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub subsets: Vec<SubsetSpec>,
    /// Visibility.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub export_to: Vec<String>,
    /// The workloads the rule applies to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workload_selector: Option<WorkloadSelector>,
}

/// `workloadSelector`.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkloadSelector {
    /// Pod labels.
    pub match_labels: Pairs<String>,
}

/// A DestinationRule subset.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SubsetSpec {
    /// The subset name.
    pub name: String,
    /// Pod labels.
    #[serde(skip_serializing_if = "Pairs::is_empty")]
    pub labels: Pairs<String>,
    /// The subset's policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub traffic_policy: Option<Node>,
}

/// A VirtualService's spec.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VirtualServiceSpec {
    /// The hosts the routes apply to; none for a delegate, whose routes
    /// apply where another VirtualService's `delegate` hands requests over
    /// (see [`crate::model::Program::delegate`]).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hosts: Vec<String>,
    /// Gateways (absent means the mesh).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gateways: Vec<String>,
    /// HTTP routes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub http: Vec<HttpRoute>,
    /// TLS routes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tls: Vec<TlsRoute>,
    /// TCP routes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tcp: Vec<TcpRoute>,
    /// Visibility.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub export_to: Vec<String>,
}

/// An HTTP route.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpRoute {
    /// The route name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Match requests (any of them).
    #[serde(rename = "match", skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<HttpMatch>,
    /// Weighted destinations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub route: Vec<HttpRouteDestination>,
    /// A redirect instead of forwarding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect: Option<Redirect>,
    /// A fixed response instead of forwarding.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub direct_response: Option<DirectResponse>,
    /// Another VirtualService decides.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delegate: Option<Delegate>,
    /// Path or authority rewrite.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rewrite: Option<Rewrite>,
    /// Request timeout.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeout: Option<String>,
    /// Retry policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retries: Option<Retries>,
    /// Fault injection.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fault: Option<Fault>,
    /// One mirror destination.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror: Option<Destination>,
    /// Several mirror destinations.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub mirrors: Vec<Mirror>,
    /// The share mirrored to `mirror`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mirror_percentage: Option<Percent>,
    /// CORS policy.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cors_policy: Option<Node>,
    /// Header edits.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<Headers>,
}

/// One HTTP match request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct HttpMatch {
    /// The match's name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<StringMatch>,
    /// Scheme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<StringMatch>,
    /// Method.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<StringMatch>,
    /// Authority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority: Option<StringMatch>,
    /// Headers that must match.
    #[serde(skip_serializing_if = "Pairs::is_empty")]
    pub headers: Pairs<StringMatch>,
    /// The port the request arrived on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    /// Labels of the calling workload.
    #[serde(skip_serializing_if = "Pairs::is_empty")]
    pub source_labels: Pairs<String>,
    /// Gateways this match applies to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gateways: Vec<String>,
    /// Query parameters that must match.
    #[serde(skip_serializing_if = "Pairs::is_empty")]
    pub query_params: Pairs<StringMatch>,
    /// Compare the path case-insensitively.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ignore_uri_case: Option<bool>,
    /// Headers that must not match.
    #[serde(skip_serializing_if = "Pairs::is_empty")]
    pub without_headers: Pairs<StringMatch>,
    /// Namespace of the calling workload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_namespace: Option<String>,
    /// Prefix of the match's statistics.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stat_prefix: Option<String>,
}

/// `exact`, `prefix` or `regex`; all absent tests presence only.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
pub struct StringMatch {
    /// Equal to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exact: Option<String>,
    /// Starts with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix: Option<String>,
    /// Matches the RE2 regex.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub regex: Option<String>,
}

/// A destination with its weight and header edits.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct HttpRouteDestination {
    /// Where.
    pub destination: Destination,
    /// Share of traffic, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<i64>,
    /// Header edits for this destination's traffic only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headers: Option<Headers>,
}

/// A TCP or TLS destination with its weight.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RouteDestination {
    /// Where.
    pub destination: Destination,
    /// Share of traffic, in percent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub weight: Option<i64>,
}

/// A service, subset and port.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct Destination {
    /// The host.
    pub host: String,
    /// The subset.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subset: Option<String>,
    /// The port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<PortSelector>,
}

/// `port: {number: N}`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct PortSelector {
    /// The port number.
    pub number: u32,
}

/// `{value: P}`: a percentage.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Percent {
    /// 0 to 100.
    pub value: f64,
}

/// An HTTP redirect.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Redirect {
    /// New path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// New authority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// New port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    /// How to pick the port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub derive_port: Option<String>,
    /// New scheme.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scheme: Option<String>,
    /// Status code.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect_code: Option<u32>,
    /// New path prefix, replacing the matched prefix.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub prefix_rewrite: Option<String>,
}

/// A fixed response.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DirectResponse {
    /// Status code.
    pub status: u32,
    /// Body.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<Body>,
}

/// A response body: text or base64 bytes.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Body {
    /// The body text.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub string: Option<String>,
    /// The body as base64.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bytes: Option<String>,
}

/// Delegation to another VirtualService.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Delegate {
    /// Its name.
    pub name: String,
    /// Its namespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
}

/// A rewrite.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Rewrite {
    /// New path (prefix).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri: Option<String>,
    /// New authority.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub authority: Option<String>,
    /// Regex rewrite of the path.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub uri_regex_rewrite: Option<RegexRewrite>,
}

/// `uriRegexRewrite`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RegexRewrite {
    /// The RE2 pattern.
    #[serde(rename = "match")]
    pub pattern: String,
    /// The replacement.
    pub rewrite: String,
}

/// Retry policy.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Retries {
    /// Attempts.
    pub attempts: i64,
    /// Timeout per attempt.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub per_try_timeout: Option<String>,
    /// Conditions.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_on: Option<String>,
    /// Retry in other localities.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_remote_localities: Option<bool>,
    /// Avoid the hosts already tried.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_ignore_previous_hosts: Option<bool>,
    /// Base interval between attempts.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub backoff: Option<String>,
}

/// Fault injection.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Fault {
    /// Delay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub delay: Option<Delay>,
    /// Abort.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub abort: Option<Abort>,
}

/// A delay fault.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Delay {
    /// A fixed delay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fixed_delay: Option<String>,
    /// An exponential delay.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub exponential_delay: Option<String>,
    /// Share of requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentage: Option<Percent>,
}

/// An abort fault.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Abort {
    /// HTTP status.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub http_status: Option<i64>,
    /// gRPC status name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grpc_status: Option<String>,
    /// Share of requests.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentage: Option<Percent>,
}

/// One of several mirrors.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Mirror {
    /// Where.
    pub destination: Destination,
    /// Share mirrored.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub percentage: Option<Percent>,
}

/// Header edits.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Headers {
    /// On the request.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request: Option<HeaderOperations>,
    /// On the response.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub response: Option<HeaderOperations>,
}

/// set / add / remove.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct HeaderOperations {
    /// Overwrite.
    #[serde(skip_serializing_if = "Pairs::is_empty")]
    pub set: Pairs<String>,
    /// Append.
    #[serde(skip_serializing_if = "Pairs::is_empty")]
    pub add: Pairs<String>,
    /// Delete.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub remove: Vec<String>,
}

/// A TCP route.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TcpRoute {
    /// Match conditions.
    #[serde(rename = "match", skip_serializing_if = "Vec::is_empty")]
    pub matches: Vec<L4Match>,
    /// Destinations.
    pub route: Vec<RouteDestination>,
}

/// A TLS route.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct TlsRoute {
    /// Match conditions.
    #[serde(rename = "match")]
    pub matches: Vec<L4Match>,
    /// Destinations.
    pub route: Vec<RouteDestination>,
}

/// A TCP or TLS match.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct L4Match {
    /// SNI hosts (TLS only).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub sni_hosts: Vec<String>,
    /// Destination IP ranges.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub destination_subnets: Vec<String>,
    /// Port.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub port: Option<u32>,
    /// Source IP range (TCP only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_subnet: Option<String>,
    /// Labels of the calling workload.
    #[serde(skip_serializing_if = "Pairs::is_empty")]
    pub source_labels: Pairs<String>,
    /// Gateways.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub gateways: Vec<String>,
    /// Namespace of the calling workload.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source_namespace: Option<String>,
}
