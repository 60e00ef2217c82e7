//! The VS Code extension's token files follow the examples.  Its tests
//! (`npm test` in `editors/vscode`, run by `.ci/run`) compare the tokens of
//! every example with `editors/vscode/test/tokens/`; this test, which needs
//! no Node.js, fails first when an example changes or is added without
//! them, and says how to write them anew.

use std::path::Path;

use crate::support::root;

/// The example files, relative to `examples/`, sorted.
fn examples(dir: &Path, prefix: &str, out: &mut Vec<String>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .expect("examples/")
        .map(|e| e.expect("an entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if path.is_dir() {
            examples(&path, &format!("{prefix}{name}/"), out);
        } else if name.ends_with(".mesh") {
            out.push(format!("{prefix}{name}"));
        }
    }
}

/// The source lines a token file shows (`N| text`).
fn shown_lines(tokens: &str) -> Vec<&str> {
    tokens
        .lines()
        .filter_map(|l| l.split_once("| ").filter(|(n, _)| n.parse::<usize>().is_ok()))
        .map(|(_, text)| text)
        .collect()
}

#[test]
fn the_vscode_token_files_follow_the_examples() {
    let mut files = Vec::new();
    examples(&root().join("examples"), "", &mut files);
    assert!(files.len() >= 10, "the examples were not found");
    let tokens = root().join("editors/vscode/test/tokens");
    let mut stale = Vec::new();
    for file in &files {
        let example = std::fs::read_to_string(root().join("examples").join(file)).expect("an example");
        let path = tokens.join(file.replace(".mesh", ".tokens"));
        let current =
            std::fs::read_to_string(&path).is_ok_and(|t| shown_lines(&t) == example.lines().collect::<Vec<_>>());
        if !current {
            stale.push(file.as_str());
        }
    }
    assert!(
        stale.is_empty(),
        "the VS Code token files of {stale:?} do not follow the examples: \
         run `npm ci && MESHC_BLESS=1 npm test` in editors/vscode and read the changes"
    );
}
