//! Where a request goes: the routing of a checked program, evaluated the
//! way Istio configures Envoy and Envoy routes, offline (`meshc route`,
//! routing tests).
//!
//! - [`request`]: the request (URL, method, headers, caller, gateway).
//! - [`select`]: which VirtualService serves the request's host on its
//!   gateway.
//! - [`matching`]: whether a match takes the request, and which condition
//!   refuses it when not.
//! - [`action`]: what the route does: destinations with their shares and
//!   effective traffic policy, rewrites, redirects, timeout and retries with
//!   Istio's defaults; delegation followed.
//! - [`policy`]: the traffic policy of a subset on a port, merged as
//!   Istio merges it.
//! - [`report`]: the outcome for people and as JSON.
//! - [`regex`]: RE2 regexes run as full matches.
//! - [`testing`]: routing tests (`test` blocks) run against the routing,
//!   and the routes no test reaches.
//!
//! The engine reads the typed program ([`crate::model::Program`]) and,
//! for positions, the syntax trees its VirtualServices came from.

pub mod action;
pub mod matching;
pub mod policy;
pub mod regex;
pub mod report;
pub mod request;
pub mod select;
pub mod testing;

use crate::Analysis;
use crate::model::delegation;
use crate::model::istio::{HttpRoute, L4Match, RouteDestination, VirtualServiceSpec};
use crate::span::Span;
use crate::syntax::ast::{self, ConditionKind, KeyedSource, RouteKind, StatementKind, StringSubject, ValueKind};
pub use action::{Action, Effective};
use matching::{Condition, Miss};
pub use request::{BadRequest, Protocol, Request};

/// A route of the program, and where it is written.
#[derive(Clone, Debug, PartialEq)]
pub struct RouteAt {
    /// Index of its VirtualService in the program.
    pub virtual_service: usize,
    /// The VirtualService's name and namespace.
    pub vs_name: String,
    /// Its namespace.
    pub vs_namespace: Option<String>,
    /// The `.mesh` service it is written in.
    pub service: String,
    /// HTTP, TCP or TLS.
    pub kind: Protocol,
    /// Its index among the routes of its kind.
    pub index: usize,
    /// Its name.
    pub name: Option<String>,
    /// The route's keyword (`route`, `tcp route`).
    pub span: Option<Span>,
    /// The `match` line that took the request (none: the route has no match).
    pub match_span: Option<Span>,
}

/// A route that did not take the request, and why.
#[derive(Clone, Debug, PartialEq)]
pub struct Near {
    /// The route.
    pub at: RouteAt,
    /// The first condition that refused the request.
    pub miss: Miss,
    /// Where that condition is written.
    pub condition_span: Option<Span>,
    /// How many conditions of that match refused it.
    pub failed: usize,
}

/// What routing found.
#[derive(Clone, Debug, PartialEq)]
pub struct Outcome {
    /// The request.
    pub request: Request,
    /// The route taken, when one took the request.
    pub hit: Option<Hit>,
    /// Why: which route took it, or why none did.
    pub reason: String,
    /// When none did: the route that came closest.
    pub closest: Option<Near>,
}

/// The route that took the request and what it does.
#[derive(Clone, Debug, PartialEq)]
pub struct Hit {
    /// The route in the VirtualService of the host.
    pub at: RouteAt,
    /// The route of the delegate VirtualService, when `at` delegates.
    pub delegated: Option<RouteAt>,
    /// What the route does (for delegation: merged as Istio merges it).
    pub action: Action,
    /// Its effect: destinations with policies, rewrites, timeout, retries.
    pub effective: Effective,
}

/// Routes `request` through the program of `analysis` (which should have
/// no errors: a program with errors has an incomplete model).
pub fn route(analysis: &Analysis, request: &Request) -> Outcome {
    let program = &analysis.checked.program;
    let chosen = select::virtual_services(program, request);
    if chosen.is_empty() {
        return Outcome {
            request: request.clone(),
            hit: None,
            reason: select::why_none(program, request),
            closest: None,
        };
    }
    let mut closest: Option<Near> = None;
    for &vs in &chosen {
        let found = match request.protocol {
            Protocol::Http => http_routes(analysis, vs, request, &mut closest),
            Protocol::Tls => l4_routes(analysis, vs, request, Protocol::Tls, &mut closest)
                .or_else(|| l4_routes(analysis, vs, request, Protocol::Tcp, &mut closest)),
            Protocol::Tcp => l4_routes(analysis, vs, request, Protocol::Tcp, &mut closest),
        };
        if let Some(found) = found {
            return found;
        }
    }
    let first = chosen.first().and_then(|&i| program.virtual_services.get(i));
    let name = first.map_or(String::new(), |(m, _)| m.name.clone());
    let kind = match request.protocol {
        Protocol::Http => "HTTP",
        Protocol::Tcp => "TCP",
        Protocol::Tls => "TLS or TCP",
    };
    let reason = match &closest {
        Some(near) => format!(
            "no {kind} route of VirtualService `{name}` matches; the closest, {}, does not: {}",
            describe(&near.at),
            near.miss.why
        ),
        None => format!("VirtualService `{name}` has no {kind} routes"),
    };
    Outcome {
        request: request.clone(),
        hit: None,
        reason,
        closest,
    }
}

