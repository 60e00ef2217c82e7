//! The committed parser on real files: every example parses without an
//! error, the parser and the compiler agree on which test programs have a
//! syntax error, the corpus of `test/corpus/` gives its trees (as
//! `tree-sitter test` checks them, but without the CLI), every keyword is
//! highlighted, and the committed parser is what `grammar.js` generates.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use streaming_iterator::StreamingIterator;
use tree_sitter::{Node, Parser, Query, QueryCursor, Tree};

/// The folder of this crate.
fn here() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The repository's root.
fn root() -> PathBuf {
    here().join("../..")
}

/// What to do when the language changed and the grammar did not follow.
const FOLLOW: &str = "The tree-sitter grammar reads .mesh as grammar/mesh.pest does: change \
    editors/tree-sitter-mesh/grammar.js as the compiler's grammar changed, then run `tree-sitter generate` \
    and `tree-sitter test` there (its README says how to install the CLI).";

fn parse(text: &str) -> Tree {
    let mut parser = Parser::new();
    parser
        .set_language(&tree_sitter_mesh::LANGUAGE.into())
        .expect("the language loads");
    parser.parse(text, None).expect("a tree")
}

/// The `.mesh` files under `dir`, sorted.
fn mesh_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display())) {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "mesh") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

/// Every node of `tree`, parents before children.
fn nodes(tree: &Tree) -> Vec<Node<'_>> {
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        out.push(node);
        let mut cursor = node.walk();
        stack.extend(node.children(&mut cursor));
    }
    out
}

/// The errors of a tree: `ERROR` and `MISSING` nodes, with their positions.
fn errors(tree: &Tree) -> Vec<String> {
    nodes(tree)
        .into_iter()
        .filter(|n| n.is_error() || n.is_missing())
        .map(|n| {
            let at = n.start_position();
            format!("{} at {}:{}", n.to_sexp(), at.row + 1, at.column + 1)
        })
        .collect()
}

#[test]
fn every_example_parses_without_errors() {
    let files = mesh_files(&root().join("examples"));
    assert!(files.len() >= 10, "the examples were not found");
    let mut problems = Vec::new();
    for path in &files {
        let text = read(path);
        // As written, and as an editor on Windows may save it: CRLF line
        // endings after a byte order mark (the compiler reads both).
        let windows = format!("\u{FEFF}{}", text.replace('\n', "\r\n"));
        for (form, text) in [("", text.as_str()), (" (CRLF, BOM)", windows.as_str())] {
            for error in errors(&parse(text)) {
                problems.push(format!("{}{form}: {error}", path.display()));
            }
        }
    }
    assert!(problems.is_empty(), "{}\n{FOLLOW}", problems.join("\n"));
}

/// The diagnostic tests of the compiler hold programs with and without
/// syntax errors (codes `E01xx`, in their blessed `.stderr`): the
/// tree-sitter grammar reads the same ones without an error.
#[test]
fn the_parser_and_the_compiler_agree_on_syntax_errors() {
    let ui = root().join("tests/ui");
    let mut checked = 0;
    let mut problems = Vec::new();
    for path in mesh_files(&ui) {
        let Ok(stderr) = std::fs::read_to_string(path.with_extension("stderr")) else {
            continue;
        };
        let compiler = stderr.contains("error[E01");
        let found = errors(&parse(&read(&path)));
        match (compiler, found.is_empty()) {
            (true, true) => problems.push(format!(
                "{}: the compiler finds a syntax error, tree-sitter none",
                path.display()
            )),
            (false, false) => problems.push(format!("{}: tree-sitter finds {}", path.display(), found.join(", "))),
            _ => {}
        }
        checked += 1;
    }
    assert!(checked > 50, "the diagnostic tests were not found");
    assert!(problems.is_empty(), "{}\n{FOLLOW}", problems.join("\n"));
}

/// One case of `test/corpus/`: its name, input, expected tree (without
/// field names, as `tree-sitter test` writes it) and whether it expects an
/// error.
struct Case {
    name: String,
    input: String,
    expected: String,
    error: bool,
}

