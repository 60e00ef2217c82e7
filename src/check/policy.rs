//! Blocks checked against the field catalogue: traffic policies, CORS
//! policies and any other block that uses Istio's own field names.
//!
//! Dotted paths and nested blocks are interchangeable
//! (`outlierDetection.interval = 5s` and `outlierDetection { interval = 5s }`
//! set the same field), so fields are first merged into a tree, then checked
//! for exclusive groups and emitted in Istio's documented order.

use super::Checker;
use crate::catalogue::{self, Field as Schema, FieldType};
use crate::diag::{Code, Diagnostic};
use crate::emit::istio::Node;
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
    leaf: Option<Node>,
    block: Option<&'static Schema>,
    children: Vec<Entry>,
}

impl Checker {
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
        let mut node = self.finish_object(entries, schema);
        if !first.ports.is_empty()
            && let Some(port_schema) = schema.child("portLevelSettings").and_then(|f| f.item.as_deref())
        {
            let ports: Vec<Node> = first
                .ports
                .iter()
                .filter_map(|port| {
                    let number = self.port(&port.port)?;
                    let mut port_entries = Vec::new();
                    for field in &port.fields {
                        self.merge_field(&mut port_entries, field, port_schema);
                    }
                    let Node::Object(mut fields) = self.finish_object(port_entries, port_schema) else {
                        return None;
                    };
                    fields.insert(
                        0,
                        (
                            "port".into(),
                            Node::Object(vec![("number".into(), Node::Int(number.into()))]),
                        ),
                    );
                    Some(Node::Object(fields))
                })
                .collect();
            if let Node::Object(fields) = &mut node {
                let index = schema.child_index("portLevelSettings");
                let at = fields
                    .iter()
                    .position(|(name, _)| schema.child_index(name) > index)
                    .unwrap_or(fields.len());
                fields.insert(at, ("portLevelSettings".into(), Node::List(ports)));
            }
        }
        Some(node)
    }

    /// Checks the fields of a block against an object schema.
    pub(super) fn catalogue_block(&mut self, fields: &[Field], schema: &'static Schema) -> Node {
        let mut entries = Vec::new();
        for field in fields {
            self.merge_field(&mut entries, field, schema);
        }
        self.finish_object(entries, schema)
    }

    /// Adds one `path = value` or `path { ... }` to the tree of `schema`.
    fn merge_field(&mut self, entries: &mut Vec<Entry>, field: &Field, schema: &'static Schema) {
        let Some((last, parents)) = field.key.segments.split_last() else {
            return;
        };
        let mut entries = entries;
        let mut schema = schema;
        for segment in parents {
            let Some(child) = self.child_field(schema, segment) else {
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
                if let Some(node) = self.node(&field.value, child) {
                    entries.push(Entry {
                        name: child.name.clone(),
                        index: 0,
                        span: field.key.span,
                        leaf: Some(node),
                        block: None,
                        children: Vec::new(),
                    });
                }
            }
        }
    }

    /// The child `segment` of `schema`, or an "unknown field" error.
    fn child_field(&mut self, schema: &'static Schema, segment: &Ident) -> Option<&'static Schema> {
        if let Some(child) = schema.child(&segment.name) {
            return Some(child);
        }
        let names = schema.children.iter().map(|c| c.name.as_str());
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
        match closest(&segment.name, names) {
            Some(best) => {
                diag = diag
                    .with_label(format!("did you mean `{best}`?"))
                    .with_help(format!("replace `{}` with `{best}`", segment.name))
                    .with_fix(format!("Replace with `{best}`"), segment.span, best);
            }
            None => {
                let all: Vec<String> = schema.children.iter().map(|c| format!("`{}`", c.name)).collect();
                diag = diag
                    .with_label("unknown field")
                    .with_note(format!("known fields: {}", all.join(", ")));
            }
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

    /// Converts a value to the type of `schema`.
    fn node(&mut self, value: &Value, schema: &'static Schema) -> Option<Node> {
        match &schema.ty {
            FieldType::String | FieldType::Bytes => self.string(value).map(Node::Str),
            FieldType::Duration { at_least_1ms } => self.duration(value, *at_least_1ms).map(Node::Str),
            FieldType::Enum(allowed) => self
                .enumeration(value, allowed, &format!("`{}` value", schema.name))
                .map(Node::Str),
            FieldType::Integer { min, max } => self.integer(value, *min, *max).map(Node::Int),
            FieldType::Number { min, max } => self.number(value, *min, *max).map(Node::Float),
            FieldType::Bool => self.boolean(value).map(Node::Bool),
            FieldType::Object => match &value.kind {
                ValueKind::Object(fields) => Some(self.catalogue_block(fields, schema)),
                _ => {
                    self.type_error(value, "a block of fields", &format!("`{} {{ ... }}`", schema.name));
                    None
                }
            },
            FieldType::List => {
                let item = schema.item.as_deref()?;
                match &value.kind {
                    ValueKind::List(items) => {
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
                    if let Some(node) = self.node(&field.value, item) {
                        entries.push((key, node));
                        spans.push(field.key.span);
                    }
                }
                Some(Node::Object(entries))
            }
        }
    }

    /// Orders a merged tree and checks its exclusive groups and TLS rules.
    fn finish_object(&mut self, mut entries: Vec<Entry>, schema: &'static Schema) -> Node {
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
        if schema.child("mode").is_some() && schema.child("credentialName").is_some() {
            self.check_mutual_tls(&entries);
        }
        Node::Object(
            entries
                .into_iter()
                .filter_map(|entry| {
                    let node = match (entry.leaf, entry.block) {
                        (Some(node), _) => node,
                        (None, Some(child_schema)) => self.finish_object(entry.children, child_schema),
                        (None, None) => return None,
                    };
                    Some((entry.name, node))
                })
                .collect(),
        )
    }

    /// `tls.mode = MUTUAL` needs a client certificate: `credentialName`, or
    /// both `clientCertificate` and `privateKey`.
    fn check_mutual_tls(&mut self, entries: &[Entry]) {
        let mode = entries.iter().find(|e| e.name == "mode");
        let is_mutual = mode.is_some_and(|e| matches!(&e.leaf, Some(Node::Str(m)) if m == "MUTUAL"));
        let has = |name: &str| entries.iter().any(|e| e.name == name);
        if let Some(mode) = mode.filter(|_| is_mutual)
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
