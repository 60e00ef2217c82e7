//! Completion: keywords, statements, conditions, subset and service names,
//! field paths and enum values, each with a type and a doc.

use super::context::{CursorContext, cursor_context};
use crate::Analysis;
use crate::catalogue::{Field, FieldType};
use crate::check::ServiceInfo;
use crate::syntax::keywords;

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
                "A Kubernetes service: its subsets, policy and routes",
            ),
            keyword("namespace", "The namespace of every resource of this file"),
        ],
        CursorContext::Service { .. } => {
            let mut items = vec![
                snippet(
                    "subset",
                    "subset ${1:v1} { version = \"${2:v1}\" }",
                    "A group of pods selected by labels",
                ),
                snippet("route", "route {\n  to ${1:v1}\n}", "An HTTP route, tried in order"),
                snippet(
                    "policy",
                    "policy {\n  $0\n}",
                    "The traffic policy of the service (Istio's TrafficPolicy)",
                ),
                snippet("tcp route", "tcp route {\n  to ${1:v1}\n}", "A TCP route"),
                snippet(
                    "tls route",
                    "tls route {\n  match sni \"${1:host}\"\n  to ${2:v1}\n}",
                    "A TLS route by SNI",
                ),
            ];
            let setting_docs = [
                ("host", "The host of the service, when not its name"),
                ("hosts", "Extra hosts of the VirtualService"),
                ("gateways", "The gateways the routes apply to"),
                ("export_to", "The namespaces the resources are visible in"),
                (
                    "external_subsets",
                    "Subsets defined by a DestinationRule outside this program",
                ),
                (
                    "workload_selector",
                    "The workloads the DestinationRule applies to, by label",
                ),
                ("destination_rule", "The DestinationRule's name, when not the service's"),
                ("virtual_service", "The VirtualService's name, when not the service's"),
                ("labels", "Labels of both resources"),
                ("annotations", "Annotations of both resources"),
            ];
            items.extend(setting_docs.iter().map(|(k, doc)| keyword(k, doc)));
            items
        }
        CursorContext::Subset => vec![snippet(
            "policy",
            "policy {\n  $0\n}",
            "The traffic policy of this subset (Istio's TrafficPolicy)",
        )],
        CursorContext::Route { .. } => keywords::ROUTE.iter().map(|k| keyword(k, statement_doc(k))).collect(),
        CursorContext::Condition => keywords::CONDITIONS
            .iter()
            .map(|k| keyword(k, condition_doc(k)))
            .collect(),
        CursorContext::StringOp { presence } => {
            let mut items: Vec<CompletionItem> = [
                ("exact", "Equal to the string"),
                ("prefix", "Starts with the string"),
                ("regex", "Matches the RE2 regular expression (the whole value)"),
            ]
            .iter()
            .map(|(k, d)| keyword(k, d))
            .collect();
            if presence {
                items.push(keyword("present", "Present, whatever its value"));
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
    let others = services
        .iter()
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

fn statement_doc(keyword: &str) -> &'static str {
    match keyword {
        "match" => "Which requests the route takes: `match COND and COND`; several lines mean any of them",
        "to" => "Where the requests go: `to v1`, or a split `to v1 90%, v2 10%` summing to 100%",
        "timeout" => "The request timeout: `timeout 5s`",
        "retries" => "Retry policy: `retries 3 per_try 2s on \"5xx,reset\"`",
        "fault" => "Fault injection: `fault delay 5s 10%` or `fault abort 503 5%`",
        "mirror" => "Copies requests to another destination: `mirror v2 10%`",
        "rewrite" => "Rewrites the path or authority: `rewrite uri \"/v2\"`",
        "redirect" => "Answers with a redirect: `redirect uri \"/new\" code 301`",
        "respond" => "Answers directly: `respond 503 \"maintenance\"`",
        "delegate" => "Lets another VirtualService route: `delegate reviews-routes`",
        "headers" => "Edits headers: `headers request set \"x-version\" \"v2\"`",
        "cors" => "The CORS policy: `cors { allowOrigins = [{ exact = \"https://example.com\" }] }`",
        _ => "",
    }
}

fn condition_doc(keyword: &str) -> &'static str {
    match keyword {
        "uri" => "The path: `uri prefix \"/api\"`",
        "scheme" => "The scheme: `scheme exact \"https\"`",
        "method" => "The method: `method exact \"GET\"`",
        "authority" => "The authority: `authority exact \"example.com\"`",
        "header" => "A header: `header \"end-user\" exact \"jason\"`",
        "query" => "A query parameter: `query \"v\" exact \"2\"`",
        "without" => "A header that must not match: `without header \"x-debug\" present`",
        "source" => "The caller: `source { app = \"web\" }` or `source namespace \"web\"`",
        "port" => "The port the request came to: `port 8080`",
        "gateway" => "The gateway the request came through: `gateway \"bookinfo-gateway\"`",
        "sni" => "The TLS server name (TLS routes): `sni \"example.com\"`",
        "destination_subnet" => "The destination IP range (TCP and TLS routes)",
        "ignore_uri_case" => "Compare the path case-insensitively",
        _ => "",
    }
}
