//! Matches that an earlier match of the same service makes useless.
//!
//! Routes are tried in order and the first whose match fits takes the
//! request, so a match that fits only requests an earlier match already
//! takes never applies (W0003), and a route whose every match is such is
//! never used (W0001), as after a route without `match`.  Istio's own
//! analyzer reports the same (pkg/config/validation/validation.go,
//! `analyzeUnreachableHTTPRules`: IST0130 "all matches used by prior rules",
//! IST0131 "duplicate/overlapping match"), comparing matches without their
//! `name` (`asJSON`, which clears it).
//!
//! Only what can be proved is reported: [`covers`] holds when every
//! condition of the earlier match follows from a condition of the later
//! one on the same attribute (an exact value inside a prefix, a longer
//! prefix inside a shorter one, the same test, more headers), and never
//! from reading a regex.

use crate::model::istio::{HttpMatch, Pairs, StringMatch};

/// Whether every request that `later` matches is also matched by
/// `earlier`.  `name` and `stat_prefix` only label a match and take no part.
pub fn covers(earlier: &HttpMatch, later: &HttpMatch) -> bool {
    let uri = match (&earlier.uri, &later.uri) {
        (None, _) => true,
        // A case-insensitive later path matches more than a case-sensitive
        // earlier one; the other way round, case-sensitive implication is
        // enough (ignoring case only widens the earlier match).
        (Some(a), Some(b)) => (ignores_case(earlier) || !ignores_case(later)) && implies(b, a),
        (Some(_), None) => false,
    };
    uri && optional(&earlier.scheme, &later.scheme)
        && optional(&earlier.method, &later.method)
        && optional(&earlier.authority, &later.authority)
        && all_implied(&earlier.headers, &later.headers)
        && all_implied(&earlier.query_params, &later.query_params)
        && earlier.without_headers.0.iter().all(|(name, a)| {
            // "Not a" follows from "not b" when b follows from a.
            later.without_headers.0.iter().any(|(n, b)| n == name && implies(a, b))
        })
        && same_if_set(&earlier.port, &later.port)
        && same_if_set(&earlier.source_namespace, &later.source_namespace)
        && earlier
            .source_labels
            .0
            .iter()
            .all(|pair| later.source_labels.0.contains(pair))
        && (earlier.gateways.is_empty()
            || (!later.gateways.is_empty() && later.gateways.iter().all(|g| earlier.gateways.contains(g))))
}

/// A match without the fields that only label it.
pub fn unlabelled(m: &HttpMatch) -> HttpMatch {
    HttpMatch {
        name: None,
        stat_prefix: None,
        ..m.clone()
    }
}

fn ignores_case(m: &HttpMatch) -> bool {
    m.ignore_uri_case == Some(true)
}

fn optional(earlier: &Option<StringMatch>, later: &Option<StringMatch>) -> bool {
    match (earlier, later) {
        (None, _) => true,
        (Some(a), Some(b)) => implies(b, a),
        (Some(_), None) => false,
    }
}

fn same_if_set<T: PartialEq>(earlier: &Option<T>, later: &Option<T>) -> bool {
    earlier.is_none() || earlier == later
}

/// Every test of `earlier` follows from the later test of the same name.
fn all_implied(earlier: &Pairs<StringMatch>, later: &Pairs<StringMatch>) -> bool {
    earlier
        .0
        .iter()
        .all(|(name, a)| later.0.iter().any(|(n, b)| n == name && implies(b, a)))
}

