//! Blocks checked against the field catalogue: traffic policies, CORS
//! policies and any other block that uses Istio's own field names.
//!
//! Dotted paths and nested blocks are interchangeable
//! (`outlierDetection.interval = 5s` and `outlierDetection { interval = 5s }`
//! set the same field), so fields are first merged into a tree, then checked
//! for exclusive groups and emitted in Istio's documented order.

use foldhash::{HashMap, HashMapExt};

use super::Checker;
use crate::catalogue::{self, Field as Schema, FieldType, Rule};
use crate::diag::{Code, Diagnostic};
use crate::model::istio::Node;
use crate::span::Span;
use crate::suggest::closest;
use crate::syntax::ast::{Field, Ident, Policy, Value, ValueKind};

/// A field set while merging a block: a value (`leaf`), or a block whose
/// fields are `children` (`block` holds its schema).
struct Entry {
    name: String,
    /// Position in Istio's order.
    index: usize,
    /// Where the field was (first) set.
    span: Span,
    /// Where its value is written.
    value_span: Span,
    leaf: Option<Node>,
    block: Option<&'static Schema>,
    children: Vec<Entry>,
}

impl Entry {
    /// A field refused where it was written (and reported there): it keeps
    /// its block from reading as empty, which would be a second error for
    /// the one mistake, and is left out of the output.
    fn refused(span: Span) -> Entry {
        Entry {
            name: String::new(),
            index: usize::MAX,
            span,
            value_span: span,
            leaf: None,
            block: None,
            children: Vec::new(),
        }
    }
}

