//! Explaining the lines the grammar could not read.
//!
//! A `junk` pair (a line no rule accepted) is explained by parsing that
//! line alone with the rule expected at its place, which tells exactly
//! where and why it fails; the "expected …" texts and "did you mean"
//! suggestions are views of the words table.

use pest::Parser;
use pest::error::{ErrorVariant, InputLocation};

use super::ast::*;
use super::grammar::{MeshParser, Rule};
use super::lower::Lowerer;
use crate::diag::{Code, Diagnostic};
use crate::span::Span;
use crate::suggest::closest;
use crate::words::{self, Place};

/// Where a line the grammar could not read was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Context {
    Top,
    Service,
    Subset,
    Policy,
    Field,
    Route,
    Test,
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
            Context::Test => Rule::test_item_only,
        }
    }

    /// The keywords that may start an item here, from the words table;
    /// `None` where any name may (labels and field paths).
    fn keywords(self) -> Option<Vec<&'static str>> {
        match self {
            Context::Top => Some(words::texts(Place::Top).collect()),
            Context::Service => Some(words::service_items().map(|w| w.text).collect()),
            Context::Route => Some(words::texts(Place::Statement).collect()),
            Context::Test => Some(words::texts(Place::TestItem).collect()),
            Context::Subset | Context::Policy | Context::Field => None,
        }
    }

    fn what(self) -> &'static str {
        match self {
            Context::Top => "top-level item",
            Context::Service => "service item",
            Context::Subset => "subset item",
            Context::Policy => "policy item",
            Context::Field => "field",
            Context::Route => "route statement",
            Context::Test => "line of a test",
        }
    }
}