/// Whether a value that passes test `b` always passes test `a`.
fn implies(b: &StringMatch, a: &StringMatch) -> bool {
    match (&a.exact, &a.prefix, &a.regex) {
        // Presence only: any test of the value implies the value is there.
        (None, None, None) => true,
        (Some(x), _, _) => b.exact.as_ref() == Some(x),
        (None, Some(p), _) => b
            .exact
            .as_ref()
            .or(b.prefix.as_ref())
            .is_some_and(|v| v.starts_with(p.as_str())),
        // A regex is only known to imply itself.
        (None, None, Some(r)) => b.regex.as_ref() == Some(r),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test(exact: Option<&str>, prefix: Option<&str>, regex: Option<&str>) -> StringMatch {
        StringMatch {
            exact: exact.map(String::from),
            prefix: prefix.map(String::from),
            regex: regex.map(String::from),
        }
    }

    fn prefix(p: &str) -> Option<StringMatch> {
        Some(test(None, Some(p), None))
    }

    fn exact(p: &str) -> Option<StringMatch> {
        Some(test(Some(p), None, None))
    }

    fn uri(u: Option<StringMatch>) -> HttpMatch {
        HttpMatch {
            uri: u,
            ..HttpMatch::default()
        }
    }

    fn with_header(mut m: HttpMatch, name: &str, value: StringMatch) -> HttpMatch {
        m.headers.0.push((name.into(), value));
        m
    }

    #[test]
    fn a_prefix_covers_longer_prefixes_and_exact_paths_under_it() {
        assert!(covers(&uri(prefix("/api")), &uri(prefix("/api/v1"))));
        assert!(covers(&uri(prefix("/api")), &uri(exact("/api/v1/x"))));
        assert!(covers(&uri(prefix("/api")), &uri(prefix("/api"))));
        assert!(!covers(&uri(prefix("/api/v1")), &uri(prefix("/api"))));
        assert!(!covers(&uri(exact("/api")), &uri(prefix("/api"))));
        assert!(!covers(&uri(prefix("/api")), &uri(exact("/ap"))));
        assert!(!covers(&uri(prefix("/api")), &HttpMatch::default()));
        assert!(covers(&HttpMatch::default(), &uri(prefix("/api"))));
    }

    #[test]
    fn more_conditions_are_narrower() {
        let jason = test(Some("jason"), None, None);
        let plain = uri(prefix("/reviews"));
        let narrower = with_header(uri(prefix("/reviews/1")), "end-user", jason.clone());
        assert!(covers(&plain, &narrower));
        assert!(!covers(&narrower, &plain));
        // A header present covers any test of the same header.
        let present = with_header(HttpMatch::default(), "end-user", StringMatch::default());
        assert!(covers(&present, &narrower));
        // A header under another name proves nothing.
        let other = with_header(HttpMatch::default(), "x-user", jason);
        assert!(!covers(&other, &narrower));
    }

    #[test]
    fn regexes_imply_only_themselves() {
        let r = |s: &str| uri(Some(test(None, None, Some(s))));
        assert!(covers(&r("/a.*"), &r("/a.*")));
        assert!(!covers(&r("/a.*"), &r("/ab.*")));
        assert!(!covers(&r("/a.*"), &uri(exact("/a"))));
        assert!(!covers(&uri(prefix("/a")), &r("/a.*")));
    }

    #[test]
    fn case_and_labels() {
        let mut insensitive = uri(prefix("/api/v1"));
        insensitive.ignore_uri_case = Some(true);
        assert!(!covers(&uri(prefix("/api")), &insensitive));
        let mut wide = uri(prefix("/api"));
        wide.ignore_uri_case = Some(true);
        assert!(covers(&wide, &uri(prefix("/api/v1"))));
        let mut named = uri(prefix("/api"));
        named.name = Some("first".into());
        named.stat_prefix = Some("s".into());
        assert_eq!(unlabelled(&named), uri(prefix("/api")));
        assert!(covers(&named, &uri(prefix("/api"))));
    }

    #[test]
    fn without_headers_gateways_and_ports() {
        let mut a = HttpMatch::default();
        a.without_headers.0.push(("x".into(), test(None, Some("ab"), None)));
        let mut b = HttpMatch::default();
        b.without_headers.0.push(("x".into(), test(None, Some("a"), None)));
        // Not starting with "a" implies not starting with "ab".
        assert!(covers(&a, &b));
        assert!(!covers(&b, &a));
        let gateway = |g: &[&str]| HttpMatch {
            gateways: g.iter().map(|s| s.to_string()).collect(),
            ..HttpMatch::default()
        };
        assert!(covers(&gateway(&["a", "b"]), &gateway(&["a"])));
        assert!(!covers(&gateway(&["a"]), &gateway(&["a", "b"])));
        assert!(!covers(&gateway(&["a"]), &HttpMatch::default()));
        let port = |p| HttpMatch {
            port: p,
            ..HttpMatch::default()
        };
        assert!(covers(&port(None), &port(Some(80))));
        assert!(!covers(&port(Some(80)), &port(Some(81))));
        assert!(!covers(&port(Some(80)), &port(None)));
    }
}
