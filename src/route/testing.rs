//! Routing tests: `test NAME { ... }` blocks, checked by the checker into
//! [`RoutingTest`]s, run here against the program's routing (`meshc test`,
//! and the editor's diagnostics), with the routes no test reaches.

use super::action::Target;
use super::{Hit, Outcome, Protocol, Request, RouteAt, describe};
use crate::Analysis;
use crate::diag::{Code, Diagnostic};
use crate::hosts;
use crate::model::istio::{HeaderOperations, Headers};
use crate::span::Span;
use crate::syntax::ast::{FaultKind, HeaderOp, HeaderSide};

/// A well-formed test, as the checker reads it.
#[derive(Clone, Debug, PartialEq)]
pub struct RoutingTest {
    /// Its name.
    pub name: String,
    /// Its `test` keyword and name, where a failure is reported.
    pub span: Span,
    /// The request.
    pub request: Request,
    /// What it expects, each with the span of its `expect` line.
    pub expectations: Vec<(Expected, Span)>,
}

/// A destination a test names: a service (by host key) or a host, with
/// a subset and port.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExpectedDestination {
    /// The host, as [`hosts::key`] makes it.
    pub key: String,
    /// As written, for messages.
    pub shown: String,
    /// The subset.
    pub subset: Option<String>,
    /// The port.
    pub port: Option<u32>,
}

/// One expectation.
#[derive(Clone, Debug, PartialEq)]
pub enum Expected {
    /// The route of this name takes the request.
    Route(String),
    /// These destinations, with these shares (`None`: any share).
    To(Vec<(ExpectedDestination, Option<i64>)>),
    /// A redirect to this location (or path), with this status.
    Redirect(String, Option<u32>),
    /// The path sent upstream after a rewrite.
    Rewrite(String),
    /// A fault: any, a delay of this duration, an abort with this status.
    Fault(Option<(FaultKind, String)>),
    /// A direct response with this status.
    Respond(u32),
    /// A header edit.
    Headers {
        /// Request or response.
        side: HeaderSide,
        /// Set, add or remove.
        op: HeaderOp,
        /// The header name.
        name: String,
        /// Its value.
        value: Option<String>,
    },
    /// Requests are mirrored to this destination.
    Mirror(ExpectedDestination),
    /// No route takes the request.
    NoMatch,
}

/// What running a program's tests found.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Report {
    /// Failures (E0704), then a note per route no test reaches (N0003).
    pub diagnostics: Vec<Diagnostic>,
    /// Tests run.
    pub tests: usize,
    /// Tests that failed.
    pub failed: usize,
    /// Routes of the program.
    pub routes: usize,
    /// Routes some test's request reaches.
    pub covered: usize,
}

impl Report {
    /// `3 tests: 2 passed, 1 failed; 5 of 7 routes reached`.
    pub fn summary(&self) -> String {
        let plural = |n: usize, word: &str| {
            if n == 1 {
                format!("1 {word}")
            } else {
                format!("{n} {word}s")
            }
        };
        format!(
            "{}: {} passed, {} failed; {} of {} reached by a test",
            plural(self.tests, "test"),
            self.tests - self.failed,
            self.failed,
            self.covered,
            plural(self.routes, "route"),
        )
    }
}

