//! YAML documents with positions.
//!
//! The importer reports every problem at the line of the manifest it comes
//! from; serde-based readers forget where a value was, so manifests are read
//! here from the parser's events into a small tree that keeps byte spans.
//!
//! The tree holds what Kubernetes reads, not what a YAML 1.2 reader would.
//! `kubectl apply` splits a file into documents and converts each to JSON
//! with `yaml.Unmarshal` of sigs.k8s.io/yaml (kubernetes/kubernetes
//! 046d201c45cebd19eb1fc4612426761c64802825,
//! staging/src/k8s.io/cli-runtime/pkg/resource/visitor.go,
//! `StreamVisitor.Visit` → `yaml.NewYAMLOrJSONDecoder`, and
//! staging/src/k8s.io/apimachinery/pkg/util/yaml/decoder.go,
//! `YAMLToJSONDecoder.Decode`), which decodes with go-yaml v2
//! (kubernetes-sigs/yaml aadfabb7d36952151672ec164d4220a6f0e31f63, yaml.go,
//! `yamlToJSONTarget`).  go-yaml v2 resolves plain scalars by YAML 1.1 rules
//! (yaml/go-yaml v2.4.2 246a95c22c57f15ef6d3305a1f1b8a0b05e4d560, resolve.go,
//! `resolve`): `010` is 8, `on` is `true`, `1_000` is 1000.  So each plain
//! scalar is rewritten here to the value Kubernetes sends (see
//! [`kubernetes_reading`]), and where that differs from what the text says
//! to a YAML 1.2 reader, the importer warns (W0007).
//!
//! Duplicate keys: go-yaml v2 without strict mode keeps the last value
//! (decode.go, `decoder.setMapIndex`), so `kubectl apply` silently applies
//! the last one, while the API server's strict field validation refuses
//! them in a YAML body (staging/src/k8s.io/apimachinery/pkg/runtime/serializer/json/json.go,
//! `Serializer.unmarshal` → `yaml.YAMLToJSONStrict`).  The tree keeps the
//! last value, as kubectl does, and the importer refuses the manifest (E0602).

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
/// type each field expects, so it does not guess from the text.  A plain
/// scalar's text is already the spelling of what Kubernetes reads (`010`
/// is `8`, `yes` is `true`).
#[derive(Clone, Debug)]
pub enum Value {
    /// A scalar; `plain` when it was written without quotes.
    Scalar {
        /// The text.
        text: String,
        /// Whether its type comes from its text (so `~` or `null` is
        /// null): it was written without quotes, or tagged `!!int`,
        /// `!!bool`... as go-yaml resolves it (decode.go, `decoder.scalar`).
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

/// The documents of a YAML stream and what was found on the way.
#[derive(Debug, Default)]
pub struct Stream {
    /// The documents, as Kubernetes reads them.
    pub documents: Vec<Node>,
    /// Duplicate keys (E0602) and scalars that Kubernetes reads otherwise
    /// than YAML 1.2 (W0007), wherever they are: the importer reports those
    /// of the resources it imports.
    pub findings: Vec<Diagnostic>,
}

/// Reads every document of a YAML stream.  Empty documents are left out.
/// Malformed YAML is an error (E0601) at the place the parser stopped, and
/// so is YAML that kubectl cannot convert to JSON (a null key).
pub fn documents(file: FileId, text: &str) -> Result<Stream, Box<Diagnostic>> {
    let offsets = ByteOffsets::new(text);
    let mut builder = Builder {
        text,
        documents: Vec::new(),
        stack: Vec::new(),
        anchors: HashMap::new(),
        built: 0,
        findings: Vec::new(),
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
            .map_err(|(at, why)| malformed(at.map_or(span.start, |at| at.start) as usize, &why))?;
    }
    Ok(Stream {
        documents: builder.documents,
        findings: builder.findings,
    })
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
    findings: Vec<Diagnostic>,
}

/// Why the builder stopped, and where if not at the current event.
type Stop = (Option<Span>, String);

struct Open {
    node: Node,
    anchor: usize,
    /// A mapping's key, waiting for its value.
    key: Option<Node>,
    /// A mapping's entries by key text, to find a key given twice without
    /// a scan per key (quadratic in a mapping's size).
    index: HashMap<String, usize>,
}

impl Builder<'_> {
    fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), Stop> {
        self.built += NODE_BYTES;
        if let Event::Scalar(text, ..) = &event {
            self.built += text.len();
        }
        if let Event::Alias(anchor) = &event {
            self.built += self.anchors.get(anchor).map_or(0, weight);
        }
        if self.built > (self.text.len() + 4096) * MAX_EXPANSION {
            return Err((None, "aliases expand to far more than the file holds".into()));
        }
        if self.stack.len() > MAX_DEPTH {
            return Err((None, "nested too deeply".into()));
        }
        match event {
            Event::Scalar(text, style, anchor, tag) => {
                // go-yaml resolves a scalar that is plain or has a core tag
                // other than `!!str`; any other is a string (decode.go,
                // `decoder.scalar`; resolve.go, `resolvableTag`).
                let plain = match tag.as_deref() {
                    None => style == ScalarStyle::Plain,
                    Some(tag) => {
                        tag.is_yaml_core_schema() && matches!(tag.suffix.as_str(), "int" | "float" | "bool" | "null")
                    }
                };
                let value = Value::Scalar {
                    text: text.into_owned(),
                    plain,
                };
                self.finish(Node { value, span }, anchor)?;
            }
            Event::Alias(anchor) => {
                if let Some(node) = self.anchors.get(&anchor).cloned() {
                    self.finish(Node { span, ..node }, 0)?;
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
                    self.finish(node, open.anchor)?;
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
            index: HashMap::new(),
        });
    }

    /// Puts a finished node into its parent, or ends a document.  A plain
    /// scalar becomes what Kubernetes reads; a key seen before replaces
    /// the earlier entry, as in kubectl, and is reported.
    fn finish(&mut self, mut node: Node, anchor: usize) -> Result<(), Stop> {
        let is_key = self
            .stack
            .last()
            .is_some_and(|p| matches!(p.node.value, Value::Map(_)) && p.key.is_none());
        self.resolve(&mut node, is_key)?;
        if anchor != 0 {
            self.anchors.insert(anchor, node.clone());
        }
        let Some(parent) = self.stack.last_mut() else {
            if node.is_set() {
                self.documents.push(node);
            }
            return Ok(());
        };
        match &mut parent.node.value {
            Value::Seq(items) => items.push(node),
            Value::Map(entries) => match parent.key.take() {
                None => parent.key = Some(node),
                Some(key) => {
                    let text = match &key.value {
                        Value::Scalar { text, .. } => Some(text.clone()),
                        _ => None,
                    };
                    let earlier = text.as_ref().and_then(|t| parent.index.get(t).copied());
                    // The last value wins, as with kubectl; the entry keeps
                    // its place (the order of a mapping's keys means nothing).
                    match earlier.and_then(|i| entries.get_mut(i)) {
                        Some(entry) => {
                            let (first, _) = std::mem::replace(entry, (key, node));
                            let second = &entry.0;
                            let written = |n: &Node| self.text.get(n.span.range()).unwrap_or("").to_string();
                            let (first_text, second_text) = (written(&first), written(second));
                            self.findings.push(duplicate_key(
                                &first,
                                second,
                                [first_text.as_str(), second_text.as_str()],
                            ));
                        }
                        None => {
                            if let Some(text) = text {
                                parent.index.insert(text, entries.len());
                            }
                            entries.push((key, node));
                        }
                    }
                }
            },
            Value::Scalar { .. } => {}
        }
        Ok(())
    }

    /// Rewrites a plain scalar to the spelling of what Kubernetes reads,
    /// and reports what a reader of the YAML would not expect.  A key that
    /// kubectl cannot turn into a JSON key stops the reading.
    fn resolve(&mut self, node: &mut Node, is_key: bool) -> Result<(), Stop> {
        let Value::Scalar { text, plain: true } = &mut node.value else {
            return Ok(());
        };
        let reading = kubernetes_reading(text);
        if is_key && let Some(why) = unsupported_key(&reading) {
            return Err((Some(node.span), format!("kubectl cannot read the key `{text}`: {why}")));
        }
        let spelled = if is_key { reading.key_text() } else { reading.text() };
        let finding = if is_key {
            spelled
                .as_deref()
                .filter(|s| s != text)
                .map(|s| renamed_key(node.span, text, s))
        } else {
            unexpected_value(node.span, text, &reading, spelled.as_deref())
        };
        self.findings.extend(finding);
        if let Some(spelled) = spelled {
            *text = spelled;
        }
        Ok(())
    }
}

// ------------------------------------------------------------ YAML 1.1, as Kubernetes reads it

/// What a plain scalar is read as.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Reading {
    /// A string: the text itself.
    Str,
    /// Null.
    Null,
    /// A boolean.
    Bool(bool),
    /// An integer (go-yaml: `int`, or `uint64` above `i64::MAX`).
    Int(i128),
    /// A floating-point number.
    Float(f64),
    /// A timestamp (go-yaml: `time.Time`, sent as an RFC 3339 string).
    Timestamp,
}

