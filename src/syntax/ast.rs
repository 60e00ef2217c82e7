//! The syntax tree of one `.mesh` file.
//!
//! It mirrors the source: every node has a byte span, nothing is resolved,
//! and values are kept as written so the checker can say precisely what is
//! wrong with them.  Lines the parser could not understand are not in the
//! tree; they were reported as diagnostics while lowering.

use std::sync::Arc;

use crate::span::Span;

/// The text of a name or value as written.  Most are short, and a
/// `CompactString` keeps up to 24 bytes inline: a program's tree then needs
/// no allocation per name.
pub type Text = compact_str::CompactString;
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Text>() == 24);

/// A name as written, with its span.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ident {
    /// The text.
    pub name: Text,
    /// Where it is.
    pub span: Span,
}

/// One parsed file.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct File {
    /// `namespace NAME`, if any (the first one, when repeated).
    pub namespace: Option<Ident>,
    /// The services, in source order.  Shared: the language server's
    /// analyses keep the services an edit did not touch in common
    /// (`syntax/pieces.rs`).
    pub services: Vec<Arc<Service>>,
    /// The routing tests, in source order.
    pub tests: Vec<Test>,
}

/// `test NAME { ... }`: a request, and what routing must do with it.
#[derive(Clone, Debug, PartialEq)]
pub struct Test {
    /// The test's name (a name or a quoted string).
    pub name: Ident,
    /// The `test` keyword.
    pub keyword: Span,
    /// The whole block.
    pub span: Span,
    /// Its lines, in source order.
    pub items: Vec<TestItem>,
}

/// One line of a test.
#[derive(Clone, Debug, PartialEq)]
pub struct TestItem {
    /// What it says.
    pub kind: TestItemKind,
    /// Its first word.
    pub keyword: Span,
    /// The whole line.
    pub span: Span,
}

/// The lines of a test.
#[derive(Clone, Debug, PartialEq)]
pub enum TestItemKind {
    /// `request [VERB] "URL"`: the verb is an HTTP method, or `tcp`/`tls`
    /// before `"HOST:PORT"`.
    Request {
        /// The method, or `tcp`/`tls`.
        verb: Option<Ident>,
        /// The URL or address.
        target: Value,
    },
    /// `header "NAME" "VALUE"`.
    Header {
        /// Its name.
        name: Value,
        /// Its value.
        value: Value,
    },
    /// `gateway "NAME"`: the request arrives at this gateway.
    Gateway(Value),
    /// `source namespace "NS"`.
    SourceNamespace(Value),
    /// `source { KEY = "VALUE" }`: the caller's labels.
    SourceLabels(Vec<Field>),
    /// `sni "NAME"`: the TLS server name.
    Sni(Value),
    /// `expect ...`.
    Expect(Expectation),
}

/// What a test expects of the route that takes its request.
#[derive(Clone, Debug, PartialEq)]
pub enum Expectation {
    /// `expect route NAME`: the route of that name takes it.
    Route(Ident),
    /// `expect to DEST [W%], ...`: these destinations, with these shares.
    To(Vec<Destination>),
    /// `expect redirect "URI" [code N]`: a redirect to this location or path.
    Redirect {
        /// The location, or its path.
        location: Value,
        /// The status.
        code: Option<Value>,
    },
    /// `expect rewrite "PATH"`: the path sent upstream.
    Rewrite(Value),
    /// `expect fault [delay D | abort N]`.
    Fault(Option<(FaultKind, Value)>),
    /// `expect respond N`: a direct response with this status.
    Respond(Value),
    /// `expect headers SIDE OP "NAME" ["VALUE"]`: a header edit.
    Headers {
        /// Request or response.
        side: HeaderSide,
        /// Set, add or remove.
        op: HeaderOp,
        /// The header.
        name: Value,
        /// The value (none for `remove`).
        value: Option<Value>,
    },
    /// `expect mirror DEST`: requests are mirrored there.
    Mirror(Target),
    /// `expect no match`: no route takes it.
    NoMatch,
}

/// The kind of fault a test expects.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultKind {
    /// A delay.
    Delay,
    /// An abort.
    Abort,
}

