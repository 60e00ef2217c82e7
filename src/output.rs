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
//!   outputs is written in full in a fresh directory before any of it
//!   takes the place of the old (see [`write_dir`]).
//! - **An interrupted run leaves no debris.** Temporary files and
//!   directories are registered until they are renamed into place; SIGINT,
//!   SIGTERM and SIGHUP remove them before the process exits.
//!
//! A written file keeps the mode of the file it replaces, and its owner
//! where the user may give files away (root); a symlinked output is
//! written through to its target (the link stays).

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
        // Where the output really goes: through a symlink, even a dangling one.
        let Some(out) = absolute(&write_target(output)) else {
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

/// Writes `files` (name, contents) into the directory `dir`, all or
/// nothing.
///
/// The directory is created if need be and locked (`flock`), so runs into
/// one directory take turns.  Every file is first written into a fresh
/// hidden directory inside it and synced; a failure there (a full disk,
/// say) leaves `dir` as it was.  The files are then renamed into `dir`,
/// which cannot fail for lack of space, with signals held off.  `dir` keeps
/// its identity, so a shell or another process inside it stays there.
/// Files an earlier run wrote (listed in [`OUTPUTS_LIST`]) that this run
/// does not produce are removed; anything else is left alone and reported.
/// A file name produced twice, or one that belongs to a file meshc did not
/// write, is an error before anything is written.
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
    let shown = dir.display().to_string();
    let fail = |e: io::Error| format!("cannot write `{shown}`: {}", reason(&e));
    let created = match std::fs::metadata(dir) {
        Ok(meta) if meta.is_dir() => false,
        Ok(_) => return Err(format!("cannot write `{shown}`: it is not a directory")),
        Err(e) if e.kind() == io::ErrorKind::NotFound => true,
        Err(e) => return Err(fail(e)),
    };
    std::fs::create_dir_all(dir).map_err(fail)?;
    let result = lock_dir(dir).and_then(|_lock| write_locked(dir, files, &names));
    if result.is_err() && created {
        // Only succeeds while it is still empty: nothing else is lost.
        let _ = std::fs::remove_dir(dir);
    }
    result.map_err(|e| match e {
        Refused(why) => why,
        Io(e) => fail(e),
    })
}

/// Why [`write_locked`] stopped.
enum DirError {
    /// A file meshc did not write is in the way.
    Refused(String),
    Io(io::Error),
}
use DirError::{Io, Refused};

impl From<io::Error> for DirError {
    fn from(e: io::Error) -> Self {
        Io(e)
    }
}

/// An exclusive lock on the directory itself, held while the file lives.
fn lock_dir(dir: &Path) -> Result<std::fs::File, DirError> {
    let file = std::fs::File::open(dir)?;
    file.lock()?;
    Ok(file)
}

/// [`write_dir`] once `dir` exists and is locked.
fn write_locked(dir: &Path, files: &[(String, &[u8])], names: &BTreeSet<&str>) -> Result<DirReport, DirError> {
    let mut report = DirReport::default();
    let ours = previous_outputs(dir);
    for entry in std::fs::read_dir(dir)? {
        let name = entry?.file_name().to_string_lossy().into_owned();
        // The list, and what an interrupted run (SIGKILL) left behind.
        if name == OUTPUTS_LIST || is_temporary(&name) {
            continue;
        }
        if ours.contains(&name) {
            if !names.contains(name.as_str()) {
                report.removed.push(name);
            }
        } else if names.contains(name.as_str()) {
            return Err(Refused(format!(
                "`{}` was not written by meshc: move it away or write to another directory",
                dir.join(&name).display()
            )));
        } else {
            report.kept.push(name);
        }
    }
    let prefix = hidden_prefix(Path::new("output"));
    let mut registry = pending();
    let fresh = temp_builder(&prefix, 0o777).tempdir_in(dir)?.keep();
    registry.push(fresh.clone());
    drop(registry);
    let result = fill_dir(&fresh, files).and_then(|()| {
        // No signal may interrupt the moves: the registry stays locked.
        let mut registry = pending();
        let moved = move_in(&fresh, dir, files, &report.removed);
        registry.retain(|p| *p != fresh);
        moved
    });
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&fresh);
        unregister(&fresh);
        return Err(Io(e));
    }
    report.removed.sort();
    report.kept.sort();
    Ok(report)
}

/// Whether a directory entry is a temporary one of meshc's.
fn is_temporary(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".meshc-tmp")
}

/// The names listed in `dir`'s [`OUTPUTS_LIST`].
fn previous_outputs(dir: &Path) -> BTreeSet<String> {
    std::fs::read_to_string(dir.join(OUTPUTS_LIST))
        .map(|text| text.lines().map(str::to_string).collect())
        .unwrap_or_default()
}

/// Writes the files into the fresh directory, then syncs them all.  Each
/// file is created under the registry's lock, so a signal's clean-up never
/// races a file being created (it would leave the directory behind).
fn fill_dir(fresh: &Path, files: &[(String, &[u8])]) -> io::Result<()> {
    for (name, contents) in files {
        let _registry = pending();
        std::fs::write(fresh.join(name), contents)?;
    }
    sync_all_files(fresh, files)
}

/// Makes the written files durable.  On Linux one `syncfs` of their file
/// system (a sync per file took 23 s for 60,000 files); elsewhere a sync
/// per file.
#[cfg(target_os = "linux")]
fn sync_all_files(fresh: &Path, _files: &[(String, &[u8])]) -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let dir = std::fs::File::open(fresh)?;
    // SAFETY: `syncfs` only reads the descriptor, which `dir` keeps open.
    if unsafe { libc::syncfs(dir.as_raw_fd()) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn sync_all_files(fresh: &Path, files: &[(String, &[u8])]) -> io::Result<()> {
    for (name, _) in files {
        std::fs::File::open(fresh.join(name))?.sync_all()?;
    }
    std::fs::File::open(fresh)?.sync_all()
}

/// Renames the fresh files into `dir` and removes the stale outputs.  The
/// list is written first with the stale names still in it, and again
/// without them at the end: whenever the process stops, every file meshc
/// wrote is listed, so the next run can still tell it from the user's.
fn move_in(fresh: &Path, dir: &Path, files: &[(String, &[u8])], stale: &[String]) -> io::Result<()> {
    let listed = |extra: &[String]| {
        let mut list = String::new();
        for name in files.iter().map(|(name, _)| name).chain(extra) {
            list.push_str(name);
            list.push('\n');
        }
        let staged = fresh.join(OUTPUTS_LIST);
        std::fs::write(&staged, list)?;
        std::fs::File::open(&staged)?.sync_all()?;
        std::fs::rename(&staged, dir.join(OUTPUTS_LIST))
    };
    listed(stale)?;
    for (name, _) in files {
        std::fs::rename(fresh.join(name), dir.join(name))?;
    }
    for name in stale {
        let _ = std::fs::remove_file(dir.join(name));
    }
    if !stale.is_empty() {
        listed(&[])?;
    }
    std::fs::remove_dir(fresh)?;
    std::fs::File::open(dir)?.sync_all()
}

/// A short reason for an I/O error.
pub fn reason(error: &io::Error) -> String {
    match error.kind() {
        io::ErrorKind::NotFound => "no such file or directory".into(),
        io::ErrorKind::PermissionDenied => "permission denied".into(),
        _ => error.to_string(),
    }
}
