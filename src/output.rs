//! Writing outputs without losing anything.
//!
//! Three promises, each held here and nowhere else:
//!
//! - **An output never replaces an input.** [`Inputs::refuse_output`] says
//!   no before anything is written when an output is one of the inputs, or
//!   would be read as an input by the next run.
//! - **A write is all or nothing.** A file is written to an unpredictable
//!   temporary name created exclusively beside it (so a planted symlink
//!   cannot redirect it), synced, and renamed over the old one: a reader
//!   sees the old file or the new one, never half of one.  A directory of
//!   outputs is written as a fresh directory and swapped in whole.
//! - **An interrupted run leaves no debris.** Temporary files and
//!   directories are registered until they are renamed into place; SIGINT,
//!   SIGTERM and SIGHUP remove them before the process exits.
//!
//! A written file keeps the mode and owner of the file it replaces, and a
//! symlinked output is written through to its target (the link stays).

use std::collections::BTreeSet;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The name of the list of files meshc wrote into an output directory, so
/// the next run can tell its own stale outputs from files it must keep.
/// `kubectl apply -f DIR` reads only `.yaml`, `.yml` and `.json` files.
pub const OUTPUTS_LIST: &str = ".meshc-outputs";

/// Temporary paths not yet renamed into place, removed on a signal.
static PENDING: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// Removes pending temporary files and directories when the process is
/// interrupted, then exits with status 130.  Call once, early in `main`.
pub fn clean_up_on_signals() {
    // An error means a handler is already installed: nothing to do.
    let _ = ctrlc::set_handler(|| {
        let pending = PENDING.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        for path in pending.iter() {
            // A directory registered here holds only meshc's own files
            // (see `write_dir`), so removing all of it loses nothing.
            let _ = std::fs::remove_file(path).or_else(|_| std::fs::remove_dir_all(path));
        }
        std::process::exit(130);
    });
}

fn unregister(path: &Path) {
    pending().retain(|p| p != path);
}

fn pending() -> std::sync::MutexGuard<'static, Vec<PathBuf>> {
    PENDING.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// How a command reads its input directories, to tell whether an output
/// would be read back as an input.
#[derive(Clone, Copy, Debug)]
pub struct Reading {
    /// File name endings that are read (without the dot).
    pub extensions: &'static [&'static str],
    /// Whether subdirectories are read too.
    pub recursive: bool,
}

/// The input paths of one run (files and directories; `-` is skipped).
#[derive(Clone, Debug)]
pub struct Inputs {
    paths: Vec<PathBuf>,
    reading: Reading,
}

impl Inputs {
    /// The inputs named on the command line, read as `reading` says.
    pub fn new(paths: &[PathBuf], reading: Reading) -> Self {
        let paths = paths
            .iter()
            .filter(|p| p.as_os_str() != "-")
            .filter_map(|p| absolute(p))
            .collect();
        Inputs { paths, reading }
    }

    /// Refuses an output that is one of the inputs or would be read as one
    /// by the next run.  `file_names` are the names an output directory
    /// will hold; `None` means `output` is a file.
    pub fn refuse_output(&self, output: &Path, file_names: Option<&[String]>) -> Result<(), String> {
        let Some(out) = absolute(output) else {
            return Ok(());
        };
        let shown = output.display();
        match file_names {
            None => {
                for input in &self.paths {
                    if *input == out {
                        return Err(format!("`{shown}` is an input: writing to it would replace it"));
                    }
                    if self.reads(input, &out) {
                        return Err(format!(
                            "`{shown}` is inside the input directory `{}`: the next run would read it as an input",
                            input.display()
                        ));
                    }
                }
            }
            Some(names) => {
                for input in &self.paths {
                    if input.starts_with(&out) {
                        return Err(format!(
                            "the output directory `{shown}` holds the input `{}`: it is replaced as a whole, so choose a directory of its own",
                            input.display()
                        ));
                    }
                    if let Some(name) = names.iter().find(|name| self.reads(input, &out.join(name))) {
                        return Err(format!(
                            "`{}` would be inside the input directory `{}`: the next run would read it as an input",
                            out.join(name).display(),
                            input.display()
                        ));
                    }
                }
            }
        }
        Ok(())
    }

    /// Whether reading the input directory `dir` would read `file`.
    fn reads(&self, dir: &Path, file: &Path) -> bool {
        let Ok(rest) = file.strip_prefix(dir) else {
            return false;
        };
        let depth = rest.components().count();
        let extension = file.extension().and_then(|e| e.to_str()).unwrap_or("");
        depth >= 1 && (self.reading.recursive || depth == 1) && self.reading.extensions.contains(&extension)
    }
}

/// `path` made absolute and free of `.`, `..` and symlinks, as far as it
/// exists; the part that does not exist yet is appended as written.
fn absolute(path: &Path) -> Option<PathBuf> {
    let joined = if path.is_absolute() {
        path.to_path_buf()
    } else {
        std::env::current_dir().ok()?.join(path)
    };
    let mut missing = Vec::new();
    let mut existing = joined.as_path();
    loop {
        if let Ok(real) = existing.canonicalize() {
            let mut out = real;
            for part in missing.iter().rev() {
                out.push(part);
            }
            return Some(out);
        }
        missing.push(existing.file_name()?.to_os_string());
        existing = existing.parent()?;
    }
}

