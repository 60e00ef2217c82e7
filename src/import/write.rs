//! Writing planned services as `.mesh` source: the resources of each
//! service, field by field, to the items of [`super::layout`] (which lays
//! them out as `meshc fmt` does and remembers which YAML node each piece of
//! text came from), with values spelled by [`super::literals`].
//!
//! A field with no `.mesh` spelling is not dropped silently: it is reported
//! (W0005) and kept as a comment in the service, so nothing is lost.

use super::layout::{Item, Out};
use super::literals::{
    bare, compact, duration, inline, inline_labels, is_number, key_text, percent, quote, spell, string_match,
};
use super::plan::{Plan, Resource, Service, header_span, is_identifier};
use super::yaml::{Node, Value};
use super::{ImportedFile, Written};
use crate::catalogue::{self, Field, FieldType};
use crate::diag::{Code, Diagnostic};
use crate::span::Span;
use crate::words::{self, Place};

/// Writes every service of `plan`, one file per namespace.
pub(super) fn write(plan: &Plan<'_>, diagnostics: &mut Vec<Diagnostic>) -> Vec<Written> {
    let mut namespaces: Vec<Option<&str>> = Vec::new();
    for service in &plan.services {
        if !namespaces.contains(&service.namespace.as_deref()) {
            namespaces.push(service.namespace.as_deref());
        }
    }
    namespaces
        .into_iter()
        .map(|namespace| {
            let mut out = Out::default();
            if let Some(ns) = namespace {
                let from = plan.services.iter().find(|s| s.namespace.as_deref() == namespace);
                let at = from
                    .and_then(|s| s.rule.or(s.routes))
                    .and_then(|r| r.doc.get("metadata"));
                let origin = at.and_then(|m| m.get("namespace")).map_or(Span::default(), |n| n.span);
                out.item(&Item::line(origin).word("namespace").word(ns), 0);
            }
            for (index, service) in plan.services.iter().enumerate() {
                if service.namespace.as_deref() == namespace {
                    let mut writer = ServiceWriter {
                        plan,
                        index,
                        dropped: Vec::new(),
                        diagnostics,
                    };
                    let block = writer.service(service);
                    if !out.text.is_empty() {
                        out.text.push('\n');
                    }
                    out.item(&block, 0);
                }
            }
            let (text, origins) = out.finish();
            Written {
                file: ImportedFile {
                    namespace: namespace.map(str::to_string),
                    // Named by the caller of `import`.
                    name: String::new(),
                    text,
                },
                origins,
            }
        })
        .collect()
}

/// Writes one service, collecting what it cannot express.
struct ServiceWriter<'p, 'a, 'd> {
    plan: &'p Plan<'a>,
    index: usize,
    /// Comments for fields that were not imported.
    dropped: Vec<Item>,
    diagnostics: &'d mut Vec<Diagnostic>,
}

