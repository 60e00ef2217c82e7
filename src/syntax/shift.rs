//! Moving a lowered piece of a file: every span in it shifted by the same
//! distance, so that the parse cache (`pieces.rs`) can reuse a piece whose
//! text moved because an edit above it changed the length of the file (a
//! keystroke), instead of parsing it again.
//!
//! Each syntax node is taken apart field by field, so a node that gains a
//! field does not compile until the field is moved too.

use super::ast::*;
use super::lower::TopItem;
use crate::diag::Diagnostic;
use crate::span::Span;

/// Something holding spans, all of which move by `by` bytes.
pub(super) trait Shift {
    /// Moves every span by `by` bytes.
    fn shift(&mut self, by: i64);
}

impl Shift for Span {
    fn shift(&mut self, by: i64) {
        let at = |offset: u32| u32::try_from(i64::from(offset) + by).unwrap_or(0);
        self.start = at(self.start);
        self.end = at(self.end);
    }
}

impl<T: Shift> Shift for Vec<T> {
    fn shift(&mut self, by: i64) {
        for item in self {
            item.shift(by);
        }
    }
}

impl<T: Shift> Shift for Option<T> {
    fn shift(&mut self, by: i64) {
        if let Some(item) = self {
            item.shift(by);
        }
    }
}

impl<T: Shift> Shift for Box<T> {
    fn shift(&mut self, by: i64) {
        (**self).shift(by);
    }
}

/// A shared node is copied before it moves, unless nothing else holds it:
/// the analysis it came from keeps it where it was.
impl<T: Shift + Clone> Shift for std::sync::Arc<T> {
    fn shift(&mut self, by: i64) {
        std::sync::Arc::make_mut(self).shift(by);
    }
}

impl<A: Shift, B: Shift> Shift for (A, B) {
    fn shift(&mut self, by: i64) {
        self.0.shift(by);
        self.1.shift(by);
    }
}

/// Nodes without spans.
macro_rules! no_spans {
    ($($t:ty),*) => {
        $(impl Shift for $t {
            fn shift(&mut self, _: i64) {}
        })*
    };
}

no_spans!(
    Text,
    bool,
    StringOp,
    RedirectKey,
    RouteKind,
    ServiceKind,
    SettingKey,
    HeaderSide,
    HeaderOp
);

/// Nodes that are a struct of spanned fields: each field is named, so that
/// a new field must be added here.
macro_rules! fields {
    ($($t:ident { $($f:ident),* })*) => {
        $(impl Shift for $t {
            fn shift(&mut self, by: i64) {
                let $t { $($f),* } = self;
                $($f.shift(by);)*
            }
        })*
    };
}

fields! {
    Ident { name, span }
    Key { name, quoted, span }
    Value { kind, span }
    Field { key, value }
    Label { key, value }
    Setting { key, key_span, values }
    Subset { name, span, labels, policies }
    Policy { keyword, span, fields, ports, unread }
    PortPolicy { port, span, fields }
    Service { kind, name, span, settings, subsets, policies, routes }
    Route { kind, name, keyword, span, statements, unread_match }
    Statement { kind, keyword, span }
    Retries { attempts, options }
    RetryOption { key, key_span, value }
    FaultDelay { exponential, delay, percent }
    FaultAbort { status, grpc, percent }
    RewriteRegex { pattern, replacement }
    Respond { status, body, bytes }
    Delegate { name, namespace }
    Headers { side, op, name, value, target }
    Condition { kind, span }
    Destination { target, weight, span }
    Target { host, port, span }
    Test { name, keyword, span, items }
    TestItem { kind, keyword, span }
}

impl Shift for ValueKind {
    fn shift(&mut self, by: i64) {
        match self {
            ValueKind::Duration(_)
            | ValueKind::Percent(_)
            | ValueKind::Number(_)
            | ValueKind::String(_)
            | ValueKind::Ident(_) => {}
            ValueKind::List(values) => values.shift(by),
            ValueKind::Object(fields) => fields.shift(by),
        }
    }
}

