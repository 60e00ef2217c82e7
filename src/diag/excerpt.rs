//! What one rendered diagnostic shows of its sources: a bounded, printable
//! excerpt, never the raw text.
//!
//! codespan-reporting prints every source line a label touches, whole.  A
//! diagnostic on a 200 KB line would print all of it (and 2,000 of them,
//! 400 MB), a label over 40,000 lines would print them all, and control
//! characters in the source would reach the terminal (an OSC escape can
//! retitle it).  So each diagnostic is rendered from an [`Excerpt`]: per
//! label one line, cut to a window around the label, with control
//! characters escaped, presented to codespan with the real line and column
//! numbers.

use std::ops::Range;

use codespan_reporting::files::{Error, Files};

use crate::span::{Encoding, FileId, Sources, Span};

/// The most bytes of a label's own text shown on its line.
const MAX_LABEL_BYTES: usize = 120;
/// Lines up to this long are shown whole.
const WHOLE_LINE_BYTES: usize = 200;
/// Bytes of context shown on each side of the labels of a longer line.
const CONTEXT_BYTES: usize = 60;

/// `text` with control characters (and the bidirectional overrides that
/// can reorder what a terminal shows) written as `\u{..}` escapes.
pub fn printable(text: &str) -> std::borrow::Cow<'_, str> {
    if !text.chars().any(needs_escape) {
        return std::borrow::Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        push_printable(&mut out, c);
    }
    std::borrow::Cow::Owned(out)
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

fn push_printable(out: &mut String, c: char) {
    if needs_escape(c) {
        out.push_str(&c.escape_unicode().to_string());
    } else {
        out.push(c);
    }
}

/// One line of an excerpt.
struct Shown {
    /// Where the line starts in the excerpt's text.
    start: usize,
    /// Its zero-based line index in the real file.
    line: usize,
    /// For each byte of the shown line, the real byte offset it stands
    /// for (one more entry for the end of the line).
    real: Vec<usize>,
}

/// The lines one diagnostic shows of one file.
struct ExcerptFile {
    id: FileId,
    name: String,
    text: String,
    lines: Vec<Shown>,
}

/// The files of one diagnostic, cut down to what it shows.
pub struct Excerpt<'s> {
    sources: &'s Sources,
    files: Vec<ExcerptFile>,
}

impl<'s> Excerpt<'s> {
    /// An excerpt showing `spans`: each becomes a span of the excerpt (same
    /// order), at most one line and [`MAX_LABEL_BYTES`] long.
    pub fn new(sources: &'s Sources, spans: &[Span]) -> (Excerpt<'s>, Vec<Span>) {
        let mut excerpt = Excerpt {
            sources,
            files: Vec::new(),
        };
        // (file, line) -> the clipped label ranges on it, in real bytes.
        let mut wanted: Vec<(FileId, usize, Range<usize>)> = Vec::new();
        for span in spans {
            let Some(file) = sources.get(span.file) else {
                wanted.push((span.file, 0, 0..0));
                continue;
            };
            let start = (span.start as usize).min(file.text.len());
            let line = file.lines.line_of(start);
            let line_range = file.lines.line_range(line, file.text.len()).unwrap_or(start..start);
            let line_end = line_range.end.min(file.text.len());
            let mut end = (span.end as usize).clamp(start, line_end.max(start));
            if end - start > MAX_LABEL_BYTES {
                end = floor_char(&file.text, start + MAX_LABEL_BYTES);
            }
            wanted.push((span.file, line, start..end));
        }
        for (file, line, _) in &wanted {
            let on_line: Vec<Range<usize>> = wanted
                .iter()
                .filter(|(f, l, _)| f == file && l == line)
                .map(|(_, _, r)| r.clone())
                .collect();
            excerpt.show(*file, *line, &on_line);
        }
        // codespan shows the one line between two labelled lines rather
        // than a break: show it too, from its start.
        let mut between = Vec::new();
        for file in &excerpt.files {
            for pair in file.lines.windows(2) {
                if let [a, b] = pair
                    && b.line == a.line + 2
                {
                    between.push((file.id, a.line + 1));
                }
            }
        }
        for (file, line) in between {
            let start = excerpt
                .sources
                .get(file)
                .and_then(|f| f.lines.line_range(line, f.text.len()))
                .map_or(0, |r| r.start);
            excerpt.show(file, line, std::slice::from_ref(&(start..start)));
        }
        let mapped = wanted
            .iter()
            .map(|(file, line, range)| {
                let shown = excerpt
                    .files
                    .iter()
                    .find(|f| f.id == *file)
                    .and_then(|f| f.lines.iter().find(|s| s.line == *line));
                let at = |real: usize| {
                    shown.map_or(0, |s| {
                        s.start
                            + s.real
                                .iter()
                                .position(|&r| r >= real)
                                .unwrap_or(s.real.len().saturating_sub(1))
                    })
                };
                let start = at(range.start);
                Span::new(*file, start, at(range.end).max(start))
            })
            .collect();
        (excerpt, mapped)
    }

