//! Finding the inner block whose `}` is missing, by indentation.
//!
//! When a `}` is missing, the grammar only learns it at the end of the
//! service (the next `service` line or the end of the file), and every line
//! after the real mistake is read inside the wrong block.  As rustc does, the
//! layout is taken as evidence of what was meant: a `}` that starts a line
//! closes the open block whose line it is indented like, and the blocks
//! opened after that one, more indented, are the ones left unclosed.  Such a
//! block ends before the first line after it that is not indented more than
//! its own line.
//!
//! Only what the layout shows is inferred: a file without indentation, or a
//! `}` that lines up with no open block, gives no evidence, and the service
//! is then reported unclosed as before.

use super::tokens::{Token, tokens};

/// An inner block whose `}` is missing (offsets into the whole file).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Unclosed {
    /// The `{` that is never closed.
    pub open: usize,
    /// What the block's line says before its `{` (`route a`, `policy`).
    pub head: String,
    /// Where the missing `}` goes for parsing: right after the block's last
    /// token, so no comment swallows it.
    pub parse_at: usize,
    /// Where a fix inserts the `}`, and the text it inserts (on a line of
    /// its own, indented like the block's line, unless the block is one line).
    pub fix_at: usize,
    /// The text the fix inserts.
    pub fix_text: String,
    /// The first token of the line the block ends before (offset and
    /// length), if one is in view.
    pub ends_before: Option<(usize, usize)>,
    /// The line (from 1) of the block's last token.
    pub last_line: usize,
    /// Whether the line the block ends before is indented exactly like the
    /// block's line (else less).
    pub lined_up: bool,
}

/// An open `{`: where it is and the indentation of its line.
#[derive(Clone, Copy, Debug)]
struct Open {
    at: usize,
    indent: usize,
}

