//! Lowering `test NAME { ... }` blocks: a request and its expectations.

use pest::iterators::Pair;

use super::ast::*;
use super::explain::Context;
use super::grammar::Rule;
use super::lower::Lowerer;

impl Lowerer<'_> {
    /// A test block and the `}` that closed it (none when it is unclosed).
    pub(super) fn lower_test(&mut self, pair: Pair<'_, Rule>) -> (Test, Option<crate::span::Span>) {
        let span = self.span(&pair);
        let mut inner = pair.into_inner();
        let keyword = inner.next().map_or(span, |p| self.span(&p));
        let name = inner
            .next()
            .and_then(|p| p.into_inner().next())
            .map(|p| self.route_name(&p))
            .unwrap_or_else(|| Ident {
                name: Text::default(),
                span: keyword,
            });
        let mut test = Test {
            name,
            keyword,
            span,
            items: Vec::new(),
        };
        let mut close = None;
        for item in inner {
            match item.as_rule() {
                Rule::lbrace => {}
                Rule::close if !item.as_str().is_empty() => close = Some(self.span(&item)),
                Rule::close => {}
                Rule::junk => self.explain_junk(self.span(&item), Context::Test),
                _ => {
                    if let Some(lowered) = self.lower_test_item(item) {
                        test.items.push(lowered);
                    }
                }
            }
        }
        (test, close)
    }

    /// A route name or a test name: a name, or a quoted string.
    pub(super) fn route_name(&mut self, pair: &Pair<'_, Rule>) -> Ident {
        match pair.as_rule() {
            Rule::string => Ident {
                name: self.decode_string(pair),
                span: self.span(pair),
            },
            _ => self.ident(pair),
        }
    }

    fn lower_test_item(&mut self, pair: Pair<'_, Rule>) -> Option<TestItem> {
        let span = self.trimmed_span(&pair);
        let rule = pair.as_rule();
        let mut inner = pair.into_inner();
        let keyword = self.span(&inner.next()?);
        let kind = match rule {
            Rule::request_stmt => {
                let first = inner.next()?;
                if first.as_rule() == Rule::request_verb {
                    let verb = self.ident(&first);
                    TestItemKind::Request {
                        verb: Some(verb),
                        target: self.lower_value(inner.next()?),
                    }
                } else {
                    TestItemKind::Request {
                        verb: None,
                        target: self.lower_value(first),
                    }
                }
            }
            Rule::given_header => TestItemKind::Header {
                name: self.lower_value(inner.next()?),
                value: self.lower_value(inner.next()?),
            },
            Rule::given_gateway => TestItemKind::Gateway(self.lower_value(inner.next()?)),
            Rule::given_namespace => TestItemKind::SourceNamespace(self.lower_value(inner.nth(1)?)),
            Rule::given_source => match self.lower_object(inner.next()?).kind {
                ValueKind::Object(fields) => TestItemKind::SourceLabels(fields),
                _ => TestItemKind::SourceLabels(Vec::new()),
            },
            Rule::given_sni => TestItemKind::Sni(self.lower_value(inner.next()?)),
            Rule::expect_stmt => TestItemKind::Expect(self.lower_expectation(inner.next()?)?),
            _ => return None,
        };
        Some(TestItem { kind, keyword, span })
    }

    fn lower_expectation(&mut self, pair: Pair<'_, Rule>) -> Option<Expectation> {
        let rule = pair.as_rule();
        let mut inner = pair.into_inner().skip(1).peekable();
        Some(match rule {
            Rule::expect_route => Expectation::Route(self.route_name(&inner.next()?.into_inner().next()?)),
            Rule::expect_to => Expectation::To(inner.map(|p| self.lower_destination(p)).collect()),
            Rule::expect_redirect => Expectation::Redirect {
                location: self.lower_value(inner.next()?),
                code: inner.nth(1).map(|p| self.lower_value(p)),
            },
            Rule::expect_rewrite => Expectation::Rewrite(self.lower_value(inner.next()?)),
            Rule::expect_fault => match inner.next() {
                Some(kind) => {
                    let kind = if kind.as_rule() == Rule::kw_delay {
                        FaultKind::Delay
                    } else {
                        FaultKind::Abort
                    };
                    Expectation::Fault(Some((kind, self.lower_value(inner.next()?))))
                }
                None => Expectation::Fault(None),
            },
            Rule::expect_respond => Expectation::Respond(self.lower_value(inner.next()?)),
            Rule::expect_headers => {
                let (side, op) = super::lower::header_edit(inner.next()?.as_str(), inner.next()?.as_str());
                Expectation::Headers {
                    side,
                    op,
                    name: self.lower_value(inner.next()?),
                    value: inner.next().map(|p| self.lower_value(p)),
                }
            }
            Rule::expect_mirror => Expectation::Mirror(self.lower_target(inner.next()?)),
            Rule::expect_no_match => Expectation::NoMatch,
            _ => return None,
        })
    }
}
