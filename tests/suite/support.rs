//! Helpers shared by the test modules.

use std::path::{Path, PathBuf};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Whether expectations should be rewritten instead of compared.
pub fn blessing() -> bool {
    std::env::var_os("MESHC_BLESS").is_some_and(|v| v != "0")
}

/// Compares `actual` with the file at `path` (or writes it when blessing).
/// Returns a description of the mismatch, if any.
pub fn compare_with_file(path: &Path, actual: &str) -> Option<String> {
    if blessing() {
        std::fs::write(path, actual).expect("write expectation");
        return None;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    (expected != actual).then(|| {
        format!(
            "{} differs (run `MESHC_BLESS=1 cargo test` to accept):\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        )
    })
}

/// Files in `dir` with extension `ext`, sorted.
pub fn files_with_extension(dir: &Path, ext: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == ext))
        .collect();
    files.sort();
    files
}

/// A program made of the given files, named relative to the repository root.
/// A file that starts with a `// file: NAME` line holds several files,
/// each starting with such a line (see [`add_files`]).
pub fn sources_of(paths: &[PathBuf]) -> meshc::Sources {
    let mut sources = meshc::Sources::default();
    for path in paths {
        let text = std::fs::read_to_string(path).expect("read source");
        let name = path.strip_prefix(root()).unwrap_or(path).display().to_string();
        add_files(&mut sources, &name, &text);
    }
    sources
}

/// Adds `text` to `sources` as the file `name`, or, when it starts with a
/// `// file: NAME` line, as the files that such lines begin: a UI test or
/// an explanation's example can be a program of several files.
pub fn add_files(sources: &mut meshc::Sources, name: &str, text: &str) {
    const MARKER: &str = "// file: ";
    if !text.starts_with(MARKER) {
        sources.add(name.to_string(), text.to_string());
        return;
    }
    for part in text.split(MARKER).skip(1) {
        let file = part.lines().next().unwrap_or_default().trim();
        sources.add(file.to_string(), format!("{MARKER}{part}"));
    }
}

/// Splits a YAML stream into JSON values, one per document.
pub fn documents(yaml: &str) -> Vec<serde_json::Value> {
    use serde::Deserialize;
    serde_yaml::Deserializer::from_str(yaml)
        .map(|doc| serde_json::Value::deserialize(doc).expect("YAML parses"))
        .filter(|doc| !doc.is_null())
        .collect()
}
