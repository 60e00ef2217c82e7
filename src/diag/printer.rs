//! What a command prints about diagnostics, in the chosen format: each
//! batch as it is found, then a closing part once the command is done
//! (the count line for people, the JSON summary object, the whole SARIF
//! log, which is one document).

use std::collections::BTreeSet;

use super::{Code, ColorChoice, Diagnostic, Severity, github, render, sarif};
use crate::span::Sources;

/// How diagnostics are printed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Rendered for people, with source excerpts.
    Human(ColorChoice),
    /// One JSON object per line, then a summary object.
    Json,
    /// GitHub Actions workflow commands (annotations).
    Github,
    /// One SARIF 2.1.0 log.
    Sarif,
}

/// Prints diagnostics in one format and counts them.
#[derive(Debug)]
pub struct Printer {
    format: Format,
    errors: usize,
    warnings: usize,
    notes: usize,
    files: usize,
    codes: BTreeSet<Code>,
    results: Vec<serde_sarif::sarif::Result>,
}

impl Printer {
    /// A printer for `format` that has printed nothing.
    pub fn new(format: Format) -> Printer {
        Printer {
            format,
            errors: 0,
            warnings: 0,
            notes: 0,
            files: 0,
            codes: BTreeSet::new(),
            results: Vec::new(),
        }
    }

    /// Counts the files of `sources` as read, and returns the text that
    /// reports `diagnostics` now (SARIF keeps them for [`Printer::finish`]).
    pub fn print(&mut self, sources: &Sources, diagnostics: &[Diagnostic]) -> String {
        self.files += sources.len();
        for diag in diagnostics {
            match diag.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
                Severity::Note | Severity::Hint => self.notes += 1,
            }
        }
        match self.format {
            Format::Human(color) => render::render_human(sources, diagnostics, color),
            Format::Json => render::render_json(sources, diagnostics),
            Format::Github => github::render_github(sources, diagnostics),
            Format::Sarif => {
                let results = sarif::sarif_results(sources, diagnostics, &mut self.codes);
                self.results.extend(results);
                String::new()
            }
        }
    }

    /// How many errors were printed.
    pub fn errors(&self) -> usize {
        self.errors
    }

    /// How many warnings were printed.
    pub fn warnings(&self) -> usize {
        self.warnings
    }

    /// The closing text: for people, the count of errors and warnings (if
    /// any); for JSON, the summary object
    /// `{"summary":{"errors":…,"warnings":…,"notes":…,"files":…}}`; for
    /// SARIF, the whole log; nothing for GitHub.
    pub fn finish(self) -> String {
        match self.format {
            Format::Human(_) if self.errors + self.warnings > 0 => format!(
                "meshc: {}, {}\n",
                plural(self.errors, "error"),
                plural(self.warnings, "warning")
            ),
            Format::Human(_) | Format::Github => String::new(),
            Format::Json => {
                let summary = Summary {
                    summary: Counts {
                        errors: self.errors,
                        warnings: self.warnings,
                        notes: self.notes,
                        files: self.files,
                    },
                };
                // Serializing a plain struct cannot fail.
                format!("{}\n", serde_json::to_string(&summary).unwrap_or_default())
            }
            Format::Sarif => sarif::render_sarif(&self.codes, self.results),
        }
    }
}

/// The last line of JSON output.
#[derive(serde::Serialize)]
struct Summary {
    summary: Counts,
}

/// What a command reported, and how many files it read.
#[derive(serde::Serialize)]
struct Counts {
    errors: usize,
    warnings: usize,
    notes: usize,
    files: usize,
}

/// `1 error`, `2 errors`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}
