//! Which VirtualService serves a request: the one whose host is the most
//! specific for the request's host, among those bound to the gateway the
//! request arrives at (`mesh` for a sidecar).
//!
//! - Envoy `source/common/router/config_impl.cc`, `RouteMatcher::findVirtualHost`:
//!   an exact domain first, then wildcard suffixes, longest first
//!   (`findWildcardVirtualHost`), then `*`.
//! - A sidecar resolves a short name through the caller's DNS search list,
//!   and Istio lists those spellings among a service's domains
//!   ([`crate::hosts::search`]); without `--source-namespace` the caller is
//!   taken to be in the VirtualService's own namespace.
//! - Istio `pilot/pkg/networking/core/gateway.go`,
//!   `buildGatewayHTTPRouteConfig`: on a gateway, the routes of every
//!   VirtualService of one host are joined in order (`vHostDedupMap`); in
//!   the mesh one VirtualService serves a host.
//! - A VirtualService without hosts is a delegate, reached only through
//!   `delegate`.

use super::matching::{bound_gateways, same_gateway};
use super::request::Request;
use crate::hosts;
use crate::model::Program;

/// How well a VirtualService host fits the request's host: exact beats
/// any wildcard, a longer wildcard beats a shorter one, an earlier
/// spelling of the search list beats a later one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
struct Fit {
    exact: bool,
    wildcard_length: usize,
    /// Negated position in the search list (earlier is better).
    spelling: i64,
}

/// The VirtualServices that serve `request`, in program order: one in the
/// mesh, every one of the most specific host on a gateway.
pub fn virtual_services(program: &Program, request: &Request) -> Vec<usize> {
    let mut best: Option<Fit> = None;
    let mut chosen = Vec::new();
    for (i, (metadata, spec)) in program.virtual_services.iter().enumerate() {
        if spec.hosts.is_empty() {
            continue;
        }
        let namespace = metadata.namespace.as_deref();
        let bound = bound_gateways(&spec.gateways)
            .iter()
            .any(|g| same_gateway(g, namespace, &request.gateway));
        if !bound {
            continue;
        }
        let Some(fit) = fit(&spec.hosts, namespace, request) else {
            continue;
        };
        match best {
            Some(b) if fit < b => {}
            Some(b) if fit == b => chosen.push(i),
            _ => {
                best = Some(fit);
                chosen = vec![i];
            }
        }
    }
    if request.gateway == "mesh" {
        chosen.truncate(1);
    }
    chosen
}

/// The best fit of any of `hosts` (written in `namespace`) for the request.
fn fit(hosts_written: &[String], namespace: Option<&str>, request: &Request) -> Option<Fit> {
    // A gateway receives the Host header as sent; a sidecar's caller
    // resolves it through its search list.
    let caller = request.source_namespace.as_deref().or(namespace);
    let spellings = if request.gateway == "mesh" {
        hosts::search(&request.host, caller)
    } else {
        vec![request.host.clone()]
    };
    let mut best = None;
    for written in hosts_written {
        // A host written without a namespace is applied in the caller's.
        let key = hosts::key(written, namespace.or(caller));
        for (position, spelling) in spellings.iter().enumerate() {
            if !hosts::covers(&key, spelling) {
                continue;
            }
            let exact = !key.starts_with('*');
            let fit = Fit {
                exact,
                wildcard_length: if exact { 0 } else { key.len() },
                spelling: -(position as i64),
            };
            if best.is_none_or(|b| fit > b) {
                best = Some(fit);
            }
        }
    }
    best
}

/// Why no VirtualService serves the request.
pub fn why_none(program: &Program, request: &Request) -> String {
    let gateway = if request.gateway == "mesh" {
        "the mesh".to_string()
    } else {
        format!("gateway `{}`", request.gateway)
    };
    // Hosts as a sidecar would resolve them, to find the name elsewhere.
    let in_mesh = Request {
        gateway: "mesh".to_string(),
        ..request.clone()
    };
    let elsewhere: Vec<String> = program
        .virtual_services
        .iter()
        .filter(|(m, spec)| !spec.hosts.is_empty() && fit(&spec.hosts, m.namespace.as_deref(), &in_mesh).is_some())
        .map(|(m, spec)| {
            format!(
                "`{}` serves it on {}",
                m.name,
                bound_gateways(&spec.gateways)
                    .iter()
                    .map(|g| if g == "mesh" {
                        "the mesh".to_string()
                    } else {
                        format!("gateway `{g}`")
                    })
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })
        .collect();
    if elsewhere.is_empty() {
        format!(
            "no VirtualService of the program serves host `{}` on {gateway}",
            request.host
        )
    } else {
        format!(
            "no VirtualService serves host `{}` on {gateway}: {}",
            request.host,
            elsewhere.join("; ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Sources;

    fn program(text: &str) -> Program {
        let mut sources = Sources::default();
        sources.add("t.mesh", text);
        let analysis = crate::analyze(&sources);
        assert!(!analysis.has_errors(), "{:?}", analysis.diagnostics);
        analysis.checked.program
    }

    fn served(program: &Program, url: &str, gateway: &str) -> Vec<String> {
        let mut request = Request::http("GET", url).unwrap();
        request.gateway = gateway.to_string();
        virtual_services(program, &request)
            .into_iter()
            .map(|i| program.virtual_services[i].0.name.clone())
            .collect()
    }

    /// Envoy `findVirtualHost`: an exact domain beats every wildcard, and a
    /// longer wildcard suffix beats a shorter one.
    #[test]
    fn the_most_specific_host_wins() {
        let p = program(
            r#"
service any { hosts "*.example.com" gateways "gw" subset v1 { version = "v1" } route { to v1 } }
service api { host "api.example.com" gateways "gw" subset v1 { version = "v1" } route { to v1 } }
service eu { hosts "*.eu.example.com" gateways "gw" subset v1 { version = "v1" } route { to v1 } }
"#,
        );
        assert_eq!(served(&p, "http://api.example.com/", "gw"), ["api"]);
        assert_eq!(served(&p, "http://shop.example.com/", "gw"), ["any"]);
        assert_eq!(served(&p, "http://shop.eu.example.com/", "gw"), ["eu"]);
        assert!(served(&p, "http://example.com/", "gw").is_empty());
        // Bound to `gw` only: not served in the mesh.
        assert!(served(&p, "http://api.example.com/", "mesh").is_empty());
    }

    /// Short names: a sidecar in the service's namespace reaches it by its
    /// short name, `NAME.NS`, or its full name.
    #[test]
    fn short_names_resolve_in_the_callers_namespace() {
        let p = program("namespace shop\nservice cart { subset v1 { version = \"v1\" } route { to v1 } }\n");
        for url in [
            "http://cart/",
            "http://cart.shop/",
            "http://cart.shop.svc.cluster.local/",
        ] {
            assert_eq!(served(&p, url, "mesh"), ["cart"], "{url}");
        }
        let mut elsewhere = Request::http("GET", "http://cart/").unwrap();
        elsewhere.source_namespace = Some("web".into());
        assert!(virtual_services(&p, &elsewhere).is_empty());
        elsewhere.host = "cart.shop".into();
        assert_eq!(virtual_services(&p, &elsewhere).len(), 1);
    }
}
