//! The command line's own parts, beside `main.rs` (the binary, not the
//! library): how diagnostics are reported (`report.rs`), and what is
//! generated from the clap definition for shells and `man` (`packaging.rs`).

pub mod packaging;
pub mod report;