impl Checker<'_> {
    /// Checks a service's or subset's `policy` blocks; returns the
    /// trafficPolicy.
    pub(super) fn traffic_policy(&mut self, policies: &[Policy]) -> Option<Node> {
        let (first, rest) = policies.split_first()?;
        for extra in rest {
            self.diagnostics.push(
                Diagnostic::error(Code::E0211, extra.keyword, "a second `policy` block")
                    .with_label("second `policy` block")
                    .with_secondary(first.keyword, "first `policy` block here")
                    .with_help("put all the settings in one `policy { }` block"),
            );
        }
        let schema = catalogue::traffic_policy();
        let mut entries = Vec::new();
        for field in &first.fields {
            self.merge_field(&mut entries, field, schema);
        }
        if first.unread {
            entries.push(Entry::refused(first.keyword));
        }
        let ports = self.port_policies(first, schema);
        if let Some(ports) = ports {
            entries.push(Entry {
                name: "portLevelSettings".into(),
                index: 0,
                span: first.keyword,
                value_span: first.keyword,
                leaf: Some(ports),
                block: None,
                children: Vec::new(),
            });
        }
        Some(self.finish_object(entries, schema, first.keyword))
    }

    /// `port N { ... }` blocks: the `portLevelSettings` list.
    fn port_policies(&mut self, policy: &Policy, schema: &'static Schema) -> Option<Node> {
        let port_schema = schema.child("portLevelSettings").and_then(|f| f.item.as_deref())?;
        if policy.ports.is_empty() {
            return None;
        }
        let mut seen: HashMap<u32, Span> = HashMap::new();
        let mut ports = Vec::new();
        for port in &policy.ports {
            let Some(number) = self.port(&port.port) else { continue };
            if let Some(first) = seen.get(&number) {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0208, port.port.span, format!("port {number} has settings twice"))
                        .with_label("second block for this port")
                        .with_secondary(*first, "first block here")
                        .with_help("merge the two `port` blocks"),
                );
                continue;
            }
            seen.insert(number, port.port.span);
            let mut entries = vec![Entry {
                name: "port".into(),
                index: 0,
                span: port.port.span,
                value_span: port.port.span,
                leaf: Some(Node::Object(vec![("number".into(), Node::Int(number.into()))])),
                block: None,
                children: Vec::new(),
            }];
            let mut refused = 0;
            for field in &port.fields {
                let sets_port = field.key.segments().first().is_some_and(|s| s.name == "port");
                if sets_port {
                    refused += 1;
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::E0208,
                            field.key.span,
                            format!("the port of this block is set by `port {number}`"),
                        )
                        .with_label("set again here")
                        .with_secondary(port.port.span, "the block's port")
                        .with_help("remove this line: write the port once, as `port N { ... }`"),
                    );
                    continue;
                }
                self.merge_field(&mut entries, field, crate::catalogue::port_block());
            }
            // A block left empty by the refused line is that one mistake,
            // not another.
            if refused > 0 && refused == port.fields.len() {
                continue;
            }
            ports.push(self.finish_object(entries, port_schema, port.port.span));
        }
        Some(Node::List(ports))
    }

    /// Checks the fields of a block against an object schema.
    pub(super) fn catalogue_block(&mut self, fields: &[Field], schema: &'static Schema, span: Span) -> Node {
        let mut entries = Vec::new();
        for field in fields {
            self.merge_field(&mut entries, field, schema);
        }
        self.finish_object(entries, schema, span)
    }

    /// Adds one `path = value` or `path { ... }` to the tree of `schema`.
    fn merge_field(&mut self, entries: &mut Vec<Entry>, field: &Field, schema: &'static Schema) {
        let segments = field.key.segments();
        let Some((last, parents)) = segments.split_last() else {
            return;
        };
        let mut entries = entries;
        let mut schema = schema;
        for segment in parents {
            let Some(child) = self.child_field(schema, segment) else {
                entries.push(Entry::refused(segment.span));
                return;
            };
            if child.ty != FieldType::Object {
                self.not_a_block(segment, child);
                return;
            }
            entries = object_entry(entries, child, segment.span);
            schema = child;
        }
        let Some(child) = self.child_field(schema, last) else {
            entries.push(Entry::refused(last.span));
            return;
        };
        if let Some(replacement) = child.replaced_by {
            self.diagnostics.push(
                Diagnostic::warning(Code::W0004, last.span, format!("`{}` is deprecated", child.name))
                    .with_label("deprecated")
                    .with_help(format!("use `{replacement}` instead")),
            );
        }
        match (&child.ty, &field.value.kind) {
            (FieldType::Object, ValueKind::Object(fields)) => {
                let inner = object_entry(entries, child, last.span);
                for field in fields {
                    self.merge_field(inner, field, child);
                }
            }
            _ => {
                if let Some(existing) = entries.iter().find(|e| e.name == child.name) {
                    self.diagnostics.push(
                        Diagnostic::error(Code::E0208, field.key.span, format!("`{}` is set twice", child.path))
                            .with_label("set again here")
                            .with_secondary(existing.span, "first set here")
                            .with_help("remove one of the two settings"),
                    );
                    return;
                }
                // A field with an invalid value is still set: no "missing
                // field" on top of the value's own error.
                let node = self.node(&field.value, child);
                entries.push(Entry {
                    name: child.name.clone(),
                    index: 0,
                    span: field.key.span,
                    value_span: field.value.span,
                    leaf: node,
                    block: None,
                    children: Vec::new(),
                });
            }
        }
    }

    /// The child `segment` of `schema`, or an "unknown field" error.  A
    /// name that is a field deeper down is given its path from here; a
    /// deprecated field is never suggested.
    fn child_field(&mut self, schema: &'static Schema, segment: &Ident) -> Option<&'static Schema> {
        if let Some(child) = schema.child(&segment.name) {
            return Some(child);
        }
        let where_ = if schema.path.is_empty() {
            "here".to_string()
        } else {
            format!("in `{}`", schema.path)
        };
        let mut diag = Diagnostic::error(
            Code::E0207,
            segment.span,
            format!("unknown field `{}` {where_}", segment.name),
        );
        let below = catalogue::paths_to(schema, &segment.name);
        let names = schema
            .children
            .iter()
            .filter(|c| c.replaced_by.is_none())
            .map(|c| c.name.as_str());
        if let [path] = below.as_slice() {
            let parent = path.rsplit_once('.').map_or("", |(parent, _)| parent);
            diag = diag
                .with_label(format!("a field of `{parent}`, inside this block"))
                .with_help(format!("write `{path}`"))
                .with_fix(format!("Replace with `{path}`"), segment.span, path.clone());
        } else if !below.is_empty() {
            diag = diag
                .with_label("a field of a block inside this one")
                .with_help(format!("write the path of the one meant: {}", quote_all(&below)));
        } else if let Some(best) = closest(&segment.name, names) {
            diag = diag
                .with_label(format!("did you mean `{best}`?"))
                .with_help(format!("replace `{}` with `{best}`", segment.name))
                .with_fix(format!("Replace with `{best}`"), segment.span, best);
        } else {
            let elsewhere = catalogue::paths_to(catalogue::traffic_policy(), &segment.name);
            let all: Vec<String> = schema
                .children
                .iter()
                .filter(|c| c.replaced_by.is_none())
                .map(|c| format!("`{}`", c.name))
                .collect();
            diag = diag.with_label("unknown field");
            if schema.path.starts_with("trafficPolicy") && !elsewhere.is_empty() {
                diag = diag.with_help(format!(
                    "`{}` is set at {} of the policy, not in this block",
                    segment.name,
                    quote_all(&elsewhere)
                ));
            }
            diag = diag.with_note(format!("known fields: {}", all.join(", ")));
        }
        self.diagnostics.push(diag);
        None
    }

    fn not_a_block(&mut self, segment: &Ident, field: &Schema) {
        self.diagnostics.push(
            Diagnostic::error(
                Code::E0301,
                segment.span,
                format!("`{}` holds {}, not a block of fields", field.name, field.ty.describe()),
            )
            .with_label("not a block")
            .with_help(format!("set it with `{} = ...`", field.name)),
        );
    }

    /// Converts a value to the type of `schema` and checks the rule that
    /// Istio's webhook adds to it (see `catalogue::RULES`).
    fn node(&mut self, value: &Value, schema: &'static Schema) -> Option<Node> {
        let node = self.typed_node(value, schema)?;
        match schema.rule {
            Some(rule) if !self.follows_rule(value, &node, rule) => None,
            _ => Some(node),
        }
    }

    /// Whether a typed value follows `rule`; reports it when not.
    fn follows_rule(&mut self, value: &Value, node: &Node, rule: Rule) -> bool {
        match (rule, node) {
            (Rule::OneOf(allowed), Node::Str(text)) => {
                let known = allowed.contains(&text.as_str());
                if !known {
                    self.unknown_constant(value, text, allowed, "value");
                }
                known
            }
            (Rule::NonEmpty, Node::Str(text)) => {
                if text.is_empty() {
                    self.empty_string(value, "some text between the quotes, or leave the field out");
                }
                !text.is_empty()
            }
            (Rule::HeaderName, Node::Str(text)) => self.cors_header_name(text, value),
            (Rule::WholeSeconds, Node::Str(text)) => self.whole_seconds(text, value),
            (Rule::Prime, Node::Int(n)) => {
                let prime = super::values::is_prime(*n);
                if !prime {
                    self.diagnostics.push(
                        Diagnostic::error(Code::E0303, value.span, format!("{n} is not a prime number"))
                            .with_label("not prime")
                            .with_help("Maglev needs a prime table size, such as 65537 (the default) or 4999999"),
                    );
                }
                prime
            }
            (Rule::Positive, Node::Float(x)) => {
                if *x <= 0.0 {
                    self.diagnostics.push(
                        Diagnostic::error(Code::E0303, value.span, "value out of range: it must be above 0")
                            .with_label("not above 0")
                            .with_help("use a number above 0, such as 1 (the default), or leave the field out"),
                    );
                }
                *x > 0.0
            }
            (Rule::Locality, Node::Str(text)) => self.locality(text, value.span, false),
            (Rule::Region, Node::Str(text)) => self.locality(text, value.span, true),
            (Rule::HostOrIp, Node::Str(text)) => {
                text.parse::<std::net::IpAddr>().is_ok() || self.exact_host(text, value, "a tunnel's target")
            }
            // Map keys are checked where the map is read.
            _ => true,
        }
    }

    /// Converts a value to the type of `schema`.
    fn typed_node(&mut self, value: &Value, schema: &'static Schema) -> Option<Node> {
        match &schema.ty {
            FieldType::String if schema.name == "regex" => {
                let text = self.string(value)?;
                self.regex(value, &text).then_some(Node::Str(text))
            }
            FieldType::String | FieldType::Bytes => self.string(value).map(Node::Str),
            FieldType::Duration { at_least_1ms } => self.duration(value, *at_least_1ms).map(Node::Str),
            FieldType::Enum(allowed) => {
                let constant = self.enumeration(value, allowed, &format!("`{}` value", schema.name))?;
                if let Some(replacement) = catalogue::deprecated_value(schema, &constant) {
                    self.diagnostics.push(
                        Diagnostic::warning(Code::W0004, value.span, format!("`{constant}` is deprecated"))
                            .with_label("deprecated")
                            .with_help(format!("use `{replacement}` instead"))
                            .with_fix(format!("Replace with `{replacement}`"), value.span, replacement),
                    );
                }
                Some(Node::Str(constant))
            }
            FieldType::Integer { min, max } => self.integer(value, *min, *max).map(Node::Int),
            FieldType::Number { min, max } => self.number(value, *min, *max).map(Node::Float),
            FieldType::Bool => self.boolean(value).map(Node::Bool),
            FieldType::Object => match &value.kind {
                ValueKind::Object(fields) => Some(self.catalogue_block(fields, schema, value.span)),
                _ => {
                    let example = schema
                        .children
                        .first()
                        .map_or("{ ... }".to_string(), |c| format!("{{ {} = ... }}", c.name));
                    self.type_error(value, "a block of fields", &format!("a block such as `{example}`"));
                    None
                }
            },
            FieldType::List => {
                let item = schema.item.as_deref()?;
                match &value.kind {
                    ValueKind::List(items) => {
                        if item.path.ends_with("distribute[]") {
                            self.distinct_localities(items.iter().filter_map(|v| field_string(v, "from")));
                        }
                        Some(Node::List(items.iter().filter_map(|v| self.node(v, item)).collect()))
                    }
                    _ => {
                        self.type_error(value, "a list", "a list such as [\"a\", \"b\"]");
                        None
                    }
                }
            }
            FieldType::Map => {
                let item = schema.item.as_deref()?;
                let ValueKind::Object(fields) = &value.kind else {
                    self.type_error(value, "a map", "a map such as { \"key\" = \"value\" }");
                    return None;
                };
                let mut entries: Vec<(String, Node)> = Vec::new();
                let mut spans: Vec<Span> = Vec::new();
                for field in fields {
                    let key = field.key.text();
                    if let Some(at) = entries.iter().position(|(k, _)| *k == key) {
                        self.diagnostics.push(
                            Diagnostic::error(Code::E0208, field.key.span, format!("`{key}` is set twice"))
                                .with_label("set again here")
                                .with_secondary(spans.get(at).copied().unwrap_or(field.key.span), "first set here"),
                        );
                        continue;
                    }
                    if schema.rule == Some(Rule::Locality) {
                        self.locality(&key, field.key.span, false);
                    }
                    if let Some(node) = self.node(&field.value, item) {
                        entries.push((key, node));
                        spans.push(field.key.span);
                    }
                }
                if schema.rule == Some(Rule::Locality) {
                    let keys = entries.iter().map(|(k, _)| k.as_str()).zip(spans.iter().copied());
                    self.distinct_localities(keys);
                }
                Some(Node::Object(entries))
            }
        }
    }

    /// Orders a merged tree and checks the rules that span its fields:
    /// exclusive groups, required and non-empty blocks, TLS certificates,
    /// locality weights, outlier detection.  `span` is where the block is.
    fn finish_object(&mut self, mut entries: Vec<Entry>, schema: &'static Schema, span: Span) -> Node {
        for entry in &mut entries {
            entry.index = schema.child_index(&entry.name);
        }
        entries.sort_by_key(|e| e.index);
        for group in &schema.exclusive {
            let set: Vec<&Entry> = entries.iter().filter(|e| group.contains(&e.name)).collect();
            if let [first, second, ..] = set.as_slice() {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::E0403,
                        second.span,
                        format!("`{}` and `{}` cannot both be set", first.name, second.name),
                    )
                    .with_label(format!("conflicts with `{}`", first.name))
                    .with_secondary(first.span, "set here")
                    .with_note(format!("at most one of {} may be set", quote_all(group)))
                    .with_help("keep only one of them"),
                );
            }
        }
        let set = |name: &str| entries.iter().any(|e| e.name == name);
        for name in &schema.required {
            if !set(name) {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0411, span, format!("`{}` needs `{name}`", display_name(schema)))
                        .with_label(format!("`{name}` is missing"))
                        .with_help(format!("set `{name}` in this block")),
                );
            }
        }
        let only_port = entries.len() == 1 && set("port") && schema.path.ends_with("portLevelSettings[]");
        if schema.non_empty && (entries.is_empty() || only_port) {
            let what = if schema.children.len() <= 4 {
                let names: Vec<String> = schema.children.iter().map(|c| format!("`{}`", c.name)).collect();
                format!("set one of {}", names.join(", "))
            } else {
                "set at least one field, or remove the block".to_string()
            };
            self.diagnostics.push(
                Diagnostic::error(Code::E0410, span, format!("`{}` sets nothing", display_name(schema)))
                    .with_label("empty")
                    .with_note("Istio rejects this block when it is empty")
                    .with_help(what),
            );
        }
        if schema.child("mode").is_some() && schema.child("credentialName").is_some() {
            self.check_client_tls(&entries);
        }
        if schema.path.ends_with("distribute[]") {
            self.check_locality_weights(&entries);
        }
        if schema.path.ends_with("failover[]") {
            self.check_failover(&entries);
        }
        self.check_topology_labels(&entries, schema);
        self.check_conflicting_values(&entries, schema);
        if let (Some(failures), false) = (
            entries.iter().find(|e| e.name == "consecutiveLocalOriginFailures"),
            entries
                .iter()
                .any(|e| e.name == "splitExternalLocalOriginErrors" && e.leaf == Some(Node::Bool(true))),
        ) && failures.leaf.as_ref().is_some_and(|n| *n != Node::Int(0))
        {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0403,
                    failures.span,
                    "`consecutiveLocalOriginFailures` needs `splitExternalLocalOriginErrors = true`",
                )
                .with_label("only counted when local-origin errors are split")
                .with_help("add `splitExternalLocalOriginErrors = true`"),
            );
        }
        Node::Object(
            entries
                .into_iter()
                .filter_map(|entry| {
                    let node = match (entry.leaf, entry.block) {
                        (Some(node), _) => node,
                        (None, Some(child_schema)) => self.finish_object(entry.children, child_schema, entry.span),
                        (None, None) => return None,
                    };
                    Some((entry.name, node))
                })
                .collect(),
        )
    }

    /// The rules of Istio's webhook on a client TLS block (A.go
    /// `ValidateTLS`): certificates come either from `credentialName` or
    /// from files, `MUTUAL` needs a client certificate, `SIMPLE` without
    /// verification takes no CA, and a `configmap://` credential is in the
    /// rule's own namespace.
    fn check_client_tls(&mut self, entries: &[Entry]) {
        let mode = entries.iter().find(|e| e.name == "mode");
        let mode_is = |name: &str| mode.is_some_and(|e| matches!(&e.leaf, Some(Node::Str(m)) if m == name));
        let has = |name: &str| entries.iter().any(|e| e.name == name);
        let credential = entries.iter().find(|e| e.name == "credentialName");
        if let Some(credential) = credential {
            let files = ["clientCertificate", "privateKey", "caCertificates", "caCrl"];
            if let Some(file) = entries.iter().find(|e| files.contains(&e.name.as_str())) {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0403, file.span, format!("`{}` cannot be combined with `credentialName`", file.name))
                        .with_label("conflicts with `credentialName`")
                        .with_secondary(credential.span, "certificates come from this secret")
                        .with_help("keep the certificates in the secret named by `credentialName`, or drop `credentialName` and give file paths"),
                );
            }
            if let Some(Node::Str(name)) = &credential.leaf {
                self.check_configmap_credential(name, credential.value_span);
            }
        }
        // A.go `ValidateTLS`: "cannot specify CaCertificates or
        // CredentialName or SubjectAltNames when InsecureSkipVerify is set
        // true" (in SIMPLE mode the secret holds only the CA to verify with).
        let skips = entries
            .iter()
            .find(|e| e.name == "insecureSkipVerify" && e.leaf == Some(Node::Bool(true)));
        if let (Some(skip), Some(credential), true) = (skips, credential, mode_is("SIMPLE")) {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0403,
                    credential.span,
                    "`credentialName` cannot be set with `insecureSkipVerify = true` in `SIMPLE` mode",
                )
                .with_label("conflicts with `insecureSkipVerify`")
                .with_secondary(skip.span, "set here")
                .with_note("in `SIMPLE` mode the secret only holds the CA certificate to verify the server with, and verification is skipped")
                .with_help("remove `credentialName`, or remove `insecureSkipVerify` to verify the server"),
            );
        }
        if let Some(mode) = mode.filter(|_| mode_is("MUTUAL"))
            && !has("credentialName")
            && !(has("clientCertificate") && has("privateKey"))
        {
            self.diagnostics.push(
                    Diagnostic::error(Code::E0407, mode.span, "`MUTUAL` TLS needs a client certificate")
                        .with_label("no certificate given")
                        .with_help("set `credentialName` (a Kubernetes secret), or both `clientCertificate` and `privateKey`; or use `ISTIO_MUTUAL` to let Istio manage certificates"),
                );
        }
    }

    /// A `configmap://NAMESPACE/NAME` credential names a ConfigMap in the
    /// rule's own namespace (A.go `ValidateTLS`, which parses it with
    /// pilot/pkg/model/credentials/resource.go `ParseResourceName`: both
    /// parts are required, and the namespace must equal the rule's, which
    /// must be known).  meshc also refuses segments after the name, which
    /// Istio ignores.
    fn check_configmap_credential(&mut self, name: &str, span: Span) {
        const SCHEME: &str = "configmap://";
        let Some(rest) = name.strip_prefix(SCHEME) else {
            return;
        };
        let namespace = self.current_namespace.clone();
        let (in_namespace, map) = match rest.split_once('/') {
            Some((ns, map)) if !ns.is_empty() && !map.is_empty() && !map.contains('/') => (Some(ns), map),
            None if !rest.is_empty() => (None, rest),
            _ => {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::E0306,
                        span,
                        format!("`{name}` is not a valid ConfigMap reference"),
                    )
                    .with_label("not `configmap://NAMESPACE/NAME`")
                    .with_help(format!(
                        "write `configmap://{}/NAME`, naming one ConfigMap",
                        namespace.as_deref().unwrap_or("NAMESPACE")
                    )),
                );
                return;
            }
        };
        let Some(namespace) = namespace else {
            self.diagnostics.push(
                Diagnostic::error(Code::E0306, span, format!("`{name}` needs the namespace of this file"))
                    .with_label("ConfigMap of an unknown namespace")
                    .with_note("Istio reads a `configmap://` credential only from the rule's own namespace, and this file declares none")
                    .with_help(format!("declare `namespace NAME` at the top of the file and write `configmap://NAME/{map}`")),
            );
            return;
        };
        if in_namespace == Some(namespace.as_str()) {
            return;
        }
        let fixed = format!("\"{SCHEME}{namespace}/{map}\"");
        let (message, label) = match in_namespace {
            Some(other) => (
                format!("`{name}` names a ConfigMap in namespace `{other}`, not `{namespace}`"),
                "another namespace",
            ),
            None => (format!("`{name}` does not name its namespace"), "namespace missing"),
        };
        self.diagnostics.push(
            Diagnostic::error(Code::E0306, span, message)
                .with_label(label)
                .with_note(format!(
                    "Istio reads a `configmap://` credential only from the rule's own namespace, `{namespace}`"
                ))
                .with_help(format!("write {fixed}, and keep the ConfigMap in `{namespace}`"))
                .with_fix(format!("Write {fixed}"), span, fixed.clone()),
        );
    }
}

