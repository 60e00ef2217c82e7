//! The canonical layout of `.mesh` files (`meshc fmt`, formatting in
//! editors, and the programs `meshc import` writes).
//!
//! The layout is a function of the tokens and comments alone, as gofmt's
//! and rustfmt's are: however a program is spread over lines, it is
//! written the same way.  Only three things of the source's whitespace
//! count: whether a comment has a line of its own or ends the line of the
//! code before it, where a blank line separates two items, and which line
//! ending the file uses.  The tokens themselves, optional commas included,
//! are never added, removed or changed, so formatting cannot change what a
//! program means; formatting formatted text changes nothing.
//!
//! `tree.rs` groups the tokens into blocks, items and comments;
//! `layout.rs` holds the rules and writes the lines.

mod layout;
mod tree;

pub use layout::{FIELDS_WIDTH, WIDTH};

use crate::syntax::tokens::{Token, tokens};

const BYTE_ORDER_MARK: char = '\u{FEFF}';

/// Formats `text` canonically.  Callers format only text that parses
/// without syntax errors (any text is laid out, but only for such text is
/// the layout sure to mean the same).
pub fn format(text: &str) -> String {
    let (mark, code) = match text.strip_prefix(BYTE_ORDER_MARK) {
        Some(rest) => (Some(BYTE_ORDER_MARK), rest),
        None => (None, text),
    };
    // Text nested deeper than the parser reads is a syntax error and never
    // formatted; it is returned as it is, which also bounds the depth of
    // the layout's recursion.
    if too_deep(code) {
        return text.to_string();
    }
    let laid_out = layout::render(&tree::build(code));
    let mut out = String::with_capacity(text.len());
    out.extend(mark);
    match line_ending(text) {
        "\n" => out.push_str(&laid_out),
        ending => {
            for line in laid_out.split_inclusive('\n') {
                out.push_str(line.strip_suffix('\n').unwrap_or(line));
                out.push_str(ending);
            }
        }
    }
    out
}

/// Whether blocks and lists nest deeper in `text` than the parser reads.
fn too_deep(text: &str) -> bool {
    let mut depth = 0usize;
    tokens(text).into_iter().any(|(token, _)| {
        match token {
            Token::Open(_) => depth += 1,
            Token::Close(_) => depth = depth.saturating_sub(1),
            _ => {}
        }
        depth > crate::syntax::MAX_NESTING
    })
}

/// The line ending of `text`: that of its first line, as rustfmt's
/// `newline_style = "Auto"` decides (`\r\n` or `\n`; `\n` for text of one
/// line).  A file with mixed endings is written with its first line's.
pub fn line_ending(text: &str) -> &'static str {
    match text.find('\n') {
        Some(at) if text[..at].ends_with('\r') => "\r\n",
        _ => "\n",
    }
}

/// Where the tokens of a text went when it was formatted: formatting moves
/// tokens but never changes one, so each offset inside a token has a
/// place in the formatted text.
#[derive(Debug)]
pub struct Moves {
    /// Each token's range before, and its start after.
    tokens: Vec<(std::ops::Range<usize>, usize)>,
}

impl Moves {
    /// The moves from `before` to `after`, its formatted text.
    pub fn between(before: &str, after: &str) -> Moves {
        Moves {
            tokens: code_ranges(before)
                .into_iter()
                .zip(code_ranges(after))
                .map(|((start, end), (new, _))| (start..end, new))
                .collect(),
        }
    }

    /// Where an offset that starts a range went: an offset between tokens
    /// goes to the start of the next token.
    pub fn start(&self, offset: usize) -> usize {
        let at = self.tokens.partition_point(|(range, _)| range.end <= offset);
        match self.tokens.get(at) {
            Some((range, new)) if range.start <= offset => new + (offset - range.start),
            Some((_, new)) => *new,
            None => self.tokens.last().map_or(0, |(range, new)| new + range.len()),
        }
    }

    /// Where an offset that ends a range went: an offset between tokens goes
    /// to the end of the previous token.
    pub fn end(&self, offset: usize) -> usize {
        let at = self.tokens.partition_point(|(range, _)| range.start < offset);
        match at.checked_sub(1).and_then(|i| self.tokens.get(i)) {
            Some((range, new)) => new + (offset.min(range.end) - range.start),
            None => self.tokens.first().map_or(0, |(_, new)| *new),
        }
    }
}

/// Where each token of `text` is, line breaks left out.
fn code_ranges(text: &str) -> Vec<(usize, usize)> {
    tokens(text)
        .into_iter()
        .filter(|(token, _)| *token != Token::Newline)
        .map(|(token, start)| (start, start + token_len(&token)))
        .collect()
}

/// The length of a token as written (a comment without its trailing
/// spaces).
fn token_len(token: &Token<'_>) -> usize {
    match token {
        Token::Comment(s) | Token::Str(s) | Token::Word(s) => s.len(),
        Token::Newline => 0,
        _ => 1,
    }
}

#[cfg(test)]
mod tests;
