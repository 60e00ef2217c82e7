//! Lowering pest's parse tree into the AST, and explaining the lines the
//! grammar could not read.
//!
//! Every `lower_*` function takes the pair of the grammar rule it is named
//! after.  A `junk` pair (a line no rule accepted) is explained by parsing
//! that line alone with the rule expected at its place, which tells exactly
//! where and why it fails.

use foldhash::{HashMap, HashMapExt};

use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};
use pest::iterators::Pair;

use super::Parsed;
use super::ast::*;
use super::grammar::{MeshParser, Rule};
use crate::diag::{Code, Diagnostic};
use crate::parallel;
use crate::span::{FileId, Span};
use crate::suggest::closest;
use crate::words::{self, Place};

/// Reports the literal `text` at `span`, whose number a 64-bit float
/// cannot keep ([`exact_decimal`] is `None`): emitting it would silently
/// write another number (or `.inf`).
pub(crate) fn inexact_number(text: &str, span: Span) -> Diagnostic {
    let (label, help) = match text.parse::<f64>() {
        Ok(value) if value.is_finite() => (
            format!("a 64-bit float makes this {value}"),
            "write at most 15 significant digits",
        ),
        _ => (
            "too large for a 64-bit float: it becomes infinity".into(),
            "use a smaller number",
        ),
    };
    Diagnostic::error(
        Code::E0303,
        span,
        format!("`{}` cannot be written exactly as a 64-bit number", cut(text)),
    )
    .with_label(label)
    .with_note(
        "Kubernetes reads the numbers of a manifest as 64-bit floating point, which keeps about 17 significant digits up to about 1.8e308",
    )
    .with_help(help)
}

/// The first 40 characters of a long literal, for a message.
fn cut(text: &str) -> String {
    match text.char_indices().nth(40) {
        Some((end, _)) => format!("{}…", text.get(..end).unwrap_or(text)),
        None => text.into(),
    }
}

/// Deeper nesting than this is refused before parsing, so that no input can
/// exhaust the parser's stack, and an unclosed run of `{` in a line the
/// grammar cannot read (which pest tries both as a group and as text at
/// every level) stays cheap.  Real programs nest about 8 deep.
const MAX_NESTING: usize = 16;

pub(super) fn parse(file: FileId, text: &str) -> Parsed {
    // Large files are cut at top-level service boundaries and the pieces
    // parsed on all cores; each piece starts where the whole-file parser
    // would be at the top level, so the result is the same.
    // Small pieces also keep pest's token queue, which is many times the
    // size of the text, small enough to be reused from piece to piece
    // instead of taking fresh memory (large pieces cost a third more peak
    // memory for the same speed).
    parse_pieces(file, text, text.len() / PIECE_SIZE + 1)
}

/// Parses `text` cut into at most `pieces` pieces.
fn parse_pieces(file: FileId, text: &str, pieces: usize) -> Parsed {
    parse_reusing(file, text, pieces, None)
}

/// The lowered pieces of one parse, to reuse in the next parse of the same
/// file (the language server parses the file again at every edit).
#[derive(Clone, Debug, Default)]
pub struct ParseCache {
    /// By the piece's start offset: its text and what it lowered to.
    pieces: HashMap<usize, (String, LoweredPiece)>,
}

type LoweredPiece = (Vec<TopItem>, Vec<Diagnostic>);

/// Parses `text` like [`parse`], reusing the pieces of the previous parse
/// in `cache` that have the same text at the same place; `cache` is then
/// replaced by this parse's pieces.
pub(super) fn parse_cached(file: FileId, text: &str, cache: &mut ParseCache) -> Parsed {
    parse_reusing(file, text, text.len() / PIECE_SIZE + 1, Some(cache))
}