impl Shift for StatementKind {
    fn shift(&mut self, by: i64) {
        match self {
            StatementKind::Match(conditions) => conditions.shift(by),
            StatementKind::To(destinations) => destinations.shift(by),
            StatementKind::Timeout(value) => value.shift(by),
            StatementKind::Retries(retries) => retries.shift(by),
            StatementKind::FaultDelay(delay) => delay.shift(by),
            StatementKind::FaultAbort(abort) => abort.shift(by),
            StatementKind::Mirror { target, percent } => {
                target.shift(by);
                percent.shift(by);
            }
            StatementKind::Rewrite { part: _, value } => value.shift(by),
            StatementKind::RewriteRegex(rewrite) => rewrite.shift(by),
            StatementKind::Redirect(parts) => {
                for (_, span, value) in parts {
                    span.shift(by);
                    value.shift(by);
                }
            }
            StatementKind::Respond(respond) => respond.shift(by),
            StatementKind::Delegate(delegate) => delegate.shift(by),
            StatementKind::Headers(headers) => headers.shift(by),
            StatementKind::Cors(fields) => fields.shift(by),
        }
    }
}

impl Shift for ConditionKind {
    fn shift(&mut self, by: i64) {
        match self {
            ConditionKind::Str {
                subject: _,
                op: _,
                value,
            } => value.shift(by),
            ConditionKind::Keyed { source: _, name, test } => {
                name.shift(by);
                test.shift(by);
            }
            ConditionKind::SourceLabels(fields) => fields.shift(by),
            ConditionKind::SourceNamespace(value)
            | ConditionKind::Port(value)
            | ConditionKind::Gateway(value)
            | ConditionKind::Sni(value)
            | ConditionKind::DestinationSubnet(value)
            | ConditionKind::SourceSubnet(value)
            | ConditionKind::MatchName(value)
            | ConditionKind::StatPrefix(value) => value.shift(by),
            ConditionKind::IgnoreUriCase => {}
        }
    }
}

impl Shift for TargetHost {
    fn shift(&mut self, by: i64) {
        match self {
            TargetHost::Name(name) => name.shift(by),
            TargetHost::Qualified { service, subset } => {
                service.shift(by);
                subset.shift(by);
            }
            TargetHost::External(_, span) => span.shift(by),
        }
    }
}

impl Shift for TopItem {
    fn shift(&mut self, by: i64) {
        match self {
            TopItem::Namespace(name, span) => {
                name.shift(by);
                span.shift(by);
            }
            TopItem::Service(service, close) => {
                service.shift(by);
                close.shift(by);
            }
            TopItem::Test(test, close) => {
                test.shift(by);
                close.shift(by);
            }
            TopItem::Junk(span) => span.shift(by),
        }
    }
}

impl Shift for TestItemKind {
    fn shift(&mut self, by: i64) {
        match self {
            TestItemKind::Request { verb, target } => {
                verb.shift(by);
                target.shift(by);
            }
            TestItemKind::Header { name, value } => {
                name.shift(by);
                value.shift(by);
            }
            TestItemKind::Gateway(v) | TestItemKind::SourceNamespace(v) | TestItemKind::Sni(v) => v.shift(by),
            TestItemKind::SourceLabels(fields) => fields.shift(by),
            TestItemKind::Expect(expectation) => expectation.shift(by),
        }
    }
}

impl Shift for Expectation {
    fn shift(&mut self, by: i64) {
        match self {
            Expectation::Route(name) => name.shift(by),
            Expectation::To(destinations) => destinations.shift(by),
            Expectation::Redirect { location, code } => {
                location.shift(by);
                code.shift(by);
            }
            Expectation::Rewrite(v) | Expectation::Respond(v) => v.shift(by),
            Expectation::Fault(fault) => {
                if let Some((_, v)) = fault {
                    v.shift(by);
                }
            }
            Expectation::Headers { name, value, .. } => {
                name.shift(by);
                value.shift(by);
            }
            Expectation::Mirror(target) => target.shift(by),
            Expectation::NoMatch => {}
        }
    }
}

impl Shift for Diagnostic {
    fn shift(&mut self, by: i64) {
        let Diagnostic {
            code: _,
            severity: _,
            message: _,
            primary,
            secondary,
            notes: _,
            help: _,
            fixes,
        } = self;
        primary.span.shift(by);
        for label in secondary {
            label.span.shift(by);
        }
        for fix in fixes {
            fix.span.shift(by);
        }
    }
}
