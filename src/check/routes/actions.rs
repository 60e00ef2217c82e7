//! Actions: one of forward (`to`), `redirect`, `respond` or `delegate` per
//! route, and the checks of redirects and direct responses.

use crate::catalogue;
use foldhash::{HashMap, HashMapExt};

use super::Seen;
use crate::check::Checker;
use crate::diag::{Code, Diagnostic};
use crate::model::istio::*;
use crate::span::Span;
use crate::syntax::ast::{self, StatementKind, Value, ValueKind};

/// Status codes Istio accepts for `redirect code`.
const REDIRECT_CODES: &[i64] = &[301, 302, 303, 307, 308];

/// One action per route (E0403): each action with the statements it
/// excludes, as the checker counts statements (`fault delay`, `rewrite
/// authority`); VS.go `validateHTTPRoute` refuses any rewrite, of the path
/// or the authority, beside a redirect or a direct response.
pub const EXCLUSIVE_STATEMENTS: &[(&str, &[&str])] = &[
    (
        "redirect",
        &[
            "to",
            "fault delay",
            "fault abort",
            "rewrite",
            "rewrite authority",
            "respond",
            "delegate",
            "mirror",
        ],
    ),
    (
        "respond",
        &[
            "to",
            "fault delay",
            "fault abort",
            "rewrite",
            "rewrite authority",
            "delegate",
            "mirror",
        ],
    ),
    ("delegate", &["to"]),
];

/// Pairs of `redirect` options that cannot both be set (E0403): `port` and
/// `derive_port` pick the port two ways, `uri` and `prefix` the path.
pub const REDIRECT_CONFLICTS: &[(&str, &str)] = &[("port", "derive_port"), ("uri", "prefix")];

/// The word of a `redirect` option, as the words table spells it.
fn redirect_word(key: ast::RedirectKey) -> &'static str {
    match key {
        ast::RedirectKey::Uri => "uri",
        ast::RedirectKey::Authority => "authority",
        ast::RedirectKey::Scheme => "scheme",
        ast::RedirectKey::Port => "port",
        ast::RedirectKey::DerivePort => "derive_port",
        ast::RedirectKey::Code => "code",
        ast::RedirectKey::Prefix => "prefix",
    }
}