/// Parses `text` in pieces; with a cache, reuses and then replaces them.
fn parse_reusing(file: FileId, text: &str, pieces: usize, mut cache: Option<&mut ParseCache>) -> Parsed {
    let pieces = match scan(text, pieces) {
        Ok(pieces) => pieces,
        Err(at) => {
            if let Some(cache) = cache {
                *cache = ParseCache::default();
            }
            let too_deep = Diagnostic::error(
                Code::E0101,
                Span::new(file, at, at + 1),
                format!("blocks are nested more than {MAX_NESTING} deep"),
            )
            .with_label("too deep")
            .with_help("a mesh program never needs this depth; look for unbalanced braces");
            return Parsed {
                file: File::default(),
                diagnostics: vec![too_deep],
            };
        }
    };
    // Pieces with the same text at the same place are taken over from the
    // previous parse.
    let mut previous = cache
        .as_deref_mut()
        .map(|c| std::mem::take(&mut c.pieces))
        .unwrap_or_default();
    let mut kept: HashMap<usize, (String, LoweredPiece)> = HashMap::new();
    let mut slots: Vec<Option<LoweredPiece>> = pieces
        .iter()
        .map(|range| {
            let piece = text.get(range.clone())?;
            let (old_text, lowered) = previous.remove(&range.start).filter(|(old, _)| old == piece)?;
            let output = lowered.clone();
            kept.insert(range.start, (old_text, lowered));
            Some(output)
        })
        .collect();
    let todo: Vec<usize> = (0..pieces.len())
        .filter(|&i| slots.get(i).is_some_and(Option::is_none))
        .collect();
    // Each thread lowers every `threads`-th piece; results are put back in
    // source order.
    let threads = parallel::threads().min(todo.len());
    let fresh: Vec<(usize, LoweredPiece)> = parallel::map(parallel::deal(todo, threads), |todo| {
        todo.into_iter()
            .filter_map(|i| pieces.get(i).map(|range| (i, lower_piece(file, text, range.clone()))))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    for (i, lowered) in fresh {
        if cache.is_some()
            && let Some(range) = pieces.get(i)
        {
            kept.insert(
                range.start,
                (text.get(range.clone()).unwrap_or("").to_string(), lowered.clone()),
            );
        }
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(lowered);
        }
    }
    if let Some(cache) = cache {
        cache.pieces = kept;
    }
    let lowered: Vec<LoweredPiece> = slots.into_iter().flatten().collect();
    let mut lowerer = Lowerer {
        file,
        text,
        base: 0,
        diagnostics: Vec::new(),
    };
    let mut ast = File::default();
    let mut after_junk = false;
    let mut last_close: Option<(Span, Text)> = None;
    for (items, diagnostics) in lowered {
        lowerer.diagnostics.extend(diagnostics);
        for item in items {
            let is_junk = matches!(item, TopItem::Junk(_));
            match item {
                TopItem::Namespace(name, span) => match &ast.namespace {
                    Some(first) => lowerer.diagnostics.push(
                        Diagnostic::error(Code::E0210, span, "the namespace is declared twice in this file")
                            .with_label("second declaration")
                            .with_secondary(first.span, "first declared here")
                            .with_help("a file has one namespace; put services of another namespace in another file"),
                    ),
                    None => ast.namespace = Some(name),
                },
                TopItem::Service(service, close) => {
                    last_close = close.map(|c| (c, service.name.name.clone()));
                    ast.services.push(service);
                }
                // A run of unreadable top-level lines is one mistake (often a
                // block closed too early), so only its first line is reported.
                TopItem::Junk(span) if !after_junk => {
                    if lowerer.text.get(span.range()) == Some("}") {
                        let diag = lowerer.explain_stray_brace(span, last_close.as_ref());
                        lowerer.diagnostics.push(diag);
                    } else {
                        lowerer.explain_junk(span, Context::Top);
                    }
                }
                TopItem::Junk(_) => {}
            }
            after_junk = is_junk;
        }
    }
    Parsed {
        file: ast,
        diagnostics: lowerer.diagnostics,
    }
}

/// Files are parsed in pieces of about this many bytes (a few services).
const PIECE_SIZE: usize = 4 * 1024;

/// A top-level item of a file, before the file-wide checks.
#[derive(Clone, Debug)]
enum TopItem {
    Namespace(Ident, Span),
    /// A service and the `}` that closed it.
    Service(Service, Option<Span>),
    Junk(Span),
}

/// Parses and lowers the top-level items in `range` of `text`.
fn lower_piece(file: FileId, text: &str, range: std::ops::Range<usize>) -> (Vec<TopItem>, Vec<Diagnostic>) {
    let mut lowerer = Lowerer {
        file,
        text,
        base: range.start,
        diagnostics: Vec::new(),
    };
    let piece = text.get(range).unwrap_or("");
    let items = match MeshParser::parse(Rule::file, piece) {
        Ok(mut pairs) => pairs.next().map(|root| lowerer.lower_items(root)).unwrap_or_default(),
        Err(error) => {
            // The grammar accepts any text; this is a safety net only.
            let diag = lowerer.explain_pest_error(&error, lowerer.base);
            lowerer.diagnostics.push(diag);
            Vec::new()
        }
    };
    (items, lowerer.diagnostics)
}

/// One pass over `text`, outside strings and comments: refuses nesting of
/// `{` and `[` deeper than [`MAX_NESTING`], and cuts the text into at most
/// `pieces` ranges of similar size, each starting at a line that opens a
/// top-level `service`.  Too deep nesting is reported by the offset of the
/// bracket that goes too deep.
///
/// The depth it counts is never below the parser's: a `]` closes only a
/// `[`, a `}` closes up to the nearest `{` (a list cut short by `}` fails
/// and is left), and strings and comments end where the grammar ends them:
/// at `\n` only, an unclosed string at the end of its line (`junk_string`).
fn scan(text: &str, pieces: usize) -> Result<Vec<std::ops::Range<usize>>, usize> {
    let target = text.len() / pieces.max(1);
    let mut cuts = vec![0];
    let bytes = text.as_bytes();
    // The open brackets, innermost last, and how many of them are `{` (a
    // cut is only made outside braces).
    let mut open: Vec<u8> = Vec::new();
    let mut braces = 0usize;
    let mut i = 0;
    let mut line_start = true;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            b'"' => i = super::tokens::string_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = super::tokens::comment_end(bytes, i),
            b'{' | b'[' => {
                open.push(b);
                if open.len() > MAX_NESTING {
                    return Err(i);
                }
                braces += usize::from(b == b'{');
                i += 1;
            }
            b'}' => {
                if let Some(at) = open.iter().rposition(|&o| o == b'{') {
                    open.truncate(at);
                    braces -= 1;
                }
                i += 1;
            }
            b']' => {
                if open.last() == Some(&b'[') {
                    open.pop();
                }
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            _ => {
                let last = cuts.last().copied().unwrap_or(0);
                if line_start
                    && braces == 0
                    && cuts.len() < pieces
                    && i - last >= target
                    && text.get(i..).is_some_and(|rest| rest.starts_with("service "))
                {
                    cuts.push(i);
                }
                i += 1;
            }
        }
        line_start = false;
    }
    cuts.push(text.len());
    Ok(cuts
        .windows(2)
        .filter_map(|w| w.first().zip(w.get(1)).map(|(a, b)| *a..*b))
        .collect())
}

/// Where a line the grammar could not read was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Context {
    Top,
    Service,
    Subset,
    Policy,
    Field,
    Route,
}

impl Context {
    fn rule(self) -> Rule {
        match self {
            Context::Top => Rule::top_item_only,
            Context::Service => Rule::service_item_only,
            Context::Subset => Rule::subset_item_only,
            Context::Policy => Rule::policy_item_only,
            Context::Field => Rule::field_item_only,
            Context::Route => Rule::route_item_only,
        }
    }

    /// The keywords that may start an item here, from the words table;
    /// `None` where any name may (labels and field paths).
    fn keywords(self) -> Option<Vec<&'static str>> {
        match self {
            Context::Top => Some(words::texts(Place::Top).collect()),
            Context::Service => Some(words::service_items().map(|w| w.text).collect()),
            Context::Route => Some(words::texts(Place::Statement).collect()),
            Context::Subset | Context::Policy | Context::Field => None,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Context::Top => "item at the top level",
            Context::Service => "item in a service",
            Context::Subset => "item in a subset",
            Context::Policy => "item in a policy",
            Context::Field => "field",
            Context::Route => "route statement",
        }
    }
}

struct Lowerer<'t> {
    file: FileId,
    /// The whole file.
    text: &'t str,
    /// Where the text pest is parsing starts in the file.
    base: usize,
    diagnostics: Vec<Diagnostic>,
}

