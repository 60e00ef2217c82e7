//! Delegation as Istio performs it: which VirtualService a route's
//! `delegate` names, whether a delegate's match lies within the match of
//! the route that delegates to it, and the routes Istio builds from the two.
//!
//! Each function follows one function of Istio's
//! `pilot/pkg/model/virtualservice.go` (and `virtualservice_controller.go`
//! for the look-up), named in its doc; the checker reports what they find
//! (E0415), and a routing simulator can follow a delegation with them
//! exactly as istiod does.

use super::Program;
use super::istio::{Delegate, HttpMatch, HttpRoute, Metadata, Pairs, StringMatch, VirtualServiceSpec};

impl Program {
    /// The delegate VirtualService that `delegate` (in a route of the
    /// VirtualService `root`) hands requests to: a VirtualService without
    /// hosts named `delegate.name`, in `delegate.namespace` or, when that is
    /// not given, in the namespace of `root`, as
    /// `virtualservice_controller.go` `mergeVirtualServices` finds it.
    /// `None` when the program has none (a VirtualService written outside
    /// the program, which the checker lets a quoted name stand for).
    pub fn delegate(&self, root: &Metadata, delegate: &Delegate) -> Option<&(Metadata, VirtualServiceSpec)> {
        let namespace = delegate.namespace.as_ref().or(root.namespace.as_ref());
        self.virtual_services.iter().find(|(metadata, spec)| {
            spec.hosts.is_empty() && metadata.name == delegate.name && metadata.namespace.as_ref() == namespace
        })
    }
}

/// The routes Istio puts in place of `root`, a route with `delegate`,
/// given the HTTP routes of the delegate: each delegate route merged with
/// the root, in order, leaving out those whose matches conflict with the
/// root's (`MergeHTTPRoutes`, `mergeHTTPRoute`).
pub fn merge_routes(root: &HttpRoute, delegate: &[HttpRoute]) -> Vec<HttpRoute> {
    delegate.iter().filter_map(|leaf| merge_route(root, leaf)).collect()
}

/// One delegate route merged with the root route (`mergeHTTPRoute`): the
/// merged matches, the names joined with `-`, and each of the root's
/// actions and policies the delegate route does not set; `None` when the
/// matches conflict, and Istio drops the route.
pub fn merge_route(root: &HttpRoute, leaf: &HttpRoute) -> Option<HttpRoute> {
    let matches = merge_matches(&root.matches, &leaf.matches).ok()?;
    let mut out = leaf.clone();
    out.matches = matches;
    out.name = joined(root.name.as_deref(), leaf.name.as_deref());
    out.delegate = None;
    fill(&mut out.rewrite, &root.rewrite);
    fill(&mut out.direct_response, &root.direct_response);
    fill(&mut out.timeout, &root.timeout);
    fill(&mut out.retries, &root.retries);
    fill(&mut out.fault, &root.fault);
    fill(&mut out.mirror, &root.mirror);
    fill(&mut out.mirror_percentage, &root.mirror_percentage);
    fill(&mut out.cors_policy, &root.cors_policy);
    if out.mirrors.is_empty() {
        out.mirrors.clone_from(&root.mirrors);
    }
    fill(&mut out.headers, &root.headers);
    Some(out)
}

/// A delegate match that lies within none of the root's matches, and why
/// it conflicts with each of them, in the root's order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Conflict {
    /// The index of the delegate's match.
    pub leaf: usize,
    /// For each match of the root, the condition that conflicts.
    pub reasons: Vec<String>,
}

