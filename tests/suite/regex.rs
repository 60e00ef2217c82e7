//! meshc's regex checker against real RE2: the verdicts of Google RE2 on
//! 5,040 patterns (`tests/data/re2/cases.jsonl`, written by
//! `tests/re2/differential.py`).  The cases that once went wrong are pinned
//! in the checker's unit tests (`src/check/re2.rs`) and a UI test (E0307).

use meshc::check::re2;

use crate::support::root;

/// What meshc's message says for each construct Go's regexp (and so
/// Istio's webhook) refuses although RE2 accepts it.
const GO_ONLY: &[(&str, &str)] = &[
    ("backslash-C", "\\C (any byte)"),
    ("angle-named-group", "(?P<name>...)"),
    ("unicode-name", "unportable unicode class"),
    ("huge-count", "10 or more digits"),
    ("capture-name", "ascii letters, digits and _"),
];

#[test]
fn the_checker_agrees_with_real_re2() {
    let text = std::fs::read_to_string(root().join("tests/data/re2/cases.jsonl")).expect("read cases");
    let mut problems = Vec::new();
    let mut accepted = 0;
    for line in text.lines() {
        let case: serde_json::Value = serde_json::from_str(line).expect("a JSON case");
        let pattern = case["pattern"].as_str().expect("pattern");
        let real_size = case["size"].as_u64();
        let go_only: Vec<&str> = case["go_only"]
            .as_array()
            .expect("go_only")
            .iter()
            .filter_map(|k| k.as_str())
            .collect();
        let reference = case["re2"].as_bool() == Some(true)
            && real_size.is_some_and(|s| s <= re2::MAX_PROGRAM_SIZE)
            && pattern.len() <= re2::MAX_PATTERN_BYTES;
        if let (Some(real), Ok(estimate)) = (real_size, re2::program_size(pattern))
            && estimate < real
        {
            problems.push(format!("{pattern:?}: estimate {estimate} < RE2's {real}"));
        }
        match re2::check(pattern) {
            Ok(()) if !reference => problems.push(format!("{pattern:?}: accepted, but RE2 or a limit refuses it")),
            Ok(()) => accepted += 1,
            Err(e) if reference => {
                let explained = e.message.contains("too complex for envoy")
                    || GO_ONLY
                        .iter()
                        .any(|(kind, says)| go_only.contains(kind) && e.message.contains(says));
                if !explained {
                    problems.push(format!("{pattern:?}: refused ({}), but RE2 accepts it", e.message));
                }
            }
            Err(_) => {}
        }
    }
    assert!(accepted > 2000, "only {accepted} patterns accepted");
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