/// Topology labels Istio fills in itself (pilot/pkg/serviceregistry/util/
/// label/label.go): `failoverPriority` may not name them beside `failover`
/// (A.go `ValidateLocalityLbSetting`), nor ever in `zoneAwareLbSetting`
/// (A.go `ValidateZoneAwareLbSetting`).
const TOPOLOGY_LABELS: &[&str] = &[
    "topology.kubernetes.io/region",
    "topology.kubernetes.io/zone",
    "topology.istio.io/subzone",
];

/// A field set to a value (`*`: to any value).
type FieldValue = (&'static str, &'static str);

/// Values of two fields of one block that Istio's webhook refuses together:
/// (block path suffix, first, second, why).
const CONFLICTING_VALUES: &[(&str, FieldValue, FieldValue, &str)] = &[
    // V.go `validateConnectionPool`.
    (
        "connectionPool.http",
        ("h2UpgradePolicy", "UPGRADE"),
        ("useClientProtocol", "true"),
        "an upgrade to HTTP/2 contradicts keeping the client's protocol",
    ),
    // A.go `ValidateTLS`: with verification off, nothing to verify with.
    (
        "tls",
        ("insecureSkipVerify", "true"),
        ("caCertificates", "*"),
        "certificates to verify with are pointless when verification is skipped",
    ),
    (
        "tls",
        ("insecureSkipVerify", "true"),
        ("subjectAltNames", "*"),
        "names to verify are pointless when verification is skipped",
    ),
];