impl ServiceWriter<'_, '_, '_> {
    fn service(&mut self, service: &Service<'_>) -> Item {
        let resource = service.rule.or(service.routes);
        // A service made for subsets that routes use comes from those routes.
        let introduced = service.external_subsets.first().map_or(Span::default(), |(_, at)| *at);
        let origin = resource.map_or(introduced, |r| header_span(r.doc));
        let mut body = Vec::new();
        let rule_spec = service.rule.and_then(|r| r.spec);
        let vs_spec = service.routes.and_then(|r| r.spec);

        for resource in service.rule.iter().chain(service.routes.iter()) {
            self.metadata(resource);
        }
        let mut settings = self.settings(service, rule_spec, vs_spec);
        body.append(&mut settings);

        let mut sections: Vec<Vec<Item>> = Vec::new();
        if let Some(spec) = rule_spec {
            self.unknown_keys(
                spec,
                "spec",
                &["host", "trafficPolicy", "subsets", "exportTo", "workloadSelector"],
            );
            if let Some(policy) = spec.get("trafficPolicy") {
                sections.push(vec![self.policy(policy, "spec.trafficPolicy")]);
            }
            let subsets: Vec<Item> = spec
                .list("subsets")
                .iter()
                .enumerate()
                .filter_map(|(i, subset)| self.subset(subset, &format!("spec.subsets[{i}]")))
                .collect();
            sections.push(subsets);
        }
        if let Some(spec) = vs_spec {
            self.unknown_keys(spec, "spec", &["hosts", "gateways", "http", "tcp", "tls", "exportTo"]);
            let mut routes = Vec::new();
            for kind in ["http", "tcp", "tls"] {
                for (i, route) in spec.list(kind).iter().enumerate() {
                    routes.push(self.route(kind, route, &format!("spec.{kind}[{i}]")));
                }
            }
            sections.push(routes);
        }
        sections.push(std::mem::take(&mut self.dropped));
        for mut section in sections {
            if let Some(first) = section.first_mut() {
                first.blank_before = true;
            }
            body.append(&mut section);
        }
        let keyword = if service.delegate { "delegate" } else { "service" };
        Item::block(origin, body).word(keyword).word(&service.name)
    }

    // ------------------------------------------------------------ settings

    fn settings(&mut self, service: &Service<'_>, rule: Option<&Node>, vs: Option<&Node>) -> Vec<Item> {
        let mut items = Vec::new();
        let host_node = rule
            .and_then(|s| s.get("host"))
            .or_else(|| vs.and_then(|s| s.get("hosts")).and_then(|h| h.items().first()));
        let introduced = service.external_subsets.first().map_or(Span::default(), |(_, at)| *at);
        let origin = host_node.map_or(introduced, |n| n.span);
        if service.explicit_host && !service.host.is_empty() {
            // Fully qualified: a short host would name a service of the
            // namespace of whichever VirtualService routes to it.
            items.push(Item::line(origin).word("host").word(quote(service.qualified_host())));
        }
        if let Some(vs) = vs {
            let hosts = vs.list("hosts");
            let mut own_seen = false;
            let extra: Vec<&Node> = hosts
                .iter()
                .filter(|h| {
                    let own = !own_seen && service.is_own_host(h.text().unwrap_or(""));
                    own_seen |= own;
                    !own
                })
                .collect();
            if let Some(item) = list_setting("hosts", &extra, vs.get("hosts")) {
                items.push(item);
            }
            let gateways: Vec<&Node> = vs.list("gateways").iter().collect();
            if let Some(item) = list_setting("gateways", &gateways, vs.get("gateways")) {
                items.push(item);
            }
        }
        let export_rule = rule.and_then(|s| s.get("exportTo"));
        let export_vs = vs.and_then(|s| s.get("exportTo"));
        match (export_rule, export_vs) {
            (Some(a), Some(b)) if compact(a) != compact(b) => self.drop_field(
                b,
                "spec.exportTo",
                "meshc exports both resources of a service to the same namespaces, and this differs from the DestinationRule's `exportTo`",
            ),
            // Only one of the two resources limits where it is visible: the
            // setting will limit both.
            (Some(only), None) | (None, Some(only)) if rule.is_some() && vs.is_some() => {
                let (has, lacks) = if export_rule.is_some() {
                    ("DestinationRule", "VirtualService")
                } else {
                    ("VirtualService", "DestinationRule")
                };
                self.diagnostics.push(
                    Diagnostic::warning(
                        Code::W0005,
                        only.span,
                        format!("the {has}'s `exportTo` will apply to the {lacks} too, which has none"),
                    )
                    .with_note("a service has one `export_to` for both of its resources")
                    .with_help(format!("check that the {lacks} may be limited to these namespaces")),
                );
            }
            _ => {}
        }
        if let Some(export) = export_rule.or(export_vs) {
            let values: Vec<&Node> = export.items().iter().collect();
            if let Some(item) = list_setting("export_to", &values, Some(export)) {
                items.push(item);
            }
        }
        if !service.external_subsets.is_empty() {
            let mut item = Item::line(origin).word("external_subsets");
            for (i, (subset, at)) in service.external_subsets.iter().enumerate() {
                if i > 0 {
                    item = item.glue(",");
                }
                item = item.word_at(key_text(subset), *at);
            }
            items.push(item);
        }
        if let Some(selector) = rule.and_then(|s| s.get("workloadSelector")) {
            self.unknown_keys(selector, "spec.workloadSelector", &["matchLabels"]);
            if let Some(labels) = selector.get("matchLabels") {
                let item = Item::line(selector.span)
                    .word("workload_selector")
                    .word(inline_labels(labels));
                items.push(item);
            }
        }
        for setting in ["labels", "annotations"] {
            if let Some(item) = self.metadata_setting(service, setting) {
                items.push(item);
            }
        }
        for (setting, resource) in [("destination_rule", service.rule), ("virtual_service", service.routes)] {
            // A rule with neither subsets nor a policy is written only
            // when it is named.
            let bare_rule = setting == "destination_rule"
                && rule
                    .is_some_and(|s| !s.get("subsets").is_some_and(Node::is_set) && s.get("trafficPolicy").is_none());
            if let Some(resource) = resource
                && (resource.name != service.name || bare_rule)
                && !resource.name.is_empty()
            {
                let at = resource
                    .doc
                    .get("metadata")
                    .and_then(|m| m.get("name"))
                    .map_or(origin, |n| n.span);
                items.push(Item::line(at).word(setting).word(quote(resource.name)));
            }
        }
        items
    }

    /// `labels { }` or `annotations { }`: the metadata of both resources,
    /// taken from the DestinationRule when both have some.
    fn metadata_setting(&mut self, service: &Service<'_>, setting: &str) -> Option<Item> {
        let rule = metadata_pairs(service.rule, setting);
        let routes = metadata_pairs(service.routes, setting);
        if let (Some((_, a)), Some((node, b))) = (&rule, &routes) {
            let text = |p: &[&(Node, Node)]| p.iter().map(|(k, v)| (compact(k), compact(v))).collect::<Vec<_>>();
            if text(a) != text(b) {
                let path = format!("metadata.{setting}");
                self.drop_field(node, &path, "a service gives both of its resources the same metadata, and the VirtualService's differs from the DestinationRule's");
            }
        }
        let (node, pairs) = rule.or(routes)?;
        let body = pairs.into_iter().map(|(k, v)| label(k, v)).collect();
        Some(Item::block(node.span, body).word(setting))
    }

    /// Reports the metadata that `.mesh` does not keep.
    fn metadata(&mut self, resource: &Resource<'_>) {
        // `status` is written by the cluster.
        self.unknown_keys(resource.doc, "", &["apiVersion", "kind", "metadata", "spec", "status"]);
        const IDENTITY: &[&str] = &["name", "namespace", "labels", "annotations"];
        // Written by the API server, not by people.
        const SERVER: &[&str] = &[
            "uid",
            "resourceVersion",
            "generation",
            "creationTimestamp",
            "managedFields",
            "selfLink",
            "deletionTimestamp",
            "deletionGracePeriodSeconds",
        ];
        let Some(metadata) = resource.doc.get("metadata") else {
            return;
        };
        for (key, value) in metadata.entries() {
            let name = key.text().unwrap_or("");
            if IDENTITY.contains(&name) || SERVER.contains(&name) {
                continue;
            }
            self.drop_field(
                value,
                &format!("metadata.{name}"),
                "meshc writes only a resource's name and namespace",
            );
        }
    }

    // ------------------------------------------------------------ policies and subsets

    fn subset(&mut self, subset: &Node, path: &str) -> Option<Item> {
        let name_node = subset.get("name");
        let name = name_node.and_then(Node::text).unwrap_or("");
        if !is_identifier(name) {
            self.drop_field(subset, path, "a subset name must be an identifier in .mesh");
            return None;
        }
        self.unknown_keys(subset, path, &["name", "labels", "trafficPolicy"]);
        let mut body: Vec<Item> = subset
            .get("labels")
            .map(Node::entries)
            .unwrap_or_default()
            .iter()
            .map(|(k, v)| label(k, v))
            .collect();
        if let Some(policy) = subset.get("trafficPolicy") {
            body.push(self.policy(policy, &format!("{path}.trafficPolicy")));
        }
        let at = name_node.map_or(subset.span, |n| n.span);
        Some(Item::block(subset.span, body).word("subset").word_at(name, at))
    }

    /// `policy { ... }` for a TrafficPolicy, with `port N { ... }` blocks.
    fn policy(&mut self, policy: &Node, path: &str) -> Item {
        let field = catalogue::traffic_policy();
        let mut body = Vec::new();
        for (key, value) in policy.entries() {
            if key.text() == Some("portLevelSettings") {
                for (i, port) in value.items().iter().enumerate() {
                    let number = port.get("port").and_then(|p| p.get("number"));
                    let Some(number) = number.and_then(Node::text) else {
                        self.drop_field(
                            port,
                            &format!("{path}.portLevelSettings[{i}]"),
                            "a port-level setting needs `port.number`",
                        );
                        continue;
                    };
                    let item_field = field.child("portLevelSettings").and_then(|f| f.item.as_deref());
                    let rest: Vec<&(Node, Node)> = port
                        .entries()
                        .iter()
                        .filter(|(k, _)| k.text() != Some("port"))
                        .collect();
                    let inner = rest
                        .into_iter()
                        .map(|(k, v)| field_item(k, v, item_field.and_then(|f| f.child(k.text().unwrap_or("")))))
                        .collect();
                    body.push(Item::block(port.span, inner).word("port").word(bare(number)));
                }
                continue;
            }
            body.push(field_item(key, value, field.child(key.text().unwrap_or(""))));
        }
        Item::block(policy.span, body).word("policy")
    }

    // ------------------------------------------------------------ routes

    fn route(&mut self, kind: &str, route: &Node, path: &str) -> Item {
        let mut body = Vec::new();
        let allowed: &[&str] = match kind {
            "http" => &[
                "name",
                "match",
                "route",
                "redirect",
                "directResponse",
                "delegate",
                "rewrite",
                "timeout",
                "retries",
                "fault",
                "mirror",
                "mirrors",
                "mirrorPercentage",
                "mirrorPercent",
                "mirror_percent",
                "corsPolicy",
                "headers",
            ],
            _ => &["match", "route"],
        };
        self.unknown_keys(route, path, allowed);
        let matches: Vec<Option<Item>> = route
            .list("match")
            .iter()
            .enumerate()
            .map(|(i, m)| self.match_item(m, &format!("{path}.match[{i}]")))
            .collect();
        // An entry without conditions matches every request, and so does
        // the route: it gets no `match` line at all.
        if matches.iter().all(Option::is_some) {
            body.extend(matches.into_iter().flatten());
        }
        if let Some(to) = route.get("route").filter(|r| !r.items().is_empty()) {
            let (item, targets) = self.to(to, path);
            body.push(item);
            for (dest, target) in to.items().iter().zip(targets) {
                for item in self.headers(dest.get("headers"), &format!("{path}.route[].headers")) {
                    body.push(item.word("for").word(target.clone()));
                }
            }
        }
        if let Some(to) = route.get("route").filter(|r| r.items().is_empty() && r.is_set()) {
            self.drop_field(to, &format!("{path}.route"), "a route's destinations are a list");
        }
        if let Some(redirect) = route.get("redirect") {
            body.extend(self.redirect(redirect, path));
        }
        if let Some(respond) = route.get("directResponse") {
            body.push(self.respond(respond, &format!("{path}.directResponse")));
        }
        if let Some(delegate) = route.get("delegate") {
            let name = delegate.get("name").and_then(Node::text).unwrap_or("");
            let namespace = delegate.get("namespace").and_then(Node::text);
            let own = self.plan.services.get(self.index).and_then(|s| s.namespace.as_deref());
            // Bare when the delegate is imported too, so that the compiler
            // checks it; quoted for one outside the import.
            let imported = self.plan.delegate(name, namespace, own).is_some();
            let mut item = Item::line(delegate.span).word("delegate");
            item = item.word(if imported { name.to_string() } else { quote(name) });
            if let Some(ns) = namespace {
                item = item
                    .word("namespace")
                    .word(if imported { ns.to_string() } else { quote(ns) });
            }
            body.push(item);
        }
        if let Some(rewrite) = route.get("rewrite") {
            self.unknown_keys(
                rewrite,
                &format!("{path}.rewrite"),
                &["uri", "authority", "uriRegexRewrite"],
            );
            if let Some(uri) = rewrite.get("uri").and_then(Node::text) {
                body.push(Item::line(rewrite.span).word("rewrite uri").word(quote(uri)));
            }
            if let Some(regex) = rewrite.get("uriRegexRewrite") {
                let text = |k: &str| quote(regex.get(k).and_then(Node::text).unwrap_or(""));
                body.push(
                    Item::line(regex.span)
                        .word("rewrite uri regex")
                        .word(text("match"))
                        .word(text("rewrite")),
                );
            }
            if let Some(authority) = rewrite.get("authority").and_then(Node::text) {
                body.push(
                    Item::line(rewrite.span)
                        .word("rewrite authority")
                        .word(quote(authority)),
                );
            }
        }
        if let Some(timeout) = route.get("timeout").and_then(Node::text) {
            let node = route.get("timeout").map_or(route.span, |n| n.span);
            body.push(Item::line(node).word("timeout").word(duration(timeout)));
        }
        if let Some(retries) = route.get("retries") {
            body.push(self.retries(retries, &format!("{path}.retries")));
        }
        if let Some(fault) = route.get("fault") {
            body.extend(self.fault(fault, &format!("{path}.fault")));
        }
        body.extend(self.mirrors(route, path));
        if let Some(headers) = route.get("headers") {
            body.extend(self.headers(Some(headers), &format!("{path}.headers")));
        }
        if let Some(cors) = route.get("corsPolicy") {
            let field = catalogue::cors_policy();
            let inner = cors
                .entries()
                .iter()
                .map(|(k, v)| field_item(k, v, field.child(k.text().unwrap_or(""))))
                .collect();
            body.push(Item::block(cors.span, inner).word("cors"));
        }
        // The route's line points at its first key, not at the whole entry.
        let origin = route.entries().first().map_or(route.span, |(k, _)| k.span);
        let mut item = Item::block(origin, body);
        if kind != "http" {
            item = item.word(kind);
        }
        item = item.word("route");
        if let Some(name) = route.get("name") {
            let text = name.text().unwrap_or("");
            if is_identifier(text) {
                item = item.word_at(text, name.span);
            } else if !text.is_empty() {
                item = item.word_at(super::literals::quote(text), name.span);
            }
        }
        item
    }

    fn match_item(&mut self, m: &Node, path: &str) -> Option<Item> {
        let mut conditions: Vec<(String, Span)> = Vec::new();
        for (key, value) in m.entries() {
            let name = key.text().unwrap_or("");
            let at = key.span.to(value.span);
            match name {
                "uri" | "scheme" | "method" | "authority" => match string_match(value) {
                    Some(test) => conditions.push((format!("{name} {test}"), at)),
                    None => self.drop_field(
                        value,
                        &format!("{path}.{name}"),
                        "a string match sets exactly one of `exact`, `prefix` and `regex`",
                    ),
                },
                "headers" | "withoutHeaders" | "queryParams" => {
                    let word = match name {
                        "headers" => "header",
                        "withoutHeaders" => "without header",
                        _ => "query",
                    };
                    for (header, test) in value.entries() {
                        let header_name = quote(header.text().unwrap_or(""));
                        let test_text = match &test.value {
                            Value::Map(entries) if entries.is_empty() => Some("present".to_string()),
                            _ => string_match(test),
                        };
                        match test_text {
                            Some(t) => {
                                conditions.push((format!("{word} {header_name} {t}"), header.span.to(test.span)))
                            }
                            None => self.drop_field(
                                test,
                                &format!("{path}.{name}.{}", header.text().unwrap_or("")),
                                "a string match sets exactly one of `exact`, `prefix` and `regex`",
                            ),
                        }
                    }
                }
                "port" => conditions.push((format!("port {}", bare(value.text().unwrap_or(""))), at)),
                "sourceLabels" => conditions.push((format!("source {}", inline_labels(value)), at)),
                "sourceNamespace" => {
                    conditions.push((format!("source namespace {}", quote(value.text().unwrap_or(""))), at))
                }
                "gateways" | "sniHosts" | "destinationSubnets" => {
                    let word = match name {
                        "gateways" => "gateway",
                        "sniHosts" => "sni",
                        _ => "destination_subnet",
                    };
                    for item in value.items() {
                        conditions.push((format!("{word} {}", quote(item.text().unwrap_or(""))), item.span));
                    }
                }
                "sourceSubnet" => conditions.push((format!("source_subnet {}", quote(value.text().unwrap_or(""))), at)),
                "ignoreUriCase" => {
                    if value.text() == Some("true") {
                        conditions.push(("ignore_uri_case".to_string(), at));
                    }
                }
                "name" => conditions.push((format!("name {}", quote(value.text().unwrap_or(""))), at)),
                "statPrefix" => conditions.push((format!("stat_prefix {}", quote(value.text().unwrap_or(""))), at)),
                _ => self.drop_field(value, &format!("{path}.{name}"), "meshc knows no such match condition"),
            }
        }
        if conditions.is_empty() {
            return None;
        }
        let mut item = Item::line(m.span).word("match");
        for (i, (condition, at)) in conditions.into_iter().enumerate() {
            if i > 0 {
                item = item.word("and");
            }
            item = item.word_at(condition, at);
        }
        Some(item)
    }

    /// `to DEST [W%], ...`
    /// `to DEST [W%], ...`, and how each destination was written.
    fn to(&mut self, to: &Node, path: &str) -> (Item, Vec<String>) {
        let destinations = to.items();
        let mut item = Item::line(to.span).word("to");
        let mut targets = Vec::with_capacity(destinations.len());
        for (i, dest) in destinations.iter().enumerate() {
            if i > 0 {
                item = item.glue(",");
            }
            let at = dest
                .get("destination")
                .map_or(dest.span, |d| d.get("subset").unwrap_or(d).span);
            self.unknown_keys(
                dest,
                &format!("{path}.route[{i}]"),
                &["destination", "weight", "headers"],
            );
            let target = self.target(dest.get("destination"), &format!("{path}.route[{i}].destination"));
            item = item.word_at(target.clone(), at);
            targets.push(target);
            if let Some(weight) = dest.get("weight") {
                let text = weight.text().unwrap_or("");
                if !is_number(text) {
                    self.drop_field(weight, &format!("{path}.route[{i}].weight"), "a weight is a number");
                } else if destinations.len() > 1 || text != "100" {
                    item = item.word_at(format!("{text}%"), weight.span);
                }
            }
        }
        (item, targets)
    }

    /// How a `destination` block is written: `v1`, `svc/v1`, `svc`, `"host"`,
    /// each with an optional `:PORT`.
    /// A subset or port that `.mesh` cannot spell is reported and left out.
    fn target(&mut self, destination: Option<&Node>, path: &str) -> String {
        let Some(destination) = destination else {
            return quote("");
        };
        let host = destination.get("host").and_then(Node::text).unwrap_or("");
        let mut subset = destination.get("subset").and_then(Node::text);
        if let Some(node) = destination.get("subset").filter(|_| !subset.is_some_and(is_identifier)) {
            self.drop_field(
                node,
                &format!("{path}.subset"),
                "a subset name must be an identifier in .mesh",
            );
            subset = None;
        }
        let namespace = self.plan.services.get(self.index).and_then(|s| s.namespace.as_deref());
        let found = self.plan.lookup(host, namespace);
        let mut text = match (found.and_then(|i| self.plan.services.get(i)), subset) {
            (Some(_), Some(subset)) if found == Some(self.index) => subset.to_string(),
            (Some(service), Some(subset)) => format!("{}/{subset}", service.name),
            // A bare name means a subset of this service first.
            (Some(service), None) if !self.has_own_subset(&service.name) => service.name.clone(),
            _ => quote(host),
        };
        self.unknown_keys(destination, path, &["host", "subset", "port"]);
        if let Some(port) = destination.get("port") {
            self.unknown_keys(port, &format!("{path}.port"), &["number"]);
            if let Some(number_node) = port.get("number") {
                match number_node
                    .text()
                    .filter(|p| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                {
                    Some(number) => {
                        text.push(':');
                        text.push_str(number);
                    }
                    None => self.drop_field(number_node, &format!("{path}.port.number"), "a port is a number"),
                }
            }
        }
        text
    }

    /// Whether the service being written has a subset called `name`.
    fn has_own_subset(&self, name: &str) -> bool {
        let Some(own) = self.plan.services.get(self.index) else {
            return false;
        };
        let defined = own.rule.and_then(|r| r.spec).map(|s| s.list("subsets"));
        own.external_subsets.iter().any(|(s, _)| s == name)
            || defined
                .unwrap_or_default()
                .iter()
                .any(|s| s.get("name").and_then(Node::text) == Some(name))
    }

    fn redirect(&mut self, redirect: &Node, path: &str) -> Option<Item> {
        let path = format!("{path}.redirect");
        let item = self.options(
            Item::line(redirect.span).word("redirect"),
            redirect,
            &path,
            "redirect",
            &[],
        );
        // `redirect` alone says nothing.
        if item.line.len() > 1 {
            return Some(item);
        }
        if !redirect.entries().is_empty() {
            return None;
        }
        self.drop_field(redirect, &path, "a redirect sets at least one of its fields");
        None
    }

    /// Appends `OPTION VALUE` for each field of `node` that an option of
    /// `statement` writes (the words table says which field and what value
    /// each option takes); fields in `skip` are written elsewhere, any other
    /// is not imported.
    fn options(&mut self, mut item: Item, node: &Node, path: &str, statement: &'static str, skip: &[&str]) -> Item {
        for (key, value) in node.entries() {
            let name = key.text().unwrap_or("");
            if skip.contains(&name) {
                continue;
            }
            let option = words::at(Place::OptionOf(statement))
                .find(|w| w.field.and_then(|f| f.rsplit('.').next()) == Some(name));
            match option {
                Some(option) => {
                    item = item
                        .word(option.text)
                        .word_at(spell(option.takes, value.text().unwrap_or("")), value.span);
                }
                None => self.drop_field(value, &format!("{path}.{name}"), "meshc has no such option here"),
            }
        }
        item
    }

    fn respond(&mut self, respond: &Node, path: &str) -> Item {
        self.unknown_keys(respond, path, &["status", "body"]);
        let status = respond.get("status").and_then(Node::text).unwrap_or("");
        let mut item = Item::line(respond.span).word("respond").word(bare(status));
        if let Some(body) = respond.get("body") {
            if let Some(text) = body.get("string").and_then(Node::text) {
                item = item.word(quote(text));
            } else if let Some(bytes) = body.get("bytes").and_then(Node::text) {
                item = item.word("bytes").word(quote(bytes));
            }
        }
        item
    }

    fn retries(&mut self, retries: &Node, path: &str) -> Item {
        let attempts = retries.get("attempts").and_then(Node::text).unwrap_or("0");
        let item = Item::line(retries.span).word("retries").word(bare(attempts));
        self.options(item, retries, path, "retries", &["attempts"])
    }

    fn fault(&mut self, fault: &Node, path: &str) -> Vec<Item> {
        self.unknown_keys(fault, path, &["delay", "abort"]);
        let mut items = Vec::new();
        if let Some(delay) = fault.get("delay") {
            self.unknown_keys(
                delay,
                &format!("{path}.delay"),
                &["fixedDelay", "exponentialDelay", "percentage", "percent"],
            );
            let mut item = Item::line(delay.span).word("fault delay");
            if let Some(d) = delay.get("exponentialDelay").and_then(Node::text) {
                item = item.word("exponential").word(duration(d));
            } else {
                item = item.word(duration(delay.get("fixedDelay").and_then(Node::text).unwrap_or("")));
            }
            items.push(self.fault_share(item, delay, "percent"));
        }
        if let Some(abort) = fault.get("abort") {
            let abort_path = format!("{path}.abort");
            self.unknown_keys(
                abort,
                &abort_path,
                &["httpStatus", "grpcStatus", "http2Error", "percentage"],
            );
            let item = Item::line(abort.span).word("fault abort");
            if let Some(status) = abort.get("grpcStatus").and_then(Node::text) {
                items.push(self.fault_share(item.word("grpc").word(quote(status)), abort, ""));
            } else if let Some(status) = abort.get("httpStatus").and_then(Node::text) {
                items.push(self.fault_share(item.word(bare(status)), abort, ""));
            }
            if let Some(error) = abort.get("http2Error") {
                self.drop_field(
                    error,
                    &format!("{abort_path}.http2Error"),
                    "istiod does not support HTTP/2 error aborts",
                );
            }
        }
        items
    }

    /// Appends a fault's percentage.  Istio injects a fault without one
    /// into no request at all, so it is written as `0%` and reported:
    /// in `.mesh` a fault without a percentage applies to every request.
    fn fault_share(&mut self, item: Item, fault: &Node, legacy: &str) -> Item {
        if fault.get("percentage").is_some() || (!legacy.is_empty() && fault.get(legacy).is_some()) {
            return with_percentage(item, fault, legacy);
        }
        self.diagnostics.push(
            Diagnostic::warning(
                Code::W0006,
                fault.span,
                "Istio injects this fault into no request: it has no percentage",
            )
            .with_note("imported as `0%`, which keeps what the cluster does today")
            .with_help("write the share of requests you meant, such as `100%`"),
        );
        item.word("0%")
    }

    fn mirrors(&mut self, route: &Node, path: &str) -> Vec<Item> {
        let mut items = Vec::new();
        if let Some(mirror) = route.get("mirror") {
            let target = self.target(Some(mirror), &format!("{path}.mirror"));
            let item = Item::line(mirror.span).word("mirror").word(target);
            let share = route
                .get("mirrorPercentage")
                .and_then(|p| p.get("value"))
                .or_else(|| route.get("mirrorPercent"))
                .or_else(|| route.get("mirror_percent"));
            items.push(match share.and_then(Node::text) {
                Some(p) => item.word(percent(p)),
                None => item,
            });
        } else if let Some(orphan) = route.get("mirrorPercentage") {
            self.drop_field(
                orphan,
                &format!("{path}.mirrorPercentage"),
                "a mirror percentage needs a `mirror`",
            );
        }
        for mirror in route.list("mirrors") {
            let item = Item::line(mirror.span)
                .word("mirror")
                .word(self.target(mirror.get("destination"), &format!("{path}.mirrors[].destination")));
            items.push(with_percentage(item, mirror, ""));
        }
        items
    }

    /// `headers SIDE OP ...` lines for a `headers` block.
    fn headers(&mut self, headers: Option<&Node>, path: &str) -> Vec<Item> {
        let mut items = Vec::new();
        let Some(headers) = headers else {
            return items;
        };
        self.unknown_keys(headers, path, &["request", "response"]);
        for (side, ops) in headers.entries() {
            let side_name = side.text().unwrap_or("");
            if !matches!(side_name, "request" | "response") {
                continue;
            }
            self.unknown_keys(ops, &format!("{path}.{side_name}"), &["set", "add", "remove"]);
            for (op, values) in ops.entries() {
                let op_name = op.text().unwrap_or("");
                if !matches!(op_name, "set" | "add" | "remove") {
                    continue;
                }
                let head = format!("headers {side_name} {op_name}");
                if op_name == "remove" {
                    for name in values.items() {
                        items.push(Item::line(name.span).word(&head).word(quote(name.text().unwrap_or(""))));
                    }
                } else {
                    for (name, value) in values.entries() {
                        let item = Item::line(name.span.to(value.span))
                            .word(&head)
                            .word(quote(name.text().unwrap_or("")))
                            .word(quote(value.text().unwrap_or("")));
                        items.push(item);
                    }
                }
            }
        }
        items
    }

    // ------------------------------------------------------------ what is not imported

    fn unknown_keys(&mut self, node: &Node, path: &str, known: &[&str]) {
        for (key, value) in node.entries() {
            let name = key.text().unwrap_or("");
            if !known.contains(&name) {
                let path = if path.is_empty() {
                    name.to_string()
                } else {
                    format!("{path}.{name}")
                };
                self.drop_field(value, &path, "meshc knows no such field");
            }
        }
    }

    /// Reports a field that is not imported and keeps it as a comment.
    fn drop_field(&mut self, node: &Node, path: &str, why: &str) {
        let text = compact(node);
        // Control characters are escaped: a line break would end the
        // comment and let the rest be read as source.
        let comment: String = format!("// not imported: {path}: {text}")
            .chars()
            .flat_map(|c| {
                let escaped: Vec<char> = if c.is_control() {
                    c.escape_default().collect()
                } else {
                    vec![c]
                };
                escaped
            })
            .collect();
        self.dropped.push(Item::comment(comment.trim_end().to_string()));
        self.diagnostics.push(
            Diagnostic::warning(Code::W0005, node.span, format!("`{path}` is not imported: {why}"))
                .with_note("it is kept as a comment in the service")
                .with_help("express it another way or apply it with a separate manifest"),
        );
    }
}

