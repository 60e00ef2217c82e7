//! Completion: keywords, statements, conditions, subset and service names,
//! field paths and enum values, each with a type and a doc.

use super::context::{CursorContext, Scan, context_and_scan};
use super::statements;
use crate::Analysis;
use crate::catalogue::{Field, FieldType};
use crate::check::ServiceInfo;
use crate::syntax::ast::ServiceKind;
use crate::syntax::tokens::{Token, tokens};
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
    /// Whether Istio has deprecated it (shown struck out, listed last).
    pub deprecated: bool,
}

/// Completions at byte `offset` of `text`, and the range of the word they
/// replace (the whole word around the cursor).
pub fn completions(analysis: &Analysis, text: &str, offset: usize) -> (Vec<CompletionItem>, usize, usize) {
    let (context, replace_from, scan) = context_and_scan(text, offset);
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
        CursorContext::Service { delegate: true, .. } => {
            let mut items = vec![snippet("route", ROUTE_SNIPPET, words::doc(Place::ServiceItem, "route"))];
            items.extend(
                words::at(Place::Setting)
                    .filter(|w| crate::check::allowed_in_delegate(w.text))
                    .map(|w| keyword(w.text, w.doc)),
            );
            items
        }
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
                block("route", ROUTE_SNIPPET, Place::ServiceItem, "route"),
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
        // After `tcp `: the rest of `tcp route {`, never the kind again.
        CursorContext::RouteKeyword => vec![snippet("route", ROUTE_SNIPPET, words::doc(Place::ServiceItem, "route"))],
        CursorContext::Subset => vec![snippet(
            "policy",
            "policy {\n  $0\n}",
            words::doc(Place::SubsetItem, "policy"),
        )],
        CursorContext::Route {
            kind, set, delegate, ..
        } => statements::statement_words(kind, &set, delegate)
            .map(|w| CompletionItem {
                // What every route needs comes first.
                rank: if matches!(w.text, "match" | "to") { 0 } else { 1 },
                ..keyword(w.text, w.doc)
            })
            .collect(),
        CursorContext::Condition { kind, tested } => words::conditions()
            .filter(|w| crate::check::condition_allowed(kind, w.text))
            .filter(|w| matches!(w.text, "header" | "query" | "without") || !tested.iter().any(|t| t == w.text))
            .map(|w| keyword(w.text, w.doc))
            .collect(),
        CursorContext::StringOp { presence, prefix } => {
            let mut items: Vec<CompletionItem> = words::at(Place::StringOp)
                .filter(|w| prefix || w.text != "prefix")
                .map(|w| keyword(w.text, w.doc))
                .collect();
            if presence {
                items.extend(words::at(Place::Presence).map(|w| keyword(w.text, w.doc)));
            }
            items
        }
        CursorContext::Words(list) => list.into_iter().map(|w| keyword(w.text, w.doc)).collect(),
        CursorContext::Values { values, detail, doc } => values
            .into_iter()
            .map(|v| CompletionItem {
                kind: CompletionKind::Value,
                detail: detail.to_string(),
                rank: 0,
                ..keyword(v, doc)
            })
            .collect(),
        CursorContext::Delegate => {
            let typed = text.get(replace_from..offset).unwrap_or("");
            services
                .iter()
                .filter(|s| s.kind == ServiceKind::Delegate && s.name.starts_with(typed))
                .take(MAX_SERVICES)
                .map(|s| CompletionItem {
                    kind: CompletionKind::Service,
                    detail: "delegate".into(),
                    rank: 0,
                    ..keyword(&s.name, "A delegate of this program: its routes take the requests")
                })
                .collect()
        }
        CursorContext::Destination {
            service,
            qualifier,
            only: Some(only),
        } => {
            let _ = (service, qualifier);
            only.iter()
                .map(|name| CompletionItem {
                    kind: CompletionKind::Subset,
                    detail: "a destination of this route".into(),
                    rank: 0,
                    ..keyword(name, "Edits the headers of requests sent to this destination only")
                })
                .collect()
        }
        CursorContext::Destination {
            service,
            qualifier,
            only: None,
        } => {
            let typed = text.get(replace_from..offset).unwrap_or("");
            destinations(services, &service, qualifier.as_deref(), typed, &scan)
        }
        CursorContext::FieldName { block, set } => block
            .children
            .iter()
            .filter(|f| f.ty == FieldType::Object || !set.contains(&f.name))
            // One field of a group that allows one set: the others are out.
            .filter(|f| {
                !block
                    .exclusive
                    .iter()
                    .any(|group| group.contains(&f.name) && group.iter().any(|g| *g != f.name && set.contains(g)))
            })
            .map(field_item)
            .collect(),
        CursorContext::FieldValue { field } => value_items(field),
        CursorContext::Nothing => Vec::new(),
    };
    (items, replace_from, replace_to.max(replace_from))
}

