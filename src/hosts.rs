//! How Istio reads a host name: the one place meshc qualifies hosts.
//!
//! Istio resolves a host written in a resource of namespace `ns` with
//! `ResolveShortnameToFQDN` (istio/istio, `pilot/pkg/model/config.go`): `*`
//! and IP addresses stay as written, a name with a `.` is taken as fully
//! qualified, and a name without one becomes `NAME.ns.svc.cluster.local`.
//! Hosts are DNS names, so Istio compares them without regard to case, and
//! `reviews.` and `reviews` name the same host.

/// The cluster's DNS suffix that Istio appends to short names.
pub const CLUSTER_DOMAIN: &str = "svc.cluster.local";

/// `host` as Istio resolves it in a resource of `namespace`: a short name
/// gets the namespace and the cluster domain.  Without a namespace (a
/// resource applied to whatever namespace `kubectl` uses) it is unchanged.
pub fn qualify(host: &str, namespace: Option<&str>) -> String {
    match namespace {
        Some(ns) if is_short_name(host) => format!("{host}.{ns}.{CLUSTER_DOMAIN}"),
        _ => host.to_string(),
    }
}

/// Whether Istio qualifies `host` with the namespace of its resource.
pub fn is_short_name(host: &str) -> bool {
    !host.is_empty() && host != "*" && !host.contains('.') && !host.contains(':')
}

/// What two hosts are compared by: qualified, lower-cased, without a
/// trailing dot.  Two hosts with one key are one host to Istio.
pub fn key(host: &str, namespace: Option<&str>) -> String {
    // Qualified first: `cart.` has a dot, so Istio takes it as fully
    // qualified (the root-level `cart`), not as a short name.
    let qualified = qualify(host, namespace);
    qualified.strip_suffix('.').unwrap_or(&qualified).to_ascii_lowercase()
}

/// How a resource in namespace `from` must write the host `host` of a
/// service in namespace `to` so that Istio resolves it to that service.
/// `None` when it cannot be known: a short name from a file without a
/// namespace means a different service in each namespace it is applied to.
pub fn reference(host: &str, to: Option<&str>, from: Option<&str>) -> Option<String> {
    if key(host, from) == key(host, to) {
        Some(host.to_string())
    } else if to.is_some() {
        Some(qualify(host, to))
    } else {
        None
    }
}

/// Whether the VirtualService host `pattern` (a key, see [`key`]) covers
/// the request host `host` (lower-case): equal, or a wildcard `*SUFFIX`
/// whose suffix ends `host` after at least one character (Envoy's
/// `RouteMatcher::findWildcardVirtualHost`; Istio's `host.Name.Matches`).
pub fn covers(pattern: &str, host: &str) -> bool {
    let pattern = pattern.to_ascii_lowercase();
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    match pattern.strip_prefix('*') {
        Some(suffix) => host.len() > suffix.len() && host.ends_with(suffix),
        None => pattern == host,
    }
}

/// The hosts a request for `host` may mean, in the order the caller's
/// resolver tries them: a pod in namespace `caller` resolves a name with
/// Kubernetes' search list (`CALLER.svc.cluster.local`, `svc.cluster.local`,
/// `cluster.local`, then the name itself, as `ndots:5` makes it), and
/// Istio's sidecar lists those spellings among a service's virtual host
/// domains (`route.go`, `generateVirtualHostDomains`).  Without a caller
/// namespace, the name itself only.  Keys as [`key`] makes them.
pub fn search(host: &str, caller: Option<&str>) -> Vec<String> {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let mut out = Vec::with_capacity(4);
    if host.parse::<std::net::IpAddr>().is_err() && !host.ends_with(CLUSTER_DOMAIN) {
        if let Some(ns) = caller {
            out.push(format!("{host}.{ns}.{CLUSTER_DOMAIN}"));
        }
        if host.contains('.') {
            out.push(format!("{host}.{CLUSTER_DOMAIN}"));
            out.push(format!("{host}.cluster.local"));
        }
    }
    out.push(host);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_names_take_the_namespace_of_their_resource() {
        // As ResolveShortnameToFQDN: only a name without a dot is qualified.
        assert_eq!(qualify("reviews", Some("shop")), "reviews.shop.svc.cluster.local");
        assert_eq!(qualify("reviews.other", Some("shop")), "reviews.other");
        assert_eq!(qualify("*", Some("shop")), "*");
        assert_eq!(qualify("*.example.com", Some("shop")), "*.example.com");
        assert_eq!(qualify("reviews", None), "reviews");
    }

    #[test]
    fn keys_ignore_case_and_a_trailing_dot() {
        assert_eq!(key("B", Some("shop")), key("b.shop.svc.cluster.local.", None));
        assert_eq!(key("a.", None), key("A", None));
        assert_ne!(key("b", Some("shop")), key("b", None));
        // `a.` is fully qualified to Istio: not the short name `a`.
        assert_ne!(key("a.", Some("shop")), key("a", Some("shop")));
    }

    #[test]
    fn references_across_namespaces() {
        let fqdn = "cart.shop.svc.cluster.local";
        assert_eq!(reference(fqdn, Some("shop"), Some("web")).as_deref(), Some(fqdn));
        assert_eq!(reference("cart", Some("shop"), Some("shop")).as_deref(), Some("cart"));
        assert_eq!(reference("cart", Some("shop"), Some("web")).as_deref(), Some(fqdn));
        assert_eq!(reference("cart", Some("shop"), None).as_deref(), Some(fqdn));
        assert_eq!(reference("cart", None, None).as_deref(), Some("cart"));
        assert_eq!(reference("cart", None, Some("shop")), None);
        assert_eq!(
            reference("api.example.com", None, Some("shop")).as_deref(),
            Some("api.example.com")
        );
    }

    /// Envoy's wildcard virtual hosts need one character before the suffix.
    #[test]
    fn wildcards_cover_longer_hosts() {
        assert!(covers("*.example.com", "a.example.com"));
        assert!(covers("*.example.com", "a.b.example.com"));
        assert!(!covers("*.example.com", "example.com"));
        assert!(covers("*", "anything"));
        assert!(covers("Reviews.Shop", "reviews.shop."));
    }

    #[test]
    fn requests_resolve_through_the_search_list() {
        assert_eq!(search("reviews", None), vec!["reviews"]);
        assert_eq!(
            search("reviews", Some("shop")),
            vec!["reviews.shop.svc.cluster.local", "reviews"]
        );
        assert_eq!(
            search("reviews.web", Some("shop"))[..2],
            ["reviews.web.shop.svc.cluster.local", "reviews.web.svc.cluster.local"]
        );
        assert_eq!(search("10.0.0.1", Some("shop")), vec!["10.0.0.1"]);
    }
}
