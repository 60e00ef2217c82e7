//! UI tests: each `tests/ui/*.mesh` next to the diagnostics it renders
//! (`.stderr`, colour off), as `meshc check` prints them, followed for a
//! program with `test` blocks by what `meshc test` adds.

use crate::support::{compare_with_file, files_with_extension, root, sources_of};

/// Renders the diagnostics of one UI test file.
pub fn render(path: &std::path::Path) -> String {
    let sources = sources_of(&[path.to_path_buf()]);
    let mut analysis = meshc::analyze(&sources);
    // `NAME.workloads.yaml` beside a test holds the Kubernetes manifests it
    // is checked against (`meshc check --workloads`).
    let workloads = path.with_extension("workloads.yaml");
    if let Ok(text) = std::fs::read_to_string(&workloads) {
        let name = workloads
            .strip_prefix(root())
            .unwrap_or(&workloads)
            .display()
            .to_string();
        let (read, skipped) = meshc::workloads::read(&[(name, text)]);
        assert!(skipped.is_empty(), "{skipped:?}");
        meshc::check::workloads::check_into(&mut analysis, &read);
    }
    let mut diagnostics = analysis.diagnostics.clone();
    diagnostics.extend(analysis.tests.iter().cloned());
    meshc::diag::render_human(&sources, &diagnostics, meshc::diag::ColorChoice::Never)
}

/// Renders what `meshc import` reports for a YAML UI test, followed by the
/// program it writes.
pub fn render_import(path: &std::path::Path) -> String {
    let sources = sources_of(&[path.to_path_buf()]);
    let imported = meshc::import::import(&sources, &|ns| meshc::import::file_name(ns));
    let mut out = meshc::diag::render_human(&sources, &imported.diagnostics, meshc::diag::ColorChoice::Never);
    for file in &imported.files {
        out.push_str(&format!("--- {}\n{}", file.name, file.text));
    }
    out
}

#[test]
fn ui_tests_render_as_expected() {
    let mut failures = Vec::new();
    let files = files_with_extension(&root().join("tests/ui"), "mesh");
    assert!(!files.is_empty());
    for path in files {
        let rendered = render(&path);
        assert!(!rendered.is_empty(), "{} reports nothing", path.display());
        failures.extend(compare_with_file(&path.with_extension("stderr"), &rendered));
    }
    // Manifests (not the `.workloads.yaml` sidecars) are imported.
    let manifests = files_with_extension(&root().join("tests/ui"), "yaml");
    for path in manifests
        .iter()
        .filter(|p| !p.to_string_lossy().ends_with(".workloads.yaml"))
    {
        let rendered = render_import(path);
        failures.extend(compare_with_file(&path.with_extension("stderr"), &rendered));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

#[test]
fn json_diagnostics_carry_positions_and_codes() {
    let path = root().join("tests/ui/E0401-weights-sum.mesh");
    let sources = sources_of(&[path]);
    let analysis = meshc::analyze(&sources);
    let json = meshc::diag::render_json(&sources, &analysis.diagnostics);
    let first: serde_json::Value = serde_json::from_str(json.lines().next().expect("one line")).expect("JSON");
    assert_eq!(first["code"], "E0401");
    assert_eq!(first["severity"], "error");
    assert_eq!(first["file"], "tests/ui/E0401-weights-sum.mesh");
    assert!(first["message"].as_str().is_some_and(|m| m.contains("90%")));
    assert!(first["start"]["line"].as_u64().is_some_and(|l| l > 1));
    assert!(first["byte_end"].as_u64() > first["byte_start"].as_u64());
    assert!(first["help"].as_str().is_some_and(|h| h.contains("40%")));
}

/// `meshc check` reports with [`meshc::diagnose`] (and, with
/// `--workloads`, [`meshc::analyze_symbols`]), which keep as little as a
/// build; these UI tests use [`meshc::analyze`], and editors
/// [`meshc::analyze_cached`].  All must find exactly the same diagnostics.
#[test]
fn diagnose_finds_what_analyze_finds() {
    let mut files = files_with_extension(&root().join("tests/ui"), "mesh");
    files.extend(files_with_extension(&root().join("examples"), "mesh"));
    let mut cache = meshc::AnalysisCache::default();
    for path in files {
        let sources = sources_of(std::slice::from_ref(&path));
        let analysis = meshc::analyze(&sources);
        assert_eq!(meshc::diagnose(&sources), analysis.diagnostics, "{}", path.display());
        // `check --workloads` keeps no typed program either.
        let symbols = meshc::analyze_symbols(&sources);
        assert_eq!(symbols.diagnostics, analysis.diagnostics, "{}", path.display());
        // The editor's analysis, reusing what the analysis of the file
        // before left in the cache, after a stale analysis of this file
        // stopped as soon as it could.
        let mut edited = meshc::Sources::default();
        let text = std::fs::read_to_string(&path).expect("read the file");
        edited.add("edited.mesh", text);
        assert!(meshc::analyze_cached(&edited, &mut cache, &|| true).is_none());
        // Stopped at its second question, once the services are declared.
        let asked = std::cell::Cell::new(0);
        let second = || {
            asked.set(asked.get() + 1);
            asked.get() >= 2
        };
        assert!(meshc::analyze_cached(&edited, &mut cache, &second).is_none());
        assert_eq!(asked.get(), 2);
        let cached = meshc::analyze_cached(&edited, &mut cache, &|| false).expect("not cancelled");
        assert_eq!(
            cached.diagnostics,
            meshc::analyze(&edited).diagnostics,
            "{}",
            path.display()
        );
        let workloads = path.with_extension("workloads.yaml");
        if let Ok(text) = std::fs::read_to_string(&workloads) {
            let (read, _) = meshc::workloads::read(&[("workloads.yaml".into(), text)]);
            assert_eq!(
                meshc::check::workloads::check(&symbols, &read),
                meshc::check::workloads::check(&analysis, &read),
                "{}",
                path.display()
            );
        }
    }
}
