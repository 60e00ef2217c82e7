//! The layout of written `.mesh` source: lines and blocks of items, each
//! piece of text remembering the YAML node it came from; `meshc fmt`'s
//! layout is applied last, and the pieces follow their tokens.

use crate::span::Span;

/// A piece of a line and the YAML it came from.
pub(super) type Piece = (String, Option<Span>);

/// One line of source, or a block of lines under a header line.
#[derive(Debug, Default)]
pub(super) struct Item {
    /// The line (or the block's header, without its `{`).
    pub(super) line: Vec<Piece>,
    /// Where the whole line came from.
    origin: Option<Span>,
    /// The items inside the block; `None` for a plain line.
    body: Option<Vec<Item>>,
    /// Whether a blank line comes before this item.
    pub(super) blank_before: bool,
}

impl Item {
    pub(super) fn line(origin: Span) -> Item {
        Item {
            origin: Some(origin),
            ..Item::default()
        }
    }

    pub(super) fn block(origin: Span, body: Vec<Item>) -> Item {
        Item {
            origin: Some(origin),
            body: Some(body),
            ..Item::default()
        }
    }

    /// Appends a word, with a space before it.
    pub(super) fn word(mut self, text: impl Into<String>) -> Item {
        self.push(text.into(), None);
        self
    }

    /// Appends a word that comes from `at`.
    pub(super) fn word_at(mut self, text: impl Into<String>, at: Span) -> Item {
        self.push(text.into(), Some(at));
        self
    }

    pub(super) fn push(&mut self, text: String, at: Option<Span>) {
        if !self.line.is_empty() {
            self.line.push((" ".into(), None));
        }
        self.line.push((text, at));
    }

    /// Appends text directly after the previous piece (`,`).
    pub(super) fn glue(mut self, text: &str) -> Item {
        self.line.push((text.into(), None));
        self
    }

    pub(super) fn comment(text: String) -> Item {
        Item {
            line: vec![(text, None)],
            ..Item::default()
        }
    }
}

/// The text being written and the origins of its pieces.
#[derive(Default)]
pub(super) struct Out {
    pub(super) text: String,
    pub(super) origins: Vec<(std::ops::Range<usize>, Span)>,
}

impl Out {
    pub(super) fn item(&mut self, item: &Item, depth: usize) {
        let start = self.text.len();
        self.text.push_str(&"  ".repeat(depth));
        self.pieces(&item.line);
        // Every block is written one item a line; `finish` then lays the
        // text out as `meshc fmt` does.
        if let Some(body) = item.body.as_deref() {
            self.text.push_str(" {\n");
            for (i, inner) in body.iter().enumerate() {
                if inner.blank_before && i > 0 {
                    self.text.push('\n');
                }
                self.item(inner, depth + 1);
            }
            self.text.push_str(&"  ".repeat(depth));
            self.text.push('}');
        }
        if let Some(origin) = item.origin {
            self.origins.push((start..self.text.len(), origin));
        }
        self.text.push('\n');
    }

    /// The text in the canonical layout, and the origins of its pieces
    /// where the layout moved them.
    pub(super) fn finish(self) -> (String, Vec<(std::ops::Range<usize>, Span)>) {
        let text = crate::fmt::format(&self.text);
        let moves = crate::fmt::Moves::between(&self.text, &text);
        let origins = self
            .origins
            .into_iter()
            .map(|(range, origin)| {
                let start = moves.start(range.start);
                (start..moves.end(range.end).max(start), origin)
            })
            .collect();
        (text, origins)
    }

    fn pieces(&mut self, pieces: &[Piece]) {
        for (text, at) in pieces {
            let start = self.text.len();
            self.text.push_str(text);
            if let Some(at) = at {
                self.origins.push((start..self.text.len(), *at));
            }
        }
    }
}
