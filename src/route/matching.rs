//! Whether one match of a route takes a request, and if not, which
//! condition refused it.  Each rule is Istio's translation of the match
//! into Envoy's route configuration, then Envoy's matcher:
//!
//! - Istio `pilot/pkg/networking/core/route/route.go`, `TranslateRoute`:
//!   a match whose `port` is not the listener's port is dropped, and
//!   `sourceMatchHTTP` drops one whose `gateways` do not include the proxy's
//!   gateway, or (without `gateways`) whose `sourceLabels` are not a subset
//!   of the caller's labels or whose `sourceNamespace` is not the caller's.
//! - `TranslateRouteMatch`: `uri` becomes Envoy's `path` (exact), `prefix`
//!   or `safe_regex`, case-sensitive unless `ignoreUriCase`; headers,
//!   `withoutHeaders` (inverted, a missing header read as empty), `method`,
//!   `authority` and `scheme` (the `:method`, `:authority`, `:scheme`
//!   pseudo-headers) become header matchers; `queryParams` query matchers.
//!   `translateHeaderMatch`/`canBeConvertedToPresentMatch`: an empty match,
//!   or the regex `*`, tests presence only.
//! - Envoy `source/common/router/config_impl.cc`: `PathRouteEntryImpl`,
//!   `PrefixRouteEntryImpl` and `RegexRouteEntryImpl` match the path
//!   without query and fragment (`sanitizePathBeforePathMatching`,
//!   `PathUtil::removeQueryAndFragment`); exact and prefix honour
//!   `case_sensitive`, the regex ignores it (`PathMatcher::createSafeRegex`
//!   takes no case flag) and must match the whole path.
//! - Envoy `source/common/http/header_utility.cc`, `matchHeaders`: header
//!   names are lower-case, values are compared case-sensitively (Istio never
//!   sets `ignore_case`), repeated headers are joined with `,`.
//! - Istio `pilot/pkg/networking/core/tls.go`, `matchTCP`/`matchTLS`: TCP
//!   and TLS matches AND their gateways, source labels, port and source
//!   namespace.

use super::regex;
use super::request::Request;
use crate::model::istio::{HttpMatch, L4Match, StringMatch};

/// A condition of a match, to name it and find it in the source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Condition {
    /// `uri`.
    Uri,
    /// `scheme`.
    Scheme,
    /// `method`.
    Method,
    /// `authority`.
    Authority,
    /// `header NAME`.
    Header(String),
    /// `without header NAME`.
    WithoutHeader(String),
    /// `query NAME`.
    Query(String),
    /// `port`.
    Port,
    /// `source { labels }`.
    SourceLabels,
    /// `source namespace`.
    SourceNamespace,
    /// `gateway`.
    Gateway,
    /// `sni`.
    Sni,
    /// `destination_subnet`.
    DestinationSubnet,
    /// `source_subnet`.
    SourceSubnet,
}

/// Why a match did not take the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Miss {
    /// The condition that refused it.
    pub condition: Condition,
    /// Why, in words: what the condition wants and what the request has.
    pub why: String,
}

fn miss(condition: Condition, why: impl Into<String>) -> Result<(), Miss> {
    Err(Miss {
        condition,
        why: why.into(),
    })
}

/// The gateways a VirtualService applies to: `mesh` when it names none
/// (Istio's `VirtualService.gateways` default).
pub fn bound_gateways(gateways: &[String]) -> Vec<String> {
    if gateways.is_empty() {
        vec!["mesh".to_string()]
    } else {
        gateways.to_vec()
    }
}

/// Whether the gateway `written` in a resource of `namespace` is the
/// gateway the request arrives at.  Istio resolves a short gateway name in
/// the VirtualService's namespace (`model.resolveGatewayName`); a request
/// gateway written without a namespace is compared by name.
pub fn same_gateway(written: &str, namespace: Option<&str>, request: &str) -> bool {
    if written == "mesh" || request == "mesh" {
        return written == request;
    }
    let qualified = match (written.contains('/'), namespace) {
        (false, Some(ns)) => format!("{ns}/{written}"),
        _ => written.to_string(),
    };
    if request.contains('/') {
        qualified == request
    } else {
        qualified.rsplit('/').next() == Some(request)
    }
}

