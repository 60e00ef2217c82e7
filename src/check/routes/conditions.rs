//! Match conditions: `match` statements to Istio's HTTP and L4 matches,
//! each condition allowed only in the routes that have it.

use foldhash::{HashMap, HashMapExt};

use crate::check::Checker;
use crate::diag::{Code, Diagnostic};
use crate::model::istio::*;
use crate::span::Span;
use crate::syntax::ast::{self, ConditionKind, KeyedSource, RouteKind, StatementKind, Value, ValueKind};

/// Whether a route of `kind` takes the condition that starts with `word`
/// (E0408): the string, header and query conditions and the match's name
/// are HTTP's; `sni` is TLS's, `destination_subnet` TCP's and TLS's,
/// `source_subnet` TCP's; `source`, `port` and `gateway` are everyone's.
pub fn condition_allowed(kind: RouteKind, word: &str) -> bool {
    match word {
        "sni" => kind == RouteKind::Tls,
        "destination_subnet" => kind != RouteKind::Http,
        "source_subnet" => kind == RouteKind::Tcp,
        "source" | "port" | "gateway" => true,
        _ => kind == RouteKind::Http,
    }
}

/// The word a condition starts with, as the words table spells it.
fn condition_word(kind: &ConditionKind) -> &'static str {
    match kind {
        ConditionKind::Str { subject, .. } => match subject {
            ast::StringSubject::Uri => "uri",
            ast::StringSubject::Scheme => "scheme",
            ast::StringSubject::Method => "method",
            ast::StringSubject::Authority => "authority",
        },
        ConditionKind::Keyed { source, .. } => match source {
            KeyedSource::Header => "header",
            KeyedSource::Query => "query",
            KeyedSource::WithoutHeader => "without",
        },
        ConditionKind::SourceLabels(_) | ConditionKind::SourceNamespace(_) => "source",
        ConditionKind::Port(_) => "port",
        ConditionKind::Gateway(_) => "gateway",
        ConditionKind::Sni(_) => "sni",
        ConditionKind::DestinationSubnet(_) => "destination_subnet",
        ConditionKind::SourceSubnet(_) => "source_subnet",
        ConditionKind::MatchName(_) => "name",
        ConditionKind::StatPrefix(_) => "stat_prefix",
        ConditionKind::IgnoreUriCase => "ignore_uri_case",
    }
}

