//! The pest parser generated from `grammar/mesh.pest`; private to `syntax`.

/// The generated parser.
#[derive(pest_derive::Parser)]
#[grammar = "../grammar/mesh.pest"]
pub(super) struct MeshParser;
