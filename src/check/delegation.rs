//! Delegation: the rules of a `delegate NAME { ... }` block (a VirtualService
//! without hosts) and of the `delegate NAME [namespace NS]` statements that
//! hand requests to one.
//!
//! Istio's rules, each checked where Istio states it:
//!
//! - a delegate has no hosts, no gateways, no TCP or TLS routes
//!   (`pkg/config/validation/validation.go` `ValidateVirtualService`), and
//!   in `.mesh` nothing that writes a DestinationRule either (E0413);
//! - delegation is one level deep: a delegate's route does not delegate
//!   (`pkg/config/validation/virtualservice.go` `validateHTTPRouteConflict`,
//!   "delegate HTTP route cannot contain delegate"; E0414);
//! - a `delegate` statement finds the delegate by name in its namespace, or
//!   in the namespace of its own file (`pilot/pkg/model/virtualservice_controller.go`
//!   `mergeVirtualServices`; E0214), which must be exported there (E0216);
//! - every match of the delegate lies within a match of the delegating
//!   route, or Istio drops the delegate's route
//!   (`pilot/pkg/model/virtualservice.go` `mergeHTTPRoute`, `hasConflict`,
//!   ported in [`crate::model::delegation`]; E0415).

use super::symbols::Table;
use super::{Checker, Reference, ServiceId};
use crate::diag::{Code, Diagnostic};
use crate::model::delegation;
use crate::model::istio::HttpMatch;
use crate::span::Span;
use crate::suggest::closest;
use crate::syntax::ast::{self, RouteKind, SettingKey, StatementKind, ValueKind};

/// What a `delegate` statement checks of the delegate it names, gathered
/// when the delegate is declared (the program's services are checked in
/// parallel, and a build never holds them all).
#[derive(Clone, Debug, Default)]
pub(crate) struct DelegateInfo {
    /// The namespaces it is exported to (`.` resolved to its own); empty
    /// for every namespace, Istio's default.
    export_to: Vec<String>,
    /// The matches of each HTTP route, with the span of each `match` line.
    routes: Vec<Vec<(Span, HttpMatch)>>,
}

impl DelegateInfo {
    /// The export list and the route matches of a delegate block in a file
    /// of `namespace`; their mistakes are reported when the block itself is
    /// checked.
    pub(super) fn declare(service: &ast::Service, namespace: Option<&str>) -> DelegateInfo {
        let table = Table::default();
        let mut scratch = Checker::new(&table);
        let export_to = service
            .settings
            .iter()
            .filter(|s| s.key == SettingKey::ExportTo)
            .flat_map(|s| &s.values)
            .filter_map(|v| match &v.kind {
                ValueKind::String(s) if s == "." => Some(namespace.unwrap_or(".").to_string()),
                ValueKind::String(s) => Some(s.to_string()),
                _ => None,
            })
            .collect();
        let routes = service
            .routes
            .iter()
            .filter(|r| r.kind == RouteKind::Http)
            .map(|route| {
                route
                    .statements
                    .iter()
                    .filter_map(|s| match &s.kind {
                        StatementKind::Match(conditions) => Some((s.span, scratch.http_match(conditions))),
                        _ => None,
                    })
                    .collect()
            })
            .collect();
        DelegateInfo { export_to, routes }
    }

    /// Whether a VirtualService in `namespace` sees the delegate.
    fn visible_in(&self, namespace: Option<&str>, own: Option<&str>) -> bool {
        self.export_to.is_empty()
            || self
                .export_to
                .iter()
                .any(|e| e == "*" || Some(e.as_str()) == namespace || (e == "." && own == namespace))
    }
}

/// Whether a delegate block may hold the item that starts with `word`
/// (E0413): HTTP routes, and the settings of a VirtualService that is
/// named by its block and has no hosts (`export_to`, `labels`,
/// `annotations`).  Its routes may not delegate again (E0414).
pub fn allowed_in_delegate(word: &str) -> bool {
    matches!(word, "route" | "export_to" | "labels" | "annotations")
}