/// Runs every test of `analysis` (whose program should have no errors).
pub fn run(analysis: &Analysis) -> Report {
    let mut report = Report::default();
    let mut reached: Vec<(usize, Protocol, usize)> = Vec::new();
    for test in &analysis.checked.tests {
        report.tests += 1;
        let outcome = super::route(analysis, &test.request);
        if let Some(hit) = &outcome.hit {
            reached.push((hit.at.virtual_service, hit.at.kind, hit.at.index));
            if let Some(child) = &hit.delegated {
                reached.push((child.virtual_service, child.kind, child.index));
            }
        }
        if let Some(failure) = failure(analysis, test, &outcome) {
            report.failed += 1;
            report.diagnostics.push(failure);
        }
    }
    let program = &analysis.checked.program;
    for (vs, (_, spec)) in program.virtual_services.iter().enumerate() {
        for (kind, index) in super::routes_of(spec) {
            report.routes += 1;
            if reached.contains(&(vs, kind, index)) {
                report.covered += 1;
                continue;
            }
            let name = match kind {
                Protocol::Http => spec.http.get(index).and_then(|r| r.name.clone()),
                _ => None,
            };
            let at = super::route_at(analysis, vs, kind, index, None, name);
            let Some(span) = at.span else { continue };
            report.diagnostics.push(
                Diagnostic::note(Code::N0003, span, format!("no test reaches {}", describe(&at)))
                    .with_label("not reached by any test")
                    .with_help("add a `test` whose request this route takes, or remove the route if nothing needs it"),
            );
        }
    }
    report
}

/// The diagnostic of a failed test, or `None` when it passes: primary on
/// the test, secondary on the route that took the request instead, with
/// the condition that decided it.
fn failure(analysis: &Analysis, test: &RoutingTest, outcome: &Outcome) -> Option<Diagnostic> {
    let mut wrong = Vec::new();
    for (expected, span) in &test.expectations {
        if let Some(why) = unmet(expected, outcome) {
            wrong.push((why, *span));
        }
    }
    let (first, first_span) = wrong.first()?.clone();
    let mut diag = Diagnostic::error(Code::E0704, test.span, format!("test `{}` fails: {first}", test.name))
        .with_label(format!("for {}", test.request.describe()))
        .with_secondary(first_span, "expected here");
    for (why, span) in wrong.iter().skip(1) {
        diag = diag.with_secondary(*span, format!("also: {why}"));
    }
    match &outcome.hit {
        Some(hit) => {
            let at = hit.delegated.as_ref().unwrap_or(&hit.at);
            if let Some(span) = at.match_span.or(at.span) {
                let deciding = if at.match_span.is_some() {
                    format!("{} took the request: every condition of this match holds", describe(at))
                } else {
                    format!(
                        "{} took the request: it has no `match`, so it takes every request",
                        describe(at)
                    )
                };
                diag = diag.with_secondary(span, deciding);
            }
            // Why the route the test names did not take it.
            let wanted_route = test.expectations.iter().find_map(|(e, _)| match e {
                Expected::Route(name) => Some(name.as_str()),
                _ => None,
            });
            if let Some(name) = wanted_route
                && hit.at.name.as_deref() != Some(name)
                && let Some((span, why)) = why_not(analysis, &test.request, name)
            {
                diag = diag.with_secondary(span, format!("route `{name}` did not: {why}"));
            }
        }
        None => {
            if let Some(near) = &outcome.closest
                && let Some(span) = near.condition_span.or(near.at.span)
            {
                diag = diag.with_secondary(span, format!("closest, {}: {}", describe(&near.at), near.miss.why));
            }
        }
    }
    Some(diag.with_help(
        "change the routes so that the request goes where the test says, or the test if the routes are right (`meshc route` shows where it goes)",
    ))
}

/// Where and why route `name` did not take `request`: the first condition
/// of its first match that refused it.
fn why_not(analysis: &Analysis, request: &Request, name: &str) -> Option<(Span, String)> {
    let program = &analysis.checked.program;
    for (vs, (metadata, spec)) in program.virtual_services.iter().enumerate() {
        let Some(index) = spec.http.iter().position(|r| r.name.as_deref() == Some(name)) else {
            continue;
        };
        let route = spec.http.get(index)?;
        for (i, m) in route.matches.iter().enumerate() {
            if let Err(miss) = super::matching::http_match(m, request, metadata.namespace.as_deref()) {
                let at = super::route_at(analysis, vs, Protocol::Http, index, Some(i), route.name.clone());
                let span = at
                    .match_span
                    .and_then(|s| super::condition_span(analysis, s, &miss.condition))
                    .or(at.match_span)
                    .or(at.span)?;
                return Some((span, miss.why));
            }
        }
    }
    None
}