impl Checker<'_> {
    pub(super) fn check_conditions_allowed(&mut self, kind: RouteKind, statement: &ast::Statement) {
        let StatementKind::Match(conditions) = &statement.kind else {
            return;
        };
        for condition in conditions {
            if !condition_allowed(kind, condition_word(&condition.kind)) {
                let route_name = match kind {
                    RouteKind::Http => "an HTTP route",
                    RouteKind::Tcp => "a `tcp route`",
                    RouteKind::Tls => "a `tls route`",
                };
                self.diagnostics.push(
                    Diagnostic::error(Code::E0408, condition.span, format!("this condition is not available in {route_name}"))
                        .with_label("not available here")
                        .with_help(match kind {
                            RouteKind::Http => "`sni` matches TLS routes and `destination_subnet` TCP and TLS routes",
                            _ => "TCP and TLS routes match on `port`, `source`, `gateway`, `destination_subnet` (and `sni` for TLS)",
                        }),
                );
            }
        }
    }

    /// The conditions of one `match` line that test distinct attributes;
    /// one tested twice is reported and left out.
    fn distinct_conditions<'c>(&mut self, conditions: &'c [ast::Condition]) -> Vec<&'c ast::Condition> {
        let mut seen: HashMap<String, Span> = HashMap::new();
        let mut distinct = Vec::with_capacity(conditions.len());
        for condition in conditions {
            let key = condition_key(&condition.kind);
            if let Some(first) = seen.get(&key) {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0208, condition.span, "the same attribute is tested twice in one `match`")
                        .with_label("tested again")
                        .with_secondary(*first, "first tested here")
                        .with_help("a `match` line is an AND of conditions on different attributes; use a second `match` line for an OR"),
                );
                continue;
            }
            seen.insert(key, condition.span);
            distinct.push(condition);
        }
        distinct
    }

    pub(in crate::check) fn http_match(&mut self, conditions: &[ast::Condition]) -> HttpMatch {
        let mut out = HttpMatch::default();
        for condition in self.distinct_conditions(conditions) {
            match &condition.kind {
                ConditionKind::Str { subject, op, value } => {
                    let Some(m) = self.string_match(*op, value, *subject == ast::StringSubject::Uri) else {
                        continue;
                    };
                    if *subject == ast::StringSubject::Method {
                        self.check_method(&m, value);
                    }
                    let slot = match subject {
                        ast::StringSubject::Uri => &mut out.uri,
                        ast::StringSubject::Scheme => &mut out.scheme,
                        ast::StringSubject::Method => &mut out.method,
                        ast::StringSubject::Authority => &mut out.authority,
                    };
                    *slot = Some(m);
                }
                ConditionKind::Keyed { source, name, test } => {
                    let Some(name_text) = self.string(name) else { continue };
                    let valid_name = match source {
                        KeyedSource::Query => {
                            if name_text.is_empty() {
                                self.type_error(name, "a query parameter name", "a non-empty name such as \"version\"");
                                false
                            } else {
                                true
                            }
                        }
                        _ => self.header_name(&name_text, name) && self.lowercase_header(&name_text, name),
                    };
                    if *source == KeyedSource::Query && matches!(test.as_deref(), Some((ast::StringOp::Prefix, _))) {
                        self.diagnostics.push(
                            Diagnostic::error(
                                Code::E0408,
                                condition.span,
                                "query parameters cannot be matched by prefix",
                            )
                            .with_label("`prefix` is not supported here")
                            .with_help("use `exact` or `regex` (for example `regex \"2.*\"`)"),
                        );
                        continue;
                    }
                    let string_match = match test.as_deref() {
                        Some((op, value)) => self.string_match(*op, value, false),
                        None => Some(StringMatch::default()),
                    };
                    if let (true, Some(m)) = (valid_name, string_match) {
                        let map = match source {
                            KeyedSource::Header => &mut out.headers,
                            KeyedSource::WithoutHeader => &mut out.without_headers,
                            KeyedSource::Query => &mut out.query_params,
                        };
                        map.0.push((name_text, m));
                    }
                }
                ConditionKind::IgnoreUriCase => out.ignore_uri_case = Some(true),
                ConditionKind::MatchName(value) => out.name = self.string(value),
                ConditionKind::StatPrefix(value) => out.stat_prefix = self.string(value),
                other => {
                    let mut l4 = L4Match::default();
                    self.l4_condition(&mut l4, other);
                    out.port = out.port.or(l4.port);
                    out.source_labels.0.extend(l4.source_labels.0);
                    out.gateways.extend(l4.gateways);
                    out.source_namespace = out.source_namespace.or(l4.source_namespace);
                }
            }
        }
        out
    }

    pub(super) fn l4_match(&mut self, conditions: &[ast::Condition]) -> L4Match {
        let mut out = L4Match::default();
        for condition in self.distinct_conditions(conditions) {
            self.l4_condition(&mut out, &condition.kind);
        }
        out
    }

    /// The conditions HTTP, TCP and TLS routes share.
    fn l4_condition(&mut self, out: &mut L4Match, condition: &ConditionKind) {
        match condition {
            ConditionKind::Port(value) => out.port = self.port(value),
            ConditionKind::SourceLabels(fields) => {
                let labels = self.label_map(fields.iter().map(|f| (&f.key, &f.value)), "a workload is matched");
                out.source_labels.0.extend(labels.0);
            }
            ConditionKind::SourceNamespace(value) => {
                if let Some(ns) = self.name_or_string(value)
                    && self.dns_label_value(&ns, value, "namespace")
                {
                    out.source_namespace = Some(ns);
                }
            }
            ConditionKind::Gateway(value) => {
                if let Some(gateway) = self.string(value)
                    && self.gateway_name(&gateway, value)
                {
                    out.gateways.push(gateway);
                }
            }
            ConditionKind::Sni(value) => {
                if let Some(host) = self.string(value)
                    && self.host(&host, value)
                    && self.sni_in_hosts(&host, value)
                {
                    out.sni_hosts.push(host);
                }
            }
            ConditionKind::DestinationSubnet(value) => {
                if let Some(subnet) = self.string(value) {
                    if is_ip_or_cidr(&subnet) {
                        out.destination_subnets.push(subnet);
                    } else {
                        self.type_error(value, "an IP address or CIDR block", "a subnet such as \"10.0.0.0/16\"");
                    }
                }
            }
            ConditionKind::SourceSubnet(value) => {
                if let Some(subnet) = self.string(value) {
                    if is_ip_or_cidr(&subnet) {
                        out.source_subnet = Some(subnet);
                    } else {
                        self.type_error(value, "an IP address or CIDR block", "a subnet such as \"10.0.0.0/16\"");
                    }
                }
            }
            ConditionKind::Str { .. }
            | ConditionKind::Keyed { .. }
            | ConditionKind::IgnoreUriCase
            | ConditionKind::MatchName(_)
            | ConditionKind::StatPrefix(_) => {}
        }
    }

    fn string_match(&mut self, op: ast::StringOp, value: &Value, empty_prefix_ok: bool) -> Option<StringMatch> {
        let text = self.string(value)?;
        let mut out = StringMatch::default();
        match op {
            ast::StringOp::Exact => out.exact = Some(text),
            ast::StringOp::Prefix => {
                if text.is_empty() && !empty_prefix_ok {
                    self.type_error(value, "a non-empty prefix", "a prefix such as \"/api\"");
                    return None;
                }
                out.prefix = Some(text);
            }
            ast::StringOp::Regex => {
                if !self.regex(value, &text) {
                    return None;
                }
                out.regex = Some(text);
            }
        }
        Some(out)
    }

    /// Envoy compares header names in lower case: an upper-case name in a
    /// match never matches.
    fn lowercase_header(&mut self, name: &str, value: &Value) -> bool {
        if !name.bytes().any(|b| b.is_ascii_uppercase()) {
            return true;
        }
        let lower = name.to_ascii_lowercase();
        self.diagnostics.push(
            Diagnostic::error(
                Code::E0308,
                value.span,
                format!("header names in matches are lower case: `{name}`"),
            )
            .with_label("contains upper-case letters")
            .with_help(format!("write \"{lower}\""))
            .with_fix(format!("Write \"{lower}\""), value.span, format!("\"{lower}\"")),
        );
        false
    }

    /// HTTP methods are upper case; `exact "get"` never matches.
    fn check_method(&mut self, m: &StringMatch, value: &Value) {
        const METHODS: &[&str] = &[
            "GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
        ];
        if let Some(method) = &m.exact {
            let upper = method.to_ascii_uppercase();
            if method != &upper && METHODS.contains(&upper.as_str()) {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::E0302,
                        value.span,
                        format!("HTTP methods are upper case: `{method}` never matches"),
                    )
                    .with_label(format!("did you mean `{upper}`?"))
                    .with_help(format!("write \"{upper}\""))
                    .with_fix(format!("Write \"{upper}\""), value.span, format!("\"{upper}\"")),
                );
            }
        }
    }

    /// A TLS route's SNI host must be one of the VirtualService's hosts (or
    /// covered by a wildcard host).
    fn sni_in_hosts(&mut self, sni: &str, value: &Value) -> bool {
        let covered = self.current_hosts.iter().any(|host| host_covers(host, sni));
        if covered {
            return true;
        }
        self.diagnostics.push(
            Diagnostic::error(
                Code::E0409,
                value.span,
                format!("SNI host `{sni}` is not a host of this service"),
            )
            .with_label("not among the VirtualService's hosts")
            .with_note(format!(
                "the VirtualService's hosts are: {}",
                self.current_hosts.join(", ")
            ))
            .with_help(format!("add it to the service with `hosts \"{sni}\"`")),
        );
        false
    }
}

