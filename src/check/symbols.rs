//! The symbol table: every service of the program, its host, subsets and
//! resource names, declared before any route is checked, so that routes
//! may name services defined later or in other files; and the names and
//! uses editors read ([`Symbols`]).

use foldhash::{HashMap, HashMapExt};

use super::delegation::DelegateInfo;
use super::{Checker, values};
use crate::diag::{Code, Diagnostic};
use crate::span::Span;
use crate::syntax::ast::{self, ServiceKind, SettingKey, Text, ValueKind};

/// Index of a service in [`Symbols::services`].
pub type ServiceId = usize;

/// A service as the rest of the program sees it.
#[derive(Clone, Debug)]
pub struct ServiceInfo {
    /// A service, or a delegate (`delegate NAME { ... }`: routes without
    /// hosts, named only by `delegate NAME` statements, never by `to`).
    pub kind: ServiceKind,
    /// The service name.
    pub name: Text,
    /// Where the name is written.
    pub name_span: Span,
    /// The whole service block.
    pub span: Span,
    /// The namespace of its file.
    pub namespace: Option<Text>,
    /// The host its resources use (empty for a delegate, which has none).
    pub host: String,
    /// Its subsets: name, where the name is written, and labels.
    pub subsets: Box<[SubsetInfo]>,
    /// Subsets defined outside this program (`external_subsets`).
    pub external_subsets: Vec<ExternalSubset>,
    /// Indexes into `subsets`, sorted by subset name.
    subsets_by_name: Box<[u32]>,
    /// Where a new subset can be written: after the last subset (`true`),
    /// or before the first route (`false`).
    new_subset_at: Option<(Span, bool)>,
    /// Whether it writes only a VirtualService bound only to gateways:
    /// Istio merges such VirtualServices of one host.
    gateway_only: bool,
    /// Whether it writes a DestinationRule, and a VirtualService, under
    /// its own name (rather than a `destination_rule`/`virtual_service` name).
    own_names: [bool; 2],
}

/// A subset named by `external_subsets`: defined by a DestinationRule
/// outside the program.
#[derive(Clone, Debug)]
pub struct ExternalSubset {
    /// The subset name.
    pub name: Text,
    /// Where the name is written (inside the quotes of a string).
    pub name_span: Span,
}

/// A subset as the rest of the program sees it.
#[derive(Clone, Debug)]
pub struct SubsetInfo {
    /// The subset name.
    pub name: Text,
    /// Where the name is written.
    pub name_span: Span,
    /// Its pod labels.
    pub labels: Box<[(Text, Text)]>,
}

impl ServiceInfo {
    /// Whether `name` is a subset of this service (defined here or outside).
    pub fn has_subset(&self, name: &str) -> bool {
        self.subset(name).is_some() || self.external_subset(name).is_some()
    }

    /// All subset names, defined here first.
    pub fn subset_names(&self) -> impl Iterator<Item = &str> {
        self.subsets
            .iter()
            .map(|s| s.name.as_str())
            .chain(self.external_subsets.iter().map(|s| s.name.as_str()))
    }

    /// A fix that adds `subset NAME { version = "NAME" }` to the service.
    pub(crate) fn new_subset(&self, name: &str) -> Option<(Span, String)> {
        let (at, after) = self.new_subset_at?;
        let block = format!("subset {name} {{ version = \"{name}\" }}");
        Some((
            at,
            if after {
                format!("\n  {block}")
            } else {
                format!("{block}\n  ")
            },
        ))
    }

    /// The subset named by `external_subsets` with this name.
    pub fn external_subset(&self, name: &str) -> Option<&ExternalSubset> {
        self.external_subsets.iter().find(|s| s.name == name)
    }

    /// A subset defined in this program, by name.
    pub fn subset(&self, name: &str) -> Option<&SubsetInfo> {
        let found = self
            .subsets_by_name
            .binary_search_by(|&i| self.subsets.get(i as usize).map_or("", |s| s.name.as_str()).cmp(name));
        found
            .ok()
            .and_then(|at| self.subsets.get(*self.subsets_by_name.get(at)? as usize))
    }
}

/// A use of a service or subset name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// Where the name is written.
    pub span: Span,
    /// The service referred to.
    pub service: ServiceId,
    /// The subset referred to, for subset references.
    pub subset: Option<Text>,
}

/// Definitions and uses of names, for editors.
#[derive(Clone, Debug, Default)]
pub struct Symbols {
    /// Every service of the program, in source order.
    pub services: Vec<ServiceInfo>,
    /// Every resolved use of a service or subset name.
    pub references: Vec<Reference>,
}

