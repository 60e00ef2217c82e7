//! The lists of words that cannot be generated from `meshc::words::WORDS`
//! hold the same words: the literals of `grammar/mesh.pest`, the keywords
//! of the TextMate grammar and of the tree-sitter grammar under `editors/`
//! (and its highlight query), and the grammar shown in `docs/language.md`.
//! Each word of the table is written in them, and each word in them is in
//! the table, in the same role where the grammar lists a choice of words.
//! (The Neovim and Helix files under `editors/` hold no word list: Neovim
//! highlights through the language server or the tree-sitter grammar,
//! Helix through the tree-sitter grammar.)

use std::collections::BTreeSet;

use meshc::words::{self, Place, WORDS};

use crate::support::root;

fn read(path: &str) -> String {
    std::fs::read_to_string(root().join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// The words quoted in `text`: `"abc"` literals made of lowercase letters
/// and `_` (other literals are punctuation, escapes or units).
fn quoted_words(text: &str) -> Vec<String> {
    words_between(text, '"')
}

/// The words between `quote`s in `text`, as [`quoted_words`].
fn words_between(text: &str, quote: char) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(at) = rest.find(quote) {
        let after = &rest[at + 1..];
        let len = after
            .find(|c: char| !(c.is_ascii_lowercase() || c == '_'))
            .unwrap_or(after.len());
        if len > 0 && after.starts_with(|c: char| c.is_ascii_lowercase()) && after[len..].starts_with(quote) {
            out.push(after[..len].to_string());
            rest = &after[len + 1..];
        } else {
            rest = after;
        }
    }
    out
}

/// The rules of a pest grammar, without its comment lines: (name, body).
fn pest_rules(grammar: &str) -> Vec<(String, String)> {
    let mut rules: Vec<(String, String)> = Vec::new();
    for line in grammar.lines().filter(|l| !l.trim_start().starts_with("//")) {
        let head = line.split_once('=').map(|(name, _)| name.trim());
        match head {
            Some(name) if !line.starts_with(' ') && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') => {
                rules.push((name.to_string(), line.to_string()));
            }
            _ => {
                if let Some((_, body)) = rules.last_mut() {
                    body.push('\n');
                    body.push_str(line);
                }
            }
        }
    }
    rules
}

fn table_words() -> BTreeSet<String> {
    WORDS.iter().map(|w| w.text.to_string()).collect()
}

fn set<'a>(items: impl IntoIterator<Item = &'a str>) -> BTreeSet<String> {
    items.into_iter().map(str::to_string).collect()
}

/// The problems of a list of words written by hand, against the table.
fn compare(what: &str, written: &BTreeSet<String>) -> Vec<String> {
    let table = table_words();
    let mut problems: Vec<String> = written
        .difference(&table)
        .map(|w| format!("{what} has `{w}`, which is not in the words table (src/words.rs)"))
        .collect();
    problems.extend(
        table
            .difference(written)
            .map(|w| format!("{what} lacks `{w}`, a word of the words table (src/words.rs)")),
    );
    problems
}

/// The literals of the grammar that are not words of the language.
const NOT_WORDS: &[&str] = &[
    // `\u` in an escape.
    "escape",
    // `ms`, `h`, ... after a number.
    "duration_unit",
];

