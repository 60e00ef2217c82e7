//! YAML documents with positions.
//!
//! The importer reports every problem at the line of the manifest it comes
//! from; serde-based readers forget where a value was, so manifests are read
//! here from the parser's events into a small tree that keeps byte spans.

use std::collections::HashMap;

use saphyr_parser::{Event, Parser, ScalarStyle};

use crate::diag::{Code, Diagnostic};
use crate::span::{FileId, Span};

/// A YAML node and where it is.
#[derive(Clone, Debug)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Where it is written.
    pub span: Span,
}

/// The value of a node.  Scalars keep their text: the importer knows the
/// type each field expects, so it does not guess from the text.
#[derive(Clone, Debug)]
pub enum Value {
    /// A scalar; `plain` when it was written without quotes.
    Scalar {
        /// The text.
        text: String,
        /// Whether it was written without quotes (so `~` or `null` is null).
        plain: bool,
    },
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order.
    Map(Vec<(Node, Node)>),
}

impl Node {
    /// The value under `key` in a mapping; a null value counts as absent,
    /// as it does for Kubernetes.
    pub fn get(&self, key: &str) -> Option<&Node> {
        self.entries()
            .iter()
            .find(|(k, _)| k.text() == Some(key))
            .map(|(_, v)| v)
            .filter(|v| !v.is_null())
    }

    /// The items of the sequence under `key` (none when it is absent or not
    /// a sequence).
    pub fn list(&self, key: &str) -> &[Node] {
        self.get(key).map(Node::items).unwrap_or_default()
    }

    /// The text of a scalar that is not null.
    pub fn text(&self) -> Option<&str> {
        match &self.value {
            Value::Scalar { text, .. } if !self.is_null() => Some(text),
            _ => None,
        }
    }

    /// The entries of a mapping (none for other nodes).
    pub fn entries(&self) -> &[(Node, Node)] {
        match &self.value {
            Value::Map(entries) => entries,
            _ => &[],
        }
    }

    /// The items of a sequence (none for other nodes).
    pub fn items(&self) -> &[Node] {
        match &self.value {
            Value::Seq(items) => items,
            _ => &[],
        }
    }

    /// Whether the node is null (`~`, `null`, or nothing at all).
    pub fn is_null(&self) -> bool {
        matches!(&self.value, Value::Scalar { text, plain: true }
            if matches!(text.as_str(), "" | "~" | "null" | "Null" | "NULL"))
    }

    /// Whether the node is a mapping, a sequence or a non-null scalar with
    /// something in it.
    pub fn is_set(&self) -> bool {
        match &self.value {
            Value::Scalar { .. } => !self.is_null(),
            Value::Seq(items) => !items.is_empty(),
            Value::Map(_) => true,
        }
    }

    /// Whether the node is a scalar written in quotes.
    pub fn is_quoted(&self) -> bool {
        matches!(&self.value, Value::Scalar { plain: false, .. })
    }
}

/// Reads every document of a YAML stream.  Empty documents are left out.
/// Malformed YAML is an error (E0601) at the place the parser stopped.
pub fn documents(file: FileId, text: &str) -> Result<Vec<Node>, Box<Diagnostic>> {
    let offsets = ByteOffsets::new(text);
    let mut builder = Builder {
        text,
        documents: Vec::new(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        built: 0,
    };
    let malformed = |at: usize, why: &str| {
        Box::new(
            Diagnostic::error(Code::E0601, Span::new(file, at, at), format!("malformed YAML: {why}"))
                .with_help("fix the YAML at this place; nothing was written"),
        )
    };
    for event in Parser::new_from_str(text) {
        let (event, span) = event.map_err(|e| malformed(offsets.byte(e.marker().index()), e.info()))?;
        let span = Span::new(file, offsets.byte(span.start.index()), offsets.byte(span.end.index()));
        builder
            .event(event, span)
            .map_err(|why| malformed(span.start as usize, why))?;
    }
    Ok(builder.documents)
}

/// Deeper nesting than any manifest needs; it would only exhaust the stack.
const MAX_DEPTH: usize = 256;

/// How much larger than the file its tree may grow once aliases are
/// expanded, counted in bytes (see [`weight`]): a guard against alias
/// bombs, which can also repeat one long string many times.
const MAX_EXPANSION: usize = 16;
/// What a node counts for besides its text.
const NODE_BYTES: usize = 16;

/// Maps the parser's character positions to byte offsets.
struct ByteOffsets {
    /// Byte offset of each character, when the text is not ASCII.
    table: Option<Vec<usize>>,
    len: usize,
}

impl ByteOffsets {
    fn new(text: &str) -> ByteOffsets {
        let table = (!text.is_ascii()).then(|| text.char_indices().map(|(at, _)| at).collect());
        ByteOffsets { table, len: text.len() }
    }

    fn byte(&self, char_index: usize) -> usize {
        match &self.table {
            None => char_index.min(self.len),
            Some(table) => table.get(char_index).copied().unwrap_or(self.len),
        }
    }
}

/// Builds trees from events: open collections wait on a stack.
struct Builder<'t> {
    text: &'t str,
    documents: Vec<Node>,
    stack: Vec<Open>,
    anchors: HashMap<usize, Node>,
    /// The weight of the nodes built so far, aliases counted in full.
    built: usize,
}

