//! The shape of a file for editors: document symbols, folding ranges,
//! semantic tokens, and subsets nothing routes to.

use crate::Analysis;
use crate::check::Symbols;
use crate::span::{FileId, Span};
use crate::syntax::ast::RouteKind;
use crate::syntax::tokens::{Token, tokens};

/// What a symbol is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SymbolKind {
    /// A service.
    Service,
    /// A subset.
    Subset,
    /// A policy block.
    Policy,
    /// A route.
    Route,
}

/// A node of the outline.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DocumentSymbol {
    /// The name shown.
    pub name: String,
    /// A short description.
    pub detail: String,
    /// The kind.
    pub kind: SymbolKind,
    /// The whole item.
    pub span: Span,
    /// The part to select (the name).
    pub selection: Span,
    /// Nested symbols.
    pub children: Vec<DocumentSymbol>,
}

/// Services with their subsets, policy and routes.
pub fn document_symbols(analysis: &Analysis, file: FileId) -> Vec<DocumentSymbol> {
    let Some(ast) = analysis.files.get(file as usize) else {
        return Vec::new();
    };
    ast.services
        .iter()
        .map(|service| {
            let mut children: Vec<DocumentSymbol> = service
                .subsets
                .iter()
                .map(|subset| DocumentSymbol {
                    name: subset.name.name.to_string(),
                    detail: "subset".into(),
                    kind: SymbolKind::Subset,
                    span: subset.span,
                    selection: subset.name.span,
                    children: Vec::new(),
                })
                .collect();
            children.extend(service.policies.iter().map(|policy| DocumentSymbol {
                name: "policy".into(),
                detail: "traffic policy".into(),
                kind: SymbolKind::Policy,
                span: policy.span,
                selection: policy.keyword,
                children: Vec::new(),
            }));
            children.extend(service.routes.iter().enumerate().map(|(i, route)| {
                DocumentSymbol {
                    name: route
                        .name
                        .as_ref()
                        .map_or(format!("route #{}", i + 1), |n| n.name.to_string()),
                    detail: match route.kind {
                        RouteKind::Http => "http route",
                        RouteKind::Tcp => "tcp route",
                        RouteKind::Tls => "tls route",
                    }
                    .into(),
                    kind: SymbolKind::Route,
                    span: route.span,
                    selection: route.name.as_ref().map_or(route.keyword, |n| n.span),
                    children: Vec::new(),
                }
            }));
            DocumentSymbol {
                name: service.name.name.to_string(),
                detail: service.kind.keyword().into(),
                kind: SymbolKind::Service,
                span: service.span,
                selection: service.name.span,
                children,
            }
        })
        .collect()
}

/// A symbol of the whole program, for a search across files.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct WorkspaceSymbol {
    /// Its name.
    pub name: String,
    /// What it is.
    pub kind: SymbolKind,
    /// Where its name is written.
    pub span: Span,
    /// The service a subset belongs to.
    pub container: Option<String>,
}

/// The services and subsets of every file whose names contain `query`
/// (ignoring case; every one for an empty query), services first, in
/// source order, at most `limit`.
pub fn workspace_symbols(analysis: &Analysis, query: &str, limit: usize) -> Vec<WorkspaceSymbol> {
    let query = query.to_lowercase();
    let matches = |name: &str| query.is_empty() || name.to_lowercase().contains(&query);
    let services = &analysis.checked.symbols.services;
    let service_symbols = services.iter().filter(|s| matches(&s.name)).map(|s| WorkspaceSymbol {
        name: s.name.to_string(),
        kind: SymbolKind::Service,
        span: s.name_span,
        container: None,
    });
    let subset_symbols = services.iter().flat_map(|s| {
        s.subsets
            .iter()
            .filter(|sub| matches(&sub.name))
            .map(|sub| WorkspaceSymbol {
                name: sub.name.to_string(),
                kind: SymbolKind::Subset,
                span: sub.name_span,
                container: Some(s.name.to_string()),
            })
    });
    service_symbols.chain(subset_symbols).take(limit).collect()
}