/// The HTTP routes of VirtualService `vs`, in order (Envoy takes the first
/// route that matches: `VirtualHostImpl::getRouteFromEntries`).
fn http_routes(analysis: &Analysis, vs: usize, request: &Request, closest: &mut Option<Near>) -> Option<Outcome> {
    let (metadata, spec) = analysis.checked.program.virtual_services.get(vs)?;
    let namespace = metadata.namespace.as_deref();
    for (index, route) in spec.http.iter().enumerate() {
        let at =
            |match_index: Option<usize>| route_at(analysis, vs, Protocol::Http, index, match_index, route.name.clone());
        let taken = if route.matches.is_empty() {
            Some(None)
        } else {
            let mut taken = None;
            for (i, m) in route.matches.iter().enumerate() {
                let misses = matching::http_misses(m, request, namespace);
                if misses.is_empty() {
                    taken = Some(Some(i));
                    break;
                }
                remember(closest, at(Some(i)), misses, analysis);
            }
            taken
        };
        let Some(match_index) = taken else { continue };
        let at = at(match_index);
        if let Some(delegate) = &route.delegate {
            return Some(delegated(analysis, request, at, route, delegate));
        }
        return Some(hit(
            analysis,
            request,
            at,
            None,
            Action::Http(Box::new(route.clone())),
            namespace,
        ));
    }
    None
}

/// Follows `delegate` as istiod does: the delegate VirtualService is
/// found by [`Program::delegate`](crate::model::Program::delegate), each of
/// its HTTP routes is merged with the root route
/// ([`delegation::merge_route`], Istio's `mergeHTTPRoute`: matches merged,
/// the root's actions where the delegate sets none, a conflicting route
/// dropped), and the merged routes are tried in order.
fn delegated(
    analysis: &Analysis,
    request: &Request,
    at: RouteAt,
    root: &HttpRoute,
    delegate: &crate::model::istio::Delegate,
) -> Outcome {
    let program = &analysis.checked.program;
    let root_metadata = program.virtual_services.get(at.virtual_service).map(|(m, _)| m);
    let namespace = delegate.namespace.clone().or_else(|| at.vs_namespace.clone());
    let spell = match &namespace {
        Some(ns) => format!("`{}` in namespace `{ns}`", delegate.name),
        None => format!("`{}`", delegate.name),
    };
    let no_match = |reason: String, closest: Option<Near>| Outcome {
        request: request.clone(),
        hit: None,
        reason,
        closest,
    };
    let found = root_metadata.and_then(|m| program.delegate(m, delegate));
    let target = found.and_then(|found| program.virtual_services.iter().position(|vs| std::ptr::eq(vs, found)));
    let (Some(target), Some((_, spec))) = (target, found) else {
        return no_match(
            format!(
                "{} delegates to VirtualService {spell}, which the program does not define",
                describe(&at)
            ),
            None,
        );
    };
    let mut closest = None;
    for (index, leaf) in spec.http.iter().enumerate() {
        let Some(merged) = delegation::merge_route(root, leaf) else {
            continue;
        };
        let leaf_at = |m: Option<usize>| route_at(analysis, target, Protocol::Http, index, m, leaf.name.clone());
        let mut taken = merged.matches.is_empty().then_some(None);
        for (i, m) in merged.matches.iter().enumerate() {
            let misses = matching::http_misses(m, request, namespace.as_deref());
            if misses.is_empty() {
                taken = Some(leaf_match_index(root, leaf, i));
                break;
            }
            remember(&mut closest, leaf_at(leaf_match_index(root, leaf, i)), misses, analysis);
        }
        let Some(match_index) = taken else { continue };
        let vs_namespace = at.vs_namespace.clone();
        return hit(
            analysis,
            request,
            at,
            Some(leaf_at(match_index)),
            Action::Http(Box::new(merged)),
            vs_namespace.as_deref(),
        );
    }
    let reason = match &closest {
        Some(near) => format!(
            "{} delegates to VirtualService {spell}, and none of its routes matches; the closest, {}, does not: {}",
            describe(&at),
            describe(&near.at),
            near.miss.why
        ),
        None => format!(
            "{} delegates to VirtualService {spell}, which has no HTTP route for it",
            describe(&at)
        ),
    };
    no_match(reason, closest)
}

