//! The piece scheduler and cache: a file is cut at top-level services
//! into pieces of a few KB, the pieces are lowered on all cores (see
//! [`crate::parallel`]), pieces unchanged since the last parse are taken
//! from the cache (moved to where their text now starts, `shift.rs`, when
//! an edit above them changed the length of the file), and the lowered
//! pieces are joined into one file.

use foldhash::{HashMap, HashMapExt};

use super::Parsed;
use super::ast::*;
use super::explain::Context;
use super::lower::{Lowerer, TopItem, lower_piece};
use super::shift::Shift;
use crate::diag::{Code, Diagnostic};
use crate::parallel;
use crate::span::{FileId, Span};

/// Deeper nesting than this is refused before parsing, so that no input can
/// exhaust the parser's stack, and an unclosed run of `{` in a line the
/// grammar cannot read (which pest tries both as a group and as text at
/// every level) stays cheap.  Real programs nest about 8 deep.
pub(crate) const MAX_NESTING: usize = 16;

pub(super) fn parse(file: FileId, text: &str) -> Parsed {
    // Large files are cut at top-level service boundaries and the pieces
    // parsed on all cores; each piece starts where the whole-file parser
    // would be at the top level, so the result is the same.
    // Small pieces also keep pest's token queue, which is many times the
    // size of the text, small enough to be reused from piece to piece
    // instead of taking fresh memory (large pieces cost a third more peak
    // memory for the same speed).
    parse_pieces(file, text, text.len() / PIECE_SIZE + 1)
}

/// Parses `text` cut into at most `pieces` pieces.
fn parse_pieces(file: FileId, text: &str, pieces: usize) -> Parsed {
    parse_reusing(file, text, pieces, None)
}

/// What one parse leaves for the next parse of the same file (the language
/// server parses the file again at every edit): each piece by its text,
/// with where it started and what it lowered to.  The services in it are
/// shared with the trees the parse gave out, not copied.
#[derive(Clone, Debug, Default)]
pub struct ParseCache {
    /// By the piece's text: where it started and its lowered items.
    pieces: HashMap<String, (usize, LoweredPiece)>,
    /// How many pieces the last parse took from the cache.
    reused: usize,
}

type LoweredPiece = (Vec<TopItem>, Vec<Diagnostic>);

/// Parses `text` like [`parse`], reusing the pieces of the previous parse
/// that have the same text (`cache` as that parse left it).  `cache` is
/// then replaced by this parse's pieces.
pub(super) fn parse_cached(file: FileId, text: &str, cache: &mut ParseCache) -> Parsed {
    parse_reusing(file, text, text.len() / PIECE_SIZE + 1, Some(cache))
}