impl Checker<'_> {
    /// What a delegate block may not hold (E0413), a delegate's route
    /// that delegates again (E0414), and a delegate without routes (E0410).
    pub(super) fn delegate_block(&mut self, service: &ast::Service) {
        for setting in &service.settings {
            if allowed_in_delegate(setting.key.keyword()) {
                continue;
            }
            let why = match setting.key {
                SettingKey::Host | SettingKey::Hosts => {
                    "a delegate has no hosts: its routes apply to the hosts of the services that delegate to it"
                }
                SettingKey::Gateways => {
                    "a delegate has no gateways: its routes apply where the delegating route applies"
                }
                SettingKey::ExternalSubsets | SettingKey::WorkloadSelector | SettingKey::DestinationRuleName => {
                    "a delegate writes only a VirtualService: subsets and DestinationRules belong to services"
                }
                SettingKey::VirtualServiceName => {
                    "a delegate's VirtualService is named by the block: `delegate NAME { ... }`"
                }
                // Allowed (`allowed_in_delegate`).
                SettingKey::ExportTo | SettingKey::Labels | SettingKey::Annotations => continue,
            };
            self.not_in_delegate(setting.key_span, setting.key.keyword(), why);
        }
        for subset in &service.subsets {
            // The `subset` keyword, where the block starts.
            let keyword = Span {
                end: subset.span.start + "subset".len() as u32,
                ..subset.span
            };
            self.not_in_delegate(
                keyword,
                "subset",
                "a delegate writes only a VirtualService: define subsets in the service they belong to",
            );
        }
        for policy in &service.policies {
            self.not_in_delegate(
                policy.keyword,
                "policy",
                "a delegate writes only a VirtualService: a traffic policy belongs to a service",
            );
        }
        for route in &service.routes {
            if route.kind != RouteKind::Http {
                let word = if route.kind == RouteKind::Tcp {
                    "tcp route"
                } else {
                    "tls route"
                };
                self.not_in_delegate(route.keyword, word, "Istio delegates HTTP routes only");
            }
            for statement in &route.statements {
                if matches!(statement.kind, StatementKind::Delegate(_)) {
                    self.diagnostics.push(
                        Diagnostic::error(Code::E0414, statement.keyword, "a delegate's route cannot delegate again")
                            .with_label("delegation is one level deep")
                            .with_secondary(service.name.span, format!("`{}` is a delegate", service.name.name))
                            .with_note("Istio refuses a delegate route with `delegate` (\"delegate HTTP route cannot contain delegate\")")
                            .with_help("route the requests here with `to`, or let the service's route delegate to the other delegate directly"),
                    );
                }
            }
        }
        if service.routes.is_empty() {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0410,
                    service.name.span,
                    format!("delegate `{}` has no routes", service.name.name),
                )
                .with_label("no `route` block")
                .with_note("a delegate is only its routes: Istio refuses a VirtualService without any")
                .with_help("add a route, such as `route { to reviews }`"),
            );
        }
    }

    fn not_in_delegate(&mut self, span: Span, word: &str, why: &str) {
        self.diagnostics.push(
            Diagnostic::error(Code::E0413, span, format!("`{word}` is not allowed in a delegate"))
                .with_label("not in a delegate")
                .with_note(why)
                .with_help(format!("remove `{word}`, or move it to a `service` block")),
        );
    }

    /// Follows `delegate NAME [namespace NS]` in a route of `service` whose
    /// matches, with the spans of their `match` lines, are `matches`.  A
    /// bare name must name a delegate of the program; a quoted one may name
    /// a VirtualService outside it, which is then not checked.
    pub(super) fn follow_delegate(
        &mut self,
        service: ServiceId,
        delegate: &ast::Delegate,
        statement: &ast::Statement,
        matches: &[(Span, &HttpMatch)],
    ) {
        // What a delegate is, and which the program has, is read from the
        // table here without noting what: a service that delegates is
        // checked again at every edit (`incremental.rs`).
        self.read_untracked = true;
        // A delegate's own `delegate` is refused (E0414), not followed.
        if self
            .table
            .services
            .get(service)
            .is_some_and(|s| s.kind == ast::ServiceKind::Delegate)
        {
            return;
        }
        let (name, quoted) = match &delegate.name.kind {
            ValueKind::Ident(name) => (name.clone(), false),
            ValueKind::String(name) => (name.clone(), true),
            _ => return,
        };
        let given = delegate.namespace.as_ref().and_then(|ns| match &ns.kind {
            ValueKind::Ident(ns) | ValueKind::String(ns) => Some(ns.clone()),
            _ => None,
        });
        let own = self.table.services.get(service).and_then(|s| s.namespace.clone());
        let namespace = given.clone().or_else(|| own.clone());
        let Some((id, info)) = self.table.delegates.get(&(namespace.clone(), name.clone())) else {
            if !quoted {
                self.unknown_delegate(&delegate.name, &name, namespace.as_deref(), given.is_some());
            }
            return;
        };
        let id = *id;
        let span = delegate.name.span;
        self.references.push(Reference {
            span: if quoted { inside_quotes(span, &name) } else { span },
            service: id,
            subset: None,
        });
        let Some(target) = self.table.services.get(id) else {
            return;
        };
        if !info.visible_in(own.as_deref(), target.namespace.as_deref()) {
            let here = own.as_deref().unwrap_or("the namespace of this file");
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0216,
                    span,
                    format!("delegate `{name}` is not exported to `{here}`"),
                )
                .with_label("not visible from this route")
                .with_secondary(target.name_span, format!("`export_to` of `{name}` leaves `{here}` out"))
                .with_note(
                    "Istio ignores a route whose delegate is not exported to the delegating VirtualService's namespace",
                )
                .with_help(format!("add \"{here}\" to the `export_to` of `{name}`")),
            );
        }
        if matches.is_empty() {
            return;
        }
        let root: Vec<HttpMatch> = matches.iter().map(|(_, m)| (*m).clone()).collect();
        let mut reports = Vec::new();
        for leaf in &info.routes {
            let leaf_matches: Vec<HttpMatch> = leaf.iter().map(|(_, m)| m.clone()).collect();
            if let Err(conflict) = delegation::merge_matches(&root, &leaf_matches)
                && let Some((leaf_span, _)) = leaf.get(conflict.leaf)
            {
                reports.push((*leaf_span, conflict.reasons));
            }
        }
        for (leaf_span, reasons) in reports {
            let mut diag = Diagnostic::error(
                Code::E0415,
                leaf_span,
                format!("this match of delegate `{name}` lies outside the route that delegates to it"),
            )
            .with_label("no request the delegating route takes can match this")
            .with_secondary(statement.keyword, "delegates here");
            // The first few root matches: the note must not grow with the route.
            for ((root_span, _), reason) in matches.iter().zip(&reasons).take(3) {
                diag = diag.with_secondary(*root_span, format!("conflicts: {reason}"));
            }
            self.diagnostics.push(
                diag.with_note("Istio merges each delegate match into a match of the delegating route, and drops the delegate's whole route when one of its matches fits none of them")
                    .with_help("narrow the delegate's match to lie within the delegating route's (a longer prefix, the same exact value), or widen the delegating route's match"),
            );
        }
    }

    /// `delegate NAME` that names no delegate of the program.
    fn unknown_delegate(&mut self, value: &ast::Value, name: &str, namespace: Option<&str>, given: bool) {
        let in_namespace = |ns: &Option<ast::Text>| ns.as_deref() == namespace;
        let delegates = || {
            self.table
                .services
                .iter()
                .filter(|s| s.kind == ast::ServiceKind::Delegate)
        };
        let where_ = match namespace {
            Some(ns) => format!(" in namespace `{ns}`"),
            None => String::new(),
        };
        let mut diag = Diagnostic::error(Code::E0214, value.span, format!("unknown delegate `{name}`{where_}"));
        let here: Vec<&str> = delegates()
            .filter(|s| in_namespace(&s.namespace))
            .map(|s| s.name.as_str())
            .collect();
        let elsewhere = delegates().find(|s| s.name == name && !in_namespace(&s.namespace));
        if let Some(best) = closest(name, here.iter().copied()) {
            diag = diag
                .with_label(format!("did you mean `{best}`?"))
                .with_help(format!("replace `{name}` with `{best}`"))
                .with_fix(format!("Replace with `{best}`"), value.span, best);
        } else if let Some(other) = elsewhere {
            diag = diag
                .with_label("defined in another namespace")
                .with_secondary(other.name_span, "a delegate of this name");
            match (&other.namespace, given) {
                (Some(ns), false) => {
                    diag = diag
                        .with_note("without `namespace`, Istio looks for the delegate in the namespace of the delegating VirtualService")
                        .with_help(format!("write `delegate {name} namespace {ns}`"))
                        .with_fix(
                            format!("Add `namespace {ns}`"),
                            Span {
                                start: value.span.end,
                                ..value.span
                            },
                            format!(" namespace {ns}"),
                        );
                }
                (Some(ns), true) => {
                    diag = diag.with_help(format!("write `namespace {ns}`, the namespace of its file"));
                }
                (None, _) => {
                    diag = diag
                        .with_note("its file has no namespace, so Istio would look for it in whatever namespace it is applied to")
                        .with_help("add a `namespace` line to the delegate's file, and name it here");
                }
            }
        } else {
            diag = diag.with_label("no delegate of this name").with_help(format!(
                "define it with `delegate {name} {{ route {{ ... }} }}`, or quote the name (\"{name}\") for a VirtualService outside this program"
            ));
        }
        if self.table.by_name.contains_key(name) {
            diag = diag.with_note(format!(
                "`{name}` is a service: `delegate` hands requests to a `delegate {name} {{ ... }}` block, and `to {name}` sends them to the service"
            ));
        }
        self.diagnostics.push(diag);
    }
}

/// The span of the text inside the quotes of a string written as is.
fn inside_quotes(span: Span, text: &str) -> Span {
    if span.range().len() == text.len() + 2 {
        Span {
            start: span.start + 1,
            end: span.end - 1,
            ..span
        }
    } else {
        span
    }
}