impl Reading {
    /// How a value is spelt in the tree, when not as written: the number
    /// or boolean the JSON that kubectl sends holds.  Strings, nulls,
    /// timestamps and floats that JSON cannot hold keep their text.
    fn text(self) -> Option<String> {
        match self {
            Reading::Bool(b) => Some(b.to_string()),
            Reading::Int(n) => Some(n.to_string()),
            // Rust prints the shortest decimal that reads back as the
            // same double, without an exponent.
            Reading::Float(f) if f.is_finite() => Some(f.to_string()),
            _ => None,
        }
    }

    /// How a key is spelt in the JSON kubectl sends (sigs.k8s.io/yaml
    /// yaml.go, `convertToJSONableObject`): integers in decimal, floats as
    /// Go's `strconv.FormatFloat(f, 'g', -1, 32)`, booleans as words.
    fn key_text(self) -> Option<String> {
        match self {
            Reading::Float(f) => Some(go_float32_g(f)),
            other => other.text(),
        }
    }

    /// A few words on the value, for messages.
    fn describe(self, text: &str) -> String {
        match self {
            Reading::Str => format!("the string \"{text}\""),
            Reading::Null => "null".to_string(),
            Reading::Bool(b) => format!("the boolean `{b}`"),
            Reading::Int(n) => format!("the number {n}"),
            Reading::Float(f) if f.is_finite() => format!("the number {f}"),
            Reading::Float(_) => "a number JSON cannot hold".to_string(),
            Reading::Timestamp => "a timestamp".to_string(),
        }
    }

