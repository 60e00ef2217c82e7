//! The document store: open documents, the files read from disk, and the
//! programs they belong to.
//!
//! A program is every `.mesh` file of one directory, as `meshc build DIR`
//! sees it, with open documents read from the editor instead of the disk.
//! A directory's files are read from disk once, then again only when the
//! editor reports that one changed (file watching), so that a keystroke
//! reads nothing from disk.  Each program keeps its last analysis; requests
//! answer from it.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use meshc::span::{Encoding, LineIndex};
use meshc::{Analysis, FileId, Sources};
use tower_lsp::ls_types::{TextDocumentContentChangeEvent, Uri};

use crate::convert;

/// An open document.
#[derive(Clone, Debug)]
pub struct Document {
    /// The editor's version.
    pub version: i32,
    /// The current text.
    pub text: Arc<str>,
    /// Where its lines start (for positions in the current text, which
    /// the last analysis may not have seen yet).
    pub lines: Arc<LineIndex>,
}

impl Document {
    /// A document at `version` with `text`.
    pub fn new(version: i32, text: String) -> Document {
        let lines = Arc::new(LineIndex::new(&text));
        Document::indexed(version, text, lines)
    }

    /// A document at `version` with `text`, whose lines are `lines`.
    fn indexed(version: i32, text: String, lines: Arc<LineIndex>) -> Document {
        Document {
            version,
            lines,
            text: Arc::from(text),
        }
    }

    /// The document at `version` after `changes`, applied in order: a
    /// change with a range replaces it (positions counted in `encoding`),
    /// one without replaces the whole text.  The line index follows each
    /// change instead of reading the whole text again.
    pub fn edited(&self, version: i32, changes: Vec<TextDocumentContentChangeEvent>, encoding: Encoding) -> Document {
        let mut text = self.text.to_string();
        let mut lines: Option<LineIndex> = None;
        for change in changes {
            let Some(range) = change.range else {
                lines = Some(LineIndex::new(&change.text));
                text = change.text;
                continue;
            };
            let index = lines.as_ref().unwrap_or(&self.lines);
            let [start, end] = [range.start, range.end].map(|p| convert::offset_in(&text, index, p, encoding));
            let range = start..end.max(start);
            lines = Some(index.edited(range.clone(), &change.text));
            text.replace_range(range, &change.text);
        }
        let lines = lines.map_or_else(|| self.lines.clone(), Arc::new);
        Document::indexed(version, text, lines)
    }
}

/// One file of a program, as the next analysis reads it.
#[derive(Debug)]
pub struct Input {
    /// Its URI.
    pub uri: Uri,
    /// The document's version (`None` for a file read from disk).
    pub version: Option<i32>,
    /// Its text, shared with the store.
    pub text: Arc<str>,
    /// Where its lines start, when the store has them (open documents,
    /// whose index follows each edit): the analysis shares it.
    pub lines: Option<Arc<LineIndex>>,
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
    /// The `.mesh` files of each program's directory as last read from
    /// disk, by path.
    pub disk: HashMap<String, HashMap<PathBuf, Arc<str>>>,
}

impl Store {
    /// The inputs of the program `key`: every `.mesh` file of the directory
    /// (open documents' texts win), sorted by path as the CLI does.  The
    /// directory is read the first time only.
    pub fn inputs(&mut self, key: &str) -> Vec<Input> {
        let disk = self.disk.entry(key.to_string()).or_insert_with(|| read_directory(key));
        let mut inputs: Vec<(PathBuf, Input)> = Vec::new();
        // Open documents are matched to files by path: editors spell the
        // same file's URI differently (`%28` or `(`, `%C3` or `%c3`).
        let mut open_paths = std::collections::HashSet::new();
        for (uri, doc) in &self.open {
            if program_key(uri) == key {
                let path = uri.to_file_path().map(|p| p.into_owned()).unwrap_or_default();
                open_paths.insert(path.clone());
                let input = Input {
                    uri: uri.clone(),
                    version: Some(doc.version),
                    text: doc.text.clone(),
                    lines: Some(doc.lines.clone()),
                };
                inputs.push((path, input));
            }
        }
        // The disk's text of an open document is not kept (it is read again
        // when the document is closed).
        disk.retain(|path, _| !open_paths.contains(path));
        for (path, text) in disk.iter() {
            if let Some(uri) = Uri::from_file_path(path) {
                let input = Input {
                    uri,
                    version: None,
                    text: text.clone(),
                    lines: None,
                };
                inputs.push((path.clone(), input));
            }
        }
        inputs.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.uri.as_str().cmp(b.1.uri.as_str())));
        inputs.into_iter().map(|(_, input)| input).collect()
    }

    /// Reads `path` again from disk into its program's files, or forgets
    /// it when it is gone or no longer a program file.  Returns its
    /// program, when that program's files were read before.
    pub fn reread(&mut self, path: &Path) -> Option<String> {
        let key = path.parent()?.to_string_lossy().into_owned();
        let disk = self.disk.get_mut(&key)?;
        let text = meshc::inputs::is_program_file(path)
            .then(|| std::fs::read_to_string(path).ok())
            .flatten();
        match text {
            Some(text) => disk.insert(path.to_path_buf(), Arc::from(text)),
            None => disk.remove(path),
        };
        Some(key)
    }
}

