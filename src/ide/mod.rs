//! Editor features over an [`Analysis`]: completion, signature help, hover,
//! navigation, renaming, outline and workspace symbols, highlighting, inlay
//! hints, code lenses and code actions.
//!
//! Everything here takes byte offsets and returns plain data; the language
//! server converts positions at its edge.  Nothing here checks the program:
//! facts come from the analysis (diagnostics, symbols, syntax trees) and the
//! field catalogue.

mod completion;
mod context;
mod hints;
mod hover;
mod navigation;
mod outline;
mod signature;
mod statements;

pub use completion::{CompletionItem, CompletionKind, MAX_SERVICES, completions};
pub use context::{CursorContext, cursor_context};
pub use hints::{CodeLens, InlayHint, SHOW_YAML, code_lenses, inlay_hints, service_yaml};
pub use hover::hover;
pub use navigation::{Target, definition, references, rename, target_at};
pub use outline::{
    DocumentSymbol, SymbolKind, TokenKind, WorkspaceSymbol, document_symbols, folding_ranges, semantic_tokens,
    workspace_symbols,
};
pub use signature::{Signature, signature_help};

use crate::diag::Diagnostic;
use crate::span::{FileId, Span};
use crate::{Analysis, Sources};

/// A text edit: replace `span` with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Edit {
    /// Where.
    pub span: Span,
    /// The new text.
    pub text: String,
}

/// A fix an editor can apply.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodeAction {
    /// The title shown in the editor's menu.
    pub title: String,
    /// The diagnostic it fixes.
    pub diagnostic: Diagnostic,
    /// The edits.
    pub edits: Vec<Edit>,
}

/// The fixes of the diagnostics of `file` that touch `start..end`.
pub fn code_actions(analysis: &Analysis, file: FileId, start: usize, end: usize) -> Vec<CodeAction> {
    analysis
        .diagnostics
        .iter()
        .filter(|d| {
            let span = d.primary.span;
            span.file == file && (span.start as usize) <= end && start <= span.end as usize
        })
        .flat_map(|d| {
            d.fixes.iter().map(move |fix| CodeAction {
                title: fix.title.clone(),
                diagnostic: d.clone(),
                edits: vec![Edit {
                    span: fix.span,
                    text: fix.text.clone(),
                }],
            })
        })
        .collect()
}

/// The canonical layout of `file`, or `None` when it has syntax errors.
pub fn format(analysis: &Analysis, sources: &Sources, file: FileId) -> Option<String> {
    let has_syntax_errors = analysis
        .diagnostics
        .iter()
        .any(|d| d.primary.span.file == file && d.code.as_str().starts_with("E01"));
    if has_syntax_errors {
        return None;
    }
    sources.get(file).map(|f| crate::fmt::format(&f.text))
}