    /// Whether two readings give the same JSON value (9 and 9.0 do).
    fn same(self, other: Reading) -> bool {
        match (self, other) {
            // Exactly: a large integer that go-yaml reads as a rounded
            // float is not the same number.
            (Reading::Int(a), Reading::Float(b)) | (Reading::Float(b), Reading::Int(a)) => {
                b.fract() == 0.0 && b as i128 == a && a as f64 == b
            }
            (Reading::Float(a), Reading::Float(b)) => a == b || (a.is_nan() && b.is_nan()),
            (a, b) => a == b,
        }
    }
}

/// What Kubernetes reads a plain scalar as: go-yaml v2's `resolve`
/// (yaml/go-yaml v2.4.2, resolve.go) for an untagged plain scalar.
///
/// - `y`, `yes`, `on`, `true` and `n`, `no`, `off`, `false` in three
///   casings are booleans; `~`, `null` and nothing are null.
/// - A scalar starting with a digit or a sign is a timestamp if it is a
///   date; otherwise, with every `_` removed, an integer as Go's
///   `strconv.ParseInt(s, 0, 64)` reads it (`0x1F`, `0o17`, `0b101`, and
///   `010` octal), or failing that `ParseUint`; otherwise a float if it
///   matches `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?` and is
///   in range.
/// - A scalar starting with `.` is a float if Go's `ParseFloat` reads it.
/// - Sexagesimal numbers (`1:30`) are strings: go-yaml v2 does not
///   implement them, although YAML 1.1 defines them.
pub fn kubernetes_reading(text: &str) -> Reading {
    match text {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            return Reading::Bool(true);
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            return Reading::Bool(false);
        }
        "" | "~" | "null" | "Null" | "NULL" => return Reading::Null,
        ".nan" | ".NaN" | ".NAN" => return Reading::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Reading::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Reading::Float(f64::NEG_INFINITY),
        _ => {}
    }
    match text.as_bytes().first() {
        Some(b'.') => finite_float(text).map_or(Reading::Str, Reading::Float),
        Some(b'+' | b'-' | b'0'..=b'9') => {
            if is_timestamp(text) {
                return Reading::Timestamp;
            }
            let digits = text.replace('_', "");
            if let Some(n) = go_parse_int(&digits) {
                return Reading::Int(n);
            }
            finite_float(&digits).map_or(Reading::Str, Reading::Float)
        }
        _ => Reading::Str,
    }
}