/// The template of an HTTP route.
const ROUTE_SNIPPET: &str = "route {\n  to ${1:v1}\n}";

fn keyword(label: &str, doc: &str) -> CompletionItem {
    CompletionItem {
        label: label.to_string(),
        kind: CompletionKind::Keyword,
        detail: "keyword".into(),
        documentation: doc.to_string(),
        snippet: None,
        rank: 1,
        deprecated: false,
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
        deprecated: false,
    }
}

/// How many other services a destination completion lists at most.
pub const MAX_SERVICES: usize = 100;

/// The enclosing service's subsets first, then the other services whose
/// names start with `typed` (at most [`MAX_SERVICES`]); after `svc/`, that
/// service's subsets.  The enclosing service's subsets are also read from
/// its text, so that a subset the last analysis missed (declared below a
/// line that does not parse yet) is offered.
fn destinations(
    services: &[ServiceInfo],
    current: &str,
    qualifier: Option<&str>,
    typed: &str,
    scan: &Scan<'_>,
) -> Vec<CompletionItem> {
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
                    deprecated: false,
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
    for name in declared_subsets(scan) {
        if !items.iter().any(|i| i.label == name) {
            items.push(CompletionItem {
                label: name.to_string(),
                kind: CompletionKind::Subset,
                detail: format!("subset of {current}"),
                documentation: format!("Subset `{name}` of `{current}`, declared in this service"),
                snippet: None,
                rank: 0,
                deprecated: false,
            });
        }
    }
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
        deprecated: false,
    }));
    items
}

/// The names written after `subset` in the cursor's service, declared with
/// a `{` after them.
fn declared_subsets<'a>(scan: &Scan<'a>) -> Vec<&'a str> {
    let all = tokens(scan.service_text);
    all.windows(3)
        .filter_map(|w| match w {
            [
                (Token::Word("subset"), _),
                (Token::Word(name), _),
                (Token::Open('{'), _),
            ] => Some(*name),
            _ => None,
        })
        .collect()
}

/// A field of the catalogue as a completion item.
fn field_item(field: &Field) -> CompletionItem {
    CompletionItem {
        label: field.name.clone(),
        kind: CompletionKind::Field,
        detail: field.ty.short_name().to_string(),
        documentation: field_doc(field),
        snippet: None,
        // Deprecated fields last.
        rank: if field.replaced_by.is_some() { 3 } else { 1 },
        deprecated: field.replaced_by.is_some(),
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
    let value = |label: &str, doc: String| {
        let replacement = crate::catalogue::deprecated_value(field, label);
        CompletionItem {
            label: label.to_string(),
            kind: CompletionKind::Value,
            detail: field.name.clone(),
            documentation: match replacement {
                Some(new) => format!("{doc}\n\nDeprecated: use `{new}`."),
                None => doc,
            },
            snippet: None,
            // Deprecated values last.
            rank: if replacement.is_some() { 3 } else { 0 },
            deprecated: replacement.is_some(),
        }
    };
    match &field.ty {
        FieldType::Enum(values) => values.iter().map(|v| value(v, field.doc.clone())).collect(),
        FieldType::Bool => vec![value("true", field.doc.clone()), value("false", field.doc.clone())],
        _ => Vec::new(),
    }
}