impl Checker<'_> {
    /// One action per route: forward (`to`), `redirect`, `respond` or `delegate`.
    pub(super) fn check_actions(&mut self, route: &ast::Route, seen: &Seen) {
        for (action, excluded) in EXCLUSIVE_STATEMENTS {
            let Some(action_span) = seen.get(action) else { continue };
            for other in *excluded {
                let other_span = if *other == "mirror" {
                    route
                        .statements
                        .iter()
                        .find(|s| matches!(s.kind, StatementKind::Mirror { .. }))
                        .map(|s| s.keyword)
                } else {
                    seen.get(other).copied()
                };
                if let Some(other_span) = other_span {
                    self.diagnostics.push(
                        Diagnostic::error(Code::E0403, other_span, format!("`{other}` cannot be combined with `{action}`"))
                            .with_label(format!("conflicts with `{action}`"))
                            .with_secondary(*action_span, format!("`{action}` is set here"))
                            .with_help(format!("a route either forwards (`to`), answers (`redirect`, `respond`) or delegates; remove `{other}` or `{action}`")),
                    );
                }
            }
        }
        let has_action = ["to", "redirect", "respond", "delegate"]
            .iter()
            .any(|a| seen.contains_key(a));
        if !has_action {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0404,
                    route.keyword,
                    "this route does nothing with the requests it matches",
                )
                .with_label("no `to`, `redirect`, `respond` or `delegate`")
                .with_help("add `to SUBSET` to forward matching requests, or `respond 404` to answer them"),
            );
        }
    }

    /// A redirect that replaces the matched prefix needs every `match` of
    /// its route that tests the path to test a prefix (V.go
    /// `validateHTTPRedirect`: "redirect prefix_rewrite requires all URI
    /// matches to use prefix match type").
    pub(super) fn check_prefix_redirect(&mut self, route: &ast::Route, out: &HttpRoute) {
        if out.redirect.as_ref().is_none_or(|r| r.prefix_rewrite.is_none()) {
            return;
        }
        let redirect = route
            .statements
            .iter()
            .find(|s| matches!(s.kind, StatementKind::Redirect(_)));
        let matches = route
            .statements
            .iter()
            .filter(|s| matches!(s.kind, StatementKind::Match(_)));
        for (statement, checked) in matches.zip(&out.matches) {
            if checked.uri.as_ref().is_some_and(|uri| uri.prefix.is_none()) {
                let mut diag = Diagnostic::error(
                    Code::E0406,
                    statement.span,
                    "a `redirect prefix` needs `uri prefix` in every match that tests the path",
                )
                .with_label("tests the path exactly or by regex")
                .with_note("the redirect replaces the matched prefix, so Istio needs one")
                .with_help("match with `uri prefix \"...\"`, or redirect with `uri` instead of `prefix`");
                if let Some(redirect) = redirect {
                    diag = diag.with_secondary(redirect.span, "replaces the matched prefix");
                }
                self.diagnostics.push(diag);
            }
        }
    }

    /// A direct response body of at most 1 MiB (V.go
    /// `validateHTTPDirectResponse`: "large direct_responses may impact
    /// control plane performance, must be less than 1MB", for a body of
    /// more than `1 * mb` = 1,048,576 bytes, counted in UTF-8 for a string
    /// and decoded for `bytes`).
    pub(super) fn body_size(&mut self, bytes: usize, value: &Value) -> bool {
        const MAX_BODY: usize = 1024 * 1024;
        if bytes <= MAX_BODY {
            return true;
        }
        self.diagnostics.push(
            Diagnostic::error(
                Code::E0303,
                value.span,
                format!("the response body is {bytes} bytes, more than Istio's limit of 1 MiB"),
            )
            .with_label("larger than 1,048,576 bytes")
            .with_note("Istio sends the body to every proxy in its configuration, and refuses bodies over 1 MiB")
            .with_help("keep the body at most 1 MiB, or serve a large body from a service and route to it with `to`"),
        );
        false
    }

    pub(super) fn redirect(&mut self, options: &[(ast::RedirectKey, Span, Value)], keyword: Span) -> Redirect {
        let mut out = Redirect::default();
        let mut seen: HashMap<ast::RedirectKey, Span> = HashMap::new();
        for (key, key_span, _) in options {
            if let Some(first) = seen.insert(*key, *key_span) {
                self.diagnostics.push(
                    Diagnostic::error(Code::E0211, *key_span, "a `redirect` option appears twice")
                        .with_label("repeated")
                        .with_secondary(first, "first here")
                        .with_help("keep one of them"),
                );
            }
        }
        let seen_word = |word: &str| {
            seen.iter()
                .find(|(key, _)| redirect_word(**key) == word)
                .map(|(_, span)| span)
        };
        for (a, b) in REDIRECT_CONFLICTS {
            if let (Some(first), Some(second)) = (seen_word(a), seen_word(b)) {
                let (first, second) = (*first.min(second), *first.max(second));
                self.diagnostics.push(
                    Diagnostic::error(Code::E0403, second, "these `redirect` options cannot both be set")
                        .with_label("conflicts with the option set before")
                        .with_secondary(first, "set here")
                        .with_help(
                            "`port` and `derive_port` pick the port two ways, `uri` and `prefix` the path: keep one",
                        ),
                );
            }
        }
        for (key, _, value) in options {
            match key {
                ast::RedirectKey::Uri => out.uri = self.redirect_text(value, "uri"),
                ast::RedirectKey::Prefix => out.prefix_rewrite = self.redirect_text(value, "prefix"),
                ast::RedirectKey::Authority => out.authority = self.redirect_text(value, "authority"),
                ast::RedirectKey::Scheme => {
                    // V.go `validateHTTPRedirect`: "" or http or https.
                    let schemes = ["http", "https"];
                    out.scheme = self
                        .name_or_string(value)
                        .filter(|scheme| schemes.contains(&scheme.as_str()) || !self.bad_scheme(scheme, value));
                }
                ast::RedirectKey::Port => out.port = self.port(value),
                ast::RedirectKey::DerivePort => {
                    let allowed = catalogue::enum_values(catalogue::http_route_field("redirect.derivePort"));
                    out.derive_port = self.enumeration(value, allowed, "`derive_port` value");
                }
                ast::RedirectKey::Code => {
                    let code = match &value.kind {
                        ValueKind::Number(text) => text.parse::<i64>().ok(),
                        _ => {
                            self.type_error(value, "a redirect status code", "301, 302, 303, 307 or 308");
                            continue;
                        }
                    };
                    match code {
                        Some(code) if REDIRECT_CODES.contains(&code) => out.redirect_code = u32::try_from(code).ok(),
                        _ => self.diagnostics.push(
                            Diagnostic::error(Code::E0406, value.span, "not a redirect status code")
                                .with_label("not 301, 302, 303, 307 or 308")
                                .with_help("use 301 (moved permanently), 302 (found), 303 (see other), 307 or 308"),
                        ),
                    }
                }
            }
        }
        // V.go `validateHTTPRedirect`: "redirect must specify URI, prefix,
        // scheme, authority, or port"; a status code alone is not enough.
        if options.iter().all(|(key, _, _)| *key == ast::RedirectKey::Code) {
            self.diagnostics.push(
                Diagnostic::error(Code::E0406, keyword, "this redirect changes nothing but its status code")
                    .with_label("no target")
                    .with_help("say where to redirect with `uri`, `prefix`, `authority`, `scheme`, `port` or `derive_port`, such as `redirect uri \"/new\" code 301`"),
            );
        }
        out
    }

    /// A `redirect uri|prefix|authority` value: a non-empty string, since
    /// Istio reads an empty one as unset.
    fn redirect_text(&mut self, value: &Value, option: &str) -> Option<String> {
        let text = self.string(value)?;
        if text.is_empty() {
            self.diagnostics.push(
                Diagnostic::error(
                    Code::E0406,
                    value.span,
                    format!("an empty `{option}` redirects nowhere"),
                )
                .with_label("empty")
                .with_help(format!("write the new {option}, or remove the option")),
            );
            return None;
        }
        Some(text)
    }

    /// Reports a redirect scheme other than `http` or `https`; returns
    /// `true` (reported).
    fn bad_scheme(&mut self, scheme: &str, value: &Value) -> bool {
        self.diagnostics.push(
            Diagnostic::error(
                Code::E0406,
                value.span,
                format!("`{scheme}` is not a scheme Istio redirects to"),
            )
            .with_label("not `http` or `https`")
            .with_help("write `scheme https` or `scheme http` (lower case)"),
        );
        true
    }
}
