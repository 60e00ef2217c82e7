//! The formatter's layout is a function of the tokens and comments: every
//! example, every UI and editor test program that parses, and every
//! generated program (with comments put in at random places), comes out of `meshc fmt` the same however its tokens are spread
//! over lines (joined onto few lines, one token a line, random spaces,
//! tabs and line breaks, LF or CRLF).  Formatting keeps every token, gives
//! the same YAML, and changes nothing in formatted text.

use proptest::prelude::*;

use meshc::syntax::tokens::{Token, tokens};

use crate::examples::programs;

/// What the whitespace before a token of formatted text may become
/// without changing the formatted text.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Gap {
    /// Kept empty (`"host":8080`).
    None,
    /// Any whitespace, or none, between a token and punctuation.
    Any,
    /// At least one space or line break.
    Some,
    /// Spaces only: a comment that ends the line of the code before it.
    SameLine,
    /// One line break, not a blank line: a comment stands on its own line,
    /// or a comment ended the line before.
    OneLine,
    /// A line break where the formatted text has one: any whitespace
    /// without a blank line.
    NoBlank,
    /// A blank line, which is kept.
    Blank,
}

/// The tokens of formatted text with what the whitespace before each may
/// become.
fn gaps(formatted: &str) -> Vec<(Gap, &str)> {
    let all = tokens(formatted);
    let code: Vec<(Token<'_>, usize)> = all.iter().copied().filter(|(t, _)| *t != Token::Newline).collect();
    let mut out = Vec::new();
    let mut end = 0;
    let mut previous: Option<Token<'_>> = None;
    for (token, start) in code {
        let between = &formatted[end..start];
        let breaks = between.matches('\n').count();
        let punctuation = |t: Token<'_>| matches!(t, Token::Open(_) | Token::Close(_) | Token::Comma | Token::Equals);
        let gap = match (previous, token) {
            (None, _) => Gap::Any,
            _ if breaks > 1 => Gap::Blank,
            (_, Token::Comment(_)) if breaks == 0 => Gap::SameLine,
            (_, Token::Comment(_)) | (Some(Token::Comment(_)), _) => Gap::OneLine,
            _ if breaks == 1 => Gap::NoBlank,
            (Some(p), t) if punctuation(p) || punctuation(t) => Gap::Any,
            _ if between.is_empty() => Gap::None,
            _ => Gap::Some,
        };
        let text = &formatted[start..start + spelled_len(&token)];
        out.push((gap, text));
        end = start + text.len();
        previous = Some(token);
    }
    out
}

fn spelled_len(token: &Token<'_>) -> usize {
    match token {
        Token::Comment(s) | Token::Str(s) | Token::Word(s) => s.len(),
        _ => 1,
    }
}

/// How a re-flow fills gaps.
#[derive(Clone, Copy, Debug)]
enum Flow<'a> {
    /// As few line breaks as allowed, one space elsewhere.
    Joined,
    /// A line break wherever one may go.
    Split,
    /// Drawn from these choices.
    Random(&'a [u8]),
}

/// `formatted`'s tokens spread over lines as `flow` says, with `newline`
/// line breaks.
fn reflow(formatted: &str, flow: Flow<'_>, newline: &str) -> String {
    let spaces = [" ", "  ", "\t", " \t "];
    let mut out = String::new();
    for (i, (gap, text)) in gaps(formatted).into_iter().enumerate() {
        let pick = match flow {
            Flow::Joined => 0,
            Flow::Split => 1,
            Flow::Random(choices) => usize::from(choices[i % choices.len()]) + i / choices.len(),
        };
        let space = spaces[pick % spaces.len()];
        let lines = |n: usize| format!("{space}{}", newline.repeat(n));
        let filled = match (gap, flow) {
            (Gap::None, _) => String::new(),
            (Gap::SameLine, _) => space.to_string(),
            (Gap::OneLine, _) => lines(1),
            (Gap::Blank, _) => lines(2 + pick % 2),
            (Gap::Any | Gap::Some | Gap::NoBlank, Flow::Joined) => " ".into(),
            (Gap::Any | Gap::Some | Gap::NoBlank, Flow::Split) => newline.into(),
            (Gap::Any, Flow::Random(_)) if pick % 5 == 0 => String::new(),
            (Gap::NoBlank, Flow::Random(_)) => [space.to_string(), lines(1)][pick % 2].clone(),
            // Blank lines inside an item or a one-line block are dropped.
            (Gap::Any | Gap::Some, Flow::Random(_)) => [space.to_string(), lines(1), lines(2)][pick % 3].clone(),
        };
        out.push_str(&filled);
        out.push_str(text);
    }
    out.push_str(newline);
    out
}

/// The tokens of `text`, without line breaks.
fn code(text: &str) -> Vec<Token<'_>> {
    tokens(text)
        .into_iter()
        .map(|(t, _)| t)
        .filter(|t| *t != Token::Newline)
        .collect()
}

/// What a program builds to: its YAML, or its error codes.
fn meaning(files: &[(String, String)]) -> Result<String, Vec<&'static str>> {
    let mut sources = meshc::Sources::default();
    for (name, text) in files {
        sources.add(name.clone(), text.clone());
    }
    meshc::compile(&sources, meshc::emit::ApiVersion::V1)
        .map(|(yaml, _)| yaml)
        .map_err(|diags| diags.iter().map(|d| d.code.as_str()).collect())
}

