//! Routing tests: each `test` block is checked for well-formedness (one
//! request that can be read, expectations that name routes, services and
//! subsets of the program) into a [`RoutingTest`], which `meshc test` runs.
//! Building and checking a program otherwise ignore tests.

use foldhash::HashMap;

use super::Checker;
use crate::diag::{Code, Diagnostic};
use crate::hosts;
use crate::route::Request;
use crate::route::testing::{Expected, ExpectedDestination, RoutingTest};
use crate::span::Span;
use crate::suggest::closest;
use crate::syntax::ast::{self, Expectation, FaultKind, TestItemKind, Value, ValueKind};

/// Checks the tests of every file of a program whose services are declared
/// in `table`; `route_names` are the names of its routes.
pub(super) fn check_all(
    table: &super::symbols::Table,
    files: &[&ast::File],
    route_names: &[&str],
) -> (Vec<RoutingTest>, Vec<Diagnostic>) {
    let mut checker = Checker::new(table);
    let mut seen = HashMap::default();
    let tests = files
        .iter()
        .flat_map(|file| checker.tests(file, route_names, &mut seen))
        .collect();
    (tests, checker.diagnostics)
}

impl Checker<'_> {
    /// Checks every test of `file`; `route_names` are the names of the
    /// program's routes, and `seen` the test names met so far.
    pub(super) fn tests(
        &mut self,
        file: &ast::File,
        route_names: &[&str],
        seen: &mut HashMap<String, Span>,
    ) -> Vec<RoutingTest> {
        let mut out = Vec::new();
        for test in &file.tests {
            let name = test.name.name.to_string();
            if name.is_empty() {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0301, test.name.span, "a test name is not empty")
                        .with_label("empty name")
                        .with_help("name the test after what it checks, such as `test \"jason sees v2\" { ... }`"),
                );
            }
            if let Some(first) = seen.get(&name) {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0705, test.name.span, format!("test `{name}` is defined twice"))
                        .with_label("defined again here")
                        .with_secondary(*first, "first defined here")
                        .with_help("give each test its own name: a failure names the test"),
                );
            } else {
                seen.insert(name.clone(), test.name.span);
            }
            if let Some(checked) = self.test(test, route_names) {
                out.push(checked);
            }
        }
        out
    }

    fn test(&mut self, test: &ast::Test, route_names: &[&str]) -> Option<RoutingTest> {
        let span = test.keyword.to(test.name.span);
        let requests: Vec<&ast::TestItem> = test
            .items
            .iter()
            .filter(|i| matches!(i.kind, TestItemKind::Request { .. }))
            .collect();
        if let Some(extra) = requests.get(1) {
            self.diagnostics.push(
                Diagnostic::error(Code::E0701, extra.span, "a test sends one request")
                    .with_label("second request")
                    .with_secondary(requests.first().map_or(span, |r| r.span), "first request")
                    .with_help("write one test per request"),
            );
        }
        let Some(first) = requests.first() else {
            self.diagnostics.push(
                Diagnostic::error(Code::E0701, span, format!("test `{}` sends no request", test.name.name))
                    .with_label("no `request` line")
                    .with_help("add the request, such as `request \"http://reviews:9080/reviews/1\"` or `request tcp \"mongo:27017\"`"),
            );
            return None;
        };
        let mut request = self.request(first)?;
        let mut ok = true;
        let mut expectations = Vec::new();
        for item in &test.items {
            match &item.kind {
                TestItemKind::Request { .. } => {}
                TestItemKind::Header { name, value } => {
                    let (Some(n), Some(v)) = (self.string(name), self.string(value)) else {
                        ok = false;
                        continue;
                    };
                    if request.protocol != crate::route::Protocol::Http {
                        self.bad_request(
                            item.span,
                            "a TCP or TLS connection has no headers",
                            "remove the `header` line, or send an HTTP request",
                        );
                        ok = false;
                    } else if !self.header_name(&n, name) || request.header(&n, &v).is_err() {
                        ok = false;
                    }
                }
                TestItemKind::Gateway(value) => match self.string(value) {
                    Some(g) if !g.is_empty() => request.gateway = g,
                    _ => ok = false,
                },
                TestItemKind::SourceNamespace(value) => match self.name_or_string(value) {
                    Some(ns) => request.source_namespace = Some(ns),
                    None => ok = false,
                },
                TestItemKind::SourceLabels(fields) => {
                    let labels = self.label_map(fields.iter().map(|f| (&f.key, &f.value)), "a caller is described");
                    request.source_labels.extend(labels.0);
                }
                TestItemKind::Sni(value) => match self.string(value) {
                    Some(sni) if request.protocol != crate::route::Protocol::Http => {
                        request.sni = Some(sni.to_ascii_lowercase());
                        request.protocol = crate::route::Protocol::Tls;
                    }
                    Some(_) => {
                        self.bad_request(
                            item.span,
                            "an HTTP request has no SNI",
                            "send the connection with `request tls \"HOST:PORT\"`",
                        );
                        ok = false;
                    }
                    None => ok = false,
                },
                TestItemKind::Expect(expectation) => match self.expectation(expectation, item.span, route_names) {
                    Some(e) => expectations.push((e, item.span)),
                    None => ok = false,
                },
            }
        }
        if request.protocol == crate::route::Protocol::Tls && request.sni.is_none() {
            self.bad_request(
                first.span,
                "a `request tls` connection names its server",
                "add `sni \"HOST\"`, the TLS server name",
            );
            ok = false;
        }
        if expectations.is_empty() && ok {
            self.diagnostics.push(
                Diagnostic::error(Code::E0702, span, format!("test `{}` expects nothing", test.name.name))
                    .with_label("no `expect` line")
                    .with_help("say what must happen, such as `expect to reviews/v2`, `expect route jason` or `expect no match`"),
            );
            return None;
        }
        ok.then(|| RoutingTest {
            name: test.name.name.to_string(),
            span,
            request,
            expectations,
        })
    }

    fn bad_request(&mut self, span: Span, message: &str, help: &str) {
        self.diagnostics.push(
            Diagnostic::error(Code::E0701, span, message.to_string())
                .with_label("cannot be sent")
                .with_help(help.to_string()),
        );
    }

    /// The request of a `request` line.
    fn request(&mut self, item: &ast::TestItem) -> Option<Request> {
        let TestItemKind::Request { verb, target } = &item.kind else {
            return None;
        };
        let text = self.string(target)?;
        let verb_text = verb.as_ref().map(|v| v.name.as_str());
        let made = match verb_text {
            Some("tcp") => Request::tcp(&text, None),
            Some("tls") => Request::tcp(&text, None).map(|mut r| {
                r.protocol = crate::route::Protocol::Tls;
                r
            }),
            Some(method) if !method.bytes().all(|b| b.is_ascii_uppercase()) => {
                let span = verb.as_ref().map_or(item.span, |v| v.span);
                self.diagnostics.push(
                    Diagnostic::error(Code::E0701, span, format!("`{method}` is not a method, `tcp` or `tls`"))
                        .with_label("unknown kind of request")
                        .with_help(
                            "write an HTTP method in capitals (`request POST \"URL\"`), or `request tcp \"HOST:PORT\"`",
                        ),
                );
                return None;
            }
            Some(method) => Request::http(method, &text),
            None => Request::http("GET", &text),
        };
        match made {
            Ok(request) => Some(request),
            Err(why) => {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0701, target.span, why.0)
                        .with_label("cannot be sent")
                        .with_help("a request is a URL, `\"http://HOST[:PORT]/PATH?QUERY\"`, or after `tcp`/`tls` an address, `\"HOST:PORT\"`"),
                );
                None
            }
        }
    }

    fn expectation(&mut self, expectation: &Expectation, span: Span, route_names: &[&str]) -> Option<Expected> {
        Some(match expectation {
            Expectation::Route(name) => {
                if !route_names.contains(&name.name.as_str()) {
                    let mut diag =
                        Diagnostic::error(Code::E0703, name.span, format!("no route is named `{}`", name.name));
                    diag = match closest(&name.name, route_names.iter().copied()) {
                        Some(best) => diag
                            .with_label(format!("did you mean `{best}`?"))
                            .with_help(format!("replace `{}` with `{best}`", name.name))
                            .with_fix(format!("Replace with `{best}`"), name.span, best),
                        None => diag
                            .with_label("no such route")
                            .with_help("name a route of the program (`route NAME { ... }`), or expect its destinations with `expect to`"),
                    };
                    self.diagnostics.push(diag);
                    return None;
                }
                Expected::Route(name.name.to_string())
            }
            Expectation::To(destinations) => {
                let mut out = Vec::new();
                let mut ok = true;
                for d in destinations {
                    let weight = d
                        .weight
                        .as_ref()
                        .and_then(|w| self.percent(w, Code::E0303))
                        .map(|p| p.round() as i64);
                    match self.expected_destination(&d.target) {
                        Some(e) => out.push((e, weight)),
                        None => ok = false,
                    }
                }
                if !ok {
                    return None;
                }
                Expected::To(out)
            }
            Expectation::Redirect { location, code } => {
                let location = self.non_empty_string(location, "the location or path, such as \"/products\"")?;
                let code = match code {
                    Some(c) => Some(self.integer(c, 300, 399).and_then(|c| u32::try_from(c).ok())?),
                    None => None,
                };
                Expected::Redirect(location, code)
            }
            Expectation::Rewrite(path) => {
                Expected::Rewrite(self.non_empty_string(path, "the path, such as \"/books\"")?)
            }
            Expectation::Fault(None) => Expected::Fault(None),
            Expectation::Fault(Some((FaultKind::Delay, value))) => {
                Expected::Fault(Some((FaultKind::Delay, self.duration(value, true)?)))
            }
            Expectation::Fault(Some((FaultKind::Abort, value))) => {
                let status = match &value.kind {
                    ValueKind::String(s) => s.to_string(),
                    _ => self.integer(value, 200, 599)?.to_string(),
                };
                Expected::Fault(Some((FaultKind::Abort, status)))
            }
            Expectation::Respond(value) => Expected::Respond(u32::try_from(self.integer(value, 200, 599)?).ok()?),
            Expectation::Headers { side, op, name, value } => Expected::Headers {
                side: *side,
                op: *op,
                name: self.string(name)?,
                value: match value {
                    Some(v) => Some(self.string(v)?),
                    None => None,
                },
            },
            Expectation::Mirror(target) => Expected::Mirror(self.expected_destination(target)?),
            Expectation::NoMatch => {
                let _ = span;
                Expected::NoMatch
            }
        })
    }

    /// A destination a test names: `service/subset`, `service`, or a
    /// quoted host; there is no enclosing service, so a bare name is a
    /// service.
    fn expected_destination(&mut self, target: &ast::Target) -> Option<ExpectedDestination> {
        let port = match target.port.as_deref() {
            Some((text, span)) => Some(self.port(&Value {
                kind: ValueKind::Number(text.clone()),
                span: *span,
            })?),
            None => None,
        };
        let (key, shown, subset) = match &target.host {
            ast::TargetHost::Name(name) => {
                let Some(&id) = self.table.by_name.get(&name.name) else {
                    self.unknown_service(name);
                    if let Some(diag) = self.diagnostics.last_mut() {
                        diag.notes.push(
                            "a test has no enclosing service: name a subset with its service, as `reviews/v2`"
                                .to_string(),
                        );
                    }
                    return None;
                };
                let info = self.table.services.get(id)?;
                (
                    hosts::key(&info.host, info.namespace.as_deref()),
                    info.name.to_string(),
                    None,
                )
            }
            ast::TargetHost::Qualified { service, subset } => {
                let Some(&id) = self.table.by_name.get(&service.name) else {
                    self.unknown_service(service);
                    return None;
                };
                let info = self.table.services.get(id)?;
                if !info.has_subset(&subset.name) {
                    self.unknown_subset(id, subset);
                    return None;
                }
                (
                    hosts::key(&info.host, info.namespace.as_deref()),
                    info.name.to_string(),
                    Some(subset.name.to_string()),
                )
            }
            ast::TargetHost::External(host, _) => (hosts::key(host, None), host.to_string(), None),
        };
        Some(ExpectedDestination {
            key,
            shown,
            subset,
            port,
        })
    }
}