/// The matches of a delegate route merged with those of its root route
/// (`mergeHTTPMatchRequests`): without matches on either side, the other
/// side's; else each delegate match merged with every root match it does
/// not conflict with.  A delegate match that conflicts with every root
/// match makes the whole route conflict: the error names it.
pub fn merge_matches(root: &[HttpMatch], leaf: &[HttpMatch]) -> Result<Vec<HttpMatch>, Conflict> {
    if root.is_empty() {
        return Ok(leaf.to_vec());
    }
    if leaf.is_empty() {
        return Ok(root.to_vec());
    }
    let mut out = Vec::new();
    for (index, sub) in leaf.iter().enumerate() {
        let mut reasons = Vec::new();
        for parent in root {
            match conflict(parent, sub) {
                Some(reason) => reasons.push(reason),
                None => out.push(merge_match(parent, sub)),
            }
        }
        if reasons.len() == root.len() {
            return Err(Conflict { leaf: index, reasons });
        }
    }
    Ok(out)
}

/// A delegate match completed by its root match (`mergeHTTPMatchRequest`):
/// what the delegate does not test is taken from the root; header, query
/// and source label maps are joined, the delegate's value winning.
pub fn merge_match(root: &HttpMatch, leaf: &HttpMatch) -> HttpMatch {
    let mut out = leaf.clone();
    out.name = joined(root.name.as_deref(), leaf.name.as_deref());
    fill(&mut out.uri, &root.uri);
    fill(&mut out.scheme, &root.scheme);
    fill(&mut out.method, &root.method);
    fill(&mut out.authority, &root.authority);
    out.headers = merged_map(&root.headers, &leaf.headers);
    out.without_headers = merged_map(&root.without_headers, &leaf.without_headers);
    out.query_params = merged_map(&root.query_params, &leaf.query_params);
    fill(&mut out.port, &root.port);
    out.source_labels = merged_map(&root.source_labels, &leaf.source_labels);
    fill(&mut out.source_namespace, &root.source_namespace);
    if out.gateways.is_empty() {
        out.gateways.clone_from(&root.gateways);
    }
    fill(&mut out.stat_prefix, &root.stat_prefix);
    out
}

/// Why the delegate's match `leaf` is not within the root's match `root`
/// (`hasConflict`), as a phrase naming the condition; `None` when it is.
pub fn conflict(root: &HttpMatch, leaf: &HttpMatch) -> Option<String> {
    let strings = [
        ("uri", &root.uri, &leaf.uri),
        ("scheme", &root.scheme, &leaf.scheme),
        ("method", &root.method, &leaf.method),
        ("authority", &root.authority, &leaf.authority),
    ];
    for (what, parent, sub) in strings {
        if string_conflict(parent.as_ref(), sub.as_ref()) {
            return Some(format!("`{what}` {}", string_reason(parent.as_ref(), sub.as_ref())));
        }
    }
    let keyed = [
        ("header", &root.headers, &leaf.headers),
        ("without header", &root.without_headers, &leaf.without_headers),
        ("query", &root.query_params, &leaf.query_params),
    ];
    for (what, parent, sub) in keyed {
        for (key, value) in &sub.0 {
            let parent_value = get(parent, key);
            if string_conflict(parent_value, Some(value)) {
                return Some(format!("{what} `{key}` {}", string_reason(parent_value, Some(value))));
            }
        }
    }
    if root.ignore_uri_case.unwrap_or(false) != leaf.ignore_uri_case.unwrap_or(false) {
        return Some("`ignore_uri_case` is set on one side only".into());
    }
    if let (Some(a), Some(b)) = (root.port, leaf.port)
        && a != b
    {
        return Some(format!("`port {b}` is not `port {a}`"));
    }
    // Istio asks for the same namespace whenever the root names one, even
    // of a delegate match that names none.
    if let Some(namespace) = &root.source_namespace
        && leaf.source_namespace.as_ref() != Some(namespace)
    {
        return Some(format!(
            "`source namespace` is not \"{namespace}\" as in the delegating route"
        ));
    }
    for (key, value) in &leaf.source_labels.0 {
        if let Some(parent) = get(&root.source_labels, key)
            && parent != value
        {
            return Some(format!("source label `{key}` is \"{value}\", not \"{parent}\""));
        }
    }
    if !root.gateways.is_empty()
        && !leaf.gateways.is_empty()
        && let Some(gateway) = leaf.gateways.iter().find(|g| !root.gateways.contains(g))
    {
        return Some(format!(
            "`gateway \"{gateway}\"` is not a gateway of the delegating route"
        ));
    }
    None
}