/// The inner blocks left unclosed in the service at `range` of `text`, which
/// the grammar found unclosed.  The service's own `{` (the first) is never
/// among them.
pub(super) fn find(text: &str, range: std::ops::Range<usize>) -> Vec<Unclosed> {
    let Some(slice) = text.get(range.clone()) else {
        return Vec::new();
    };
    let tokens: Vec<(Token<'_>, usize)> = tokens(slice)
        .into_iter()
        .filter(|(t, _)| !matches!(t, Token::Comment(_)))
        .map(|(t, at)| (t, at + range.start))
        .collect();
    let mut stack: Vec<Open> = Vec::new();
    let mut unclosed: Vec<Open> = Vec::new();
    let mut line_first = true;
    for &(token, at) in &tokens {
        let first = std::mem::replace(&mut line_first, false);
        match token {
            Token::Newline => line_first = true,
            Token::Open('{') => stack.push(Open {
                at,
                indent: indent_of(text, at),
            }),
            Token::Close('}') => {
                let indent = indent_of(text, at);
                // The open block this `}` lines up with, when the blocks
                // opened after it are all more indented.
                let lines_up = stack.iter().rposition(|o| o.indent == indent);
                match lines_up {
                    Some(k) if first && k + 1 < stack.len() && stack.iter().skip(k + 1).all(|o| o.indent > indent) => {
                        unclosed.extend(stack.drain(k + 1..));
                        stack.pop();
                    }
                    _ => {
                        stack.pop();
                    }
                }
            }
            _ => {}
        }
    }
    // Blocks still open at the end of the service, inside its own block.
    unclosed.extend(stack.into_iter().skip(1));
    unclosed.sort_by_key(|o| o.at);
    unclosed
        .into_iter()
        .filter_map(|open| locate(text, &tokens, open))
        .collect()
}

/// Where the unclosed block `open` ends: before the first line after its own
/// whose first token is indented no more than the block's line; `None` when
/// no such line is in the service.
fn locate(text: &str, tokens: &[(Token<'_>, usize)], open: Open) -> Option<Unclosed> {
    let start = tokens.iter().position(|(_, at)| *at == open.at)?;
    let mut last: Option<(Token<'_>, usize)> = None;
    let mut ends_before = None;
    let mut lined_up = false;
    let mut line_first = false;
    for &(token, at) in tokens.iter().skip(start + 1) {
        if token == Token::Newline {
            line_first = true;
            continue;
        }
        if std::mem::replace(&mut line_first, false) && indent_of(text, at) <= open.indent {
            ends_before = Some((at, token_len(token)));
            lined_up = indent_of(text, at) == open.indent;
            break;
        }
        last = Some((token, at));
    }
    // A block that runs to the end of the service shows no end: no guess
    // where it was meant to end (a half-typed last line is read as it is).
    ends_before?;
    let (token, at) = last?;
    let parse_at = at + token_len(token);
    let line_start = line_start(text, open.at);
    let block_line = text.get(line_start..open.at).unwrap_or("");
    let head = block_line.trim().to_string();
    let same_line = !text.get(open.at..parse_at).unwrap_or("").contains('\n');
    let (fix_at, fix_text) = if same_line {
        (parse_at, " }".to_string())
    } else {
        // The end of the last token's line, before its line break.
        let rest = text.get(parse_at..).unwrap_or("");
        let eol = parse_at + rest.find('\n').unwrap_or(rest.len());
        let crlf = eol > 0 && text.as_bytes().get(eol - 1) == Some(&b'\r');
        let indentation = text.get(line_start..line_start + open.indent).unwrap_or("");
        let newline = if crlf { "\r\n" } else { "\n" };
        (if crlf { eol - 1 } else { eol }, format!("{newline}{indentation}}}"))
    };
    Some(Unclosed {
        open: open.at,
        head,
        parse_at,
        fix_at,
        fix_text,
        ends_before,
        last_line: text.get(..parse_at).map_or(0, |t| t.matches('\n').count()) + 1,
        lined_up,
    })
}

/// The offset where the line holding `at` starts.
fn line_start(text: &str, at: usize) -> usize {
    text.get(..at)
        .and_then(|before| before.rfind('\n'))
        .map_or(0, |i| i + 1)
}

/// The indentation, in bytes of spaces and tabs, of the line holding `at`.
fn indent_of(text: &str, at: usize) -> usize {
    let start = line_start(text, at);
    text.get(start..at)
        .map_or(0, |before| before.len() - before.trim_start_matches([' ', '\t']).len())
}

/// How many bytes a token takes.
fn token_len(token: Token<'_>) -> usize {
    match token {
        Token::Comment(s) | Token::Str(s) | Token::Word(s) => s.len(),
        Token::Open(_) | Token::Close(_) | Token::Comma | Token::Equals | Token::Newline => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unclosed(text: &str) -> Vec<(String, String)> {
        find(text, 0..text.len())
            .into_iter()
            .map(|u| {
                let mut fixed = text.to_string();
                fixed.insert_str(u.fix_at, &u.fix_text);
                (u.head, fixed)
            })
            .collect()
    }

    #[test]
    fn a_route_closed_by_the_services_brace_is_the_unclosed_one() {
        let text = "service a {\n  route x {\n    to v1\n\n  route y {\n    to v2\n  }\n}\n";
        let found = unclosed(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "route x");
        assert_eq!(
            found[0].1,
            "service a {\n  route x {\n    to v1\n  }\n\n  route y {\n    to v2\n  }\n}\n"
        );
    }

    #[test]
    fn a_block_left_open_at_the_end_of_the_service_ends_where_it_dedents() {
        let text = "service a {\n  policy {\n    tls.mode = ISTIO_MUTUAL // why\n  route {\n    to v1\n  }\n";
        let found = unclosed(text);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].0, "policy");
        assert!(
            found[0].1.contains("ISTIO_MUTUAL // why\n  }\n  route {"),
            "{}",
            found[0].1
        );
    }

    #[test]
    fn a_one_line_block_is_closed_on_its_line() {
        let found = unclosed("service a {\r\n  route { to v1\r\n  route { to v2 }\r\n}\r\n");
        assert_eq!(found.len(), 1);
        assert!(found[0].1.contains("route { to v1 }\r\n"), "{:?}", found[0].1);
    }

    #[test]
    fn crlf_lines_get_a_crlf_brace() {
        let found = unclosed("service a {\r\n  route {\r\n    to v1\r\n}\r\n");
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, "service a {\r\n  route {\r\n    to v1\r\n  }\r\n}\r\n");
    }

    /// Without indentation there is no evidence: only the service is unclosed.
    #[test]
    fn no_layout_no_guess() {
        assert!(unclosed("service a {\nroute {\nto v1\n}\n").is_empty());
        assert!(unclosed("service a {\n  route { to v1 }\n").is_empty());
        // A `}` that lines up with no open block is taken as it comes.
        assert!(unclosed("service a {\n  route {\n    to v1\n      }\n").is_empty());
    }

    #[test]
    fn braces_in_strings_and_comments_are_not_blocks() {
        let text = "service a {\n  route {\n    match uri prefix \"{\" // {\n    to v1\n}\n";
        let found = unclosed(text);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].0, "route");
    }
}