/// `service NAME { ... }`, or `delegate NAME { ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Service {
    /// A service, or a delegate (routes without hosts).
    pub kind: ServiceKind,
    /// The service name.
    pub name: Ident,
    /// The whole block.
    pub span: Span,
    /// `host`, `hosts`, `gateways`, `export_to`, `external_subsets`.
    pub settings: Vec<Setting>,
    /// Subsets, in source order.
    pub subsets: Vec<Subset>,
    /// `policy { }` blocks (more than one is reported by the checker).
    pub policies: Vec<Policy>,
    /// Routes, in source order.
    pub routes: Vec<Route>,
}

/// What a `service`-like block stands for.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ServiceKind {
    /// `service NAME { ... }`: a Kubernetes service, its DestinationRule
    /// and VirtualService.
    #[default]
    Service,
    /// `delegate NAME { ... }`: a VirtualService without hosts, whose
    /// routes other services' `delegate NAME` statements hand requests to.
    Delegate,
}

impl ServiceKind {
    /// The keyword that opens the block.
    pub fn keyword(self) -> &'static str {
        match self {
            ServiceKind::Service => "service",
            ServiceKind::Delegate => "delegate",
        }
    }
}

/// The service-level settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SettingKey {
    /// `host "name"`: the host of the Kubernetes service, when not the default.
    Host,
    /// `hosts "a", "b"`: the VirtualService's hosts, when not just the host.
    Hosts,
    /// `gateways "gw", "mesh"`: the gateways the routes apply to.
    Gateways,
    /// `export_to ".", "ns"`: the namespaces the resources are visible in.
    ExportTo,
    /// `external_subsets "v1", "v2"`: subsets defined by a DestinationRule
    /// outside this program.
    ExternalSubsets,
    /// `workload_selector { app = "x" }`: the workloads the DestinationRule
    /// applies to.
    WorkloadSelector,
    /// `destination_rule "name"`: the DestinationRule's name, when not the
    /// service's.
    DestinationRuleName,
    /// `virtual_service "name"`: the VirtualService's name, when not the
    /// service's.
    VirtualServiceName,
    /// `labels { team = "books" }`: the labels of both resources.
    Labels,
    /// `annotations { "example.com/owner" = "books" }`: the annotations of
    /// both resources.
    Annotations,
}

impl SettingKey {
    /// The keyword as written.
    pub fn keyword(self) -> &'static str {
        match self {
            SettingKey::Host => "host",
            SettingKey::Hosts => "hosts",
            SettingKey::Gateways => "gateways",
            SettingKey::ExportTo => "export_to",
            SettingKey::ExternalSubsets => "external_subsets",
            SettingKey::WorkloadSelector => "workload_selector",
            SettingKey::DestinationRuleName => "destination_rule",
            SettingKey::VirtualServiceName => "virtual_service",
            SettingKey::Labels => "labels",
            SettingKey::Annotations => "annotations",
        }
    }
}

/// A service setting and its values.
#[derive(Clone, Debug, PartialEq)]
pub struct Setting {
    /// Which setting.
    pub key: SettingKey,
    /// The keyword's span.
    pub key_span: Span,
    /// The values, in order.
    pub values: Vec<Value>,
}

/// `subset NAME { labels, policy }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Subset {
    /// The subset name.
    pub name: Ident,
    /// The whole block.
    pub span: Span,
    /// Pod labels that select the subset.
    pub labels: Vec<Label>,
    /// The subset's traffic policy blocks.
    pub policies: Vec<Policy>,
}

/// `key = "value"` in a subset.
#[derive(Clone, Debug, PartialEq)]
pub struct Label {
    /// The label key.
    pub key: Key,
    /// The label value.
    pub value: Value,
}

/// `policy { ... }`: a traffic policy.
#[derive(Clone, Debug, PartialEq)]
pub struct Policy {
    /// The `policy` keyword.
    pub keyword: Span,
    /// The whole block.
    pub span: Span,
    /// The fields set, in order.
    pub fields: Vec<Field>,
    /// `port N { ... }` blocks.
    pub ports: Vec<PortPolicy>,
    /// Whether a line of the block could not be read (and was reported):
    /// the block is then not empty, only unread.
    pub unread: bool,
}

/// `port N { ... }` in a policy: settings for one port.
#[derive(Clone, Debug, PartialEq)]
pub struct PortPolicy {
    /// The port number as written.
    pub port: Value,
    /// The whole block.
    pub span: Span,
    /// The fields set for the port.
    pub fields: Vec<Field>,
}

