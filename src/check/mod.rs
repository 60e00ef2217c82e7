//! Checking: syntax trees in, the typed Istio model and diagnostics out.
//!
//! The checker resolves every name (services across all files of the
//! program, subsets, `service/subset` references), types every value, and
//! enforces the guarantees: every subset reference resolves, every split
//! sums to 100, nothing the CRD schema or Istio's webhook would reject gets
//! through.  It also records where each service and subset is defined and
//! used, for the language server.

mod policy;
pub mod re2;
mod routes;
mod unused;
mod values;

use foldhash::{HashMap, HashMapExt};
use std::borrow::Borrow;

use crate::diag::{Code, Diagnostic};
use crate::model::Program;
use crate::model::istio::*;
use crate::parallel;
use crate::span::Span;
use crate::syntax::ast::{self, RouteKind, SettingKey, StatementKind, Text, Value, ValueKind};
use routes::CheckedRoute;
pub(crate) use values::is_dns1123_label;

/// Index of a service in [`Symbols::services`].
pub type ServiceId = usize;

/// A service as the rest of the program sees it.
#[derive(Clone, Debug)]
pub struct ServiceInfo {
    /// The service name.
    pub name: Text,
    /// Where the name is written.
    pub name_span: Span,
    /// The whole service block.
    pub span: Span,
    /// The namespace of its file.
    pub namespace: Option<Text>,
    /// The host its resources use.
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

/// Everything the checker found.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// The resources (complete only when there are no errors).
    pub program: Program,
    /// Names and their uses.
    pub symbols: Symbols,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
    /// What editors show faintly and the command line does not print
    /// (N0002: a subset no route uses).
    pub hints: Vec<Diagnostic>,
}

/// Checks the parsed files of one program together.
pub fn check(files: &[&ast::File]) -> Checked {
    check_on(files, parallel::threads())
}

/// Checks like [`check`], keeping no typed program: the names, their uses
/// and the diagnostics (what the workload checks read), in about the
/// memory of a build.
pub fn check_symbols(files: &[&ast::File]) -> Checked {
    let services = files.iter().map(|f| f.services.iter().collect()).collect();
    check_parts(files, services, parallel::threads(), drop).1
}

/// Checks like [`check`], but consumes the syntax trees and hands the
/// resources to `sink` a few services at a time, in source order, on the
/// thread that checked them, keeping only what `sink` returns: a build
/// writes YAML in parallel, frees each service's tree once it is checked,
/// and never holds the whole typed program.
pub fn check_into<T: Send>(mut files: Vec<ast::File>, sink: impl Fn(Program) -> T + Sync) -> (Vec<T>, Vec<Diagnostic>) {
    let services: Vec<Vec<ast::Service>> = files.iter_mut().map(|f| std::mem::take(&mut f.services)).collect();
    let headers: Vec<&ast::File> = files.iter().collect();
    let (parts, checked) = check_parts(&headers, services, parallel::threads(), sink);
    (parts, checked.diagnostics)
}

/// [`check`] on up to `threads` threads.
fn check_on(files: &[&ast::File], threads: usize) -> Checked {
    let services = files.iter().map(|f| f.services.iter().collect()).collect();
    let (parts, mut checked) = check_parts(files, services, threads, |part| part);
    for part in parts {
        checked.program.destination_rules.extend(part.destination_rules);
        checked.program.virtual_services.extend(part.virtual_services);
    }
    checked
}

/// Services checked between two calls of a sink: enough to keep threads
/// busy, few enough that their typed resources take little memory.
const BATCH: usize = 64;