/// Whether an HTTP match takes the request; `namespace` is the
/// VirtualService's, for its gateway names.  The miss is the first
/// condition that refuses it, in the order Istio and Envoy test them.
pub fn http_match(m: &HttpMatch, request: &Request, namespace: Option<&str>) -> Result<(), Miss> {
    match http_misses(m, request, namespace).into_iter().next() {
        Some(first) => Err(first),
        None => Ok(()),
    }
}

/// Every condition of an HTTP match that refuses the request, in the
/// order Istio and Envoy test them.
pub fn http_misses(m: &HttpMatch, request: &Request, namespace: Option<&str>) -> Vec<Miss> {
    let mut out = Vec::new();
    let mut test = |result: Result<(), Miss>| {
        if let Err(missed) = result {
            out.push(missed);
        }
    };
    // route.go `TranslateRoute`: the port first.
    if let Some(port) = m.port.filter(|&p| p != 0 && p != request.port) {
        test(miss(
            Condition::Port,
            format!(
                "the match is for port {port}, the request goes to port {}",
                request.port
            ),
        ));
    }
    // route.go `sourceMatchHTTP`: `gateways` replace the source checks.
    if !m.gateways.is_empty() {
        if !m.gateways.iter().any(|g| same_gateway(g, namespace, &request.gateway)) {
            test(miss(
                Condition::Gateway,
                format!(
                    "the match is for {}, the request arrives at {}",
                    list(&m.gateways),
                    gateway_words(&request.gateway)
                ),
            ));
        }
    } else {
        test(source_labels(&m.source_labels.0, request));
        test(source_namespace(m.source_namespace.as_deref(), request));
    }
    if let Some(uri) = &m.uri {
        test(uri_match(uri, m.ignore_uri_case == Some(true), &request.path));
    }
    // route.go `TranslateRouteMatch` sorts the header matchers by name.
    let mut headers: Vec<(&str, &StringMatch, bool)> = m
        .headers
        .0
        .iter()
        .map(|(n, s)| (n.as_str(), s, false))
        .chain(m.without_headers.0.iter().map(|(n, s)| (n.as_str(), s, true)))
        .collect();
    headers.sort_by(|a, b| a.0.cmp(b.0));
    for (name, string, inverted) in headers {
        test(header_match(name, string, inverted, request));
    }
    for (condition, name, string) in [
        (Condition::Method, ":method", &m.method),
        (Condition::Authority, ":authority", &m.authority),
        (Condition::Scheme, ":scheme", &m.scheme),
    ] {
        if let Some(string) = string {
            let value = request.header_value(name).unwrap_or_default();
            if !string_match(string, &value) {
                let subject = name.trim_start_matches(':');
                test(miss(condition, format!("{subject} `{value}` {}", wanted(string))));
            }
        }
    }
    for (name, string) in &m.query_params.0 {
        let value = request.query_value(name);
        let ok = match value {
            None => false,
            Some(_) if presence_only(string) => true,
            Some(v) => string_match(string, v),
        };
        if !ok {
            let has = value.map_or("the request has no such parameter".to_string(), |v| {
                format!("the request has `{v}`")
            });
            test(miss(
                Condition::Query(name.clone()),
                format!("query parameter `{name}` {}; {has}", wanted(string)),
            ));
        }
    }
    out
}

/// `source namespace`: equal to the caller's.
fn source_namespace(wanted_namespace: Option<&str>, request: &Request) -> Result<(), Miss> {
    match wanted_namespace.filter(|ns| !ns.is_empty()) {
        Some(ns) if request.source_namespace.as_deref() != Some(ns) => miss(
            Condition::SourceNamespace,
            format!(
                "the match is for callers in namespace `{ns}`, the caller is {}",
                request
                    .source_namespace
                    .as_deref()
                    .map_or("in no namespace given".to_string(), |n| format!("in `{n}`"))
            ),
        ),
        _ => Ok(()),
    }
}

/// `source { labels }`: a subset of the caller's labels
/// (`labels.Instance.SubsetOf`).
fn source_labels(wanted_labels: &[(String, String)], request: &Request) -> Result<(), Miss> {
    for (key, value) in wanted_labels {
        let has = request.source_labels.iter().find(|(k, _)| k == key).map(|(_, v)| v);
        if has != Some(value) {
            let actual = has.map_or("the caller has no such label".to_string(), |v| {
                format!("the caller has `{key}={v}`")
            });
            return miss(
                Condition::SourceLabels,
                format!("the match is for callers labelled `{key}={value}`; {actual}"),
            );
        }
    }
    Ok(())
}