/// The indexes of `subsets`, sorted by name, for lookups by binary search
/// (smaller than a hash map for the few subsets a service has).
fn sorted_by_name(subsets: &[SubsetInfo]) -> Box<[u32]> {
    let mut order: Vec<u32> = (0..subsets.len() as u32).collect();
    order.sort_by(|&a, &b| {
        let name = |i: u32| subsets.get(i as usize).map_or("", |s| s.name.as_str());
        name(a).cmp(name(b))
    });
    order.into_boxed_slice()
}

/// Whether a service writes only a VirtualService, bound to gateways and
/// not to the mesh: Istio merges the VirtualServices of one host on a
/// gateway, so such services may share a host.
fn routes_only_on_gateways(service: &ast::Service) -> bool {
    let gateways: Vec<&str> = service
        .settings
        .iter()
        .filter(|s| s.key == SettingKey::Gateways)
        .flat_map(|s| &s.values)
        .filter_map(|v| match &v.kind {
            ValueKind::String(g) => Some(g.as_str()),
            _ => None,
        })
        .collect();
    !gateways.is_empty()
        && !gateways.contains(&"mesh")
        && !writes_destination_rule(service)
        && !service.routes.is_empty()
}

/// Whether a service writes a DestinationRule: it has subsets, a policy,
/// or a `destination_rule` name.
pub(super) fn writes_destination_rule(service: &ast::Service) -> bool {
    !service.subsets.is_empty()
        || !service.policies.is_empty()
        || service
            .settings
            .iter()
            .any(|s| s.key == SettingKey::DestinationRuleName)
}

/// A host for a message: as written, and as Istio reads it when that differs.
fn shown_host(host: &str, key: &str) -> String {
    if host == key {
        format!("`{host}`")
    } else {
        format!("`{host}` (to Istio, `{key}`)")
    }
}