/// Blocks that span several lines, as `(first line, last line)` spans.
pub fn folding_ranges(analysis: &Analysis, file: FileId) -> Vec<Span> {
    let Some(ast) = analysis.files.get(file as usize) else {
        return Vec::new();
    };
    let mut spans = Vec::new();
    for service in &ast.services {
        spans.push(service.span);
        spans.extend(service.subsets.iter().map(|s| s.span));
        spans.extend(service.policies.iter().map(|p| p.span));
        spans.extend(service.routes.iter().map(|r| r.span));
    }
    spans
}

/// The kinds of highlighted tokens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    /// A keyword or statement.
    Keyword,
    /// A string literal.
    String,
    /// A number, duration or percentage.
    Number,
    /// A comment.
    Comment,
    /// `=`, `,`, `:` and `%`.
    Operator,
    /// A field of Istio's API.
    Property,
    /// An enum constant or boolean.
    EnumMember,
    /// A service name.
    Service,
    /// A subset name.
    Subset,
}

/// Highlighting of `file`: `(span, kind, is a definition)`, in order.
pub fn semantic_tokens(analysis: &Analysis, text: &str, file: FileId) -> Vec<(Span, TokenKind, bool)> {
    let symbols = &analysis.checked.symbols;
    let names = name_spans(symbols, file);
    let mut out = Vec::new();
    let all = tokens(text);
    // Both lists are in source order: walk the names alongside the tokens.
    let mut next_name = 0;
    for (i, (token, start)) in all.iter().enumerate() {
        let span_of = |len: usize| Span::new(file, *start, start + len);
        match token {
            Token::Comment(c) => out.push((span_of(c.len()), TokenKind::Comment, false)),
            Token::Str(s) => out.push((span_of(s.len()), TokenKind::String, false)),
            Token::Equals | Token::Comma => out.push((span_of(1), TokenKind::Operator, false)),
            Token::Word(w) => {
                // Names found by the checker come first (`svc/v1` holds two).
                while names
                    .get(next_name)
                    .is_some_and(|(s, _, _)| (s.start as usize) < *start)
                {
                    next_name += 1;
                }
                let mut named = false;
                while let Some((span, kind, definition)) = names
                    .get(next_name)
                    .filter(|(s, _, _)| (s.end as usize) <= start + w.len())
                {
                    out.push((*span, *kind, *definition));
                    next_name += 1;
                    named = true;
                }
                if named {
                    continue;
                }
                let next_is_equals = matches!(all.get(i + 1), Some((Token::Equals, _)));
                let kind = if w.starts_with(|c: char| c.is_ascii_digit() || c == '-') {
                    TokenKind::Number
                } else if next_is_equals || matches!(all.get(i + 1), Some((Token::Open('{'), _))) && !is_keyword(w) {
                    TokenKind::Property
                } else if is_keyword(w) {
                    TokenKind::Keyword
                } else if w
                    .chars()
                    .all(|c| c.is_ascii_uppercase() || c == '_' || c.is_ascii_digit())
                    || *w == "true"
                    || *w == "false"
                {
                    TokenKind::EnumMember
                } else {
                    continue;
                };
                out.push((span_of(w.len()), kind, false));
            }
            _ => {}
        }
    }
    out
}

/// Whether `word` is highlighted as a keyword: any word of the table, so a
/// new word is highlighted without another list to update.
fn is_keyword(word: &str) -> bool {
    crate::words::is_word(word)
}

/// Service and subset names in `file`: definitions and uses.
fn name_spans(symbols: &Symbols, file: FileId) -> Vec<(Span, TokenKind, bool)> {
    let mut spans = Vec::new();
    for service in &symbols.services {
        if service.name_span.file == file {
            spans.push((service.name_span, TokenKind::Service, true));
        }
        spans.extend(
            service
                .subsets
                .iter()
                .filter(|s| s.name_span.file == file)
                .map(|s| (s.name_span, TokenKind::Subset, true)),
        );
    }
    spans.extend(symbols.references.iter().filter(|r| r.span.file == file).map(|r| {
        let kind = if r.subset.is_some() {
            TokenKind::Subset
        } else {
            TokenKind::Service
        };
        (r.span, kind, false)
    }));
    spans.sort_by_key(|(s, _, _)| s.start);
    spans
}
