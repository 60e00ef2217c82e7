//! Levels set on the command line: `--allow CODE`, `--warn CODE`,
//! `--deny CODE` and `--deny warnings`, as clippy's `-A`, `-W`, `-D`.
//!
//! Flags are read in order and the last one naming a code wins.  The
//! group `warnings` applies to whatever is a warning once the flags naming
//! codes have been applied, as rustc's does: `--allow W0001 --deny
//! warnings` still allows W0001, `--warn N0001 --deny warnings` makes the
//! note an error.  Errors keep their level: a flag naming an error code is
//! refused.  Allow comments in the source (`check::allows`) are applied
//! before, by the library, and win over these flags, as `#[allow]` wins
//! over `-D` in Rust.

use std::collections::HashMap;

use super::{Code, Diagnostic, Severity};

/// A level a flag sets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    /// Not reported.
    Allow,
    /// Reported as a warning.
    Warn,
    /// Reported as an error: the command fails.
    Deny,
}

impl Level {
    /// The flag that sets this level.
    pub fn flag(self) -> &'static str {
        match self {
            Level::Allow => "--allow",
            Level::Warn => "--warn",
            Level::Deny => "--deny",
        }
    }
}

/// The group name that stands for every warning.
pub const WARNINGS: &str = "warnings";

/// The levels the command line sets.
#[derive(Clone, Debug, Default)]
pub struct Levels {
    /// By code: the last flag naming it.
    codes: HashMap<Code, Level>,
    /// `warnings`: the last flag naming the group.
    warnings: Option<Level>,
}

impl Levels {
    /// Reads flags in command-line order: `(level, value)` where the value
    /// is a code (`W0001`, any case) or `warnings`.  An unknown code or an
    /// error code is refused with a sentence saying what to write instead.
    pub fn from_flags<'a>(flags: impl IntoIterator<Item = (Level, &'a str)>) -> Result<Levels, String> {
        let mut levels = Levels::default();
        for (level, value) in flags {
            let value = value.trim();
            if value.eq_ignore_ascii_case(WARNINGS) {
                levels.warnings = Some(level);
                continue;
            }
            let Some(code) = Code::parse(value) else {
                let upper = value.to_ascii_uppercase();
                let hint = match crate::suggest::closest(&upper, Code::ALL.iter().map(|c| c.as_str())) {
                    Some(near) => format!("did you mean `{near}`?"),
                    None => format!("give a code such as W0001 (`meshc explain CODE` lists them), or `{WARNINGS}`"),
                };
                return Err(format!("`{} {value}`: unknown diagnostic code; {hint}", level.flag()));
            };
            if code.as_str().starts_with('E') {
                return Err(format!(
                    "`{} {}`: errors keep their level; only warnings (W) and notes (N) can be allowed, warned or denied",
                    level.flag(),
                    code.as_str()
                ));
            }
            levels.codes.insert(code, level);
        }
        Ok(levels)
    }

    /// Whether no flag was given.
    pub fn is_default(&self) -> bool {
        self.codes.is_empty() && self.warnings.is_none()
    }

    /// Applies the levels: drops what is allowed, and re-grades the rest
    /// (a denied warning becomes an error with a note saying which flag
    /// made it one).
    pub fn apply(&self, diagnostics: Vec<Diagnostic>) -> Vec<Diagnostic> {
        if self.is_default() {
            return diagnostics;
        }
        diagnostics.into_iter().filter_map(|d| self.apply_one(d)).collect()
    }

    fn apply_one(&self, mut diag: Diagnostic) -> Option<Diagnostic> {
        if diag.severity == Severity::Error || diag.severity == Severity::Hint {
            return Some(diag);
        }
        let mut flag = None;
        if let Some(&level) = self.codes.get(&diag.code) {
            flag = Some(format!("{} {}", level.flag(), diag.code.as_str()));
            diag = regrade(diag, level)?;
        }
        if diag.severity == Severity::Warning
            && let Some(level) = self.warnings
        {
            flag = Some(format!("{} {WARNINGS}", level.flag()));
            diag = regrade(diag, level)?;
        }
        if diag.severity == Severity::Error
            && let Some(flag) = flag
        {
            diag.notes.push(format!("`{flag}` makes this an error"));
        }
        Some(diag)
    }
}

/// `diag` at `level`, or `None` when it is allowed.
fn regrade(mut diag: Diagnostic, level: Level) -> Option<Diagnostic> {
    diag.severity = match level {
        Level::Allow => return None,
        Level::Warn => Severity::Warning,
        Level::Deny => Severity::Error,
    };
    Some(diag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    fn levels(flags: &[(Level, &str)]) -> Levels {
        Levels::from_flags(flags.iter().copied()).unwrap()
    }

    fn warning(code: Code) -> Diagnostic {
        Diagnostic::warning(code, Span::new(0, 0, 1), "w")
    }

    fn severities(levels: &Levels, diagnostics: Vec<Diagnostic>) -> Vec<(Code, Severity)> {
        levels.apply(diagnostics).iter().map(|d| (d.code, d.severity)).collect()
    }

    #[test]
    fn the_last_flag_for_a_code_wins() {
        let l = levels(&[(Level::Deny, "W0001"), (Level::Allow, "w0001"), (Level::Deny, "W0003")]);
        assert_eq!(
            severities(&l, vec![warning(Code::W0001), warning(Code::W0003)]),
            [(Code::W0003, Severity::Error)]
        );
        let l = levels(&[(Level::Allow, "W0001"), (Level::Warn, "W0001")]);
        assert_eq!(
            severities(&l, vec![warning(Code::W0001)]),
            [(Code::W0001, Severity::Warning)]
        );
    }

    #[test]
    fn deny_warnings_applies_to_what_is_still_a_warning() {
        let note = Diagnostic::note(Code::N0001, Span::new(0, 0, 1), "n");
        let l = levels(&[(Level::Deny, WARNINGS), (Level::Allow, "W0001")]);
        assert_eq!(
            severities(&l, vec![warning(Code::W0001), warning(Code::W0003), note.clone()]),
            [(Code::W0003, Severity::Error), (Code::N0001, Severity::Note)]
        );
        let l = levels(&[(Level::Allow, "W0001"), (Level::Warn, "N0001"), (Level::Deny, WARNINGS)]);
        let out = l.apply(vec![warning(Code::W0001), note]);
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].severity, Severity::Error);
        assert_eq!(out[0].notes, ["`--deny warnings` makes this an error"]);
    }

    #[test]
    fn errors_and_unknown_codes_are_refused() {
        let error = Levels::from_flags([(Level::Allow, "E0201")]).unwrap_err();
        assert!(error.contains("errors keep their level"), "{error}");
        let unknown = Levels::from_flags([(Level::Deny, "W001")]).unwrap_err();
        assert!(unknown.contains("did you mean `W0001`?"), "{unknown}");
        let error_diag = Diagnostic::error(Code::E0201, Span::new(0, 0, 1), "e");
        let l = levels(&[(Level::Allow, WARNINGS)]);
        assert_eq!(severities(&l, vec![error_diag]), [(Code::E0201, Severity::Error)]);
    }
}
