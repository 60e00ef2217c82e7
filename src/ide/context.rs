//! What may come next at a cursor, worked out from the text alone so that it
//! works on lines that do not parse yet.
//!
//! Only the cursor's service is read: the text from the line that starts it
//! (a line beginning `service `) to the cursor, so a completion costs the
//! same at the top of a file and at the end of a 10,000-service one.  That
//! text is tokenized; `{` and `[` push a frame whose kind comes from the
//! words that opened it (`route {`, `policy {`, `connectionPool {`), `}`
//! and `]` pop it.  A block that the user has not closed yet is closed by
//! the next line that can only stand outside it (`route {` after an
//! unclosed `subset v3 {`).  The tokens of the current statement then say
//! which position of its form the cursor is at ([`super::statements`]).

use super::statements;
use crate::catalogue::{self, Field, FieldType};
use crate::syntax::ast::RouteKind;
use crate::syntax::tokens::{Token, tokens};
use crate::words::{self, Place, Word};

/// A place in the program where completion can offer something.
#[derive(Clone, Debug, PartialEq)]
pub enum CursorContext {
    /// An item of the file: `service`, `namespace`.
    Top,
    /// An item of service `service`.
    Service {
        /// The enclosing service.
        service: String,
        /// Whether it is a `delegate NAME { }` block, which holds fewer.
        delegate: bool,
    },
    /// After a route kind (`tcp `): the word `route`.
    RouteKeyword,
    /// An item of a subset.
    Subset,
    /// A statement of a route of `service`.
    Route {
        /// The enclosing service.
        service: String,
        /// The kind of the route: TCP and TLS routes take fewer statements.
        kind: RouteKind,
        /// The statements the route already has (`fault delay`, `rewrite
        /// authority` for the two-word ones), before and after the cursor.
        set: Vec<String>,
        /// Whether the route is a delegate's, which cannot delegate again.
        delegate: bool,
    },
    /// A match condition (after `match` or `and`).
    Condition {
        /// The kind of the route.
        kind: RouteKind,
        /// The conditions already in this `match` line.
        tested: Vec<String>,
    },
    /// How to compare (after `uri`, `header "x"`, ...).
    StringOp {
        /// Whether `present` may follow.
        presence: bool,
        /// Whether `prefix` may follow (not for query parameters).
        prefix: bool,
    },
    /// The fixed words that may come next in a statement's form: options
    /// (`per_try` after `retries 3`), parts (`delay` after `fault`), `and`
    /// after a complete condition.
    Words(Vec<&'static Word>),
    /// Constants of a statement's value (`true`, a gRPC status, a retry
    /// condition inside `on "…"`), with what they are.
    Values {
        /// The constants.
        values: Vec<&'static str>,
        /// What they are ("retry condition").
        detail: &'static str,
        /// The doc of the word whose value they are.
        doc: &'static str,
    },
    /// The name of a delegate, after the `delegate` statement.
    Delegate,
    /// A destination (after `to`, `,` in a `to` line, `mirror` or `for`).
    Destination {
        /// The enclosing service.
        service: String,
        /// The service before `/`, when the word typed so far has one.
        qualifier: Option<String>,
        /// After `headers … for`: only these (the route's destinations).
        only: Option<Vec<String>>,
    },
    /// A field name in a catalogue block; the word typed so far may hold a
    /// dotted prefix, already resolved into `block`.
    FieldName {
        /// The block whose fields may come next.
        block: &'static Field,
        /// The fields of `block` already set in it, or set in part (a
        /// block): those that are not blocks are left out, and so are the
        /// fields exclusive with any of them.
        set: Vec<String>,
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
    /// A service, or a delegate (`true`).
    Service(String, bool),
    Subset,
    /// A route of a service, or of a delegate (`true`).
    Route(String, RouteKind, bool),
    /// A catalogue block (policy, cors, nested field block, list element).
    Block(&'static Field),
    /// A list of values of this field's items.
    List(&'static Field),
    /// A `test` block.
    Test,
    /// Labels (`source { }`) or a map.
    Other,
}

/// An open bracket: its frame, where its contents start, and the statement
/// it interrupted (restored when it closes inside a route: `source { … }`
/// is one value of a `match` line).
struct Open<'a> {
    frame: Frame,
    at: usize,
    saved: Vec<Token<'a>>,
}

/// What the scan of the cursor's service found.
pub(super) struct Scan<'a> {
    /// The text of the cursor's service, from its first line to its end.
    pub service_text: &'a str,
}

/// The context at byte `offset` of `text`, and the start of the word being
/// typed there (what completion replaces).
pub fn cursor_context(text: &str, offset: usize) -> (CursorContext, usize) {
    let (context, replace_from, _) = context_and_scan(text, offset);
    (context, replace_from)
}

/// [`cursor_context`], with the text of the cursor's service.
///
/// Only the text of the top-level item around the cursor is read, so the
/// cost does not grow with the file.
pub(super) fn context_and_scan(text: &str, offset: usize) -> (CursorContext, usize, Scan<'_>) {
    let offset = floor_boundary(text, offset.min(text.len()));
    context_at(text, item_start(text, offset), offset)
}

/// [`context_and_scan`], reading from `start`: the first column of a
/// top-level item or of the file.
fn context_at(text: &str, start: usize, offset: usize) -> (CursorContext, usize, Scan<'_>) {
    let end = service_end(text, offset);
    let scan = Scan {
        service_text: text.get(start..end).unwrap_or(""),
    };
    let before = text.get(start..offset).unwrap_or("");
    // The word being typed: letters, digits, `_`, `-`, `.` and `/`.
    let word_start = before
        .rfind(|c: char| !(c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '/')))
        .map_or(0, |i| i + 1);
    let word = before.get(word_start..).unwrap_or("");
    let all = tokens(before.get(..word_start).unwrap_or(""));
    let (context, replace_from) = context_from(&all, &scan, word, word_start);
    (context, start + replace_from, scan)
}

fn context_from(all: &[(Token<'_>, usize)], scan: &Scan<'_>, word: &str, word_start: usize) -> (CursorContext, usize) {
    let mut open: Vec<Open<'_>> = Vec::new();
    let mut statement: Vec<Token<'_>> = Vec::new();
    // Nothing is offered inside a comment; inside an unfinished string,
    // only the constants of a string value (`on "5xx,`).
    let mut in_string = None;
    match all.last() {
        Some((Token::Comment(_), _)) => return (CursorContext::Nothing, word_start),
        Some((Token::Str(s), _)) if s.len() < 2 || !s.ends_with('"') || s.ends_with("\\\"") => in_string = Some(*s),
        _ => {}
    }
    let count = all.len() - usize::from(in_string.is_some());
    for (token, at) in all.iter().take(count) {
        match *token {
            Token::Open(c) => {
                close_unclosed(&mut open, &statement);
                let frame = open_frame(&open, &statement, c);
                open.push(Open {
                    frame,
                    at: at + 1,
                    saved: std::mem::take(&mut statement),
                });
            }
            Token::Close(c) => {
                let closed = open.pop();
                statement.clear();
                if let Some(closed) = closed
                    && matches!(open.last().map(|o| &o.frame), Some(Frame::Route(..)))
                    && !closed.saved.is_empty()
                {
                    statement = closed.saved;
                    statement.push(Token::Close(c));
                }
            }
            // A line ending in `,` continues on the next one (a long split).
            Token::Newline if statement.last() != Some(&Token::Comma) => statement.clear(),
            Token::Newline | Token::Comment(_) => {}
            other => statement.push(other),
        }
    }
    let top = open.last();
    let context = match in_string {
        Some(string) => match top.map(|o| &o.frame) {
            Some(Frame::Route(..)) => statements::in_string(&statement, string),
            _ => CursorContext::Nothing,
        },
        None => context_in(top, &statement, word, scan),
    };
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

/// Where the item holding `offset` ends: the next line that opens a
/// top-level item (as [`item_start`] reads them), or the end of the text.
fn service_end(text: &str, offset: usize) -> usize {
    let mut at = offset;
    while let Some(n) = text.get(at..).and_then(|rest| rest.find('\n')) {
        let line = at + n + 1;
        let rest = text.get(line..).unwrap_or("");
        let opens =
            words::texts(Place::Top).any(|word| rest.strip_prefix(word).is_some_and(|r| r.starts_with([' ', '\t'])));
        if opens {
            return line;
        }
        at = line;
    }
    text.len()
}

fn floor_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

pub(super) fn words<'a>(statement: &[Token<'a>]) -> Vec<&'a str> {
    statement
        .iter()
        .filter_map(|t| match t {
            Token::Word(w) => Some(*w),
            _ => None,
        })
        .collect()
}

/// Whether `statement` starts a block of a service (`subset x`, `route`,
/// `tcp route x`).
fn starts_service_block(statement: &[Token<'_>]) -> bool {
    match words(statement).as_slice() {
        ["subset", ..] | ["route", ..] => true,
        [kind, "route", ..] => words::get(Place::RouteKind, kind).is_some(),
        _ => false,
    }
}

/// A `{` opened by a line that can only stand in a service closes the
/// blocks the user left open above it (a subset, route or policy still
/// being typed), as the parser's recovery does.
fn close_unclosed(open: &mut Vec<Open<'_>>, statement: &[Token<'_>]) {
    let opens_service_block = starts_service_block(statement);
    let opens_policy = matches!(statement, [Token::Word("policy")]);
    if !(opens_service_block || opens_policy) {
        return;
    }
    let Some(service) = open.iter().rposition(|o| matches!(o.frame, Frame::Service(..))) else {
        return;
    };
    // `policy {` belongs in a subset, and `{ … }` values in blocks are
    // fine; only a route's body cannot hold a policy.
    let inside_route = open
        .iter()
        .skip(service + 1)
        .any(|o| matches!(o.frame, Frame::Route(..)));
    if opens_service_block || inside_route {
        open.truncate(service + 1);
    }
}

/// The kind of block a `{` or `[` opens, from the statement before it.
fn open_frame(open: &[Open<'_>], statement: &[Token<'_>], bracket: char) -> Frame {
    let parent = open.last().map(|o| &o.frame);
    let words = words(statement);
    if bracket == '[' {
        return match (parent, last_field(statement)) {
            (Some(Frame::Block(block)), Some(path)) => block.descend(&path).map_or(Frame::Other, Frame::List),
            _ => Frame::Other,
        };
    }
    match (parent, words.as_slice()) {
        (None, ["service", name, ..]) => Frame::Service((*name).to_string(), false),
        // A top-level `delegate NAME {` holds routes as a service does.
        (None, ["delegate", name, ..]) => Frame::Service((*name).to_string(), true),
        (Some(Frame::Service(..)), ["subset", ..]) => Frame::Subset,
        (Some(Frame::Service(name, delegate)), [kind, "route", ..]) => {
            Frame::Route(name.clone(), route_kind(kind), *delegate)
        }
        (Some(Frame::Service(name, delegate)), ["route", ..]) => Frame::Route(name.clone(), RouteKind::Http, *delegate),
        (None, ["test", ..]) => Frame::Test,
        // `policy {` may follow other items on its line (`subset v1 {
        // version = "v1" policy {`): only the word before the `{` counts.
        (Some(Frame::Service(..) | Frame::Subset), [.., "policy"])
            if matches!(statement.last(), Some(Token::Word("policy"))) =>
        {
            Frame::Block(catalogue::traffic_policy())
        }
        (Some(Frame::Block(block)), ["port", ..]) if block.child("portLevelSettings").is_some() => {
            Frame::Block(catalogue::port_block())
        }
        (Some(Frame::Route(..)), [.., "cors"]) if matches!(statement.last(), Some(Token::Word("cors"))) => {
            Frame::Block(catalogue::cors_policy())
        }
        (Some(Frame::List(list)), []) => list.item.as_deref().map_or(Frame::Other, Frame::Block),
        (Some(Frame::Block(block)), _) => match last_field(statement).and_then(|path| block.descend(&path)) {
            Some(field) if field.ty == FieldType::Object => Frame::Block(field),
            _ => Frame::Other,
        },
        _ => Frame::Other,
    }
}

fn route_kind(word: &str) -> RouteKind {
    match word {
        "tcp" => RouteKind::Tcp,
        "tls" => RouteKind::Tls,
        _ => RouteKind::Http,
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
            // A comma or the value ends the item.
            _ => expecting_key = true,
        }
    }
    key
}

