//! The layout tree: a file's tokens grouped into blocks, items and
//! comments, which is all the layout rules read.
//!
//! Items are found from the tokens and the words table, not from the
//! syntax tree, so the tree can be built from any text (the formatter
//! refuses text with syntax errors, but the tree never fails).  Line breaks
//! leave only two traces: whether a comment stands on its own line or ends
//! the line of a token, and where the source had a blank line.

use crate::syntax::tokens::{Token, tokens};
use crate::words::{self, Place};

/// What a block holds, which decides how its items are found and when it
/// may stay on one line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Kind {
    /// The file: `namespace` lines and services.
    File,
    /// A service's block: settings, subsets, policies and routes.
    Service,
    /// A route's block: statements.
    Route,
    /// A test's block: its request, what it carries, its expectations.
    Test,
    /// A block of fields or labels (subsets, policies, ports, values).
    Fields,
    /// A list in brackets.
    List,
}

/// A comment on a line of its own.
#[derive(Debug)]
pub(super) struct Comment<'a> {
    pub(super) text: &'a str,
    /// Whether a blank line came before it.
    pub(super) blank_before: bool,
}

/// A block, or the file.
#[derive(Debug)]
pub(super) struct Block<'a> {
    pub(super) kind: Kind,
    /// `{` or `[` (nothing for the file).
    pub(super) open: Option<char>,
    /// `}` or `]`; `None` when the text ends before it.
    pub(super) close: Option<char>,
    /// A comment after the opening brace, on its line.
    pub(super) open_comment: Option<&'a str>,
    pub(super) items: Vec<Item<'a>>,
    /// Comments after the last item.
    pub(super) dangling: Vec<Comment<'a>>,
}

/// A setting, subset, field, statement, list element… with the comments
/// that belong to it.
#[derive(Debug)]
pub(super) struct Item<'a> {
    /// Comments on their own lines just above it.
    pub(super) leading: Vec<Comment<'a>>,
    /// Whether a blank line came before its first token.
    pub(super) blank_before: bool,
    pub(super) nodes: Vec<Node<'a>>,
    /// A comment at the end of its last line.
    pub(super) trailing: Option<&'a str>,
}

/// A piece of an item.
#[derive(Debug)]
pub(super) enum Node<'a> {
    /// A word, string, `,` or `=`.
    Token(Token<'a>),
    Block(Block<'a>),
    /// A comment inside the item: the item goes on on the next line.
    Comment {
        text: &'a str,
        /// Whether it stood on a line of its own.
        own_line: bool,
    },
}

impl Block<'_> {
    /// Whether the block holds a comment, at any depth.
    pub(super) fn has_comment(&self) -> bool {
        self.open_comment.is_some()
            || !self.dangling.is_empty()
            || self.items.iter().any(|item| {
                !item.leading.is_empty()
                    || item.trailing.is_some()
                    || item.nodes.iter().any(|node| match node {
                        Node::Comment { .. } => true,
                        Node::Block(block) => block.has_comment(),
                        Node::Token(_) => false,
                    })
            })
    }

    /// Whether a comma follows the last item: the author asks for one item
    /// a line.
    pub(super) fn ends_with_comma(&self) -> bool {
        self.items
            .last()
            .and_then(|item| item.nodes.last())
            .is_some_and(|node| matches!(node, Node::Token(Token::Comma)))
    }
}

impl<'a> Item<'a> {
    /// The blocks directly in the item.
    pub(super) fn blocks(&self) -> impl Iterator<Item = &Block<'a>> {
        self.nodes.iter().filter_map(|node| match node {
            Node::Block(block) => Some(block),
            _ => None,
        })
    }
}

/// A token with what the line breaks before it said.
#[derive(Clone, Copy)]
struct Tok<'a> {
    token: Token<'a>,
    /// A line break (or the start of the text) came before it.
    newline_before: bool,
    /// A blank line came before it.
    blank_before: bool,
}

