//! The invariants `ARCHITECTURE.md` states about the code's layering: pest
//! stays inside the parser, and the model depends on neither the checker
//! nor the emitter (which depend on it, not on each other).

use std::path::Path;

use crate::support::root;

/// The Rust code of the `.rs` files under `dir`, comments left out, with
/// their paths relative to the repository.
fn code_under(dir: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let text = std::fs::read_to_string(&path).unwrap();
                let code: String = text
                    .lines()
                    .filter(|l| !l.trim_start().starts_with("//"))
                    .map(|l| format!("{l}\n"))
                    .collect();
                let name = path.strip_prefix(root()).unwrap().display().to_string();
                out.push((name, code));
            }
        }
    }
    out
}

#[test]
fn pest_stays_inside_the_parser() {
    for (name, code) in code_under(&root().join("src")) {
        if name.starts_with("src/syntax/") || name == "src/lib.rs" {
            continue;
        }
        assert!(
            !code.contains("pest::") && !code.contains("grammar::"),
            "{name} uses pest"
        );
    }
    for (name, code) in code_under(&root().join("lsp/src")) {
        assert!(!code.contains("pest"), "{name} uses pest");
    }
}

#[test]
fn check_and_emit_meet_only_in_the_model() {
    let uses = |dir: &str, other: &str| {
        code_under(&root().join(dir))
            .into_iter()
            .filter(|(_, code)| {
                code.contains(&format!("crate::{other}")) || code.contains(&format!("super::super::{other}"))
            })
            .map(|(name, _)| name)
            .collect::<Vec<_>>()
    };
    assert_eq!(uses("src/emit", "check"), Vec::<String>::new(), "emit depends on check");
    assert_eq!(uses("src/check", "emit"), Vec::<String>::new(), "check depends on emit");
    assert_eq!(
        uses("src/model", "check"),
        Vec::<String>::new(),
        "the model depends on check"
    );
    assert_eq!(
        uses("src/model", "emit"),
        Vec::<String>::new(),
        "the model depends on emit"
    );
}
