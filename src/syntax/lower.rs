//! Lowering pest's parse tree into the AST.
//!
//! Every `lower_*` function takes the pair of the grammar rule it is named
//! after.  A `junk` pair (a line no rule accepted) is handed to
//! [`super::explain`].

use pest::Parser;
use pest::iterators::Pair;

use super::ast::*;
use super::explain::Context;
use super::grammar::{MeshParser, Rule};
use super::unclosed::Unclosed;
use crate::diag::{Code, Diagnostic};
use crate::span::{FileId, Span};

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

/// A top-level item of a file, before the file-wide checks.
#[derive(Clone, Debug)]
pub(super) enum TopItem {
    Namespace(Ident, Span),
    /// A service and the `}` that closed it.
    Service(std::sync::Arc<Service>, Option<Span>),
    /// A test and the `}` that closed it.
    Test(Test, Option<Span>),
    Junk(Span),
}

/// Parses and lowers the top-level items in `range` of `text`.
///
/// When a service is left unclosed and the layout shows which inner block
/// lacks its `}` ([`super::unclosed`]), the piece is parsed again with that
/// `}` put back, so the one mistake is reported once, at the block's `{`,
/// and the lines after it are read as they were meant.
pub(super) fn lower_piece(file: FileId, text: &str, range: std::ops::Range<usize>) -> (Vec<TopItem>, Vec<Diagnostic>) {
    let piece = text.get(range.clone()).unwrap_or("");
    let (items, diagnostics, unclosed) = lower_text(file, text, range.start, piece, Vec::new());
    let missing: Vec<Unclosed> = unclosed
        .into_iter()
        .flat_map(|service| super::unclosed::find(text, service.range()))
        .collect();
    if missing.is_empty() {
        return (items, diagnostics);
    }
    // The piece with each missing `}` put back; `inserted` says where, in
    // the repaired text, so spans map back to the file.
    // Nested blocks come outermost first, and an outer block may end after
    // an inner one: the text is copied in file order.
    let mut at: Vec<usize> = missing.iter().map(|block| block.parse_at).collect();
    at.sort_unstable();
    let mut repaired = String::with_capacity(piece.len() + missing.len());
    let mut inserted = Vec::with_capacity(missing.len());
    let mut copied = range.start;
    for parse_at in at {
        repaired.push_str(text.get(copied..parse_at).unwrap_or(""));
        inserted.push(repaired.len());
        repaired.push('}');
        copied = parse_at;
    }
    repaired.push_str(text.get(copied..range.end).unwrap_or(""));
    let (items, mut diagnostics, _) = lower_text(file, text, range.start, &repaired, inserted);
    diagnostics.extend(missing.iter().map(|block| unclosed_block(file, block)));
    (items, diagnostics)
}

/// Parses `piece`, which stands for the file's text from `base` on with a
/// `}` at each offset of `inserted`; also returns the services left unclosed.
fn lower_text(
    file: FileId,
    text: &str,
    base: usize,
    piece: &str,
    inserted: Vec<usize>,
) -> (Vec<TopItem>, Vec<Diagnostic>, Vec<Span>) {
    let mut lowerer = Lowerer {
        file,
        text,
        base,
        inserted,
        unclosed: Vec::new(),
        diagnostics: Vec::new(),
    };
    let items = match MeshParser::parse(Rule::file, piece) {
        Ok(mut pairs) => pairs.next().map(|root| lowerer.lower_items(root)).unwrap_or_default(),
        Err(error) => {
            // The grammar accepts any text; this is a safety net only.
            let diag = lowerer.explain_pest_error(&error, lowerer.base);
            lowerer.diagnostics.push(diag);
            Vec::new()
        }
    };
    (items, lowerer.diagnostics, lowerer.unclosed)
}

/// The error for an inner block whose `}` is missing.
fn unclosed_block(file: FileId, block: &Unclosed) -> Diagnostic {
    let open = Span::new(file, block.open, block.open + 1);
    let head = if block.head.is_empty() {
        "{".to_string()
    } else {
        format!("{} {{", block.head)
    };
    let mut diag = Diagnostic::error(Code::E0103, open, format!("`{head}` is never closed"))
        .with_label("this `{` has no matching `}`");
    if let Some((at, len)) = block.ends_before {
        let how = if block.lined_up {
            "indented like"
        } else {
            "indented less than"
        };
        diag = diag.with_secondary(
            Span::new(file, at, at + len),
            format!("{how} `{head}`, so the block ends before this line"),
        );
    }
    diag.with_help(format!(
        "add `}}` after line {}, indented like `{head}`",
        block.last_line
    ))
    .with_fix(
        "Close the block",
        Span::new(file, block.fix_at, block.fix_at),
        block.fix_text.clone(),
    )
}

/// The side and operation of a header edit (`headers request set …`), as
/// the grammar spells them.
pub(super) fn header_edit(side: &str, op: &str) -> (HeaderSide, HeaderOp) {
    let side = match side {
        "request" => HeaderSide::Request,
        _ => HeaderSide::Response,
    };
    let op = match op {
        "set" => HeaderOp::Set,
        "add" => HeaderOp::Add,
        _ => HeaderOp::Remove,
    };
    (side, op)
}