/// Parses `text` in pieces; with a cache, reuses and then replaces them.
fn parse_reusing(file: FileId, text: &str, pieces: usize, mut cache: Option<&mut ParseCache>) -> Parsed {
    let pieces = match scan(text, pieces) {
        Ok(pieces) => pieces,
        Err(at) => {
            if let Some(cache) = cache {
                *cache = ParseCache::default();
            }
            let too_deep = Diagnostic::error(
                Code::E0101,
                Span::new(file, at, at + 1),
                format!("blocks are nested more than {MAX_NESTING} deep"),
            )
            .with_label("too deep")
            .with_help("a mesh program never needs this depth; look for unbalanced braces");
            return Parsed {
                file: File::default(),
                diagnostics: vec![too_deep],
            };
        }
    };
    // Pieces with the same text are taken over from the previous parse,
    // moved to where they now start.
    let mut previous = cache
        .as_deref_mut()
        .map(|c| std::mem::take(&mut c.pieces))
        .unwrap_or_default();
    // The texts of the pieces taken over, kept as keys of the next cache.
    let mut keys: Vec<Option<String>> = Vec::with_capacity(pieces.len());
    let mut slots: Vec<Option<LoweredPiece>> = Vec::with_capacity(pieces.len());
    for range in &pieces {
        let taken = text
            .get(range.clone())
            .and_then(|piece| previous.remove_entry(piece))
            .map(|(old_text, (old_start, mut lowered))| {
                let by = range.start as i64 - old_start as i64;
                if by != 0 {
                    lowered.0.shift(by);
                    lowered.1.shift(by);
                }
                (old_text, lowered)
            });
        let (key, slot) = taken.map_or((None, None), |(key, lowered)| (Some(key), Some(lowered)));
        keys.push(key);
        slots.push(slot);
    }
    drop(previous);
    let todo: Vec<usize> = (0..pieces.len())
        .filter(|&i| slots.get(i).is_some_and(Option::is_none))
        .collect();
    let todo_count = todo.len();
    // Each thread lowers every `threads`-th piece; results are put back in
    // source order.
    let threads = parallel::threads().min(todo.len());
    let fresh: Vec<(usize, LoweredPiece)> = parallel::map(parallel::deal(todo, threads), |todo| {
        todo.into_iter()
            .filter_map(|i| pieces.get(i).map(|range| (i, lower_piece(file, text, range.clone()))))
            .collect::<Vec<_>>()
    })
    .into_iter()
    .flatten()
    .collect();
    for (i, lowered) in fresh {
        if let Some(slot) = slots.get_mut(i) {
            *slot = Some(lowered);
        }
    }
    let mut kept: HashMap<String, (usize, LoweredPiece)> = HashMap::new();
    let mut lowerer = Lowerer {
        file,
        text,
        base: 0,
        inserted: Vec::new(),
        unclosed: Vec::new(),
        diagnostics: Vec::new(),
    };
    let mut ast = File::default();
    let mut after_junk = false;
    let mut last_close: Option<(Span, Text)> = None;
    for (i, slot) in slots.into_iter().enumerate() {
        let Some((items, diagnostics)) = slot else { continue };
        // The cache keeps the piece as lowered (its services shared).
        let cached = cache.is_some().then(|| (items.clone(), diagnostics.clone()));
        lowerer.diagnostics.extend(diagnostics);
        for item in items {
            let is_junk = matches!(item, TopItem::Junk(_));
            match item {
                TopItem::Namespace(name, span) => match &ast.namespace {
                    Some(first) => lowerer.diagnostics.push(
                        Diagnostic::error(Code::E0210, span, "the namespace is declared twice in this file")
                            .with_label("second declaration")
                            .with_secondary(first.span, "first declared here")
                            .with_help("a file has one namespace; put services of another namespace in another file"),
                    ),
                    None => ast.namespace = Some(name),
                },
                TopItem::Service(service, close) => {
                    last_close = close.map(|c| (c, service.name.name.clone()));
                    ast.services.push(service);
                }
                TopItem::Test(test, close) => {
                    last_close = close.map(|c| (c, test.name.name.clone()));
                    ast.tests.push(test);
                }
                // A run of unreadable top-level lines is one mistake (often a
                // block closed too early), so only its first line is reported.
                TopItem::Junk(span) if !after_junk => {
                    if lowerer.text.get(span.range()) == Some("}") {
                        let diag = lowerer.explain_stray_brace(span, last_close.as_ref());
                        lowerer.diagnostics.push(diag);
                    } else {
                        lowerer.explain_junk(span, Context::Top);
                    }
                }
                TopItem::Junk(_) => {}
            }
            after_junk = is_junk;
        }
        if let (Some(cached), Some(range)) = (cached, pieces.get(i)) {
            let key = keys
                .get_mut(i)
                .and_then(Option::take)
                .unwrap_or_else(|| text.get(range.clone()).unwrap_or("").to_string());
            kept.insert(key, (range.start, cached));
        }
    }
    if let Some(cache) = cache {
        cache.reused = pieces.len().saturating_sub(todo_count);
        cache.pieces = kept;
    }
    Parsed {
        file: ast,
        diagnostics: lowerer.diagnostics,
    }
}

/// Files are parsed in pieces of about this many bytes (a few services).
const PIECE_SIZE: usize = 4 * 1024;

/// Whether [`scan`] acts on byte `b` inside a line: line ends, strings,
/// comments and brackets.
fn acts_on(b: u8) -> bool {
    matches!(b, b'\n' | b'"' | b'/' | b'{' | b'}' | b'[' | b']')
}

