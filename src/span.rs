//! Source files and byte spans.
//!
//! Invariant: positions inside the compiler are byte offsets into one file's
//! text.  Lines and columns are computed only when a diagnostic is rendered
//! (through [`Sources`], which implements codespan's `Files`) or at the
//! language server's edge (through [`LineIndex`]).

use std::ops::Range;
use std::sync::Arc;

/// Index of a file in a [`Sources`] set.
pub type FileId = u32;

/// A half-open byte range `start..end` in one file (12 bytes: every node
/// of a syntax tree has one or more).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// The file the range belongs to.
    pub file: FileId,
    /// First byte.
    pub start: u32,
    /// One past the last byte.
    pub end: u32,
}
const _: () = assert!(std::mem::size_of::<Span>() == 12);

impl Span {
    /// A span of `file` from `start` to `end` (byte offsets).
    pub fn new(file: FileId, start: usize, end: usize) -> Span {
        Span {
            file,
            start: u32::try_from(start).unwrap_or(u32::MAX),
            end: u32::try_from(end).unwrap_or(u32::MAX),
        }
    }

    /// The smallest span covering both `self` and `other` (same file).
    pub fn to(self, other: Span) -> Span {
        Span {
            file: self.file,
            start: self.start.min(other.start),
            end: self.end.max(other.end),
        }
    }

    /// The byte range, for slicing the file's text.
    pub fn range(self) -> Range<usize> {
        self.start as usize..self.end as usize
    }

    /// Whether `offset` lies inside the span or touches its end.
    pub fn contains(self, offset: usize) -> bool {
        (self.start as usize) <= offset && offset <= self.end as usize
    }
}

/// One source file: its display name, its text and where its lines start.
#[derive(Clone, Debug)]
pub struct SourceFile {
    /// The name shown in diagnostics (a path, or `<stdin>`).
    pub name: String,
    /// The text, with CRLF line endings kept as they are (shared with the
    /// language server's document store, which holds the same text).
    pub text: Arc<str>,
    /// Line starts, for rendering.
    pub lines: Arc<LineIndex>,
}

/// The set of files that form one program.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    files: Vec<SourceFile>,
}

impl Sources {
    /// Adds a file and returns its id.
    pub fn add(&mut self, name: impl Into<String>, text: impl Into<Arc<str>>) -> FileId {
        let text = text.into();
        let lines = Arc::new(LineIndex::new(&text));
        self.add_indexed(name, text, lines)
    }

    /// Adds a file whose lines are already indexed (`lines` must be
    /// `LineIndex::new(&text)`) and returns its id.
    pub fn add_indexed(&mut self, name: impl Into<String>, text: Arc<str>, lines: Arc<LineIndex>) -> FileId {
        debug_assert!(*lines == LineIndex::new(&text), "the lines of another text");
        self.files.push(SourceFile {
            name: name.into(),
            text,
            lines,
        });
        (self.files.len() - 1) as FileId
    }

    /// The file with id `id`.
    pub fn get(&self, id: FileId) -> Option<&SourceFile> {
        self.files.get(id as usize)
    }

    /// All files, in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = (FileId, &SourceFile)> {
        self.files.iter().enumerate().map(|(id, file)| (id as FileId, file))
    }

    /// Number of files.
    pub fn len(&self) -> usize {
        self.files.len()
    }

    /// Whether there are no files.
    pub fn is_empty(&self) -> bool {
        self.files.is_empty()
    }

    /// The text a span covers (empty if the span is out of range).
    pub fn slice(&self, span: Span) -> &str {
        self.get(span.file).and_then(|f| f.text.get(span.range())).unwrap_or("")
    }
}

impl<'a> codespan_reporting::files::Files<'a> for Sources {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        self.get(id)
            .map(|f| f.name.as_str())
            .ok_or(codespan_reporting::files::Error::FileMissing)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, codespan_reporting::files::Error> {
        self.get(id)
            .map(|f| &*f.text)
            .ok_or(codespan_reporting::files::Error::FileMissing)
    }