/// The entries of `metadata.SETTING` of a resource, if any.
fn metadata_pairs<'a>(resource: Option<Resource<'a>>, setting: &str) -> Option<(&'a Node, Vec<&'a (Node, Node)>)> {
    let node = resource?.doc.get("metadata")?.get(setting)?;
    let pairs: Vec<&(Node, Node)> = node.entries().iter().filter(|(k, _)| !server_annotation(k)).collect();
    (!pairs.is_empty()).then_some((node, pairs))
}

/// An annotation written by `kubectl apply`, not by people.
fn server_annotation(key: &Node) -> bool {
    key.text() == Some("kubectl.kubernetes.io/last-applied-configuration")
}

/// `name "a", "b"` for a setting whose values are strings.
fn list_setting(name: &str, values: &[&Node], origin: Option<&Node>) -> Option<Item> {
    let first = values.first()?;
    let mut item = Item::line(origin.map_or(first.span, |n| n.span)).word(name);
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            item = item.glue(",");
        }
        item = item.word_at(quote(value.text().unwrap_or("")), value.span);
    }
    Some(item)
}

/// Appends ` P%` from a `percentage: {value: P}` (or the deprecated
/// integer field `legacy`).
fn with_percentage(item: Item, node: &Node, legacy: &str) -> Item {
    let value = node
        .get("percentage")
        .and_then(|p| p.get("value"))
        .or_else(|| (!legacy.is_empty()).then(|| node.get(legacy)).flatten());
    match value.and_then(Node::text) {
        Some(p) => item.word_at(percent(p), value.map_or(node.span, |v| v.span)),
        None => item,
    }
}

