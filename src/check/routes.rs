//! Routes: statements and match conditions to Istio's HTTP, TCP and TLS
//! routes, with the routing guarantees (destinations resolve, weights sum
//! to 100, one action per route).

use foldhash::{HashMap, HashMapExt};

use super::{Checker, Reference, ServiceId};
use crate::diag::{Code, Diagnostic};
use crate::model::istio::*;
use crate::span::Span;
use crate::suggest::closest;
use crate::syntax::ast::{self, ConditionKind, KeyedSource, RouteKind, StatementKind, Value, ValueKind};

/// The result of checking one route.
pub(super) enum CheckedRoute {
    Http(Box<HttpRoute>),
    Tcp(TcpRoute),
    Tls(TlsRoute),
}

/// The smallest share of requests a fault can apply to, in percent.
const MIN_FAULT_PERCENT: f64 = 0.0001;

/// Status codes Istio accepts for `redirect code`.
const REDIRECT_CODES: &[i64] = &[301, 302, 303, 307, 308];

/// gRPC status names for `fault abort grpc`.
const GRPC_STATUSES: &[&str] = &[
    "OK",
    "CANCELLED",
    "UNKNOWN",
    "INVALID_ARGUMENT",
    "DEADLINE_EXCEEDED",
    "NOT_FOUND",
    "ALREADY_EXISTS",
    "PERMISSION_DENIED",
    "RESOURCE_EXHAUSTED",
    "FAILED_PRECONDITION",
    "ABORTED",
    "OUT_OF_RANGE",
    "UNIMPLEMENTED",
    "INTERNAL",
    "UNAVAILABLE",
    "DATA_LOSS",
    "UNAUTHENTICATED",
];

/// Conditions `retries ... on "..."` accepts (besides status codes).
const RETRY_ON: &[&str] = &[
    "5xx",
    "gateway-error",
    "reset",
    "reset-before-request",
    "connect-failure",
    "envoy-ratelimited",
    "retriable-4xx",
    "refused-stream",
    "retriable-status-codes",
    "retriable-headers",
    "http3-post-connect-failure",
    "cancelled",
    "deadline-exceeded",
    "internal",
    "resource-exhausted",
    "unavailable",
];

/// Where each statement that may appear once was first seen.
type Seen = HashMap<&'static str, Span>;