    /// Adds `line` of `file`, cut to a window around `labels`, unless it is
    /// there already.
    fn show(&mut self, id: FileId, line: usize, labels: &[Range<usize>]) -> Option<()> {
        let source = self.sources.get(id)?;
        let index = match self.files.iter().position(|f| f.id == id) {
            Some(index) => index,
            None => {
                self.files.push(ExcerptFile {
                    id,
                    name: printable(&source.name).into_owned(),
                    text: String::new(),
                    lines: Vec::new(),
                });
                self.files.len() - 1
            }
        };
        let file = self.files.get_mut(index)?;
        if file.lines.iter().any(|s| s.line == line) {
            return Some(());
        }
        let text = &source.text;
        let line_range = source.lines.line_range(line, text.len())?;
        let content_end = text.get(line_range.clone()).map_or(line_range.start, |l| {
            line_range.start + l.trim_end_matches(['\n', '\r']).len()
        });
        let first = labels.iter().map(|r| r.start).min().unwrap_or(line_range.start);
        let last = labels.iter().map(|r| r.end).max().unwrap_or(first);
        let (from, to) = if content_end - line_range.start <= WHOLE_LINE_BYTES {
            (line_range.start, content_end)
        } else {
            let from = ceil_char(text, first.saturating_sub(CONTEXT_BYTES).max(line_range.start));
            (
                from,
                floor_char(text, (last + CONTEXT_BYTES).min(content_end)).max(from),
            )
        };
        // Lines are kept in order, with empty lines for the gaps.
        let mut shown_text = String::new();
        let mut real = Vec::new();
        if from > line_range.start {
            shown_text.push('…');
            real.extend(std::iter::repeat_n(from, '…'.len_utf8()));
        }
        for (offset, c) in text.get(from..to).unwrap_or("").char_indices() {
            let before = shown_text.len();
            push_printable(&mut shown_text, c);
            real.extend(std::iter::repeat_n(from + offset, shown_text.len() - before));
        }
        if to < content_end {
            shown_text.push('…');
            real.extend(std::iter::repeat_n(to, '…'.len_utf8()));
        }
        real.push(to);
        let position = file.lines.partition_point(|s| s.line < line);
        file.lines.insert(position, Shown { start: 0, line, real });
        // Lay the text out again with the new line in place.
        let mut texts: Vec<String> = Vec::with_capacity(file.lines.len());
        for shown in &file.lines {
            if shown.line == line {
                texts.push(shown_text.clone());
            } else {
                let old = file
                    .text
                    .get(shown.start..shown.start + shown.real.len() - 1)
                    .unwrap_or("");
                texts.push(old.to_string());
            }
        }
        file.text.clear();
        let mut previous: Option<usize> = None;
        for (shown, text) in file.lines.iter_mut().zip(texts) {
            if previous.is_some_and(|p| shown.line > p + 1) {
                // Two empty lines: codespan prints a break (`·`).
                file.text.push_str("\n\n");
            }
            shown.start = file.text.len();
            file.text.push_str(&text);
            file.text.push('\n');
            previous = Some(shown.line);
        }
        Some(())
    }

    fn file(&self, id: FileId) -> Result<&ExcerptFile, Error> {
        self.files.iter().find(|f| f.id == id).ok_or(Error::FileMissing)
    }
}

fn floor_char(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

fn ceil_char(text: &str, mut at: usize) -> usize {
    at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at += 1;
    }
    at
}

impl<'a> Files<'a> for Excerpt<'_> {
    type FileId = FileId;
    type Name = &'a str;
    type Source = &'a str;

    fn name(&'a self, id: FileId) -> Result<&'a str, Error> {
        Ok(&self.file(id)?.name)
    }

    fn source(&'a self, id: FileId) -> Result<&'a str, Error> {
        Ok(&self.file(id)?.text)
    }

    fn line_index(&'a self, id: FileId, byte: usize) -> Result<usize, Error> {
        let text = &self.file(id)?.text;
        Ok(text.get(..byte.min(text.len())).map_or(0, |t| t.matches('\n').count()))
    }

    fn line_range(&'a self, id: FileId, line: usize) -> Result<Range<usize>, Error> {
        let text = &self.file(id)?.text;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let len = text
            .get(start..)
            .and_then(|t| t.split_inclusive('\n').next())
            .map_or(0, str::len);
        Ok(start..start + len)
    }

    /// The real line number, so the excerpt reads like the file.
    fn line_number(&'a self, id: FileId, line: usize) -> Result<usize, Error> {
        let file = self.file(id)?;
        let start = self.line_range(id, line)?.start;
        Ok(file.lines.iter().find(|s| s.start == start).map_or(line, |s| s.line) + 1)
    }

    /// The real column, counted in characters from the real line's start.
    fn column_number(&'a self, id: FileId, line: usize, byte: usize) -> Result<usize, Error> {
        let file = self.file(id)?;
        let start = self.line_range(id, line)?.start;
        let (Some(shown), Some(source)) = (file.lines.iter().find(|s| s.start == start), self.sources.get(id)) else {
            return Ok(1);
        };
        let real = shown.real.get(byte.saturating_sub(start)).copied().unwrap_or(0);
        Ok(source.lines.position(&source.text, real, Encoding::Utf32).col as usize + 1)
    }
}