impl Lowerer<'_> {
    /// Reports a line the grammar could not read.
    pub(super) fn explain_junk(&mut self, span: Span, context: Context) {
        let text = self.text;
        let chunk = text.get(span.range()).unwrap_or("");
        let start = span.start as usize;
        let word_len = chunk
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
            .unwrap_or(chunk.len());
        let word = chunk.get(..word_len).unwrap_or("");
        if context == Context::Route
            && chunk.starts_with(',')
            && let Some(diag) = self.comma_in_match(span)
        {
            self.diagnostics.push(diag);
            return;
        }
        if let Some(known) = context.keywords() {
            let starts_like_word = word.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_');
            if starts_like_word && !known.contains(&word) {
                let word_span = Span::new(self.file, start, start + word_len);
                let mut diag =
                    Diagnostic::error(Code::E0104, word_span, format!("unknown {} `{word}`", context.what()));
                // Istio's own spelling of a field meshc has a word for.
                if let Some(meant) = words::by_istio_name(word) {
                    let how = match meant.place {
                        Place::OptionOf(statement) => {
                            format!("`{}`, an option of `{statement}`", meant.text)
                        }
                        _ => format!("`{}`", meant.text),
                    };
                    diag = diag
                        .with_label(format!("Istio's name for {how}"))
                        .with_help(format!("in .mesh, Istio's `{word}` is written {how}. {}", meant.doc));
                    if known.contains(&meant.text) {
                        diag = diag.with_fix(format!("Replace with `{}`", meant.text), word_span, meant.text);
                    }
                    self.diagnostics.push(diag);
                    return;
                }
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

    /// A `match` line continued after a `,` (the junk at `span` starts with
    /// it): conditions are joined with `and`.  `None` when the line is not a
    /// `match`.
    fn comma_in_match(&self, span: Span) -> Option<Diagnostic> {
        let start = span.start as usize;
        let line_start = self.text.get(..start)?.rfind('\n').map_or(0, |i| i + 1);
        let before = self.text.get(line_start..start)?.trim_start();
        let is_match = before
            .strip_prefix("match")
            .is_some_and(|rest| rest.starts_with([' ', '\t']));
        if !is_match {
            return None;
        }
        let chunk = self.text.get(span.range())?;
        let rest = chunk.get(1..)?;
        let comma = Span::new(self.file, start, start + 1);
        let diag = Diagnostic::error(
            Code::E0101,
            comma,
            "conditions in a `match` are joined with `and`, not `,`",
        );
        let condition = format!("match {}", rest.trim_start());
        if MeshParser::parse(Rule::route_item_only, &condition).is_err() {
            return Some(
                diag.with_label("a `match` line does not go on after `,`")
                    .with_help(
                        "join conditions that must all hold with `and`; for another value, write a second `match` line (a request then needs to fit one of them)",
                    ),
            );
        }
        // The comma and the blanks after it become ` and `.
        let blanks = rest.len() - rest.trim_start_matches([' ', '\t']).len();
        let replaced = Span::new(self.file, start, start + 1 + blanks);
        let spaced_before = self.text.get(..start).is_some_and(|t| t.ends_with([' ', '\t']));
        let with = if spaced_before { "and " } else { " and " };
        Some(
            diag.with_label("write `and` here")
                .with_help(
                    "a `match` line holds when all its conditions do, joined with `and`; for either of two, write a second `match` line",
                )
                .with_fix("Join with `and`", replaced, with),
        )
    }

    /// A `}` with nothing to close.  When the service before it was closed
    /// by a `}` that shares its line with other code (`route { ... }}`), that
    /// brace is the likely mistake, so the diagnostic points there.
    pub(super) fn explain_stray_brace(&self, stray: Span, last_close: Option<&(Span, Text)>) -> Diagnostic {
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
    pub(super) fn explain_pest_error(&self, error: &pest::error::Error<Rule>, base: usize) -> Diagnostic {
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
        if found == "`:`" {
            return self.colon(diag, span, positives.contains(&Rule::eq));
        }
        if let Some(diag) = self.unquoted(at, &expected) {
            return diag;
        }
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

impl Lowerer<'_> {
    /// YAML's `key: value` where .mesh has `key value` or `key = value`:
    /// the `:` at `colon` goes, or becomes `=` where a field is set.
    fn colon(&self, diag: Diagnostic, colon: Span, field: bool) -> Diagnostic {
        let at = colon.start as usize;
        let spaced = self.text.get(at + 1..).is_some_and(|t| t.starts_with([' ', '\t']));
        let (title, with, rule) = if field {
            (
                "Write `=`",
                if spaced { " =" } else { " = " },
                "a field is set with `=`, not `:`",
            )
        } else {
            (
                "Remove the `:`",
                if spaced { "" } else { " " },
                "a value follows its keyword without `:`",
            )
        };
        // The line as it should read, when it is short enough to show.
        let line_start = self.text.get(..at).and_then(|t| t.rfind('\n')).map_or(0, |i| i + 1);
        let rest = self.text.get(at + 1..).unwrap_or("");
        let line_end = at + 1 + rest.find(['\n', '\r']).unwrap_or(rest.len());
        let before = self.text.get(line_start..at).unwrap_or("").trim_start();
        let after = self.text.get(at + 1..line_end).unwrap_or("").trim_end();
        let fixed = format!("{before}{with}{after}");
        let help = if fixed.chars().count() <= 60 {
            format!("{rule}: write `{fixed}`")
        } else {
            rule.to_string()
        };
        diag.with_help(help).with_fix(title, colon, with)
    }

    /// A value that must be a string but was written bare and starts with a
    /// character no value starts with (`uri prefix /api`, `host *.example.com`):
    /// quote it.
    fn unquoted(&self, at: usize, expected: &[String]) -> Option<Diagnostic> {
        let wants_value = expected
            .iter()
            .any(|e| e == "a value" || e == "a string" || e == "a destination");
        let rest = self.text.get(at..)?;
        let starts = rest.chars().next()?;
        if !wants_value || !matches!(starts, '/' | '*' | '^' | '.' | '~' | '$' | '(' | '\\' | '?' | '|') {
            return None;
        }
        let len = rest
            .find(|c: char| c.is_whitespace() || c == ',' || c == '}')
            .unwrap_or(rest.len());
        let bare = rest.get(..len)?;
        let quoted = serde_json::to_string(bare).ok()?;
        let span = Span::new(self.file, at, at + len);
        Some(
            Diagnostic::error(Code::E0101, span, format!("expected a value, found `{bare}`"))
                .with_label("text here is a string: quote it")
                .with_help(format!("write {quoted}"))
                .with_fix(format!("Quote `{bare}`"), span, quoted),
        )
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
        | Rule::kw_cors
        | Rule::kw_test
        | Rule::kw_request
        | Rule::kw_expect
        | Rule::kw_no
        | Rule::kw_code => {
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
        Rule::service => "`service` or `delegate`",
        Rule::subset => "`subset`",
        Rule::policy => "`policy`",
        Rule::port_policy => "`port`",
        Rule::route => "`route`",
        Rule::fault_delay => "`delay`",
        Rule::fault_abort => "`abort`",
        Rule::statement_keyword => "a route statement",
        Rule::test => "`test`",
        Rule::request_verb => "a method, `tcp` or `tls`",
        Rule::request_stmt
        | Rule::given_header
        | Rule::given_gateway
        | Rule::given_namespace
        | Rule::given_source
        | Rule::given_sni
        | Rule::expect_stmt => "a line of a test",
        Rule::expect_route
        | Rule::expect_to
        | Rule::expect_redirect
        | Rule::expect_rewrite
        | Rule::expect_fault
        | Rule::expect_respond
        | Rule::expect_headers
        | Rule::expect_mirror
        | Rule::expect_no_match => {
            let quoted: Vec<String> = words::texts(Place::Expectation).map(|w| format!("`{w}`")).collect();
            return Some(or_list(&quoted));
        }
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
        | Rule::uri_case_cond => A_CONDITION,
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
        | Rule::string_char
        | Rule::not_newline
        | Rule::escape
        | Rule::duration_unit
        | Rule::junk
        | Rule::top_junk
        | Rule::delegate_head
        | Rule::test_head
        | Rule::test_item
        | Rule::test_item_only
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

/// How `describe_rule` names every match condition rule.
const A_CONDITION: &str = "a match condition";

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
        // Which rules are conditions is said once, by `describe_rule`.
        _ if describe_rule(rule).as_deref() == Some(A_CONDITION) => Box::new(words::conditions().map(|w| w.text)),
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

#[cfg(test)]
mod tests {
    use super::*;

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