/// What a YAML 1.2 reader (the core schema) reads a plain scalar as, to
/// tell when Kubernetes reads something else.
pub fn yaml12_reading(text: &str) -> Reading {
    match text {
        "true" | "True" | "TRUE" => return Reading::Bool(true),
        "false" | "False" | "FALSE" => return Reading::Bool(false),
        "" | "~" | "null" | "Null" | "NULL" => return Reading::Null,
        ".nan" | ".NaN" | ".NAN" => return Reading::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => return Reading::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => return Reading::Float(f64::NEG_INFINITY),
        _ => {}
    }
    let unsigned = text.strip_prefix(['-', '+']).unwrap_or(text);
    let radix = |prefix: &str, radix: u32| {
        text.strip_prefix(prefix)
            .filter(|d| !d.is_empty() && d.chars().all(|c| c.is_digit(radix)))
            .and_then(|d| i128::from_str_radix(d, radix).ok())
    };
    if !unsigned.is_empty() && unsigned.bytes().all(|b| b.is_ascii_digit()) {
        return match text.parse::<i128>() {
            Ok(n) => Reading::Int(n),
            Err(_) => text.parse().map_or(Reading::Str, Reading::Float),
        };
    }
    if let Some(n) = radix("0o", 8).or_else(|| radix("0x", 16)) {
        return Reading::Int(n);
    }
    finite_float(text).map_or(Reading::Str, Reading::Float)
}

