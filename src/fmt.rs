//! The canonical layout of `.mesh` files (`meshc fmt`, and formatting in
//! editors).
//!
//! The formatter works on tokens, not on the syntax tree, so it keeps every
//! comment and the author's line breaks: it re-indents by two spaces per
//! open block, puts one space between tokens, removes trailing whitespace,
//! and keeps at most one blank line in a row.  Formatting formatted text
//! changes nothing.

use crate::syntax::tokens::{Token, tokens};

/// Formats `text` canonically.  Callers format only text that parses
/// without syntax errors, so the braces balance.
pub fn format(text: &str) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut depth: usize = 0;
    let mut line = String::new();
    let mut line_depth = 0;
    let mut previous: Option<&Token<'_>> = None;
    let all = tokens(text);
    for (token, _) in &all {
        if *token == Token::Newline {
            lines.push(indent(&line, line_depth));
            line.clear();
            previous = None;
            continue;
        }
        if line.is_empty() {
            // A line that starts by closing blocks is indented at the level
            // it closes to.
            line_depth = if matches!(token, Token::Close(_)) {
                depth.saturating_sub(1)
            } else {
                depth
            };
        }
        if let Some(prev) = previous
            && needs_space(prev, token)
        {
            line.push(' ');
        }
        match token {
            Token::Comment(s) | Token::Str(s) | Token::Word(s) => line.push_str(s),
            Token::Open(c) => {
                line.push(*c);
                depth += 1;
            }
            Token::Close(c) => {
                line.push(*c);
                depth = depth.saturating_sub(1);
            }
            Token::Comma => line.push(','),
            Token::Equals => line.push('='),
            Token::Newline => {}
        }
        previous = Some(token);
    }
    if !line.is_empty() {
        lines.push(indent(&line, line_depth));
    }
    join_lines(&lines)
}

fn needs_space(prev: &Token<'_>, next: &Token<'_>) -> bool {
    match (prev, next) {
        (_, Token::Comma) => false,
        (Token::Open('['), _) | (_, Token::Close(']')) => false,
        // `"host":8080` is one destination.
        (Token::Str(_), Token::Word(w)) if w.starts_with(':') => false,
        _ => true,
    }
}

fn indent(line: &str, depth: usize) -> String {
    if line.is_empty() {
        String::new()
    } else {
        format!("{}{line}", "  ".repeat(depth))
    }
}

/// Joins lines, dropping leading and trailing blank lines, runs of blank
/// lines, and blank lines just inside a block.
fn join_lines(lines: &[String]) -> String {
    let mut out = String::new();
    let mut blank_pending = false;
    let mut last_opened = true;
    for line in lines {
        if line.is_empty() {
            blank_pending = !out.is_empty() && !last_opened;
            continue;
        }
        let closes = line.trim_start().starts_with(['}', ']']);
        if blank_pending && !closes {
            out.push('\n');
        }
        blank_pending = false;
        out.push_str(line);
        out.push('\n');
        last_opened = line.ends_with(['{', '[']);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reindents_and_keeps_comments() {
        let input = "// head\nservice  a {\n\n\n   subset v1 {version=\"v1\"}   // trailing\n  route {\n to v1 50% , v2 50%\n  }\n\n}\n\n\n";
        let expected = "// head\nservice a {\n  subset v1 { version = \"v1\" } // trailing\n  route {\n    to v1 50%, v2 50%\n  }\n}\n";
        assert_eq!(format(input), expected);
        assert_eq!(format(expected), expected);
    }

    #[test]
    fn keeps_ports_and_lists_tight() {
        let input = "service a {\n  route { mirror \"httpbin.org\":8080 }\n  policy { tls.subjectAltNames = [ \"a\" , \"b\" ] }\n}\n";
        let expected = "service a {\n  route { mirror \"httpbin.org\":8080 }\n  policy { tls.subjectAltNames = [\"a\", \"b\"] }\n}\n";
        assert_eq!(format(input), expected);
    }
}