impl Checker<'_> {
    /// A `failover` entry moves traffic between two different regions
    /// (A.go `ValidateLocalityLbSetting`).
    fn check_failover(&mut self, entries: &[Entry]) {
        let leaf = |name: &str| entries.iter().find(|e| e.name == name);
        if let (Some(from), Some(to)) = (leaf("from"), leaf("to"))
            && from.leaf.is_some()
            && from.leaf == to.leaf
        {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0310,
                    to.value_span,
                    "a failover goes to the region it comes from",
                )
                .with_label("same region as `from`")
                .with_secondary(from.value_span, "from here")
                .with_help("fail over to another region"),
            );
        }
    }

    /// `failoverPriority` naming a topology label Istio handles itself.
    fn check_topology_labels(&mut self, entries: &[Entry], schema: &Schema) {
        let zone_aware = schema.path.ends_with("zoneAwareLbSetting");
        let with_failover = schema.path.ends_with("localityLbSetting") && entries.iter().any(|e| e.name == "failover");
        if !(zone_aware || with_failover) {
            return;
        }
        let Some(priority) = entries.iter().find(|e| e.name == "failoverPriority") else {
            return;
        };
        let Some(Node::List(labels)) = &priority.leaf else {
            return;
        };
        let topology = labels
            .iter()
            .find(|l| matches!(l, Node::Str(s) if TOPOLOGY_LABELS.contains(&s.as_str())));
        if let Some(Node::Str(label)) = topology {
            let why = if zone_aware {
                "zone-aware load balancing handles region and zone itself"
            } else {
                "`failover` already orders the regions"
            };
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0403,
                    priority.span,
                    format!("`failoverPriority` cannot list `{label}` here"),
                )
                .with_label("topology label")
                .with_note(why)
                .with_help(format!("remove `{label}` from `failoverPriority`")),
            );
        }
    }

    /// Pairs of values in one block that Istio refuses together.
    fn check_conflicting_values(&mut self, entries: &[Entry], schema: &Schema) {
        let has = |(name, value): (&str, &str)| {
            entries.iter().find(|e| {
                e.name == name
                    && (value == "*"
                        || match &e.leaf {
                            Some(Node::Str(s)) => s == value,
                            Some(Node::Bool(b)) => b.to_string() == value,
                            _ => false,
                        })
            })
        };
        for (block, first, second, why) in CONFLICTING_VALUES {
            if !schema.path.ends_with(block) {
                continue;
            }
            if let (Some(a), Some(b)) = (has(*first), has(*second)) {
                self.diagnostics.push(
                    Diagnostic::error(
                        Code::E0403,
                        b.span,
                        format!("`{}` cannot be set with `{} = {}`", b.name, first.0, first.1),
                    )
                    .with_label(format!("conflicts with `{}`", a.name))
                    .with_secondary(a.span, "set here")
                    .with_note(*why)
                    .with_help("keep only one of them"),
                );
            }
        }
    }

    /// The localities of one list or map do not overlap (A.go
    /// `validateLocalities`); meshc checks every pair, in any order.
    fn distinct_localities<'a>(&mut self, localities: impl Iterator<Item = (&'a str, Span)>) {
        let localities: Vec<(&str, Span)> = localities.collect();
        for (i, (later, later_span)) in localities.iter().enumerate() {
            let earlier = localities
                .iter()
                .take(i)
                .find(|(first, _)| super::values::localities_overlap(first, later));
            if let Some((first, first_span)) = earlier {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0310, *later_span, format!("`{later}` overlaps `{first}`"))
                        .with_label("overlaps an earlier locality")
                        .with_secondary(*first_span, "the earlier locality")
                        .with_help("list each locality once, and not beside a wider one that already covers it"),
                );
            }
        }
    }

    /// The weights of one `distribute` entry sum to exactly 100.
    fn check_locality_weights(&mut self, entries: &[Entry]) {
        let Some(to) = entries.iter().find(|e| e.name == "to") else {
            return;
        };
        let Some(Node::Object(weights)) = &to.leaf else { return };
        let sum: i64 = weights
            .iter()
            .map(|(_, w)| if let Node::Int(w) = w { *w } else { 0 })
            .sum();
        if sum != 100 {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0401,
                    to.span,
                    format!("the locality weights sum to {sum}%, not 100%"),
                )
                .with_label(format!("these weights sum to {sum}"))
                .with_help("make the weights of `to` add up to 100"),
            );
        }
    }
}