    fn line_index(&'a self, id: FileId, byte: usize) -> Result<usize, codespan_reporting::files::Error> {
        let file = self.get(id).ok_or(codespan_reporting::files::Error::FileMissing)?;
        Ok(file.lines.line_of(byte))
    }

    fn line_range(&'a self, id: FileId, line: usize) -> Result<Range<usize>, codespan_reporting::files::Error> {
        let file = self.get(id).ok_or(codespan_reporting::files::Error::FileMissing)?;
        file.lines
            .line_range(line, file.text.len())
            .ok_or(codespan_reporting::files::Error::LineTooLarge {
                given: line,
                max: file.lines.line_count().saturating_sub(1),
            })
    }
}

/// The encoding a client counts columns in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Encoding {
    /// Bytes of UTF-8.
    Utf8,
    /// UTF-16 code units (the LSP default).
    Utf16,
    /// Unicode scalar values.
    Utf32,
}

/// A zero-based line and column, the column counted in some [`Encoding`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LineCol {
    /// Zero-based line.
    pub line: u32,
    /// Zero-based column.
    pub col: u32,
}

/// Start offsets of every line of a text: converts between byte offsets and
/// line/column positions in any [`Encoding`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LineIndex {
    starts: Vec<u32>,
}

impl LineIndex {
    /// Indexes `text`.  A line ends after `\n`; a `\r` before it belongs to
    /// the line, so CRLF files index the same way as LF files.
    pub fn new(text: &str) -> LineIndex {
        // Counted first, so that the index takes exactly one allocation.
        let lines = text.bytes().filter(|&b| b == b'\n').count();
        let mut starts = Vec::with_capacity(lines + 1);
        starts.push(0);
        starts.extend(
            text.match_indices('\n')
                .map(|(i, _)| u32::try_from(i + 1).unwrap_or(u32::MAX)),
        );
        LineIndex { starts }
    }

    /// The index of the text in which `range` (byte offsets into this
    /// index's text) was replaced by `inserted`: the lines before the edit
    /// are kept and those after it moved, so an editor's keystroke costs a
    /// pass over the line starts, not over the text.
    pub fn edited(&self, range: Range<usize>, inserted: &str) -> LineIndex {
        let at = |offset: usize| u32::try_from(offset).unwrap_or(u32::MAX);
        let (start, end) = (at(range.start), at(range.end.max(range.start)));
        let kept = self.starts.partition_point(|&s| s <= start);
        let after = self.starts.partition_point(|&s| s <= end);
        let delta = i64::from(at(inserted.len())) - i64::from(end - start);
        let mut starts = Vec::with_capacity(self.starts.len() + inserted.len().min(64));
        starts.extend_from_slice(self.starts.get(..kept).unwrap_or_default());
        starts.extend(inserted.match_indices('\n').map(|(i, _)| at(range.start + i + 1)));
        starts.extend(
            self.starts
                .get(after..)
                .unwrap_or_default()
                .iter()
                .map(|&s| u32::try_from(i64::from(s) + delta).unwrap_or(u32::MAX)),
        );
        LineIndex { starts }
    }

    /// Number of lines (a text without newline has one).
    pub fn line_count(&self) -> usize {
        self.starts.len()
    }

    /// The zero-based line that contains `offset`.
    pub fn line_of(&self, offset: usize) -> usize {
        match self.starts.binary_search(&u32::try_from(offset).unwrap_or(u32::MAX)) {
            Ok(line) => line,
            Err(next) => next.saturating_sub(1),
        }
    }

    /// The byte range of line `line`, newline included.
    pub fn line_range(&self, line: usize, text_len: usize) -> Option<Range<usize>> {
        let start = *self.starts.get(line)? as usize;
        let end = self.starts.get(line + 1).map_or(text_len, |&end| end as usize);
        Some(start..end)
    }