/// The cases of the corpus files, in the format of `tree-sitter test`: a
/// header between lines of `=`, the input, a line of `-`, the tree.
fn corpus() -> Vec<Case> {
    let mut cases = Vec::new();
    let dir = here().join("test/corpus");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("test/corpus")
        .map(|e| e.expect("an entry").path())
        .collect();
    files.sort();
    for path in files {
        let text = read(&path);
        let is_rule = |line: &str, c: char| line.len() >= 3 && line.chars().all(|x| x == c);
        let lines: Vec<&str> = text.lines().collect();
        let mut i = 0;
        while i < lines.len() {
            if !is_rule(lines[i], '=') {
                i += 1;
                continue;
            }
            let mut header = Vec::new();
            i += 1;
            while i < lines.len() && !is_rule(lines[i], '=') {
                header.push(lines[i]);
                i += 1;
            }
            i += 1;
            let start = i;
            while i < lines.len() && !is_rule(lines[i], '-') {
                i += 1;
            }
            let input = lines[start..i].join("\n");
            i += 1;
            let start = i;
            while i < lines.len() && !is_rule(lines[i], '=') {
                i += 1;
            }
            cases.push(Case {
                name: format!("{}: {}", path.file_name().unwrap().to_string_lossy(), header[0]),
                input,
                expected: lines[start..i].join("\n"),
                error: header.contains(&":error"),
            });
        }
    }
    cases
}

/// An S-expression with single spaces and without field names.
fn normalize(sexp: &str) -> String {
    let words: Vec<&str> = sexp
        .split_whitespace()
        .filter(|w| !(w.ends_with(':') && w[..w.len() - 1].chars().all(|c| c.is_ascii_lowercase() || c == '_')))
        .collect();
    words.join(" ").replace(" )", ")")
}

