//! Completion: keywords, statements, conditions, subset and service names,
//! field paths and enum values, each with a type and a doc.

use super::context::{CursorContext, cursor_context};
use crate::Analysis;
use crate::catalogue::{Field, FieldType};
use crate::check::ServiceInfo;
use crate::syntax::ast::ServiceKind;
use crate::words::{self, Place};

/// What a completion item is, for the editor's icon.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompletionKind {
    /// A language keyword or statement.
    Keyword,
    /// A block template.
    Snippet,
    /// A subset name.
    Subset,
    /// A service name.
    Service,
    /// A field of Istio's API.
    Field,
    /// An enum constant or boolean.
    Value,
}

/// One completion proposal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CompletionItem {
    /// What is shown and, without `snippet`, inserted.
    pub label: String,
    /// The kind.
    pub kind: CompletionKind,
    /// A short type or role ("duration", "subset of reviews").
    pub detail: String,
    /// Markdown documentation.
    pub documentation: String,
    /// A snippet (`$1` placeholders) to insert instead of the label.
    pub snippet: Option<String>,
    /// Sorts before items with a larger value.
    pub rank: u8,
}

/// Completions at byte `offset` of `text`, and the range of the word they
/// replace (the whole word around the cursor).
pub fn completions(analysis: &Analysis, text: &str, offset: usize) -> (Vec<CompletionItem>, usize, usize) {
    let (context, replace_from) = cursor_context(text, offset);
    let replace_to = offset
        + text
            .get(offset..)
            .unwrap_or("")
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(text.len().saturating_sub(offset));
    let services = &analysis.checked.symbols.services;
    let items = match context {
        CursorContext::Top => vec![
            snippet(
                "service",
                "service ${1:name} {\n  $0\n}",
                words::doc(Place::Top, "service"),
            ),
            snippet(
                "delegate",
                "delegate ${1:name} {\n  route {\n    $0\n  }\n}",
                words::doc(Place::Top, "delegate"),
            ),
            keyword("namespace", words::doc(Place::Top, "namespace")),
            snippet(
                "test",
                "test ${1:name} {\n  request \"${2:http://host/}\"\n  expect ${0}\n}",
                words::doc(Place::Top, "test"),
            ),
        ],
        CursorContext::Test => words::at(Place::TestItem).map(|w| keyword(w.text, w.doc)).collect(),
        CursorContext::Expectation => words::at(Place::Expectation).map(|w| keyword(w.text, w.doc)).collect(),
        CursorContext::Service { .. } => {
            // Blocks are offered as templates, settings as words.
            let block =
                |label: &str, body: &str, place: Place, word: &str| snippet(label, body, words::doc(place, word));
            let mut items = vec![
                block(
                    "subset",
                    "subset ${1:v1} { version = \"${2:v1}\" }",
                    Place::ServiceItem,
                    "subset",
                ),
                block("route", "route {\n  to ${1:v1}\n}", Place::ServiceItem, "route"),
                block("policy", "policy {\n  $0\n}", Place::ServiceItem, "policy"),
                block("tcp route", "tcp route {\n  to ${1:v1}\n}", Place::RouteKind, "tcp"),
                block(
                    "tls route",
                    "tls route {\n  match sni \"${1:host}\"\n  to ${2:v1}\n}",
                    Place::RouteKind,
                    "tls",
                ),
            ];
            items.extend(words::at(Place::Setting).map(|w| keyword(w.text, w.doc)));
            items
        }
        CursorContext::Subset => vec![snippet(
            "policy",
            "policy {\n  $0\n}",
            words::doc(Place::SubsetItem, "policy"),
        )],
        CursorContext::Route { .. } => words::at(Place::Statement).map(|w| keyword(w.text, w.doc)).collect(),
        CursorContext::Condition => words::conditions().map(|w| keyword(w.text, w.doc)).collect(),
        CursorContext::StringOp { presence } => {
            let mut items: Vec<CompletionItem> = words::at(Place::StringOp).map(|w| keyword(w.text, w.doc)).collect();
            if presence {
                items.extend(words::at(Place::Presence).map(|w| keyword(w.text, w.doc)));
            }
            items
        }
        CursorContext::Destination { service, qualifier } => {
            let typed = text.get(replace_from..offset).unwrap_or("");
            destinations(services, &service, qualifier.as_deref(), typed)
        }
        CursorContext::FieldName { block } => block.children.iter().map(field_item).collect(),
        CursorContext::FieldValue { field } => value_items(field),
        CursorContext::Nothing => Vec::new(),
    };
    (items, replace_from, replace_to.max(replace_from))
}