/// The layout tree of `text`.
pub(super) fn build(text: &str) -> Block<'_> {
    let mut toks = Vec::new();
    let mut breaks = 0;
    let mut first = true;
    for (token, _) in tokens(text) {
        if token == Token::Newline {
            breaks += 1;
            continue;
        }
        toks.push(Tok {
            token,
            newline_before: first || breaks > 0,
            blank_before: !first && breaks > 1,
        });
        breaks = 0;
        first = false;
    }
    let mut reader = Reader { toks, at: 0 };
    reader.block(Kind::File, None)
}

/// Reads tokens into blocks.
struct Reader<'a> {
    toks: Vec<Tok<'a>>,
    at: usize,
}

impl<'a> Reader<'a> {
    fn peek(&self) -> Option<Tok<'a>> {
        self.toks.get(self.at).copied()
    }

    fn block(&mut self, kind: Kind, open: Option<char>) -> Block<'a> {
        let mut block = Block {
            kind,
            open,
            close: None,
            open_comment: None,
            items: Vec::new(),
            dangling: Vec::new(),
        };
        if let Some(Tok {
            token: Token::Comment(text),
            newline_before: false,
            ..
        }) = self.peek()
            && open.is_some()
        {
            block.open_comment = Some(text);
            self.at += 1;
        }
        loop {
            let mut leading = Vec::new();
            while let Some(Tok {
                token: Token::Comment(text),
                blank_before,
                ..
            }) = self.peek()
            {
                leading.push(Comment { text, blank_before });
                self.at += 1;
            }
            match self.peek() {
                None => {
                    block.dangling = leading;
                    break;
                }
                Some(Tok {
                    token: Token::Close(c), ..
                }) if open.is_some() => {
                    block.dangling = leading;
                    block.close = Some(c);
                    self.at += 1;
                    break;
                }
                Some(first) => {
                    let mut item = self.item(kind);
                    item.leading = leading;
                    item.blank_before = first.blank_before;
                    block.items.push(item);
                }
            }
        }
        block
    }

    /// Reads one item of a block of `kind`: at least one token.
    fn item(&mut self, kind: Kind) -> Item<'a> {
        let mut item = Item {
            leading: Vec::new(),
            blank_before: false,
            nodes: Vec::new(),
            trailing: None,
        };
        let mut state = Shape::new(kind, self.peek().map(|t| t.token));
        // The comments before this index are inside the item (one look
        // ahead for a run of comments, not one for each).
        let mut inside_until = 0;
        while let Some(next) = self.peek() {
            if let Token::Comment(text) = next.token {
                // A comment inside the item when the item goes on after it;
                // otherwise it ends the item's line or stands above the next.
                if self.at >= inside_until {
                    let code = (self.at..self.toks.len())
                        .find(|&at| !matches!(self.toks.get(at).map(|t| t.token), Some(Token::Comment(_))));
                    if code
                        .and_then(|at| self.toks.get(at))
                        .is_some_and(|t| state.continues(t.token))
                    {
                        inside_until = code.unwrap_or(0);
                    }
                }
                if self.at < inside_until {
                    item.nodes.push(Node::Comment {
                        text,
                        own_line: next.newline_before,
                    });
                    self.at += 1;
                    continue;
                }
                if !next.newline_before {
                    item.trailing = Some(text);
                    self.at += 1;
                }
                break;
            }
            if !item.nodes.is_empty() && !state.continues(next.token) {
                break;
            }
            self.at += 1;
            let node = match next.token {
                Token::Open(c) => {
                    let inner = state.inner(c);
                    Node::Block(self.block(inner, Some(c)))
                }
                token => Node::Token(token),
            };
            state.took(&node);
            item.nodes.push(node);
        }
        item
    }
}