/// A field key: a dotted path of identifiers or one quoted string.
///
/// The path is kept as one string (large programs hold many keys); its
/// segments and their spans are derived on demand.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Key {
    /// `a.b.c` as written, or the quoted string's contents.
    pub name: Text,
    /// Whether the key was a quoted string.
    pub quoted: bool,
    /// The whole key.
    pub span: Span,
}

impl Key {
    /// The key as text (`a.b.c`, or the quoted string's contents).
    pub fn text(&self) -> String {
        self.name.to_string()
    }

    /// The path's segments with their spans (one for a quoted key, none
    /// for an empty one).
    pub fn segments(&self) -> Vec<Ident> {
        if self.quoted {
            return vec![Ident {
                name: self.name.clone(),
                span: self.span,
            }];
        }
        let mut start = self.span.start;
        self.name
            .split('.')
            .filter(|_| !self.name.is_empty())
            .map(|segment| {
                let end = start + u32::try_from(segment.len()).unwrap_or(0);
                let ident = Ident {
                    name: segment.into(),
                    span: Span {
                        start,
                        end,
                        ..self.span
                    },
                };
                start = end + 1;
                ident
            })
            .collect()
    }
}

/// `path = value` or `path { fields }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Field {
    /// The field's path.
    pub key: Key,
    /// The value or block.
    pub value: Value,
}

/// A value as written.
#[derive(Clone, Debug, PartialEq)]
pub struct Value {
    /// What kind of literal.
    pub kind: ValueKind,
    /// Where it is.
    pub span: Span,
}

/// The literal forms.
#[derive(Clone, Debug, PartialEq)]
pub enum ValueKind {
    /// `5s`, `1m30s` (the text as written).
    Duration(Text),
    /// `50%`, `0.5%` (the number before `%`).
    Percent(f64),
    /// `10`, `-1`, `0.25` (the text as written).
    Number(Text),
    /// `"text"`, escapes decoded.
    String(Text),
    /// A bare word: an enum constant, `true`, a name.
    Ident(Text),
    /// `[a, b]`.
    List(Vec<Value>),
    /// `{ key = value ... }`, also a block after a field path.
    Object(Vec<Field>),
}

impl ValueKind {
    /// A short description for "expected X, found Y" messages.
    pub fn describe(&self) -> &'static str {
        match self {
            ValueKind::Duration(_) => "a duration",
            ValueKind::Percent(_) => "a percentage",
            ValueKind::Number(n) if n.contains('.') => "a decimal number",
            ValueKind::Number(_) => "an integer",
            ValueKind::String(_) => "a string",
            ValueKind::Ident(i) if i == "true" || i == "false" => "a boolean",
            ValueKind::Ident(_) => "a name",
            ValueKind::List(_) => "a list",
            ValueKind::Object(_) => "a block",
        }
    }
}

/// The number a decimal literal (`-`? digits (`.` digits)?) stands for, when
/// a 64-bit float keeps it: Kubernetes reads every number of a manifest as
/// one (JSON), and meshc writes the shortest decimal that reads back as the
/// float, which must be the literal's own number.  `None` for a literal past
/// the float's range (400 digits would be written as infinity) or with more
/// significant digits than it keeps (`12345678901234567890123` would be
/// written as `12345678901234568000000`); `0.1`, `1.50` and `1e23` written
/// out in full are kept.
pub fn exact_decimal(text: &str) -> Option<f64> {
    let value: f64 = text.parse().ok()?;
    // A decimal of at most 15 significant digits (DBL_DIG) in the normal
    // range always reads back as itself: two such decimals never round to
    // one float.  Nearly every literal is one, and the comparison below
    // formats the float (a tenth of a build's lowering time).
    if few_significant_digits(text) {
        return Some(value);
    }
    // Rust's `Display` writes the shortest digits that read back as `value`,
    // in positional notation, as the literal is.
    (value.is_finite() && canonical_decimal(text) == canonical_decimal(&value.to_string())).then_some(value)
}

/// Whether a decimal literal has at most 15 significant digits and lies
/// well inside the normal range of a 64-bit float.
fn few_significant_digits(text: &str) -> bool {
    let digits = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let whole = whole.trim_start_matches('0');
    let in_range = if whole.is_empty() {
        // Leading zeros of the fraction only scale the number.
        fraction.len() - fraction.trim_start_matches('0').len() <= 290
    } else {
        whole.len() <= 300
    };
    // From the first non-zero digit to the last.
    let mut first = None;
    let mut last = 0;
    for (i, b) in whole.bytes().chain(fraction.bytes()).enumerate() {
        if b != b'0' {
            first.get_or_insert(i);
            last = i;
        }
    }
    in_range && first.is_none_or(|first| last - first < 15)
}