/// The string value of field `name` in a block value, with its span.
fn field_string<'v>(value: &'v Value, name: &str) -> Option<(&'v str, Span)> {
    let ValueKind::Object(fields) = &value.kind else {
        return None;
    };
    fields
        .iter()
        .find(|f| f.key.text() == name)
        .and_then(|f| match &f.value.kind {
            ValueKind::String(s) => Some((s.as_str(), f.value.span)),
            _ => None,
        })
}

/// A block's name for messages: its path, or its field name in a list.
fn display_name(schema: &Schema) -> String {
    if schema.path.is_empty() {
        schema.name.clone()
    } else {
        schema.path.replace("[]", "")
    }
}

/// The block entry for `schema` in `entries`, created if missing.
fn object_entry<'e>(entries: &'e mut Vec<Entry>, schema: &'static Schema, span: Span) -> &'e mut Vec<Entry> {
    let at = entries
        .iter()
        .position(|e| e.name == schema.name && e.block.is_some())
        .unwrap_or_else(|| {
            entries.push(Entry {
                name: schema.name.clone(),
                index: 0,
                span,
                value_span: span,
                leaf: None,
                block: Some(schema),
                children: Vec::new(),
            });
            entries.len() - 1
        });
    // `at` was just found or pushed.
    #[allow(clippy::indexing_slicing)]
    &mut entries[at].children
}

fn quote_all(names: &[String]) -> String {
    let quoted: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
    quoted.join(", ")
}