/// Where an item of a block of some kind stands while it is read: enough
/// of the grammar to tell where the next item starts.
struct Shape<'a> {
    kind: Kind,
    /// The item's first word.
    first: Option<&'a str>,
    /// The item is a service's setting (`hosts "a", "b"`).
    setting: bool,
    /// Its tokens and blocks so far.
    taken: usize,
    /// The previous token (or `None` after a block).
    previous: Option<Token<'a>>,
    /// The item has all its parts: only a separating comma may follow.
    complete: bool,
    /// A `=` was read: the next token or block is the value.
    after_equals: bool,
}

/// Words whose next word is a destination, which may be a service named
/// like a statement (`to match`): the grammar's `to`, `mirror` and
/// `headers … for` take a `target`, which is not a value.
const BEFORE_TARGET: [&str; 3] = ["to", "mirror", "for"];

impl<'a> Shape<'a> {
    fn new(kind: Kind, first: Option<Token<'a>>) -> Shape<'a> {
        Shape {
            kind,
            first: match first {
                Some(Token::Word(w)) => Some(w),
                _ => None,
            },
            setting: kind == Kind::Service
                && matches!(first, Some(Token::Word(w)) if words::get(Place::Setting, w).is_some()),
            taken: 0,
            previous: None,
            complete: false,
            after_equals: false,
        }
    }

    /// Records a token or block of the item.
    fn took(&mut self, node: &Node<'a>) {
        self.taken += 1;
        let token = match node {
            Node::Token(token) => Some(*token),
            _ => None,
        };
        self.previous = token;
        let is_value = !matches!(token, Some(Token::Comma | Token::Equals));
        match self.kind {
            Kind::File => {
                self.complete |= matches!(node, Node::Block(_)) || (self.first == Some("namespace") && self.taken == 2);
            }
            Kind::Service if self.setting => {
                // `key value, value…`: complete after each value.
                if self.taken > 1 {
                    self.complete = is_value;
                }
            }
            Kind::Service => self.complete |= matches!(node, Node::Block(_)),
            Kind::Fields => {
                if self.after_equals && is_value {
                    self.complete = true;
                }
                self.after_equals |= token == Some(Token::Equals);
                self.complete |= matches!(node, Node::Block(_));
            }
            Kind::Route | Kind::Test | Kind::List => {}
        }
    }

    /// Whether `token` belongs to the item.
    fn continues(&self, token: Token<'a>) -> bool {
        if matches!(token, Token::Close(_)) {
            return false;
        }
        if self.taken == 0 {
            return true;
        }
        if self.previous == Some(Token::Comma) && !matches!(self.kind, Kind::Route | Kind::Test) && !self.setting {
            // The comma that ends an item.
            return false;
        }
        match self.kind {
            Kind::List => true,
            // A statement's keyword starts the next statement, unless it
            // names a destination.
            Kind::Route => match token {
                Token::Word(w) if words::get(Place::Statement, w).is_some() => match self.previous {
                    Some(Token::Comma) => true,
                    Some(Token::Word(before)) => BEFORE_TARGET.contains(&before),
                    _ => false,
                },
                _ => true,
            },
            // A line of a test starts at its word, except `request` as the
            // side of `expect headers request …`.
            Kind::Test => match token {
                Token::Word(w) if words::get(Place::TestItem, w).is_some() => {
                    self.previous == Some(Token::Word("headers"))
                }
                _ => true,
            },
            // An item goes on until it has all its parts, then takes the
            // comma after it; a setting (`key value, value…`) takes another
            // value after that comma.
            Kind::File | Kind::Service | Kind::Fields => !self.complete || token == Token::Comma,
        }
    }

    /// The kind of a block opened by `open` inside the item.
    fn inner(&self, open: char) -> Kind {
        if open == '[' {
            return Kind::List;
        }
        match self.kind {
            Kind::File if self.first == Some("test") => Kind::Test,
            Kind::File => Kind::Service,
            Kind::Service
                if self.first == Some("route")
                    || self.first.is_some_and(|w| words::get(Place::RouteKind, w).is_some()) =>
            {
                Kind::Route
            }
            _ => Kind::Fields,
        }
    }
}