/// A float in YAML's decimal syntax, within range (Go's `ParseFloat`
/// fails on overflow, and go-yaml then reads a string).
fn finite_float(text: &str) -> Option<f64> {
    let body = text.strip_prefix(['-', '+']).unwrap_or(text);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(at) => (body.get(..at)?, Some(body.get(at + 1..)?)),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits(whole) && digits(fraction) && (!whole.is_empty() || !fraction.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['-', '+']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    text.parse::<f64>().ok().filter(|f| f.is_finite())
}

/// Go's `strconv.ParseInt(s, 0, 64)`, or failing that `ParseUint(s, 0,
/// 64)`: an optional sign (not for `ParseUint`), then `0x`, `0o`, `0b` or
/// a leading `0` (octal) choose the base.
fn go_parse_int(text: &str) -> Option<i128> {
    let (negative, unsigned) = match text.as_bytes().first()? {
        b'-' => (true, text.get(1..)?),
        b'+' => (false, text.get(1..)?),
        _ => (false, text),
    };
    let lower = unsigned.to_ascii_lowercase();
    let (radix, digits) = if unsigned.len() >= 3 && lower.starts_with("0x") {
        (16, unsigned.get(2..)?)
    } else if unsigned.len() >= 3 && lower.starts_with("0o") {
        (8, unsigned.get(2..)?)
    } else if unsigned.len() >= 3 && lower.starts_with("0b") {
        (2, unsigned.get(2..)?)
    } else if unsigned.starts_with('0') {
        (8, unsigned.get(1..)?)
    } else {
        (10, unsigned)
    };
    if unsigned.is_empty() || !digits.chars().all(|c| c.is_digit(radix)) {
        return None;
    }
    let magnitude = if digits.is_empty() {
        0
    } else {
        u64::from_str_radix(digits, radix).ok()?
    };
    let value = if negative {
        -i128::from(magnitude)
    } else {
        i128::from(magnitude)
    };
    // ParseInt's range, and ParseUint's above it (without a sign).
    let fits = value >= i128::from(i64::MIN) && (value <= i128::from(i64::MAX) || !text.starts_with(['-', '+']));
    fits.then_some(value)
}

/// Whether go-yaml reads `text` as a timestamp: its quick check (four
/// digits and `-`), then `time.Parse` with one of `2006-1-2T15:4:5.999999999Z07:00`
/// (or a lower-case `t`), `2006-1-2 15:4:5.999999999` and `2006-1-2`
/// (resolve.go, `parseTimestamp`).
fn is_timestamp(text: &str) -> bool {
    let number = |s: &str, min: usize, max: usize| -> Option<(u32, usize)> {
        let len = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
        (len >= min).then(|| s.get(..len).and_then(|d| d.parse().ok()).map(|n| (n, len)))?
    };
    let parse = || -> Option<()> {
        let (year, _) = number(text, 4, 4)?;
        let rest = text.get(4..)?.strip_prefix('-')?;
        let (month, len) = number(rest, 1, 2)?;
        let rest = rest.get(len..)?.strip_prefix('-')?;
        let (day, len) = number(rest, 1, 2)?;
        let rest = rest.get(len..)?;
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
        let days = match month {
            2 if leap => 29,
            2 => 28,
            4 | 6 | 9 | 11 => 30,
            1..=12 => 31,
            _ => return None,
        };
        if day < 1 || day > days {
            return None;
        }
        if rest.is_empty() {
            return Some(());
        }
        let zoned = rest.starts_with(['T', 't']);
        let mut rest = rest.strip_prefix(['T', 't', ' '])?;
        for (i, limit) in [24, 60, 60].into_iter().enumerate() {
            if i > 0 {
                rest = rest.strip_prefix(':')?;
            }
            let (n, len) = number(rest, 1, 2)?;
            if n >= limit {
                return None;
            }
            rest = rest.get(len..)?;
        }
        if let Some(fraction) = rest.strip_prefix(['.', ',']) {
            let len = fraction.bytes().take_while(u8::is_ascii_digit).count();
            if len > 0 {
                rest = fraction.get(len..)?;
            }
        }
        if !zoned {
            return rest.is_empty().then_some(());
        }
        if rest == "Z" {
            return Some(());
        }
        let zone = rest.strip_prefix(['+', '-'])?.as_bytes();
        matches!(zone, [h1, h2, b':', m1, m2] if [h1, h2, m1, m2].iter().all(|b| b.is_ascii_digit())).then_some(())
    };
    parse().is_some()
}

/// Go's `strconv.FormatFloat(f, 'g', -1, 32)`: the shortest digits of the
/// float32, with an exponent (`1e+06`) below 1e-4 or from 1e6 up.
fn go_float32_g(f: f64) -> String {
    if f.is_nan() {
        return "NaN".to_string();
    }
    if f.is_infinite() {
        return if f > 0.0 { "+Inf" } else { "-Inf" }.to_string();
    }
    // FormatFloat(f, 'g', -1, 32) rounds the double to a float32 first.
    let single = f as f32;
    let sign = if single.is_sign_negative() { "-" } else { "" };
    let scientific = format!("{:e}", single.abs());
    let (mantissa, exponent) = scientific.split_once('e').unwrap_or((&scientific, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    if !(-4..6).contains(&exponent) {
        let (first, rest) = digits.split_at(1.min(digits.len()));
        let point = if rest.is_empty() { "" } else { "." };
        let exp_sign = if exponent < 0 { '-' } else { '+' };
        return format!("{sign}{first}{point}{rest}e{exp_sign}{:02}", exponent.unsigned_abs());
    }
    let point = exponent + 1;
    let body = match usize::try_from(point) {
        Err(_) | Ok(0) => format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize)),
        Ok(p) if p >= digits.len() => format!("{digits}{}", "0".repeat(p - digits.len())),
        Ok(p) => format!("{}.{}", digits.get(..p).unwrap_or(""), digits.get(p..).unwrap_or("")),
    };
    format!("{sign}{body}")
}

/// Why kubectl cannot make a JSON key of a key read as `reading`
/// (sigs.k8s.io/yaml yaml.go, `convertToJSONableObject`: "unsupported
/// map key of type").
fn unsupported_key(reading: &Reading) -> Option<&'static str> {
    match reading {
        Reading::Null => Some("it reads as null, and a JSON key is a string"),
        Reading::Timestamp => Some("it reads as a timestamp, which kubectl does not turn into a key"),
        Reading::Int(n) if *n > i128::from(i64::MAX) => {
            Some("it reads as an unsigned 64-bit number, which kubectl does not turn into a key")
        }
        _ => None,
    }
}

