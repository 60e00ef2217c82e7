//! What an editor shows beside the text: inlay hints (the host each
//! destination resolves to, and what Istio does where a route says
//! nothing), code lenses (how many routes use a subset, the YAML a
//! service compiles to), and that YAML.
//!
//! Hosts are qualified by `hosts.rs` and Istio's defaults come from
//! `model/defaults.rs`: the one place for each fact.

use crate::check::ServiceInfo;
use crate::emit::{self, ApiVersion};
use crate::hosts;
use crate::model::Program;
use crate::model::defaults::{self, DEFAULT_TIMEOUT};
use crate::span::{FileId, Span};
use crate::syntax::ast::{RouteKind, ServiceKind};
use crate::{Analysis, Sources};

/// A hint shown after byte `offset`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InlayHint {
    /// Where it is shown (after this byte).
    pub offset: usize,
    /// The text shown.
    pub label: String,
    /// What it means, in Markdown.
    pub tooltip: String,
}

/// The inlay hints of `file` (whose text is `text`): after each destination the host Istio
/// resolves it to (when it differs from what is written), and after the
/// `{` of each HTTP route the retries and timeout Istio applies where the
/// route sets none.
pub fn inlay_hints(analysis: &Analysis, text: &str, file: FileId) -> Vec<InlayHint> {
    let symbols = &analysis.checked.symbols;
    let mut hints = Vec::new();
    // A qualified destination (`ratings/v1`) is two references, the
    // service's and the subset's: one hint after the last.
    let mut uses: Vec<(Span, usize)> = symbols
        .references
        .iter()
        .filter(|r| r.span.file == file)
        .map(|r| (r.span, r.service))
        .collect();
    uses.sort_by_key(|(span, _)| span.start);
    let mut merged: Vec<(Span, usize)> = Vec::new();
    for (span, service) in uses {
        match merged.last_mut() {
            Some((last, id)) if *id == service && span.start <= last.end + 1 => last.end = last.end.max(span.end),
            _ => merged.push((span, service)),
        }
    }
    for (span, service) in merged {
        let Some(info) = symbols.services.get(service) else {
            continue;
        };
        if info.kind != ServiceKind::Service || info.host.is_empty() {
            continue;
        }
        let resolved = hosts::qualify(&info.host, info.namespace.as_deref());
        hints.push(InlayHint {
            offset: span.end as usize,
            label: format!("→ {resolved}"),
            tooltip: format!(
                "Istio resolves this destination to the host `{resolved}` (service `{}`)",
                info.name
            ),
        });
    }
    if let Some(ast) = analysis.files.get(file as usize) {
        for route in ast.services.iter().flat_map(|s| &s.routes) {
            if route.kind != RouteKind::Http {
                continue;
            }
            let has = |keyword: &str| route.statements.iter().any(|s| s.kind.keyword() == keyword);
            let action = ["redirect", "respond", "delegate"].iter().any(|k| has(k));
            if action {
                continue;
            }
            let mut said = Vec::new();
            if !has("retries") {
                let retries = defaults::effective_retries(None, false);
                said.push(format!("retries {} on \"{}\"", retries.attempts, retries.retry_on));
            }
            if !has("timeout") && DEFAULT_TIMEOUT.is_none() {
                said.push("no timeout".to_string());
            }
            if said.is_empty() {
                continue;
            }
            // After the `{` that opens the route.
            let from = route.keyword.end as usize;
            let Some(open) = text.get(from..).and_then(|rest| rest.find('{')).map(|at| from + at + 1) else {
                continue;
            };
            hints.push(InlayHint {
                offset: open,
                label: format!("Istio's default: {}", said.join(", ")),
                tooltip: "Where a route sets no `retries`, Istio retries 2 times on connection failures \
                          (`pilot/pkg/networking/core/route/retry/retry.go`, `defaultNumRetries` and \
                          `defaultRetryOn`); where it sets no `timeout`, requests have none \
                          (`route.go`, `setTimeout`)."
                    .to_string(),
            });
        }
    }
    hints.sort_by_key(|h| h.offset);
    hints
}

/// A code lens: a title over a span, and the command it runs, if any.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeLens {
    /// The line it stands over.
    pub span: Span,
    /// What it says.
    pub title: String,
    /// The command it runs and the service it names, if any.
    pub command: Option<(&'static str, String)>,
}

/// The command that shows the YAML of a service.
pub const SHOW_YAML: &str = "meshc.showYaml";