/// A decimal literal without leading zeros before the point, trailing zeros
/// after it, or the sign of zero, so that equal numbers compare equal.
fn canonical_decimal(text: &str) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, ""));
    let whole = whole.trim_start_matches('0');
    let fraction = fraction.trim_end_matches('0');
    if whole.is_empty() && fraction.is_empty() {
        return "0".into();
    }
    format!("{sign}{whole}.{fraction}")
}

/// Which part of a VirtualService a route becomes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RouteKind {
    /// `route` / `http route`: an entry of `http`.
    Http,
    /// `tcp route`: an entry of `tcp`.
    Tcp,
    /// `tls route`: an entry of `tls`.
    Tls,
}

/// `[tcp|tls] route [NAME] { statements }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Route {
    /// HTTP, TCP or TLS.
    pub kind: RouteKind,
    /// The optional name.
    pub name: Option<Ident>,
    /// The `route` keyword (and its kind).
    pub keyword: Span,
    /// The whole block.
    pub span: Span,
    /// The statements, in order.
    pub statements: Vec<Statement>,
    /// Whether a `match` line could not be read (and was reported): the
    /// route is then not known to take every request.
    pub unread_match: bool,
}

/// A route statement and its span.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    /// What it says.
    pub kind: StatementKind,
    /// The keyword that starts it.
    pub keyword: Span,
    /// The whole statement.
    pub span: Span,
}
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Statement>() == 88);

/// The route statements.  The rarer and larger ones are boxed, so that a
/// statement takes 88 bytes rather than 136.
#[derive(Clone, Debug, PartialEq)]
pub enum StatementKind {
    /// `match COND and COND`.
    Match(Vec<Condition>),
    /// `to DEST [W%], ...`.
    To(Vec<Destination>),
    /// `timeout DURATION`.
    Timeout(Value),
    /// `retries N [per_try D] [on "..."] [remote_localities BOOL]`.
    Retries(Box<Retries>),
    /// `fault delay [exponential] D [P%]`.
    FaultDelay(Box<FaultDelay>),
    /// `fault abort STATUS [P%]` or `fault abort grpc "CODE" [P%]`.
    FaultAbort(Box<FaultAbort>),
    /// `mirror DEST [P%]`.
    Mirror {
        /// Where copies go (boxed: it would make every statement as large).
        target: Box<Target>,
        /// The share of requests mirrored.
        percent: Option<Value>,
    },
    /// `rewrite uri "..."` / `rewrite authority "..."`.
    Rewrite {
        /// Which part.
        part: RewritePart,
        /// The new value.
        value: Value,
    },
    /// `rewrite uri regex "MATCH" "REWRITE"`.
    RewriteRegex(Box<RewriteRegex>),
    /// `redirect KEY VALUE ...`.
    Redirect(Vec<(RedirectKey, Span, Value)>),
    /// `respond STATUS ["body" | bytes "base64"]`.
    Respond(Box<Respond>),
    /// `delegate NAME [namespace NS]`.
    Delegate(Box<Delegate>),
    /// `headers request|response set|add|remove NAME [VALUE] [for DEST]`.
    Headers(Box<Headers>),
    /// `cors { ... }`: fields of Istio's CorsPolicy.
    Cors(Vec<Field>),
}

/// `retries N [per_try D] [on "..."] [remote_localities BOOL]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Retries {
    /// Attempts.
    pub attempts: Value,
    /// The options, as written.
    pub options: Vec<RetryOption>,
}

/// `fault delay [exponential] D [P%]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultDelay {
    /// Whether the delay is exponential rather than fixed.
    pub exponential: bool,
    /// The delay.
    pub delay: Value,
    /// The share of requests delayed.
    pub percent: Option<Value>,
}

/// `fault abort STATUS [P%]` or `fault abort grpc "CODE" [P%]`.
#[derive(Clone, Debug, PartialEq)]
pub struct FaultAbort {
    /// The HTTP status, or the gRPC status name.
    pub status: Value,
    /// Whether `status` is a gRPC status.
    pub grpc: bool,
    /// The share of requests aborted.
    pub percent: Option<Value>,
}

