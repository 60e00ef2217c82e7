//! Syntax: text in, [`ast::File`] and syntax diagnostics out.
//!
//! Invariant: parsing never fails.  A line the grammar cannot read becomes a
//! diagnostic and is left out of the tree; the parser goes on with the next
//! line or block, so the rest of the file is still checked.  No pest type
//! leaves this module.

pub mod ast;
mod grammar;
mod lower;
pub mod tokens;

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
    lower::parse(file, text)
}

pub use lower::ParseCache;
pub(crate) use lower::inexact_number;

/// Parses like [`parse`], reusing the unchanged parts of the previous parse
/// of the same file kept in `cache` (for editors, which parse at every edit).
pub fn parse_cached(file: FileId, text: &str, cache: &mut ParseCache) -> Parsed {
    lower::parse_cached(file, text, cache)
}

/// The keywords that may start an item in each kind of block, for
/// suggestions here and for completion in the language server.
pub mod keywords {
    /// Items of a file.
    pub const TOP: &[&str] = &["namespace", "service"];
    /// Items of a service block.
    pub const SERVICE: &[&str] = &[
        "subset",
        "policy",
        "route",
        "tcp",
        "tls",
        "http",
        "host",
        "hosts",
        "gateways",
        "export_to",
        "external_subsets",
        "workload_selector",
        "destination_rule",
        "virtual_service",
        "labels",
        "annotations",
    ];
    /// Items of a subset block (besides labels).
    pub const SUBSET: &[&str] = &["policy"];
    /// Statements of a route.
    pub const ROUTE: &[&str] = &[
        "match", "to", "timeout", "retries", "fault", "mirror", "rewrite", "redirect", "respond", "delegate",
        "headers", "cors",
    ];
    /// Match conditions.
    pub const CONDITIONS: &[&str] = &[
        "uri",
        "scheme",
        "method",
        "authority",
        "header",
        "query",
        "without",
        "source",
        "port",
        "gateway",
        "sni",
        "destination_subnet",
        "source_subnet",
        "name",
        "stat_prefix",
        "ignore_uri_case",
    ];
}
