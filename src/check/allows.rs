//! Allow comments: `// meshc: allow(W0001, W0003)` on the line before a
//! service (or a delegate block) or a route silences those warnings and
//! notes inside it.
//!
//! The comment sits alone on its line, directly above the block (other
//! comment lines may come between, a blank line may not); text after the
//! closing parenthesis is free, for the reason.  Errors cannot be allowed:
//! an error is a program Istio would refuse or run differently from what
//! it reads.  A comment that names an unknown code or cannot be read is
//! W0017; one that can have no effect (an error code, or not above a
//! service or route) is W0018.  Every entry point of the library applies
//! the comments, so `meshc check`, `meshc build` and the editor agree.

use crate::diag::{Code, Diagnostic, Severity};
use crate::span::{FileId, Span};
use crate::syntax::ast;
use crate::syntax::tokens::{Token, tokens};

/// What a comment must start with (after `//`) to be read as a directive.
const PREFIX: &str = "meshc:";

/// The codes one comment allows, and the block they are allowed in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Allow {
    /// The service or route block.
    pub region: Span,
    /// The warnings and notes silenced in it.
    pub codes: Vec<Code>,
}

/// The allow comments of one file, ready to silence diagnostics.
#[derive(Clone, Debug, Default)]
pub struct Allows {
    /// Allows on services, by start (services never overlap).
    services: Vec<Allow>,
    /// Allows on routes, by start (routes never overlap).
    routes: Vec<Allow>,
}

impl Allows {
    /// Whether the file has no allow comment.
    pub fn is_empty(&self) -> bool {
        self.services.is_empty() && self.routes.is_empty()
    }

    /// Whether `diag` is silenced by one of these comments.
    pub fn silences(&self, diag: &Diagnostic) -> bool {
        if diag.severity == Severity::Error {
            return false;
        }
        let at = diag.primary.span;
        [&self.services, &self.routes].into_iter().any(|list| {
            // The last block starting at or before the diagnostic is the
            // only one of its kind that can hold it.
            let index = list.partition_point(|a| a.region.start <= at.start);
            index.checked_sub(1).and_then(|i| list.get(i)).is_some_and(|allow| {
                allow.region.file == at.file && at.end <= allow.region.end && allow.codes.contains(&diag.code)
            })
        })
    }
}

/// The allow comments of every file of a program, by file id, and the
/// diagnostics about comments that cannot take effect.
pub fn read_all<'a>(
    files: impl IntoIterator<Item = (FileId, &'a str, &'a ast::File)>,
) -> (Vec<Allows>, Vec<Diagnostic>) {
    let mut all = Vec::new();
    let mut diagnostics = Vec::new();
    for (id, text, file) in files {
        let (allows, found) = read(id, text, file);
        let index = id as usize;
        if all.len() <= index {
            all.resize_with(index + 1, Allows::default);
        }
        if let Some(slot) = all.get_mut(index) {
            *slot = allows;
        }
        diagnostics.extend(found);
    }
    (all, diagnostics)
}

/// Removes the diagnostics that an allow comment silences.
pub fn apply(allows: &[Allows], diagnostics: &mut Vec<Diagnostic>) {
    if allows.iter().all(Allows::is_empty) {
        return;
    }
    diagnostics.retain(|d| !allows.get(d.primary.span.file as usize).is_some_and(|a| a.silences(d)));
}