pub(super) struct Lowerer<'t> {
    pub(super) file: FileId,
    /// The whole file.
    pub(super) text: &'t str,
    /// Where the text pest is parsing starts in the file.
    pub(super) base: usize,
    /// Offsets in the parsed text of the `}` put back where a block lacked
    /// one (see [`lower_piece`]): each is not in the file.
    pub(super) inserted: Vec<usize>,
    /// The services the grammar found unclosed.
    pub(super) unclosed: Vec<Span>,
    pub(super) diagnostics: Vec<Diagnostic>,
}

impl<'t> Lowerer<'t> {
    pub(super) fn span(&self, pair: &Pair<'_, Rule>) -> Span {
        let s = pair.as_span();
        Span::new(self.file, self.offset(s.start()), self.offset(s.end()))
    }

    /// The file offset of offset `at` of the parsed text.
    pub(super) fn offset(&self, at: usize) -> usize {
        let put_back = self.inserted.iter().take_while(|&&i| i < at).count();
        self.base + at - put_back
    }

    /// The span of a pair without the whitespace and comments pest skipped
    /// after its last token.
    pub(super) fn trimmed_span(&self, pair: &Pair<'_, Rule>) -> Span {
        let mut span = self.span(pair);
        if let Some(last) = pair.clone().into_inner().next_back() {
            span.end = self.trimmed_span(&last).end;
        }
        span
    }

    pub(super) fn ident(&self, pair: &Pair<'_, Rule>) -> Ident {
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
                    items.push(TopItem::Service(std::sync::Arc::new(service), close));
                }
                Rule::test => {
                    let (test, close) = self.lower_test(item);
                    items.push(TopItem::Test(test, close));
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
        let kind = match inner.next().map(|p| p.as_rule()) {
            Some(Rule::kw_delegate) => ServiceKind::Delegate,
            _ => ServiceKind::Service,
        };
        let name = inner.next().map(|p| self.ident(&p)).unwrap_or_else(|| Ident {
            name: Text::default(),
            span,
        });
        let mut service = Service {
            kind,
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
                Rule::close => {
                    self.unclosed.push(span);
                    self.diagnostics.push(
                        Diagnostic::error(
                            Code::E0103,
                            open,
                            format!(
                                "the block of {} `{}` is never closed",
                                service.kind.keyword(),
                                service.name.name
                            ),
                        )
                        .with_label("this `{` has no matching `}`")
                        .with_help("add `}` where the service ends"),
                    )
                }
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
            unread: false,
        };
        for item in pair.into_inner() {
            match item.as_rule() {
                Rule::kw_policy => policy.keyword = self.span(&item),
                Rule::field => policy.fields.extend(self.lower_field(item)),
                Rule::port_policy => policy.ports.push(self.lower_port_policy(item)),
                Rule::junk => {
                    policy.unread = true;
                    self.explain_junk(self.span(&item), Context::Policy);
                }
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

    pub(super) fn lower_object(&mut self, pair: Pair<'_, Rule>) -> Value {
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
    pub(super) fn lower_value(&mut self, inner: Pair<'_, Rule>) -> Value {
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
    pub(super) fn decode_string(&mut self, pair: &Pair<'_, Rule>) -> Text {
        let start = self.offset(pair.as_span().start()) + 1;
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
            unread_match: false,
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
                    route.name = item.into_inner().next().map(|p| self.route_name(&p));
                }
                Rule::junk => {
                    let text = item.as_str();
                    route.unread_match |= text
                        .strip_prefix("match")
                        .is_some_and(|rest| rest.starts_with([' ', '\t']));
                    self.explain_junk(self.span(&item), Context::Route);
                }
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
                let (side, op) = header_edit(inner.next()?.as_str(), inner.next()?.as_str());
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

    pub(super) fn lower_destination(&mut self, pair: Pair<'_, Rule>) -> Destination {
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

    pub(super) fn lower_target(&mut self, pair: Pair<'_, Rule>) -> Target {
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
}

fn string_op(text: &str) -> StringOp {
    match text {
        "exact" => StringOp::Exact,
        "prefix" => StringOp::Prefix,
        _ => StringOp::Regex,
    }
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

    /// Blocks nested in an unclosed service, whose `}` go back in an order
    /// other than their `{`: every span stays inside the file and on the
    /// text it names (the text was once copied twice, and spans ran past
    /// the end of the file).
    #[test]
    fn missing_braces_of_nested_blocks_map_back_to_the_file() {
        let text = "service catalog {\n  route {\n    match uri prefix \"/api\"\n    cors {\n      \
                    allowOrigins = [{\"act = \"https://e.com\" }, { regex = \"x\" }]\n     [[\n\
                    lowMethods = [\"GET\"]\n      allowHeaders = [\"a\", \"b\"]\n      exposeHeaders = [\"x\"";
        let parsed = crate::syntax::parse(0, text);
        assert!(!parsed.diagnostics.is_empty());
        for diag in &parsed.diagnostics {
            for label in std::iter::once(&diag.primary).chain(&diag.secondary) {
                assert!(
                    label.span.end as usize <= text.len(),
                    "{diag:?} runs past {}",
                    text.len()
                );
            }
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
}
