//! Layout tokens: words, strings, punctuation, comments and line breaks.
//!
//! The formatter and the editor features (completion context, semantic
//! highlighting) read text through these tokens, which need no successful
//! parse: they work on half-typed lines.

/// A lexical token, as far as layout is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Token<'a> {
    /// A comment, `//` to the end of the line.
    Comment(&'a str),
    /// A string literal with its quotes.
    Str(&'a str),
    /// `{` or `[`.
    Open(char),
    /// `}` or `]`.
    Close(char),
    /// `,`.
    Comma,
    /// `=`.
    Equals,
    /// Anything else up to a space or punctuation.
    Word(&'a str),
    /// A line break.
    Newline,
}

/// The tokens of `text`, each with the byte offset where it starts.  Any
/// text can be tokenized; an unterminated string ends at the line's end.
pub fn tokens(text: &str) -> Vec<(Token<'_>, usize)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let start = i;
        match b {
            b'\n' => {
                out.push((Token::Newline, start));
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            b'/' if bytes.get(i + 1) == Some(&b'/') => {
                i = comment_end(bytes, start);
                out.push((Token::Comment(text.get(start..i).unwrap_or("").trim_end()), start));
            }
            b'"' => {
                i = string_end(bytes, start);
                out.push((Token::Str(text.get(start..i).unwrap_or("")), start));
            }
            b'{' | b'[' => {
                out.push((Token::Open(b as char), start));
                i += 1;
            }
            b'}' | b']' => {
                out.push((Token::Close(b as char), start));
                i += 1;
            }
            b',' => {
                out.push((Token::Comma, start));
                i += 1;
            }
            b'=' => {
                out.push((Token::Equals, start));
                i += 1;
            }
            _ => {
                while bytes.get(i).is_some_and(|&c| {
                    !matches!(
                        c,
                        b' ' | b'\t' | b'\r' | b'\n' | b'{' | b'}' | b'[' | b']' | b',' | b'=' | b'"'
                    )
                }) && !(bytes.get(i) == Some(&b'/') && bytes.get(i + 1) == Some(&b'/'))
                {
                    i += 1;
                }
                out.push((Token::Word(text.get(start..i).unwrap_or("")), start));
            }
        }
    }
    out
}

// Where comments and strings end: the one definition that the grammar's
// `WHITESPACE`, `string` and `junk_string` rules spell in pest, and that
// the tokens above and the parser's nesting scan use.  Only `\n` ends a
// line here; a lone `\r` is an ordinary character.

/// The index of the line break that ends the comment starting at `start`
/// (or the end of the text).
pub(crate) fn comment_end(bytes: &[u8], start: usize) -> usize {
    bytes
        .get(start..)
        .and_then(|rest| rest.iter().position(|&b| b == b'\n'))
        .map_or(bytes.len(), |at| start + at)
}

/// The index after the string literal that starts at `start`, or of the
/// line break that ends it unclosed (or the end of the text).  A `\`
/// escapes the byte after it, even a line break.
pub(crate) fn string_end(bytes: &[u8], start: usize) -> usize {
    let mut i = start + 1;
    while let Some(&c) = bytes.get(i) {
        match c {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' => return i,
            _ => i += 1,
        }
    }
    bytes.len()
}