/// Where writing to `path` really writes: its final target when it is a
/// symlink (even a dangling one), else `path` itself.
fn write_target(path: &Path) -> PathBuf {
    let mut current = path.to_path_buf();
    // Linux's own limit on symlinks followed in one lookup.
    for _ in 0..40 {
        match std::fs::read_link(&current) {
            Ok(target) => {
                current = match current.parent() {
                    Some(parent) => parent.join(target),
                    None => target,
                };
            }
            Err(_) => return current,
        }
    }
    current
}

/// Writes one file all or nothing (see the module comment).
pub fn write_file(path: &Path, fill: impl FnOnce(&mut dyn Write) -> io::Result<()>) -> Result<(), String> {
    let target = write_target(path);
    let fail = |e: io::Error| format!("cannot write `{}`: {}", path.display(), reason(&e));
    let dir = target
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let old = std::fs::metadata(&target).ok();
    if old.as_ref().is_some_and(|m| m.is_dir()) {
        return Err(format!("cannot write `{}`: it is a directory", path.display()));
    }
    // Created and registered under the lock, so a signal in between
    // cannot miss it.
    let mut registry = pending();
    let temp = temp_file_in(dir, &target).map_err(fail)?;
    registry.push(temp.path().to_path_buf());
    drop(registry);
    let result = fill_and_sync(&temp, old.as_ref(), fill).and_then(|()| {
        let mut pending = pending();
        let temp_path = temp.path().to_path_buf();
        let renamed = temp.persist(&target).map(drop).map_err(|e| e.error);
        pending.retain(|p| *p != temp_path);
        renamed
    });
    result.map_err(fail)
}

/// A new temporary file beside `target`, with the permissions a new file
/// gets (the umask applies).
fn temp_file_in(dir: &Path, target: &Path) -> io::Result<tempfile::NamedTempFile> {
    let prefix = hidden_prefix(target);
    temp_builder(&prefix, 0o666).tempfile_in(dir)
}

/// `.NAME.`: temporary entries are hidden and say what they stand for.
fn hidden_prefix(target: &Path) -> String {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    format!(".{name}.")
}

/// Names temporary entries `.NAME.RANDOM.meshc-tmp`, created with `mode`
/// less the umask.
fn temp_builder(prefix: &str, mode: u32) -> tempfile::Builder<'_, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix).suffix(".meshc-tmp");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(std::fs::Permissions::from_mode(mode));
    }
    #[cfg(not(unix))]
    let _ = mode;
    builder
}

/// Writes the contents, gives the file the old file's mode and owner, and
/// syncs it to disk (a rename after a crash must not reveal an empty file).
fn fill_and_sync(
    temp: &tempfile::NamedTempFile,
    old: Option<&std::fs::Metadata>,
    fill: impl FnOnce(&mut dyn Write) -> io::Result<()>,
) -> io::Result<()> {
    let mut writer = io::BufWriter::with_capacity(1 << 16, temp.as_file());
    fill(&mut writer)?;
    writer.flush()?;
    drop(writer);
    if let Some(old) = old {
        temp.as_file().set_permissions(old.permissions())?;
        keep_owner(temp.as_file(), old);
    }
    temp.as_file().sync_all()
}

#[cfg(unix)]
fn keep_owner(file: &std::fs::File, old: &std::fs::Metadata) {
    use std::os::unix::fs::MetadataExt;
    // Only root may give a file away; anyone else keeps their own files.
    let _ = std::os::unix::fs::fchown(file, Some(old.uid()), Some(old.gid()));
}

#[cfg(not(unix))]
fn keep_owner(_: &std::fs::File, _: &std::fs::Metadata) {}

/// What [`write_dir`] did besides writing its files.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DirReport {
    /// Files meshc wrote last time that this run no longer produces.
    pub removed: Vec<String>,
    /// Entries meshc did not write, left where they were.
    pub kept: Vec<String>,
}