fn context_in(top: Option<&Open<'_>>, statement: &[Token<'_>], word: &str, scan: &Scan<'_>) -> CursorContext {
    let words = words(statement);
    let Some(top) = top else {
        return match words.as_slice() {
            [] => CursorContext::Top,
            _ => CursorContext::Nothing,
        };
    };
    match &top.frame {
        Frame::Service(name, delegate) => match words.as_slice() {
            [] => CursorContext::Service {
                service: name.clone(),
                delegate: *delegate,
            },
            [kind] if !delegate && words::get(Place::RouteKind, kind).is_some() => CursorContext::RouteKeyword,
            _ => CursorContext::Nothing,
        },
        Frame::Subset => match statement {
            [] => CursorContext::Subset,
            _ => CursorContext::Nothing,
        },
        Frame::Route(service, kind, delegate) => {
            let body = block_tokens(scan, top.at);
            statements::route_context(service, (*kind, *delegate), statement, word, &body)
        }
        Frame::Test => test_context(statement, &words, word),
        Frame::Block(block) => block_context(block, statement, word, &block_tokens(scan, top.at)),
        Frame::List(list) => match list.item.as_deref() {
            Some(item) if matches!(item.ty, FieldType::Enum(_) | FieldType::Bool) => {
                CursorContext::FieldValue { field: item }
            }
            _ => CursorContext::Nothing,
        },
        Frame::Other => CursorContext::Nothing,
    }
}