/// Which match line of the delegate route `leaf` the merged match `merged`
/// comes from: `mergeHTTPMatchRequests` merges each delegate match with the
/// root matches it does not conflict with, in order, so the delegate's
/// line is found by counting (`None`: the delegate route has no match).
fn leaf_match_index(root: &HttpRoute, leaf: &HttpRoute, merged: usize) -> Option<usize> {
    if leaf.matches.is_empty() {
        return None;
    }
    if root.matches.is_empty() {
        return Some(merged);
    }
    let mut seen = 0;
    for (i, sub) in leaf.matches.iter().enumerate() {
        let with = root
            .matches
            .iter()
            .filter(|parent| delegation::conflict(parent, sub).is_none())
            .count();
        if merged < seen + with {
            return Some(i);
        }
        seen += with;
    }
    None
}

/// The TCP or TLS routes of VirtualService `vs`, in order.
fn l4_routes(
    analysis: &Analysis,
    vs: usize,
    request: &Request,
    kind: Protocol,
    closest: &mut Option<Near>,
) -> Option<Outcome> {
    let (metadata, spec) = analysis.checked.program.virtual_services.get(vs)?;
    let namespace = metadata.namespace.as_deref();
    let routes: Vec<(&[L4Match], &[RouteDestination])> = match kind {
        Protocol::Tls => spec
            .tls
            .iter()
            .map(|r| (r.matches.as_slice(), r.route.as_slice()))
            .collect(),
        _ => spec
            .tcp
            .iter()
            .map(|r| (r.matches.as_slice(), r.route.as_slice()))
            .collect(),
    };
    for (index, (matches, destinations)) in routes.into_iter().enumerate() {
        let at = |m: Option<usize>| route_at(analysis, vs, kind, index, m, None);
        let mut taken = matches.is_empty().then_some(None);
        for (i, m) in matches.iter().enumerate() {
            match matching::l4_match(m, request, namespace) {
                Ok(()) => {
                    taken = Some(Some(i));
                    break;
                }
                Err(missed) => remember(closest, at(Some(i)), vec![missed], analysis),
            }
        }
        let Some(match_index) = taken else { continue };
        let action = Action::L4(destinations.to_vec());
        return Some(hit(analysis, request, at(match_index), None, action, namespace));
    }
    None
}

fn hit(
    analysis: &Analysis,
    request: &Request,
    at: RouteAt,
    delegated: Option<RouteAt>,
    action: Action,
    namespace: Option<&str>,
) -> Outcome {
    let effective = action::effective(analysis, &action, request, namespace);
    let reason = match &delegated {
        Some(child) => format!("{} matched, and delegated to {}", describe(&at), describe(child)),
        None => format!("{} matched", describe(&at)),
    };
    Outcome {
        request: request.clone(),
        hit: Some(Hit {
            at,
            delegated,
            action,
            effective,
        }),
        reason,
        closest: None,
    }
}

/// Keeps the nearer of two misses: fewer refusing conditions, then the
/// earlier route.
fn remember(closest: &mut Option<Near>, at: RouteAt, misses: Vec<Miss>, analysis: &Analysis) {
    let failed = misses.len();
    if closest.as_ref().is_some_and(|near| near.failed <= failed) {
        return;
    }
    let Some(miss) = misses.into_iter().next() else { return };
    let condition_span = at
        .match_span
        .and_then(|span| condition_span(analysis, span, &miss.condition));
    *closest = Some(Near {
        at,
        miss,
        condition_span,
        failed,
    });
}

/// "route `jason` (HTTP route 1 of VirtualService `reviews`)".
pub fn describe(at: &RouteAt) -> String {
    let kind = match at.kind {
        Protocol::Http => "HTTP",
        Protocol::Tcp => "TCP",
        Protocol::Tls => "TLS",
    };
    match &at.name {
        Some(name) => format!("route `{name}` of `{}`", at.service),
        None => format!("{kind} route {} of `{}`", at.index + 1, at.service),
    }
}