/// Reads the allow comments of `file`, whose text is `text`: what they
/// allow, and the diagnostics about comments that cannot take effect.
pub fn read(file_id: FileId, text: &str, file: &ast::File) -> (Allows, Vec<Diagnostic>) {
    let mut allows = Allows::default();
    let mut diagnostics = Vec::new();
    // Most files have no directive: they are not tokenized again.
    if !text.contains(PREFIX) {
        return (allows, diagnostics);
    }
    let toks = tokens(text);
    for (index, &(token, offset)) in toks.iter().enumerate() {
        let Token::Comment(comment) = token else {
            continue;
        };
        let body = comment.trim_start_matches('/');
        let Some(directive) = body.trim_start().strip_prefix(PREFIX) else {
            continue;
        };
        let directive_at = offset + (comment.len() - directive.len());
        let whole = Span::new(file_id, offset, offset + comment.len());
        let Some(codes) = parse(file_id, directive, directive_at, &mut diagnostics, whole) else {
            continue;
        };
        let target = target(&toks, index).and_then(|at| block_at(file, at));
        let Some((region, is_service)) = target else {
            diagnostics.push(
                Diagnostic::warning(Code::W0018, whole, "this allow comment is not above a service or a route")
                    .with_label("it applies to nothing")
                    .with_help(
                        "put it on its own line directly above `service NAME {` or `route {`: it silences the codes inside that block",
                    ),
            );
            continue;
        };
        let mut allowed = Vec::new();
        for (code, span) in codes {
            if code.as_str().starts_with('E') {
                diagnostics.push(
                    Diagnostic::warning(Code::W0018, span, format!("the error {} cannot be allowed", code.as_str()))
                        .with_label("an error")
                        .with_note("an error is a configuration Istio refuses or runs differently from what it says; only warnings (W) and notes (N) can be allowed")
                        .with_help(format!("fix the error (`meshc explain {}` says how) and remove it from the comment", code.as_str())),
                );
            } else if !allowed.contains(&code) {
                allowed.push(code);
            }
        }
        let allow = Allow { region, codes: allowed };
        if is_service {
            allows.services.push(allow);
        } else {
            allows.routes.push(allow);
        }
    }
    allows.services.sort_by_key(|a| a.region.start);
    allows.routes.sort_by_key(|a| a.region.start);
    (allows, diagnostics)
}

/// Parses `allow(CODE, ...)` (what follows `meshc:`), which starts at
/// byte `at`: each code with its span, or `None` after reporting why the
/// text cannot be read.
fn parse(
    file: FileId,
    directive: &str,
    at: usize,
    diagnostics: &mut Vec<Diagnostic>,
    whole: Span,
) -> Option<Vec<(Code, Span)>> {
    let unreadable = |diagnostics: &mut Vec<Diagnostic>, why: &str| {
        diagnostics.push(
            Diagnostic::warning(
                Code::W0017,
                whole,
                format!("this `meshc:` comment cannot be read: {why}"),
            )
            .with_label("not an allow comment")
            .with_help(
                "write `// meshc: allow(W0001)`, with one or more codes between the parentheses separated by commas",
            ),
        );
        None
    };
    let trimmed = directive.trim_start();
    let mut pos = at + (directive.len() - trimmed.len());
    let Some(rest) = trimmed.strip_prefix("allow") else {
        return unreadable(diagnostics, "meshc knows only `allow(...)`");
    };
    pos += "allow".len();
    let after = rest.trim_start();
    pos += rest.len() - after.len();
    let Some(list) = after.strip_prefix('(') else {
        return unreadable(diagnostics, "`allow` is followed by the codes in parentheses");
    };
    pos += 1;
    let Some(close) = list.find(')') else {
        return unreadable(diagnostics, "the `(` is never closed");
    };
    let mut codes = Vec::new();
    let mut start = pos;
    for item in list[..close].split(',') {
        let word = item.trim();
        let word_at = start + (item.len() - item.trim_start().len());
        let span = Span::new(file, word_at, word_at + word.len());
        start += item.len() + 1;
        if word.is_empty() {
            if list[..close].trim().is_empty() {
                return unreadable(diagnostics, "it names no code");
            }
            continue;
        }
        match Code::parse(word) {
            Some(code) => codes.push((code, span)),
            None => {
                let known = Code::ALL.iter().map(|c| c.as_str());
                let upper = word.to_ascii_uppercase();
                let mut diag = Diagnostic::warning(Code::W0017, span, format!("unknown diagnostic code `{word}`"))
                    .with_label("no such code")
                    .with_note("codes are a letter and four digits: E for errors, W for warnings, N for notes; `meshc explain CODE` describes each");
                diag = match crate::suggest::closest(&upper, known) {
                    Some(near) => diag.with_help(format!("did you mean `{near}`?")).with_fix(
                        format!("Replace with `{near}`"),
                        span,
                        near,
                    ),
                    None => diag.with_help("name the code the diagnostic shows in brackets, as in `warning[W0001]`"),
                };
                diagnostics.push(diag);
            }
        }
    }
    Some(codes)
}

