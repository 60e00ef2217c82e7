//! Which files make a program: the one rule the command line and the
//! language server share.  A directory given as a program is every `.mesh`
//! file directly in it (not in subdirectories), a regular file or a link
//! to one, in path order.

use std::path::{Path, PathBuf};

/// The `.mesh` files of the program in directory `dir`, sorted by path.
pub fn program_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|path| is_program_file(path))
        .collect();
    files.sort();
    Ok(files)
}

/// Whether `path` is a `.mesh` file a program directory contributes (a
/// FIFO or device named `.mesh` is not: reading it would block or never
/// end).
pub fn is_program_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "mesh") && path.is_file()
}