#[test]
fn the_corpus_gives_its_trees() {
    let cases = corpus();
    assert!(cases.len() >= 15, "the corpus was not found");
    let mut problems = Vec::new();
    for case in &cases {
        let tree = parse(&case.input);
        if case.error {
            if errors(&tree).is_empty() {
                problems.push(format!("{}: expected an error, got none", case.name));
            }
            continue;
        }
        let got = normalize(&tree.root_node().to_sexp());
        let expected = normalize(&case.expected);
        if got != expected {
            problems.push(format!("{}:\n  expected {expected}\n  got      {got}", case.name));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The keywords of the language: the anonymous nodes made of letters.
fn is_keyword(kind: &str) -> bool {
    kind.chars().all(|c| c.is_ascii_lowercase() || c == '_')
}

/// Every keyword in the corpus and the examples lies in a node the
/// highlight query captures, and the corpus holds every keyword of the
/// grammar, so that no word of the language stays plain in an editor.
#[test]
fn every_keyword_is_highlighted() {
    let language = tree_sitter_mesh::LANGUAGE.into();
    let query = Query::new(&language, tree_sitter_mesh::HIGHLIGHTS_QUERY).expect("the query compiles");
    let mut texts: Vec<(String, String)> = corpus()
        .into_iter()
        .filter(|c| !c.error)
        .map(|c| (c.name, c.input))
        .collect();
    texts.extend(
        mesh_files(&root().join("examples"))
            .into_iter()
            .map(|p| (p.display().to_string(), read(&p))),
    );
    let mut seen = BTreeSet::new();
    let mut problems = Vec::new();
    for (name, text) in &texts {
        let tree = parse(text);
        let mut captured = BTreeSet::new();
        let mut cursor = QueryCursor::new();
        let mut matches = cursor.matches(&query, tree.root_node(), text.as_bytes());
        while let Some(m) = matches.next() {
            captured.extend(m.captures().iter().map(|c| c.node.id()));
        }
        for node in nodes(&tree) {
            if node.is_named() || !is_keyword(node.kind()) {
                continue;
            }
            seen.insert(node.kind().to_string());
            let mut at = Some(node);
            while let Some(n) = at.filter(|n| !captured.contains(&n.id())) {
                at = n
                    .parent()
                    .filter(|p| p.kind() != "source_file" && !p.kind().ends_with("_statement"));
            }
            if at.is_none() {
                let p = node.start_position();
                problems.push(format!(
                    "{name}:{}:{}: `{}` is not highlighted",
                    p.row + 1,
                    p.column + 1,
                    node.kind()
                ));
            }
        }
    }
    let all: BTreeSet<String> = (0..language.node_kind_count() as u16)
        .filter(|&id| !language.node_kind_is_named(id) && language.node_kind_is_visible(id))
        .filter_map(|id| language.node_kind_for_id(id))
        .filter(|kind| is_keyword(kind))
        .map(str::to_string)
        .collect();
    for missing in all.difference(&seen) {
        problems.push(format!("no corpus case uses the keyword `{missing}`"));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The indentation query names nodes of the grammar, and each block of the
/// corpus and the examples is a node it indents.
#[test]
fn the_indentation_query_covers_every_block() {
    let language = tree_sitter_mesh::LANGUAGE.into();
    let query = Query::new(&language, tree_sitter_mesh::INDENTS_QUERY).expect("the query compiles");
    let mut problems = Vec::new();
    let mut texts: Vec<String> = corpus().into_iter().filter(|c| !c.error).map(|c| c.input).collect();
    texts.extend(mesh_files(&root().join("examples")).iter().map(|p| read(p)));
    for text in &texts {
        let tree = parse(text);
        let mut indented = BTreeSet::new();
        let mut cursor = QueryCursor::new();
        let mut matches = cursor.matches(&query, tree.root_node(), text.as_bytes());
        while let Some(m) = matches.next() {
            indented.extend(m.captures().iter().map(|c| c.node.id()));
        }
        // Each `{` and `[` opens a block of its parent node.
        for node in nodes(&tree) {
            if matches!(node.kind(), "{" | "[")
                && let Some(parent) = node.parent()
                && !indented.contains(&parent.id())
            {
                problems.push(format!(
                    "`{}` at {} is not indented",
                    parent.kind(),
                    parent.start_position()
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The version of the tree-sitter CLI that generated `src/parser.c`; the
/// generated code differs between versions.
const CLI_VERSION: &str = "0.27.1";

/// `tree-sitter generate` on `grammar.js` writes the committed `src/`.  The
/// CLI is a long build from source (`cargo install --locked
/// tree-sitter-cli@0.27.1`); where it is not installed, or at another
/// version, this test says so and checks nothing else.
#[test]
fn the_committed_parser_is_generated_from_the_grammar() {
    let cli = std::env::var("TREE_SITTER").unwrap_or_else(|_| "tree-sitter".into());
    let version = Command::new(&cli).arg("--version").output();
    let Ok(version) = version.map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string()) else {
        eprintln!("`{cli}` is not installed: the generated parser was not compared with grammar.js");
        return;
    };
    if !version.ends_with(CLI_VERSION) {
        eprintln!("`{cli}` is {version}, not {CLI_VERSION}: the generated parser was not compared with grammar.js");
        return;
    }
    let scratch = std::env::temp_dir().join(format!("tree-sitter-mesh-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).expect("a scratch folder");
    for file in ["grammar.js", "tree-sitter.json"] {
        std::fs::copy(here().join(file), scratch.join(file)).expect("copy the grammar");
    }
    let status = Command::new(&cli)
        .arg("generate")
        .current_dir(&scratch)
        .status()
        .expect("tree-sitter generate runs");
    assert!(status.success(), "tree-sitter generate failed");
    let mut stale = Vec::new();
    for file in ["src/parser.c", "src/grammar.json", "src/node-types.json"] {
        if read(&scratch.join(file)) != read(&here().join(file)) {
            stale.push(file);
        }
    }
    std::fs::remove_dir_all(&scratch).ok();
    assert!(
        stale.is_empty(),
        "{stale:?} differ from what grammar.js generates: run `tree-sitter generate` in editors/tree-sitter-mesh"
    );
}