    /// The position of byte `offset` in `text`, the column counted in
    /// `encoding`.  Offsets past the end or inside a character are clamped.
    pub fn position(&self, text: &str, offset: usize, encoding: Encoding) -> LineCol {
        let offset = floor_char_boundary(text, offset.min(text.len()));
        let line = self.line_of(offset);
        let start = self.starts.get(line).map_or(0, |&start| start as usize);
        let prefix = text.get(start..offset).unwrap_or("");
        let col = match encoding {
            Encoding::Utf8 => prefix.len(),
            Encoding::Utf16 => prefix.chars().map(char::len_utf16).sum(),
            Encoding::Utf32 => prefix.chars().count(),
        };
        LineCol {
            line: u32::try_from(line).unwrap_or(u32::MAX),
            col: u32::try_from(col).unwrap_or(u32::MAX),
        }
    }

    /// The byte offset of `pos` in `text`.  A column past the end of its line
    /// is clamped to the line's end (before its line break); a line past the
    /// end of the text gives the text's length.
    pub fn offset(&self, text: &str, pos: LineCol, encoding: Encoding) -> usize {
        let Some(range) = self.line_range(pos.line as usize, text.len()) else {
            return text.len();
        };
        let line_text = text.get(range.clone()).unwrap_or("");
        let content = line_text.trim_end_matches(['\n', '\r']);
        let mut units = 0usize;
        for (i, ch) in content.char_indices() {
            if units >= pos.col as usize {
                return range.start + i;
            }
            units += match encoding {
                Encoding::Utf8 => ch.len_utf8(),
                Encoding::Utf16 => ch.len_utf16(),
                Encoding::Utf32 => 1,
            };
        }
        range.start + content.len()
    }
}

fn floor_char_boundary(text: &str, mut offset: usize) -> usize {
    while offset > 0 && !text.is_char_boundary(offset) {
        offset -= 1;
    }
    offset
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// An edited index is the index of the edited text.
        #[test]
        fn an_edited_index_equals_a_fresh_one(
            text in "[a\n\r]{0,40}",
            from in 0usize..48,
            len in 0usize..8,
            inserted in "[b\n]{0,6}",
        ) {
            let start = from.min(text.len());
            let end = (start + len).min(text.len());
            let mut edited = text.clone();
            edited.replace_range(start..end, &inserted);
            proptest::prop_assert_eq!(LineIndex::new(&text).edited(start..end, &inserted), LineIndex::new(&edited));
        }
    }

    #[test]
    fn positions_round_trip_in_every_encoding() {
        let text = "a\r\n// é 𐐀 x\nz";
        let index = LineIndex::new(text);
        let x = text.find('x').unwrap();
        assert_eq!(index.position(text, x, Encoding::Utf16), LineCol { line: 1, col: 8 });
        assert_eq!(index.position(text, x, Encoding::Utf32), LineCol { line: 1, col: 7 });
        assert_eq!(index.position(text, x, Encoding::Utf8), LineCol { line: 1, col: 11 });
        for enc in [Encoding::Utf8, Encoding::Utf16, Encoding::Utf32] {
            let pos = index.position(text, x, enc);
            assert_eq!(index.offset(text, pos, enc), x);
        }
    }

    #[test]
    fn out_of_range_positions_are_clamped() {
        let text = "ab\r\ncd";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(text, LineCol { line: 0, col: 99 }, Encoding::Utf16), 2);
        assert_eq!(index.offset(text, LineCol { line: 9, col: 0 }, Encoding::Utf16), 6);
        assert_eq!(index.position(text, 99, Encoding::Utf16), LineCol { line: 1, col: 2 });
        let empty = LineIndex::new("");
        assert_eq!(empty.position("", 0, Encoding::Utf16), LineCol { line: 0, col: 0 });
    }
}