/// Writes `files` (name, contents) as the directory `dir`, all or nothing.
///
/// The files are written into a fresh directory beside `dir`, which then
/// takes `dir`'s place in one rename.  Files that an earlier run wrote
/// (listed in [`OUTPUTS_LIST`]) and this run does not are gone; anything
/// else in `dir` is carried over untouched and reported.  A file name that
/// is produced twice, or that belongs to a file meshc did not write, is an
/// error before anything is written.
pub fn write_dir(dir: &Path, files: &[(String, &[u8])]) -> Result<DirReport, String> {
    let mut names = BTreeSet::new();
    for (name, _) in files {
        if !names.insert(name.as_str()) {
            return Err(format!(
                "two resources would both be written to `{}`: give one of them another name or namespace",
                dir.join(name).display()
            ));
        }
    }
    let dir = write_target(dir);
    let shown = dir.display().to_string();
    let fail = |e: io::Error| format!("cannot write `{shown}`: {}", reason(&e));
    let old = match std::fs::symlink_metadata(&dir) {
        Ok(meta) if meta.is_dir() => Some(meta),
        Ok(_) => return Err(format!("cannot write `{shown}`: it is not a directory")),
        Err(e) if e.kind() == io::ErrorKind::NotFound => None,
        Err(e) => return Err(fail(e)),
    };
    let mut report = DirReport::default();
    let mut foreign = Vec::new();
    if old.is_some() {
        let ours = previous_outputs(&dir);
        let entries = std::fs::read_dir(&dir).map_err(fail)?;
        for entry in entries {
            let name = entry.map_err(fail)?.file_name().to_string_lossy().into_owned();
            if name == OUTPUTS_LIST {
                continue;
            }
            if ours.contains(&name) {
                if !names.contains(name.as_str()) {
                    report.removed.push(name);
                }
            } else if names.contains(name.as_str()) {
                return Err(format!(
                    "`{}` was not written by meshc: move it away or write to another directory",
                    dir.join(&name).display()
                ));
            } else {
                foreign.push(name);
            }
        }
    }
    let parent = dir
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(fail)?;
    let prefix = hidden_prefix(&dir);
    let mut registry = pending();
    let fresh = temp_builder(&prefix, 0o777).tempdir_in(parent).map_err(fail)?.keep();
    registry.push(fresh.clone());
    drop(registry);
    let filled = fill_dir(&fresh, &dir, files, &foreign, old.as_ref());
    if let Err(e) = filled {
        let _ = std::fs::remove_dir_all(&fresh);
        unregister(&fresh);
        return Err(fail(e));
    }
    // From here on the old directory may hold entries that are not ours:
    // no signal may remove it until they are moved across.
    let mut pending = pending();
    let swapped = swap_in(&fresh, &dir, old.is_some(), &foreign);
    pending.retain(|p| *p != fresh);
    drop(pending);
    match swapped {
        Ok(Some(previous)) => {
            // Only meshc's own outputs and links to the kept files are left.
            let _ = std::fs::remove_dir_all(previous);
        }
        Ok(None) => {}
        Err(e) => {
            let _ = std::fs::remove_dir_all(&fresh);
            return Err(fail(e));
        }
    }
    if let Ok(parent) = std::fs::File::open(parent) {
        let _ = parent.sync_all();
    }
    report.removed.sort();
    foreign.sort();
    report.kept = foreign;
    Ok(report)
}

/// The names listed in `dir`'s [`OUTPUTS_LIST`].
fn previous_outputs(dir: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(dir.join(OUTPUTS_LIST))
        .map(|text| text.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Fills the fresh directory: the files, their list, and hard links to the
/// regular files that are not meshc's (directories and other entries are
/// moved across after the swap).
fn fill_dir(
    fresh: &Path,
    dir: &Path,
    files: &[(String, &[u8])],
    foreign: &[String],
    old: Option<&std::fs::Metadata>,
) -> io::Result<()> {
    let mut list = String::new();
    for (name, contents) in files {
        write_new(&fresh.join(name), contents)?;
        list.push_str(name);
        list.push('\n');
    }
    write_new(&fresh.join(OUTPUTS_LIST), list.as_bytes())?;
    for name in foreign {
        let from = dir.join(name);
        if std::fs::symlink_metadata(&from)?.is_file() {
            std::fs::hard_link(&from, fresh.join(name))?;
        }
    }
    if let Some(old) = old {
        std::fs::set_permissions(fresh, old.permissions())?;
    }
    std::fs::File::open(fresh)?.sync_all()
}

/// Creates a file that must not exist yet and syncs it.
fn write_new(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut file = std::fs::OpenOptions::new().write(true).create_new(true).open(path)?;
    file.write_all(contents)?;
    file.sync_all()
}

/// Puts `fresh` in `dir`'s place.  When `dir` existed, returns where the
/// old directory now is, after moving the entries that are not meshc's and
/// could not be linked (subdirectories and the like) into the new one.
fn swap_in(fresh: &Path, dir: &Path, existed: bool, foreign: &[String]) -> io::Result<Option<PathBuf>> {
    if !existed {
        std::fs::rename(fresh, dir)?;
        return Ok(None);
    }
    exchange(fresh, dir)?;
    // `fresh` now names the old directory.
    for name in foreign {
        let from = fresh.join(name);
        if !std::fs::symlink_metadata(&from)?.is_file() {
            std::fs::rename(&from, dir.join(name))?;
        }
    }
    Ok(Some(fresh.to_path_buf()))
}

/// Swaps two directories in one step (Linux `renameat2(RENAME_EXCHANGE)`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    let a = std::ffi::CString::new(a.as_os_str().as_bytes())?;
    let b = std::ffi::CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths that outlive the call.
    let status = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if status == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Elsewhere: the old directory is moved aside, then the new one moved in.
#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    let aside = a.with_extension("meshc-old");
    std::fs::rename(b, &aside)?;
    if let Err(e) = std::fs::rename(a, b) {
        let _ = std::fs::rename(&aside, b);
        return Err(e);
    }
    std::fs::rename(&aside, a)
}

/// A short reason for an I/O error.
pub fn reason(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => error.to_string(),
    }
}
