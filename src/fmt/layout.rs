//! The layout rules: which blocks stay on one line, where lines and blank
//! lines go, and the spaces between tokens.  `docs/language.md` states the
//! same rules for people ("Formatting").

use super::tree::{Block, Comment, Item, Kind, Node};
use crate::syntax::tokens::Token;

/// The column, in characters, by which a block must end to stay on one
/// line.  A line can be wider: nothing but a block's items is ever broken.
pub const WIDTH: usize = 100;

/// The widest that the fields of a block of two or more fields may be to
/// stay on one line (`{ version = "v2", track = "canary" }`): fields have no
/// separator of their own, and more of them on one line read as one.
pub const FIELDS_WIDTH: usize = 40;

/// The text of `file` (with `\n` line breaks).
pub(super) fn render(file: &Block<'_>) -> String {
    let mut printer = Printer::default();
    printer.lines(file, 0);
    printer.out
}

/// The line being written, and the token it ends with (for the space
/// before the next).
#[derive(Default)]
struct Line<'a> {
    text: String,
    last: Option<Token<'a>>,
}

impl<'a> Line<'a> {
    fn token(&mut self, token: Token<'a>) {
        if let Some(previous) = self.last
            && needs_space(previous, token)
        {
            self.text.push(' ');
        }
        self.text.push_str(spell(&token));
        self.last = Some(token);
    }

    /// Writes `block` on this line.
    fn flat(&mut self, block: &Block<'a>) {
        if let Some(open) = block.open {
            self.token(Token::Open(open));
        }
        for item in &block.items {
            self.flat_nodes(&item.nodes);
        }
        if let Some(close) = block.close {
            self.token(Token::Close(close));
        }
    }

    /// Writes `nodes` on this line, up to a comment.
    fn flat_nodes(&mut self, nodes: &[Node<'a>]) {
        for node in nodes {
            match node {
                Node::Token(token) => self.token(*token),
                Node::Block(block) => self.flat(block),
                Node::Comment { .. } => break,
            }
        }
    }

    fn width(&self) -> usize {
        self.text.chars().count()
    }
}

fn spell<'a>(token: &Token<'a>) -> &'a str {
    match *token {
        Token::Comment(s) | Token::Str(s) | Token::Word(s) => s,
        Token::Open('[') => "[",
        Token::Open(_) => "{",
        Token::Close(']') => "]",
        Token::Close(_) => "}",
        Token::Comma => ",",
        Token::Equals => "=",
        Token::Newline => "",
    }
}

/// One space between tokens, except before a comma, inside brackets, in
/// an empty block (`{}`) and before the port of a quoted destination
/// (`"httpbin.org":8080` is one token to the grammar).
fn needs_space(previous: Token<'_>, next: Token<'_>) -> bool {
    match (previous, next) {
        (_, Token::Comma) | (Token::Open('['), _) | (_, Token::Close(']')) | (Token::Open('{'), Token::Close('}')) => {
            false
        }
        (Token::Str(_), Token::Word(w)) => !w.starts_with(':'),
        _ => true,
    }
}

/// Whether the rules let `block` stay on one line (its width aside).
fn may_stay_flat(block: &Block<'_>) -> bool {
    let allowed = match block.kind {
        Kind::File | Kind::Service => block.items.is_empty(),
        Kind::Route => block.items.len() <= 1,
        // A test reads as lines: its request, then what it expects.
        Kind::Test => block.items.is_empty(),
        Kind::Fields => {
            !block.ends_with_comma()
                && block
                    .items
                    .iter()
                    .all(|item| item.blocks().all(|inner| inner.kind == Kind::List))
                && (block.items.len() <= 1 || {
                    let mut line = Line::default();
                    block.items.iter().for_each(|item| line.flat_nodes(&item.nodes));
                    line.width() <= FIELDS_WIDTH
                })
        }
        Kind::List => !block.ends_with_comma(),
    };
    // The kind's rule first: a service's block is never read through.
    allowed && !block.has_comment() && block.items.iter().all(|item| item.blocks().all(may_stay_flat))
}