/// One pass over `text`, outside strings and comments: refuses nesting of
/// `{` and `[` deeper than [`MAX_NESTING`], and cuts the text into at most
/// `pieces` ranges of similar size, each starting at a line that opens a
/// top-level `service`.  Too deep nesting is reported by the offset of the
/// bracket that goes too deep.
///
/// The depth it counts is never below the parser's: a `]` closes only a
/// `[`, a `}` closes up to the nearest `{` (a list cut short by `}` fails
/// and is left), and strings and comments end where the grammar ends them:
/// at `\n` only, an unclosed string at the end of its line (`junk_string`).
fn scan(text: &str, pieces: usize) -> Result<Vec<std::ops::Range<usize>>, usize> {
    let target = text.len() / pieces.max(1);
    let mut cuts = vec![0];
    let bytes = text.as_bytes();
    // The open brackets, innermost last, and how many of them are `{` (a
    // cut is only made outside braces).
    let mut open: Vec<u8> = Vec::new();
    let mut braces = 0usize;
    let mut i = 0;
    let mut line_start = true;
    while let Some(&b) = bytes.get(i) {
        match b {
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            b'"' => i = super::tokens::string_end(bytes, i),
            b'/' if bytes.get(i + 1) == Some(&b'/') => i = super::tokens::comment_end(bytes, i),
            b'{' | b'[' => {
                open.push(b);
                if open.len() > MAX_NESTING {
                    return Err(i);
                }
                braces += usize::from(b == b'{');
                i += 1;
            }
            b'}' => {
                if let Some(at) = open.iter().rposition(|&o| o == b'{') {
                    open.truncate(at);
                    braces -= 1;
                }
                i += 1;
            }
            b']' => {
                if open.last() == Some(&b'[') {
                    open.pop();
                }
                i += 1;
            }
            b' ' | b'\t' | b'\r' => i += 1,
            _ => {
                let last = cuts.last().copied().unwrap_or(0);
                if line_start
                    && braces == 0
                    && cuts.len() < pieces
                    && i - last >= target
                    && text.get(i..).is_some_and(|rest| rest.starts_with("service "))
                {
                    cuts.push(i);
                }
                // The bytes up to the next one the scan acts on change
                // nothing (the line has started), so they are skipped in
                // a tight loop: this pass reads the whole file at every
                // keystroke.
                i += 1;
                while bytes.get(i).is_some_and(|&b| !acts_on(b)) {
                    i += 1;
                }
            }
        }
        line_start = false;
    }
    cuts.push(text.len());
    Ok(cuts
        .windows(2)
        .filter_map(|w| w.first().zip(w.get(1)).map(|(a, b)| *a..*b))
        .collect())
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    #[test]
    fn parsing_in_pieces_gives_the_same_result() {
        let mut text = String::from("namespace a\n");
        for i in 0..40 {
            text.push_str(&format!(
                "service s{i} {{\n  subset v1 {{ version = \"v1\" }} // {{ not a brace\n  route {{ to v1 }}{}\n}}\n\"stray {{\"\n",
                if i % 7 == 3 { "}" } else { "" }
            ));
        }
        let whole = parse_pieces(0, &text, 1);
        for pieces in [2, 3, 8] {
            let cut = parse_pieces(0, &text, pieces);
            assert!(scan(&text, pieces).is_ok_and(|cuts| cuts.len() > 1));
            assert_eq!(cut.file, whole.file);
            assert_eq!(cut.diagnostics, whole.diagnostics);
        }
        assert!(!whole.diagnostics.is_empty());
    }

    #[test]
    fn a_cached_parse_of_an_edited_text_equals_a_fresh_one() {
        let mut text = String::new();
        for i in 0..3000 {
            text.push_str(&format!(
                "service s{i} {{\n  subset v1 {{ version = \"v1\" }}\n  route {{ to v1 }}\n}}\n"
            ));
        }
        let mut cache = ParseCache::default();
        let first = parse_cached(0, &text, &mut cache);
        assert_eq!(first.file, parse_pieces(0, &text, 1).file);
        assert!(cache.pieces.len() > 2);
        for (edit, insert) in [(text.len() / 2, "}\n"), (5, "}\n"), (text.len() / 3, " "), (0, "\n\n")] {
            let mut edited = text.clone();
            edited.insert_str(edit, insert);
            let cached = parse_cached(0, &edited, &mut cache);
            let fresh = parse_pieces(0, &edited, 1);
            // All pieces but the edited one (or two) are reused, moved.
            assert!(
                cache.reused + 2 >= cache.pieces.len(),
                "{} of {}",
                cache.reused,
                cache.pieces.len()
            );
            assert_eq!(cached.file, fresh.file);
            assert_eq!(cached.diagnostics, fresh.diagnostics);
        }
        // A service before an edit is the same allocation in both trees; a
        // service after an edit that moves the text is a moved copy.
        let before = parse_cached(0, &text, &mut cache).file;
        let mut edited = text.clone();
        edited.insert(text.len() / 2, ' ');
        let after = parse_cached(0, &edited, &mut cache).file;
        let (first, last) = (before.services.first(), before.services.last());
        assert!(
            first
                .zip(after.services.first())
                .is_some_and(|(a, b)| Arc::ptr_eq(a, b))
        );
        assert!(last.zip(after.services.last()).is_some_and(|(a, b)| !Arc::ptr_eq(a, b)));
    }
}