/// `KEY = "VALUE"`.
fn label(key: &Node, value: &Node) -> Item {
    let text = value.text().unwrap_or("");
    Item::line(key.span.to(value.span))
        .word(key_text(key.text().unwrap_or("")))
        .word("=")
        .word(quote(text))
}

/// One field of a policy or CORS block: `path = value`, or `path { ... }`.
/// An object with one field is written as a dotted path
/// (`loadBalancer.simple = ROUND_ROBIN`).
fn field_item(key: &Node, value: &Node, field: Option<&Field>) -> Item {
    let mut path = key_text(key.text().unwrap_or(""));
    let (mut node, mut field) = (value, field);
    while let [(inner_key, inner)] = node.entries()
        && field.is_none_or(|f| f.ty == FieldType::Object)
        && is_identifier(inner_key.text().unwrap_or(""))
        && is_identifier(&path)
    {
        let name = inner_key.text().unwrap_or("");
        path = format!("{path}.{name}");
        field = field.and_then(|f| f.child(name));
        node = inner;
    }
    match &node.value {
        Value::Map(entries) => {
            let map_item = field.filter(|f| f.ty == FieldType::Map).and_then(|f| f.item.as_deref());
            let body = entries
                .iter()
                .map(|(k, v)| {
                    let child = match map_item {
                        Some(item) => Some(item),
                        None => field.and_then(|f| f.child(k.text().unwrap_or(""))),
                    };
                    field_item(k, v, child)
                })
                .collect();
            Item::block(key.span.to(node.span), body).word(path)
        }
        _ => Item::line(key.span.to(node.span))
            .word(path)
            .word("=")
            .word_at(inline(node, field), node.span),
    }
}