/// The offset of the first word after the comment at `index`, if the
/// comment stands alone on its line and only comment lines come between.
fn target(toks: &[(Token<'_>, usize)], index: usize) -> Option<usize> {
    let alone = index == 0 || matches!(toks.get(index - 1), Some((Token::Newline, _)));
    if !alone {
        return None;
    }
    let mut newlines = 0;
    for &(token, offset) in toks.get(index + 1..)? {
        match token {
            Token::Newline => {
                newlines += 1;
                // A blank line ends the comment's reach.
                if newlines > 1 {
                    return None;
                }
            }
            Token::Comment(_) => newlines = 0,
            _ => return Some(offset),
        }
    }
    None
}

/// The service (or delegate) or route block that starts at byte `at`,
/// and whether it is a service.
fn block_at(file: &ast::File, at: usize) -> Option<(Span, bool)> {
    let at = u32::try_from(at).ok()?;
    for service in &file.services {
        if service.span.start == at {
            return Some((service.span, true));
        }
        if service.span.start < at && at < service.span.end {
            return service
                .routes
                .iter()
                .find(|r| r.span.start == at)
                .map(|r| (r.span, false));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allows_of(text: &str) -> (Allows, Vec<Diagnostic>) {
        let parsed = crate::syntax::parse(0, text);
        read(0, text, &parsed.file)
    }

    #[test]
    fn a_comment_above_a_route_allows_inside_it_only() {
        let text = "service a {\n  subset v1 { version = \"v1\" }\n  // meshc: allow(W0001, n0002) kept for old clients\n  route { to v1 }\n  route { to v1 }\n}\n";
        let (allows, diagnostics) = allows_of(text);
        assert!(diagnostics.is_empty(), "{diagnostics:?}");
        assert_eq!(allows.routes.len(), 1);
        assert_eq!(allows.routes[0].codes, vec![Code::W0001, Code::N0002]);
        let route = text.find("route {").unwrap();
        assert_eq!(allows.routes[0].region.start as usize, route);
        let inside = Diagnostic::warning(Code::W0001, Span::new(0, route + 8, route + 13), "x");
        assert!(allows.silences(&inside));
        let second = text.rfind("route {").unwrap();
        let outside = Diagnostic::warning(Code::W0001, Span::new(0, second, second + 5), "x");
        assert!(!allows.silences(&outside));
        let other_code = Diagnostic::warning(Code::W0003, inside.primary.span, "x");
        assert!(!allows.silences(&other_code));
    }

    #[test]
    fn errors_unknown_codes_and_misplaced_comments_are_reported() {
        let text = "// meshc: allow(W0001)\n\nservice a {\n  // meshc: allow(E0201, W001)\n  route { to v1 }\n  route { to v1 } // meshc: allow(W0001)\n  // meshc: alow(W0001)\n  route { to v1 }\n}\n";
        let (allows, mut diagnostics) = allows_of(text);
        crate::diag::sort(&mut diagnostics);
        let codes: Vec<&str> = diagnostics.iter().map(|d| d.code.as_str()).collect();
        assert_eq!(codes, ["W0018", "W0018", "W0017", "W0018", "W0017"]);
        assert!(diagnostics[2].help.as_deref().is_some_and(|h| h.contains("W0001")));
        assert_eq!(allows.routes.len(), 1);
        assert!(allows.routes[0].codes.is_empty());
        let error = Diagnostic::error(Code::E0201, allows.routes[0].region, "x");
        assert!(!allows.silences(&error));
    }
}