impl<'t> Lowerer<'t> {
    fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, self.base + s.start(), self.base + s.end())
    }

    /// The span of a pair without the whitespace and comments pest skipped
    /// after its last token.
    fn trimmed_span(&self, pair: &Pair<'_, Rule>) -> Span {
        let mut span = self.span(pair);
        if let Some(last) = pair.clone().into_inner().next_back() {
            span.end = self.trimmed_span(&last).end;
        }
        span
    }

    fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
        Ident {
            name: pair.as_str().into(),
            span: self.span(pair),
        }
    }

    fn lower_items(&mut self, pair: Pair<'_, Rule>) -> Vec<TopItem> {
        let mut items = Vec::new();
        for item in pair.into_inner() {
            match item.as_rule() {
                Rule::namespace_decl => {
                    let span = self.span(&item);
                    if let Some(name) = item.into_inner().nth(1) {
                        items.push(TopItem::Namespace(self.ident(&name), span));
                    }
                }
                Rule::service => {
                    let (service, close) = self.lower_service(item);
                    items.push(TopItem::Service(service, close));
                }
                Rule::top_junk => items.push(TopItem::Junk(self.span(&item))),
                _ => {}
            }
        }
        items
    }

    /// A service and the `}` that closed it (none when it is unclosed).
    fn lower_service(&mut self, pair: Pair<'_, Rule>) -> (Service, Option<Span>) {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let name = inner.next().map(|p| self.ident(&p)).unwrap_or_else(|| Ident {
            name: Text::default(),
            span,
        });
        let mut service = Service {
            name,
            span,
            settings: Vec::new(),
            subsets: Vec::new(),
            policies: Vec::new(),
            routes: Vec::new(),
        };
        let mut open = span;
        let mut close = None;
        for item in inner {
            match item.as_rule() {
                Rule::lbrace => open = self.span(&item),
                Rule::subset => service.subsets.push(self.lower_subset(item)),
                Rule::policy => service.policies.push(self.lower_policy(item)),
                Rule::route => service.routes.push(self.lower_route(item)),
                Rule::setting => service.settings.push(self.lower_setting(item)),
                Rule::junk => self.explain_junk(self.span(&item), Context::Service),
                Rule::close if !item.as_str().is_empty() => close = Some(self.span(&item)),
                Rule::close => self.diagnostics.push(
                    Diagnostic::error(
                        Code::E0103,
                        open,
                        format!("the block of service `{}` is never closed", service.name.name),
                    )
                    .with_label("this `{` has no matching `}`")
                    .with_help("add `}` where the service ends"),
                ),
                _ => {}
            }
        }
        service.settings.shrink_to_fit();
        service.subsets.shrink_to_fit();
        service.policies.shrink_to_fit();
        service.routes.shrink_to_fit();
        (service, close)
    }

    fn lower_setting(&mut self, pair: Pair<'_, Rule>) -> Setting {
        let mut inner = pair.into_inner();
        let key_pair = inner.next();
        let key_text = key_pair.as_ref().map(|p| p.as_str()).unwrap_or("");
        let key = match key_text {
            "host" => SettingKey::Host,
            "hosts" => SettingKey::Hosts,
            "gateways" => SettingKey::Gateways,
            "export_to" => SettingKey::ExportTo,
            "workload_selector" => SettingKey::WorkloadSelector,
            "destination_rule" => SettingKey::DestinationRuleName,
            "virtual_service" => SettingKey::VirtualServiceName,
            "labels" => SettingKey::Labels,
            "annotations" => SettingKey::Annotations,
            _ => SettingKey::ExternalSubsets,
        };
        let key_span = key_pair.map(|p| self.span(&p)).unwrap_or_default();
        let values = exact(inner.map(|p| self.lower_value(p)).collect());
        Setting { key, key_span, values }
    }

    fn lower_subset(&mut self, pair: Pair<'_, Rule>) -> Subset {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let _keyword = inner.next();
        let name = inner.next().map(|p| self.ident(&p)).unwrap_or_else(|| Ident {
            name: Text::default(),
            span,
        });
        let mut subset = Subset {
            name,
            span,
            labels: Vec::new(),
            policies: Vec::new(),
        };
        for item in inner {
            match item.as_rule() {
                Rule::label => {
                    let mut parts = item.into_inner();
                    if let (Some(key), Some(_eq), Some(value)) = (parts.next(), parts.next(), parts.next()) {
                        let key = self.lower_key(key);
                        let value = self.lower_value(value);
                        subset.labels.push(Label { key, value });
                    }
                }
                Rule::policy => subset.policies.push(self.lower_policy(item)),
                Rule::junk => self.explain_junk(self.span(&item), Context::Subset),
                _ => {}
            }
        }
        subset.labels.shrink_to_fit();
        subset.policies.shrink_to_fit();
        subset
    }

    fn lower_policy(&mut self, pair: Pair<'_, Rule>) -> Policy {
        let span = self.span(&pair);
        let mut policy = Policy {
            keyword: span,
            span,
            fields: Vec::new(),
            ports: Vec::new(),
        };
        for item in pair.into_inner() {
            match item.as_rule() {
                Rule::kw_policy => policy.keyword = self.span(&item),
                Rule::field => policy.fields.extend(self.lower_field(item)),
                Rule::port_policy => policy.ports.push(self.lower_port_policy(item)),
                Rule::junk => self.explain_junk(self.span(&item), Context::Policy),
                _ => {}
            }
        }
        policy.fields.shrink_to_fit();
        policy.ports.shrink_to_fit();
        policy
    }

    fn lower_port_policy(&mut self, pair: Pair<'_, Rule>) -> PortPolicy {
        let span = self.span(&pair);
        let mut port = None;
        let mut fields = Vec::new();
        for item in pair.into_inner() {
            match item.as_rule() {
                Rule::string | Rule::numeric | Rule::word | Rule::list | Rule::object => {
                    port = Some(self.lower_value(item))
                }
                Rule::field => fields.extend(self.lower_field(item)),
                Rule::junk => self.explain_junk(self.span(&item), Context::Policy),
                _ => {}
            }
        }
        PortPolicy {
            port: port.unwrap_or(Value {
                kind: ValueKind::Number(Text::default()),
                span,
            }),
            span,
            fields,
        }
    }

    /// A field or label key: the `string` or `path` pair itself.
    fn lower_key(&mut self, pair: Pair<'_, Rule>) -> Key {
        let span = self.span(&pair);
        match pair.as_rule() {
            Rule::string => Key {
                name: self.decode_string(&pair),
                quoted: true,
                span,
            },
            _ => Key {
                name: pair.as_str().into(),
                quoted: false,
                span,
            },
        }
    }

    fn lower_field(&mut self, pair: Pair<'_, Rule>) -> Option<Field> {
        let mut inner = pair.into_inner();
        let key = self.lower_key(inner.next()?);
        let next = inner.next()?;
        let value = match next.as_rule() {
            Rule::eq => self.lower_value(inner.next()?),
            _ => self.lower_object(next),
        };
        Some(Field { key, value })
    }

    fn lower_object(&mut self, pair: Pair<'_, Rule>) -> Value {
        let span = self.span(&pair);
        let mut fields = Vec::new();
        for item in pair.into_inner() {
            match item.as_rule() {
                Rule::field => fields.extend(self.lower_field(item)),
                Rule::junk => self.explain_junk(self.span(&item), Context::Field),
                _ => {}
            }
        }
        Value {
            kind: ValueKind::Object(exact(fields)),
            span,
        }
    }

    /// A percentage `P%`; NaN (already reported, and silent in the checker)
    /// when a float cannot keep `P`.
    fn percent(&mut self, text: &str, span: Span) -> ValueKind {
        let number = text.trim_end_matches('%');
        match exact_decimal(number) {
            Some(p) => ValueKind::Percent(p),
            None => {
                self.diagnostics.push(inexact_number(number, span));
                ValueKind::Percent(f64::NAN)
            }
        }
    }

    /// A value: the pair of one of its forms (`value` itself is silent).
    fn lower_value(&mut self, inner: Pair<'_, Rule>) -> Value {
        let span = self.span(&inner);
        let text = inner.as_str();
        let kind = match inner.as_rule() {
            Rule::list => ValueKind::List(exact(inner.into_inner().map(|p| self.lower_value(p)).collect())),
            Rule::object => return self.lower_object(inner),
            Rule::numeric | Rule::percent if text.ends_with('%') => self.percent(text, span),
            Rule::numeric if text.bytes().any(|b| b.is_ascii_alphabetic() || b >= 0x80) => {
                ValueKind::Duration(text.into())
            }
            Rule::numeric => ValueKind::Number(text.into()),
            Rule::number => ValueKind::Number(text.into()),
            Rule::string => ValueKind::String(self.decode_string(&inner)),
            _ => ValueKind::Ident(text.into()),
        };
        Value { kind, span }
    }

    /// Decodes a string literal's JSON escapes; a bad escape is reported and
    /// left out.
    fn decode_string(&mut self, pair: &Pair<'_, Rule>) -> Text {
        let start = pair.as_span().start() + 1;
        let raw = pair.as_str();
        let body = raw.get(1..raw.len().saturating_sub(1)).unwrap_or("");
        // Most strings have no escape: the text is then taken as it is.
        if !body.contains('\\') {
            return body.into();
        }
        let mut out = Text::with_capacity(body.len());
        let mut chars = body.char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let escaped = chars.next().map(|(_, e)| e);
            let decoded = match escaped {
                Some('"') => Some('"'),
                Some('\\') => Some('\\'),
                Some('/') => Some('/'),
                Some('b') => Some('\u{8}'),
                Some('f') => Some('\u{c}'),
                Some('n') => Some('\n'),
                Some('r') => Some('\r'),
                Some('t') => Some('\t'),
                Some('u') => {
                    let hex: String = (0..4).filter_map(|_| chars.next().map(|(_, h)| h)).collect();
                    u32::from_str_radix(&hex, 16).ok().and_then(char::from_u32)
                }
                _ => None,
            };
            match decoded {
                Some(ch) => out.push(ch),
                None => {
                    let end = chars.peek().map(|(j, _)| *j).unwrap_or(body.len());
                    let span = Span::new(self.file, start + i, start + end);
                    self.diagnostics.push(
                        Diagnostic::error(Code::E0105, span, "invalid escape in string")
                            .with_label("not a valid escape")
                            .with_help(
                                "strings use JSON escapes: \\\" \\\\ \\/ \\b \\f \\n \\r \\t and \\uXXXX (a Unicode scalar value)",
                            ),
                    );
                }
            }
        }
        out
    }

    fn lower_route(&mut self, pair: Pair<'_, Rule>) -> Route {
        let span = self.span(&pair);
        let mut route = Route {
            kind: RouteKind::Http,
            name: None,
            keyword: span,
            span,
            statements: Vec::new(),
        };
        let mut keyword_start = None;
        for item in pair.into_inner() {
            match item.as_rule() {
                Rule::route_kind => {
                    keyword_start = Some(self.span(&item));
                    route.kind = match item.as_str() {
                        "tcp" => RouteKind::Tcp,
                        "tls" => RouteKind::Tls,
                        _ => RouteKind::Http,
                    };
                }
                Rule::kw_route => {
                    let kw = self.span(&item);
                    route.keyword = keyword_start.map_or(kw, |start| start.to(kw));
                }
                Rule::route_name => {
                    route.name = item.into_inner().next().map(|p| self.ident(&p));
                }
                Rule::junk => self.explain_junk(self.span(&item), Context::Route),
                Rule::lbrace | Rule::rbrace => {}
                _ => {
                    if let Some(statement) = self.lower_statement(item) {
                        route.statements.push(statement);
                    }
                }
            }
        }
        route.statements.shrink_to_fit();
        route
    }

    fn lower_statement(&mut self, pair: Pair<'_, Rule>) -> Option<Statement> {
        let span = self.trimmed_span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner().peekable();
        let keyword_pair = inner.next()?;
        let mut keyword = self.span(&keyword_pair);
        let kind = match rule {
            Rule::match_stmt => StatementKind::Match(exact(
                inner
                    .filter(|p| p.as_rule() != Rule::kw_and)
                    .filter_map(|p| self.lower_condition(p))
                    .collect(),
            )),
            Rule::to_stmt => StatementKind::To(exact(inner.map(|p| self.lower_destination(p)).collect())),
            Rule::timeout_stmt => StatementKind::Timeout(self.lower_value(inner.next()?)),
            Rule::retries_stmt => {
                let attempts = self.lower_value(inner.next()?);
                let options = exact(
                    inner
                        .filter_map(|option| {
                            let mut parts = option.into_inner();
                            let key = parts.next()?;
                            let value = self.lower_value(parts.next()?);
                            Some(RetryOption {
                                key: key.as_str().into(),
                                key_span: self.span(&key),
                                value,
                            })
                        })
                        .collect(),
                );
                StatementKind::Retries(Box::new(Retries { attempts, options }))
            }
            Rule::fault_stmt => {
                let detail = inner.next()?;
                keyword = keyword.to(self.span(&detail));
                let detail_rule = detail.as_rule();
                let mut parts = detail.into_inner().peekable();
                let _kind_keyword = parts.next();
                let exponential = parts.next_if(|p| p.as_rule() == Rule::kw_exponential).is_some();
                let first = parts.next()?;
                let (status, grpc) = if first.as_rule() == Rule::grpc_status {
                    (self.lower_value(first.into_inner().nth(1)?), true)
                } else {
                    (self.lower_value(first), false)
                };
                let percent = parts.next().map(|p| self.lower_value(p));
                if detail_rule == Rule::fault_delay {
                    StatementKind::FaultDelay(Box::new(FaultDelay {
                        exponential,
                        delay: status,
                        percent,
                    }))
                } else {
                    StatementKind::FaultAbort(Box::new(FaultAbort { status, grpc, percent }))
                }
            }
            Rule::mirror_stmt => {
                let target = self.lower_target(inner.next()?);
                let percent = inner.next().map(|p| self.lower_value(p));
                StatementKind::Mirror {
                    target: Box::new(target),
                    percent,
                }
            }
            Rule::rewrite_stmt => {
                let first = inner.next()?;
                if first.as_rule() == Rule::rewrite_regex {
                    let mut parts = first.into_inner().skip(2);
                    let pattern = self.lower_value(parts.next()?);
                    let replacement = self.lower_value(parts.next()?);
                    StatementKind::RewriteRegex(Box::new(RewriteRegex { pattern, replacement }))
                } else {
                    let part = if first.as_str() == "uri" {
                        RewritePart::Uri
                    } else {
                        RewritePart::Authority
                    };
                    StatementKind::Rewrite {
                        part,
                        value: self.lower_value(inner.next()?),
                    }
                }
            }
            Rule::redirect_stmt => StatementKind::Redirect(
                inner
                    .filter_map(|option| {
                        let mut parts = option.into_inner();
                        let key = parts.next()?;
                        let which = match key.as_str() {
                            "uri" => RedirectKey::Uri,
                            "authority" => RedirectKey::Authority,
                            "scheme" => RedirectKey::Scheme,
                            "port" => RedirectKey::Port,
                            "derive_port" => RedirectKey::DerivePort,
                            "prefix" => RedirectKey::Prefix,
                            _ => RedirectKey::Code,
                        };
                        let key_span = self.span(&key);
                        Some((which, key_span, self.lower_value(parts.next()?)))
                    })
                    .collect(),
            ),
            Rule::respond_stmt => {
                let status = self.lower_value(inner.next()?);
                let bytes = inner.next_if(|p| p.as_rule() == Rule::kw_bytes).is_some();
                StatementKind::Respond(Box::new(Respond {
                    status,
                    body: inner.next().map(|p| self.lower_value(p)),
                    bytes,
                }))
            }
            Rule::delegate_stmt => {
                let name = self.lower_value(inner.next()?);
                let namespace = inner.nth(1).map(|p| self.lower_value(p));
                StatementKind::Delegate(Box::new(Delegate { name, namespace }))
            }
            Rule::headers_stmt => {
                let side = match inner.next()?.as_str() {
                    "request" => HeaderSide::Request,
                    _ => HeaderSide::Response,
                };
                let op = match inner.next()?.as_str() {
                    "set" => HeaderOp::Set,
                    "add" => HeaderOp::Add,
                    _ => HeaderOp::Remove,
                };
                let name = self.lower_value(inner.next()?);
                let value = inner
                    .next_if(|p| p.as_rule() != Rule::header_target)
                    .map(|p| self.lower_value(p));
                let target = inner
                    .next()
                    .and_then(|p| p.into_inner().nth(1))
                    .map(|p| self.lower_target(p));
                StatementKind::Headers(Box::new(Headers {
                    side,
                    op,
                    name,
                    value,
                    target,
                }))
            }
            Rule::cors_stmt => match self.lower_object(inner.next()?).kind {
                ValueKind::Object(fields) => StatementKind::Cors(fields),
                _ => StatementKind::Cors(Vec::new()),
            },
            _ => return None,
        };
        Some(Statement { kind, keyword, span })
    }

    fn lower_condition(&mut self, pair: Pair<'_, Rule>) -> Option<Condition> {
        let span = self.trimmed_span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let kind = match rule {
            Rule::string_cond => {
                let subject = match inner.next()?.as_str() {
                    "uri" => StringSubject::Uri,
                    "scheme" => StringSubject::Scheme,
                    "method" => StringSubject::Method,
                    _ => StringSubject::Authority,
                };
                let op = string_op(inner.next()?.as_str());
                ConditionKind::Str {
                    subject,
                    op,
                    value: self.lower_value(inner.next()?),
                }
            }
            Rule::header_cond | Rule::query_cond | Rule::without_cond => {
                let source = match rule {
                    Rule::header_cond => KeyedSource::Header,
                    Rule::query_cond => KeyedSource::Query,
                    _ => {
                        inner.next();
                        KeyedSource::WithoutHeader
                    }
                };
                inner.next();
                let name = self.lower_value(inner.next()?);
                let op = inner.next()?;
                let test = if op.as_rule() == Rule::string_op {
                    Some(Box::new((string_op(op.as_str()), self.lower_value(inner.next()?))))
                } else {
                    None
                };
                ConditionKind::Keyed { source, name, test }
            }
            Rule::source_cond => match self.lower_object(inner.nth(1)?).kind {
                ValueKind::Object(fields) => ConditionKind::SourceLabels(fields),
                _ => return None,
            },
            Rule::namespace_cond => ConditionKind::SourceNamespace(self.lower_value(inner.nth(2)?)),
            Rule::port_cond => ConditionKind::Port(self.lower_value(inner.nth(1)?)),
            Rule::gateway_cond => ConditionKind::Gateway(self.lower_value(inner.nth(1)?)),
            Rule::sni_cond => ConditionKind::Sni(self.lower_value(inner.nth(1)?)),
            Rule::subnet_cond => ConditionKind::DestinationSubnet(self.lower_value(inner.nth(1)?)),
            Rule::source_subnet_cond => ConditionKind::SourceSubnet(self.lower_value(inner.nth(1)?)),
            Rule::match_name_cond => ConditionKind::MatchName(self.lower_value(inner.nth(1)?)),
            Rule::stat_prefix_cond => ConditionKind::StatPrefix(self.lower_value(inner.nth(1)?)),
            Rule::uri_case_cond => ConditionKind::IgnoreUriCase,
            _ => return None,
        };
        Some(Condition { kind, span })
    }

    fn lower_destination(&mut self, pair: Pair<'_, Rule>) -> Destination {
        let span = self.trimmed_span(&pair);
        let mut inner = pair.into_inner();
        let target = match inner.next() {
            Some(t) => self.lower_target(t),
            None => Target {
                host: TargetHost::External(Text::default(), span),
                port: None,
                span,
            },
        };
        let weight = inner.next().map(|w| self.lower_value(w));
        Destination { target, weight, span }
    }

    fn lower_target(&mut self, pair: Pair<'_, Rule>) -> Target {
        let span = self.span(&pair);
        let mut host = TargetHost::External(Text::default(), span);
        let mut port = None;
        for part in pair.into_inner() {
            match part.as_rule() {
                Rule::string => {
                    let part_span = self.span(&part);
                    host = TargetHost::External(self.decode_string(&part), part_span);
                }
                Rule::service_ref => {
                    let mut names = part.into_inner();
                    if let Some(first) = names.next() {
                        let first = self.ident(&first);
                        host = match names.next() {
                            Some(subset) => TargetHost::Qualified {
                                service: first,
                                subset: self.ident(&subset),
                            },
                            None => TargetHost::Name(first),
                        };
                    }
                }
                Rule::port_number => port = Some(Box::new((part.as_str().into(), self.span(&part)))),
                _ => {}
            }
        }
        Target { host, port, span }
    }

    // ------------------------------------------------------------ errors

    /// Reports a line the grammar could not read.
    fn explain_junk(&mut self, span: Span, context: Context) {
        let text = self.text;
        let chunk = text.get(span.range()).unwrap_or("");
        let start = span.start as usize;
        let word_len = chunk
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(chunk.len());
        let word = chunk.get(..word_len).unwrap_or("");
        if let Some(known) = context.keywords() {
            let starts_like_word = word.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
            if starts_like_word && !known.contains(&word) {
                let word_span = Span::new(self.file, start, start + word_len);
                let mut diag =
                    Diagnostic::error(Code::E0104, word_span, format!("unknown {} `{word}`", context.what()));
                match closest(word, known.iter().copied()) {
                    Some(best) => {
                        diag = diag
                            .with_label(format!("did you mean `{best}`?"))
                            .with_help(format!("replace `{word}` with `{best}`"))
                            .with_fix(format!("Replace with `{best}`"), word_span, best);
                    }
                    None => {
                        diag = diag
                            .with_label("not known here")
                            .with_help(format!("expected one of: {}", quote_list(&known)));
                    }
                }
                self.diagnostics.push(diag);
                return;
            }
        }
        let diag = match MeshParser::parse(context.rule(), chunk) {
            Err(error) => self.explain_pest_error(&error, start),
            Ok(_) => Diagnostic::error(
                Code::E0101,
                span,
                format!("this {} cannot be read here", context.what()),
            )
            .with_label("unexpected here"),
        };
        self.diagnostics.push(diag);
    }

    /// A `}` with nothing to close.  When the service before it was closed
    /// by a `}` that shares its line with other code (`route { ... }}`), that
    /// brace is the likely mistake, so the diagnostic points there.
    fn explain_stray_brace(&self, stray: Span, last_close: Option<&(Span, Text)>) -> Diagnostic {
        let line_start = |offset: usize| {
            self.text
                .get(..offset)
                .map_or(0, |t| t.rfind('\n').map_or(0, |i| i + 1))
        };
        let crowded = |span: Span| {
            let start = span.start as usize;
            self.text
                .get(line_start(start)..start)
                .is_some_and(|before| !before.trim().is_empty())
        };
        if let Some((close, service)) = last_close
            && crowded(*close)
            && !crowded(stray)
        {
            return Diagnostic::error(
                Code::E0102,
                *close,
                "unexpected `}`: it closes the block of service `".to_string() + service + "` too early",
            )
            .with_label("this `}` is one too many")
            .with_secondary(stray, "so this `}` has nothing left to close")
            .with_help("remove the extra `}`")
            .with_fix("Remove the extra `}`", *close, "");
        }
        Diagnostic::error(Code::E0102, stray, "unexpected `}`: there is no open block to close")
            .with_label("this closes nothing")
            .with_help("remove it, or look for a block above that was closed too early (a doubled `}`)")
    }

    /// Turns a pest error in text starting at byte `base` into a diagnostic
    /// that says what was expected and what was found.
    fn explain_pest_error(&self, error: &pest::error::Error<Rule>, base: usize) -> Diagnostic {
        let at = match error.location {
            InputLocation::Pos(p) => p,
            InputLocation::Span((s, _)) => s,
        } + base;
        let positives: &[Rule] = match &error.variant {
            ErrorVariant::ParsingError { positives, .. } => positives,
            ErrorVariant::CustomError { .. } => &[],
        };
        let mut expected: Vec<String> = Vec::new();
        // Where a list may start, the other forms of a value (a string, a
        // number, a word, a block) may too: together they read "a value".
        let value_here = positives.contains(&Rule::list);
        for rule in positives {
            let name = match rule {
                Rule::string | Rule::numeric | Rule::word | Rule::lbrace if value_here => "a value".to_string(),
                _ => match describe_rule(*rule) {
                    Some(name) => name,
                    None => continue,
                },
            };
            if !expected.contains(&name) {
                expected.push(name);
            }
        }
        let (found, len) = describe_token(self.text, at);
        let span = Span::new(self.file, at, at + len);
        let message = if expected.is_empty() {
            format!("unexpected {found}")
        } else {
            format!("expected {}, found {found}", or_list(&expected))
        };
        let mut diag = Diagnostic::error(Code::E0101, span, message).with_label(if expected.is_empty() {
            "not expected here".to_string()
        } else {
            format!("expected {}", or_list(&expected))
        });
        // A misspelt keyword gets the closest one that would fit.
        let word = self.text.get(span.range()).unwrap_or("");
        let candidates = positives.iter().flat_map(|r| rule_words(*r));
        if let Some(best) = closest(word, candidates) {
            diag = diag.with_help(format!("did you mean `{best}`?")).with_fix(
                format!("Replace with `{best}`"),
                span,
                best,
            );
        }
        diag
    }
}

