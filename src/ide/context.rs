//! What may come next at a cursor, worked out from the text alone so that it
//! works on lines that do not parse yet.
//!
//! The text before the cursor is tokenized; `{` and `[` push a frame whose
//! kind comes from the words that opened it (`service NAME {`, `policy {`,
//! `connectionPool {`), `}` and `]` pop it.  The tokens of the current
//! statement then say which position inside the frame the cursor is at.

use crate::catalogue::{self, Field, FieldType};
use crate::syntax::tokens::{Token, tokens};
use crate::words::{self, Place};

/// A place in the program where completion can offer something.
#[derive(Clone, Debug, PartialEq)]
pub enum CursorContext {
    /// An item of the file: `service`, `namespace`.
    Top,
    /// An item of service `service`.
    Service {
        /// The enclosing service.
        service: String,
    },
    /// An item of a subset.
    Subset,
    /// A statement of a route of `service`.
    Route {
        /// The enclosing service.
        service: String,
    },
    /// A match condition (after `match` or `and`).
    Condition,
    /// How to compare (after `uri`, `header "x"`, ...); `presence` when
    /// `present` is allowed.
    StringOp {
        /// Whether `present` may follow.
        presence: bool,
    },
    /// A destination (after `to`, `,` in a `to` line, or `mirror`).
    Destination {
        /// The enclosing service.
        service: String,
        /// The service before `/`, when the word typed so far has one.
        qualifier: Option<String>,
    },
    /// A field name in a catalogue block; the word typed so far may hold a
    /// dotted prefix, already resolved into `block`.
    FieldName {
        /// The block whose fields may come next.
        block: &'static Field,
    },
    /// The value of a catalogue field, after `=`.
    FieldValue {
        /// The field being set.
        field: &'static Field,
    },
    /// A line of a `test` block: the request, what it carries, `expect`.
    Test,
    /// What a test expects (after `expect`).
    Expectation,
    /// Nothing to offer.
    Nothing,
}

#[derive(Clone, Debug)]
enum Frame {
    Service(String),
    Subset,
    Route(String),
    /// A catalogue block (policy, cors, nested field block, list element).
    Block(&'static Field),
    /// A list of values of this field's items.
    List(&'static Field),
    /// A `test` block.
    Test,
    /// Labels (`source { }`) or a map.
    Other,
}

/// The context at byte `offset` of `text`, and the start of the word being
/// typed there (what completion replaces).
///
/// Only the text from the start of the top-level item around the cursor is
/// read, so the cost does not grow with the file.
pub fn cursor_context(text: &str, offset: usize) -> (CursorContext, usize) {
    let offset = floor_boundary(text, offset.min(text.len()));
    let start = item_start(text, offset);
    let (context, replace_from) = context_from(text.get(start..).unwrap_or(""), offset - start);
    (context, replace_from + start)
}

/// Where the top-level item around `offset` starts: the last line before
/// it that starts with a word of the file's top level (`service`,
/// `delegate`, `namespace`) at its first column, as the parser's pieces
/// start (`syntax/pieces.rs`), or the start of the text.
fn item_start(text: &str, offset: usize) -> usize {
    let mut end = offset;
    while let Some(newline) = text.get(..end).and_then(|before| before.rfind('\n')) {
        let line = text.get(newline + 1..).unwrap_or("");
        let opens = words::texts(Place::Top).any(|word| {
            line.strip_prefix(word)
                .is_some_and(|rest| rest.starts_with([' ', '\t']))
        });
        if opens {
            return newline + 1;
        }
        end = newline;
    }
    0
}

/// [`cursor_context`] in `text`, which starts at the first column of a
/// top-level item or of the file.
fn context_from(text: &str, offset: usize) -> (CursorContext, usize) {
    let before = text.get(..offset).unwrap_or("");
    // The word being typed: letters, digits, `_`, `-`, `.` and `/`.
    let word_start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')))
        .map_or(0, |i| i + 1);
    let word = before.get(word_start..).unwrap_or("");
    let mut frames: Vec<Frame> = Vec::new();
    let mut statement: Vec<Token<'_>> = Vec::new();
    let all = tokens(before.get(..word_start).unwrap_or(""));
    // Nothing is offered inside a comment or an unfinished string.
    match all.last() {
        Some((Token::Comment(_), _)) => return (CursorContext::Nothing, word_start),
        Some((Token::Str(s), _)) if s.len() < 2 || !s.ends_with('"') || s.ends_with("\\\"") => {
            return (CursorContext::Nothing, word_start);
        }
        _ => {}
    }
    for (token, _) in all {
        match token {
            Token::Open(c) => {
                let frame = open_frame(&frames, &statement, c);
                frames.push(frame);
                statement.clear();
            }
            Token::Close(_) => {
                frames.pop();
                statement.clear();
            }
            // A line ending in `,` continues on the next one (a long split).
            Token::Newline if statement.last() != Some(&Token::Comma) => statement.clear(),
            Token::Newline => {}
            Token::Comment(_) => {}
            other => statement.push(other),
        }
    }
    let context = context_in(frames.last(), &statement, word);
    // After a dotted prefix or `svc/`, only the last part is replaced.
    let replace_from = match &context {
        CursorContext::FieldName { .. } => word.rfind('.').map_or(word_start, |i| word_start + i + 1),
        CursorContext::Destination { qualifier: Some(_), .. } => {
            word.rfind('/').map_or(word_start, |i| word_start + i + 1)
        }
        _ => word_start,
    };
    (context, replace_from)
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

fn words<'a>(statement: &[Token<'a>]) -> Vec<&'a str> {
    statement
        .iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(*w),
            _ => None,
        })
        .collect()
}