/// The tokens of the block whose contents start at `at` of the service,
/// before and after the cursor, at the block's own depth (nested blocks
/// are left out), up to its `}` or the end of the service.
pub(super) fn block_tokens<'a>(scan: &Scan<'a>, at: usize) -> Vec<Vec<Token<'a>>> {
    let text = scan.service_text.get(at..).unwrap_or("");
    let mut lines: Vec<Vec<Token<'a>>> = vec![Vec::new()];
    let mut depth = 0usize;
    for (token, _) in tokens(text) {
        match token {
            Token::Open(_) => depth += 1,
            Token::Close(_) if depth == 0 => break,
            Token::Close(_) => depth -= 1,
            Token::Newline if depth == 0 => lines.push(Vec::new()),
            Token::Comment(_) | Token::Newline => {}
            other if depth == 0 => {
                if let Some(line) = lines.last_mut() {
                    line.push(other);
                }
            }
            _ => {}
        }
    }
    lines
}

/// In a test block: its lines, then after `expect` what may be expected,
/// and destinations (which have no enclosing service) after `expect to`
/// and `expect mirror`.
fn test_context(statement: &[Token<'_>], words: &[&str], word: &str) -> CursorContext {
    let destination = || CursorContext::Destination {
        service: String::new(),
        qualifier: word.split_once('/').map(|(svc, _)| svc.to_string()),
        only: None,
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

fn block_context(block: &'static Field, statement: &[Token<'_>], word: &str, body: &[Vec<Token<'_>>]) -> CursorContext {
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
            let (field, prefix) = match prefix {
                Some(p) => match block.descend(p) {
                    Some(field) if field.ty == FieldType::Object => (field, format!("{p}.")),
                    _ => return CursorContext::Nothing,
                },
                None => (block, String::new()),
            };
            // Keys written in this block (`a.b = 1` sets `b` of `a`); the
            // word being typed is not one of them.
            let set = body
                .iter()
                .flat_map(|line| keys(line))
                .filter(|key| *key != word)
                .filter_map(|key| key.strip_prefix(prefix.as_str()))
                // `a.b = 1` sets a field of block `a`: `a` counts as set.
                .filter_map(|rest| rest.split('.').next())
                .map(str::to_string)
                .collect();
            CursorContext::FieldName { block: field, set }
        }
    }
}

/// The keys of the items of one line of a block (`a = 1 b.c = 2`).
fn keys<'a>(line: &[Token<'a>]) -> Vec<&'a str> {
    let mut out = Vec::new();
    let mut previous: Option<&'a str> = None;
    for token in line {
        match token {
            Token::Equals => {
                if let Some(key) = previous.take() {
                    out.push(key);
                }
            }
            Token::Word(w) => previous = Some(w),
            _ => previous = None,
        }
    }
    out
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
            let (from_item, at, _) = context_and_scan(&text, offset);
            let (from_start, at_too, _) = context_at(&text, 0, offset);
            assert_eq!((from_item, at), (from_start, at_too), "at {offset}");
        }
        // A service left unclosed above does not swallow the next one.
        assert_eq!(
            at_cursor("service half {\n  route {\n    to v1\nservice after {\n  route {\n    to |"),
            CursorContext::Destination {
                service: "after".into(),
                qualifier: None,
                only: None,
            }
        );
    }

    #[test]
    fn knows_where_it_is() {
        assert_eq!(at_cursor("|"), CursorContext::Top);
        assert_eq!(
            at_cursor("service a {\n  su|"),
            CursorContext::Service {
                service: "a".into(),
                delegate: false
            }
        );
        assert!(matches!(
            at_cursor("service a {\n  route {\n    |"),
            CursorContext::Route {
                kind: RouteKind::Http,
                ..
            }
        ));
        assert!(matches!(
            at_cursor("service a {\n  tcp route {\n    |"),
            CursorContext::Route {
                kind: RouteKind::Tcp,
                ..
            }
        ));
        assert_eq!(at_cursor("service a {\n  tcp |"), CursorContext::RouteKeyword);
        assert_eq!(
            at_cursor("service a {\n  route {\n    to v1 50%, |"),
            CursorContext::Destination {
                service: "a".into(),
                qualifier: None,
                only: None,
            }
        );
        assert_eq!(
            at_cursor("service a {\n  route { to ratings/v|"),
            CursorContext::Destination {
                service: "a".into(),
                qualifier: Some("ratings".into()),
                only: None,
            }
        );
        assert!(matches!(
            at_cursor("service a {\n  route {\n    match |"),
            CursorContext::Condition { .. }
        ));
        assert_eq!(
            at_cursor("service a {\n  route {\n    match uri |"),
            CursorContext::StringOp {
                presence: false,
                prefix: true
            }
        );
        assert_eq!(
            at_cursor("service a {\n  route {\n    match header \"x\" |"),
            CursorContext::StringOp {
                presence: true,
                prefix: true
            }
        );
        let CursorContext::FieldName { block, .. } = at_cursor("service a {\n  policy {\n    loadBalancer.|") else {
            panic!()
        };
        assert_eq!(block.name, "loadBalancer");
        let CursorContext::FieldName { block, .. } =
            at_cursor("service a {\n  policy {\n    connectionPool {\n      |")
        else {
            panic!()
        };
        assert_eq!(block.name, "connectionPool");
        let CursorContext::FieldValue { field } = at_cursor("service a {\n  policy { loadBalancer.simple = |") else {
            panic!()
        };
        assert_eq!(field.name, "simple");
        let CursorContext::FieldName { block, set } = at_cursor("service a {\n  policy { tls { mode = SIMPLE |") else {
            panic!()
        };
        assert_eq!((block.name.as_str(), set), ("tls", vec!["mode".to_string()]));
    }

    /// Only the cursor's service is read: a broken service above it does
    /// not change what completes.
    #[test]
    fn reads_only_the_cursors_service() {
        assert!(matches!(
            at_cursor("service a {\n  route {\n    match \"\nservice b {\n  route {\n    |"),
            CursorContext::Route { .. }
        ));
    }

    /// An unclosed block is closed by a line that can only stand outside it.
    #[test]
    fn an_unclosed_subset_does_not_hide_the_route_below() {
        assert!(matches!(
            at_cursor("service a {\n  subset v3 {\n  route {\n    to |"),
            CursorContext::Destination { .. }
        ));
    }
}