/// Why `expected` does not hold of `outcome`, or `None` when it does.
fn unmet(expected: &Expected, outcome: &Outcome) -> Option<String> {
    let Some(hit) = &outcome.hit else {
        return match expected {
            Expected::NoMatch => None,
            _ => Some(format!("no route matched ({})", outcome.reason)),
        };
    };
    let e = &hit.effective;
    let http = match &hit.action {
        super::Action::Http(route) => Some(route.as_ref()),
        super::Action::L4(_) => None,
    };
    match expected {
        Expected::NoMatch => Some(format!("expected no match, but {}", outcome.reason)),
        Expected::Route(name) => {
            let taken = route_names(hit);
            (!taken.iter().any(|t| t == name))
                .then(|| format!("expected route `{name}`, but {} took the request", describe(&hit.at)))
        }
        Expected::To(wanted) => {
            let got: Vec<String> = e
                .destinations
                .iter()
                .map(|t| format!("{} {}%", shown(t), t.weight))
                .collect();
            let same = wanted.len() == e.destinations.len()
                && wanted.iter().all(|(w, share)| {
                    e.destinations
                        .iter()
                        .any(|t| same_destination(w, t, hit) && share.is_none_or(|s| s == t.weight))
                });
            (!same).then(|| {
                let want: Vec<String> = wanted
                    .iter()
                    .map(|(w, s)| match s {
                        Some(s) => format!("{} {s}%", shown_expected(w)),
                        None => shown_expected(w),
                    })
                    .collect();
                let got = if got.is_empty() {
                    "no destination".to_string()
                } else {
                    got.join(", ")
                };
                format!("expected {}, but it goes to {got}", want.join(", "))
            })
        }
        Expected::Redirect(location, code) => match &e.redirect {
            Some((got, status)) => {
                let path_only = got
                    .split_once("://")
                    .and_then(|(_, rest)| rest.find('/').map(|i| &rest[i..]));
                let place_ok = got == location
                    || path_only == Some(location.as_str())
                    || path_only.is_some_and(|p| p.split('?').next() == Some(location.as_str()));
                let code_ok = code.is_none_or(|c| c == *status);
                (!(place_ok && code_ok)).then(|| {
                    format!(
                        "expected a redirect to `{location}`{}, but it redirects to `{got}` ({status})",
                        code.map_or(String::new(), |c| format!(" ({c})"))
                    )
                })
            }
            None => Some(format!(
                "expected a redirect to `{location}`, but {} does not redirect",
                describe(&hit.at)
            )),
        },
        Expected::Rewrite(path) => {
            let got = e.path.as_deref();
            let ok = got == Some(path.as_str()) || got.and_then(|g| g.split('?').next()) == Some(path.as_str());
            (!ok).then(|| match got {
                Some(g) => format!("expected the path `{path}` upstream, but it is `{g}`"),
                None => format!(
                    "expected the path `{path}` upstream, but {} does not rewrite it",
                    describe(&hit.at)
                ),
            })
        }
        Expected::Fault(kind) => {
            let fault = http.and_then(|r| r.fault.as_ref());
            let ok = match (fault, kind) {
                (None, _) => false,
                (Some(_), None) => true,
                (Some(f), Some((FaultKind::Delay, d))) => {
                    f.delay.as_ref().and_then(|d| d.fixed_delay.as_deref()) == Some(d.as_str())
                }
                (Some(f), Some((FaultKind::Abort, s))) => {
                    f.abort
                        .as_ref()
                        .and_then(|a| a.http_status)
                        .map(|n| n.to_string())
                        .as_deref()
                        == Some(s.as_str())
                        || f.abort.as_ref().and_then(|a| a.grpc_status.as_deref()) == Some(s.as_str())
                }
            };
            (!ok).then(|| match fault {
                None => format!("expected a fault, but {} injects none", describe(&hit.at)),
                Some(f) => format!(
                    "expected a fault {}, but it injects {}",
                    kind.as_ref().map_or(String::new(), |(k, v)| format!(
                        "{} {v}",
                        if *k == FaultKind::Delay { "delay" } else { "abort" }
                    )),
                    serde_json::to_string(f).unwrap_or_default()
                ),
            })
        }
        Expected::Respond(status) => {
            let got = http.and_then(|r| r.direct_response.as_ref()).map(|d| d.status);
            (got != Some(*status)).then(|| match got {
                Some(g) => format!("expected a direct response {status}, but it responds {g}"),
                None => format!(
                    "expected a direct response {status}, but {} does not respond directly",
                    describe(&hit.at)
                ),
            })
        }
        Expected::Headers { side, op, name, value } => {
            let mut all: Vec<&Headers> = http.and_then(|r| r.headers.as_ref()).into_iter().collect();
            if let Some(r) = http {
                all.extend(r.route.iter().filter_map(|d| d.headers.as_ref()));
            }
            let ok = all.iter().any(|h| {
                let ops: Option<&HeaderOperations> = match side {
                    HeaderSide::Request => h.request.as_ref(),
                    HeaderSide::Response => h.response.as_ref(),
                };
                ops.is_some_and(|ops| match op {
                    HeaderOp::Set => ops
                        .set
                        .0
                        .iter()
                        .any(|(n, v)| n.eq_ignore_ascii_case(name) && value.as_ref().is_none_or(|w| w == v)),
                    HeaderOp::Add => ops
                        .add
                        .0
                        .iter()
                        .any(|(n, v)| n.eq_ignore_ascii_case(name) && value.as_ref().is_none_or(|w| w == v)),
                    HeaderOp::Remove => ops.remove.iter().any(|n| n.eq_ignore_ascii_case(name)),
                })
            });
            (!ok).then(|| {
                format!(
                    "expected the header edit `{}` on `{name}`, but {} does not make it",
                    header_words(*side, *op),
                    describe(&hit.at)
                )
            })
        }
        Expected::Mirror(wanted) => {
            let ok = e.mirrors.iter().any(|(t, _)| same_destination(wanted, t, hit));
            (!ok).then(|| {
                format!(
                    "expected requests mirrored to {}, but {} does not mirror there",
                    shown_expected(wanted),
                    describe(&hit.at)
                )
            })
        }
    }
}

