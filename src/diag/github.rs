//! GitHub Actions workflow commands: one `::error file=…,line=…::message`
//! line per diagnostic, which the runner turns into an annotation on the
//! pull request's diff.
//!
//! Escaping follows the runner's toolkit (actions/toolkit,
//! `packages/core/src/command.ts`, `escapeData` and `escapeProperty`): in
//! the message `%`, CR and LF are percent-encoded; in a property value also
//! `:` and `,`, which would end the value.
//!
//! The commands go to standard error, like every diagnostic (standard
//! output carries the YAML): the runner reads commands on both streams
//! (actions/runner, `src/Runner.Worker/Handlers/ScriptHandler.cs`,
//! `RunAsync`: `ErrorDataReceived` feeds an `OutputManager` with the
//! `ActionCommandManager`, as `OutputDataReceived` does).

use super::render::positions;
use super::{Diagnostic, Severity};
use crate::span::Sources;

/// `%`, CR and LF percent-encoded (`escapeData`).
fn escape_data(text: &str) -> String {
    text.replace('%', "%25").replace('\r', "%0D").replace('\n', "%0A")
}

/// [`escape_data`], and `:` and `,` too (`escapeProperty`).
fn escape_property(text: &str) -> String {
    escape_data(text).replace(':', "%3A").replace(',', "%2C")
}

/// The workflow command of a severity: `error`, `warning` or `notice`.
fn command(severity: Severity) -> &'static str {
    match severity {
        Severity::Error => "error",
        Severity::Warning => "warning",
        Severity::Note | Severity::Hint => "notice",
    }
}

/// One workflow command per diagnostic.  The message is the diagnostic's
/// message, its primary label, notes and help, one per line (an
/// annotation shows them all); the title is the code.
pub fn render_github(sources: &Sources, diagnostics: &[Diagnostic]) -> String {
    let mut out = String::new();
    for diag in diagnostics {
        let (file, start, end) = positions(sources, diag.primary.span);
        let message = diag.plain_text(true);
        out.push_str(&format!(
            "::{} file={},line={},col={},endLine={},endColumn={},title={}::{}\n",
            command(diag.severity),
            escape_property(file),
            start.line,
            start.column,
            end.line,
            end.column,
            escape_property(diag.code.as_str()),
            escape_data(&message),
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_as_the_runner_unescapes() {
        assert_eq!(escape_data("100% sure\r\nnext: a, b"), "100%25 sure%0D%0Anext: a, b");
        assert_eq!(escape_property("dir,x/a:b%.mesh"), "dir%2Cx/a%3Ab%25.mesh");
    }
}