impl Checker<'_> {
    /// Checks one route of service `service`.
    pub(super) fn route(&mut self, service: ServiceId, route: &ast::Route) -> CheckedRoute {
        let mut seen: Seen = HashMap::new();
        for statement in &route.statements {
            self.check_allowed(route.kind, statement);
            let once = match &statement.kind {
                StatementKind::Match(_) | StatementKind::Mirror { .. } | StatementKind::Headers(_) => None,
                StatementKind::Rewrite {
                    part: ast::RewritePart::Authority,
                    ..
                } => Some("rewrite authority"),
                other => Some(other.keyword()),
            };
            if let Some(keyword) = once {
                if let Some(first) = seen.get(keyword) {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::E0211,
                            statement.keyword,
                            format!("`{keyword}` appears twice in this route"),
                        )
                        .with_label("repeated")
                        .with_secondary(*first, "first here")
                        .with_help("keep one of them"),
                    );
                } else {
                    seen.insert(keyword, statement.keyword);
                }
            }
        }
        if let Some(name) = route.name.as_ref().filter(|_| route.kind != RouteKind::Http) {
            self.diagnostics.push(
                Diagnostic::error(Code::E0408, name.span, "TCP and TLS routes have no name in Istio")
                    .with_label("would be lost")
                    .with_help("remove the name, or say what the route does in a comment"),
            );
        }
        match route.kind {
            RouteKind::Http => CheckedRoute::Http(Box::new(self.http_route(service, route, &seen))),
            RouteKind::Tcp => {
                let (matches, destinations) = self.l4_route(service, route, &seen);
                CheckedRoute::Tcp(TcpRoute {
                    matches,
                    route: destinations,
                })
            }
            RouteKind::Tls => {
                let (matches, destinations) = self.l4_route(service, route, &seen);
                let missing_sni = matches.is_empty() || matches.iter().any(|m| m.sni_hosts.is_empty());
                if missing_sni {
                    self.diagnostics.push(
                        Diagnostic::error(Code::E0404, route.keyword, "a `tls route` needs `match sni \"host\"`")
                            .with_label("no SNI match")
                            .with_help(
                                "Istio routes TLS by the SNI host name: add `match sni \"example.com\"` to every match",
                            ),
                    );
                }
                CheckedRoute::Tls(TlsRoute {
                    matches,
                    route: destinations,
                })
            }
        }
    }

    /// TCP and TLS routes take `match` and `to` only.
    fn check_allowed(&mut self, kind: RouteKind, statement: &ast::Statement) {
        let kind_name = match kind {
            RouteKind::Http => return self.check_conditions_allowed(kind, statement),
            RouteKind::Tcp => "tcp",
            RouteKind::Tls => "tls",
        };
        match statement.kind {
            StatementKind::Match(_) => self.check_conditions_allowed(kind, statement),
            StatementKind::To(_) => {}
            _ => self.diagnostics.push(
                Diagnostic::error(
                    Code::E0408,
                    statement.keyword,
                    format!("`{}` is not allowed in a `{kind_name} route`", statement.kind.keyword()),
                )
                .with_label("HTTP only")
                .with_help(format!("a `{kind_name} route` has only `match` and `to` statements")),
            ),
        }
    }

    fn check_conditions_allowed(&mut self, kind: RouteKind, statement: &ast::Statement) {
        let StatementKind::Match(conditions) = &statement.kind else {
            return;
        };
        for condition in conditions {
            let allowed = match &condition.kind {
                ConditionKind::Str { .. } | ConditionKind::Keyed { .. } | ConditionKind::IgnoreUriCase => {
                    kind == RouteKind::Http
                }
                ConditionKind::Sni(_) => kind == RouteKind::Tls,
                ConditionKind::DestinationSubnet(_) => kind != RouteKind::Http,
                ConditionKind::SourceSubnet(_) => kind == RouteKind::Tcp,
                ConditionKind::MatchName(_) | ConditionKind::StatPrefix(_) => kind == RouteKind::Http,
                _ => true,
            };
            if !allowed {
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

    fn http_route(&mut self, service: ServiceId, route: &ast::Route, seen: &Seen) -> HttpRoute {
        let mut out = HttpRoute {
            name: route.name.as_ref().map(|n| n.name.to_string()),
            ..HttpRoute::default()
        };
        let mut mirrors: Vec<(Destination, Option<Percent>)> = Vec::new();
        let mut for_destinations: Vec<&ast::Statement> = Vec::new();
        for statement in &route.statements {
            match &statement.kind {
                StatementKind::Match(conditions) => out.matches.push(self.http_match(conditions)),
                StatementKind::To(destinations) => {
                    out.route = self
                        .destinations(service, destinations, statement.span)
                        .into_iter()
                        .map(|(destination, weight)| HttpRouteDestination {
                            destination,
                            weight,
                            headers: None,
                        })
                        .collect();
                }
                StatementKind::Timeout(value) => out.timeout = self.duration(value, true),
                StatementKind::Retries(retries) => out.retries = self.retries(&retries.attempts, &retries.options),
                StatementKind::FaultDelay(fault) => {
                    let ast::FaultDelay {
                        exponential,
                        delay,
                        percent,
                    } = &**fault;
                    if *exponential {
                        // The field exists in the API, but istiod rejects it.
                        self.diagnostics.push(
                            Diagnostic::error(
                                Code::E0405,
                                statement.keyword,
                                "Istio does not support exponential delays yet",
                            )
                            .with_label("rejected by Istio")
                            .with_help("use a fixed delay: `fault delay 50ms 10%`"),
                        );
                    }
                    let delay = self.duration(delay, true);
                    let percentage = self.fault_percentage(percent.as_ref());
                    if let Some(delay) = delay {
                        let (fixed_delay, exponential_delay) = if *exponential {
                            (None, Some(delay))
                        } else {
                            (Some(delay), None)
                        };
                        out.fault.get_or_insert_with(Fault::default).delay = Some(Delay {
                            fixed_delay,
                            exponential_delay,
                            percentage,
                        });
                    }
                }
                StatementKind::FaultAbort(fault) => {
                    let ast::FaultAbort { status, grpc, percent } = &**fault;
                    let percentage = self.fault_percentage(percent.as_ref());
                    let abort = if *grpc {
                        self.grpc_status(status).map(|name| Abort {
                            http_status: None,
                            grpc_status: Some(name),
                            percentage,
                        })
                    } else {
                        self.abort_status(status).map(|code| Abort {
                            http_status: Some(code),
                            grpc_status: None,
                            percentage,
                        })
                    };
                    if let Some(abort) = abort {
                        out.fault.get_or_insert_with(Fault::default).abort = Some(abort);
                    }
                }
                StatementKind::Mirror { target, percent } => {
                    let percentage = percent
                        .as_ref()
                        .and_then(|p| self.percent(p, Code::E0303))
                        .map(|value| Percent { value });
                    if let Some(destination) = self.destination(service, target) {
                        mirrors.push((destination, percentage));
                    }
                }
                StatementKind::Rewrite { part, value } => {
                    let example = match part {
                        ast::RewritePart::Uri => "the new path, such as \"/\"",
                        ast::RewritePart::Authority => "the new host, such as \"backend.internal\"",
                    };
                    if let Some(text) = self.non_empty_string(value, example) {
                        let rewrite = out.rewrite.get_or_insert_with(Rewrite::default);
                        match part {
                            ast::RewritePart::Uri => rewrite.uri = Some(text),
                            ast::RewritePart::Authority => rewrite.authority = Some(text),
                        }
                    }
                }
                StatementKind::RewriteRegex(rewrite) => {
                    let ast::RewriteRegex { pattern, replacement } = &**rewrite;
                    let pattern_text = self.string(pattern);
                    // V.go `validateHTTPRewrite`: "UriRegexRewrite requires both Rewrite and Match".
                    let replacement = self.non_empty_string(replacement, "the replacement, such as \"/\\\\1\"");
                    if let (Some(p), Some(r)) = (pattern_text, replacement)
                        && self.regex(pattern, &p)
                    {
                        out.rewrite.get_or_insert_with(Rewrite::default).uri_regex_rewrite =
                            Some(RegexRewrite { pattern: p, rewrite: r });
                    }
                }
                StatementKind::Redirect(options) => out.redirect = Some(self.redirect(options, statement.keyword)),
                StatementKind::Respond(respond) => {
                    let ast::Respond { status, body, bytes } = &**respond;
                    let status = self.integer(status, 200, 599).and_then(|s| u32::try_from(s).ok());
                    let body = body.as_ref().and_then(|b| {
                        let text = self.string(b)?;
                        if *bytes {
                            let padding = text.len() - text.trim_end_matches('=').len();
                            let decoded = (text.len() / 4 * 3).saturating_sub(padding);
                            (self.base64(&text, b) && self.body_size(decoded, b)).then_some(Body {
                                string: None,
                                bytes: Some(text),
                            })
                        } else {
                            self.body_size(text.len(), b).then_some(Body {
                                string: Some(text),
                                bytes: None,
                            })
                        }
                    });
                    if let Some(status) = status {
                        out.direct_response = Some(DirectResponse { status, body });
                    }
                }
                StatementKind::Delegate(delegate) => {
                    let ast::Delegate { name, namespace } = &**delegate;
                    let name_text = self.name_or_string(name);
                    let namespace_text = namespace.as_ref().and_then(|ns| self.name_or_string(ns));
                    if let Some(name_text) = name_text
                        && self.dns_label_value(&name_text, name, "VirtualService")
                        && namespace_text
                            .as_ref()
                            .zip(namespace.as_ref())
                            .is_none_or(|(text, value)| self.dns_label_value(text, value, "namespace"))
                    {
                        out.delegate = Some(Delegate {
                            name: name_text,
                            namespace: namespace_text,
                        });
                    }
                }
                StatementKind::Headers(headers) if headers.target.is_some() => for_destinations.push(statement),
                StatementKind::Headers(edit) => {
                    let ast::Headers {
                        side, op, name, value, ..
                    } = &**edit;
                    let rewritten = out.rewrite.as_ref().is_some_and(|r| r.authority.is_some());
                    let mut headers = out.headers.take();
                    let edit = HeaderEdit {
                        side: *side,
                        op: *op,
                        name,
                        value: value.as_ref(),
                        statement: statement.span,
                    };
                    self.header_operation(&mut headers, rewritten, edit);
                    out.headers = headers;
                }
                StatementKind::Cors(fields) => {
                    out.cors_policy =
                        Some(self.catalogue_block(fields, crate::catalogue::cors_policy(), statement.keyword))
                }
            }
        }
        for statement in for_destinations {
            if let StatementKind::Headers(edit) = &statement.kind
                && let ast::Headers {
                    side,
                    op,
                    name,
                    value,
                    target: Some(target),
                } = &**edit
            {
                self.destination_headers(
                    service,
                    &mut out,
                    target,
                    HeaderEdit {
                        side: *side,
                        op: *op,
                        name,
                        value: value.as_ref(),
                        statement: statement.span,
                    },
                );
            }
        }
        match mirrors.len() {
            0 => {}
            1 => {
                if let Some((destination, percentage)) = mirrors.pop() {
                    out.mirror = Some(destination);
                    out.mirror_percentage = percentage;
                }
            }
            _ => {
                out.mirrors = mirrors
                    .into_iter()
                    .map(|(destination, percentage)| Mirror {
                        destination,
                        percentage,
                    })
                    .collect();
            }
        }
        self.check_actions(route, seen);
        self.check_prefix_redirect(route, &out);
        out
    }

    /// One action per route: forward (`to`), `redirect`, `respond` or `delegate`.
    fn check_actions(&mut self, route: &ast::Route, seen: &Seen) {
        // (statement, statements it excludes); VS.go `validateHTTPRoute`
        // refuses any rewrite, of the path or the authority, beside a
        // redirect or a direct response.
        const EXCLUSIVE: &[(&str, &[&str])] = &[
            (
                "redirect",
                &[
                    "to",
                    "fault delay",
                    "fault abort",
                    "rewrite",
                    "rewrite authority",
                    "respond",
                    "delegate",
                    "mirror",
                ],
            ),
            (
                "respond",
                &[
                    "to",
                    "fault delay",
                    "fault abort",
                    "rewrite",
                    "rewrite authority",
                    "delegate",
                    "mirror",
                ],
            ),
            ("delegate", &["to"]),
        ];
        for (action, excluded) in EXCLUSIVE {
            let Some(action_span) = seen.get(action) else { continue };
            for other in *excluded {
                let other_span = if *other == "mirror" {
                    route
                        .statements
                        .iter()
                        .find(|s| matches!(s.kind, StatementKind::Mirror { .. }))
                        .map(|s| s.keyword)
                } else {
                    seen.get(other).copied()
                };
                if let Some(other_span) = other_span {
                    self.diagnostics.push(
                        Diagnostic::error(Code::E0403, other_span, format!("`{other}` cannot be combined with `{action}`"))
                            .with_label(format!("conflicts with `{action}`"))
                            .with_secondary(*action_span, format!("`{action}` is set here"))
                            .with_help(if *action == "rewrite uri regex" {
                                format!("a path is rewritten one way: remove `{other}` or `{action}`")
                            } else {
                                format!("a route either forwards (`to`), answers (`redirect`, `respond`) or delegates; remove `{other}` or `{action}`")
                            }),
                    );
                }
            }
        }
        let has_action = ["to", "redirect", "respond", "delegate"]
            .iter()
            .any(|a| seen.contains_key(a));
        if !has_action {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0404,
                    route.keyword,
                    "this route does nothing with the requests it matches",
                )
                .with_label("no `to`, `redirect`, `respond` or `delegate`")
                .with_help("add `to SUBSET` to forward matching requests, or `respond 404` to answer them"),
            );
        }
    }

    fn l4_route(
        &mut self,
        service: ServiceId,
        route: &ast::Route,
        seen: &Seen,
    ) -> (Vec<L4Match>, Vec<RouteDestination>) {
        let mut matches = Vec::new();
        let mut destinations = Vec::new();
        for statement in &route.statements {
            match &statement.kind {
                StatementKind::Match(conditions) => matches.push(self.l4_match(conditions)),
                StatementKind::To(list) => {
                    destinations = self
                        .destinations(service, list, statement.span)
                        .into_iter()
                        .map(|(destination, weight)| RouteDestination { destination, weight })
                        .collect();
                }
                _ => {}
            }
        }
        if !seen.contains_key("to") {
            self.diagnostics.push(
                Diagnostic::error(Code::E0404, route.keyword, "this route has no destination")
                    .with_label("no `to`")
                    .with_help("add `to SUBSET` to say where the connections go"),
            );
        }
        (matches, destinations)
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

    fn http_match(&mut self, conditions: &[ast::Condition]) -> HttpMatch {
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

    fn l4_match(&mut self, conditions: &[ast::Condition]) -> L4Match {
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

    /// `to` destinations with their weights, checked for the 100% rule.
    fn destinations(
        &mut self,
        service: ServiceId,
        list: &[ast::Destination],
        statement: Span,
    ) -> Vec<(Destination, Option<i64>)> {
        let resolved: Vec<Option<Destination>> = list.iter().map(|d| self.destination(service, &d.target)).collect();
        let weights: Vec<Option<i64>> = list
            .iter()
            .map(|d| d.weight.as_ref().and_then(|w| self.weight(w)))
            .collect();
        if let [single] = list {
            if let (Some(weight_value), Some(Some(weight))) = (&single.weight, weights.first())
                && *weight < 100
            {
                self.diagnostics.push(
                    Diagnostic::warning(
                        Code::W0002,
                        weight_value.span,
                        format!("the weight {weight}% is ignored"),
                    )
                    .with_label("ignored")
                    .with_note("a route with one destination sends it all of its traffic")
                    .with_help("remove the weight, or add the destination that should get the rest")
                    .with_fix(
                        "Remove the weight",
                        Span {
                            start: single.target.span.end,
                            ..weight_value.span
                        },
                        "",
                    ),
                );
            }
            return resolved
                .into_iter()
                .flatten()
                .map(|destination| (destination, None))
                .collect();
        }
        let mut complete = true;
        for destination in list {
            if destination.weight.is_none() {
                complete = false;
                self.diagnostics.push(
                    Diagnostic::error(Code::E0402, destination.span, "this destination has no weight")
                        .with_label("needs a weight such as `50%`")
                        .with_secondary(statement, "a split over several destinations")
                        .with_help("give every destination of a split a weight; the weights sum to 100%"),
                );
            }
        }
        if complete && weights.iter().all(Option::is_some) {
            let sum: i64 = weights.iter().flatten().sum();
            if sum != 100 {
                self.weight_sum_error(list, &weights, sum);
            }
        }
        resolved
            .into_iter()
            .zip(weights)
            .filter_map(|(destination, weight)| destination.map(|d| (d, weight)))
            .collect()
    }

    fn weight_sum_error(&mut self, list: &[ast::Destination], weights: &[Option<i64>], sum: i64) {
        let spans: Vec<Span> = list.iter().filter_map(|d| d.weight.as_ref().map(|w| w.span)).collect();
        let (Some(first), Some(last)) = (spans.first(), spans.last()) else {
            return;
        };
        let all = first.to(*last);
        let difference = 100 - sum;
        let mut diag = Diagnostic::error(Code::E0401, all, format!("the weights sum to {sum}%, not 100%"))
            .with_label(format!("these weights sum to {sum}%"))
            .with_note("Istio itself treats weights as relative shares, so this split would silently become something other than what it reads; meshc requires exactly 100%");
        for span in spans.iter().skip(1).take(spans.len().saturating_sub(2)) {
            diag = diag.with_secondary(*span, "");
        }
        // Suggest moving the difference onto the last weight when that stays valid.
        let adjusted = weights.last().copied().flatten().map(|w| w + difference);
        match adjusted {
            Some(new_last) if (0..=100).contains(&new_last) => {
                let verb = if difference > 0 { "add" } else { "remove" };
                diag = diag
                    .with_help(format!(
                        "{verb} {}% so they sum to 100%, e.g. make the last weight {new_last}%",
                        difference.abs()
                    ))
                    .with_fix(
                        format!("Make the last weight {new_last}%"),
                        *last,
                        format!("{new_last}%"),
                    );
            }
            _ => diag = diag.with_help("change the weights so that they sum to 100%"),
        }
        self.diagnostics.push(diag);
    }

    /// A weight: a whole percentage from 0% to 100%.
    fn weight(&mut self, value: &Value) -> Option<i64> {
        match value.kind {
            // A percentage no float keeps, reported when lowering.
            ValueKind::Percent(p) if p.is_nan() => None,
            ValueKind::Percent(p) if p.fract() == 0.0 && (0.0..=100.0).contains(&p) => Some(p as i64),
            ValueKind::Percent(p) if p.fract() != 0.0 => {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0301, value.span, "a weight must be a whole percentage")
                        .with_label("not a whole number")
                        .with_help(format!("Istio weights are integers; use {}%", p.round())),
                );
                None
            }
            ValueKind::Percent(_) => {
                self.out_of_range(value, "0%..100%");
                None
            }
            ValueKind::Number(ref n) => {
                let text = n.clone();
                self.diagnostics.push(
                    Diagnostic::error(Code::E0301, value.span, "a weight needs a `%` sign")
                        .with_label("expected a percentage")
                        .with_help(format!("write `{text}%`"))
                        .with_fix(format!("Write `{text}%`"), value.span, format!("{text}%")),
                );
                None
            }
            _ => {
                self.type_error(value, "a percentage", "a weight such as 50%");
                None
            }
        }
    }

    /// Resolves a destination: a subset of this service, another service,
    /// `service/subset`, or an external host.
    pub(super) fn destination(&mut self, service: ServiceId, target: &ast::Target) -> Option<Destination> {
        let port = match target.port.as_deref() {
            Some((text, span)) => {
                let value = Value {
                    kind: ValueKind::Number(text.clone()),
                    span: *span,
                };
                Some(PortSelector {
                    number: self.port(&value)?,
                })
            }
            None => None,
        };
        let (host, subset) = match &target.host {
            ast::TargetHost::Name(name) => {
                let own = self.table.services.get(service)?;
                if own.has_subset(&name.name) {
                    self.references.push(Reference {
                        span: name.span,
                        service,
                        subset: Some(name.name.clone()),
                    });
                    (own.host.clone(), Some(name.name.to_string()))
                } else if let Some(&other) = self.table.by_name.get(&name.name) {
                    self.references.push(Reference {
                        span: name.span,
                        service: other,
                        subset: None,
                    });
                    (self.host_from(service, other, name.span)?, None)
                } else {
                    self.unknown_target(service, name);
                    return None;
                }
            }
            ast::TargetHost::Qualified { service: svc, subset } => {
                let Some(&other) = self.table.by_name.get(&svc.name) else {
                    self.unknown_service(svc);
                    return None;
                };
                self.references.push(Reference {
                    span: svc.span,
                    service: other,
                    subset: None,
                });
                let info = self.table.services.get(other)?;
                if !info.has_subset(&subset.name) {
                    self.unknown_subset(other, subset);
                    return None;
                }
                self.references.push(Reference {
                    span: subset.span,
                    service: other,
                    subset: Some(subset.name.clone()),
                });
                (self.host_from(service, other, svc.span)?, Some(subset.name.to_string()))
            }
            ast::TargetHost::External(host, span) => {
                let value = Value {
                    kind: ValueKind::String(host.clone()),
                    span: *span,
                };
                if !self.exact_host(host, &value, "a destination") {
                    return None;
                }
                (host.to_string(), None)
            }
        };
        // V.go `validateDestination`: "wildcard is not allowed in the
        // destination host"; meshc refuses `*.x` as well.
        if host.contains('*') && !matches!(target.host, ast::TargetHost::External(..)) {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0409,
                    target.span,
                    format!("`{host}` is a wildcard host, not a destination"),
                )
                .with_label("routes to a wildcard host")
                .with_note("Istio cannot send requests to a wildcard host")
                .with_help(
                    "route to a service with a named host, or write the destination host, such as \"api.example.com\"",
                ),
            );
            return None;
        }
        Some(Destination { host, subset, port })
    }

    /// The host that service `from` writes for service `to`, so that Istio
    /// resolves it to `to` in `from`'s namespace (see [`crate::hosts`]).
    fn host_from(&mut self, from: ServiceId, to: ServiceId, span: Span) -> Option<String> {
        let services = &self.table.services;
        let (source, target) = (services.get(from)?, services.get(to)?);
        let written = crate::hosts::reference(&target.host, target.namespace.as_deref(), source.namespace.as_deref());
        if written.is_none() {
            let namespace = source.namespace.as_deref().unwrap_or_default();
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0213,
                    span,
                    format!("the host `{}` of service `{}` has no namespace", target.host, target.name),
                )
                .with_label(format!("Istio would read `{}` here as `{}`", target.host, crate::hosts::qualify(&target.host, Some(namespace))))
                .with_secondary(target.name_span, "defined in a file without a namespace")
                .with_note("a short host names a different service in each namespace; Istio resolves it in the namespace of the VirtualService that uses it")
                .with_help(format!(
                    "add `namespace {namespace}` (or its own namespace) to the file of `{}`, or give it a fully qualified host such as `host \"{}\"`",
                    target.name,
                    crate::hosts::qualify(&target.host, Some(namespace))
                )),
            );
        }
        written
    }

    /// A bare name that is neither a subset of this service nor a service.
    fn unknown_target(&mut self, service: ServiceId, name: &ast::Ident) {
        let has_subsets = self.table.services.get(service).is_some_and(|s| !s.subsets.is_empty());
        if has_subsets {
            self.unknown_subset(service, name);
            return;
        }
        self.unknown_service(name);
        // The usual first step of porting a VirtualService: `to v2` before
        // the service has subsets.  Offer the subset too.
        let Some(info) = self.table.services.get(service) else {
            return;
        };
        let fix = info.new_subset(&name.name);
        if let Some(diag) = self.diagnostics.last_mut() {
            diag.notes.push(format!(
                "if `{}` is meant as a subset of `{}`, define it with `subset {} {{ ... }}`, or declare it with `external_subsets {}` when a DestinationRule outside this program defines it",
                name.name, info.name, name.name, name.name
            ));
            if let Some((at, text)) = fix {
                diag.fixes.push(crate::diag::Fix {
                    title: format!("Create subset `{}` in `{}`", name.name, info.name),
                    span: at,
                    text,
                });
            }
        }
    }

    fn unknown_subset(&mut self, service: ServiceId, subset: &ast::Ident) {
        let Some(info) = self.table.services.get(service) else {
            return;
        };
        let names: Vec<&str> = info.subset_names().collect();
        let defined = if names.is_empty() {
            "it defines no subsets".to_string()
        } else {
            // The first few: a note repeated on each unknown name must not
            // grow with the service (3,000 subsets, 3,000 unknown names).
            const SHOWN: usize = 20;
            let mut list = names
                .iter()
                .take(SHOWN)
                .map(|n| format!("`{n}`"))
                .collect::<Vec<_>>()
                .join(", ");
            if names.len() > SHOWN {
                list.push_str(&format!(" and {} more", names.len() - SHOWN));
            }
            format!("defined subsets: {list}")
        };
        let mut diag = Diagnostic::error(
            Code::E0201,
            subset.span,
            format!("unknown subset `{}` of service `{}`", subset.name, info.name),
        )
        .with_note(defined)
        .with_secondary(info.name_span, format!("service `{}` is defined here", info.name));
        match closest(&subset.name, names.iter().copied()) {
            Some(best) => {
                diag = diag
                    .with_label(format!("did you mean `{best}`?"))
                    .with_help(format!(
                        "route to `{best}`, or define `subset {} {{ ... }}` in `{}`",
                        subset.name, info.name
                    ))
                    .with_fix(format!("Replace with `{best}`"), subset.span, best);
            }
            None => {
                diag = diag.with_label("no such subset").with_help(format!(
                    "define `subset {} {{ ... }}` in service `{}`",
                    subset.name, info.name
                ));
            }
        }
        if let Some((at, text)) = info.new_subset(&subset.name) {
            diag = diag.with_fix(format!("Create subset `{}` in `{}`", subset.name, info.name), at, text);
        }
        self.diagnostics.push(diag);
    }

    fn unknown_service(&mut self, name: &ast::Ident) {
        let mut diag = Diagnostic::error(Code::E0202, name.span, format!("unknown service `{}`", name.name));
        let best = closest(&name.name, self.table.services.iter().map(|s| s.name.as_str())).map(String::from);
        match best {
            Some(best) => {
                diag = diag
                    .with_label(format!("did you mean `{best}`?"))
                    .with_help(format!("replace `{}` with `{best}`", name.name))
                    .with_fix(format!("Replace with `{best}`"), name.span, best);
            }
            None => {
                diag = diag.with_label("not defined in this program").with_help(
                    "define the service, or write a host outside the program in quotes (\"api.example.com\")",
                );
            }
        }
        self.diagnostics.push(diag);
    }

    fn retries(&mut self, attempts: &Value, options: &[ast::RetryOption]) -> Option<Retries> {
        let attempts_count = self.integer(attempts, 0, i64::from(i32::MAX))?;
        let mut out = Retries {
            attempts: attempts_count,
            per_try_timeout: None,
            retry_on: None,
            retry_remote_localities: None,
            retry_ignore_previous_hosts: None,
            backoff: None,
        };
        let mut seen: HashMap<&str, Span> = HashMap::new();
        for option in options {
            if let Some(first) = seen.insert(option.key.as_str(), option.key_span) {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::E0211,
                        option.key_span,
                        format!("`{}` appears twice in `retries`", option.key),
                    )
                    .with_label("repeated")
                    .with_secondary(first, "first here")
                    .with_help("keep one of them"),
                );
                continue;
            }
            match option.key.as_str() {
                "per_try" => out.per_try_timeout = self.duration(&option.value, true),
                "on" => out.retry_on = self.retry_on(&option.value),
                "backoff" => out.backoff = self.duration(&option.value, true),
                "ignore_previous_hosts" => out.retry_ignore_previous_hosts = self.boolean(&option.value),
                _ => out.retry_remote_localities = self.boolean(&option.value),
            }
        }
        if attempts_count == 0
            && let Some(option) = options.first()
        {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0403,
                    option.key_span,
                    "`retries 0` turns retries off, so it takes no options",
                )
                .with_label("has no effect")
                .with_secondary(attempts.span, "retries are off")
                .with_help("remove the options, or allow at least one attempt"),
            );
        }
        Some(out)
    }

    fn retry_on(&mut self, value: &Value) -> Option<String> {
        let text = self.string(value)?;
        // A.go `ValidateHTTPRetry`: items are not trimmed, and a status code
        // is one Go's `http.StatusText` knows.
        for condition in text.split(',') {
            let is_status = condition.len() == 3 && condition.parse::<u16>().is_ok_and(is_known_status);
            if RETRY_ON.contains(&condition) || is_status {
                continue;
            }
            let mut diag = Diagnostic::error(
                Code::E0302,
                value.span,
                format!("unknown retry condition `{condition}`"),
            )
            .with_note(format!(
                "known conditions: {}, or an HTTP status code such as 503",
                RETRY_ON.join(", ")
            ));
            diag = match closest(condition, RETRY_ON.iter().copied()) {
                Some(best) => diag
                    .with_label(format!("did you mean `{best}`?"))
                    .with_help(format!("replace `{condition}` with `{best}`")),
                None => diag.with_label("unknown condition"),
            };
            self.diagnostics.push(diag);
            return None;
        }
        Some(text)
    }

    /// The share of requests a fault applies to; all of them when no
    /// percentage is given, written out because Envoy injects nothing for
    /// a fault without one.
    fn fault_percentage(&mut self, percent: Option<&Value>) -> Option<Percent> {
        let value = match percent {
            Some(p) => self.percent(p, Code::E0405)?,
            None => 100.0,
        };
        // V.go `validatePercentage`: 0, or at least 0.0001%.
        if value > 0.0
            && value < MIN_FAULT_PERCENT
            && let Some(p) = percent
        {
            self.diagnostics.push(
                Diagnostic::error(Code::E0405, p.span, "a fault percentage must be 0% or at least 0.0001%")
                    .with_label("too small")
                    .with_help("use 0.0001% or more, or 0% to turn the fault off"),
            );
            return None;
        }
        Some(Percent { value })
    }

    fn abort_status(&mut self, value: &Value) -> Option<i64> {
        let ValueKind::Number(text) = &value.kind else {
            self.type_error(
                value,
                "an HTTP status code",
                "a status such as 503, or `grpc \"UNAVAILABLE\"`",
            );
            return None;
        };
        match text.parse::<i64>() {
            Ok(code) if (200..=599).contains(&code) => Some(code),
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::E0405,
                        value.span,
                        format!("`{text}` is not an HTTP status Istio can inject"),
                    )
                    .with_label("not in 200..599")
                    .with_help("use a status from 200 to 599, such as 503"),
                );
                None
            }
        }
    }

    fn grpc_status(&mut self, value: &Value) -> Option<String> {
        let text = self.name_or_string(value)?;
        if GRPC_STATUSES.contains(&text.as_str()) {
            return Some(text);
        }
        let mut diag = Diagnostic::error(Code::E0405, value.span, format!("unknown gRPC status `{text}`"))
            .with_note(format!("gRPC statuses: {}", GRPC_STATUSES.join(", ")));
        diag = match closest(&text, GRPC_STATUSES.iter().copied()) {
            Some(best) => diag
                .with_label(format!("did you mean `{best}`?"))
                .with_help(format!("replace it with \"{best}\"")),
            None => diag.with_label("not a gRPC status name"),
        };
        self.diagnostics.push(diag);
        None
    }

    /// A redirect that replaces the matched prefix needs every `match` of
    /// its route that tests the path to test a prefix (V.go
    /// `validateHTTPRedirect`: "redirect prefix_rewrite requires all URI
    /// matches to use prefix match type").
    fn check_prefix_redirect(&mut self, route: &ast::Route, out: &HttpRoute) {
        if out.redirect.as_ref().is_none_or(|r| r.prefix_rewrite.is_none()) {
            return;
        }
        let redirect = route
            .statements
            .iter()
            .find(|s| matches!(s.kind, StatementKind::Redirect(_)));
        let matches = route
            .statements
            .iter()
            .filter(|s| matches!(s.kind, StatementKind::Match(_)));
        for (statement, checked) in matches.zip(&out.matches) {
            if checked.uri.as_ref().is_some_and(|uri| uri.prefix.is_none()) {
                let mut diag = Diagnostic::error(
                    Code::E0406,
                    statement.span,
                    "a `redirect prefix` needs `uri prefix` in every match that tests the path",
                )
                .with_label("tests the path exactly or by regex")
                .with_note("the redirect replaces the matched prefix, so Istio needs one")
                .with_help("match with `uri prefix \"...\"`, or redirect with `uri` instead of `prefix`");
                if let Some(redirect) = redirect {
                    diag = diag.with_secondary(redirect.span, "replaces the matched prefix");
                }
                self.diagnostics.push(diag);
            }
        }
    }

    /// A direct response body of at most 1 MiB (V.go
    /// `validateHTTPDirectResponse`: "large direct_responses may impact
    /// control plane performance, must be less than 1MB", for a body of
    /// more than `1 * mb` = 1,048,576 bytes, counted in UTF-8 for a string
    /// and decoded for `bytes`).
    fn body_size(&mut self, bytes: usize, value: &Value) -> bool {
        const MAX_BODY: usize = 1024 * 1024;
        if bytes <= MAX_BODY {
            return true;
        }
        self.diagnostics.push(
            Diagnostic::error(
                Code::E0303,
                value.span,
                format!("the response body is {bytes} bytes, more than Istio's limit of 1 MiB"),
            )
            .with_label("larger than 1,048,576 bytes")
            .with_note("Istio sends the body to every proxy in its configuration, and refuses bodies over 1 MiB")
            .with_help("keep the body at most 1 MiB, or serve a large body from a service and route to it with `to`"),
        );
        false
    }

    fn redirect(&mut self, options: &[(ast::RedirectKey, Span, Value)], keyword: Span) -> Redirect {
        let mut out = Redirect::default();
        let mut seen: HashMap<ast::RedirectKey, Span> = HashMap::new();
        for (key, key_span, _) in options {
            if let Some(first) = seen.insert(*key, *key_span) {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0211, *key_span, "a `redirect` option appears twice")
                        .with_label("repeated")
                        .with_secondary(first, "first here")
                        .with_help("keep one of them"),
                );
            }
        }
        for (a, b) in [
            (ast::RedirectKey::Port, ast::RedirectKey::DerivePort),
            (ast::RedirectKey::Uri, ast::RedirectKey::Prefix),
        ] {
            if let (Some(first), Some(second)) = (seen.get(&a), seen.get(&b)) {
                let (first, second) = (*first.min(second), *first.max(second));
                self.diagnostics.push(
                    Diagnostic::error(Code::E0403, second, "these `redirect` options cannot both be set")
                        .with_label("conflicts with the option set before")
                        .with_secondary(first, "set here")
                        .with_help(
                            "`port` and `derive_port` pick the port two ways, `uri` and `prefix` the path: keep one",
                        ),
                );
            }
        }
        for (key, _, value) in options {
            match key {
                ast::RedirectKey::Uri => out.uri = self.redirect_text(value, "uri"),
                ast::RedirectKey::Prefix => out.prefix_rewrite = self.redirect_text(value, "prefix"),
                ast::RedirectKey::Authority => out.authority = self.redirect_text(value, "authority"),
                ast::RedirectKey::Scheme => {
                    // V.go `validateHTTPRedirect`: "" or http or https.
                    let schemes = ["http", "https"];
                    out.scheme = self
                        .name_or_string(value)
                        .filter(|scheme| schemes.contains(&scheme.as_str()) || !self.bad_scheme(scheme, value));
                }
                ast::RedirectKey::Port => out.port = self.port(value),
                ast::RedirectKey::DerivePort => {
                    let allowed = ["FROM_PROTOCOL_DEFAULT".to_string(), "FROM_REQUEST_PORT".to_string()];
                    out.derive_port = self.enumeration(value, &allowed, "`derive_port` value");
                }
                ast::RedirectKey::Code => {
                    let code = match &value.kind {
                        ValueKind::Number(text) => text.parse::<i64>().ok(),
                        _ => {
                            self.type_error(value, "a redirect status code", "301, 302, 303, 307 or 308");
                            continue;
                        }
                    };
                    match code {
                        Some(code) if REDIRECT_CODES.contains(&code) => out.redirect_code = u32::try_from(code).ok(),
                        _ => self.diagnostics.push(
                            Diagnostic::error(Code::E0406, value.span, "not a redirect status code")
                                .with_label("not 301, 302, 303, 307 or 308")
                                .with_help("use 301 (moved permanently), 302 (found), 303 (see other), 307 or 308"),
                        ),
                    }
                }
            }
        }
        // V.go `validateHTTPRedirect`: "redirect must specify URI, prefix,
        // scheme, authority, or port"; a status code alone is not enough.
        if options.iter().all(|(key, _, _)| *key == ast::RedirectKey::Code) {
            self.diagnostics.push(
                Diagnostic::error(Code::E0406, keyword, "this redirect changes nothing but its status code")
                    .with_label("no target")
                    .with_help("say where to redirect with `uri`, `prefix`, `authority`, `scheme`, `port` or `derive_port`, such as `redirect uri \"/new\" code 301`"),
            );
        }
        out
    }

    /// A `redirect uri|prefix|authority` value: a non-empty string, since
    /// Istio reads an empty one as unset.
    fn redirect_text(&mut self, value: &Value, option: &str) -> Option<String> {
        let text = self.string(value)?;
        if text.is_empty() {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0406,
                    value.span,
                    format!("an empty `{option}` redirects nowhere"),
                )
                .with_label("empty")
                .with_help(format!("write the new {option}, or remove the option")),
            );
            return None;
        }
        Some(text)
    }

    /// Reports a redirect scheme other than `http` or `https`; returns
    /// `true` (reported).
    fn bad_scheme(&mut self, scheme: &str, value: &Value) -> bool {
        self.diagnostics.push(
            Diagnostic::error(
                Code::E0406,
                value.span,
                format!("`{scheme}` is not a scheme Istio redirects to"),
            )
            .with_label("not `http` or `https`")
            .with_help("write `scheme https` or `scheme http` (lower case)"),
        );
        true
    }

    /// `headers ... for DEST`: edits for one destination of the route.
    fn destination_headers(
        &mut self,
        service: ServiceId,
        out: &mut HttpRoute,
        target: &ast::Target,
        edit: HeaderEdit<'_>,
    ) {
        let Some(destination) = self.destination(service, target) else {
            return;
        };
        let Some(entry) = out.route.iter_mut().find(|d| d.destination == destination) else {
            self.diagnostics.push(
                Diagnostic::error(Code::E0412, target.span, "this is not a destination of the route")
                    .with_label("not in the route's `to`")
                    .with_help(
                        "name one of the destinations of `to`, or drop `for` to edit the headers of every destination",
                    ),
            );
            return;
        };
        let mut headers = entry.headers.take();
        self.header_operation(&mut headers, false, edit);
        entry.headers = headers;
    }

    /// Adds one header edit to `headers`; `authority_rewritten` when the
    /// route already rewrites the authority.
    fn header_operation(&mut self, headers: &mut Option<Headers>, authority_rewritten: bool, edit: HeaderEdit<'_>) {
        let HeaderEdit {
            side,
            op,
            name,
            value,
            statement,
        } = edit;
        let Some(name_text) = self.string(name) else { return };
        if !self.header_name(&name_text, name) || !self.editable_header(side, op, &name_text, name) {
            return;
        }
        let value_text = match (op, value) {
            (ast::HeaderOp::Remove, None) => None,
            (ast::HeaderOp::Remove, Some(extra)) => {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0301, extra.span, "`remove` takes a header name only")
                        .with_label("unexpected value")
                        .with_help("remove the value"),
                );
                return;
            }
            (_, Some(value)) => match self.string(value) {
                Some(text) if self.header_value(&text, value) => Some(text),
                _ => return,
            },
            (_, None) => {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0301, statement, "expected a header value after the name")
                        .with_label("no value")
                        .with_help("write the value to set, such as `headers request set \"x-version\" \"v2\"`"),
                );
                return;
            }
        };
        let lower = name_text.to_ascii_lowercase();
        let authority = side == ast::HeaderSide::Request
            && op != ast::HeaderOp::Remove
            && (lower == "host" || lower == ":authority");
        if authority {
            let rewritten = authority_rewritten;
            let already = headers.as_ref().and_then(|h| h.request.as_ref()).is_some_and(|ops| {
                ops.set
                    .0
                    .iter()
                    .chain(&ops.add.0)
                    .any(|(n, _)| matches!(n.to_ascii_lowercase().as_str(), "host" | ":authority"))
            });
            if rewritten || already {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::E0403,
                        name.span,
                        "the authority is set more than once in this route",
                    )
                    .with_label("sets the authority again")
                    .with_help(
                        "set the authority in one place: `rewrite authority`, or one `host`/`:authority` header",
                    ),
                );
                return;
            }
        }
        let headers = headers.get_or_insert_with(Headers::default);
        let ops = match side {
            ast::HeaderSide::Request => headers.request.get_or_insert_with(HeaderOperations::default),
            ast::HeaderSide::Response => headers.response.get_or_insert_with(HeaderOperations::default),
        };
        let list = match op {
            ast::HeaderOp::Set => &mut ops.set.0,
            ast::HeaderOp::Add => &mut ops.add.0,
            ast::HeaderOp::Remove => {
                if ops.remove.iter().any(|n| n.eq_ignore_ascii_case(&name_text)) {
                    self.header_twice(statement, &name_text);
                } else {
                    ops.remove.push(name_text);
                }
                return;
            }
        };
        if list.iter().any(|(n, _)| n.eq_ignore_ascii_case(&name_text)) {
            self.header_twice(statement, &name_text);
            return;
        }
        if let Some(v) = value_text {
            list.push((name_text, v));
        }
    }

    /// Whether a route may edit header `name` this way (VS.go
    /// `validateHTTPRoute` with V.go `ValidateHTTPHeaderWithAuthorityOperationName`
    /// and `ValidateHTTPHeaderOperationName`): pseudo-headers are Envoy's
    /// own, except that a request may set `:authority`; `host` cannot be
    /// removed or set on a response.
    fn editable_header(&mut self, side: ast::HeaderSide, op: ast::HeaderOp, name: &str, value: &Value) -> bool {
        let lower = name.to_ascii_lowercase();
        let sets_request = side == ast::HeaderSide::Request && op != ast::HeaderOp::Remove;
        let allowed = if sets_request {
            !lower.starts_with(':') || lower == ":authority"
        } else {
            !lower.starts_with(':') && lower != "host"
        };
        if !allowed {
            let help = if sets_request {
                "a request's pseudo-headers are Envoy's own; to change the path use `rewrite uri`, to change the host `rewrite authority`"
            } else {
                "Envoy manages this header itself: remove the statement"
            };
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0308,
                    value.span,
                    format!("a route cannot {} the header `{name}`", op_verb(op)),
                )
                .with_label("not editable")
                .with_help(help),
            );
        }
        allowed
    }

    fn header_twice(&mut self, statement: Span, name: &str) {
        self.diagnostics.push(
            Diagnostic::error(
                Code::E0208,
                statement,
                format!("header `{name}` is edited twice the same way"),
            )
            .with_label("repeated header operation")
            .with_help("keep one operation per header name and kind"),
        );
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

    /// A name of another object given as a value.
    fn dns_label_value(&mut self, name: &str, value: &Value, what: &str) -> bool {
        self.dns_label(name, value.span, what)
    }
}

/// One `headers` statement, as the checker sees it.
struct HeaderEdit<'a> {
    side: ast::HeaderSide,
    op: ast::HeaderOp,
    name: &'a Value,
    value: Option<&'a Value>,
    statement: Span,
}

/// The verb of a header operation, for messages.
fn op_verb(op: ast::HeaderOp) -> &'static str {
    match op {
        ast::HeaderOp::Set => "set",
        ast::HeaderOp::Add => "add",
        ast::HeaderOp::Remove => "remove",
    }
}

/// Whether Go's `http.StatusText` names status `code`.
fn is_known_status(code: u16) -> bool {
    matches!(code, 100..=103 | 200..=208 | 226 | 300..=305 | 307 | 308 | 400..=418 | 421..=426 | 428 | 429 | 431 | 451 | 500..=508 | 510 | 511)
}

/// Whether `pattern` (a host, maybe `*.domain`) covers `host`.
pub(super) fn host_covers(pattern: &str, host: &str) -> bool {
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
