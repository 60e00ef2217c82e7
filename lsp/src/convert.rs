//! Conversions at the protocol's edge: byte spans to LSP ranges in the
//! negotiated encoding, and meshc diagnostics to LSP diagnostics.

use meshc::span::{Encoding, LineCol, LineIndex, SourceFile, Span};
use meshc::{Diagnostic, Severity};
use tower_lsp::ls_types as lsp;

/// The position of byte `offset` of `file`.
pub fn position(file: &SourceFile, offset: usize, encoding: Encoding) -> lsp::Position {
    position_in(&file.text, &file.lines, offset, encoding)
}

/// The position of byte `offset` of `text`, whose lines are `lines`.
pub fn position_in(text: &str, lines: &LineIndex, offset: usize, encoding: Encoding) -> lsp::Position {
    let pos = lines.position(text, offset, encoding);
    lsp::Position::new(pos.line, pos.col)
}

/// The byte offset of `position` in `file` (clamped to the text).
pub fn offset(file: &SourceFile, position: lsp::Position, encoding: Encoding) -> usize {
    offset_in(&file.text, &file.lines, position, encoding)
}

/// The byte offset of `position` in `text`, whose lines are `lines`.
pub fn offset_in(text: &str, lines: &LineIndex, position: lsp::Position, encoding: Encoding) -> usize {
    lines.offset(
        text,
        LineCol {
            line: position.line,
            col: position.character,
        },
        encoding,
    )
}

/// `new` written with the line endings of `text`: a fix inserted into a
/// file with CRLF line endings breaks its lines with CRLF too.
pub fn line_endings_of(text: &str, new: &str) -> String {
    let crlf = text
        .find('\n')
        .is_some_and(|at| at > 0 && text.as_bytes().get(at - 1) == Some(&b'\r'));
    if !crlf || !new.contains('\n') {
        return new.to_string();
    }
    let mut out = String::with_capacity(new.len() + new.len() / 16);
    let mut previous = '\0';
    for c in new.chars() {
        if c == '\n' && previous != '\r' {
            out.push('\r');
        }
        out.push(c);
        previous = c;
    }
    out
}

/// The range of `span` in `file`.
pub fn range(file: &SourceFile, span: Span, encoding: Encoding) -> lsp::Range {
    lsp::Range::new(
        position(file, span.start as usize, encoding),
        position(file, span.end as usize, encoding),
    )
}

/// The LSP name of an encoding.
pub fn encoding_kind(encoding: Encoding) -> lsp::PositionEncodingKind {
    match encoding {
        Encoding::Utf8 => lsp::PositionEncodingKind::UTF8,
        Encoding::Utf16 => lsp::PositionEncodingKind::UTF16,
        Encoding::Utf32 => lsp::PositionEncodingKind::UTF32,
    }
}

/// UTF-8 when the client offers it (no conversion needed), else UTF-16,
/// which every client supports.
pub fn negotiate(offered: Option<&[lsp::PositionEncodingKind]>) -> Encoding {
    match offered {
        Some(kinds) if kinds.contains(&lsp::PositionEncodingKind::UTF8) => Encoding::Utf8,
        _ => Encoding::Utf16,
    }
}

/// A meshc diagnostic as an LSP diagnostic: the notes and help are added
/// to the message, and every secondary label becomes related information.
pub fn diagnostic(
    diag: &Diagnostic,
    file: &SourceFile,
    encoding: Encoding,
    locate: impl Fn(Span) -> Option<lsp::Location>,
) -> lsp::Diagnostic {
    let message = diag.plain_text(true);
    let related: Vec<lsp::DiagnosticRelatedInformation> = diag
        .secondary
        .iter()
        .filter_map(|label| {
            locate(label.span).map(|location| lsp::DiagnosticRelatedInformation {
                location,
                message: if label.message.is_empty() {
                    "related".into()
                } else {
                    label.message.clone()
                },
            })
        })
        .collect();
    lsp::Diagnostic {
        range: range(file, diag.primary.span, encoding),
        severity: Some(match diag.severity {
            Severity::Error => lsp::DiagnosticSeverity::ERROR,
            Severity::Warning => lsp::DiagnosticSeverity::WARNING,
            Severity::Note => lsp::DiagnosticSeverity::INFORMATION,
            Severity::Hint => lsp::DiagnosticSeverity::HINT,
        }),
        code: Some(lsp::NumberOrString::String(diag.code.as_str().to_string())),
        code_description: None,
        source: Some("meshc".into()),
        message,
        related_information: (!related.is_empty()).then_some(related),
        // A subset no route uses is drawn faded, as unused code is.
        tags: (diag.code == meshc::diag::Code::N0002).then(|| vec![lsp::DiagnosticTag::UNNECESSARY]),
        data: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixes_take_the_line_endings_of_their_file() {
        let crlf = "service a {\r\n}\r\n";
        assert_eq!(line_endings_of(crlf, "\n  subset v1 {}\n"), "\r\n  subset v1 {}\r\n");
        assert_eq!(line_endings_of(crlf, "a\r\nb"), "a\r\nb");
        assert_eq!(line_endings_of("service a {\n}\n", "\n  x"), "\n  x");
        assert_eq!(line_endings_of("one line", "\nx"), "\nx");
    }
}
