//! Diagnostics: the one type every phase reports problems with.
//!
//! Wording lives where a diagnostic is built (in the phase that finds the
//! problem); the renderers here only lay it out, for people (codespan) and
//! for machines (JSON lines, GitHub workflow commands, SARIF), and
//! `printer.rs` drives them for a command.  The language server converts
//! the same values.  `levels.rs` applies the command line's `--allow`,
//! `--warn` and `--deny`.

mod codes;
mod excerpt;
mod github;
mod levels;
mod printer;
mod render;
mod sarif;

pub use codes::{Code, CodeInfo};
pub use excerpt::printable;
pub use github::render_github;
pub use levels::{Level, Levels, WARNINGS};
pub use printer::{Format, Printer, plural};
pub use render::{ColorChoice, render_human, render_json};
pub use sarif::{file_uri, render_sarif, sarif_results};

use crate::span::Span;

/// How serious a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    /// The program is wrong: nothing is emitted.
    Error,
    /// The program compiles, but probably not as intended.
    Warning,
    /// Something worth knowing that needs no change.
    Note,
    /// What an editor shows faintly (a subset no route uses); the command
    /// line does not print hints.
    Hint,
}

/// A span with a short text saying what happens there.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Label {
    /// Where.
    pub span: Span,
    /// What happens there (may be empty).
    pub message: String,
}

/// A text edit that would fix the problem: replace `span` with `text`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// What the fix does, for an editor's menu.
    pub title: String,
    /// Where to edit.
    pub span: Span,
    /// The new text.
    pub text: String,
}

/// One problem found in a program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// The stable code (`E0201`), explained by `meshc explain`.
    pub code: Code,
    /// Error or warning.
    pub severity: Severity,
    /// One line, lower case, no final period; names in backticks.
    pub message: String,
    /// The place the problem is.
    pub primary: Label,
    /// Related places (the first definition of a duplicate, say).
    pub secondary: Vec<Label>,
    /// Extra facts worth knowing.
    pub notes: Vec<String>,
    /// What to do about it.
    pub help: Option<String>,
    /// Machine-applicable fixes, offered by the language server.
    pub fixes: Vec<Fix>,
}

impl Diagnostic {
    /// The diagnostic as one plain text, for renderers without labels of
    /// their own: the message, then (when `label`) the primary label in
    /// parentheses, then each note and the help on lines of their own.
    pub fn plain_text(&self, label: bool) -> String {
        let mut text = self.message.clone();
        if label && !self.primary.message.is_empty() {
            text.push_str(&format!(" ({})", self.primary.message));
        }
        for note in &self.notes {
            text.push_str(&format!("\nnote: {note}"));
        }
        if let Some(help) = &self.help {
            text.push_str(&format!("\nhelp: {help}"));
        }
        text
    }

    /// An error with `code` at `span`.
    pub fn error(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Error, span, message)
    }

    /// A warning with `code` at `span`.
    pub fn warning(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Warning, span, message)
    }

    /// A note with `code` at `span`.
    pub fn note(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Note, span, message)
    }

    /// A hint with `code` at `span` (for editors).
    pub fn hint(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(code, Severity::Hint, span, message)
    }

    fn new(code: Code, severity: Severity, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            code,
            severity,
            message: message.into(),
            primary: Label {
                span,
                message: String::new(),
            },
            secondary: Vec::new(),
            notes: Vec::new(),
            help: None,
            fixes: Vec::new(),
        }
    }

    /// Sets the text of the primary label.
    pub fn with_label(mut self, message: impl Into<String>) -> Diagnostic {
        self.primary.message = message.into();
        self
    }

    /// Adds a secondary label.
    pub fn with_secondary(mut self, span: Span, message: impl Into<String>) -> Diagnostic {
        self.secondary.push(Label {
            span,
            message: message.into(),
        });
        self
    }

    /// Adds a note.
    pub fn with_note(mut self, note: impl Into<String>) -> Diagnostic {
        self.notes.push(note.into());
        self
    }

    /// Sets the help text.
    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    /// Adds a machine-applicable fix.
    pub fn with_fix(mut self, title: impl Into<String>, span: Span, text: impl Into<String>) -> Diagnostic {
        self.fixes.push(Fix {
            title: title.into(),
            span,
            text: text.into(),
        });
        self
    }

    /// Whether this is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file and position, so output is stable whatever
/// order the phases found them in.
pub fn sort(diagnostics: &mut [Diagnostic]) {
    diagnostics.sort_by(|a, b| {
        (
            a.primary.span.file,
            a.primary.span.start,
            a.primary.span.end,
            a.code.as_str(),
        )
            .cmp(&(
                b.primary.span.file,
                b.primary.span.start,
                b.primary.span.end,
                b.code.as_str(),
            ))
    });
}