/// The `.mesh` files of directory `key` (none when it is no directory).
fn read_directory(key: &str) -> HashMap<PathBuf, Arc<str>> {
    let files = meshc::inputs::program_files(Path::new(key)).unwrap_or_default();
    files
        .into_iter()
        .filter_map(|path| {
            let text = std::fs::read_to_string(&path).ok()?;
            Some((path, Arc::from(text)))
        })
        .collect()
}

/// Analyses the inputs of one program, reusing what `cache` kept of the
/// previous analysis; `None` when `cancelled` stopped it.
pub fn analyze(inputs: Vec<Input>, cache: &mut meshc::AnalysisCache, cancelled: &dyn Fn() -> bool) -> Option<Program> {
    let mut sources = Sources::default();
    let mut files = Vec::with_capacity(inputs.len());
    for Input {
        uri,
        version,
        text,
        lines,
    } in inputs
    {
        let name = uri
            .to_file_path()
            .map_or_else(|| uri.as_str().to_string(), |p| p.display().to_string());
        match lines {
            Some(lines) => sources.add_indexed(name, text, lines),
            None => sources.add(name, text),
        };
        files.push((uri, version));
    }
    let analysis = meshc::analyze_cached(&sources, cache, cancelled)?;
    Some(Program {
        files,
        sources,
        analysis,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use tower_lsp::ls_types::{Position, Range};

    /// Edits in one notification apply in order, the line index follows
    /// each, and a whole-text change among them replaces everything.
    #[test]
    fn an_edited_document_is_the_document_of_its_text() {
        let change = |from: (u32, u32), to: (u32, u32), text: &str| TextDocumentContentChangeEvent {
            range: Some(Range::new(Position::new(from.0, from.1), Position::new(to.0, to.1))),
            range_length: None,
            text: text.into(),
        };
        let whole = |text: &str| TextDocumentContentChangeEvent {
            range: None,
            range_length: None,
            text: text.into(),
        };
        let doc = Document::new(1, "service a {\r\n  route { to é }\r\n}\n".into());
        let edits = [
            vec![change((1, 15), (1, 16), "b\n  c"), change((0, 8), (0, 9), "ab")],
            vec![change((0, 0), (2, 0), ""), change((0, 0), (0, 0), "x\ny\n")],
            vec![
                change((1, 0), (1, 1), "z"),
                whole("one\ntwo\n"),
                change((1, 0), (1, 3), "2\n3"),
            ],
        ];
        for changes in edits {
            let edited = doc.edited(2, changes, Encoding::Utf16);
            assert_eq!(edited.version, 2);
            assert_eq!(*edited.lines, LineIndex::new(&edited.text), "{:?}", edited.text);
        }
        let typed = doc.edited(2, vec![change((1, 13), (1, 14), "v2")], Encoding::Utf16);
        assert_eq!(&*typed.text, "service a {\r\n  route { to v2 }\r\n}\n");
    }

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
        store
            .open
            .insert(uri.clone(), Document::new(1, "service cart {}\n".into()));
        let inputs = store.inputs(&program_key(&uri));
        assert_eq!(
            inputs.len(),
            1,
            "{:?}",
            inputs.iter().map(|i| i.uri.as_str()).collect::<Vec<_>>()
        );
        assert_eq!(inputs[0].uri, uri);
        let _ = std::fs::remove_dir_all(dir.parent().unwrap());
    }
}
