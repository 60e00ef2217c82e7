//! Which service each imported resource becomes, and what everything is
//! called.
//!
//! A service is one host of one namespace: its DestinationRule and the
//! VirtualService whose hosts include it.  A host that routes name with a
//! subset but that no DestinationRule here defines becomes a service with
//! `external_subsets`, so the subset stays checked by name.

use crate::hosts::qualify as qualified;
use std::collections::{HashMap, HashSet};

use super::yaml::Node;
use crate::diag::{Code, Diagnostic};
use crate::span::Span;

/// A DestinationRule or VirtualService read from the manifests.
#[derive(Clone, Copy, Debug)]
pub struct Resource<'a> {
    /// The whole document.
    pub doc: &'a Node,
    /// `metadata.name`.
    pub name: &'a str,
    /// `spec` (may be missing).
    pub spec: Option<&'a Node>,
}

/// A service to write.
#[derive(Debug)]
pub struct Service<'a> {
    /// The `.mesh` name, unique in the program.
    pub name: String,
    /// The namespace of its file.
    pub namespace: Option<String>,
    /// The host as the manifests write it.
    pub host: String,
    /// The host, fully qualified for comparisons.
    key: String,
    /// Whether the host must be written out (`host "..."`): it is not the
    /// default host of the service's name.
    pub explicit_host: bool,
    /// Its DestinationRule.
    pub rule: Option<Resource<'a>>,
    /// Its VirtualService.
    pub routes: Option<Resource<'a>>,
    /// Subsets used by routes but defined by no DestinationRule here.
    pub external_subsets: Vec<(String, Span)>,
    /// Whether it is a delegate: a VirtualService without hosts, written as
    /// `delegate NAME { ... }` under the VirtualService's own name.
    pub delegate: bool,
}

/// The services of an import, in the order of the manifests.
#[derive(Debug, Default)]
pub struct Plan<'a> {
    /// Every service.
    pub services: Vec<Service<'a>>,
    by_host: HashMap<String, Vec<usize>>,
}

impl Service<'_> {
    /// The host, with a short Kubernetes name qualified by the namespace.
    pub fn qualified_host(&self) -> &str {
        &self.key
    }

    /// Whether `host`, written in this service's namespace, is its host.
    pub fn is_own_host(&self, host: &str) -> bool {
        qualified(host, self.namespace.as_deref()) == self.key
    }
}

impl<'a> Plan<'a> {
    /// The service a destination `host` names, seen from `namespace`:
    /// one in the same namespace first.
    pub fn lookup(&self, host: &str, namespace: Option<&str>) -> Option<usize> {
        let candidates = self.by_host.get(&qualified(host, namespace))?;
        candidates
            .iter()
            .copied()
            .find(|&i| {
                self.services
                    .get(i)
                    .is_some_and(|s| s.namespace.as_deref() == namespace)
            })
            .or_else(|| candidates.first().copied())
    }

    /// Adds a service for `host` and returns its index.
    fn add(&mut self, namespace: Option<&str>, host: &str) -> usize {
        let key = qualified(host, namespace);
        let index = self.services.len();
        self.by_host.entry(key.clone()).or_default().push(index);
        self.services.push(Service {
            name: String::new(),
            namespace: namespace.map(str::to_string),
            host: host.to_string(),
            key,
            explicit_host: false,
            rule: None,
            routes: None,
            external_subsets: Vec::new(),
            delegate: false,
        });
        index
    }

    /// Adds the delegate `vs` (a VirtualService without hosts), found by
    /// no host.
    fn add_delegate(&mut self, namespace: Option<&str>, vs: Resource<'a>) {
        self.services.push(Service {
            name: vs.name.to_string(),
            namespace: namespace.map(str::to_string),
            host: String::new(),
            key: String::new(),
            explicit_host: false,
            rule: None,
            routes: Some(vs),
            external_subsets: Vec::new(),
            delegate: true,
        });
    }

    /// The delegate a route's `delegate` names, seen from `namespace`: by
    /// name in the namespace it gives, else in `namespace`, as Istio finds
    /// it (`mergeVirtualServices` in pilot/pkg/model/virtualservice_controller.go).
    pub fn delegate(&self, name: &str, given: Option<&str>, namespace: Option<&str>) -> Option<&Service<'a>> {
        let namespace = given.or(namespace);
        self.services
            .iter()
            .find(|s| s.delegate && s.name == name && s.namespace.as_deref() == namespace)
    }

    /// Adds a service for `host` and returns it.
    fn add_mut(&mut self, namespace: Option<&str>, host: &str) -> Option<&mut Service<'a>> {
        let index = self.add(namespace, host);
        self.services.get_mut(index)
    }
}

/// The namespace of a resource, when `.mesh` can write it (a namespace is
/// a DNS label, so an identifier).
fn namespace_of(doc: &Node) -> Option<&str> {
    namespace_node(doc).and_then(Node::text).filter(|ns| is_label(ns))
}