/// Whether a delegate's string match conflicts with the root's
/// (`stringMatchConflict`): no conflict when either side does not test
/// the value; a regex on either side conflicts with any other test; an
/// exact root needs the same exact value; a prefix root needs an exact
/// value or prefix that starts with it; a root that tests presence only
/// conflicts with any test.  An empty string counts as unset, as in Go.
fn string_conflict(root: Option<&StringMatch>, leaf: Option<&StringMatch>) -> bool {
    let (Some(root), Some(leaf)) = (root, leaf) else {
        return false;
    };
    let text = |s: &Option<String>| s.clone().unwrap_or_default();
    let (root_exact, root_prefix, root_regex) = (text(&root.exact), text(&root.prefix), text(&root.regex));
    let (leaf_exact, leaf_prefix, leaf_regex) = (text(&leaf.exact), text(&leaf.prefix), text(&leaf.regex));
    let leaf_any = !leaf_regex.is_empty() || !leaf_prefix.is_empty() || !leaf_exact.is_empty();
    let root_any = !root_regex.is_empty() || !root_prefix.is_empty() || !root_exact.is_empty();
    if (!root_regex.is_empty() && leaf_any) || (!leaf_regex.is_empty() && root_any) {
        return true;
    }
    if !root_exact.is_empty() {
        return !leaf_prefix.is_empty() || leaf_exact != root_exact;
    }
    if !root_prefix.is_empty() {
        if !leaf_prefix.is_empty() {
            return !leaf_prefix.starts_with(&root_prefix);
        }
        if !leaf_exact.is_empty() {
            return !leaf_exact.starts_with(&root_prefix);
        }
    }
    true
}

/// What is wrong with a conflicting pair of string matches, for messages.
fn string_reason(root: Option<&StringMatch>, leaf: Option<&StringMatch>) -> String {
    let show = |m: Option<&StringMatch>| match m {
        Some(StringMatch { exact: Some(v), .. }) => format!("exact \"{v}\""),
        Some(StringMatch { prefix: Some(v), .. }) => format!("prefix \"{v}\""),
        Some(StringMatch { regex: Some(v), .. }) => format!("regex \"{v}\""),
        _ => "present".into(),
    };
    let regex = |m: Option<&StringMatch>| m.is_some_and(|m| m.regex.is_some());
    if regex(root) || regex(leaf) {
        format!(
            "{} cannot be narrowed to {}: Istio cannot tell whether one regex lies within another test",
            show(root),
            show(leaf)
        )
    } else {
        format!("{} is not within {}", show(leaf), show(root))
    }
}

/// The value of `key` in an ordered map.
fn get<'a, T>(map: &'a Pairs<T>, key: &str) -> Option<&'a T> {
    map.0.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

/// The root's entries and then the delegate's, a delegate's value taking
/// the place of the root's for the same key (Go's `maps.MergeCopy`; meshc
/// keeps the order the keys were written in).
fn merged_map<T: Clone>(root: &Pairs<T>, leaf: &Pairs<T>) -> Pairs<T> {
    let mut out = root.clone();
    for (key, value) in &leaf.0 {
        match out.0.iter_mut().find(|(k, _)| k == key) {
            Some(entry) => entry.1 = value.clone(),
            None => out.0.push((key.clone(), value.clone())),
        }
    }
    out
}

/// Sets `slot` to `root` when it is unset.
fn fill<T: Clone>(slot: &mut Option<T>, root: &Option<T>) {
    if slot.is_none() {
        slot.clone_from(root);
    }
}