/// Every property on one file of a program: `text` parses, its formatting
/// keeps its tokens and is formatted, and every re-flow of the formatting
/// formats back to it, with LF and with CRLF line breaks.
fn holds(text: &str, choices: &[u8]) -> Result<String, String> {
    let parsed = meshc::syntax::parse(0, text);
    if !parsed.diagnostics.is_empty() {
        return Err(format!("does not parse: {:?}\n{text}", parsed.diagnostics));
    }
    let formatted = meshc::fmt::format(text);
    if code(&formatted) != code(text) {
        return Err(format!("tokens changed:\n{text}\n---\n{formatted}"));
    }
    if meshc::fmt::format(&formatted) != formatted {
        return Err(format!("not idempotent:\n{formatted}"));
    }
    // The layout with each line ending.
    let lf = formatted.replace("\r\n", "\n");
    let crlf = lf.replace('\n', "\r\n");
    for flow in [Flow::Joined, Flow::Split, Flow::Random(choices)] {
        for (newline, expected) in [("\n", &lf), ("\r\n", &crlf)] {
            let reflowed = reflow(&lf, flow, newline);
            let again = meshc::fmt::format(&reflowed);
            if again != *expected {
                return Err(format!(
                    "{flow:?} re-flow with {newline:?}:\n{reflowed}\n--- formats to\n{again}\n--- not\n{expected}"
                ));
            }
        }
    }
    Ok(formatted)
}

/// Checks every property on a program of several files.
fn program_holds(files: &[(String, String)], choices: &[u8]) -> Result<(), String> {
    let mut formatted = Vec::new();
    let mut reflowed = Vec::new();
    for (name, text) in files {
        let canonical = holds(text, choices)?;
        reflowed.push((
            name.clone(),
            reflow(&canonical.replace("\r\n", "\n"), Flow::Random(choices), "\n"),
        ));
        formatted.push((name.clone(), canonical));
    }
    let before = meaning(files);
    for (what, after) in [("formatted", &formatted), ("re-flowed", &reflowed)] {
        let after = meaning(after);
        if after != before {
            return Err(format!(
                "the {what} program builds differently: {after:?}\nnot {before:?}"
            ));
        }
    }
    Ok(())
}

fn examples() -> Vec<Vec<(String, String)>> {
    programs()
        .into_iter()
        .map(|(_, paths)| {
            paths
                .iter()
                .map(|p| {
                    (
                        p.display().to_string(),
                        std::fs::read_to_string(p).expect("read example"),
                    )
                })
                .collect()
        })
        .collect()
}

#[test]
fn every_example_is_formatted_and_formats_back_from_any_flow() {
    for files in examples() {
        for (name, text) in &files {
            assert_eq!(meshc::fmt::format(text), *text, "{name} is not formatted");
        }
        program_holds(&files, &[0, 1, 2, 3, 4, 5, 6, 7]).unwrap_or_else(|e| panic!("{e}"));
    }
}

#[test]
fn every_test_program_that_parses_formats_back_from_any_flow() {
    let root = crate::support::root();
    let mut checked = 0;
    for dir in ["tests/ui", "tests/editor"] {
        for path in crate::support::files_with_extension(&root.join(dir), "mesh") {
            let text = std::fs::read_to_string(&path).expect("read test").replacen("$0", "", 1);
            if !meshc::syntax::parse(0, &text).diagnostics.is_empty() {
                continue;
            }
            checked += 1;
            program_holds(&[(path.display().to_string(), text)], &[3, 1, 4, 1, 5, 9, 2, 6])
                .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        }
    }
    assert!(checked > 100, "only {checked} test programs parse");
}

/// `text` with a comment put in before some of its tokens, on the line of
/// the code before or on a line of its own.
fn with_comments(text: &str, choices: &[u8]) -> String {
    let mut out = String::new();
    let mut end = 0;
    for (i, (token, start)) in tokens(text).into_iter().enumerate() {
        let choice = choices[i % choices.len()];
        let gap = &text[end..start];
        out.push_str(gap);
        // Not between a quoted destination and its port.
        if choice.is_multiple_of(7) && !gap.is_empty() {
            let own_line = choice.is_multiple_of(2);
            out.push_str(&format!("{}// note {i}\n", if own_line { "\n" } else { " " }));
        }
        end = start + spelled_len(&token);
        out.push_str(&text[start..end]);
    }
    out.push_str(&text[end..]);
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn examples_format_back_from_random_flows(choices in prop::collection::vec(any::<u8>(), 1..64)) {
        for files in examples() {
            if let Err(e) = program_holds(&files, &choices) {
                prop_assert!(false, "{}", e);
            }
        }
    }

    #[test]
    fn generated_programs_with_comments_format_back_from_random_flows(
        program in crate::webhook::program(),
        choices in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let text = with_comments(&program.text, &choices);
        // A program with a syntax error is refused, not formatted (the
        // generator's edge values include bad string escapes).
        prop_assume!(meshc::syntax::parse(0, &text).diagnostics.is_empty());
        if let Err(e) = program_holds(&[("gen.mesh".into(), text)], &choices) {
            prop_assert!(false, "{}", e);
        }
    }
}
