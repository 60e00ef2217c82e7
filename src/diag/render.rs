//! Rendering diagnostics: codespan-reporting for people, JSON lines for
//! machines.  Neither renderer changes any wording.

use codespan_reporting::diagnostic as cs;
use codespan_reporting::term;
use serde::Serialize;

use super::excerpt::{Excerpt, printable};
use super::{Diagnostic, Severity};
use crate::span::{Encoding, FileId, Sources};

/// Whether human output uses colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ColorChoice {
    /// ANSI colour codes.
    Always,
    /// Plain text.
    Never,
}

/// The most secondary labels one diagnostic shows: what each rendered
/// diagnostic prints stays bounded, however many places it names (a split
/// over 40,000 destinations).  JSON output keeps them all.
const MAX_SECONDARY_LABELS: usize = 8;

/// The most characters of one message, label, note or help shown: a note
/// that lists every subset of a service with 40,000 of them, repeated on
/// each diagnostic, must not make the output quadratic.
const MAX_TEXT_CHARS: usize = 600;

/// `text` cut to [`MAX_TEXT_CHARS`], saying how much was left out.
fn bounded(text: &str) -> String {
    match text.char_indices().nth(MAX_TEXT_CHARS) {
        None => text.to_string(),
        Some((at, _)) => format!("{}… ({} more characters)", &text[..at], text[at..].chars().count()),
    }
}

/// `diag` for codespan, its labels placed in `spans` (an [`Excerpt`]'s)
/// and its texts made printable.
fn to_codespan(diag: &Diagnostic, spans: &[crate::span::Span]) -> cs::Diagnostic<FileId> {
    let severity = match diag.severity {
        Severity::Error => cs::Severity::Error,
        Severity::Warning => cs::Severity::Warning,
        Severity::Note => cs::Severity::Note,
        Severity::Hint => cs::Severity::Help,
    };
    let text = |t: &str| bounded(&printable(t));
    let labels = std::iter::once(&diag.primary)
        .chain(&diag.secondary)
        .zip(spans)
        .enumerate()
        .map(|(i, (label, span))| {
            let style = if i == 0 {
                cs::LabelStyle::Primary
            } else {
                cs::LabelStyle::Secondary
            };
            cs::Label::new(style, span.file, span.range()).with_message(text(&label.message))
        })
        .collect();
    let mut notes: Vec<String> = diag.notes.iter().map(|n| format!("note: {}", text(n))).collect();
    if let Some(hidden) = diag
        .secondary
        .len()
        .checked_sub(MAX_SECONDARY_LABELS)
        .filter(|&n| n > 0)
    {
        notes.push(format!(
            "note: {hidden} more place{} not shown",
            if hidden == 1 { " is" } else { "s are" }
        ));
    }
    if let Some(help) = &diag.help {
        notes.push(format!("help: {}", text(help)));
    }
    cs::Diagnostic::new(severity)
        .with_code(diag.code.as_str())
        .with_message(text(&diag.message))
        .with_labels(labels)
        .with_notes(notes)
}

/// Renders diagnostics the way a terminal shows them.
pub fn render_human(sources: &Sources, diagnostics: &[Diagnostic], color: ColorChoice) -> String {
    let config = term::Config::default();
    let mut buffer = match color {
        ColorChoice::Always => term::termcolor::Buffer::ansi(),
        ColorChoice::Never => term::termcolor::Buffer::no_color(),
    };
    for diag in diagnostics {
        // Rendering only fails for spans outside their file, which the
        // phases never produce; such a diagnostic still shows its message.
        let spans: Vec<crate::span::Span> = std::iter::once(&diag.primary)
            .chain(diag.secondary.iter().take(MAX_SECONDARY_LABELS))
            .map(|l| l.span)
            .collect();
        let (excerpt, shown) = Excerpt::new(sources, &spans);
        if term::emit_to_write_style(&mut buffer, &config, &excerpt, &to_codespan(diag, &shown)).is_err() {
            let line = format!(
                "{}[{}]: {}\n",
                severity_word(diag.severity),
                diag.code.as_str(),
                printable(&diag.message)
            );
            let _ = std::io::Write::write_all(&mut buffer, line.as_bytes());
        }
    }
    String::from_utf8_lossy(buffer.as_slice()).into_owned()
}

pub(super) fn severity_word(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note => "note",
        Severity::Hint => "hint",
    }
}

/// A one-based line and column (in characters).
#[derive(Serialize)]
pub(super) struct JsonPosition {
    /// One-based line.
    pub line: u32,
    /// One-based column, in characters.
    pub column: u32,
}

#[derive(Serialize)]
struct JsonSpan<'a> {
    file: &'a str,
    byte_start: u32,
    byte_end: u32,
    start: JsonPosition,
    end: JsonPosition,
    label: &'a str,
}

#[derive(Serialize)]
struct JsonDiagnostic<'a> {
    code: &'static str,
    severity: &'static str,
    message: &'a str,
    file: &'a str,
    byte_start: u32,
    byte_end: u32,
    start: JsonPosition,
    end: JsonPosition,
    labels: Vec<JsonSpan<'a>>,
    notes: &'a [String],
    help: Option<&'a str>,
}

fn json_span<'a>(sources: &'a Sources, label: &'a super::Label) -> JsonSpan<'a> {
    let (file, start, end) = positions(sources, label.span);
    JsonSpan {
        file,
        byte_start: label.span.start,
        byte_end: label.span.end,
        start,
        end,
        label: &label.message,
    }
}

/// One-based line and column (in characters) of both ends of a span.
pub(super) fn positions(sources: &Sources, span: crate::span::Span) -> (&str, JsonPosition, JsonPosition) {
    let Some(file) = sources.get(span.file) else {
        let zero = || JsonPosition { line: 1, column: 1 };
        return ("", zero(), zero());
    };
    let at = |offset: u32| {
        let pos = file.lines.position(&file.text, offset as usize, Encoding::Utf32);
        JsonPosition {
            line: pos.line + 1,
            column: pos.col + 1,
        }
    };
    (&file.name, at(span.start), at(span.end))
}

/// Renders diagnostics as JSON lines: one object per diagnostic, with the
/// file, byte range, one-based line/column range, code, severity, message,
/// labels, notes and help.
pub fn render_json(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for diag in diagnostics {
        let (file, start, end) = positions(sources, diag.primary.span);
        let mut labels = vec![json_span(sources, &diag.primary)];
        labels.extend(diag.secondary.iter().map(|l| json_span(sources, l)));
        let value = JsonDiagnostic {
            code: diag.code.as_str(),
            severity: severity_word(diag.severity),
            message: &diag.message,
            file,
            byte_start: diag.primary.span.start,
            byte_end: diag.primary.span.end,
            start,
            end,
            labels,
            notes: &diag.notes,
            help: diag.help.as_deref(),
        };
        // Serializing these plain structs cannot fail.
        if let Ok(line) = serde_json::to_string(&value) {
            out.push_str(&line);
            out.push('\n');
        }
    }
    out
}