/// `rewrite uri regex "MATCH" "REWRITE"`.
#[derive(Clone, Debug, PartialEq)]
pub struct RewriteRegex {
    /// The RE2 pattern.
    pub pattern: Value,
    /// The replacement.
    pub replacement: Value,
}

/// `respond STATUS ["body" | bytes "base64"]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Respond {
    /// The HTTP status.
    pub status: Value,
    /// The body.
    pub body: Option<Value>,
    /// Whether the body is base64 bytes.
    pub bytes: bool,
}

/// `delegate NAME [namespace NS]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Delegate {
    /// The delegate VirtualService.
    pub name: Value,
    /// Its namespace.
    pub namespace: Option<Value>,
}

/// `headers request|response set|add|remove NAME [VALUE] [for DEST]`.
#[derive(Clone, Debug, PartialEq)]
pub struct Headers {
    /// Request or response.
    pub side: HeaderSide,
    /// Set, add or remove.
    pub op: HeaderOp,
    /// The header name.
    pub name: Value,
    /// The value (absent for remove).
    pub value: Option<Value>,
    /// The destination whose traffic alone is edited (`for v2`).
    pub target: Option<Target>,
}

impl StatementKind {
    /// The keyword that starts the statement.
    pub fn keyword(&self) -> &'static str {
        match self {
            StatementKind::Match(_) => "match",
            StatementKind::To(_) => "to",
            StatementKind::Timeout(_) => "timeout",
            StatementKind::Retries(_) => "retries",
            StatementKind::FaultDelay(_) => "fault delay",
            StatementKind::FaultAbort(_) => "fault abort",
            StatementKind::Mirror { .. } => "mirror",
            StatementKind::Rewrite { .. } | StatementKind::RewriteRegex(_) => "rewrite",
            StatementKind::Redirect(_) => "redirect",
            StatementKind::Respond(_) => "respond",
            StatementKind::Delegate(_) => "delegate",
            StatementKind::Headers(_) => "headers",
            StatementKind::Cors(_) => "cors",
        }
    }
}

/// A `retries` option.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryOption {
    /// `per_try`, `on` or `remote_localities`.
    pub key: Text,
    /// The key's span.
    pub key_span: Span,
    /// The value.
    pub value: Value,
}

/// What `rewrite` changes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RewritePart {
    /// The path.
    Uri,
    /// The Host/Authority header.
    Authority,
}

/// The `redirect` options.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RedirectKey {
    /// The new path.
    Uri,
    /// The new authority.
    Authority,
    /// The new scheme.
    Scheme,
    /// The new port.
    Port,
    /// How to derive the port.
    DerivePort,
    /// The HTTP status of the redirect.
    Code,
    /// The new path prefix, replacing the matched prefix.
    Prefix,
}

/// Request or response headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderSide {
    /// Headers of the request, before forwarding.
    Request,
    /// Headers of the response, before returning.
    Response,
}

/// A header operation.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderOp {
    /// Overwrite.
    Set,
    /// Append.
    Add,
    /// Delete.
    Remove,
}

/// A match condition and its span (80 bytes).
#[derive(Clone, Debug, PartialEq)]
pub struct Condition {
    /// What it tests.
    pub kind: ConditionKind,
    /// The whole condition.
    pub span: Span,
}
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Condition>() == 80);

/// How a string is compared.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StringOp {
    /// Equal.
    Exact,
    /// Starts with.
    Prefix,
    /// Matches an RE2 regex (the whole string).
    Regex,
}

impl StringOp {
    /// Istio's field name for the comparison.
    pub fn field(self) -> &'static str {
        match self {
            StringOp::Exact => "exact",
            StringOp::Prefix => "prefix",
            StringOp::Regex => "regex",
        }
    }
}

/// The request attributes compared as strings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StringSubject {
    /// The path.
    Uri,
    /// `http` or `https`.
    Scheme,
    /// The HTTP method.
    Method,
    /// The Host/Authority header.
    Authority,
}

