//! Compiles the generated parser (`src/parser.c`, committed, as tree-sitter
//! grammars are) into the crate.

fn main() {
    let src = std::path::Path::new("src");
    let parser = src.join("parser.c");
    cc::Build::new()
        .std("c11")
        .include(src)
        // Generated code: its warnings are not ours to fix.
        .warnings(false)
        .file(&parser)
        .compile("tree-sitter-mesh");
    println!("cargo:rerun-if-changed={}", parser.display());
}