fn keyword(label: &str, doc: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: CompletionKind::Keyword,
        detail: "keyword".into(),
        documentation: doc.to_string(),
        snippet: None,
        rank: 1,
    }
}

fn snippet(label: &str, body: &str, doc: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: CompletionKind::Snippet,
        detail: "block".into(),
        documentation: doc.to_string(),
        snippet: Some(body.to_string()),
        rank: 0,
    }
}

/// How many other services a destination completion lists at most.
pub const MAX_SERVICES: usize = 100;

/// The enclosing service's subsets first, then the other services whose
/// names start with `typed` (at most [`MAX_SERVICES`]); after `svc/`, that
/// service's subsets.
fn destinations(services: &[ServiceInfo], current: &str, qualifier: Option<&str>, typed: &str) -> Vec<CompletionItem> {
    let subset_items = |info: &ServiceInfo, rank: u8| -> Vec<CompletionItem> {
        info.subset_names()
            .map(|name| {
                let labels = info
                    .subset(name)
                    .map(|s| {
                        s.labels
                            .iter()
                            .map(|(k, v)| format!("`{k}={v}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    })
                    .unwrap_or_else(|| "defined outside this program".into());
                CompletionItem {
                    label: name.to_string(),
                    kind: CompletionKind::Subset,
                    detail: format!("subset of {}", info.name),
                    documentation: format!("Pods of `{}` labelled {labels}", info.host),
                    snippet: None,
                    rank,
                }
            })
            .collect()
    };
    if let Some(qualifier) = qualifier {
        return services
            .iter()
            .filter(|s| s.name == qualifier)
            .flat_map(|s| subset_items(s, 0))
            .collect();
    }
    let mut items: Vec<CompletionItem> = services
        .iter()
        .filter(|s| s.name == current)
        .flat_map(|s| subset_items(s, 0))
        .collect();
    // Other services are offered by the prefix typed so far; a program can
    // have thousands.
    // A delegate is no destination: `delegate NAME` names it, never `to`.
    let others = services
        .iter()
        .filter(|s| s.kind == ServiceKind::Service)
        .filter(|s| s.name != current && s.name.starts_with(typed))
        .take(MAX_SERVICES);
    items.extend(others.map(|s| CompletionItem {
        label: s.name.to_string(),
        kind: CompletionKind::Service,
        detail: format!("service {}", s.host),
        documentation: format!(
            "Service `{}` (host `{}`); subsets: {}",
            s.name,
            s.host,
            s.subset_names().collect::<Vec<_>>().join(", ")
        ),
        snippet: None,
        rank: 2,
    }));
    items
}

/// A field of the catalogue as a completion item.
fn field_item(field: &Field) -> CompletionItem {
    CompletionItem {
        label: field.name.clone(),
        kind: CompletionKind::Field,
        detail: field.ty.short_name().to_string(),
        documentation: field_doc(field),
        snippet: None,
        rank: if field.replaced_by.is_some() { 3 } else { 1 },
    }
}

/// The Markdown doc of a catalogue field: what it does, its type, allowed
/// values, and the reference link.
pub(super) fn field_doc(field: &Field) -> String {
    let mut doc = format!("{}\n\nType: {}", field.doc, field.ty.describe());
    if let FieldType::Enum(values) = &field.ty {
        doc.push_str(&format!(
            "\n\nAllowed: {}",
            values.iter().map(|v| format!("`{v}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    if let Some(new) = field.replaced_by {
        doc.push_str(&format!("\n\nDeprecated: use `{new}`."));
    }
    if !field.anchor.is_empty() {
        doc.push_str(&format!("\n\n[Istio reference]({})", field.url()));
    }
    doc
}

fn value_items(field: &Field) -> Vec<CompletionItem> {
    let value = |label: &str, doc: &str| CompletionItem {
        label: label.to_string(),
        kind: CompletionKind::Value,
        detail: field.name.clone(),
        documentation: doc.to_string(),
        snippet: None,
        rank: 0,
    };
    match &field.ty {
        FieldType::Enum(values) => values.iter().map(|v| value(v, &field.doc)).collect(),
        FieldType::Bool => vec![value("true", &field.doc), value("false", &field.doc)],
        _ => Vec::new(),
    }
}
