//! What the route that took a request does with it: destinations with
//! their shares, labels and effective traffic policy; the path and
//! authority after rewriting; a redirect's location; timeout and retries,
//! with Istio's defaults where the route sets none
//! ([`crate::model::defaults`]).

use super::policy;
use super::regex;
use super::request::Request;
use crate::Analysis;
use crate::hosts;
use crate::model::defaults::{self, EffectiveRetries};
use crate::model::istio::{Destination, HttpRoute, Node, RouteDestination};

/// The route entry that took the request.
#[derive(Clone, Debug, PartialEq)]
pub enum Action {
    /// An HTTP route (for delegation, merged with its root).
    Http(Box<HttpRoute>),
    /// The destinations of a TCP or TLS route.
    L4(Vec<RouteDestination>),
}

impl Action {
    /// The route entry as `meshc build` writes it in the VirtualService,
    /// without `match` and `name`.
    pub fn to_json(&self) -> serde_json::Value {
        let mut value = match self {
            Action::Http(route) => serde_json::to_value(route.as_ref()).unwrap_or_default(),
            Action::L4(route) => serde_json::json!({ "route": route }),
        };
        if let Some(object) = value.as_object_mut() {
            object.remove("match");
            object.remove("name");
        }
        value
    }
}

/// One destination, with what applies to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Target {
    /// The destination host as the route writes it.
    pub host: String,
    /// The `.mesh` service of that host, when the program defines it.
    pub service: Option<String>,
    /// The subset.
    pub subset: Option<String>,
    /// The port, when the route names one.
    pub port: Option<u32>,
    /// Its share of requests, in percent.
    pub weight: i64,
    /// The subset's pod labels.
    pub labels: Vec<(String, String)>,
    /// The traffic policy that applies (rule, port, subset merged).
    pub policy: Option<Node>,
}

/// The effect of the route.
#[derive(Clone, Debug, PartialEq)]
pub struct Effective {
    /// Where requests go.
    pub destinations: Vec<Target>,
    /// Requests copied elsewhere, with the share mirrored.
    pub mirrors: Vec<(Target, f64)>,
    /// The path (with query) sent upstream, when a rewrite changes it.
    pub path: Option<String>,
    /// The authority sent upstream, when a rewrite changes it.
    pub authority: Option<String>,
    /// A redirect: the `Location` and status.
    pub redirect: Option<(String, u32)>,
    /// The route timeout (`None`: no timeout, Istio's default).
    pub timeout: Option<String>,
    /// Whether the timeout is Istio's default.
    pub timeout_defaulted: bool,
    /// The retry policy (HTTP).
    pub retries: Option<EffectiveRetries>,
}

/// The effect of `action` on `request`; `namespace` is the namespace of
/// the VirtualService, for its short destination hosts.
pub fn effective(analysis: &Analysis, action: &Action, request: &Request, namespace: Option<&str>) -> Effective {
    let target = |d: &Destination, weight: i64| target(analysis, d, weight, namespace, request.port);
    match action {
        Action::L4(route) => Effective {
            destinations: shares(route.iter().map(|d| (&d.destination, d.weight)).collect(), target),
            mirrors: Vec::new(),
            path: None,
            authority: None,
            redirect: None,
            timeout: None,
            timeout_defaulted: false,
            retries: None,
        },
        Action::Http(route) => {
            let destinations = shares(route.route.iter().map(|d| (&d.destination, d.weight)).collect(), target);
            let mut mirrors: Vec<(Target, f64)> = route
                .mirror
                .iter()
                .map(|m| {
                    (
                        target(m, 0),
                        route.mirror_percentage.as_ref().map_or(100.0, |p| p.value),
                    )
                })
                .collect();
            mirrors.extend(route.mirrors.iter().map(|m| {
                (
                    target(&m.destination, 0),
                    m.percentage.as_ref().map_or(100.0, |p| p.value),
                )
            }));
            let hashing = destinations.iter().any(|d| policy::consistent_hash(d.policy.as_ref()));
            let forwards = route.redirect.is_none() && route.direct_response.is_none();
            Effective {
                path: rewritten_path(route, request),
                authority: route.rewrite.as_ref().and_then(|r| r.authority.clone()),
                redirect: route.redirect.as_ref().map(|r| redirect(route, r, request)),
                timeout: if forwards {
                    route.timeout.clone().or(defaults::DEFAULT_TIMEOUT.map(str::to_string))
                } else {
                    None
                },
                timeout_defaulted: forwards && route.timeout.is_none(),
                retries: forwards.then(|| defaults::effective_retries(route.retries.as_ref(), hashing)),
                destinations,
                mirrors,
            }
        }
    }
}

/// Destinations with their shares: a lone destination takes all; weights
/// left out of a split share evenly (the checker makes splits sum to 100).
fn shares(list: Vec<(&Destination, Option<i64>)>, target: impl Fn(&Destination, i64) -> Target) -> Vec<Target> {
    let n = list.len() as i64;
    list.into_iter()
        .map(|(d, w)| target(d, w.unwrap_or(if n > 0 { 100 / n } else { 100 })))
        .collect()
}

