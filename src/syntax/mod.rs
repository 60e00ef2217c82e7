//! Syntax: text in, [`ast::File`] and syntax diagnostics out.
//!
//! Invariant: parsing never fails.  A line the grammar cannot read becomes a
//! diagnostic and is left out of the tree; the parser goes on with the next
//! line or block, so the rest of the file is still checked.  No pest type
//! leaves this module.

pub mod ast;
mod explain;
mod grammar;
mod lower;
mod lower_test;
mod pieces;
mod shift;
pub mod tokens;
mod unclosed;

use crate::diag::Diagnostic;
use crate::span::FileId;

/// The result of parsing one file.
#[derive(Clone, Debug)]
pub struct Parsed {
    /// The syntax tree (without the lines that could not be read).
    pub file: ast::File,
    /// Syntax errors, in source order.
    pub diagnostics: Vec<Diagnostic>,
}

/// Parses the text of file `file`.
pub fn parse(file: FileId, text: &str) -> Parsed {
    pieces::parse(file, text)
}

pub(crate) use lower::inexact_number;
pub(crate) use pieces::MAX_NESTING;
pub use pieces::ParseCache;

/// Parses like [`parse`], reusing the unchanged parts of the previous parse
/// of the same file, as `cache` holds them (for editors, which parse at
/// every edit).
pub fn parse_cached(file: FileId, text: &str, cache: &mut ParseCache) -> Parsed {
    pieces::parse_cached(file, text, cache)
}