#[test]
fn the_grammar_spells_the_words_of_the_table() {
    let grammar = read("grammar/mesh.pest");
    let rules = pest_rules(&grammar);
    assert!(rules.len() > 50, "the grammar's rules were not found");
    let mut problems = Vec::new();
    let mut all = BTreeSet::new();
    // Rules that list a choice of words list those of one place.
    let choices: &[(&str, BTreeSet<String>)] = &[
        ("setting_key", set(words::texts(Place::Setting))),
        ("route_kind", set(words::texts(Place::RouteKind))),
        ("string_subject", set(words::texts(Place::StringSubject))),
        ("string_op", set(words::texts(Place::StringOp))),
        ("retry_key", set(words::texts(Place::OptionOf("retries")))),
        ("rewrite_key", set(words::texts(Place::OptionOf("rewrite")))),
        ("redirect_key", set(words::texts(Place::OptionOf("redirect")))),
        ("header_side", set(words::texts(Place::HeaderSide))),
        ("header_op", set(words::texts(Place::HeaderOp))),
        (
            "statement_keyword",
            WORDS
                .iter()
                .filter(|w| w.reserved)
                .map(|w| w.text.to_string())
                .collect(),
        ),
    ];
    for (name, body) in &rules {
        if NOT_WORDS.contains(&name.as_str()) {
            continue;
        }
        let literals: BTreeSet<String> = quoted_words(body).into_iter().collect();
        if let Some(word) = name.strip_prefix("kw_")
            && literals != set([word])
        {
            problems.push(format!("rule {name} should accept `{word}` alone, not {literals:?}"));
        }
        if let Some((_, expected)) = choices.iter().find(|(rule, _)| rule == name)
            && &literals != expected
        {
            problems.push(format!(
                "rule {name} accepts {literals:?}, the words table has {expected:?} there"
            ));
        }
        all.extend(literals);
    }
    for (rule, _) in choices {
        if !rules.iter().any(|(name, _)| name == rule) {
            problems.push(format!("the grammar has no rule {rule}"));
        }
    }
    problems.extend(compare("grammar/mesh.pest", &all));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_textmate_grammar_highlights_every_word() {
    let path = "editors/vscode/syntaxes/mesh.tmLanguage.json";
    let grammar: serde_json::Value = serde_json::from_str(&read(path)).expect("valid JSON");
    // The words of a pattern: its first group that is no lookaround or
    // non-capturing group, `(a|b|...)`.
    let alternatives = |key: &str| -> BTreeSet<String> {
        let pattern = grammar["repository"][key]["match"].as_str().expect("a match pattern");
        let inner = pattern
            .match_indices('(')
            .map(|(at, _)| &pattern[at + 1..])
            .find(|rest| !rest.starts_with('?'))
            .and_then(|rest| rest.split_once(')'))
            .map(|(inner, _)| inner)
            .expect("a group (a|b|...)");
        inner.split('|').map(str::to_string).collect()
    };
    // The route kinds are keywords only before `route` (`http { ... }` in a
    // policy is a field), so the route pattern holds them.
    let mut keywords = alternatives("keyword");
    let kinds = alternatives("route");
    let route_kinds = set(words::texts(Place::RouteKind));
    keywords.extend(kinds.clone());
    let mut problems = compare(path, &keywords);
    if kinds != route_kinds {
        problems.push(format!(
            "{path}: the route pattern has the kinds {kinds:?}, the words table {route_kinds:?}"
        ));
    }
    for word in alternatives("declaration") {
        if !keywords.contains(&word) {
            problems.push(format!("{path}: declaration keyword `{word}` is not a keyword"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The tree-sitter grammar (`grammar.js`, its words in single quotes) has
/// the words of the table, and its highlight query names only words of the
/// table (that it highlights every one of them, the grammar's own tests
/// check on its corpus).
#[test]
fn the_tree_sitter_grammar_spells_the_words_of_the_table() {
    let path = "editors/tree-sitter-mesh/grammar.js";
    let grammar = read(path);
    // Without comments, field names (`field('name', …)`) and the grammar's
    // own name.
    let code: String = grammar
        .lines()
        .filter(|l| !l.trim_start().starts_with(['*', '/']))
        .map(|l| {
            let mut line = l.replace("name: 'mesh'", "");
            while let Some(at) = line.find("field('") {
                let end = line[at + 7..].find('\'').map_or(line.len(), |e| at + 7 + e + 1);
                line.replace_range(at..end, "field(");
            }
            line + "\n"
        })
        .collect();
    let written: BTreeSet<String> = words_between(&code, '\'').into_iter().collect();
    let mut problems = compare(path, &written);
    let query_path = "editors/tree-sitter-mesh/queries/highlights.scm";
    let query = read(query_path);
    let table = table_words();
    for word in quoted_words(&query) {
        if !table.contains(&word) {
            problems.push(format!(
                "{query_path} has `{word}`, which is not in the words table (src/words.rs)"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn the_documented_grammar_spells_the_words_of_the_table() {
    let doc = read("docs/language.md");
    let block = doc
        .split("```ebnf\n")
        .nth(1)
        .and_then(|rest| rest.split("```").next())
        .expect("an ebnf block in docs/language.md");
    // As in the pest grammar, escapes and duration units are not words.
    let lines = block
        .lines()
        .filter(|l| !(l.starts_with("escape") || l.starts_with("unit")));
    let written: BTreeSet<String> = lines.flat_map(quoted_words).collect();
    let problems = compare("the grammar in docs/language.md", &written);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every field the table names is a field of `docs/istio-fields.md` (or
/// a prefix of some), or object metadata.
#[test]
fn the_fields_of_the_table_are_istio_fields() {
    let doc = read("docs/istio-fields.md");
    let fields: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split('`').next())
        .collect();
    assert!(fields.len() > 100);
    let known = |field: &str| {
        field.starts_with("metadata.")
            || fields.iter().any(|f| {
                f.strip_prefix(field)
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with(['.', '[']))
            })
    };
    let unknown: Vec<String> = WORDS
        .iter()
        .filter_map(|w| w.field.filter(|f| !known(f)).map(|f| format!("`{}`: {f}", w.text)))
        .collect();
    assert!(unknown.is_empty(), "fields not in docs/istio-fields.md: {unknown:?}");
}

/// The table is well formed: one row per word and place, a doc on every
/// row, options and parts of words that exist.
#[test]
fn the_table_is_consistent() {
    let mut seen = BTreeSet::new();
    for word in WORDS {
        assert!(
            seen.insert((word.text, format!("{:?}", word.place))),
            "`{}` twice in {:?}",
            word.text,
            word.place
        );
        assert!(!word.doc.is_empty(), "`{}` has no doc", word.text);
        if let Place::OptionOf(owner) | Place::PartOf(owner) = word.place {
            let owner_is_a_word = WORDS.iter().any(|w| {
                w.text == owner
                    && matches!(
                        w.place,
                        Place::Statement | Place::Condition | Place::StringSubject | Place::Expectation
                    )
            });
            assert!(
                owner_is_a_word,
                "`{}` belongs to `{owner}`, which is no statement, condition or expectation",
                word.text
            );
        }
    }
}
