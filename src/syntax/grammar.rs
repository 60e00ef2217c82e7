//! The pest parser generated from `grammar/mesh.pest`; private to `syntax`.
//!
//! pest is built without its `std` feature: with it, every rule call probes
//! the remaining native stack, which cost a tenth of a build.  Nesting is
//! bounded before parsing instead (`MAX_NESTING` in `lower`), which keeps
//! the parser's recursion far inside any thread's stack (a test parses the
//! deepest accepted input on a 2 MiB thread).

/// The generated parser.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/mesh.pest"]
pub(super) struct MeshParser;