/// Checks every service (`services[i]` are those of `files[i]`, borrowed
/// or owned); returns what `sink` made of each batch of resources, and the
/// rest of the results with an empty program.  Owned services are dropped
/// as soon as they are checked.
fn check_parts<S: Borrow<ast::Service> + Send, T: Send>(
    files: &[&ast::File],
    services: Vec<Vec<S>>,
    threads: usize,
    sink: impl Fn(Program) -> T + Sync,
) -> (Vec<T>, Checked) {
    // Declare every service first: routes may name services defined later
    // or in other files.
    let no_table = Table::default();
    let mut declaring = Checker::new(&no_table);
    let mut table = Table::default();
    let mut work: Vec<(&ast::File, S, ServiceId)> = Vec::new();
    for (file, file_services) in files.iter().zip(services) {
        for service in file_services {
            if let Some(id) = table.declare(&mut declaring, file, service.borrow()) {
                work.push((*file, service, id));
            }
        }
    }
    let mut diagnostics = declaring.diagnostics;
    // Services are then checked independently, on all cores for large
    // programs; the results are joined in source order.
    let on_threads = threads > 1 && work.len() >= PARALLEL_SERVICES;
    let chunk = if on_threads {
        work.len().div_ceil(threads)
    } else {
        work.len().max(1)
    };
    let check_chunk = |chunk: Vec<(&ast::File, S, ServiceId)>| {
        let mut checker = Checker::new(&table);
        let mut parts = Vec::with_capacity(chunk.len().div_ceil(BATCH));
        let mut program = Program::default();
        let mut in_batch = 0;
        for (file, service, id) in chunk {
            checker.service(file, service.borrow(), id, &mut program);
            in_batch += 1;
            if in_batch == BATCH {
                parts.push(sink(std::mem::take(&mut program)));
                in_batch = 0;
            }
        }
        if in_batch > 0 {
            parts.push(sink(program));
        }
        (parts, checker.diagnostics, checker.references)
    };
    let results: Vec<(Vec<T>, Vec<Diagnostic>, Vec<Reference>)> =
        parallel::map(parallel::runs(work, chunk), check_chunk);
    let mut parts = Vec::new();
    let mut references = Vec::new();
    for (part, part_diagnostics, part_references) in results {
        parts.extend(part);
        diagnostics.extend(part_diagnostics);
        references.extend(part_references);
    }
    let hints = unused::unused_subsets(&table.services, &references);
    let checked = Checked {
        hints,
        program: Program::default(),
        symbols: Symbols {
            services: table.services,
            references,
        },
        diagnostics,
    };
    (parts, checked)
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
fn writes_destination_rule(service: &ast::Service) -> bool {
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

/// Programs with at least this many services are checked on all cores.
const PARALLEL_SERVICES: usize = 512;

/// Every service of the program by name and host, built before any route
/// is checked.
#[derive(Default)]
pub(crate) struct Table {
    services: Vec<ServiceInfo>,
    by_name: HashMap<Text, ServiceId>,
    by_host: HashMap<String, ServiceId>,
    /// The resources written under a name of their own, by (kind,
    /// namespace, name); those named after their service are found through
    /// `by_name`, so the table holds no entry per service for them.
    resources: HashMap<(&'static str, Option<Text>, Text), Span>,
}

/// The checker's state while it walks some services of a program.
pub(crate) struct Checker<'t> {
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The program's services.
    table: &'t Table,
    references: Vec<Reference>,
    /// The VirtualService hosts of the service being checked.
    current_hosts: Vec<String>,
    /// The namespace of the service being checked, when its file names one.
    current_namespace: Option<String>,
}

impl Table {
    /// Registers a service's name, hosts and subsets; `checker` reports the
    /// problems found on the way.
    fn declare(&mut self, checker: &mut Checker<'_>, file: &ast::File, service: &ast::Service) -> Option<ServiceId> {
        let name = &service.name;
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
        let shown = shown_host(&host, &host_key);
        if let Some(&other) = self.by_host.get(&host_key)
            && !merged(other, self)
        {
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

impl<'t> Checker<'t> {
    fn new(table: &'t Table) -> Checker<'t> {
        Checker {
            diagnostics: Vec::new(),
            table,
            references: Vec::new(),
            current_hosts: Vec::new(),
            current_namespace: None,
        }
    }

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

    /// Checks one service and adds its resources to `program`.
    fn service(&mut self, file: &ast::File, service: &ast::Service, id: ServiceId, program: &mut Program) {
        let host = self.table.services.get(id).map(|s| s.host.clone()).unwrap_or_default();
        let namespace = file.namespace.as_ref().map(|ns| ns.name.as_str());
        let mut settings = self.settings(service, &host, namespace);
        let metadata = Metadata {
            name: service.name.name.to_string(),
            namespace: file.namespace.as_ref().map(|ns| ns.name.to_string()),
            labels: std::mem::take(&mut settings.labels),
            annotations: std::mem::take(&mut settings.annotations),
        };
        self.current_hosts = settings.hosts.clone();
        self.current_namespace = metadata.namespace.clone();
        self.overlapping_hosts(service, &settings.hosts);

        let mut subsets = Vec::new();
        let declared = self.table.services.get(id);
        for subset in &service.subsets {
            // A subset defined twice was reported when it was declared; the
            // table keeps the first definition.
            let first = declared.and_then(|s| s.subset(&subset.name.name));
            if first.is_some_and(|first| first.name_span != subset.name.span) {
                continue;
            }
            self.dns_label(&subset.name.name, subset.name.span, "subset");
            let labels = self.labels(subset);
            subsets.push(SubsetSpec {
                name: subset.name.name.to_string(),
                labels,
                traffic_policy: self.traffic_policy(&subset.policies),
            });
        }
        let traffic_policy = self.traffic_policy(&service.policies);

        let mut http = Vec::new();
        let mut tcp = Vec::new();
        let mut tls = Vec::new();
        let mut route_names: HashMap<&str, Span> = HashMap::new();
        let mut seen_matches: HashMap<HttpMatch, Span> = HashMap::new();
        for route in &service.routes {
            if let Some(name) = &route.name {
                if let Some(first) = route_names.get(name.name.as_str()) {
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::E0205,
                            name.span,
                            format!("route name `{}` is used twice in this service", name.name),
                        )
                        .with_label("used again here")
                        .with_secondary(*first, "first used here")
                        .with_help("give each route its own name"),
                    );
                } else {
                    route_names.insert(&name.name, name.span);
                }
            }
            match self.route(id, route) {
                CheckedRoute::Http(checked) => {
                    self.duplicate_matches(route, &checked.matches, &mut seen_matches);
                    http.push(*checked);
                }
                CheckedRoute::Tcp(checked) => tcp.push(checked),
                CheckedRoute::Tls(checked) => tls.push(checked),
            }
        }
        self.unreachable_routes(service);

        // A named DestinationRule is written even when it sets nothing but
        // its host, so an imported rule keeps existing.
        if !subsets.is_empty() || traffic_policy.is_some() || settings.destination_rule_name.is_some() {
            let name = settings
                .destination_rule_name
                .clone()
                .unwrap_or_else(|| metadata.name.clone());
            program.destination_rules.push((
                Metadata {
                    name,
                    ..metadata.clone()
                },
                DestinationRuleSpec {
                    host: host.clone(),
                    traffic_policy,
                    subsets,
                    export_to: settings.export_to.clone(),
                    workload_selector: settings.workload_selector.clone(),
                },
            ));
        }
        let has_routes = !http.is_empty() || !tcp.is_empty() || !tls.is_empty();
        let mesh_bound = settings.gateways.is_empty() || settings.gateways.iter().any(|g| g == "mesh");
        if has_routes && mesh_bound && settings.hosts.iter().any(|h| h == "*") {
            let span = service
                .settings
                .iter()
                .find(|s| s.key == SettingKey::Hosts)
                .map_or(service.name.span, |s| s.key_span);
            self.diagnostics.push(
                Diagnostic::error(Code::E0409, span, "the host `*` cannot be routed inside the mesh")
                    .with_label("wildcard host")
                    .with_help("bind the service to a gateway with `gateways \"my-gateway\"` (without \"mesh\"), or name the hosts"),
            );
        }
        if has_routes {
            let name = settings
                .virtual_service_name
                .clone()
                .unwrap_or_else(|| metadata.name.clone());
            program.virtual_services.push((
                Metadata { name, ..metadata },
                VirtualServiceSpec {
                    hosts: settings.hosts,
                    gateways: settings.gateways,
                    http,
                    tls,
                    tcp,
                    export_to: settings.export_to,
                },
            ));
        }
    }

    fn labels(&mut self, subset: &ast::Subset) -> Pairs<String> {
        self.label_map(
            subset.labels.iter().map(|l| (&l.key, &l.value)),
            "a subset selects pods",
        )
    }

    /// Checks `key = "value"` labels (a subset's, or a `source { }`
    /// condition's) into a map, reporting keys set twice.
    pub(super) fn label_map<'a>(
        &mut self,
        entries: impl IntoIterator<Item = (&'a ast::Key, &'a Value)>,
        selects: &str,
    ) -> Pairs<String> {
        let mut labels = Pairs::default();
        let mut first_spans: HashMap<String, Span> = HashMap::new();
        for (key, value) in entries {
            let text = key.text();
            if let Some(first) = first_spans.get(&text) {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0209, key.span, format!("label `{text}` is set twice"))
                        .with_label("set again here")
                        .with_secondary(*first, "first set here")
                        .with_help(format!("{selects} by one value per label key; remove one")),
                );
                continue;
            }
            first_spans.insert(text.clone(), key.span);
            if let Some(value) = self.label(&text, key.span, value) {
                labels.0.push((text, value));
            }
        }
        labels
    }

    /// A route with no `match` takes every request: routes after it in the
    /// same list can never be used.
    fn unreachable_routes(&mut self, service: &ast::Service) {
        for kind in [RouteKind::Http, RouteKind::Tcp, RouteKind::Tls] {
            let routes: Vec<&ast::Route> = service.routes.iter().filter(|r| r.kind == kind).collect();
            let catch_all = routes
                .iter()
                .position(|r| !r.statements.iter().any(|s| matches!(s.kind, StatementKind::Match(_))));
            let Some(at) = catch_all else { continue };
            let Some(catch_all_route) = routes.get(at) else {
                continue;
            };
            for later in routes.iter().skip(at + 1) {
                self.diagnostics.push(
                    Diagnostic::warning(Code::W0001, later.keyword, "this route is never used")
                        .with_label("unreachable")
                        .with_secondary(
                            catch_all_route.keyword,
                            "this route has no `match`, so it takes every request",
                        )
                        .with_help("routes are tried in order: move the route without `match` to the end"),
                );
            }
        }
    }

    /// A match identical to an earlier one in the same service never applies.
    fn duplicate_matches(&mut self, route: &ast::Route, matches: &[HttpMatch], seen: &mut HashMap<HttpMatch, Span>) {
        let spans = route
            .statements
            .iter()
            .filter(|s| matches!(s.kind, StatementKind::Match(_)))
            .map(|s| s.span);
        for (m, span) in matches.iter().zip(spans) {
            match seen.get(m) {
                Some(first) => self.diagnostics.push(
                    Diagnostic::warning(Code::W0003, span, "this match is the same as an earlier one")
                        .with_label("never applies")
                        .with_secondary(*first, "the same match, tried first")
                        .with_help("remove it, or make it differ from the earlier match"),
                ),
                None => {
                    seen.insert(m.clone(), span);
                }
            }
        }
    }

    /// The service's settings; the VirtualService hosts are the service's
    /// host followed by the `hosts` extras.
    fn settings(&mut self, service: &ast::Service, host: &str, namespace: Option<&str>) -> Settings {
        let mut out = Settings {
            hosts: vec![host.to_string()],
            ..Settings::default()
        };
        let mut seen: HashMap<&'static str, Span> = HashMap::new();
        for setting in &service.settings {
            let keyword = setting.key.keyword();
            if let Some(first) = seen.get(keyword) {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0211, setting.key_span, format!("`{keyword}` is set twice"))
                        .with_label("set again here")
                        .with_secondary(*first, "first set here")
                        .with_help(format!("list every value in one `{keyword}` line, separated by commas")),
                );
                continue;
            }
            seen.insert(keyword, setting.key_span);
            match setting.key {
                SettingKey::Host => {
                    if let Some(extra) = setting.values.get(1) {
                        self.diagnostics.push(
                            Diagnostic::error(Code::E0301, extra.span, "a service has one `host`")
                                .with_label("extra host")
                                .with_help("use `hosts \"a\", \"b\"` for the extra hosts of the VirtualService"),
                        );
                    }
                }
                SettingKey::Hosts => {
                    // V.go `ValidateVirtualService`: a VirtualService host may
                    // be an IP address (A.go `ValidateIPAddress`).
                    let extra = self.strings(&setting.values, |c, s, v| {
                        s.parse::<std::net::IpAddr>().is_ok() || c.host(s, v)
                    });
                    out.hosts.extend(extra);
                }
                SettingKey::Gateways => out.gateways = self.strings(&setting.values, |c, s, v| c.gateway_name(s, v)),
                SettingKey::ExportTo => {
                    out.export_to = self.strings(&setting.values, |c, s, v| {
                        s == "." || s == "*" || c.dns_label(s, v.span, "namespace")
                    });
                    self.export_to_rules(setting, namespace, service);
                }
                SettingKey::ExternalSubsets => {
                    for value in &setting.values {
                        if let Some(name) = self.name_or_string(value) {
                            self.dns_label(&name, value.span, "subset");
                        }
                    }
                }
                SettingKey::WorkloadSelector => {
                    if let Some(labels) = self.setting_labels(setting, "a workload is selected") {
                        out.workload_selector = Some(WorkloadSelector { match_labels: labels });
                    }
                }
                SettingKey::Labels => {
                    out.labels = self
                        .setting_labels(setting, "a resource is labelled")
                        .unwrap_or_default();
                }
                SettingKey::Annotations => out.annotations = self.annotations(setting),
                SettingKey::DestinationRuleName | SettingKey::VirtualServiceName => {
                    let name = setting.values.first().and_then(|value| {
                        let text = self.string(value)?;
                        self.resource_name(&text, value).then_some(text)
                    });
                    if setting.key == SettingKey::DestinationRuleName {
                        out.destination_rule_name = name;
                    } else {
                        out.virtual_service_name = name;
                    }
                }
            }
        }
        out
    }

    /// No two hosts of one VirtualService overlap, as a wildcard host and a
    /// host it covers do (V.go `ValidateVirtualService` with host/name.go
    /// `Matches`: "duplicate hosts in virtual service").  Hosts equal but
    /// for case are reported where hosts are declared.
    fn overlapping_hosts(&mut self, service: &ast::Service, hosts: &[String]) {
        let span_of = |host: &str| {
            service
                .settings
                .iter()
                .filter(|s| matches!(s.key, SettingKey::Host | SettingKey::Hosts))
                .flat_map(|s| &s.values)
                .find(|v| matches!(&v.kind, ValueKind::String(h) if h == host))
                .map_or(service.name.span, |v| v.span)
        };
        for (i, later) in hosts.iter().enumerate() {
            let earlier = hosts
                .iter()
                .take(i)
                .find(|first| !first.eq_ignore_ascii_case(later) && hosts_overlap(first, later));
            if let Some(first) = earlier {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::E0206,
                        span_of(later),
                        format!("hosts `{first}` and `{later}` overlap"),
                    )
                    .with_label("overlaps an earlier host of this service")
                    .with_secondary(span_of(first), "this host")
                    .with_note(
                        "Istio refuses a VirtualService whose hosts overlap: one would take the other's requests",
                    )
                    .with_help("keep the wildcard host alone, or list the hosts it covers without it"),
                );
            }
        }
    }

    /// `export_to` lists each namespace once, `"*"` alone, and only the
    /// own namespace beside a `workload_selector` (V.go `validateExportTo`).
    fn export_to_rules(&mut self, setting: &ast::Setting, namespace: Option<&str>, service: &ast::Service) {
        let entries: Vec<(&str, Span)> = setting
            .values
            .iter()
            .filter_map(|v| match &v.kind {
                ValueKind::String(s) => Some((s.as_str(), v.span)),
                _ => None,
            })
            .collect();
        // `.` is the file's namespace.
        let resolved = |s: &'_ str| -> String { if s == "." { namespace.unwrap_or(".") } else { s }.to_string() };
        for (i, (entry, span)) in entries.iter().enumerate() {
            let first = entries.iter().take(i).find(|(e, _)| resolved(e) == resolved(entry));
            if let Some((first_entry, first_span)) = first {
                let same = if first_entry == entry {
                    String::new()
                } else {
                    format!(" (`.` is this file's namespace, `{}`)", resolved(entry))
                };
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::E0208,
                        *span,
                        format!("`{entry}` is listed twice in `export_to`{same}"),
                    )
                    .with_label("listed again")
                    .with_secondary(*first_span, "first listed here")
                    .with_help("list each namespace once"),
                );
            }
        }
        if let (true, Some((_, span))) = (entries.len() > 1, entries.iter().find(|(e, _)| *e == "*")) {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0403,
                    *span,
                    "`\"*\"` exports to every namespace, so it stands alone",
                )
                .with_label("with other namespaces")
                .with_help("keep `\"*\"` alone, or list the namespaces without it"),
            );
        }
        let selects = service.settings.iter().any(|s| s.key == SettingKey::WorkloadSelector);
        let own = |e: &str| e == "." || Some(e) == namespace;
        let foreign = entries.iter().find(|(e, _)| !own(e));
        if let (true, Some((entry, span))) = (selects && writes_destination_rule(service), foreign) {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0403,
                    *span,
                    format!("a DestinationRule with a `workload_selector` cannot be exported to `{entry}`"),
                )
                .with_label("not this file's namespace")
                .with_note("Istio applies a rule with a workload selector only in its own namespace")
                .with_help("export it to `\".\"` only, or remove the `workload_selector`"),
            );
        }
    }

    /// The `{ KEY = "VALUE" }` block of a setting, checked as labels.
    fn setting_labels(&mut self, setting: &ast::Setting, selects: &str) -> Option<Pairs<String>> {
        match setting.values.first().map(|v| (&v.kind, v)) {
            Some((ValueKind::Object(fields), _)) => {
                Some(self.label_map(fields.iter().map(|f| (&f.key, &f.value)), selects))
            }
            Some((_, value)) => {
                self.type_error(value, "labels", "labels such as `{ app = \"reviews\" }`");
                None
            }
            None => None,
        }
    }

    /// `annotations { KEY = "VALUE" }`: keys are checked like label keys,
    /// values are any text.
    fn annotations(&mut self, setting: &ast::Setting) -> Pairs<String> {
        let mut out = Pairs::default();
        match setting.values.first().map(|v| (&v.kind, v)) {
            Some((ValueKind::Object(fields), _)) => {
                for field in fields {
                    let key = field.key.text();
                    if out.0.iter().any(|(k, _)| *k == key) {
                        self.diagnostics.push(
                            Diagnostic::error(Code::E0209, field.key.span, format!("annotation `{key}` is set twice"))
                                .with_label("set again here")
                                .with_help("keep one value per annotation key"),
                        );
                        continue;
                    }
                    let valid_key = values::check_label_key(&key).map_err(|problem| {
                        self.diagnostics.push(
                            Diagnostic::error(Code::E0305, field.key.span, format!("`{key}` is not a valid annotation key: {problem}"))
                                .with_label("invalid annotation key")
                                .with_help("an annotation key is written like a label key: an optional DNS prefix and `/`, then up to 63 letters, digits, `-`, `_` or `.`"),
                        );
                    });
                    if let (Ok(()), Some(value)) = (valid_key, self.string(&field.value)) {
                        out.0.push((key, value));
                    }
                }
            }
            Some((_, value)) => self.type_error(
                value,
                "annotations",
                "annotations such as `{ \"example.com/owner\" = \"books\" }`",
            ),
            None => {}
        }
        out
    }

    fn strings(&mut self, values: &[Value], valid: impl Fn(&mut Checker, &str, &Value) -> bool) -> Vec<String> {
        values
            .iter()
            .filter_map(|value| {
                let text = self.string(value)?;
                valid(self, &text, value).then_some(text)
            })
            .collect()
    }
}

