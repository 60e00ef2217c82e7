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
                while bytes.get(i).is_some_and(|&c| c != b'\n') {
                    i += 1;
                }
                out.push((Token::Comment(text.get(start..i).unwrap_or("").trim_end()), start));
            }
            b'"' => {
                i += 1;
                while let Some(&c) = bytes.get(i) {
                    if c == b'\\' {
                        i += 2;
                        continue;
                    }
                    if c == b'\n' {
                        break;
                    }
                    i += 1;
                    if c == b'"' {
                        break;
                    }
                }
                i = i.min(bytes.len());
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