/// Where route `index` of kind `kind` of VirtualService `vs` is written,
/// and the `match` line `match_index`.
pub(crate) fn route_at(
    analysis: &Analysis,
    vs: usize,
    kind: Protocol,
    index: usize,
    match_index: Option<usize>,
    name: Option<String>,
) -> RouteAt {
    let program = &analysis.checked.program;
    let (metadata, _) = program
        .virtual_services
        .get(vs)
        .map_or((None, None), |(m, s)| (Some(m), Some(s)));
    let service = program
        .virtual_service_sites
        .get(vs)
        .and_then(|span| service_at(analysis, *span));
    let route = service.and_then(|s| ast_route(s, kind, index));
    let match_span = match_index.and_then(|i| {
        route?
            .statements
            .iter()
            .filter(|s| matches!(s.kind, StatementKind::Match(_)))
            .nth(i)
            .map(|s| s.span)
    });
    RouteAt {
        virtual_service: vs,
        vs_name: metadata.map_or(String::new(), |m| m.name.clone()),
        vs_namespace: metadata.and_then(|m| m.namespace.clone()),
        service: service.map_or_else(
            || metadata.map_or(String::new(), |m| m.name.clone()),
            |s| s.name.name.to_string(),
        ),
        kind,
        index,
        name,
        span: route.map(|r| r.keyword),
        match_span,
    }
}

/// The service block written at `span`.
pub fn service_at(analysis: &Analysis, span: Span) -> Option<&ast::Service> {
    analysis
        .files
        .get(span.file as usize)?
        .services
        .iter()
        .find(|s| s.span == span)
        .map(|s| &**s)
}

/// Route `index` among the routes of `kind` of a service.
pub fn ast_route(service: &ast::Service, kind: Protocol, index: usize) -> Option<&ast::Route> {
    let kind = match kind {
        Protocol::Http => RouteKind::Http,
        Protocol::Tcp => RouteKind::Tcp,
        Protocol::Tls => RouteKind::Tls,
    };
    service.routes.iter().filter(|r| r.kind == kind).nth(index)
}

/// Where `condition` is written in the `match` line at `match_span`.
pub(crate) fn condition_span(analysis: &Analysis, match_span: Span, condition: &Condition) -> Option<Span> {
    let file = analysis.files.get(match_span.file as usize)?;
    let statement = file
        .services
        .iter()
        .filter(|s| s.span.start <= match_span.start && match_span.end <= s.span.end)
        .flat_map(|s| &s.routes)
        .flat_map(|r| &r.statements)
        .find(|s| s.span == match_span)?;
    let StatementKind::Match(conditions) = &statement.kind else {
        return None;
    };
    let text = |v: &ast::Value| match &v.kind {
        ValueKind::String(t) | ValueKind::Ident(t) => Some(t.to_ascii_lowercase()),
        _ => None,
    };
    conditions
        .iter()
        .find(|c| match (&c.kind, condition) {
            (ConditionKind::Str { subject, .. }, _) => matches!(
                (subject, condition),
                (StringSubject::Uri, Condition::Uri)
                    | (StringSubject::Scheme, Condition::Scheme)
                    | (StringSubject::Method, Condition::Method)
                    | (StringSubject::Authority, Condition::Authority)
            ),
            (ConditionKind::Keyed { source, name, .. }, Condition::Header(n)) => {
                *source == KeyedSource::Header && text(name).as_deref() == Some(&n.to_ascii_lowercase())
            }
            (ConditionKind::Keyed { source, name, .. }, Condition::WithoutHeader(n)) => {
                *source == KeyedSource::WithoutHeader && text(name).as_deref() == Some(&n.to_ascii_lowercase())
            }
            (ConditionKind::Keyed { source, name, .. }, Condition::Query(n)) => {
                *source == KeyedSource::Query && text(name).as_deref() == Some(&n.to_ascii_lowercase())
            }
            (ConditionKind::SourceLabels(_), Condition::SourceLabels)
            | (ConditionKind::SourceNamespace(_), Condition::SourceNamespace)
            | (ConditionKind::Port(_), Condition::Port)
            | (ConditionKind::Gateway(_), Condition::Gateway)
            | (ConditionKind::Sni(_), Condition::Sni)
            | (ConditionKind::DestinationSubnet(_), Condition::DestinationSubnet)
            | (ConditionKind::SourceSubnet(_), Condition::SourceSubnet) => true,
            _ => false,
        })
        .map(|c| c.span)
}

/// Every route of a VirtualService: (kind, index), in order.
pub fn routes_of(spec: &VirtualServiceSpec) -> Vec<(Protocol, usize)> {
    let http = (0..spec.http.len()).map(|i| (Protocol::Http, i));
    let tcp = (0..spec.tcp.len()).map(|i| (Protocol::Tcp, i));
    let tls = (0..spec.tls.len()).map(|i| (Protocol::Tls, i));
    http.chain(tcp).chain(tls).collect()
}