fn string_op(text: &str) -> StringOp {
    match text {
        "exact" => StringOp::Exact,
        "prefix" => StringOp::Prefix,
        _ => StringOp::Regex,
    }
}

fn quote_list(words: &[&str]) -> String {
    let quoted: Vec<String> = words.iter().map(|w| format!("`{w}`")).collect();
    quoted.join(", ")
}

fn or_list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// How a grammar rule is named in "expected ..." messages; `None` for the
/// rules that only recover from errors, which are never what a person
/// should write.  The match lists every rule, so a new one must be named
/// here before the crate builds.
fn describe_rule(rule: Rule) -> Option<String> {
    let text = match rule {
        Rule::kw_namespace
        | Rule::kw_service
        | Rule::kw_subset
        | Rule::kw_policy
        | Rule::kw_port
        | Rule::kw_route
        | Rule::kw_match
        | Rule::kw_and
        | Rule::kw_header
        | Rule::kw_query
        | Rule::kw_without
        | Rule::kw_present
        | Rule::kw_source
        | Rule::kw_gateway
        | Rule::kw_sni
        | Rule::kw_source_subnet
        | Rule::kw_name
        | Rule::kw_stat_prefix
        | Rule::kw_exponential
        | Rule::kw_for
        | Rule::kw_bytes
        | Rule::kw_destination_subnet
        | Rule::kw_ignore_uri_case
        | Rule::kw_to
        | Rule::kw_timeout
        | Rule::kw_retries
        | Rule::kw_fault
        | Rule::kw_delay
        | Rule::kw_abort
        | Rule::kw_grpc
        | Rule::kw_mirror
        | Rule::kw_rewrite
        | Rule::kw_uri
        | Rule::kw_regex
        | Rule::kw_redirect
        | Rule::kw_respond
        | Rule::kw_delegate
        | Rule::kw_headers
        | Rule::kw_cors => {
            let name = format!("{rule:?}");
            return Some(format!("`{}`", name.trim_start_matches("kw_")));
        }
        Rule::lbrace => "`{`",
        Rule::rbrace | Rule::close => "`}`",
        Rule::eq => "`=`",
        Rule::list | Rule::object | Rule::value | Rule::arg => "a value",
        Rule::ident | Rule::route_name | Rule::word | Rule::namespace_name => "a name",
        Rule::string => "a string",
        Rule::percent | Rule::weight => "a percentage",
        Rule::number | Rule::port_number | Rule::numeric | Rule::grpc_status => "a number",
        Rule::path | Rule::field | Rule::label | Rule::key => "a field name",
        Rule::target | Rule::destination | Rule::service_ref => "a destination",
        Rule::string_subject
        | Rule::string_op
        | Rule::retry_key
        | Rule::retry_option
        | Rule::redirect_key
        | Rule::redirect_option
        | Rule::rewrite_key
        | Rule::rewrite_regex
        | Rule::header_side
        | Rule::header_op
        | Rule::route_kind => {
            let quoted: Vec<String> = words_of(rule).map(|w| format!("`{w}`")).collect();
            return Some(or_list(&quoted));
        }
        Rule::header_target => "a header name",
        Rule::setting_key | Rule::setting => "a setting",
        Rule::EOI => "the end of the line",
        Rule::namespace_decl => "`namespace`",
        Rule::service => "`service`",
        Rule::subset => "`subset`",
        Rule::policy => "`policy`",
        Rule::port_policy => "`port`",
        Rule::route => "`route`",
        Rule::fault_delay => "`delay`",
        Rule::fault_abort => "`abort`",
        Rule::statement_keyword => "a route statement",
        Rule::condition => "a match condition",
        Rule::match_stmt
        | Rule::to_stmt
        | Rule::timeout_stmt
        | Rule::retries_stmt
        | Rule::fault_stmt
        | Rule::mirror_stmt
        | Rule::rewrite_stmt
        | Rule::redirect_stmt
        | Rule::respond_stmt
        | Rule::delegate_stmt
        | Rule::headers_stmt
        | Rule::cors_stmt => "a route statement",
        Rule::string_cond
        | Rule::header_cond
        | Rule::query_cond
        | Rule::without_cond
        | Rule::source_cond
        | Rule::namespace_cond
        | Rule::port_cond
        | Rule::gateway_cond
        | Rule::sni_cond
        | Rule::subnet_cond
        | Rule::source_subnet_cond
        | Rule::match_name_cond
        | Rule::stat_prefix_cond
        | Rule::uri_case_cond => "a match condition",
        // Silent rules, which pest never reports, error recovery and entry
        // points: never what a person should write.
        Rule::WHITESPACE
        | Rule::service_item
        | Rule::subset_item
        | Rule::policy_item
        | Rule::field_item
        | Rule::route_item
        | Rule::junk_group
        | Rule::junk_comment
        | Rule::junk_string
        | Rule::escape
        | Rule::duration_unit
        | Rule::junk
        | Rule::top_junk
        | Rule::file
        | Rule::top_item_only
        | Rule::service_item_only
        | Rule::subset_item_only
        | Rule::policy_item_only
        | Rule::field_item_only
        | Rule::route_item_only => return None,
    };
    Some(text.to_string())
}

