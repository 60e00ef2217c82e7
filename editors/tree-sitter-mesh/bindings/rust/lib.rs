//! The tree-sitter grammar of `.mesh` files, for the editors that highlight
//! with tree-sitter (Helix, Zed, Neovim), as a Rust crate: the generated
//! parser of `grammar.js` and the highlight query.
//!
//! ```
//! let mut parser = tree_sitter::Parser::new();
//! parser.set_language(&tree_sitter_mesh::LANGUAGE.into()).unwrap();
//! let tree = parser.parse("service reviews { route { to v1 } }", None).unwrap();
//! assert!(!tree.root_node().has_error());
//! ```

use tree_sitter_language::LanguageFn;

unsafe extern "C" {
    fn tree_sitter_mesh() -> *const ();
}

/// The language of `.mesh` files.
// SAFETY: `tree_sitter_mesh` is the generated parser's entry point, which
// returns a pointer to its static language table.
pub const LANGUAGE: LanguageFn = unsafe { LanguageFn::from_raw(tree_sitter_mesh) };

/// The node types of the grammar (`src/node-types.json`).
pub const NODE_TYPES: &str = include_str!("../../src/node-types.json");

/// The highlight query (`queries/highlights.scm`), with Helix's capture names.
pub const HIGHLIGHTS_QUERY: &str = include_str!("../../queries/highlights.scm");

/// The indentation query of Helix (`queries/indents.scm`).
pub const INDENTS_QUERY: &str = include_str!("../../queries/indents.scm");
