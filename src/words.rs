//! The words of the language: the one table of every keyword, statement,
//! condition, operator, option and setting, with where it may stand, what
//! it means and the Istio field it writes.
//!
//! Everything else that lists words is a view of [`WORDS`]: the keywords a
//! block accepts and the "expected one of …" texts of the parser,
//! completion and its docs, semantic tokens, the importer's option tables.
//! What cannot be generated from it — the literals of `grammar/mesh.pest`,
//! the editor grammars under `editors/`, the grammar in `docs/language.md`
//! — is compared with it by `tests/suite/words.rs`, so a word added in one
//! place and missed in another fails a test.
//!
//! A word that stands in several places has one row per place (`uri` is a
//! condition, a `rewrite` option and a `redirect` option): the doc and the
//! field differ between them.

/// Where a word may stand.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Place {
    /// Starts an item of a file.
    Top,
    /// Starts a block of a service (`subset`, `policy`, `route`).
    ServiceItem,
    /// The kind of a route, before `route`.
    RouteKind,
    /// A setting of a service: `host "..."`.
    Setting,
    /// Starts a block of a subset (besides labels).
    SubsetItem,
    /// Starts a block of a policy (besides fields).
    PolicyItem,
    /// A statement of a route.
    Statement,
    /// A match condition on a string of the request, compared by a
    /// [`Place::StringOp`].
    StringSubject,
    /// Any other match condition.
    Condition,
    /// How a string is compared.
    StringOp,
    /// In place of a comparison after a header or query parameter name.
    Presence,
    /// An option of the statement named (`retries 3 per_try 2s`): a word
    /// and its value.
    OptionOf(&'static str),
    /// The side of a `headers` statement.
    HeaderSide,
    /// The operation of a `headers` statement.
    HeaderOp,
    /// Another fixed word of the form of the statement or condition named
    /// (`and` in `match`, `delay` in `fault`).
    PartOf(&'static str),
    /// Starts a line of a `test` block (the request and its expectations).
    TestItem,
    /// What a test's `expect` line expects.
    Expectation,
}

/// What follows a word.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Takes {
    /// Nothing: the word alone says it.
    Nothing,
    /// A name.
    Name,
    /// A string.
    String,
    /// A whole number.
    Number,
    /// `true` or `false`.
    Bool,
    /// A duration (`5s`).
    Duration,
    /// An enum constant.
    Constant,
    /// A block of fields or labels.
    Object,
    /// A form of its own (destinations, conditions, more words).
    Form,
}

/// One word in one place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Word {
    /// The word as written.
    pub text: &'static str,
    /// Where it stands.
    pub place: Place,
    /// What follows it.
    pub takes: Takes,
    /// The field it writes, as `docs/istio-fields.md` names it (relative to
    /// the resource's `spec`, or `metadata.…`); `None` for words that only
    /// shape another word's field.
    pub field: Option<&'static str>,
    /// One line for completion and hover.
    pub doc: &'static str,
    /// Never read as a bare value in a route statement, so that a value left
    /// out is reported where it is missing (the grammar's
    /// `statement_keyword`).
    pub reserved: bool,
}

impl Word {
    const fn new(text: &'static str, place: Place, takes: Takes, field: &'static str, doc: &'static str) -> Word {
        Word {
            text,
            place,
            takes,
            field: if field.is_empty() { None } else { Some(field) },
            doc,
            reserved: false,
        }
    }

    const fn reserved(self) -> Word {
        Word { reserved: true, ..self }
    }
}

use Place::*;