/// The match conditions.
#[derive(Clone, Debug, PartialEq)]
pub enum ConditionKind {
    /// `uri|scheme|method|authority OP "value"`.
    Str {
        /// What is compared.
        subject: StringSubject,
        /// How.
        op: StringOp,
        /// With what.
        value: Value,
    },
    /// `header "name" OP "value"`, `header "name" present`, and the same with
    /// `without` in front (`negated`) or `query` instead of `header`.
    Keyed {
        /// Header or query parameter.
        source: KeyedSource,
        /// The name.
        name: Value,
        /// The comparison; `None` tests presence only (boxed: it would
        /// make every condition as large).
        test: Option<Box<(StringOp, Value)>>,
    },
    /// `source { labels }`.
    SourceLabels(Vec<Field>),
    /// `source namespace "ns"`.
    SourceNamespace(Value),
    /// `port N`.
    Port(Value),
    /// `gateway "name"`.
    Gateway(Value),
    /// `sni "host"` (TLS routes).
    Sni(Value),
    /// `destination_subnet "cidr"` (TCP and TLS routes).
    DestinationSubnet(Value),
    /// `source_subnet "cidr"` (TCP routes).
    SourceSubnet(Value),
    /// `name "x"`: the match's name, in Envoy's logs.
    MatchName(Value),
    /// `stat_prefix "x"`: the prefix of the match's statistics.
    StatPrefix(Value),
    /// `ignore_uri_case`.
    IgnoreUriCase,
}

/// What a keyed condition looks at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum KeyedSource {
    /// A request header.
    Header,
    /// A request header that must not match.
    WithoutHeader,
    /// A query parameter.
    Query,
}

/// One destination of `to`, with its weight (168 bytes).
#[derive(Clone, Debug, PartialEq)]
pub struct Destination {
    /// Where.
    pub target: Target,
    /// `W%` as written.
    pub weight: Option<Value>,
    /// The whole destination.
    pub span: Span,
}
#[cfg(target_pointer_width = "64")]
const _: () = assert!(std::mem::size_of::<Destination>() == 168);

/// `v1`, `ratings/v1`, `ratings`, `"httpbin.org"`, each with an optional `:PORT`.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The host or reference.
    pub host: TargetHost,
    /// The port, as written (boxed: ports are rare, and every destination
    /// would be as large).
    pub port: Option<Box<(Text, Span)>>,
    /// The whole target.
    pub span: Span,
}

/// The forms of a destination host.
#[derive(Clone, Debug, PartialEq)]
pub enum TargetHost {
    /// A bare name: a subset of the enclosing service, or another service.
    Name(Ident),
    /// `service/subset`.
    Qualified {
        /// The service.
        service: Ident,
        /// Its subset.
        subset: Ident,
    },
    /// A quoted host outside the program.
    External(Text, Span),
}

#[cfg(test)]
mod tests {
    use super::{canonical_decimal, exact_decimal};

    #[test]
    fn decimals_a_float_keeps_are_exact() {
        for (text, value) in [
            ("0.1", 0.1),
            ("1.50", 1.5),
            ("007", 7.0),
            ("-0", -0.0),
            ("0.0001", 0.0001),
            ("9007199254740992", 9007199254740992.0),
            ("100000000000000000000000", 1e23),
        ] {
            assert_eq!(exact_decimal(text), Some(value), "{text}");
        }
    }

    #[test]
    fn decimals_a_float_changes_are_refused() {
        let huge = "9".repeat(400);
        let tiny = format!("0.{}1", "0".repeat(400));
        for text in [
            huge.as_str(),
            tiny.as_str(),
            "12345678901234567890123",
            "0.30000000000000001",
            // 2^53 + 1, between two floats.
            "9007199254740993",
            "100000000000000000000001",
        ] {
            assert_eq!(exact_decimal(text), None, "{text}");
        }
    }
    /// The quick answer for short literals is the one the full comparison
    /// gives.
    #[test]
    fn short_literals_take_the_quick_path_to_the_same_answer() {
        let slow = |text: &str| {
            let value: f64 = text.parse().ok()?;
            (value.is_finite() && canonical_decimal(text) == canonical_decimal(&value.to_string())).then_some(value)
        };
        let mut texts = vec!["0".to_string(), "-0.0".into(), "100000000000000000000000".into()];
        for digits in 1..=17 {
            let body: String = (1..=digits).map(|d| char::from(b'0' + (d * 7 % 10) as u8)).collect();
            for (at, zeros) in [(0, 0), (1, 3), (digits / 2, 0), (digits, 5)] {
                let (whole, fraction) = body.split_at(at.min(body.len()));
                texts.push(format!("{whole}{}.{}{fraction}", "0".repeat(zeros), "0".repeat(zeros)));
                texts.push(format!("0.{}{body}", "0".repeat(zeros)));
            }
        }
        for text in texts {
            assert_eq!(exact_decimal(&text), slow(&text), "{text}");
        }
    }
}