/// Every service of the program by name and host, built before any route
/// is checked.
#[derive(Default)]
pub(crate) struct Table {
    pub(super) services: Vec<ServiceInfo>,
    pub(super) by_name: HashMap<Text, ServiceId>,
    by_host: HashMap<String, ServiceId>,
    /// The delegates by (namespace, name), as a `delegate` statement finds
    /// them, with what the statement checks against.
    pub(super) delegates: HashMap<(Option<Text>, Text), (ServiceId, DelegateInfo)>,
    /// The resources written under a name of their own, by (kind,
    /// namespace, name); those named after their service are found through
    /// `by_name`, so the table holds no entry per service for them.
    resources: HashMap<(&'static str, Option<Text>, Text), Span>,
}

impl Table {
    /// Registers a service's name, hosts and subsets; `checker` reports the
    /// problems found on the way.
    pub(super) fn declare(
        &mut self,
        checker: &mut Checker<'_>,
        file: &ast::File,
        service: &ast::Service,
    ) -> Option<ServiceId> {
        let name = &service.name;
        if service.kind == ServiceKind::Delegate {
            return self.declare_delegate(checker, file, service);
        }
        checker.dns_label(&name.name, name.span, "service");
        if let Some(&first) = self.by_name.get(&name.name) {
            let first_span = self.services.get(first).map(|s| s.name_span).unwrap_or(name.span);
            checker.diagnostics.push(
                Diagnostic::error(
                    Code::E0203,
                    name.span,
                    format!("service `{}` is defined twice", name.name),
                )
                .with_label("defined again here")
                .with_secondary(first_span, "first defined here")
                .with_help("merge the two blocks, or rename one of them"),
            );
            return None;
        }
        let namespace = file.namespace.as_ref().map(|ns| ns.name.clone());
        if let Some(ns) = &file.namespace {
            checker.dns_label(&ns.name, ns.span, "namespace");
        }
        let host = checker.service_host(service, namespace.as_deref());
        let mut subsets = Vec::new();
        let mut subset_index = HashMap::new();
        for subset in &service.subsets {
            if let Some(&first) = subset_index.get(&subset.name.name) {
                let first_span = subsets
                    .get(first)
                    .map_or(subset.name.span, |s: &SubsetInfo| s.name_span);
                checker.diagnostics.push(
                    Diagnostic::error(
                        Code::E0204,
                        subset.name.span,
                        format!(
                            "subset `{}` is defined twice in service `{}`",
                            subset.name.name, name.name
                        ),
                    )
                    .with_label("defined again here")
                    .with_secondary(first_span, "first defined here")
                    .with_help("remove one of them, or give it another name"),
                );
                continue;
            }
            subset_index.insert(subset.name.name.clone(), subsets.len());
            // The labels as written, for editors; the checker validates them.
            let labels = subset
                .labels
                .iter()
                .filter_map(|l| match &l.value.kind {
                    ValueKind::String(v) => Some((l.key.name.clone(), v.clone())),
                    _ => None,
                })
                .collect::<Vec<_>>()
                .into_boxed_slice();
            subsets.push(SubsetInfo {
                name: subset.name.name.clone(),
                name_span: subset.name.span,
                labels,
            });
        }
        let external_subsets = service
            .settings
            .iter()
            .filter(|s| s.key == SettingKey::ExternalSubsets)
            .flat_map(|s| s.values.iter())
            .filter_map(|v| match &v.kind {
                ValueKind::Ident(s) => Some(ExternalSubset {
                    name: s.clone(),
                    name_span: v.span,
                }),
                // The name inside the quotes, when it is written as is.
                ValueKind::String(s) => Some(ExternalSubset {
                    name: s.clone(),
                    name_span: if v.span.range().len() == s.len() + 2 {
                        Span {
                            start: v.span.start + 1,
                            end: v.span.end - 1,
                            ..v.span
                        }
                    } else {
                        v.span
                    },
                }),
                _ => None,
            })
            .collect();
        let id = self.services.len();
        let gateway_only = routes_only_on_gateways(service);
        let merged =
            |other: ServiceId, table: &Table| gateway_only && table.services.get(other).is_some_and(|s| s.gateway_only);
        let host_key = crate::hosts::key(&host, namespace.as_deref());
        if let Some(&other) = self.by_host.get(&host_key)
            && !merged(other, self)
        {
            let shown = shown_host(&host, &host_key);
            let other_span = self.services.get(other).map_or(name.span, |s| s.name_span);
            checker.diagnostics.push(
                Diagnostic::error(
                    Code::E0206,
                    name.span,
                    format!("host {shown} is already defined by another service"),
                )
                .with_label(format!("`{}` also uses host `{host}`", name.name))
                .with_secondary(other_span, "first defined here")
                .with_note(
                    "two DestinationRules or VirtualServices for one host conflict: Istio would pick one of them",
                )
                .with_help("describe the host in one service block"),
            );
        } else {
            // Merged on a gateway, the host stays with its first service.
            self.by_host.entry(host_key).or_insert(id);
        }
        self.by_name.insert(name.name.clone(), id);
        let own_names = self.claim_resource_names(checker, service, namespace.as_ref());
        let extra_hosts = service
            .settings
            .iter()
            .filter(|s| s.key == SettingKey::Hosts)
            .flat_map(|s| &s.values);
        for value in extra_hosts {
            if let ValueKind::String(extra) = &value.kind
                && values::is_wildcard_host(extra)
            {
                let extra_key = crate::hosts::key(extra, namespace.as_deref());
                self.claim_host(checker, extra, extra_key, value.span, id, gateway_only);
            }
        }
        self.services.push(ServiceInfo {
            kind: ServiceKind::Service,
            gateway_only,
            own_names,
            name: name.name.clone(),
            name_span: name.span,
            span: service.span,
            namespace,
            host,
            subsets_by_name: sorted_by_name(&subsets),
            subsets: subsets.into_boxed_slice(),
            external_subsets,
            new_subset_at: match (service.subsets.last(), service.routes.first()) {
                (Some(last), _) => Some((
                    Span {
                        start: last.span.end,
                        ..last.span
                    },
                    true,
                )),
                (None, Some(route)) => Some((
                    Span {
                        end: route.span.start,
                        ..route.span
                    },
                    false,
                )),
                (None, None) => None,
            },
        });
        Some(id)
    }

    /// Registers a delegate: by (namespace, name) only, since no `to` names
    /// it and it has no host.  Its VirtualService's name is its own, unique
    /// in its namespace like every resource name.
    fn declare_delegate(
        &mut self,
        checker: &mut Checker<'_>,
        file: &ast::File,
        service: &ast::Service,
    ) -> Option<ServiceId> {
        let name = &service.name;
        checker.dns_label(&name.name, name.span, "delegate");
        let namespace = file.namespace.as_ref().map(|ns| ns.name.clone());
        let key = ("VirtualService", namespace.clone(), name.name.clone());
        let named_after = self
            .by_name
            .get(&name.name)
            .and_then(|&id| self.services.get(id))
            .filter(|other| other.namespace == namespace && other.own_names.get(1) == Some(&true));
        let first = self.resources.get(&key).copied().or(named_after.map(|s| s.name_span));
        if let Some(first) = first {
            checker.diagnostics.push(
                Diagnostic::error(
                    Code::E0212,
                    name.span,
                    format!("two blocks write the VirtualService `{}`", name.name),
                )
                .with_label(format!("this delegate's VirtualService is named `{}` too", name.name))
                .with_secondary(first, "first named here")
                .with_note("applied together, the second resource would replace the first")
                .with_help("give the delegate another name"),
            );
            return None;
        }
        self.resources.insert(key, name.span);
        let id = self.services.len();
        let info = DelegateInfo::declare(service, namespace.as_deref());
        self.delegates
            .insert((namespace.clone(), name.name.clone()), (id, info));
        self.services.push(ServiceInfo {
            kind: ServiceKind::Delegate,
            gateway_only: false,
            own_names: [false, false],
            name: name.name.clone(),
            name_span: name.span,
            span: service.span,
            namespace,
            host: String::new(),
            subsets_by_name: Box::default(),
            subsets: Box::default(),
            external_subsets: Vec::new(),
            new_subset_at: None,
        });
        Some(id)
    }