fn uri_match(test: &StringMatch, ignore_case: bool, path: &str) -> Result<(), Miss> {
    let ok = if let Some(exact) = &test.exact {
        if ignore_case {
            exact.eq_ignore_ascii_case(path)
        } else {
            exact == path
        }
    } else if let Some(prefix) = &test.prefix {
        let head = path.get(..prefix.len());
        if ignore_case {
            head.is_some_and(|h| h.eq_ignore_ascii_case(prefix))
        } else {
            head == Some(prefix.as_str())
        }
    } else if let Some(pattern) = &test.regex {
        // The regex is case-sensitive even with `ignoreUriCase`.
        regex::full_match(pattern).is_some_and(|r| r.is_match(path))
    } else {
        true
    };
    if ok {
        Ok(())
    } else {
        let case = if ignore_case && test.regex.is_none() {
            " (ignoring case)"
        } else {
            ""
        };
        miss(Condition::Uri, format!("path `{path}` {}{case}", wanted(test)))
    }
}

fn header_match(name: &str, test: &StringMatch, inverted: bool, request: &Request) -> Result<(), Miss> {
    let value = request.header_value(name);
    let presence = presence_only(test);
    let matched = match (&value, presence) {
        (None, true) => false,
        (Some(_), true) => true,
        // `treat_missing_header_as_empty` for inverted string matches.
        (None, false) => inverted && string_match(test, ""),
        (Some(v), false) => string_match(test, v),
    };
    if matched != inverted {
        return Ok(());
    }
    let has = value.map_or("the request has no such header".to_string(), |v| {
        format!("the request has `{v}`")
    });
    if inverted {
        let what = if presence {
            "is present".to_string()
        } else {
            wanted(test)
        };
        miss(
            Condition::WithoutHeader(name.to_string()),
            format!("the match refuses requests whose header `{name}` {what}; {has}"),
        )
    } else {
        miss(
            Condition::Header(name.to_string()),
            format!("header `{name}` {}; {has}", wanted(test)),
        )
    }
}

/// An empty `StringMatch`, or the regex `*`, tests presence only
/// (route.go `canBeConvertedToPresentMatch`).
fn presence_only(test: &StringMatch) -> bool {
    (test.exact.is_none() && test.prefix.is_none() && test.regex.is_none()) || test.regex.as_deref() == Some("*")
}

/// Envoy's `StringMatcher` (`source/common/common/matchers.cc`): exact and
/// prefix compare bytes, case-sensitively; `safe_regex` is an RE2 full match.
pub fn string_match(test: &StringMatch, value: &str) -> bool {
    if let Some(exact) = &test.exact {
        value == exact
    } else if let Some(prefix) = &test.prefix {
        value.starts_with(prefix.as_str())
    } else if let Some(pattern) = &test.regex {
        regex::full_match(pattern).is_some_and(|r| r.is_match(value))
    } else {
        true
    }
}

/// What a string match wants, in words.
fn wanted(test: &StringMatch) -> String {
    if let Some(exact) = &test.exact {
        format!("is not `{exact}`")
    } else if let Some(prefix) = &test.prefix {
        format!("does not start with `{prefix}`")
    } else if let Some(regex) = &test.regex {
        format!("does not match the regex `{regex}` (as a whole)")
    } else {
        "is not present".to_string()
    }
}

fn list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| gateway_words(i)).collect();
    quoted.join(" or ")
}

fn gateway_words(gateway: &str) -> String {
    if gateway == "mesh" {
        "the mesh (a sidecar)".to_string()
    } else {
        format!("gateway `{gateway}`")
    }
}