/// Every word of the language.  Within a place the order is the order of
/// completion lists and of "expected one of …" texts.
#[rustfmt::skip]
pub const WORDS: &[Word] = &[
    // ---------------------------------------------------------- file
    Word::new("namespace", Top, Takes::Name, "metadata.namespace", "The namespace of every resource of this file"),
    Word::new("service", Top, Takes::Name, "host", "A Kubernetes service: its subsets, policy and routes"),
    Word::new("test", Top, Takes::Name, "", "A routing test: a request and what it must hit, run by `meshc test`: `test jason { request \"http://reviews/\" ... }`"),
    Word::new("delegate", Top, Takes::Name, "metadata.name", "Routes without hosts that another service's `delegate NAME` hands requests to: `delegate reviews-routes { route { ... } }`"),
    // ---------------------------------------------------------- service
    Word::new("subset", ServiceItem, Takes::Name, "subsets[].name", "A group of pods selected by labels"),
    Word::new("policy", ServiceItem, Takes::Object, "trafficPolicy", "The traffic policy of the service (Istio's TrafficPolicy)"),
    Word::new("route", ServiceItem, Takes::Form, "http[].name", "An HTTP route, tried in order"),
    Word::new("tcp", RouteKind, Takes::Nothing, "tcp[]", "A TCP route"),
    Word::new("tls", RouteKind, Takes::Nothing, "tls[]", "A TLS route by SNI"),
    Word::new("http", RouteKind, Takes::Nothing, "http[]", "An HTTP route (the kind of a route without one)"),
    Word::new("host", Setting, Takes::String, "host", "The host of the service, when not its name"),
    Word::new("hosts", Setting, Takes::String, "hosts", "Extra hosts of the VirtualService"),
    Word::new("gateways", Setting, Takes::String, "gateways", "The gateways the routes apply to"),
    Word::new("export_to", Setting, Takes::String, "exportTo", "The namespaces the resources are visible in"),
    Word::new("external_subsets", Setting, Takes::Name, "", "Subsets defined by a DestinationRule outside this program"),
    Word::new("workload_selector", Setting, Takes::Object, "workloadSelector.matchLabels", "The workloads the DestinationRule applies to, by label"),
    Word::new("destination_rule", Setting, Takes::Name, "metadata.name", "The DestinationRule's name, when not the service's"),
    Word::new("virtual_service", Setting, Takes::Name, "metadata.name", "The VirtualService's name, when not the service's"),
    Word::new("labels", Setting, Takes::Object, "metadata.labels", "Labels of both resources"),
    Word::new("annotations", Setting, Takes::Object, "metadata.annotations", "Annotations of both resources"),
    // ---------------------------------------------------------- subset and policy
    Word::new("policy", SubsetItem, Takes::Object, "subsets[].trafficPolicy", "The traffic policy of this subset (Istio's TrafficPolicy)"),
    Word::new("port", PolicyItem, Takes::Number, "trafficPolicy.portLevelSettings[].port.number", "The policy of one port: `port 9080 { ... }`"),
    // ---------------------------------------------------------- route statements
    Word::new("match", Statement, Takes::Form, "http[].match[]", "Which requests the route takes: `match uri prefix \"/api\" and method exact \"GET\"`; several lines mean any of them").reserved(),
    Word::new("to", Statement, Takes::Form, "http[].route[]", "Where the requests go: `to v1`, or a split `to v1 90%, v2 10%` summing to 100%").reserved(),
    Word::new("timeout", Statement, Takes::Duration, "http[].timeout", "The request timeout: `timeout 5s`").reserved(),
    Word::new("retries", Statement, Takes::Number, "http[].retries.attempts", "Retry policy: `retries 3 per_try 2s on \"5xx,reset\"`").reserved(),
    Word::new("fault", Statement, Takes::Form, "http[].fault", "Fault injection: `fault delay 5s 10%` or `fault abort 503 5%`").reserved(),
    Word::new("mirror", Statement, Takes::Form, "http[].mirror", "Copies requests to another destination: `mirror v2 10%`").reserved(),
    Word::new("rewrite", Statement, Takes::Form, "http[].rewrite", "Rewrites the path or authority: `rewrite uri \"/v2\"`").reserved(),
    Word::new("redirect", Statement, Takes::Form, "http[].redirect", "Answers with a redirect: `redirect uri \"/new\" code 301`").reserved(),
    Word::new("respond", Statement, Takes::Number, "http[].directResponse.status", "Answers directly: `respond 503 \"maintenance\"`").reserved(),
    Word::new("delegate", Statement, Takes::Name, "http[].delegate.name", "Lets another VirtualService route: `delegate reviews-routes`").reserved(),
    Word::new("headers", Statement, Takes::Form, "http[].headers", "Edits headers: `headers request set \"x-version\" \"v2\"`").reserved(),
    Word::new("cors", Statement, Takes::Object, "http[].corsPolicy", "The CORS policy: `cors { allowOrigins = [{ exact = \"https://example.com\" }] }`").reserved(),
    // ---------------------------------------------------------- match conditions
    Word::new("uri", StringSubject, Takes::Form, "http[].match[].uri", "The path: `uri prefix \"/api\"`"),
    Word::new("scheme", StringSubject, Takes::Form, "http[].match[].scheme", "The scheme: `scheme exact \"https\"`"),
    Word::new("method", StringSubject, Takes::Form, "http[].match[].method", "The method: `method exact \"GET\"`"),
    Word::new("authority", StringSubject, Takes::Form, "http[].match[].authority", "The authority: `authority exact \"example.com\"`"),
    Word::new("header", Condition, Takes::Form, "http[].match[].headers", "A header: `header \"end-user\" exact \"jason\"`"),
    Word::new("query", Condition, Takes::Form, "http[].match[].queryParams", "A query parameter: `query \"v\" exact \"2\"`"),
    Word::new("without", Condition, Takes::Form, "http[].match[].withoutHeaders", "A header that must not match: `without header \"x-debug\" present`"),
    Word::new("source", Condition, Takes::Object, "http[].match[].sourceLabels", "The caller: `source { app = \"web\" }` or `source namespace \"web\"`"),
    Word::new("port", Condition, Takes::Number, "http[].match[].port", "The port the request came to: `port 8080`"),
    Word::new("gateway", Condition, Takes::String, "http[].match[].gateways", "The gateway the request came through: `gateway \"bookinfo-gateway\"`"),
    Word::new("sni", Condition, Takes::String, "tls[].match[].sniHosts", "The TLS server name (TLS routes): `sni \"example.com\"`"),
    Word::new("destination_subnet", Condition, Takes::String, "tls[].match[].destinationSubnets", "The destination IP range (TCP and TLS routes): `destination_subnet \"10.0.0.0/8\"`"),
    Word::new("source_subnet", Condition, Takes::String, "tcp[].match[].sourceSubnet", "The source IP range (TCP routes): `source_subnet \"10.0.0.0/8\"`"),
    Word::new("name", Condition, Takes::String, "http[].match[].name", "The name of this match, for logs: `name \"v2-users\"`"),
    Word::new("stat_prefix", Condition, Takes::String, "http[].match[].statPrefix", "The prefix of this match's statistics: `stat_prefix \"v2\"`"),
    Word::new("ignore_uri_case", Condition, Takes::Nothing, "http[].match[].ignoreUriCase", "Compare the path case-insensitively"),
    Word::new("exact", StringOp, Takes::String, "", "Equal to the string: `exact \"GET\"`"),
    Word::new("prefix", StringOp, Takes::String, "", "Starts with the string: `prefix \"/api\"`"),
    Word::new("regex", StringOp, Takes::String, "", "Matches the RE2 regular expression (the whole value): `regex \"/v[0-9]+\"`"),
    Word::new("present", Presence, Takes::Nothing, "", "Present, whatever its value"),
    Word::new("and", PartOf("match"), Takes::Form, "", "Joins conditions that must all hold: `match uri prefix \"/api\" and method exact \"GET\"`"),
    Word::new("header", PartOf("without"), Takes::Form, "http[].match[].withoutHeaders", "The header that must not match: `without header \"x-debug\" present`"),
    Word::new("namespace", PartOf("source"), Takes::String, "http[].match[].sourceNamespace", "The caller's namespace: `source namespace \"web\"`"),
    // ---------------------------------------------------------- statement options and parts
    Word::new("per_try", OptionOf("retries"), Takes::Duration, "http[].retries.perTryTimeout", "The timeout of each attempt: `per_try 2s`"),
    Word::new("on", OptionOf("retries"), Takes::String, "http[].retries.retryOn", "The conditions to retry on: `on \"5xx,reset\"`"),
    Word::new("remote_localities", OptionOf("retries"), Takes::Bool, "http[].retries.retryRemoteLocalities", "Whether to retry in other localities: `remote_localities true`"),
    Word::new("ignore_previous_hosts", OptionOf("retries"), Takes::Bool, "http[].retries.retryIgnorePreviousHosts", "Whether a retry avoids the hosts already tried: `ignore_previous_hosts true`"),
    Word::new("backoff", OptionOf("retries"), Takes::Duration, "http[].retries.backoff", "The wait between attempts: `backoff 25ms`"),
    Word::new("delay", PartOf("fault"), Takes::Duration, "http[].fault.delay.fixedDelay", "Delays requests: `fault delay 5s 10%`"),
    Word::new("exponential", PartOf("fault"), Takes::Duration, "http[].fault.delay.exponentialDelay", "A delay growing exponentially: `fault delay exponential 1s`"),
    Word::new("abort", PartOf("fault"), Takes::Number, "http[].fault.abort.httpStatus", "Aborts requests with a status: `fault abort 503 5%`"),
    Word::new("grpc", PartOf("fault"), Takes::String, "http[].fault.abort.grpcStatus", "Aborts with a gRPC status: `fault abort grpc \"UNAVAILABLE\"`"),
    Word::new("uri", OptionOf("rewrite"), Takes::String, "http[].rewrite.uri", "Rewrites the path: `rewrite uri \"/v2\"`"),
    Word::new("authority", OptionOf("rewrite"), Takes::String, "http[].rewrite.authority", "Rewrites the authority: `rewrite authority \"example.com\"`"),
    Word::new("regex", PartOf("rewrite"), Takes::Form, "http[].rewrite.uriRegexRewrite", "Rewrites the path by a regular expression: `rewrite uri regex \"^/v1(.*)\" \"/v2\\\\1\"`"),
    Word::new("uri", OptionOf("redirect"), Takes::String, "http[].redirect.uri", "The path to redirect to: `redirect uri \"/new\"`"),
    Word::new("authority", OptionOf("redirect"), Takes::String, "http[].redirect.authority", "The authority to redirect to: `redirect authority \"example.com\"`"),
    Word::new("scheme", OptionOf("redirect"), Takes::String, "http[].redirect.scheme", "The scheme to redirect to: `redirect scheme https`"),
    Word::new("port", OptionOf("redirect"), Takes::Number, "http[].redirect.port", "The port to redirect to: `redirect port 8443`"),
    Word::new("derive_port", OptionOf("redirect"), Takes::Constant, "http[].redirect.derivePort", "Takes the port from the request: `redirect derive_port FROM_REQUEST_PORT`"),
    Word::new("code", OptionOf("redirect"), Takes::Number, "http[].redirect.redirectCode", "The status of the redirect: `redirect uri \"/new\" code 301`"),
    Word::new("prefix", OptionOf("redirect"), Takes::String, "http[].redirect.prefixRewrite", "Replaces the matched prefix: `redirect prefix \"/new\"`"),
    Word::new("bytes", PartOf("respond"), Takes::String, "http[].directResponse.body.bytes", "A body given in base64: `respond 200 bytes \"aGk=\"`"),
    Word::new("namespace", PartOf("delegate"), Takes::String, "http[].delegate.namespace", "The namespace of the delegate: `delegate reviews-routes namespace \"team\"`"),
    Word::new("request", HeaderSide, Takes::Form, "http[].headers.request", "Edits the headers of the request: `headers request set \"x-version\" \"v2\"`"),
    Word::new("response", HeaderSide, Takes::Form, "http[].headers.response", "Edits the headers of the response: `headers response remove \"server\"`"),
    Word::new("set", HeaderOp, Takes::Form, "", "Sets a header, replacing its value: `set \"x-version\" \"v2\"`"),
    Word::new("add", HeaderOp, Takes::Form, "", "Adds a value to a header: `add \"x-trace\" \"on\"`"),
    Word::new("remove", HeaderOp, Takes::Form, "", "Removes a header: `remove \"x-debug\"`"),
    // ---------------------------------------------------------- tests
    Word::new("request", TestItem, Takes::Form, "", "The request: `request \"http://reviews:9080/r/1\"`, `request POST \"URL\"`, or `request tcp \"mongo:27017\"`"),
    Word::new("header", TestItem, Takes::Form, "", "A header of the request: `header \"end-user\" \"jason\"`"),
    Word::new("gateway", TestItem, Takes::String, "", "The gateway the request arrives at (a sidecar in the mesh without it): `gateway \"bookinfo-gateway\"`"),
    Word::new("source", TestItem, Takes::Object, "", "The caller: `source { app = \"web\" }` or `source namespace \"web\"`"),
    Word::new("sni", TestItem, Takes::String, "", "The TLS server name of a `request tls` connection: `sni \"example.com\"`"),
    Word::new("expect", TestItem, Takes::Form, "", "What the route that takes the request must do: `expect to reviews/v2`, `expect route jason`"),
    Word::new("route", Expectation, Takes::Name, "", "The route of this name takes the request: `expect route jason`"),
    Word::new("to", Expectation, Takes::Form, "", "The destinations and shares: `expect to reviews/v1 50%, reviews/v3 50%`"),
    Word::new("redirect", Expectation, Takes::String, "", "A redirect to this location or path: `expect redirect \"/products\" code 301`"),
    Word::new("rewrite", Expectation, Takes::String, "", "The path sent upstream after a rewrite: `expect rewrite \"/books\"`"),
    Word::new("fault", Expectation, Takes::Form, "", "A fault is injected: `expect fault`, `expect fault delay 7s`, `expect fault abort 503`"),
    Word::new("respond", Expectation, Takes::Number, "", "A direct response with this status: `expect respond 200`"),
    Word::new("headers", Expectation, Takes::Form, "", "A header edit: `expect headers request set \"x-source\" \"web\"`"),
    Word::new("mirror", Expectation, Takes::Form, "", "Requests are mirrored there: `expect mirror search/v2`"),
    Word::new("no", Expectation, Takes::Form, "", "No route takes the request: `expect no match`"),
    Word::new("match", PartOf("no"), Takes::Nothing, "", "`expect no match`: no route takes the request"),
    Word::new("code", PartOf("redirect"), Takes::Number, "", "The status of the expected redirect: `expect redirect \"/new\" code 301`"),
    Word::new("for", PartOf("headers"), Takes::Form, "http[].route[].headers", "Edits headers of one destination only: `headers request set \"x\" \"y\" for v2`").reserved(),
];

