//! Positions inside a route statement: which words, names or constants may
//! come next in the form of `retries`, `fault`, `rewrite`, `redirect`,
//! `headers`, `match` and the others, from the statement's tokens so far.
//!
//! The forms are the grammar's (`grammar/mesh.pest`); the words come from
//! the words table, and what a route of each kind takes, which statements
//! may be written twice and which options conflict come from the checker
//! (`check::statement_allowed`, `check::condition_allowed`,
//! `check::repeatable`, `check::EXCLUSIVE_STATEMENTS`,
//! `check::REDIRECT_CONFLICTS`), so completion offers
//! only what the checker accepts.

use super::context::{CursorContext, words};
use crate::catalogue;
use crate::check::{self, EXCLUSIVE_STATEMENTS, GRPC_STATUSES, REDIRECT_CONFLICTS, RETRY_ON};
use crate::syntax::ast::RouteKind;
use crate::syntax::tokens::Token;
use crate::words::{self as table, Place, Takes, Word};

/// The context at the end of `statement` (the tokens of the current line
/// of a route of `kind`, before the word being typed, `word`); `body` is
/// the route's block, line by line.
pub(super) fn route_context(
    service: &str,
    (kind, delegate): (RouteKind, bool),
    statement: &[Token<'_>],
    word: &str,
    body: &[Vec<Token<'_>>],
) -> CursorContext {
    let statement = last_statement(statement);
    let Some(first) = statement.first() else {
        return CursorContext::Route {
            service: service.to_string(),
            kind,
            set: set_statements(body, word),
            delegate,
        };
    };
    let Token::Word(first) = *first else {
        return CursorContext::Nothing;
    };
    if !check::statement_allowed(kind, first) {
        return CursorContext::Nothing;
    }
    let rest = statement.get(1..).unwrap_or_default();
    let destination = |only: Option<Vec<String>>| CursorContext::Destination {
        service: service.to_string(),
        qualifier: word.split_once('/').map(|(svc, _)| svc.to_string()),
        only,
    };
    match first {
        "to" => match rest.last() {
            None | Some(Token::Comma) => destination(None),
            _ => CursorContext::Nothing,
        },
        "mirror" if rest.is_empty() => destination(None),
        "match" => match_context(kind, rest),
        "retries" => match rest {
            [] => CursorContext::Nothing,
            [_, options @ ..] => options_context("retries", options, &[]),
        },
        "fault" => {
            let set = set_statements(body, "");
            match words(rest).as_slice() {
                [] => CursorContext::Words(
                    ["delay", "abort"]
                        .into_iter()
                        .filter(|part| key_allowed(&format!("fault {part}"), &set))
                        .filter_map(|part| table::get(Place::PartOf("fault"), part))
                        .collect(),
                ),
                // `fault delay exponential` is in the API, but istiod
                // rejects it (E0405): not offered.
                ["abort"] if rest.len() == 1 => {
                    CursorContext::Words(table::get(Place::PartOf("fault"), "grpc").into_iter().collect())
                }
                _ => CursorContext::Nothing,
            }
        }
        "rewrite" => {
            let set = set_statements(body, "");
            match rest {
                [] => CursorContext::Words(
                    table::at(Place::OptionOf("rewrite"))
                        .filter(|w| {
                            let key = if w.text == "authority" {
                                "rewrite authority"
                            } else {
                                "rewrite"
                            };
                            key_allowed(key, &set)
                        })
                        .collect(),
                ),
                [Token::Word("uri")] => {
                    CursorContext::Words(table::get(Place::PartOf("rewrite"), "regex").into_iter().collect())
                }
                _ => CursorContext::Nothing,
            }
        }
        "redirect" => options_context("redirect", rest, REDIRECT_CONFLICTS),
        "respond" => match rest {
            [_] => CursorContext::Words(table::get(Place::PartOf("respond"), "bytes").into_iter().collect()),
            _ => CursorContext::Nothing,
        },
        // A delegate's route cannot delegate again (E0414).
        "delegate" if delegate => CursorContext::Nothing,
        "delegate" => match rest {
            [] => CursorContext::Delegate,
            [_] => CursorContext::Words(table::get(Place::PartOf("delegate"), "namespace").into_iter().collect()),
            _ => CursorContext::Nothing,
        },
        "headers" => headers_context(rest, || destination(Some(route_destinations(body)))),
        _ => CursorContext::Nothing,
    }
}

/// Inside the unfinished string `string` that ends `statement`: the retry
/// conditions of `on "…"` (those not written yet), or the gRPC statuses
/// of `fault abort grpc "…"`.
pub(super) fn in_string(statement: &[Token<'_>], string: &str) -> CursorContext {
    let statement = last_statement(statement);
    match (statement.first(), statement.last()) {
        (Some(Token::Word("retries")), Some(Token::Word("on"))) => {
            let written: Vec<&str> = string.trim_start_matches('"').split(',').map(str::trim).collect();
            CursorContext::Values {
                values: RETRY_ON.iter().copied().filter(|c| !written.contains(c)).collect(),
                detail: "retry condition",
                doc: table::doc(Place::OptionOf("retries"), "on"),
            }
        }
        (Some(Token::Word("fault")), Some(Token::Word("grpc"))) if !string.contains(',') => CursorContext::Values {
            values: GRPC_STATUSES.to_vec(),
            detail: "gRPC status",
            doc: table::doc(Place::PartOf("fault"), "grpc"),
        },
        _ => CursorContext::Nothing,
    }
}

/// Several statements may share a line (`route { timeout 5s to v1 }`):
/// the tokens from the last statement keyword on.
fn last_statement<'s, 'a>(statement: &'s [Token<'a>]) -> &'s [Token<'a>] {
    let start = statement
        .iter()
        .rposition(|t| matches!(t, Token::Word(w) if table::get(Place::Statement, w).is_some()));
    match start {
        Some(s) => statement.get(s..).unwrap_or_default(),
        None => statement,
    }
}

/// The statements a route's block holds, as the checker counts them
/// (`fault delay` and `fault abort`, `rewrite` and `rewrite authority` are
/// different), leaving out one `typing`: the word being typed.
pub(super) fn set_statements(body: &[Vec<Token<'_>>], typing: &str) -> Vec<String> {
    let mut set = Vec::new();
    for line in body {
        let words = words(line);
        for (i, w) in words.iter().enumerate() {
            if table::get(Place::Statement, w).is_none() {
                continue;
            }
            let next = words.get(i + 1).copied().unwrap_or("");
            set.push(match (*w, next) {
                ("fault", "delay" | "abort") => format!("fault {next}"),
                ("rewrite", "authority") => "rewrite authority".to_string(),
                ("rewrite", "uri") => "rewrite".to_string(),
                // A two-word statement still being typed sets neither.
                ("fault" | "rewrite", _) => continue,
                _ => (*w).to_string(),
            });
        }
    }
    if let Some(at) = set.iter().position(|s| s == typing) {
        set.remove(at);
    }
    set
}

/// Whether the statement `keyword` may still be written in a route that
/// has the statements `set`: `fault` and `rewrite` while one of their two
/// forms may.
pub(super) fn still_allowed(keyword: &str, set: &[String]) -> bool {
    match keyword {
        "fault" => key_allowed("fault delay", set) || key_allowed("fault abort", set),
        "rewrite" => key_allowed("rewrite", set) || key_allowed("rewrite authority", set),
        k => key_allowed(k, set),
    }
}

/// Whether the statement counted as `key` may be added to a route with the
/// statements `set`: not written twice unless it repeats (E0211), and not
/// beside an action that excludes it (E0403).
fn key_allowed(key: &str, set: &[String]) -> bool {
    let has = |k: &str| set.iter().any(|s| s == k);
    let twice = !check::repeatable(key) && has(key);
    let conflicts = EXCLUSIVE_STATEMENTS.iter().any(|(action, excluded)| {
        (*action == key && excluded.iter().any(|e| has(e))) || (has(action) && excluded.contains(&key))
    });
    !twice && !conflicts
}

/// The options of `statement` (`retries`, `redirect`) as key-value pairs:
/// the options not written yet (nor conflicting with one written), or the
/// constants of the value being written.
fn options_context(statement: &'static str, options: &[Token<'_>], conflicts: &[(&str, &str)]) -> CursorContext {
    let mut used: Vec<&str> = Vec::new();
    let mut pairs = options.chunks(2);
    for pair in pairs.by_ref() {
        match pair {
            [Token::Word(key), _] => used.push(key),
            [Token::Word(key)] => return option_value(statement, key),
            _ => return CursorContext::Nothing,
        }
    }
    let conflicting = |text: &str| {
        conflicts
            .iter()
            .any(|(a, b)| (*a == text && used.contains(b)) || (*b == text && used.contains(a)))
    };
    CursorContext::Words(
        table::at(Place::OptionOf(statement))
            .filter(|w| !used.contains(&w.text) && !conflicting(w.text))
            .collect(),
    )
}

/// The constants the value of option `key` of `statement` may be.
fn option_value(statement: &'static str, key: &str) -> CursorContext {
    let Some(word) = table::get(Place::OptionOf(statement), key) else {
        return CursorContext::Nothing;
    };
    match word.takes {
        Takes::Bool => CursorContext::Values {
            values: vec!["true", "false"],
            detail: "bool",
            doc: word.doc,
        },
        Takes::Constant => {
            let field = word
                .field
                .and_then(|f| f.strip_prefix("http[]."))
                .and_then(catalogue::http_route_field);
            CursorContext::Values {
                values: catalogue::enum_values(field).iter().map(String::as_str).collect(),
                detail: "constant",
                doc: word.doc,
            }
        }
        _ => CursorContext::Nothing,
    }
}

/// `headers SIDE OP "name" ["value"] [for DEST]`.
fn headers_context(rest: &[Token<'_>], destination: impl Fn() -> CursorContext) -> CursorContext {
    let for_word = || CursorContext::Words(table::get(Place::PartOf("headers"), "for").into_iter().collect());
    match rest {
        [] => CursorContext::Words(table::at(Place::HeaderSide).collect()),
        [Token::Word(_)] => CursorContext::Words(table::at(Place::HeaderOp).collect()),
        [_, Token::Word("remove"), Token::Str(_)] => for_word(),
        [_, Token::Word(_), Token::Str(_), Token::Str(_)] => for_word(),
        [_, _, _, .., Token::Word("for")] => destination(),
        _ => CursorContext::Nothing,
    }
}

/// The destinations of the route's `to` statements, in order.
fn route_destinations(body: &[Vec<Token<'_>>]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for line in body {
        let mut in_to = false;
        let mut expecting = false;
        for token in line {
            match token {
                Token::Word("to") => (in_to, expecting) = (true, true),
                Token::Word(w) if table::get(Place::Statement, w).is_some() => in_to = false,
                Token::Word(w) if in_to && expecting => {
                    if !out.iter().any(|d| d == w) {
                        out.push((*w).to_string());
                    }
                    expecting = false;
                }
                Token::Comma if in_to => expecting = true,
                _ => {}
            }
        }
    }
    out
}

/// Inside a `match` line: a condition, its parts, or `and` after a
/// complete one.
fn match_context(kind: RouteKind, rest: &[Token<'_>]) -> CursorContext {
    let word_at = |i: usize| match rest.get(i) {
        Some(Token::Word(w)) => Some(*w),
        _ => None,
    };
    let mut tested: Vec<String> = Vec::new();
    let mut pos = 0;
    loop {
        if pos == rest.len() {
            return CursorContext::Condition { kind, tested };
        }
        let Some(condition) = word_at(pos) else {
            return CursorContext::Nothing;
        };
        let left = rest.len() - pos;
        pos += match condition {
            "uri" | "scheme" | "method" | "authority" => match left {
                1 => {
                    return CursorContext::StringOp {
                        presence: false,
                        prefix: true,
                    };
                }
                2 => return CursorContext::Nothing,
                _ => 3,
            },
            "header" | "query" => match keyed(condition, rest.get(pos + 1..).unwrap_or_default()) {
                Ok(n) => 1 + n,
                Err(context) => return context,
            },
            "without" => match left {
                1 => return CursorContext::Words(table::at(Place::PartOf("without")).collect()),
                _ => match keyed("header", rest.get(pos + 2..).unwrap_or_default()) {
                    Ok(n) => 2 + n,
                    Err(context) => return context,
                },
            },
            "source" => match (left, rest.get(pos + 1)) {
                (1, _) => return CursorContext::Words(table::at(Place::PartOf("source")).collect()),
                (_, Some(Token::Close(_))) => 2,
                (2, _) => return CursorContext::Nothing,
                _ => 3,
            },
            "ignore_uri_case" => 1,
            _ => match left {
                1 => return CursorContext::Nothing,
                _ => 2,
            },
        };
        tested.push(condition.to_string());
        match rest.get(pos) {
            None => return CursorContext::Words(table::at(Place::PartOf("match")).collect()),
            Some(Token::Word("and")) => pos += 1,
            Some(_) => return CursorContext::Nothing,
        }
    }
}

/// After `header` or `query`: the tokens a complete test takes (`"x"
/// exact "y"`, `"x" present`), or the context inside it.
fn keyed(source: &str, after: &[Token<'_>]) -> Result<usize, CursorContext> {
    match after {
        [] => Err(CursorContext::Nothing),
        [_] => Err(CursorContext::StringOp {
            presence: true,
            // Query parameters are not matched by prefix (E0408).
            prefix: source != "query",
        }),
        [_, Token::Word("present"), ..] => Ok(2),
        [_, _] => Err(CursorContext::Nothing),
        _ => Ok(3),
    }
}

/// The words offered in place of a statement of a route of `kind` that has
/// the statements `set`: `match` and `to` first.
pub(super) fn statement_words(kind: RouteKind, set: &[String], delegate: bool) -> impl Iterator<Item = &'static Word> {
    table::at(Place::Statement).filter(move |w| {
        check::statement_allowed(kind, w.text) && still_allowed(w.text, set) && !(delegate && w.text == "delegate")
    })
}