fn namespace_node(doc: &Node) -> Option<&Node> {
    doc.get("metadata").and_then(|m| m.get("namespace"))
}

/// Groups the DestinationRules and VirtualServices of `documents` into
/// services, with a note for every other document.
pub fn plan<'a>(documents: &'a [Node], diagnostics: &mut Vec<Diagnostic>) -> Plan<'a> {
    let mut rules = Vec::new();
    let mut virtual_services = Vec::new();
    let mut pending: Vec<&Node> = documents.iter().rev().collect();
    while let Some(doc) = pending.pop() {
        let kind = doc.get("kind").and_then(Node::text).unwrap_or("");
        let api = doc.get("apiVersion").and_then(Node::text).unwrap_or("");
        let at = doc.get("kind").map_or(first_line(doc.span), |k| k.span);
        // `kubectl get -o yaml` wraps what it lists in a `List`.
        if kind == "List" || kind.ends_with("List") && doc.get("items").is_some() {
            pending.extend(doc.list("items").iter().rev());
            continue;
        }
        let resource = Resource {
            doc,
            name: doc
                .get("metadata")
                .and_then(|m| m.get("name"))
                .and_then(Node::text)
                .unwrap_or(""),
            spec: doc.get("spec"),
        };
        let is_routing =
            api.starts_with("networking.istio.io/") && matches!(kind, "DestinationRule" | "VirtualService");
        if let Some(ns) = namespace_node(doc).filter(|_| is_routing && namespace_of(doc).is_none())
            && ns.is_set()
        {
            diagnostics.push(
                Diagnostic::warning(
                    Code::W0005,
                    ns.span,
                    format!(
                        "`metadata.namespace` is not imported: `{}` is not a namespace .mesh can write",
                        ns.text().unwrap_or("")
                    ),
                )
                .with_note("the resource is written without a namespace")
                .with_help("a namespace is a lower-case DNS label starting with a letter; rename it"),
            );
        }
        match kind {
            _ if !api.starts_with("networking.istio.io/") => {
                diagnostics.push(super::skipped(at, &describe(kind, resource.name)));
            }
            "DestinationRule" => rules.push(resource),
            "VirtualService" => virtual_services.push(resource),
            _ => diagnostics.push(super::skipped(at, &describe(kind, resource.name))),
        }
    }

    let mut plan = Plan::default();
    for rule in rules {
        let host = rule.spec.and_then(|s| s.get("host")).and_then(Node::text).unwrap_or("");
        if let Some(service) = plan.add_mut(namespace_of(rule.doc), host) {
            service.rule = Some(rule);
        }
    }
    for vs in virtual_services {
        let namespace = namespace_of(vs.doc);
        let hosts: Vec<&str> = vs
            .spec
            .map(|s| s.list("hosts"))
            .unwrap_or_default()
            .iter()
            .filter_map(Node::text)
            .collect();
        // A VirtualService without hosts is the target of another one's
        // `delegate`: a `delegate NAME { ... }` block, named as the
        // VirtualService is, when `.mesh` can write that name.
        if hosts.is_empty() {
            if is_label(vs.name) {
                plan.add_delegate(namespace, vs);
                continue;
            }
            let at = header_span(vs.doc);
            diagnostics.push(
                Diagnostic::warning(
                    Code::W0005,
                    at,
                    format!(
                        "the delegate VirtualService `{}` is not imported: its name is not a .mesh name",
                        vs.name
                    ),
                )
                .with_note("a delegate is written `delegate NAME { ... }`, and `delegate NAME` names it: NAME is a lower-case DNS label")
                .with_help("rename the VirtualService (and the `delegate` that names it), or keep applying it as YAML next to meshc's output"),
            );
            continue;
        }
        // The VirtualService joins the rule of one of its hosts, if that
        // rule has no routes yet.
        let joined = hosts.iter().find_map(|host| {
            plan.by_host
                .get(&qualified(host, namespace))?
                .iter()
                .copied()
                .find(|&i| {
                    plan.services
                        .get(i)
                        .is_some_and(|s| s.routes.is_none() && s.namespace.as_deref() == namespace)
                })
        });
        let service = match joined {
            Some(i) => plan.services.get_mut(i),
            None => plan.add_mut(namespace, hosts.first().copied().unwrap_or("")),
        };
        if let Some(service) = service {
            service.routes = Some(vs);
        }
    }
    add_external_subsets(&mut plan);
    name_services(&mut plan);
    plan
}