/// A warning for a value that Kubernetes reads otherwise than a YAML 1.2
/// reader, or that kubectl cannot send as JSON.
fn unexpected_value(span: Span, text: &str, reading: &Reading, spelled: Option<&str>) -> Option<Diagnostic> {
    let yaml12 = yaml12_reading(text);
    let unsendable = matches!(reading, Reading::Float(f) if !f.is_finite());
    if reading.same(yaml12) && !unsendable {
        return None;
    }
    let what = reading.describe(text);
    let why = match reading {
        Reading::Bool(_) => Some("in YAML 1.1, `y`, `yes`, `on`, `n`, `no` and `off` are booleans"),
        Reading::Int(_) | Reading::Float(_) if text.contains('_') => Some("in YAML 1.1, `_` may separate digits"),
        Reading::Int(_) if text.to_ascii_lowercase().contains("0b") => Some("in YAML 1.1, `0b` starts a binary number"),
        Reading::Int(_) if matches!(yaml12, Reading::Int(_)) => Some("in YAML 1.1, a number with a leading 0 is octal"),
        Reading::Timestamp => {
            Some("in YAML 1.1, a date is a timestamp, which kubectl sends in RFC 3339 form (`2006-01-02T15:04:05Z`)")
        }
        _ if unsendable => Some("JSON has no infinity or NaN, so kubectl cannot send it"),
        _ => None,
    };
    let rules = "kubectl reads manifests with go-yaml v2, by YAML 1.1 rules";
    let why = why.map_or(rules.to_string(), |why| format!("{why}; {rules}"));
    let imported = match spelled {
        Some(s) => format!(
            "imported as `{s}`, as kubectl sends it; where the field is a string (a label, a header), the API server refuses it"
        ),
        None => "imported as written, which is not what kubectl sends".to_string(),
    };
    let help = match (reading, spelled) {
        (Reading::Timestamp, _) | (_, None) => format!("quote it (`\"{text}\"`) if the text is meant"),
        (_, Some(s)) => format!("write `{s}`, or quote it (`\"{text}\"`) if the text is meant"),
    };
    Some(
        Diagnostic::warning(Code::W0007, span, format!("Kubernetes reads `{text}` as {what}"))
            .with_label(format!("YAML 1.2 reads {}", yaml12.describe(text)))
            .with_note(why)
            .with_note(imported)
            .with_help(help),
    )
}

/// A warning for a key that Kubernetes spells otherwise.
fn renamed_key(span: Span, text: &str, spelled: &str) -> Diagnostic {
    Diagnostic::warning(
        Code::W0007,
        span,
        format!("Kubernetes reads the key `{text}` as `{spelled}`"),
    )
    .with_note("kubectl reads manifests with go-yaml v2, by YAML 1.1 rules, and turns a key that is not a string into its JSON spelling")
    .with_note(format!("imported as `{spelled}`, which is what the cluster has"))
    .with_help(format!("quote the key (`\"{text}\"`) if the text is meant"))
}