    /// Records the names of the resources a service emits; two resources of
    /// one kind with one name in one namespace would overwrite each other.
    /// Returns which kinds it writes under its own name.
    fn claim_resource_names(
        &mut self,
        checker: &mut Checker<'_>,
        service: &ast::Service,
        namespace: Option<&Text>,
    ) -> [bool; 2] {
        let named = |key: SettingKey| {
            service.settings.iter().find(|s| s.key == key).and_then(|s| {
                let value = s.values.first()?;
                match &value.kind {
                    ValueKind::String(name) => Some((name.clone(), value.span)),
                    _ => None,
                }
            })
        };
        let rule_name = named(SettingKey::DestinationRuleName);
        let emits_rule = writes_destination_rule(service);
        let emits_routes = !service.routes.is_empty();
        let claims = [
            ("DestinationRule", emits_rule, rule_name),
            ("VirtualService", emits_routes, named(SettingKey::VirtualServiceName)),
        ];
        let mut own_names = [false; 2];
        for (k, (kind, emitted, custom)) in claims.into_iter().enumerate() {
            if !emitted {
                continue;
            }
            let is_custom = custom.is_some();
            if let Some(own) = own_names.get_mut(k) {
                *own = !is_custom;
            }
            let (name, span) = custom.unwrap_or_else(|| (service.name.name.clone(), service.name.span));
            // An earlier service of this name in this namespace that writes
            // this kind under its own name.
            let named_after = |name: &Text| {
                let other = self.services.get(*self.by_name.get(name)?)?;
                (other.namespace.as_ref() == namespace && other.own_names.get(k) == Some(&true))
                    .then_some(other.name_span)
            };
            let key = (kind, namespace.cloned(), name);
            let first = self
                .resources
                .get(&key)
                .copied()
                .or_else(|| if is_custom { named_after(&key.2) } else { None });
            if let Some(first) = first {
                checker.diagnostics.push(
                    Diagnostic::error(
                        Code::E0212,
                        span,
                        format!("two services write the {kind} `{}`", key.2),
                    )
                    .with_label(format!("this {kind} is named `{}` too", key.2))
                    .with_secondary(first, "first named here")
                    .with_note("applied together, the second resource would replace the first")
                    .with_help("give one of them another name with `destination_rule \"...\"` or `virtual_service \"...\"`"),
                );
            } else if is_custom {
                self.resources.insert(key, span);
            }
        }
        own_names
    }

    /// Records that service `id` routes `host`; a host routed by two
    /// services, or listed twice by one, is an error.
    fn claim_host(
        &mut self,
        checker: &mut Checker<'_>,
        host: &str,
        key: String,
        span: Span,
        id: ServiceId,
        gateway_only: bool,
    ) {
        match self.by_host.get(&key) {
            Some(&owner) if owner != id && gateway_only && self.services.get(owner).is_some_and(|s| s.gateway_only) => {
            }
            Some(&owner) if owner != id => {
                let owner_span = self.services.get(owner).map_or(span, |s| s.name_span);
                checker.diagnostics.push(
                    Diagnostic::error(
                        Code::E0206,
                        span,
                        format!("host {} is already defined by another service", shown_host(host, &key)),
                    )
                    .with_label("routed here too")
                    .with_secondary(owner_span, "first defined here")
                    .with_note("two VirtualServices for one host conflict: Istio would pick one of them")
                    .with_help("describe the host in one service block"),
                );
            }
            Some(_) => checker.diagnostics.push(
                Diagnostic::error(
                    Code::E0206,
                    span,
                    format!("host `{host}` is already a host of this service"),
                )
                .with_label("listed again")
                .with_note("the service's own host is always one of its VirtualService's hosts")
                .with_help("remove it from `hosts`"),
            ),
            None => {
                self.by_host.insert(key, id);
            }
        }
    }
}

impl Checker<'_> {
    /// `host "..."` if set, else the name, fully qualified in a namespace.
    fn service_host(&mut self, service: &ast::Service, namespace: Option<&str>) -> String {
        let explicit = service.settings.iter().find(|s| s.key == SettingKey::Host);
        if let Some(value) = explicit.and_then(|s| s.values.first())
            && let Some(host) = self.string(value)
            && self.host(&host, value)
        {
            return host;
        }
        crate::hosts::qualify(&service.name.name, namespace)
    }
}