/// The words a rule that starts with a choice of words accepts, for
/// "expected …" texts: a view of the words table.
fn words_of(rule: Rule) -> impl Iterator<Item = &'static str> {
    let place = match rule {
        Rule::string_subject => Some(Place::StringSubject),
        Rule::string_op => Some(Place::StringOp),
        Rule::retry_key | Rule::retry_option => Some(Place::OptionOf("retries")),
        Rule::redirect_key | Rule::redirect_option => Some(Place::OptionOf("redirect")),
        Rule::rewrite_key | Rule::rewrite_regex => Some(Place::OptionOf("rewrite")),
        Rule::header_side => Some(Place::HeaderSide),
        Rule::header_op => Some(Place::HeaderOp),
        Rule::route_kind => Some(Place::RouteKind),
        _ => None,
    };
    place.into_iter().flat_map(words::texts)
}

/// The words a keyword-like rule accepts, for "did you mean" suggestions:
/// a view of the words table.
fn rule_words(rule: Rule) -> Box<dyn Iterator<Item = &'static str>> {
    match rule {
        Rule::string_subject
        | Rule::string_op
        | Rule::retry_key
        | Rule::redirect_key
        | Rule::rewrite_key
        | Rule::header_side
        | Rule::header_op
        | Rule::route_kind => Box::new(words_of(rule)),
        // A keyword rule accepts its own word (`kw_delay`: `delay`).
        Rule::kw_delay
        | Rule::kw_abort
        | Rule::kw_present
        | Rule::kw_header
        | Rule::kw_namespace
        | Rule::kw_route
        | Rule::kw_grpc => {
            let name = format!("{rule:?}");
            let text = name.trim_start_matches("kw_");
            Box::new(words::WORDS.iter().map(|w| w.text).find(|w| *w == text).into_iter())
        }
        Rule::string_cond
        | Rule::header_cond
        | Rule::query_cond
        | Rule::without_cond
        | Rule::source_cond
        | Rule::namespace_cond
        | Rule::port_cond
        | Rule::gateway_cond
        | Rule::sni_cond
        | Rule::subnet_cond
        | Rule::source_subnet_cond
        | Rule::match_name_cond
        | Rule::stat_prefix_cond
        | Rule::uri_case_cond => Box::new(words::conditions().map(|w| w.text)),
        _ => Box::new(std::iter::empty()),
    }
}