/// A root's and a delegate's names joined as Istio joins them: the
/// delegate's alone when the root has none, `ROOT-DELEGATE` when both have
/// one.
fn joined(root: Option<&str>, leaf: Option<&str>) -> Option<String> {
    match (root.filter(|r| !r.is_empty()), leaf.filter(|l| !l.is_empty())) {
        (Some(r), Some(l)) => Some(format!("{r}-{l}")),
        (None, Some(l)) => Some(l.to_string()),
        (r, None) => r.map(str::to_string),
    }
}

#[cfg(test)]
mod tests {
    //! The cases of Istio's `pilot/pkg/model/virtualservice_test.go`
    //! (`TestHasConflict`, `TestMergeHTTPMatchRequests`, `TestMergeHttpRoutes`)
    //! in meshc's types, and cases read off `hasConflict` where those tests
    //! have none (a presence-only root, a root source namespace).
    use super::*;

    fn prefix(p: &str) -> Option<StringMatch> {
        Some(StringMatch {
            prefix: Some(p.into()),
            ..StringMatch::default()
        })
    }
    fn exact(p: &str) -> Option<StringMatch> {
        Some(StringMatch {
            exact: Some(p.into()),
            ..StringMatch::default()
        })
    }
    fn regex(p: &str) -> Option<StringMatch> {
        Some(StringMatch {
            regex: Some(p.into()),
            ..StringMatch::default()
        })
    }
    fn uri(m: Option<StringMatch>) -> HttpMatch {
        HttpMatch {
            uri: m,
            ..HttpMatch::default()
        }
    }

    #[test]
    fn string_matches_conflict_as_in_istio() {
        // (root, delegate, conflict)
        let cases = [
            (prefix("/productpage"), prefix("/productpage/v1"), false),
            (prefix("/productpage"), exact("/productpage/v1"), false),
            (prefix("/productpage/v1"), prefix("/productpage"), true),
            (prefix("/productpage/v1"), exact("/productpage"), true),
            (exact("/productpage"), exact("/productpage"), false),
            (exact("/productpage"), exact("/reviews"), true),
            (exact("/productpage"), prefix("/productpage"), true),
            (regex("^/p"), regex("^/p"), true),
            (regex("^/p"), prefix("/p"), true),
            (prefix("/p"), regex("^/p"), true),
            (None, prefix("/anything"), false),
            (prefix("/p"), None, false),
        ];
        for (root, leaf, expected) in cases {
            let found = conflict(&uri(root.clone()), &uri(leaf.clone()));
            assert_eq!(found.is_some(), expected, "{root:?} / {leaf:?}: {found:?}");
        }
    }