/// The words that may stand in `place`, in table order.
pub fn at(place: Place) -> impl Iterator<Item = &'static Word> {
    WORDS.iter().filter(move |w| w.place == place)
}

/// The text of the words that may stand in `place`, in table order.
pub fn texts(place: Place) -> impl Iterator<Item = &'static str> {
    at(place).map(|w| w.text)
}

/// The words that may start an item of a service: blocks, route kinds and
/// settings.
pub fn service_items() -> impl Iterator<Item = &'static Word> {
    WORDS
        .iter()
        .filter(|w| matches!(w.place, ServiceItem | RouteKind | Setting))
}

/// The words that may start a match condition.
pub fn conditions() -> impl Iterator<Item = &'static Word> {
    WORDS.iter().filter(|w| matches!(w.place, StringSubject | Condition))
}

/// The word `text` in `place`.
pub fn get(place: Place, text: &str) -> Option<&'static Word> {
    at(place).find(|w| w.text == text)
}

/// The doc of the word `text` in `place` (empty when there is none).
pub fn doc(place: Place, text: &str) -> &'static str {
    get(place, text).map_or("", |w| w.doc)
}

/// Whether `text` is a word of the language in any place.
pub fn is_word(text: &str) -> bool {
    WORDS.iter().any(|w| w.text == text)
}

/// Whether `text` is never read as a bare value in a route statement.
pub fn is_reserved(text: &str) -> bool {
    WORDS.iter().any(|w| w.reserved && w.text == text)
}

/// The word that writes Istio's field `name` (the last part of its path,
/// such as `perTryTimeout` or `exportTo`), for users who write Istio's
/// spelling; `None` when `name` is a word of its own.
pub fn by_istio_name(name: &str) -> Option<&'static Word> {
    if is_word(name) {
        return None;
    }
    WORDS.iter().find(|w| {
        w.field
            .and_then(|f| f.rsplit(['.', '[', ']']).find(|part| !part.is_empty()))
            .is_some_and(|last| last == name)
    })
}