/// The code lenses of `file`: over each subset, how many routes of the
/// program use it; over each service, the command that shows its YAML.
pub fn code_lenses(analysis: &Analysis, file: FileId) -> Vec<CodeLens> {
    let symbols = &analysis.checked.symbols;
    // The routes of the program, by file, in order, to find the route a
    // use is in.
    let routes: Vec<Vec<Span>> = analysis
        .files
        .iter()
        .map(|f| {
            f.services
                .iter()
                .flat_map(|s| s.routes.iter().map(|r| r.span))
                .collect()
        })
        .collect();
    let route_of = |span: Span| -> Option<(FileId, u32)> {
        let list = routes.get(span.file as usize)?;
        let at = list.partition_point(|r| r.start <= span.start).checked_sub(1)?;
        let route = list.get(at)?;
        (span.end <= route.end).then_some((span.file, route.start))
    };
    let mut lenses = Vec::new();
    for (service, info) in services_in(&symbols.services, file) {
        if info.kind == ServiceKind::Service {
            lenses.push(CodeLens {
                span: info.name_span,
                title: "show YAML".into(),
                command: Some((SHOW_YAML, info.name.to_string())),
            });
        }
        for subset in info.subsets.iter() {
            let mut users: Vec<(FileId, u32)> = symbols
                .references
                .iter()
                .filter(|r| r.service == service && r.subset.as_deref() == Some(subset.name.as_str()))
                .filter_map(|r| route_of(r.span))
                .collect();
            users.sort_unstable();
            users.dedup();
            let n = users.len();
            lenses.push(CodeLens {
                span: subset.name_span,
                title: format!(
                    "{n} route{} use{} this subset",
                    plural(n),
                    if n == 1 { "s" } else { "" }
                ),
                command: None,
            });
        }
    }
    lenses.sort_by_key(|l| l.span.start);
    lenses
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// The services declared in `file`, with their ids.
fn services_in(services: &[ServiceInfo], file: FileId) -> impl Iterator<Item = (usize, &ServiceInfo)> {
    services
        .iter()
        .enumerate()
        .filter(move |(_, s)| s.name_span.file == file)
}

/// The YAML the service `name` of `file` compiles to (its DestinationRule
/// and VirtualService), or why it cannot be shown.  An analysis that kept
/// no typed program (the editor's incremental one) is redone in full from
/// `sources`: this runs when the user asks, not at every keystroke.
pub fn service_yaml(analysis: &Analysis, sources: &Sources, file: FileId, name: &str) -> Result<String, String> {
    let full;
    let program = &analysis.checked.program;
    let analysis = if program.destination_rules.is_empty() && program.virtual_services.is_empty() {
        full = crate::analyze(sources);
        &full
    } else {
        analysis
    };
    let symbols = &analysis.checked.symbols;
    let info = services_in(&symbols.services, file)
        .map(|(_, s)| s)
        .find(|s| s.name == name)
        .ok_or_else(|| format!("no service `{name}` in this file"))?;
    let errors = analysis
        .diagnostics
        .iter()
        .filter(|d| d.is_error() && d.primary.span.file == file)
        .filter(|d| info.span.start <= d.primary.span.start && d.primary.span.end <= info.span.end)
        .count();
    if errors > 0 {
        return Err(format!(
            "service `{name}` has {errors} error{}: fix {} to see its YAML",
            plural(errors),
            if errors == 1 { "it" } else { "them" }
        ));
    }
    let program = &analysis.checked.program;
    let host = hosts::key(&info.host, info.namespace.as_deref());
    let mut part = Program::default();
    for (metadata, spec) in &program.destination_rules {
        if metadata.namespace.as_deref() == info.namespace.as_deref()
            && hosts::key(&spec.host, metadata.namespace.as_deref()) == host
        {
            part.destination_rules.push((metadata.clone(), spec.clone()));
        }
    }
    for ((metadata, spec), site) in program.virtual_services.iter().zip(&program.virtual_service_sites) {
        if *site == info.span {
            part.virtual_services.push((metadata.clone(), spec.clone()));
            part.virtual_service_sites.push(*site);
        }
    }
    let documents = emit::join(vec![emit::documents(part, ApiVersion::V1)?]);
    let mut out = Vec::new();
    emit::write_documents(&documents, &mut out).map_err(|e| e.to_string())?;
    String::from_utf8(out).map_err(|e| e.to_string())
}