/// Gives every subset that routes use a definition: a service without a
/// DestinationRule lists it in `external_subsets`.
fn add_external_subsets(plan: &mut Plan<'_>) {
    let mut uses = Vec::new();
    for service in &plan.services {
        let Some(spec) = service.routes.and_then(|r| r.spec) else {
            continue;
        };
        for destination in destinations(spec) {
            let host = destination.get("host").and_then(Node::text);
            let subset = destination.get("subset").and_then(Node::text);
            // A subset that is not an identifier is not imported (W0005).
            let at = destination.get("subset").map_or(destination.span, |s| s.span);
            if let (Some(host), Some(subset)) = (host, subset.filter(|s| is_identifier(s))) {
                uses.push((host.to_string(), subset.to_string(), at, service.namespace.clone()));
            }
        }
    }
    for (host, subset, at, namespace) in uses {
        let service = match plan.lookup(&host, namespace.as_deref()) {
            Some(index) => plan.services.get_mut(index),
            None => plan.add_mut(namespace.as_deref(), &host),
        };
        let Some(service) = service else { continue };
        if service.rule.is_none() && !service.external_subsets.iter().any(|(s, _)| *s == subset) {
            service.external_subsets.push((subset, at));
        }
    }
}

/// Every `destination` block of a VirtualService spec: routes and mirrors.
pub fn destinations(spec: &Node) -> Vec<&Node> {
    let mut out = Vec::new();
    for kind in ["http", "tcp", "tls"] {
        for route in spec.list(kind) {
            for to in route.list("route") {
                out.extend(to.get("destination"));
            }
            out.extend(route.get("mirror"));
            for mirror in route.list("mirrors") {
                out.extend(mirror.get("destination"));
            }
        }
    }
    out
}

/// Names services after their Kubernetes service when the host is one,
/// otherwise after their resource; names are unique in the program.
fn name_services(plan: &mut Plan<'_>) {
    let mut taken = HashSet::new();
    // A delegate keeps its VirtualService's name, which `delegate NAME`
    // statements use; services name other things.
    for service in plan.services.iter_mut().filter(|s| !s.delegate) {
        let short = short_name(&service.key, service.namespace.as_deref());
        let resource = service.rule.or(service.routes).map(|r| r.name).unwrap_or("");
        let base = match short {
            Some(short) if is_label(short) => short.to_string(),
            _ if !resource.is_empty() => sanitize(resource),
            _ => sanitize(service.host.split('.').next().unwrap_or("")),
        };
        let mut name = base.clone();
        let mut n = 2;
        while !taken.insert(name.clone()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        service.explicit_host = default_host(&name, service.namespace.as_deref()) != service.key;
        service.name = name;
    }
}

/// The host meshc gives a service called `name`.
fn default_host(name: &str, namespace: Option<&str>) -> String {
    qualified(name, namespace)
}

/// The Kubernetes service a qualified host names in `namespace`.
fn short_name<'k>(key: &'k str, namespace: Option<&str>) -> Option<&'k str> {
    match namespace {
        Some(ns) => key
            .strip_suffix(&format!(".{ns}.{}", crate::hosts::CLUSTER_DOMAIN))
            .filter(|s| !s.contains('.')),
        None => (!key.contains('.')).then_some(key),
    }
}

/// Whether `text` is a `.mesh` identifier.
pub fn is_identifier(text: &str) -> bool {
    text.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && text.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Whether `name` is a DNS-1123 label that is also an identifier.
fn is_label(name: &str) -> bool {
    name.len() <= 63
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The closest DNS-1123 label that is also an identifier.
fn sanitize(text: &str) -> String {
    let mut name: String = text
        .to_ascii_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect();
    while name.contains("--") {
        name = name.replace("--", "-");
    }
    let mut name = name.trim_matches('-').to_string();
    if !name.starts_with(|c: char| c.is_ascii_lowercase()) {
        name.insert_str(0, "s-");
    }
    name.truncate(63);
    name.trim_end_matches('-').to_string()
}

fn describe(kind: &str, name: &str) -> String {
    match (kind, name) {
        ("", _) => "a document without `kind`".to_string(),
        (kind, "") => format!("a {kind}"),
        (kind, name) => format!("{kind} `{name}`"),
    }
}

/// Where a resource is named, where notes about the whole of it point.
pub fn header_span(doc: &Node) -> Span {
    doc.get("metadata")
        .and_then(|m| m.get("name"))
        .map_or(doc.span, |n| n.span)
}

/// The first line of a span, so that a note on a whole document stays short.
fn first_line(span: Span) -> Span {
    Span {
        end: span.start,
        ..span
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_hosts_and_resources() {
        assert_eq!(qualified("reviews", Some("shop")), "reviews.shop.svc.cluster.local");
        assert_eq!(qualified("reviews", None), "reviews");
        assert_eq!(
            short_name("reviews.shop.svc.cluster.local", Some("shop")),
            Some("reviews")
        );
        assert_eq!(short_name("reviews.other.svc.cluster.local", Some("shop")), None);
        assert_eq!(sanitize("Bookinfo_Gateway.VS"), "bookinfo-gateway-vs");
        assert_eq!(sanitize("1st"), "s-1st");
    }
}