#[derive(Default)]
struct Printer<'a> {
    out: String,
    line: Line<'a>,
    /// The indentation of the current line, in levels.
    indent: usize,
}

impl<'a> Printer<'a> {
    /// Ends the current line, if it has anything.
    fn flush(&mut self) {
        if !self.line.text.is_empty() {
            for _ in 0..self.indent {
                self.out.push_str("  ");
            }
            self.out.push_str(&self.line.text);
            self.out.push('\n');
        }
        self.line = Line::default();
    }

    /// Starts a line at `indent`, after a blank line if `blank` (never at
    /// the start of the text).
    fn start(&mut self, indent: usize, blank: bool) {
        self.flush();
        if blank && !self.out.is_empty() && !self.out.ends_with("\n\n") {
            self.out.push('\n');
        }
        self.indent = indent;
    }

    fn column(&self) -> usize {
        self.indent * 2 + self.line.width()
    }

    fn comment_line(&mut self, comment: &Comment<'a>, indent: usize, blank: bool) {
        self.start(indent, blank);
        self.line.token(Token::Comment(comment.text));
        self.flush();
    }

    /// The items and comments of `block`, one a line at `indent`.  A blank
    /// line of the source before an item or a comment is kept, except at
    /// the start of the block; the file's items always have one between
    /// them.
    fn lines(&mut self, block: &Block<'a>, indent: usize) {
        let mut first = true;
        for (i, item) in block.items.iter().enumerate() {
            let separate = block.kind == Kind::File && i > 0;
            for (j, comment) in item.leading.iter().enumerate() {
                let blank = comment.blank_before || (separate && j == 0);
                self.comment_line(comment, indent, blank && !first);
                first = false;
            }
            let blank = item.blank_before || (separate && item.leading.is_empty());
            self.start(indent, blank && !first);
            first = false;
            self.item(item, indent);
            self.flush();
        }
        for comment in &block.dangling {
            self.comment_line(comment, indent, comment.blank_before && !first);
            first = false;
        }
    }

    /// One item, starting on the current line at `indent`.
    fn item(&mut self, item: &Item<'a>, indent: usize) {
        for (at, node) in item.nodes.iter().enumerate() {
            match node {
                Node::Token(token) => self.line.token(*token),
                Node::Comment { text, own_line } => {
                    // The comment ends its line; the item goes on below,
                    // one level deeper.
                    if *own_line && !self.line.text.is_empty() {
                        self.start(indent + 1, false);
                    }
                    self.line.token(Token::Comment(text));
                    self.start(indent + 1, false);
                }
                Node::Block(block) => self.block(block, item.nodes.get(at + 1..).unwrap_or_default()),
            }
        }
        if let Some(comment) = item.trailing {
            self.line.token(Token::Comment(comment));
        }
    }

    /// A block on the current line, followed there by `rest` of its item:
    /// on one line when the rules allow and it ends (with a comma right
    /// after it) within the width, else one item a line.  What follows
    /// in its statement is not counted: it stays on the line of the
    /// block's end either way.
    fn block(&mut self, block: &Block<'a>, rest: &[Node<'a>]) {
        let flat = may_stay_flat(block) && {
            let mut line = Line {
                text: String::new(),
                last: self.line.last,
            };
            line.flat(block);
            if let Some(Node::Token(Token::Comma)) = rest.first() {
                line.token(Token::Comma);
            }
            self.column() + line.width() <= WIDTH
        };
        if flat {
            self.line.flat(block);
            return;
        }
        if let Some(open) = block.open {
            self.line.token(Token::Open(open));
        }
        if let Some(comment) = block.open_comment {
            self.line.token(Token::Comment(comment));
        }
        let outer = self.indent;
        self.flush();
        self.lines(block, outer + 1);
        self.start(outer, false);
        if let Some(close) = block.close {
            self.line.token(Token::Close(close));
        }
    }
}