/// The error for a key given twice in one mapping; `written` is how each
/// of the two is written, when that is not the key kubectl sends.
fn duplicate_key(first: &Node, second: &Node, written: [&str; 2]) -> Diagnostic {
    let name = second.text().unwrap_or("");
    let spelt: Vec<String> = written
        .iter()
        .filter(|w| **w != name)
        .map(|w| format!("`{w}`"))
        .collect();
    let message = match spelt.as_slice() {
        [] => format!("the key `{name}` is given twice"),
        _ => format!(
            "the key `{name}` is given twice (kubectl reads {} as `{name}`)",
            spelt.join(" and ")
        ),
    };
    Diagnostic::error(Code::E0602, second.span, message)
        .with_label("given again here")
        .with_secondary(first.span, "first given here")
        .with_note("`kubectl apply` silently keeps the last value; the API server's strict field validation refuses the manifest")
        .with_help("keep one of the two; nothing was written")
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
        let docs = documents(0, &text).expect("valid").documents;
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
        let docs = documents(0, "a: &l {k: v}\nb: *l\n").expect("valid").documents;
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

    // The readings below are go-yaml v2's (yaml/go-yaml v2.4.2,
    // 246a95c22c57f15ef6d3305a1f1b8a0b05e4d560, resolve.go `resolve`),
    // which `kubectl apply` uses through sigs.k8s.io/yaml `YAMLToJSON`.

    /// The text of `key` in a one-document stream, and its findings.
    fn read(text: &str, key: &str) -> (Option<String>, Vec<Code>) {
        let stream = documents(0, text).expect("valid");
        let value = stream.documents[0].get(key).and_then(Node::text).map(str::to_string);
        (value, stream.findings.iter().map(|d| d.code).collect())
    }

    #[test]
    fn yaml11_integers_are_read_as_kubernetes_reads_them() {
        for (text, want) in [
            ("010", 8),
            ("-010", -8),
            ("0o17", 15),
            ("0O17", 15),
            ("0x1F", 31),
            ("0X1f", 31),
            ("-0x10", -16),
            ("0b101", 5),
            ("-0b101", -5),
            ("1_000", 1000),
            ("0_10", 8),
            ("+5", 5),
            ("0", 0),
            ("00", 0),
            ("18446744073709551615", 18_446_744_073_709_551_615),
        ] {
            assert_eq!(kubernetes_reading(text), Reading::Int(want), "{text}");
        }
        // `08` is no octal number: ParseInt fails and the float pattern
        // matches, so it is 8.0, which JSON writes as 8.
        assert_eq!(kubernetes_reading("08"), Reading::Float(8.0));
        assert_eq!(kubernetes_reading("0x"), Reading::Str);
        assert_eq!(kubernetes_reading("0xG"), Reading::Str);
        assert_eq!(kubernetes_reading("-"), Reading::Str);
        // A sign and a number past i64 is not ParseUint's: a float.
        assert!(matches!(kubernetes_reading("+18446744073709551615"), Reading::Float(_)));
        // Sexagesimal numbers are YAML 1.1, but go-yaml v2 does not read
        // them ("purposefully unsupported").
        assert_eq!(kubernetes_reading("1:30"), Reading::Str);
        assert_eq!(kubernetes_reading("190:20:30"), Reading::Str);
    }

    #[test]
    fn yaml11_floats_booleans_nulls_and_timestamps() {
        for (text, want) in [
            (".5", 0.5),
            ("-.5", -0.5),
            ("1.", 1.0),
            ("1e3", 1000.0),
            ("1_0.5", 10.5),
            ("+1.5", 1.5),
        ] {
            assert_eq!(kubernetes_reading(text), Reading::Float(want), "{text}");
        }
        // Out of range: ParseFloat fails, and go-yaml reads a string.
        assert_eq!(kubernetes_reading("1e400"), Reading::Str);
        assert!(matches!(kubernetes_reading(".inf"), Reading::Float(f) if f.is_infinite()));
        for text in ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE"] {
            assert_eq!(kubernetes_reading(text), Reading::Bool(true), "{text}");
        }
        for text in [
            "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE",
        ] {
            assert_eq!(kubernetes_reading(text), Reading::Bool(false), "{text}");
        }
        // Only those spellings: `yES` and `oN` are strings.
        assert_eq!(kubernetes_reading("yES"), Reading::Str);
        assert_eq!(kubernetes_reading("oN"), Reading::Str);
        for text in ["", "~", "null", "Null", "NULL"] {
            assert_eq!(kubernetes_reading(text), Reading::Null, "{text}");
        }
        for text in [
            "2001-12-14",
            "2001-1-2",
            "2001-12-14T21:59:43.10Z",
            "2001-12-14t21:59:43-05:00",
            "2001-12-14 21:59:43.10",
        ] {
            assert_eq!(kubernetes_reading(text), Reading::Timestamp, "{text}");
        }
        // Not dates: go-yaml reads them as strings (or a number).
        for text in ["2001-02-30", "2001-13-01", "2001-12-14 21:59:43 +5", "12001-01-01"] {
            assert_ne!(kubernetes_reading(text), Reading::Timestamp, "{text}");
        }
        // YAML 1.2 agrees on these, so nothing is reported for them.
        assert_eq!(yaml12_reading("0x1F"), Reading::Int(31));
        assert_eq!(yaml12_reading("010"), Reading::Int(10));
        assert_eq!(yaml12_reading("on"), Reading::Str);
        assert_eq!(yaml12_reading("1_000"), Reading::Str);
    }

    #[test]
    fn plain_scalars_become_what_kubernetes_reads() {
        let doc = "a: 010\nb: 0x1F\nc: yes\nd: '010'\ne: !!str 010\nf: 1_000\ng: 10\nh: .5\ni: 2024-01-01\nj: True\n";
        let read_one = |k: &str| read(doc, k).0;
        assert_eq!(read_one("a").as_deref(), Some("8"));
        assert_eq!(read_one("b").as_deref(), Some("31"));
        assert_eq!(read_one("c").as_deref(), Some("true"));
        assert_eq!(read_one("d").as_deref(), Some("010"));
        assert_eq!(read_one("e").as_deref(), Some("010"));
        assert_eq!(read_one("f").as_deref(), Some("1000"));
        assert_eq!(read_one("g").as_deref(), Some("10"));
        assert_eq!(read_one("h").as_deref(), Some("0.5"));
        // A timestamp keeps its text (and is reported).
        assert_eq!(read_one("i").as_deref(), Some("2024-01-01"));
        assert_eq!(read_one("j").as_deref(), Some("true"));
        // Reported: what YAML 1.2 reads otherwise (010, yes, 1_000, the
        // date); not 0x1F, .5 or True, which YAML 1.2 reads the same.
        let (_, findings) = read(doc, "a");
        assert_eq!(findings, vec![Code::W0007; 4]);
        // A core tag other than `!!str` is resolved, as go-yaml does.
        assert_eq!(read("a: !!int '010'\n", "a").0.as_deref(), Some("8"));
    }

    #[test]
    fn keys_are_spelt_as_kubectl_sends_them() {
        let stream = documents(0, "on: a\n010: b\n1.5: c\n1e6: d\n'no': e\n").expect("valid");
        let keys: Vec<&str> = stream.documents[0]
            .entries()
            .iter()
            .filter_map(|(k, _)| k.text())
            .collect();
        assert_eq!(keys, ["true", "8", "1.5", "1e+06", "no"]);
        assert_eq!(stream.findings.len(), 3);
        assert_eq!(go_float32_g(0.0001), "0.0001");
        assert_eq!(go_float32_g(0.00001), "1e-05");
        assert_eq!(go_float32_g(123456.0), "123456");
        assert_eq!(go_float32_g(-2.5), "-2.5");
        // kubectl cannot make a JSON key of null or a timestamp.
        for doc in ["~: a\n", "a: {null: b}\n", "2024-01-01: a\n"] {
            assert_eq!(documents(0, doc).map_err(|e| e.code).err(), Some(Code::E0601), "{doc}");
        }
    }

    #[test]
    fn duplicate_keys_keep_the_last_value_and_are_reported() {
        let text = "a: 1\nb: 2\na: 3\n";
        let stream = documents(0, text).expect("valid");
        assert_eq!(stream.documents[0].get("a").and_then(Node::text), Some("3"));
        let [dup] = stream.findings.as_slice() else {
            panic!("one finding: {:?}", stream.findings);
        };
        assert_eq!(dup.code, Code::E0602);
        assert_eq!(dup.primary.span.start as usize, text.rfind('a').unwrap());
        assert_eq!(dup.secondary[0].span.start, 0);
        // Keys are compared as kubectl sends them: `on` is `true`, `010`
        // is `8`, and a quoted "8" is the same JSON key.
        for text in ["true: 1\non: 2\n", "8: x\n010: y\n", "'8': x\n8: y\n"] {
            let codes: Vec<Code> = documents(0, text)
                .expect("valid")
                .findings
                .iter()
                .map(|d| d.code)
                .collect();
            assert!(codes.contains(&Code::E0602), "{text}: {codes:?}");
        }
    }
}
