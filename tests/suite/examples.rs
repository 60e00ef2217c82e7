//! Every example compiles without diagnostics to its committed YAML, and
//! every emitted manifest passes the schema oracle.  A directory under
//! `examples/` is one multi-file program.

use std::path::PathBuf;

use crate::oracle;
use crate::support::{compare_with_file, documents, files_with_extension, root, sources_of};

/// Each example program: its name and its files.
pub fn programs() -> Vec<(String, Vec<PathBuf>)> {
    let dir = root().join("examples");
    let mut out: Vec<(String, Vec<PathBuf>)> = files_with_extension(&dir, "mesh")
        .into_iter()
        .map(|p| (p.file_stem().unwrap().to_string_lossy().into_owned(), vec![p]))
        .collect();
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for d in dirs {
        out.push((
            d.file_name().unwrap().to_string_lossy().into_owned(),
            files_with_extension(&d, "mesh"),
        ));
    }
    out
}

#[test]
fn examples_compile_to_their_yaml_and_pass_the_schema() {
    let mut failures = Vec::new();
    let mut manifests = 0;
    for (name, files) in programs() {
        let sources = sources_of(&files);
        let analysis = meshc::analyze(&sources);
        if !analysis.diagnostics.is_empty() {
            let text = meshc::diag::render_human(&sources, &analysis.diagnostics, meshc::diag::ColorChoice::Never);
            failures.push(format!("{name}: diagnostics\n{text}"));
            continue;
        }
        // What `meshc build` writes.
        let (built, _) = meshc::build(&sources, meshc::emit::ApiVersion::V1).expect("builds");
        let mut yaml = Vec::new();
        meshc::emit::write_documents(&built, &mut yaml).expect("writes");
        let yaml = String::from_utf8(yaml).expect("UTF-8");
        // Our YAML writer and serde_yaml agree on every document.
        let resources = meshc::emit::resources(analysis.checked.program, meshc::emit::ApiVersion::V1);
        assert_eq!(resources.len(), built.len(), "{name}");
        for (resource, document) in resources.iter().zip(&built) {
            let ours: serde_yaml::Value = serde_yaml::from_str(&document.yaml).unwrap();
            if ours != serde_yaml::to_value(resource).unwrap() {
                failures.push(format!(
                    "{name}: {} reads back differently with serde_yaml",
                    resource.metadata.name
                ));
            }
        }
        failures.extend(compare_with_file(
            &root().join("examples").join(format!("{name}.yaml")),
            &yaml,
        ));
        for doc in documents(&yaml) {
            manifests += 1;
            let problems = oracle::problems(&doc);
            if !problems.is_empty() {
                failures.push(format!(
                    "{name}: {} {}: {}",
                    doc["kind"],
                    doc["metadata"]["name"],
                    problems.join("; ")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
    assert!(manifests >= 10, "only {manifests} manifests checked");
}

#[test]
fn output_is_byte_identical_across_runs() {
    for (_, files) in programs() {
        let compile = || {
            meshc::compile(&sources_of(&files), meshc::emit::ApiVersion::V1)
                .map(|(yaml, _)| yaml)
                .ok()
        };
        assert_eq!(compile(), compile());
    }
}

#[test]
fn every_api_version_is_written() {
    let files = vec![root().join("examples/bookinfo.mesh")];
    for (api, text) in [
        (meshc::emit::ApiVersion::V1beta1, "networking.istio.io/v1beta1"),
        (meshc::emit::ApiVersion::V1alpha3, "networking.istio.io/v1alpha3"),
    ] {
        let (yaml, _) = meshc::compile(&sources_of(&files), api).expect("compiles");
        let docs = documents(&yaml);
        assert!(docs.iter().all(|d| d["apiVersion"] == text));
    }
}

/// Every example pins its routing with `test` blocks: every test passes,
/// and every route is reached by a test (but a TCP route matched by the
/// caller's address, `source_subnet`, which a test request cannot carry).
#[test]
fn examples_have_passing_tests_that_reach_every_route() {
    let mut failures = Vec::new();
    for (name, files) in programs() {
        let sources = sources_of(&files);
        let analysis = meshc::analyze(&sources);
        let report = meshc::route::testing::run(&analysis);
        if report.tests == 0 {
            failures.push(format!("{name}: no tests"));
        }
        let failed: Vec<&meshc::Diagnostic> = report
            .diagnostics
            .iter()
            .filter(|d| d.code == meshc::diag::Code::E0704)
            .collect();
        if !failed.is_empty() {
            let text = meshc::diag::render_human(
                &sources,
                &failed.into_iter().cloned().collect::<Vec<_>>(),
                meshc::diag::ColorChoice::Never,
            );
            failures.push(format!("{name}: failing tests\n{text}"));
        }
        let by_address = analysis
            .checked
            .program
            .virtual_services
            .iter()
            .flat_map(|(_, spec)| &spec.tcp)
            .filter(|r| r.matches.iter().all(|m| m.source_subnet.is_some()))
            .count();
        if report.covered + by_address < report.routes {
            failures.push(format!("{name}: {}", report.summary()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