/// Whether a TCP or TLS match takes the connection (tls.go `matchTCP`,
/// `matchTLS`; SNI and destination subnets are Envoy filter chain matches).
pub fn l4_match(m: &L4Match, request: &Request, namespace: Option<&str>) -> Result<(), Miss> {
    if let Some(port) = m.port.filter(|&p| p != 0 && p != request.port) {
        return miss(
            Condition::Port,
            format!(
                "the match is for port {port}, the connection goes to port {}",
                request.port
            ),
        );
    }
    if !m.gateways.is_empty() && !m.gateways.iter().any(|g| same_gateway(g, namespace, &request.gateway)) {
        return miss(
            Condition::Gateway,
            format!(
                "the match is for {}, the connection arrives at {}",
                list(&m.gateways),
                gateway_words(&request.gateway)
            ),
        );
    }
    source_labels(&m.source_labels.0, request)?;
    source_namespace(m.source_namespace.as_deref(), request)?;
    if !m.sni_hosts.is_empty() {
        let sni = request.sni.as_deref().unwrap_or_default();
        if !m.sni_hosts.iter().any(|h| crate::hosts::covers(h, sni)) {
            return miss(
                Condition::Sni,
                format!(
                    "the match is for SNI {}, the connection {}",
                    m.sni_hosts.join(", "),
                    if sni.is_empty() {
                        "sends none".to_string()
                    } else {
                        format!("sends `{sni}`")
                    }
                ),
            );
        }
    }
    if !m.destination_subnets.is_empty() {
        let inside = request
            .host
            .parse::<std::net::IpAddr>()
            .ok()
            .is_some_and(|ip| m.destination_subnets.iter().any(|cidr| in_subnet(ip, cidr)));
        if !inside {
            return miss(
                Condition::DestinationSubnet,
                format!(
                    "the match is for destination addresses in {}; `{}` is not one",
                    m.destination_subnets.join(", "),
                    request.host
                ),
            );
        }
    }
    if let Some(subnet) = &m.source_subnet {
        return miss(
            Condition::SourceSubnet,
            format!("the match is for callers in {subnet}, and the request does not say the caller's address"),
        );
    }
    Ok(())
}