/// Whether two hosts overlap as Istio's `host.Name.Matches` sees it: a
/// wildcard `*X` covers every host ending in `X`, two wildcards overlap
/// when one suffix ends with the other.
fn hosts_overlap(a: &str, b: &str) -> bool {
    match (a.strip_prefix('*'), b.strip_prefix('*')) {
        (Some(x), Some(y)) => x.ends_with(y) || y.ends_with(x),
        (Some(x), None) => b.ends_with(x),
        (None, Some(y)) => a.ends_with(y),
        (None, None) => a == b,
    }
}

/// Service settings after checking.
#[derive(Default)]
struct Settings {
    hosts: Vec<String>,
    gateways: Vec<String>,
    export_to: Vec<String>,
    workload_selector: Option<WorkloadSelector>,
    labels: Pairs<String>,
    annotations: Pairs<String>,
    destination_rule_name: Option<String>,
    virtual_service_name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checking_on_several_threads_gives_the_same_result() {
        let mut text = String::new();
        for i in 0..(PARALLEL_SERVICES + 40) {
            let bad = if i % 50 == 7 { "v9" } else { "v1" };
            text.push_str(&format!(
                "service s{i} {{\n  subset v1 {{ version = \"v1\" }}\n  route {{ to {bad} 60%, s{}/v1 40% }}\n}}\n",
                (i + 1) % (PARALLEL_SERVICES + 40)
            ));
        }
        let parsed = crate::syntax::parse(0, &text);
        let one = check_on(&[&parsed.file], 1);
        let many = check_on(&[&parsed.file], 3);
        assert_eq!(one.program, many.program);
        assert_eq!(one.diagnostics, many.diagnostics);
        assert_eq!(one.symbols.references, many.symbols.references);
        assert!(one.diagnostics.len() >= 10);
    }
}