fn target(analysis: &Analysis, d: &Destination, weight: i64, namespace: Option<&str>, request_port: u32) -> Target {
    let program = &analysis.checked.program;
    let key = hosts::key(&d.host, namespace);
    let rule = program
        .destination_rules
        .iter()
        .find(|(m, spec)| hosts::key(&spec.host, m.namespace.as_deref().or(namespace)) == key);
    let subset = d
        .subset
        .as_ref()
        .and_then(|name| rule.and_then(|(_, spec)| spec.subsets.iter().find(|s| s.name == *name)));
    let port = d.port.as_ref().map(|p| p.number).unwrap_or(request_port);
    let service = analysis
        .checked
        .symbols
        .services
        .iter()
        .find(|s| hosts::key(&s.host, s.namespace.as_deref().or(namespace)) == key)
        .map(|s| s.name.to_string());
    Target {
        host: d.host.clone(),
        service,
        subset: d.subset.clone(),
        port: d.port.as_ref().map(|p| p.number),
        weight,
        labels: subset.map_or_else(Vec::new, |s| s.labels.0.clone()),
        policy: policy::effective(
            rule.and_then(|(_, spec)| spec.traffic_policy.as_ref()),
            subset.and_then(|s| s.traffic_policy.as_ref()),
            Some(port),
        ),
    }
}

/// The path and query sent upstream after `rewrite` (Envoy's
/// `prefix_rewrite` replaces the part of the path the route matched: the
/// prefix, the whole path for an exact or regex match, `/` when the route
/// has no path match; `regex_rewrite` replaces every match of the pattern
/// in the path; the query is kept).
fn rewritten_path(route: &HttpRoute, request: &Request) -> Option<String> {
    let rewrite = route.rewrite.as_ref()?;
    let path = &request.path;
    let new_path = if let Some(regex_rewrite) = &rewrite.uri_regex_rewrite {
        let pattern = regex::anywhere(&regex_rewrite.pattern)?;
        pattern
            .replace_all(path, substitution(&regex_rewrite.rewrite).as_str())
            .into_owned()
    } else {
        let uri = rewrite.uri.as_ref()?;
        // Which match took the request decides what was matched; the
        // first match whose path test passes stands for it.
        let matched = route
            .matches
            .iter()
            .filter_map(|m| m.uri.as_ref().map(|u| (u, m.ignore_uri_case == Some(true))))
            .find(|(u, ignore_case)| {
                let probe = crate::model::istio::HttpMatch {
                    uri: Some((*u).clone()),
                    ignore_uri_case: ignore_case.then_some(true),
                    ..Default::default()
                };
                super::matching::http_match(&probe, request, None).is_ok()
            });
        let replaced = match matched {
            Some((u, _)) if u.prefix.is_some() => u.prefix.as_ref().map_or(0, String::len),
            Some(_) => path.len(),
            None => 1,
        };
        format!("{uri}{}", path.get(replaced..).unwrap_or_default())
    };
    let query = query_string(request);
    Some(format!("{new_path}{query}"))
}

fn query_string(request: &Request) -> String {
    if request.query.is_empty() {
        String::new()
    } else {
        let parts: Vec<String> = request.query.iter().map(|(k, v)| format!("{k}={v}")).collect();
        format!("?{}", parts.join("&"))
    }
}

/// RE2's `\1` substitutions in Rust's `${1}` spelling (`$` doubled).
fn substitution(rewrite: &str) -> String {
    let mut out = String::with_capacity(rewrite.len() + 4);
    let mut chars = rewrite.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.peek().copied() {
                Some(d) if d.is_ascii_digit() => {
                    chars.next();
                    out.push_str(&format!("${{{d}}}"));
                }
                Some('\\') => {
                    chars.next();
                    out.push('\\');
                }
                _ => out.push('\\'),
            },
            '$' => out.push_str("$$"),
            _ => out.push(c),
        }
    }
    out
}