struct Open {
    node: Node,
    anchor: usize,
    /// A mapping's key, waiting for its value.
    key: Option<Node>,
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), &'static str> {
        self.built += NODE_BYTES;
        if let Event::Scalar(text, ..) = &event {
            self.built += text.len();
        }
        if let Event::Alias(anchor) = &event {
            self.built += self.anchors.get(anchor).map_or(0, weight);
        }
        if self.built > (self.text.len() + 4096) * MAX_EXPANSION {
            return Err("aliases expand to far more than the file holds");
        }
        if self.stack.len() > MAX_DEPTH {
            return Err("nested too deeply");
        }
        match event {
            Event::Scalar(text, style, anchor, _) => {
                let value = Value::Scalar {
                    text: text.into_owned(),
                    plain: style == ScalarStyle::Plain,
                };
                self.finish(Node { value, span }, anchor);
            }
            Event::Alias(anchor) => {
                if let Some(node) = self.anchors.get(&anchor).cloned() {
                    self.finish(Node { span, ..node }, 0);
                }
            }
            Event::SequenceStart(anchor, _) => self.open(Value::Seq(Vec::new()), span, anchor),
            Event::MappingStart(anchor, _) => self.open(Value::Map(Vec::new()), span, anchor),
            Event::SequenceEnd | Event::MappingEnd => {
                if let Some(open) = self.stack.pop() {
                    let mut node = open.node;
                    // A block collection ends with its last item (its end
                    // event is where the next token starts); a flow
                    // collection ends with its bracket.
                    let last = match &node.value {
                        Value::Seq(items) => items.last().map(|n| n.span.end),
                        Value::Map(entries) => entries.last().map(|(_, v)| v.span.end),
                        Value::Scalar { .. } => None,
                    };
                    let bracket = self.text.get(span.range()).is_some_and(|t| t.starts_with(['}', ']']));
                    node.span.end = match last {
                        Some(end) if !bracket => end,
                        _ => span.end,
                    }
                    .max(node.span.start);
                    self.finish(node, open.anchor);
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn open(&mut self, value: Value, span: Span, anchor: usize) {
        self.stack.push(Open {
            node: Node { value, span },
            anchor,
            key: None,
        });
    }

    /// Puts a finished node into its parent, or ends a document.
    fn finish(&mut self, node: Node, anchor: usize) {
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let Some(parent) = self.stack.last_mut() else {
            if node.is_set() {
                self.documents.push(node);
            }
            return;
        };
        match &mut parent.node.value {
            Value::Seq(items) => items.push(node),
            Value::Map(entries) => match parent.key.take() {
                None => parent.key = Some(node),
                Some(key) => entries.push((key, node)),
            },
            Value::Scalar { .. } => {}
        }
    }
}

/// What a tree weighs: its text and [`NODE_BYTES`] per node.
fn weight(node: &Node) -> usize {
    NODE_BYTES
        + match &node.value {
            Value::Scalar { text, .. } => text.len(),
            Value::Seq(items) => items.iter().map(weight).sum::<usize>(),
            Value::Map(entries) => entries.iter().map(|(k, v)| weight(k) + weight(v)).sum::<usize>(),
        }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_structure_positions_and_quotes() {
        let text = "a: 1\nb:\n  - x\n  - 'y'\n---\n---\nc: {d: é, e: *x}\n";
        let text = text.replace("*x", "&x z");
        let docs = documents(0, &text).expect("valid");
        assert_eq!(docs.len(), 2);
        let b = docs[0].get("b").expect("b");
        assert_eq!(b.items()[0].text(), Some("x"));
        assert!(b.items()[1].is_quoted());
        let x = &b.items()[0];
        assert_eq!(&text[x.span.range()], "x");
        let d = docs[1].get("c").and_then(|c| c.get("d")).expect("d");
        assert_eq!(&text[d.span.range()], "é");
    }

    #[test]
    fn aliases_copy_the_anchored_node() {
        let docs = documents(0, "a: &l {k: v}\nb: *l\n").expect("valid");
        assert_eq!(
            docs[0].get("b").and_then(|b| b.get("k")).and_then(Node::text),
            Some("v")
        );
    }

    #[test]
    fn alias_bombs_and_deep_nesting_are_refused() {
        let mut bomb = String::from("k0: &k0 [x, x, x, x, x, x, x, x]\n");
        for i in 1..12 {
            let p = format!("*k{}", i - 1);
            let list = [p.as_str(); 8].join(", ");
            bomb.push_str(&format!("k{i}: &k{i} [{list}]\n"));
        }
        assert_eq!(documents(0, &bomb).map_err(|e| e.code).err(), Some(Code::E0601));
        // Few nodes, many bytes: one long string repeated by aliases (a
        // 100 KB file once grew to 24 GB).
        let long = "y".repeat(50_000);
        let mut strings = format!("a: &a \"{long}\"\nb: [");
        strings.push_str(&["*a"; 2_000].join(", "));
        strings.push_str("]\n");
        assert_eq!(documents(0, &strings).map_err(|e| e.code).err(), Some(Code::E0601));
        // Aliases a real manifest uses stay fine.
        let shared = "a: &labels {app: web, version: v1}\nb: *labels\nc: *labels\n";
        assert!(documents(0, shared).is_ok());
        let deep = "- ".repeat(10_000) + "x\n";
        assert_eq!(documents(0, &deep).map_err(|e| e.code).err(), Some(Code::E0601));
    }

    #[test]
    fn malformed_yaml_is_located() {
        let text = "a: 1\nb: [1, 2\n";
        let err = documents(0, text).expect_err("malformed");
        assert_eq!(err.code, Code::E0601);
        assert!(err.primary.span.start as usize >= text.find('[').unwrap());
    }
}