/// Whether `ip` lies in `cidr` (`a.b.c.d/n`, or an address alone).
fn in_subnet(ip: std::net::IpAddr, cidr: &str) -> bool {
    let (net, bits) = cidr.split_once('/').unwrap_or((cidr, ""));
    let Ok(net) = net.parse::<std::net::IpAddr>() else {
        return false;
    };
    let (a, b, width) = match (ip, net) {
        (std::net::IpAddr::V4(a), std::net::IpAddr::V4(b)) => (u128::from(u32::from(a)), u128::from(u32::from(b)), 32),
        (std::net::IpAddr::V6(a), std::net::IpAddr::V6(b)) => (u128::from(a), u128::from(b), 128),
        _ => return false,
    };
    let bits: u32 = if bits.is_empty() {
        width
    } else {
        bits.parse().unwrap_or(width + 1)
    };
    if bits > width {
        return false;
    }
    let shift = width - bits;
    if shift >= 128 {
        return true;
    }
    (a >> shift) == (b >> shift)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::istio::Pairs;

    fn get(url: &str) -> Request {
        Request::http("GET", url).unwrap()
    }
    fn exact(s: &str) -> StringMatch {
        StringMatch {
            exact: Some(s.into()),
            ..StringMatch::default()
        }
    }
    fn prefix(s: &str) -> StringMatch {
        StringMatch {
            prefix: Some(s.into()),
            ..StringMatch::default()
        }
    }
    fn regex(s: &str) -> StringMatch {
        StringMatch {
            regex: Some(s.into()),
            ..StringMatch::default()
        }
    }
    fn uri(test: StringMatch, ignore_case: bool) -> HttpMatch {
        HttpMatch {
            uri: Some(test),
            ignore_uri_case: ignore_case.then_some(true),
            ..HttpMatch::default()
        }
    }
    fn takes(m: &HttpMatch, r: &Request) -> bool {
        http_match(m, r, None).is_ok()
    }

    /// Envoy `PrefixRouteEntryImpl`: a string prefix, not a path-segment
    /// prefix (`/api` takes `/apis`), on the path without the query.
    #[test]
    fn uri_prefix_is_a_string_prefix_of_the_path() {
        let m = uri(prefix("/api"), false);
        assert!(takes(&m, &get("http://a/api/v1")));
        assert!(takes(&m, &get("http://a/apis")));
        assert!(!takes(&m, &get("http://a/v1/api")));
        assert!(!takes(&uri(prefix("/a?x"), false), &get("http://a/a?x=1")));
    }

    /// Envoy `PathRouteEntryImpl`: the path without query and fragment.
    #[test]
    fn uri_exact_ignores_the_query() {
        let m = uri(exact("/login"), false);
        assert!(takes(&m, &get("http://a/login?next=/x#top")));
        assert!(!takes(&m, &get("http://a/login/")));
        assert!(!takes(&m, &get("http://a/Login")));
    }

    /// Envoy `RegexRouteEntryImpl`: an RE2 full match of the path without
    /// the query string.
    #[test]
    fn uri_regex_matches_the_whole_path() {
        let m = uri(regex("/users/[0-9]+"), false);
        assert!(takes(&m, &get("http://a/users/42?full=1")));
        assert!(!takes(&m, &get("http://a/users/42/edit")));
        assert!(!takes(&m, &get("http://a/x/users/42")));
    }

    /// route.go `TranslateRouteMatch`: `CaseSensitive = !ignoreUriCase`;
    /// Envoy applies it to exact and prefix paths only (the regex path
    /// matcher is built without a case flag).
    #[test]
    fn ignore_uri_case_affects_exact_and_prefix_not_regex() {
        assert!(takes(&uri(prefix("/catalog"), true), &get("http://a/CataLog/1")));
        assert!(takes(&uri(exact("/login"), true), &get("http://a/LOGIN")));
        assert!(!takes(&uri(regex("/login"), true), &get("http://a/LOGIN")));
    }

    /// header_utility.cc: names are lower-cased, values compared exactly.
    #[test]
    fn header_names_ignore_case_values_do_not() {
        let m = HttpMatch {
            headers: Pairs(vec![("end-user".into(), exact("jason"))]),
            ..HttpMatch::default()
        };
        let mut r = get("http://reviews/");
        r.header_line("End-User: jason").unwrap();
        assert!(takes(&m, &r));
        let mut r = get("http://reviews/");
        r.header_line("end-user: Jason").unwrap();
        let missed = http_match(&m, &r, None).unwrap_err();
        assert_eq!(missed.condition, Condition::Header("end-user".into()));
        assert!(!takes(&m, &get("http://reviews/")));
    }

    /// `translateHeaderMatch`: prefix and regex string matchers; an empty
    /// match and the regex `*` test presence (`canBeConvertedToPresentMatch`).
    #[test]
    fn header_prefix_regex_and_presence() {
        let mut r = get("http://a/");
        r.header("user-agent", "Mozilla/5.0 (iPhone)").unwrap();
        let with = |name: &str, test: StringMatch| HttpMatch {
            headers: Pairs(vec![(name.into(), test)]),
            ..HttpMatch::default()
        };
        assert!(takes(&with("user-agent", prefix("Mozilla")), &r));
        assert!(takes(&with("user-agent", regex(".*iPhone.*")), &r));
        assert!(!takes(&with("user-agent", regex("iPhone")), &r));
        assert!(takes(&with("user-agent", StringMatch::default()), &r));
        assert!(takes(&with("user-agent", regex("*")), &r));
        assert!(!takes(&with("x-missing", StringMatch::default()), &r));
    }

    /// `TranslateRouteMatch`: `withoutHeaders` invert the matcher, and a
    /// missing header is read as empty (`TreatMissingHeaderAsEmpty`) except
    /// for presence tests.
    #[test]
    fn without_headers_invert_and_read_missing_as_empty() {
        let without = |test: StringMatch| HttpMatch {
            without_headers: Pairs(vec![("x-bot".into(), test)]),
            ..HttpMatch::default()
        };
        let plain = get("http://a/");
        let mut bot = get("http://a/");
        bot.header("x-bot", "yes").unwrap();
        assert!(takes(&without(StringMatch::default()), &plain));
        assert!(!takes(&without(StringMatch::default()), &bot));
        assert!(takes(&without(exact("yes")), &plain));
        assert!(!takes(&without(exact("yes")), &bot));
        // A missing header is "", which the regex `.*` matches: refused.
        assert!(!takes(&without(regex(".*")), &plain));
    }

    /// `translateQueryParamMatch`: exact or regex on the (first) value.
    #[test]
    fn query_parameters() {
        let m = HttpMatch {
            query_params: Pairs(vec![("preview".into(), exact("true"))]),
            ..HttpMatch::default()
        };
        assert!(takes(&m, &get("http://a/s?preview=true")));
        assert!(!takes(&m, &get("http://a/s?preview=TRUE")));
        assert!(!takes(&m, &get("http://a/s")));
    }

    /// `method`, `authority` and `scheme` are the `:method`, `:authority`
    /// and `:scheme` pseudo-headers; the authority carries the port when
    /// the client sends one.
    #[test]
    fn method_authority_and_scheme() {
        let m = HttpMatch {
            method: Some(exact("GET")),
            authority: Some(prefix("api.")),
            scheme: Some(exact("https")),
            ..HttpMatch::default()
        };
        assert!(takes(&m, &get("https://api.example.com/")));
        let post = Request::http("POST", "https://api.example.com/").unwrap();
        assert_eq!(http_match(&m, &post, None).unwrap_err().condition, Condition::Method);
        assert_eq!(
            http_match(&m, &get("http://api.example.com/"), None)
                .unwrap_err()
                .condition,
            Condition::Scheme
        );
        let authority = HttpMatch {
            authority: Some(exact("reviews")),
            ..HttpMatch::default()
        };
        assert!(!takes(&authority, &get("http://reviews:9080/")));
    }

    /// route.go `TranslateRoute`: a match with a `port` other than the
    /// listener's is dropped; the listener port is the URL's (80/443 by
    /// default).
    #[test]
    fn port_is_the_destination_port() {
        let m = HttpMatch {
            port: Some(9080),
            ..HttpMatch::default()
        };
        assert!(takes(&m, &get("http://reviews:9080/")));
        assert_eq!(
            http_match(&m, &get("http://reviews/"), None).unwrap_err().condition,
            Condition::Port
        );
    }

    /// route.go `sourceMatchHTTP`: with `gateways`, source labels are not
    /// looked at; without, labels are a subset and the namespace equal.
    #[test]
    fn gateways_and_sources() {
        let m = HttpMatch {
            gateways: vec!["bookinfo-gateway".into()],
            source_labels: Pairs(vec![("app".into(), "never".into())]),
            ..HttpMatch::default()
        };
        let mut at_gateway = get("http://a/");
        at_gateway.gateway = "bookinfo-gateway".into();
        assert!(takes(&m, &at_gateway));
        assert_eq!(
            http_match(&m, &get("http://a/"), None).unwrap_err().condition,
            Condition::Gateway
        );
        assert!(same_gateway("bookinfo-gateway", Some("shop"), "shop/bookinfo-gateway"));
        assert!(!same_gateway("bookinfo-gateway", Some("shop"), "web/bookinfo-gateway"));

        let m = HttpMatch {
            source_labels: Pairs(vec![("app".into(), "web".into())]),
            source_namespace: Some("shop".into()),
            ..HttpMatch::default()
        };
        let mut r = get("http://a/");
        r.source_labels = vec![("app".into(), "web".into()), ("version".into(), "v1".into())];
        assert_eq!(
            http_match(&m, &r, None).unwrap_err().condition,
            Condition::SourceNamespace
        );
        r.source_namespace = Some("shop".into());
        assert!(takes(&m, &r));
        r.source_labels.clear();
        assert_eq!(http_match(&m, &r, None).unwrap_err().condition, Condition::SourceLabels);
    }

    /// tls.go `matchTCP`: unlike HTTP, gateways and source labels are ANDed;
    /// SNI hosts may be wildcards; destination subnets are CIDRs.
    #[test]
    fn tcp_and_tls_matches() {
        let m = L4Match {
            port: Some(27017),
            destination_subnets: vec!["10.0.0.0/8".into()],
            ..L4Match::default()
        };
        assert!(l4_match(&m, &Request::tcp("10.1.2.3:27017", None).unwrap(), None).is_ok());
        let outside = l4_match(&m, &Request::tcp("192.168.0.1:27017", None).unwrap(), None);
        assert_eq!(outside.unwrap_err().condition, Condition::DestinationSubnet);
        let m = L4Match {
            sni_hosts: vec!["*.example.com".into()],
            ..L4Match::default()
        };
        assert!(l4_match(&m, &Request::tcp("secure:443", Some("a.example.com")).unwrap(), None).is_ok());
        assert!(l4_match(&m, &Request::tcp("secure:443", Some("example.com")).unwrap(), None).is_err());
    }
}