/// The `Location` and status of a redirect (Istio `route.go`,
/// `ApplyRedirect`: the status defaults to 301; a port equal to the
/// scheme's default is left out; `derivePort: FROM_REQUEST_PORT` keeps the
/// request's port; Envoy keeps the query unless the new path has one).
fn redirect(route: &HttpRoute, r: &crate::model::istio::Redirect, request: &Request) -> (String, u32) {
    let scheme = r.scheme.clone().unwrap_or_else(|| request.scheme.clone());
    // Without a new authority or port, the request's authority is kept as
    // sent, port and all (Envoy's `RedirectEntry` takes the Host header).
    // A port equal to the scheme's default becomes no port at all
    // (`PortRedirect = 0`), so Envoy keeps the Host header as sent: Istio's
    // integration test `redirect request port`
    // (tests/integration/pilot/common/routing.go) expects `http://b:80/foo`
    // for `Host: b:80` and `http://b/foo` for `Host: b`.
    let port = match (r.port, r.derive_port.as_deref()) {
        (Some(p), _) => Some(p),
        (None, Some("FROM_REQUEST_PORT")) => Some(request.port),
        _ => None,
    }
    .filter(|&p| !((p == 80 && scheme == "http") || (p == 443 && scheme == "https")));
    let authority = match (&r.authority, port) {
        (None, None) => request.authority.clone(),
        (written, _) => {
            let host = written.clone().unwrap_or_else(|| request.host.clone());
            port.map_or(host.clone(), |p| format!("{host}:{p}"))
        }
    };
    let path = match (&r.uri, &r.prefix_rewrite) {
        (_, Some(prefix)) => {
            // The matched prefix is replaced, as with `rewrite`.
            let probe = HttpRoute {
                matches: route.matches.clone(),
                rewrite: Some(crate::model::istio::Rewrite {
                    uri: Some(prefix.clone()),
                    ..Default::default()
                }),
                ..HttpRoute::default()
            };
            rewritten_path(&probe, request).unwrap_or_else(|| request.path.clone())
        }
        (Some(uri), None) if uri.contains('?') => uri.clone(),
        (Some(uri), None) => format!("{uri}{}", query_string(request)),
        (None, None) => format!("{}{}", request.path, query_string(request)),
    };
    (format!("{scheme}://{authority}{path}"), r.redirect_code.unwrap_or(301))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::istio::{HttpMatch, Redirect, RegexRewrite, Rewrite, StringMatch};

    fn route_with(uri: Option<StringMatch>, rewrite: Rewrite) -> HttpRoute {
        HttpRoute {
            matches: uri
                .map(|u| {
                    vec![HttpMatch {
                        uri: Some(u),
                        ..HttpMatch::default()
                    }]
                })
                .unwrap_or_default(),
            rewrite: Some(rewrite),
            ..HttpRoute::default()
        }
    }

    /// Envoy `prefix_rewrite`: the matched prefix is replaced, the rest
    /// and the query kept; without a path match Istio's route matches the
    /// prefix `/` (route.go `TranslateRouteMatch`), which is what is replaced.
    #[test]
    fn rewrites_replace_what_the_route_matched() {
        let get = |url: &str| Request::http("GET", url).unwrap();
        let prefix = StringMatch {
            prefix: Some("/search/".into()),
            ..StringMatch::default()
        };
        let to_root = Rewrite {
            uri: Some("/".into()),
            ..Rewrite::default()
        };
        let r = route_with(Some(prefix), to_root.clone());
        assert_eq!(
            rewritten_path(&r, &get("http://a/search/books?q=1")).unwrap(),
            "/books?q=1"
        );
        let r = route_with(
            None,
            Rewrite {
                uri: Some("/v2".into()),
                ..Rewrite::default()
            },
        );
        assert_eq!(rewritten_path(&r, &get("http://a/items")).unwrap(), "/v2items");
        let exact = StringMatch {
            exact: Some("/old".into()),
            ..StringMatch::default()
        };
        assert_eq!(
            rewritten_path(&route_with(Some(exact), to_root), &get("http://a/old")).unwrap(),
            "/"
        );
    }

    /// `uriRegexRewrite` is Envoy's `regex_rewrite`: RE2 `GlobalReplace`
    /// with `\1` substitutions.
    #[test]
    fn regex_rewrites_substitute_groups() {
        let r = route_with(
            None,
            Rewrite {
                uri_regex_rewrite: Some(RegexRewrite {
                    pattern: "^/service/([^/]+)(/.*)$".into(),
                    rewrite: "\\2/instance/\\1".into(),
                }),
                ..Rewrite::default()
            },
        );
        let req = Request::http("GET", "http://a/service/foo/v1/api").unwrap();
        assert_eq!(rewritten_path(&r, &req).unwrap(), "/v1/api/instance/foo");
    }

    /// `ApplyRedirect`: 301 by default, default ports left out; without a new
    /// authority or port the request's authority stays.
    #[test]
    fn redirects_build_a_location() {
        let req = Request::http("GET", "http://shop:8080/catalog/1?x=1").unwrap();
        let r = Redirect {
            uri: Some("/products".into()),
            ..Redirect::default()
        };
        let route = HttpRoute::default();
        assert_eq!(
            redirect(&route, &r, &req),
            ("http://shop:8080/products?x=1".into(), 301)
        );
        let moved = Redirect {
            authority: Some("new.example.com".into()),
            port: Some(80),
            ..Redirect::default()
        };
        assert_eq!(redirect(&route, &moved, &req).0, "http://new.example.com/catalog/1?x=1");
        let r = Redirect {
            scheme: Some("https".into()),
            derive_port: Some("FROM_REQUEST_PORT".into()),
            redirect_code: Some(308),
            ..Redirect::default()
        };
        assert_eq!(
            redirect(&route, &r, &req),
            ("https://shop:8080/catalog/1?x=1".into(), 308)
        );
        // `prefix` replaces the prefix the route matched.
        let matched = route_with(
            Some(StringMatch {
                prefix: Some("/catalog/".into()),
                ..StringMatch::default()
            }),
            Rewrite::default(),
        );
        let r = Redirect {
            prefix_rewrite: Some("/shop/".into()),
            ..Redirect::default()
        };
        assert_eq!(redirect(&matched, &r, &req).0, "http://shop:8080/shop/1?x=1");
    }
}
