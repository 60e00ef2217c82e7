//! Signature help for the positional statements of a route: the form of the
//! statement the cursor is in (`retries ATTEMPTS [per_try DURATION] …`),
//! with the part being written marked.
//!
//! The options of `retries` and `redirect` are read from the words table;
//! the other forms are the grammar's (`grammar/mesh.pest`).

use crate::syntax::tokens::{Token, tokens};
use crate::words::{self, Place, Takes};

/// The form of a statement and the part of it at the cursor.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature {
    /// The whole form: `fault abort STATUS [PERCENT]`.
    pub label: String,
    /// The doc of the statement.
    pub documentation: String,
    /// Each part's byte range in `label`.
    pub parameters: Vec<(usize, usize)>,
    /// The part being written, an index into `parameters`.
    pub active: usize,
}

/// A statement's form as parts; `options` for the statements that take
/// `KEY VALUE` options after their first parts.
struct Form {
    parts: Vec<String>,
    options: bool,
}

/// The signature of the statement around byte `offset` of `text`, if the
/// cursor is in a route statement that takes values.
pub fn signature_help(text: &str, offset: usize) -> Option<Signature> {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let line_start = text.get(..offset)?.rfind('\n').map_or(0, |n| n + 1);
    let line = text.get(line_start..offset)?;
    let all = tokens(line);
    // The last statement of the line (`route { timeout 5s retries |`).
    let start = all
        .iter()
        .rposition(|(t, _)| matches!(t, Token::Word(w) if words::get(Place::Statement, w).is_some()))?;
    let statement: Vec<Token<'_>> = all.iter().skip(start).map(|(t, _)| *t).collect();
    if statement
        .iter()
        .any(|t| matches!(t, Token::Close(_) | Token::Comment(_)))
    {
        return None;
    }
    let Token::Word(keyword) = *statement.first()? else {
        return None;
    };
    // Words after the keyword, the last one still being typed unless the
    // line ends in a space.
    let typing = !line.ends_with([' ', '\t', ',']);
    let after: Vec<&str> = statement
        .iter()
        .skip(1)
        .filter_map(|t| match t {
            Token::Word(w) | Token::Str(w) => Some(*w),
            _ => None,
        })
        .collect();
    let complete = after.len() - usize::from(typing && !after.is_empty());
    let second = after.first().copied().unwrap_or("");
    let form = form(keyword, second)?;
    let active = if form.options {
        // Before the options: the first parts in order; then the option
        // whose key was written last.
        let fixed = form.parts.iter().take_while(|p| !p.starts_with('[')).count();
        if complete < fixed {
            complete
        } else {
            let written = after
                .get(fixed..(complete + usize::from(typing)).min(after.len()))
                .unwrap_or_default();
            // Keys stand at even places after the first parts.
            let last_key = written.iter().step_by(2).next_back();
            last_key
                .and_then(|key| form.parts.iter().position(|p| p.starts_with(&format!("[{key} "))))
                .unwrap_or(fixed.min(form.parts.len() - 1))
        }
    } else {
        complete.min(form.parts.len() - 1)
    };
    let mut label = String::new();
    let mut parameters = Vec::new();
    label.push_str(keyword);
    for part in &form.parts {
        label.push(' ');
        parameters.push((label.len(), label.len() + part.len()));
        label.push_str(part);
    }
    Some(Signature {
        label,
        documentation: words::doc(Place::Statement, keyword).to_string(),
        parameters,
        active,
    })
}

/// A placeholder for a value of the kind `takes`.
fn placeholder(word: &str, takes: Takes) -> &'static str {
    match (word, takes) {
        ("on", _) => "\"CONDITIONS\"",
        (_, Takes::Duration) => "DURATION",
        (_, Takes::Bool) => "BOOL",
        (_, Takes::Number) => "NUMBER",
        (_, Takes::Constant) => "CONSTANT",
        (_, Takes::String) => "\"TEXT\"",
        _ => "VALUE",
    }
}

/// The form of statement `keyword` whose first word after it is `second`.
fn form(keyword: &str, second: &str) -> Option<Form> {
    let parts = |list: &[&str]| list.iter().map(|s| (*s).to_string()).collect::<Vec<_>>();
    let with_options = |first: &[&str], statement: &'static str| Form {
        parts: first
            .iter()
            .map(|s| (*s).to_string())
            .chain(
                words::at(Place::OptionOf(statement)).map(|w| format!("[{} {}]", w.text, placeholder(w.text, w.takes))),
            )
            .collect(),
        options: true,
    };
    let positional = |list: &[&str]| Form {
        parts: parts(list),
        options: false,
    };
    Some(match (keyword, second) {
        ("retries", _) => with_options(&["ATTEMPTS"], "retries"),
        ("redirect", _) => with_options(&[], "redirect"),
        ("timeout", _) => positional(&["DURATION"]),
        ("fault", "abort") => positional(&["abort", "STATUS | grpc \"STATUS\"", "[PERCENT]"]),
        ("fault", "delay") => positional(&["delay", "DURATION", "[PERCENT]"]),
        ("fault", _) => positional(&["delay | abort", "DURATION | STATUS", "[PERCENT]"]),
        ("mirror", _) => positional(&["DESTINATION", "[PERCENT]"]),
        ("respond", _) => positional(&["STATUS", "[\"BODY\" | bytes \"BASE64\"]"]),
        ("delegate", _) => positional(&["NAME", "[namespace \"NAMESPACE\"]"]),
        ("rewrite", _) => positional(&["uri | authority", "\"VALUE\" | regex \"REGEX\" \"REPLACEMENT\""]),
        ("headers", _) => positional(&[
            "request | response",
            "set | add | remove",
            "\"NAME\"",
            "[\"VALUE\"]",
            "[for DESTINATION]",
        ]),
        ("to", _) => positional(&["DESTINATION [WEIGHT%], …"]),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: &str) -> Option<(String, String)> {
        let text = format!("service a {{\n  route {{\n    {line}");
        signature_help(&text, text.len()).map(|s| {
            let (from, to) = s.parameters[s.active];
            (s.label.clone(), s.label[from..to].to_string())
        })
    }

    #[test]
    fn marks_the_part_being_written() {
        let (label, part) = at("retries ").unwrap();
        assert!(
            label.starts_with("retries ATTEMPTS [per_try DURATION] [on \"CONDITIONS\"]"),
            "{label}"
        );
        assert_eq!(part, "ATTEMPTS");
        assert_eq!(at("retries 3 per_try 2").unwrap().1, "[per_try DURATION]");
        assert_eq!(at("fault abort 503 ").unwrap().1, "[PERCENT]");
        assert_eq!(at("mirror v2 ").unwrap().1, "[PERCENT]");
        assert_eq!(at("timeout 5s to v1 ").unwrap().1, "DESTINATION [WEIGHT%], …");
        assert_eq!(at("match uri "), None);
    }
}
