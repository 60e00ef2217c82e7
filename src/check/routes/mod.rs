//! Routes: statements and match conditions to Istio's HTTP, TCP and TLS
//! routes, with the routing guarantees (destinations resolve, weights sum
//! to 100, one action per route).
//!
//! This file checks a route's statements, one by one, into an HTTP, TCP or
//! TLS route; [`conditions`] checks `match`, [`destinations`] checks `to`
//! and the other names of services and subsets, and [`actions`] checks what
//! a route does with a request (forward, redirect, respond, delegate).

pub(crate) mod actions;
pub(crate) mod conditions;
mod destinations;

use crate::catalogue;
use foldhash::{HashMap, HashMapExt};

use super::{Checker, ServiceId};
use crate::diag::{Code, Diagnostic};
use crate::model::istio::*;
use crate::span::Span;
use crate::suggest::closest;
use crate::syntax::ast::{self, RouteKind, StatementKind, Value, ValueKind};

/// The result of checking one route.
pub(super) enum CheckedRoute {
    Http(Box<HttpRoute>),
    Tcp(TcpRoute),
    Tls(TlsRoute),
}

/// The smallest share of requests a fault can apply to, in percent.
const MIN_FAULT_PERCENT: f64 = 0.0001;

/// gRPC status names for `fault abort grpc`.
pub const GRPC_STATUSES: &[&str] = &[
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
pub const RETRY_ON: &[&str] = &[
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

/// Whether the statement `keyword` may appear more than once in a route
/// (each `match` line is an alternative, each `mirror` and `headers` adds
/// one); the others are written once (E0211).
pub fn repeatable(keyword: &str) -> bool {
    matches!(keyword, "match" | "mirror" | "headers")
}

/// Whether a route of `kind` takes the statement `keyword`: TCP and TLS
/// routes take `match` and `to` only (E0408).
pub fn statement_allowed(kind: RouteKind, keyword: &str) -> bool {
    kind == RouteKind::Http || matches!(keyword, "match" | "to")
}

/// Where each statement that may appear once was first seen.
pub(super) type Seen = HashMap<&'static str, Span>;

impl Checker<'_> {
    /// Checks one route of service `service`.
    pub(super) fn route(&mut self, service: ServiceId, route: &ast::Route) -> CheckedRoute {
        let mut seen: Seen = HashMap::new();
        for statement in &route.statements {
            self.check_allowed(route.kind, statement);
            let once = match &statement.kind {
                other if repeatable(other.keyword()) => None,
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
            ref other if statement_allowed(kind, other.keyword()) => {}
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
                    let (min, max) = catalogue::integer_range(catalogue::http_route_field("directResponse.status"));
                    let status = self.integer(status, min, max).and_then(|s| u32::try_from(s).ok());
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
        let delegates = route.statements.iter().find_map(|s| match &s.kind {
            StatementKind::Delegate(delegate) => Some((s, delegate)),
            _ => None,
        });
        if let (Some((statement, delegate)), Some(_)) = (delegates, &out.delegate) {
            // Every `match` line adds one entry, in order.
            let matches: Vec<(Span, &HttpMatch)> = route
                .statements
                .iter()
                .filter(|s| matches!(s.kind, StatementKind::Match(_)))
                .map(|s| s.span)
                .zip(&out.matches)
                .collect();
            self.follow_delegate(service, delegate, statement, &matches);
        }
        out
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

    fn retries(&mut self, attempts: &Value, options: &[ast::RetryOption]) -> Option<Retries> {
        let (min, max) = catalogue::integer_range(catalogue::http_route_field("retries.attempts"));
        let attempts_count = self.integer(attempts, min.max(0), max)?;
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
        let (min, max) = catalogue::integer_range(catalogue::http_route_field("fault.abort.httpStatus"));
        match text.parse::<i64>() {
            Ok(code) if (min..=max).contains(&code) => Some(code),
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::E0405,
                        value.span,
                        format!("`{text}` is not an HTTP status Istio can inject"),
                    )
                    .with_label(format!("not in {min}..{max}"))
                    .with_help(format!("use a status from {min} to {max}, such as 503")),
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

    /// A name of another object given as a value.
    pub(super) fn dns_label_value(&mut self, name: &str, value: &Value, what: &str) -> bool {
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
