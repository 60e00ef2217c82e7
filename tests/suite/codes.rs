//! The diagnostic catalogue stays consistent: every code has an
//! explanation with a failing example, a UI test that shows it, and a use
//! in the compiler; nothing is registered that does not exist.

use meshc::diag::Code;

use crate::support::{files_with_extension, root};

/// Codes that `meshc import` reports on YAML: their examples and UI tests
/// are manifests (`tests/ui/CODE-*.yaml`).
const IMPORT_CODES: &[Code] = &[
    Code::E0601,
    Code::E0602,
    Code::W0005,
    Code::W0006,
    Code::W0007,
    Code::N0001,
];

/// The text of the first fenced block of `lang` in `text`.
fn first_block<'t>(text: &'t str, lang: &str) -> Option<&'t str> {
    let fence = format!("```{lang}\n");
    let start = text.find(&fence)? + fence.len();
    let rest = &text[start..];
    Some(&rest[..rest.find("```").unwrap_or(rest.len())])
}

#[test]
fn every_code_is_explained_tested_and_used() {
    let ui_dir = root().join("tests/ui");
    let mut ui_tests = files_with_extension(&ui_dir, "mesh");
    ui_tests.extend(
        files_with_extension(&ui_dir, "yaml")
            .into_iter()
            .filter(|p| !p.to_string_lossy().ends_with(".workloads.yaml")),
    );
    let sources = all_source_text();
    let mut problems = Vec::new();
    for code in Code::ALL {
        let info = code.info();
        let name = code.as_str();
        if !info.explanation.starts_with(&format!("# {name}: {}\n", info.title)) {
            problems.push(format!(
                "{name}: explanation must start with `# {name}: {}`",
                info.title
            ));
        }
        let example = if IMPORT_CODES.contains(code) {
            "```yaml"
        } else {
            "```mesh"
        };
        if !info.explanation.contains(example) {
            problems.push(format!("{name}: explanation has no mesh example"));
        }
        let tests: Vec<_> = ui_tests
            .iter()
            .filter(|p| {
                p.file_name()
                    .is_some_and(|f| f.to_string_lossy().starts_with(&format!("{name}-")))
            })
            .collect();
        let shown = tests.iter().any(|t| {
            let stderr = t.with_extension("stderr");
            std::fs::read_to_string(stderr).is_ok_and(|s| s.contains(&format!("[{name}]")))
        });
        // Hints are for editors, so an editor test shows them.
        let shown_in_editor = || {
            files_with_extension(&root().join("tests/editor"), "out")
                .iter()
                .any(|out| std::fs::read_to_string(out).is_ok_and(|s| s.contains(&format!("hint[{name}]"))))
        };
        if !shown && !shown_in_editor() {
            problems.push(format!(
                "{name}: no tests/ui/{name}-*.mesh (or .yaml) whose .stderr shows [{name}]"
            ));
        }
        if !sources.contains(&format!("Code::{name}")) {
            problems.push(format!("{name}: never used by the compiler"));
        }
    }
    for md in files_with_extension(&root().join("src/diag/codes"), "md") {
        let stem = md.file_stem().unwrap().to_string_lossy().into_owned();
        if Code::parse(&stem).is_none() {
            problems.push(format!("{}: not a registered code", md.display()));
        }
    }
    for test in &ui_tests {
        let stem = test.file_name().unwrap().to_string_lossy().into_owned();
        let code = stem.split('-').next().unwrap_or("");
        if Code::parse(code).is_none() {
            problems.push(format!("{stem}: UI tests are named after a code"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn explanations_examples_fail_with_their_code() {
    // The first ```mesh block of each explanation is the erroneous example
    // (the first ```yaml block for import codes).
    for code in Code::ALL {
        let text = code.info().explanation;
        if IMPORT_CODES.contains(code) {
            let example = first_block(text, "yaml").unwrap_or("");
            let mut yaml = meshc::Sources::default();
            yaml.add("example.yaml", example);
            let imported = meshc::import::import(&yaml, &|ns| meshc::import::file_name(ns));
            assert!(
                imported.diagnostics.iter().any(|d| d.code == *code),
                "the example of {} does not report it:\n{example}",
                code.as_str()
            );
            continue;
        }
        let Some(example) = first_block(text, "mesh") else {
            continue;
        };
        let mut sources = meshc::Sources::default();
        crate::support::add_files(&mut sources, "example.mesh", example);
        let mut analysis = meshc::analyze(&sources);
        // Workload codes show the manifests in a yaml block.
        if let Some(yaml) = first_block(text, "yaml") {
            let (workloads, _) = meshc::workloads::read(&[("workloads.yaml".into(), yaml.into())]);
            meshc::check::workloads::check_into(&mut analysis, &workloads);
        }
        assert!(
            analysis
                .diagnostics
                .iter()
                .chain(&analysis.checked.hints)
                .chain(&analysis.tests)
                .any(|d| d.code == *code),
            "the example of {} does not report it:\n{example}",
            code.as_str()
        );
    }
}

fn all_source_text() -> String {
    let mut text = String::new();
    let mut stack = vec![root().join("src")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(dir).unwrap().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") && !path.ends_with("diag/codes.rs") {
                text.push_str(&std::fs::read_to_string(path).unwrap());
            }
        }
    }
    text
}

#[test]
fn the_language_reference_indexes_every_code() {
    let reference = std::fs::read_to_string(root().join("docs/language.md")).expect("read docs/language.md");
    let missing: Vec<&str> = Code::ALL
        .iter()
        .map(|c| c.as_str())
        .filter(|c| !reference.contains(&format!("| [`{c}`](../src/diag/codes/{c}.md) |")))
        .collect();
    assert!(missing.is_empty(), "docs/language.md does not index {missing:?}");
}
