//! Service assembly: one service block to its DestinationRule and
//! VirtualService (subsets, policies, settings, routes), with the checks
//! that span the whole service (unreachable routes, repeated matches,
//! overlapping hosts, `export_to`).

use foldhash::{HashMap, HashMapExt};

use super::routes::CheckedRoute;
use super::symbols::writes_destination_rule;
use super::{Checker, ServiceId, shadowing, values};
use crate::diag::{Code, Diagnostic, Severity};
use crate::model::Program;
use crate::model::istio::*;
use crate::span::Span;
use crate::syntax::ast::{self, RouteKind, ServiceKind, SettingKey, StatementKind, Value, ValueKind};

impl Checker<'_> {
    /// Checks one service and adds its resources to `program`.
    pub(super) fn service(&mut self, file: &ast::File, service: &ast::Service, id: ServiceId, program: &mut Program) {
        self.looked_up.clear();
        self.read_all_names = false;
        self.read_untracked = false;
        let host = self.table.services.get(id).map(|s| s.host.clone()).unwrap_or_default();
        let namespace = file.namespace.as_ref().map(|ns| ns.name.as_str());
        let mut settings = self.settings(service, &host, namespace);
        let delegate = service.kind == ServiceKind::Delegate;
        if delegate {
            // A VirtualService without hosts and gateways is a delegate.
            self.delegate_block(service);
            settings.hosts.clear();
            settings.gateways.clear();
        }
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
        let mut tried: Vec<Option<Tried<'_>>> = Vec::new();
        for route in &service.routes {
            if let Some(name) = &route.name {
                if name.name.is_empty() {
                    self.diagnostics.push(
                        Diagnostic::error(Code::E0301, name.span, "a route name is not empty")
                            .with_label("empty name")
                            .with_help("leave the name out, or write one, such as `route \"to v2\" { ... }`"),
                    );
                }
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
            let before = self.diagnostics.len();
            match self.route(id, route) {
                CheckedRoute::Http(checked) => {
                    let clean = !self
                        .diagnostics
                        .get(before..)
                        .is_some_and(|new| new.iter().any(|d| d.severity == Severity::Error));
                    tried.push(clean.then(|| Tried::new(route, &checked.matches)).flatten());
                    if clean {
                        self.route_hazards(route, &checked, false);
                    }
                    http.push(*checked);
                }
                CheckedRoute::Tcp(checked) => tcp.push(checked),
                CheckedRoute::Tls(checked) => tls.push(checked),
            }
        }
        self.unreachable_routes(service);
        self.shadowed_matches(&tried);
        self.sticky_split(service, &host, traffic_policy.as_ref(), &subsets, &http);
        self.locality_hazards(traffic_policy.as_ref(), None, policy_fields(&service.policies));
        for spec in &subsets {
            if let Some(subset) = service.subsets.iter().find(|s| s.name.name == spec.name) {
                self.locality_hazards(
                    spec.traffic_policy.as_ref(),
                    traffic_policy.as_ref(),
                    policy_fields(&subset.policies),
                );
            }
        }

        // A named DestinationRule is written even when it sets nothing but
        // its host, so an imported rule keeps existing.
        if !delegate && (!subsets.is_empty() || traffic_policy.is_some() || settings.destination_rule_name.is_some()) {
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
            // The `"*"` itself, in `host` or `hosts`.
            let span = service
                .settings
                .iter()
                .filter(|s| matches!(s.key, SettingKey::Host | SettingKey::Hosts))
                .flat_map(|s| &s.values)
                .find(|v| matches!(&v.kind, ValueKind::String(h) if h == "*"))
                .map_or(service.name.span, |v| v.span);
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
            program.virtual_service_sites.push(service.span);
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
            let catch_all = routes.iter().position(|r| {
                !r.unread_match && !r.statements.iter().any(|s| matches!(s.kind, StatementKind::Match(_)))
            });
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

    /// Matches that an earlier match takes every request of
    /// ([`shadowing`]): a route whose every match is such is never used
    /// (W0001), else each such match never applies (W0003).  Routes with
    /// errors take no part (what they match is not known), and the search
    /// ends at the first route without `match` (`unreachable_routes`
    /// reports the routes after it).
    fn shadowed_matches(&mut self, routes: &[Option<Tried<'_>>]) {
        // Exact repeats are found by hashing, in linear time; coverage is
        // tried against the first `COMPARED` matches of earlier routes only,
        // so a service of thousands of routes stays linear (a later one may
        // then go unreported, never wrongly reported).
        const COMPARED: usize = 256;
        let mut seen: HashMap<HttpMatch, Span> = HashMap::new();
        let mut earlier: Vec<(HttpMatch, Span)> = Vec::new();
        for tried in routes.iter().flatten() {
            if tried.matches.is_empty() {
                break;
            }
            // Each match taken first by another: (the match, the one taking it, repeated?).
            let mut taken: Vec<(Span, Span, bool)> = Vec::new();
            for (m, span) in &tried.matches {
                if let Some(first) = seen.get(m) {
                    taken.push((*span, *first, true));
                } else if let Some((_, first)) = earlier.iter().find(|(e, _)| shadowing::covers(e, m)) {
                    taken.push((*span, *first, false));
                }
                seen.entry(m.clone()).or_insert(*span);
            }
            if taken.len() == tried.matches.len() {
                let mut diag = Diagnostic::warning(Code::W0001, tried.route.keyword, "this route is never used")
                    .with_label("unreachable");
                let mut shown: Vec<Span> = Vec::new();
                for (_, first, _) in &taken {
                    if !shown.contains(first) {
                        shown.push(*first);
                        diag = diag.with_secondary(*first, "an earlier match takes these requests first");
                    }
                }
                self.diagnostics.push(diag.with_help(
                    "every request this route matches is taken by an earlier route: remove it, or move it before the route that takes its requests",
                ));
            } else {
                for (span, first, repeated) in taken {
                    let (message, label) = if repeated {
                        (
                            "this match is the same as an earlier one",
                            "the same match, tried first",
                        )
                    } else {
                        (
                            "this match takes only requests an earlier match takes",
                            "takes every request of the later match, tried first",
                        )
                    };
                    self.diagnostics.push(
                        Diagnostic::warning(Code::W0003, span, message)
                            .with_label("never applies")
                            .with_secondary(first, label)
                            .with_help("remove it, or make it differ from the earlier match"),
                    );
                }
            }
            for (m, span) in &tried.matches {
                if earlier.len() < COMPARED && !earlier.iter().any(|(e, _)| e == m) {
                    earlier.push((m.clone(), *span));
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

/// An HTTP route that checked without errors, with its matches (without
/// their labels) beside the `match` lines they came from.
pub(super) struct Tried<'r> {
    route: &'r ast::Route,
    matches: Vec<(HttpMatch, Span)>,
}

impl<'r> Tried<'r> {
    /// `None` when the matches do not line up with the route's `match` lines.
    fn new(route: &'r ast::Route, matches: &[HttpMatch]) -> Option<Tried<'r>> {
        let spans: Vec<Span> = route
            .statements
            .iter()
            .filter(|s| matches!(s.kind, StatementKind::Match(_)))
            .map(|s| s.span)
            .collect();
        (spans.len() == matches.len()).then(|| Tried {
            route,
            matches: matches.iter().map(shadowing::unlabelled).zip(spans).collect(),
        })
    }
}

/// The fields of the first `policy` block (the one that counts).
fn policy_fields(policies: &[ast::Policy]) -> &[ast::Field] {
    policies.first().map_or(&[], |p| p.fields.as_slice())
}