/// Whether `pattern` (a host, maybe `*.domain`) covers `host`.
fn host_covers(pattern: &str, host: &str) -> bool {
    match pattern.strip_prefix('*') {
        Some(suffix) => host.ends_with(suffix),
        None => pattern.eq_ignore_ascii_case(host),
    }
}

fn is_ip_or_cidr(text: &str) -> bool {
    match text.split_once('/') {
        Some((ip, bits)) => match (ip.parse::<std::net::IpAddr>(), bits.parse::<u8>()) {
            (Ok(std::net::IpAddr::V4(_)), Ok(b)) => b <= 32,
            (Ok(std::net::IpAddr::V6(_)), Ok(b)) => b <= 128,
            _ => false,
        },
        None => text.parse::<std::net::IpAddr>().is_ok(),
    }
}

/// What a condition tests, to find the same attribute tested twice.
fn condition_key(kind: &ConditionKind) -> String {
    match kind {
        ConditionKind::Str { subject, .. } => format!("{subject:?}"),
        ConditionKind::Keyed { source, name, .. } => match &name.kind {
            ValueKind::String(n) => format!("{source:?}:{}", n.to_ascii_lowercase()),
            _ => format!("{source:?}:?"),
        },
        ConditionKind::SourceLabels(_) => "source".into(),
        ConditionKind::SourceNamespace(_) => "source namespace".into(),
        ConditionKind::Port(_) => "port".into(),
        // Several gateways in one match are a list, not a conflict.
        ConditionKind::Gateway(value) => format!("gateway:{:?}", value.span),
        ConditionKind::Sni(value) => format!("sni:{:?}", value.span),
        ConditionKind::DestinationSubnet(value) => format!("subnet:{:?}", value.span),
        ConditionKind::SourceSubnet(_) => "source_subnet".into(),
        ConditionKind::MatchName(_) => "name".into(),
        ConditionKind::StatPrefix(_) => "stat_prefix".into(),
        ConditionKind::IgnoreUriCase => "ignore_uri_case".into(),
    }
}
