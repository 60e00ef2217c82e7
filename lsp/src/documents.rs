//! The document store: open documents, and the programs they belong to.
//!
//! A program is every `.mesh` file of one directory, as `meshc build DIR`
//! sees it, with open documents read from the editor instead of the disk.
//! Each program keeps its last analysis; requests answer from it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use meshc::{Analysis, FileId, Sources};
use tower_lsp::ls_types::Uri;

/// An open document.
#[derive(Clone, Debug)]
pub struct Document {
    /// The editor's version.
    pub version: i32,
    /// The current text.
    pub text: Arc<str>,
}

/// An analysed program.
#[derive(Debug)]
pub struct Program {
    /// Its files, with the document versions they were read at (`None` for
    /// files read from disk).
    pub files: Vec<(Uri, Option<i32>)>,
    /// The texts analysed.
    pub sources: Sources,
    /// The analysis.
    pub analysis: Analysis,
}

impl Program {
    /// The id of `uri` in this program.
    pub fn file_id(&self, uri: &Uri) -> Option<FileId> {
        self.files.iter().position(|(u, _)| u == uri).map(|i| i as FileId)
    }
}

/// Which program a document belongs to: its directory, or the document
/// itself when it is not a file.
pub fn program_key(uri: &Uri) -> String {
    match uri.to_file_path().and_then(|p| p.parent().map(Path::to_path_buf)) {
        Some(dir) => dir.to_string_lossy().into_owned(),
        None => uri.as_str().to_string(),
    }
}

/// All documents and programs.
#[derive(Debug, Default)]
pub struct Store {
    /// Open documents by URI.
    pub open: HashMap<Uri, Document>,
    /// The last analysis of each program.
    pub programs: HashMap<String, Arc<Program>>,
    /// What each program's next analysis can reuse of its last one.
    pub caches: HashMap<String, meshc::AnalysisCache>,
}

impl Store {
    /// The inputs of the program `key`: every `.mesh` file of the directory
    /// (open documents' texts win), sorted by path as the CLI does.
    pub fn inputs(&self, key: &str) -> Vec<(Uri, Option<i32>, Arc<str>)> {
        let mut inputs: Vec<(PathBuf, Uri, Option<i32>, Arc<str>)> = Vec::new();
        // Open documents are matched to files by path: editors spell the
        // same file's URI differently (`%28` or `(`, `%C3` or `%c3`).
        let mut open_paths = std::collections::HashSet::new();
        for (uri, doc) in &self.open {
            if program_key(uri) == key {
                let path = uri.to_file_path().map(|p| p.into_owned()).unwrap_or_default();
                open_paths.insert(path.clone());
                inputs.push((path, uri.clone(), Some(doc.version), doc.text.clone()));
            }
        }
        if let Ok(files) = meshc::inputs::program_files(Path::new(key)) {
            for path in files {
                if open_paths.contains(&path) {
                    continue;
                }
                let Some(uri) = Uri::from_file_path(&path) else {
                    continue;
                };
                if let Ok(text) = std::fs::read_to_string(&path) {
                    inputs.push((path, uri, None, Arc::from(text)));
                }
            }
        }
        inputs.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.as_str().cmp(b.1.as_str())));
        inputs
            .into_iter()
            .map(|(_, uri, version, text)| (uri, version, text))
            .collect()
    }
}

/// Analyses the inputs of one program, reusing what `cache` kept of the
/// previous analysis.
pub fn analyze(inputs: Vec<(Uri, Option<i32>, Arc<str>)>, cache: &mut meshc::AnalysisCache) -> Program {
    let mut sources = Sources::default();
    let mut files = Vec::with_capacity(inputs.len());
    for (uri, version, text) in inputs {
        let name = uri
            .to_file_path()
            .map_or_else(|| uri.as_str().to_string(), |p| p.display().to_string());
        sources.add(name, text.as_ref());
        files.push((uri, version));
    }
    let analysis = meshc::analyze_cached(&sources, cache);
    Program {
        files,
        sources,
        analysis,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_open_document_is_not_read_again_from_disk() {
        let dir = std::env::temp_dir()
            .join(format!("meshc-lsp-store-{}", std::process::id()))
            .join("shop (copy)");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("shop.mesh"), "service cart {}\n").unwrap();
        let uri: Uri = format!("file://{}", dir.join("shop.mesh").display())
            .replace(' ', "%20")
            .parse()
            .unwrap();
        let mut store = Store::default();
        store.open.insert(
            uri.clone(),
            Document {
                version: 1,
                text: Arc::from("service cart {}\n"),
            },
        );
        let inputs = store.inputs(&program_key(&uri));
        assert_eq!(
            inputs.len(),
            1,
            "{:?}",
            inputs.iter().map(|i| i.0.as_str()).collect::<Vec<_>>()
        );
        assert_eq!(inputs[0].0, uri);
        let _ = std::fs::remove_dir_all(dir.parent().unwrap());
    }
}