fn header_words(side: HeaderSide, op: HeaderOp) -> String {
    let side = match side {
        HeaderSide::Request => "request",
        HeaderSide::Response => "response",
    };
    let op = match op {
        HeaderOp::Set => "set",
        HeaderOp::Add => "add",
        HeaderOp::Remove => "remove",
    };
    format!("{side} {op}")
}

/// The names the route that took the request answers to: its own, the
/// delegate route's, and the merged `ROOT-DELEGATE` name.
fn route_names(hit: &Hit) -> Vec<String> {
    let mut names: Vec<String> = [&hit.at, hit.delegated.as_ref().unwrap_or(&hit.at)]
        .iter()
        .filter_map(|at: &&RouteAt| at.name.clone())
        .collect();
    if let super::Action::Http(route) = &hit.action
        && let Some(name) = &route.name
    {
        names.push(name.clone());
    }
    names
}

fn same_destination(wanted: &ExpectedDestination, got: &Target, hit: &Hit) -> bool {
    let key = hosts::key(&got.host, hit.at.vs_namespace.as_deref());
    key == wanted.key && got.subset == wanted.subset && (wanted.port.is_none() || wanted.port == got.port)
}

fn shown(t: &Target) -> String {
    let name = t.service.clone().unwrap_or_else(|| t.host.clone());
    match &t.subset {
        Some(s) => format!("{name}/{s}"),
        None => name,
    }
}

fn shown_expected(w: &ExpectedDestination) -> String {
    match &w.subset {
        Some(s) => format!("{}/{s}", w.shown),
        None => w.shown.clone(),
    }
}