/// Names the token at `at` for "found ..." and gives its length.
fn describe_token(text: &str, at: usize) -> (String, usize) {
    let rest = text.get(at..).unwrap_or("");
    let line_rest = rest.split(['\n', '\r']).next().unwrap_or("");
    if line_rest.trim().is_empty() {
        return ("the end of the line".to_string(), 0);
    }
    let word_len = line_rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.' || c == '%'))
        .unwrap_or(line_rest.len());
    if word_len > 0 {
        let word = &line_rest[..word_len];
        return (format!("`{word}`"), word_len);
    }
    let ch = line_rest.chars().next().unwrap_or(' ');
    (format!("`{ch}`"), ch.len_utf8())
}

/// A vector without spare capacity: the syntax tree of a large program is
/// built once and kept, so what `Vec` reserves while growing is waste.
fn exact<T>(mut items: Vec<T>) -> Vec<T> {
    items.shrink_to_fit();
    items
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing_in_pieces_gives_the_same_result() {
        let mut text = String::from("namespace a\n");
        for i in 0..40 {
            text.push_str(&format!(
                "service s{i} {{\n  subset v1 {{ version = \"v1\" }} // {{ not a brace\n  route {{ to v1 }}{}\n}}\n\"stray {{\"\n",
                if i % 7 == 3 { "}" } else { "" }
            ));
        }
        let whole = parse_pieces(0, &text, 1);
        for pieces in [2, 3, 8] {
            let cut = parse_pieces(0, &text, pieces);
            assert!(scan(&text, pieces).is_ok_and(|cuts| cuts.len() > 1));
            assert_eq!(cut.file, whole.file);
            assert_eq!(cut.diagnostics, whole.diagnostics);
        }
        assert!(!whole.diagnostics.is_empty());
    }

    #[test]
    fn a_cached_parse_of_an_edited_text_equals_a_fresh_one() {
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(&format!(
                "service s{i} {{\n  subset v1 {{ version = \"v1\" }}\n  route {{ to v1 }}\n}}\n"
            ));
        }
        let mut cache = ParseCache::default();
        let first = parse_cached(0, &text, &mut cache);
        assert_eq!(first.file, parse_pieces(0, &text, 1).file);
        assert!(cache.pieces.len() > 2);
        for edit in [text.len() / 2, 5] {
            let mut edited = text.clone();
            edited.insert_str(edit, "}\n");
            let cached = parse_cached(0, &edited, &mut cache);
            let fresh = parse_pieces(0, &edited, 1);
            assert_eq!(cached.file, fresh.file);
            assert_eq!(cached.diagnostics, fresh.diagnostics);
        }
    }

    /// Parsing is linear in the length of a line, however its quotes fall:
    /// pest's call limit (a count, not a clock) stops a parse that does more
    /// than a fixed amount of work per byte.  An unclosed string was read
    /// again from each of its `"` to the line's end (quadratic: 80 KB of
    /// `"\` took 43 s).
    #[test]
    fn unclosed_strings_parse_in_linear_work() {
        let lines = [
            "\"\\".repeat(40_000),
            format!("service a {{\n  route {{ to {} }}\n}}\n", "\"\\".repeat(40_000)),
            format!("service a {{\n  x {{ {}\n}}\n", "\"\\".repeat(40_000)),
            "\"x".repeat(40_000),
        ];
        for text in lines {
            let limit = std::num::NonZeroUsize::new(64 * text.len());
            pest::set_call_limit(limit);
            let result = MeshParser::parse(Rule::file, &text);
            pest::set_call_limit(None);
            if let Err(error) = result {
                assert!(!error.to_string().contains("call limit"), "{error}");
            }
        }
    }

    /// "expected ..." never names a rule of the grammar ("expected junk"):
    /// every rule is described in words, or left out.
    #[test]
    fn expected_lists_name_no_grammar_rule() {
        for rule in Rule::all_rules() {
            let name = format!("{rule:?}");
            if let Some(text) = describe_rule(*rule) {
                // What the old fallback printed: the rule's own name.
                assert_ne!(text, name.replace('_', " "), "{name} is not described");
                assert!(!text.contains("junk"), "{name} is described as {text}");
            }
        }
    }
}