/// The kind of block a `{` or `[` opens, from the statement before it.
fn open_frame(frames: &[Frame], statement: &[Token<'_>], bracket: char) -> Frame {
    let parent = frames.last();
    let words = words(statement);
    if bracket == '[' {
        return match (parent, last_field(statement)) {
            (Some(Frame::Block(block)), Some(path)) => block.descend(&path).map_or(Frame::Other, Frame::List),
            _ => Frame::Other,
        };
    }
    match (parent, words.as_slice()) {
        // A delegate block holds routes as a service does.
        (None, ["service" | "delegate", name, ..]) => Frame::Service((*name).to_string()),
        (None, ["test", ..]) => Frame::Test,
        (Some(Frame::Service(_)), ["subset", ..]) => Frame::Subset,
        (Some(Frame::Service(name)), [.., "route"] | [.., "route", _]) => Frame::Route(name.clone()),
        // `policy {` may follow other items on its line (`subset v1 {
        // version = "v1" policy {`): only the word before the `{` counts.
        (Some(Frame::Service(_) | Frame::Subset), [.., "policy"])
            if matches!(statement.last(), Some(Token::Word("policy"))) =>
        {
            Frame::Block(catalogue::traffic_policy())
        }
        (Some(Frame::Block(block)), ["port", ..]) if block.child("portLevelSettings").is_some() => {
            Frame::Block(catalogue::port_block())
        }
        (Some(Frame::Route(_)), ["cors"]) => Frame::Block(catalogue::cors_policy()),
        (Some(Frame::List(list)), []) => list.item.as_deref().map_or(Frame::Other, Frame::Block),
        (Some(Frame::Block(block)), _) => match last_field(statement).and_then(|path| block.descend(&path)) {
            Some(field) if field.ty == FieldType::Object => Frame::Block(field),
            _ => Frame::Other,
        },
        _ => Frame::Other,
    }
}

/// The field path of the last `path` or `path =` in a statement of a block
/// (items may share a line: `{ name = "a" ttl = 0s }`).
fn last_field(statement: &[Token<'_>]) -> Option<String> {
    let mut key = None;
    let mut expecting_key = true;
    for token in statement {
        match token {
            Token::Word(w) if expecting_key => {
                key = Some((*w).to_string());
                expecting_key = false;
            }
            Token::Equals => {}
            Token::Comma => expecting_key = true,
            // The value ends the item.
            _ => expecting_key = true,
        }
    }
    key
}

fn context_in(frame: Option<&Frame>, statement: &[Token<'_>], word: &str) -> CursorContext {
    let words = words(statement);
    match frame {
        None => match words.as_slice() {
            [] => CursorContext::Top,
            _ => CursorContext::Nothing,
        },
        Some(Frame::Service(name)) => match words.as_slice() {
            [] => CursorContext::Service { service: name.clone() },
            [kind] if words::get(Place::RouteKind, kind).is_some() => CursorContext::Service { service: name.clone() },
            _ => CursorContext::Nothing,
        },
        Some(Frame::Subset) => match statement {
            [] => CursorContext::Subset,
            _ => CursorContext::Nothing,
        },
        Some(Frame::Route(service)) => route_context(service, statement, &words, word),
        Some(Frame::Test) => test_context(statement, &words, word),
        Some(Frame::Block(block)) => block_context(block, statement, word),
        Some(Frame::List(list)) => match list.item.as_deref() {
            Some(item) if matches!(item.ty, FieldType::Enum(_) | FieldType::Bool) => {
                CursorContext::FieldValue { field: item }
            }
            _ => CursorContext::Nothing,
        },
        Some(Frame::Other) => CursorContext::Nothing,
    }
}

fn route_context(service: &str, statement: &[Token<'_>], words: &[&str], word: &str) -> CursorContext {
    // Several statements may share a line (`route { timeout 5s to v1 }`):
    // only the last one counts.
    let last_start = statement
        .iter()
        .rposition(|t| matches!(t, Token::Word(w) if words::get(Place::Statement, w).is_some()));
    if let Some(start) = last_start.filter(|&s| s > 0) {
        let rest = statement.get(start..).unwrap_or_default();
        return route_context(service, rest, &self::words(rest), word);
    }
    let Some(first) = words.first() else {
        return CursorContext::Route {
            service: service.to_string(),
        };
    };
    let destination = || CursorContext::Destination {
        service: service.to_string(),
        qualifier: word.split_once('/').map(|(svc, _)| svc.to_string()),
    };
    match *first {
        "to" => match statement.last() {
            Some(Token::Comma) => destination(),
            Some(Token::Word("to")) => destination(),
            _ => CursorContext::Nothing,
        },
        "mirror" if words.len() == 1 => destination(),
        "match" => match (words.last(), statement.last()) {
            (Some(&"match" | &"and"), Some(Token::Word(_))) => CursorContext::Condition,
            (Some(subject), Some(Token::Word(_))) if words::get(Place::StringSubject, subject).is_some() => {
                CursorContext::StringOp { presence: false }
            }
            (_, Some(Token::Str(_))) => {
                // `header "x" |` and `query "x" |` take an operator next.
                let n = statement.len();
                match statement.get(n.wrapping_sub(2)) {
                    Some(Token::Word("header" | "query")) => CursorContext::StringOp { presence: true },
                    _ => CursorContext::Nothing,
                }
            }
            _ => CursorContext::Nothing,
        },
        _ => CursorContext::Nothing,
    }
}

/// In a test block: its lines, then after `expect` what may be expected,
/// and destinations (which have no enclosing service) after `expect to`
/// and `expect mirror`.
fn test_context(statement: &[Token<'_>], words: &[&str], word: &str) -> CursorContext {
    let destination = || CursorContext::Destination {
        service: String::new(),
        qualifier: word.split_once('/').map(|(svc, _)| svc.to_string()),
    };
    match words {
        [] => CursorContext::Test,
        ["expect"] if matches!(statement.last(), Some(Token::Word("expect"))) => CursorContext::Expectation,
        ["expect", "to", ..] => match statement.last() {
            Some(Token::Comma | Token::Word("to")) => destination(),
            _ => CursorContext::Nothing,
        },
        ["expect", "mirror"] => destination(),
        _ => CursorContext::Nothing,
    }
}

fn block_context(block: &'static Field, statement: &[Token<'_>], word: &str) -> CursorContext {
    // Walk the items of the statement: key, `=`, value, key, ...
    let mut key: Option<&str> = None;
    let mut after_equals = false;
    for token in statement {
        match (token, key, after_equals) {
            (Token::Word(w), None, _) => key = Some(w),
            (Token::Equals, Some(_), false) => after_equals = true,
            // A value (or a stray token) ends the item.
            _ => {
                key = None;
                after_equals = false;
            }
        }
    }
    match (key, after_equals) {
        (Some(path), true) => match block.descend(path) {
            Some(field) => CursorContext::FieldValue { field },
            None => CursorContext::Nothing,
        },
        (Some(_), false) => CursorContext::Nothing,
        (None, _) => {
            // A dotted prefix selects the block to complete in.
            let prefix = word.rsplit_once('.').map(|(p, _)| p);
            match prefix {
                Some(p) => match block.descend(p) {
                    Some(field) if field.ty == FieldType::Object => CursorContext::FieldName { block: field },
                    _ => CursorContext::Nothing,
                },
                None => CursorContext::FieldName { block },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at_cursor(text: &str) -> CursorContext {
        let offset = text.find('|').unwrap();
        let text = text.replace('|', "");
        cursor_context(&text, offset).0
    }

    #[test]
    fn reading_from_the_item_start_gives_what_reading_the_whole_file_gives() {
        let text = [
            include_str!("../../examples/bookinfo.mesh"),
            include_str!("../../examples/canary.mesh"),
            include_str!("../../examples/cors-and-locality.mesh"),
            "delegate d {\n  route {\n    to reviews\n  }\n}\n",
        ]
        .concat();
        assert!(item_start(&text, text.len()) > 0);
        for offset in (0..=text.len()).filter(|&o| text.is_char_boundary(o)) {
            assert_eq!(
                cursor_context(&text, offset),
                context_from(&text, offset),
                "at {offset}"
            );
        }
        // A service left unclosed above does not swallow the next one.
        assert_eq!(
            at_cursor("service half {\n  route {\n    to v1\nservice after {\n  route {\n    to |"),
            CursorContext::Destination {
                service: "after".into(),
                qualifier: None
            }
        );
    }

    #[test]
    fn knows_where_it_is() {
        assert_eq!(at_cursor("|"), CursorContext::Top);
        assert_eq!(
            at_cursor("service a {\n  su|"),
            CursorContext::Service { service: "a".into() }
        );
        assert_eq!(
            at_cursor("service a {\n  route {\n    |"),
            CursorContext::Route { service: "a".into() }
        );
        assert_eq!(
            at_cursor("service a {\n  route {\n    to v1 50%, |"),
            CursorContext::Destination {
                service: "a".into(),
                qualifier: None
            }
        );
        assert_eq!(
            at_cursor("service a {\n  route { to ratings/v|"),
            CursorContext::Destination {
                service: "a".into(),
                qualifier: Some("ratings".into())
            }
        );
        assert_eq!(
            at_cursor("service a {\n  route {\n    match |"),
            CursorContext::Condition
        );
        assert_eq!(
            at_cursor("service a {\n  route {\n    match uri |"),
            CursorContext::StringOp { presence: false }
        );
        assert_eq!(
            at_cursor("service a {\n  route {\n    match header \"x\" |"),
            CursorContext::StringOp { presence: true }
        );
        let CursorContext::FieldName { block } = at_cursor("service a {\n  policy {\n    loadBalancer.|") else {
            panic!()
        };
        assert_eq!(block.name, "loadBalancer");
        let CursorContext::FieldName { block } = at_cursor("service a {\n  policy {\n    connectionPool {\n      |")
        else {
            panic!()
        };
        assert_eq!(block.name, "connectionPool");
        let CursorContext::FieldValue { field } = at_cursor("service a {\n  policy { loadBalancer.simple = |") else {
            panic!()
        };
        assert_eq!(field.name, "simple");
        let CursorContext::FieldName { block } = at_cursor("service a {\n  policy { tls { mode = SIMPLE |") else {
            panic!()
        };
        assert_eq!(block.name, "tls");
    }
}