    #[test]
    fn other_conditions_conflict_as_in_istio() {
        let port = |p| HttpMatch {
            port: Some(p),
            ..HttpMatch::default()
        };
        assert!(conflict(&port(8080), &port(9090)).is_some());
        assert!(conflict(&port(8080), &HttpMatch::default()).is_none());
        let case = HttpMatch {
            ignore_uri_case: Some(true),
            ..HttpMatch::default()
        };
        assert!(conflict(&case, &HttpMatch::default()).is_some());
        // A root source namespace binds every delegate match.
        let ns = |n: &str| HttpMatch {
            source_namespace: Some(n.into()),
            ..HttpMatch::default()
        };
        assert!(conflict(&ns("a"), &HttpMatch::default()).is_some());
        assert!(conflict(&ns("a"), &ns("a")).is_none());
        assert!(conflict(&HttpMatch::default(), &ns("a")).is_none());
        let gateways = |g: &[&str]| HttpMatch {
            gateways: g.iter().map(|s| s.to_string()).collect(),
            ..HttpMatch::default()
        };
        assert!(conflict(&gateways(&["a", "b"]), &gateways(&["a"])).is_none());
        assert!(conflict(&gateways(&["a"]), &gateways(&["a", "b"])).is_some());
        let header = |m: Option<StringMatch>| HttpMatch {
            headers: Pairs(vec![("end-user".into(), m.unwrap_or_default())]),
            ..HttpMatch::default()
        };
        assert!(conflict(&header(exact("jason")), &header(exact("jason"))).is_none());
        assert!(conflict(&header(exact("jason")), &header(exact("kim"))).is_some());
        assert!(conflict(&header(prefix("h1")), &header(exact("h1-v1"))).is_none());
        assert!(conflict(&header(prefix("h1")), &header(prefix("h2"))).is_some());
        let other = HttpMatch {
            headers: Pairs(vec![("header-2".into(), exact("h2").unwrap_or_default())]),
            ..HttpMatch::default()
        };
        assert!(conflict(&header(exact("h1")), &other).is_none());
        let labels = |v: &str| HttpMatch {
            source_labels: Pairs(vec![("a".into(), v.into())]),
            ..HttpMatch::default()
        };
        assert!(conflict(&labels("b"), &labels("c")).is_some());
        assert!(conflict(&labels("b"), &labels("b")).is_none());
        // Presence only in the root: any test of the delegate conflicts.
        assert!(conflict(&header(None), &header(exact("jason"))).is_some());
        assert!(conflict(&HttpMatch::default(), &header(exact("jason"))).is_none());
    }

    #[test]
    fn matches_merge_as_in_istio() {
        let root = [uri(prefix("/productpage"))];
        let leaf = [
            HttpMatch {
                headers: Pairs(vec![("end-user".into(), exact("jason").unwrap_or_default())]),
                ..HttpMatch::default()
            },
            uri(exact("/productpage/v1")),
        ];
        let merged = merge_matches(&root, &leaf).expect("no conflict");
        assert_eq!(merged.len(), 2);
        assert_eq!(merged.first().and_then(|m| m.uri.clone()), prefix("/productpage"));
        assert_eq!(merged.get(1).and_then(|m| m.uri.clone()), exact("/productpage/v1"));
        // One delegate match outside every root match: the route conflicts.
        let bad = [uri(prefix("/productpage/v1")), uri(prefix("/reviews"))];
        let error = merge_matches(&root, &bad).expect_err("conflict");
        assert_eq!(error.leaf, 1);
        assert_eq!(merge_matches(&[], &bad).map(|m| m.len()), Ok(2));
        assert_eq!(merge_matches(&root, &[]).map(|m| m.len()), Ok(1));
    }

    #[test]
    fn routes_merge_with_names_joined_and_the_roots_settings() {
        let root = HttpRoute {
            name: Some("root".into()),
            matches: vec![uri(prefix("/a"))],
            timeout: Some("5s".into()),
            delegate: Some(Delegate {
                name: "d".into(),
                namespace: None,
            }),
            ..HttpRoute::default()
        };
        let leaves = [
            HttpRoute {
                name: Some("leaf".into()),
                matches: vec![uri(prefix("/a/b"))],
                ..HttpRoute::default()
            },
            HttpRoute {
                matches: vec![uri(prefix("/c"))],
                timeout: Some("1s".into()),
                ..HttpRoute::default()
            },
            HttpRoute {
                timeout: Some("1s".into()),
                ..HttpRoute::default()
            },
        ];
        let merged = merge_routes(&root, &leaves);
        assert_eq!(merged.len(), 2, "the /c route conflicts and is left out");
        let first = merged.first().expect("first");
        assert_eq!(first.name.as_deref(), Some("root-leaf"));
        assert_eq!(first.timeout.as_deref(), Some("5s"));
        assert_eq!(first.delegate, None);
        let last = merged.get(1).expect("last");
        assert_eq!(last.name.as_deref(), Some("root"));
        assert_eq!(last.timeout.as_deref(), Some("1s"));
        assert_eq!(last.matches, root.matches);
    }
}
