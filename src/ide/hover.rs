//! Hover: what a policy field is, what a subset selects and who routes to
//! it, what a service resolves to, and how a split divides traffic.

use super::completion::field_doc;
use super::navigation::{Target, target_at};
use crate::Analysis;
use crate::catalogue::{self, Field as Schema, FieldType};
use crate::span::{FileId, Span};
use crate::syntax::ast::{self, StatementKind, ValueKind};

/// Markdown describing what is under byte `offset` of `file`, and the span
/// it describes.
pub fn hover(analysis: &Analysis, file: FileId, offset: usize) -> Option<(String, Span)> {
    if let Some((target, span)) = target_at(analysis, file, offset) {
        return Some((describe_target(analysis, &target), span));
    }
    let ast = analysis.files.get(file as usize)?;
    for service in &ast.services {
        if !service.span.contains(offset) {
            continue;
        }
        let policies = service
            .policies
            .iter()
            .chain(service.subsets.iter().flat_map(|s| &s.policies));
        for policy in policies {
            if let Some(found) = field_at(&policy.fields, catalogue::traffic_policy(), offset) {
                return Some(found);
            }
            let ports = Some(catalogue::port_block());
            for port in &policy.ports {
                if let Some(found) = ports.and_then(|schema| field_at(&port.fields, schema, offset)) {
                    return Some(found);
                }
            }
        }
        for statement in service.routes.iter().flat_map(|r| &r.statements) {
            if !statement.span.contains(offset) {
                continue;
            }
            match &statement.kind {
                StatementKind::Cors(fields) => return field_at(fields, catalogue::cors_policy(), offset),
                StatementKind::To(destinations) if destinations.len() > 1 => {
                    return Some((describe_split(analysis, destinations, statement.span), statement.span));
                }
                _ => {}
            }
        }
    }
    None
}

/// The catalogue field whose name is under `offset`.
fn field_at(fields: &[ast::Field], schema: &'static Schema, offset: usize) -> Option<(String, Span)> {
    for field in fields {
        let mut current = schema;
        for segment in field.key.segments() {
            current = match current.ty {
                FieldType::Map => current.item.as_deref()?,
                _ => current.child(&segment.name)?,
            };
            if segment.span.contains(offset) {
                return Some((
                    format!(
                        "**{}** `{}`\n\n{}",
                        current.path,
                        current.ty.short_name(),
                        field_doc(current)
                    ),
                    segment.span,
                ));
            }
        }
        if let ValueKind::Object(inner) = &field.value.kind
            && let Some(found) = field_at(inner, current, offset)
        {
            return Some(found);
        }
        if let ValueKind::List(items) = &field.value.kind {
            let item = current.item.as_deref();
            for value in items {
                if let (ValueKind::Object(inner), Some(item)) = (&value.kind, item)
                    && let Some(found) = field_at(inner, item, offset)
                {
                    return Some(found);
                }
            }
        }
    }
    None
}

fn describe_target(analysis: &Analysis, target: &Target) -> String {
    let symbols = &analysis.checked.symbols;
    match target {
        Target::Service(id) => {
            let Some(service) = symbols.services.get(*id) else {
                return String::new();
            };
            let subsets: Vec<String> = service.subset_names().map(|s| format!("`{s}`")).collect();
            let routes = route_summaries(analysis, *id);
            let namespace = service
                .namespace
                .as_ref()
                .map(|ns| format!(" (namespace `{ns}`)"))
                .unwrap_or_default();
            if service.kind == ast::ServiceKind::Delegate {
                let delegating = symbols.references.iter().filter(|r| r.service == *id).count();
                return format!(
                    "**delegate {}**{namespace}

A VirtualService without hosts: its routes take the requests that `delegate {}` hands over ({delegating} route{} of this program)

Routes: {}",
                    service.name,
                    service.name,
                    if delegating == 1 { "" } else { "s" },
                    if routes.is_empty() {
                        "none".into()
                    } else {
                        routes.join(", ")
                    },
                );
            }
            format!(
                "**service {}**\n\nHost: `{}`{}\n\nSubsets: {}\n\nRoutes: {}",
                service.name,
                service.host,
                service
                    .namespace
                    .as_ref()
                    .map(|ns| format!(" (namespace `{ns}`)"))
                    .unwrap_or_default(),
                if subsets.is_empty() {
                    "none".into()
                } else {
                    subsets.join(", ")
                },
                if routes.is_empty() {
                    "none".into()
                } else {
                    routes.join(", ")
                },
            )
        }
        Target::Subset(id, name) => {
            let Some(service) = symbols.services.get(*id) else {
                return String::new();
            };
            let selects = match service.subset(name) {
                Some(subset) => format!(
                    "Selects pods labelled {}",
                    subset
                        .labels
                        .iter()
                        .map(|(k, v)| format!("`{k}={v}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
                None => "Defined by a DestinationRule outside this program (`external_subsets`)".into(),
            };
            let users = symbols
                .references
                .iter()
                .filter(|r| r.service == *id && r.subset.as_deref() == Some(name))
                .count();
            format!(
                "**subset {name}** of `{}`\n\n{selects}\n\nUsed by {users} route destination{}",
                service.name,
                if users == 1 { "" } else { "s" }
            )
        }
    }
}

/// `name` (or `#N`) of each route of service `id`.
fn route_summaries(analysis: &Analysis, id: usize) -> Vec<String> {
    let Some(info) = analysis.checked.symbols.services.get(id) else {
        return Vec::new();
    };
    let Some(ast) = analysis.files.get(info.span.file as usize) else {
        return Vec::new();
    };
    ast.services
        .iter()
        .find(|s| s.span == info.span)
        .map(|s| {
            s.routes
                .iter()
                .enumerate()
                .map(|(i, r)| {
                    r.name
                        .as_ref()
                        .map_or(format!("#{}", i + 1), |n| format!("`{}`", n.name))
                })
                .collect()
        })
        .unwrap_or_default()
}

/// The shares of a split as written, and the checker's verdicts on it
/// (the hover never judges the split itself).
fn describe_split(analysis: &Analysis, destinations: &[ast::Destination], statement: Span) -> String {
    let mut rows = String::from("| destination | share |\n|---|---|\n");
    for destination in destinations {
        let target = match &destination.target.host {
            ast::TargetHost::Name(n) => n.name.to_string(),
            ast::TargetHost::Qualified { service, subset } => format!("{}/{}", service.name, subset.name),
            ast::TargetHost::External(host, _) => host.to_string(),
        };
        let share = match destination.weight.as_ref().map(|w| &w.kind) {
            Some(ValueKind::Percent(p)) => format!("{p}%"),
            _ => "?".into(),
        };
        rows.push_str(&format!("| `{target}` | {share} |\n"));
    }
    let verdicts: Vec<String> = analysis
        .diagnostics
        .iter()
        .filter(|d| {
            let at = d.primary.span;
            at.file == statement.file && statement.start <= at.start && at.end <= statement.end
        })
        .map(|d| format!("- {}[{}]: {}", severity_word(d), d.code.as_str(), d.message))
        .collect();
    let verdict = if verdicts.is_empty() {
        "The checker accepts this split.".to_string()
    } else {
        verdicts.join("\n")
    };
    format!("**traffic split**\n\n{rows}\n{verdict}")
}

fn severity_word(diagnostic: &crate::Diagnostic) -> &'static str {
    match diagnostic.severity {
        crate::Severity::Error => "error",
        crate::Severity::Warning => "warning",
        crate::Severity::Note => "note",
        crate::Severity::Hint => "hint",
    }
}
