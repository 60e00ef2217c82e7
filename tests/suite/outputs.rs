//! Nothing lost: what `meshc` writes never replaces an input, a directory
//! of outputs is written whole or not at all, and an interrupted run leaves
//! no temporary files.  The real binary on real files.

use std::path::Path;
use std::process::Command;

use crate::cli::{meshc, path_str, scratch, text};
use crate::support::root;

const BOOKINFO: &str = "examples/bookinfo.mesh";

fn bookinfo() -> String {
    std::fs::read_to_string(root().join(BOOKINFO)).unwrap()
}

/// Every entry of `dir`, sorted, hidden ones included.
fn entries(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn an_output_that_is_an_input_is_refused() {
    let dir = scratch("output-is-input");
    let source = dir.join("t.mesh");
    std::fs::write(&source, bookinfo()).unwrap();
    for output in [source.clone(), dir.join("new.mesh")] {
        let out = meshc(&["build", path_str(&dir), "-o", path_str(&output)]);
        assert_eq!(out.status.code(), Some(2), "{}", path_str(&output));
        assert!(text(&out.stderr).contains("input"), "{}", text(&out.stderr));
    }
    let out = meshc(&["build", path_str(&source), "-o", path_str(&source)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&source).unwrap(), bookinfo());
    // A dangling symlink that points into the input directory.
    #[cfg(unix)]
    {
        let link = dir
            .parent()
            .unwrap()
            .join(format!("dangling-{}.yaml", std::process::id()));
        let _ = std::fs::remove_file(&link);
        std::os::unix::fs::symlink(dir.join("later.mesh"), &link).unwrap();
        let out = meshc(&["build", path_str(&dir), "-o", path_str(&link)]);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        assert!(!dir.join("later.mesh").exists());
        std::fs::remove_file(&link).unwrap();
    }
    // Writing `-o DIR/` into the source directory adds YAML files beside
    // the sources, which it never touches (and the next build does not read).
    let out = meshc(&["build", path_str(&source), "-o", &format!("{}/", path_str(&dir))]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(&source).unwrap(), bookinfo());
    assert!(dir.join("destinationrule-reviews.yaml").exists());
    let out = meshc(&["build", path_str(&dir), "-o", &format!("{}/", path_str(&dir))]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    for name in entries(&dir).into_iter().filter(|n| n.ends_with(".yaml")) {
        std::fs::remove_file(dir.join(name)).unwrap();
    }
    std::fs::remove_file(dir.join(".meshc-outputs")).unwrap();

    let yaml = dir.join("t.yaml");
    std::fs::write(&yaml, std::fs::read(root().join("examples/bookinfo.yaml")).unwrap()).unwrap();
    let before = std::fs::read(&yaml).unwrap();
    let out = meshc(&["import", path_str(&yaml), "-o", path_str(&yaml)]);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read(&yaml).unwrap(), before);
    // A YAML file anywhere under an imported directory is read next time.
    let nested = dir.join("sub/again.yaml");
    let out = meshc(&["import", path_str(&dir), "-o", path_str(&nested)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(!dir.join("sub").exists());
}

#[test]
fn output_file_names_that_collide_are_an_error() {
    let dir = scratch("collide");
    std::fs::write(
        dir.join("a.mesh"),
        "namespace destinationrule-x\nservice foo {\n  subset v1 { version = \"v1\" }\n}\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("b.mesh"),
        "service bar {\n  destination_rule \"x.destinationrule-foo\"\n  subset v1 { version = \"v1\" }\n}\n",
    )
    .unwrap();
    let out_dir = dir.join("out/");
    let out = meshc(&[
        "build",
        path_str(&dir.join("a.mesh")),
        path_str(&dir.join("b.mesh")),
        "-o",
        path_str(&out_dir),
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("destinationrule-x.destinationrule-foo.yaml"),
        "{}",
        text(&out.stderr)
    );
    assert!(!out_dir.exists());
}

/// A scratch directory holding the Bookinfo program `t.mesh`, built once
/// into `out/`: (directory, source, output directory, `out/` as an argument).
fn built_into_a_directory(name: &str) -> (std::path::PathBuf, std::path::PathBuf, std::path::PathBuf, String) {
    let dir = scratch(name);
    let source = dir.join("t.mesh");
    std::fs::write(&source, bookinfo()).unwrap();
    let out_dir = dir.join("out");
    let slash = format!("{}/", path_str(&out_dir));
    assert_eq!(
        meshc(&["build", path_str(&source), "-o", &slash]).status.code(),
        Some(0)
    );
    (dir, source, out_dir, slash)
}

#[test]
fn a_directory_of_outputs_is_replaced_whole() {
    let (dir, source, out_dir, slash) = built_into_a_directory("replace-dir");
    assert!(out_dir.join("destinationrule-ratings.yaml").exists());
    std::fs::write(out_dir.join("notes.txt"), "mine\n").unwrap();
    std::fs::create_dir(out_dir.join("extra")).unwrap();
    std::fs::write(out_dir.join("extra/keep.yaml"), "kind: ConfigMap\n").unwrap();

    // Renaming a service removes its old files and keeps the user's.
    std::fs::write(
        &source,
        bookinfo()
            .replace("service ratings", "service scores")
            .replace("ratings/v1", "scores/v1"),
    )
    .unwrap();
    let out = meshc(&["build", path_str(&source), "-o", &slash]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("removed 2 files") && stderr.contains("destinationrule-ratings.yaml"),
        "{stderr}"
    );
    assert!(
        stderr.contains("kept 2 entries") && stderr.contains("notes.txt"),
        "{stderr}"
    );
    let names = entries(&out_dir);
    assert!(names.contains(&"destinationrule-scores.yaml".to_string()), "{names:?}");
    assert!(!names.iter().any(|n| n.contains("ratings")), "{names:?}");
    assert_eq!(std::fs::read_to_string(out_dir.join("notes.txt")).unwrap(), "mine\n");
    assert_eq!(
        std::fs::read_to_string(out_dir.join("extra/keep.yaml")).unwrap(),
        "kind: ConfigMap\n"
    );
    assert_eq!(entries(&dir), ["out", "t.mesh"], "no temporary directory is left");

    // The directory stays the same directory, so a shell inside it stays
    // in it: `cd out && meshc build ../t.mesh -o .` works.
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let inode = std::fs::metadata(&out_dir).unwrap().ino();
        let out = Command::new(env!("CARGO_BIN_EXE_meshc"))
            .args(["build", "../t.mesh", "-o", "."])
            .current_dir(&out_dir)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        assert_eq!(std::fs::metadata(&out_dir).unwrap().ino(), inode);
        assert!(out_dir.join("destinationrule-scores.yaml").exists());
    }

    // A file meshc did not write is never replaced.
    std::fs::remove_file(out_dir.join(".meshc-outputs")).unwrap();
    let out = meshc(&["build", path_str(&source), "-o", &slash]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("was not written by meshc"),
        "{}",
        text(&out.stderr)
    );
}

/// Runs `meshc` with a limit on the size of any file it writes, as a full
/// disk would stop it part of the way through.
#[cfg(unix)]
fn meshc_with_file_size_limit(args: &[&str], bytes: u64) -> std::process::Output {
    use std::os::unix::process::CommandExt;
    let mut command = Command::new(env!("CARGO_BIN_EXE_meshc"));
    command.args(args).current_dir(root());
    // SAFETY: only async-signal-safe calls between fork and exec.
    unsafe {
        command.pre_exec(move || {
            libc::signal(libc::SIGXFSZ, libc::SIG_IGN);
            let limit = libc::rlimit {
                rlim_cur: bytes,
                rlim_max: bytes,
            };
            libc::setrlimit(libc::RLIMIT_FSIZE, &limit);
            Ok(())
        });
    }
    command.output().unwrap()
}

#[cfg(unix)]
#[test]
fn a_write_that_fails_half_way_changes_nothing() {
    let (dir, source, out_dir, slash) = built_into_a_directory("half-way");
    let before: Vec<(String, Vec<u8>)> = entries(&out_dir)
        .into_iter()
        .map(|n| (n.clone(), std::fs::read(out_dir.join(&n)).unwrap()))
        .collect();
    // Every file of the new build differs, and some are too large to write.
    std::fs::write(&source, bookinfo().replace("v1", "version-one")).unwrap();
    let out = meshc_with_file_size_limit(&["build", path_str(&source), "-o", &slash], 220);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    let after: Vec<(String, Vec<u8>)> = entries(&out_dir)
        .into_iter()
        .map(|n| (n.clone(), std::fs::read(out_dir.join(&n)).unwrap()))
        .collect();
    assert_eq!(before, after, "the old outputs are untouched");
    assert_eq!(entries(&dir), ["out", "t.mesh"], "no temporary directory is left");

    let file = dir.join("all.yaml");
    std::fs::write(&file, "old\n").unwrap();
    let out = meshc_with_file_size_limit(&["build", path_str(&source), "-o", path_str(&file)], 500);
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "old\n");
    assert_eq!(
        entries(&dir),
        ["all.yaml", "out", "t.mesh"],
        "no temporary file is left"
    );
}

#[cfg(unix)]
#[test]
fn writes_go_through_symlinks_and_keep_the_mode() {
    use std::os::unix::fs::PermissionsExt;
    let dir = scratch("symlinks");
    let real = dir.join("real.yaml");
    std::fs::write(&real, "old\n").unwrap();
    std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).unwrap();
    let link = dir.join("link.yaml");
    std::os::unix::fs::symlink("real.yaml", &link).unwrap();
    let out = meshc(&["build", BOOKINFO, "-o", path_str(&link)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(std::fs::symlink_metadata(&link).unwrap().file_type().is_symlink());
    assert_eq!(
        std::fs::read(&real).unwrap(),
        std::fs::read(root().join("examples/bookinfo.yaml")).unwrap()
    );
    assert_eq!(std::fs::metadata(&real).unwrap().permissions().mode() & 0o777, 0o640);

    // `fmt` formats the file a link points to, and keeps the link.
    let source = dir.join("messy.mesh");
    std::fs::write(&source, "service a {\nroute { to a }\n}\n").unwrap();
    std::fs::set_permissions(&source, std::fs::Permissions::from_mode(0o640)).unwrap();
    let source_link = dir.join("link.mesh");
    std::os::unix::fs::symlink("messy.mesh", &source_link).unwrap();
    assert_eq!(meshc(&["fmt", path_str(&source_link)]).status.code(), Some(0));
    assert!(
        std::fs::symlink_metadata(&source_link)
            .unwrap()
            .file_type()
            .is_symlink()
    );
    assert_eq!(
        std::fs::read_to_string(&source).unwrap(),
        "service a {\n  route { to a }\n}\n"
    );
    assert_eq!(std::fs::metadata(&source).unwrap().permissions().mode() & 0o777, 0o640);
    assert_eq!(entries(&dir), ["link.mesh", "link.yaml", "messy.mesh", "real.yaml"]);
}

/// A program large enough that writing and syncing its YAML takes a while.
fn large_program(services: usize) -> String {
    let mut text = String::new();
    for i in 0..services {
        text.push_str(&format!(
            "service s{i} {{\n  subset v1 {{ version = \"v1\" }}\n  subset v2 {{ version = \"v2\" }}\n  route {{ to v1 50%, v2 50% }}\n}}\n"
        ));
    }
    text
}

/// Runs `meshc build SOURCE -o OUTPUT` until a SIGINT lands while a
/// temporary entry exists in `watched`; after each run no temporary entry
/// may be left.  Returns how many runs were interrupted that way.
#[cfg(unix)]
fn interrupt_while_writing(source: &Path, output: &str, watched: &Path) -> usize {
    let temporary = |dir: &Path| {
        std::fs::read_dir(dir)
            .map(|entries| {
                entries
                    .filter_map(|e| e.ok())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .find(|n| n.ends_with(".meshc-tmp"))
            })
            .unwrap_or(None)
    };
    let mut interrupted = 0;
    // The signal must arrive while the temporary entry exists; a run that
    // finishes first proves nothing and is tried again.
    for _ in 0..10 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_meshc"))
            .args(["build", path_str(source), "-o", output])
            .spawn()
            .unwrap();
        let mut seen = false;
        while child.try_wait().unwrap().is_none() {
            if temporary(watched).is_some() {
                seen = true;
                // SAFETY: sending a signal to our own child process.
                unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) };
                break;
            }
            std::thread::sleep(std::time::Duration::from_micros(200));
        }
        let status = child.wait().unwrap();
        assert_eq!(temporary(watched), None, "a temporary entry is left behind");
        if seen && status.code() == Some(130) {
            interrupted += 1;
        }
        if interrupted >= 2 {
            break;
        }
    }
    interrupted
}

#[cfg(unix)]
#[test]
fn an_interrupted_write_leaves_no_temporary_file() {
    let dir = scratch("interrupted");
    let source = dir.join("big.mesh");
    std::fs::write(&source, large_program(20_000)).unwrap();
    let target = dir.join("out.yaml");
    std::fs::write(&target, "old\n").unwrap();
    assert!(
        interrupt_while_writing(&source, path_str(&target), &dir) >= 1,
        "no run was interrupted while writing"
    );
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "old\n");

    // Into a directory: the fresh directory inside it goes too, and the
    // outputs already there stay as they were.
    let out_dir = dir.join("out");
    let slash = format!("{}/", path_str(&out_dir));
    let small = dir.join("small.mesh");
    std::fs::write(&small, bookinfo()).unwrap();
    assert_eq!(meshc(&["build", path_str(&small), "-o", &slash]).status.code(), Some(0));
    let before = entries(&out_dir);
    assert!(
        interrupt_while_writing(&source, &slash, &out_dir) >= 1,
        "no run was interrupted while writing"
    );
    assert_eq!(entries(&out_dir), before);
}

/// Two runs into one new output directory at once take turns (CI jobs
/// that share a directory): both succeed, and the list names every file.
#[test]
fn concurrent_runs_into_one_directory_take_turns() {
    let dir = scratch("concurrent");
    let source = dir.join("big.mesh");
    std::fs::write(&source, large_program(2_000)).unwrap();
    let out_dir = dir.join("out");
    let slash = format!("{}/", path_str(&out_dir));
    let runs: Vec<_> = (0..2)
        .map(|_| {
            Command::new(env!("CARGO_BIN_EXE_meshc"))
                .args(["build", path_str(&source), "-o", &slash])
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    for run in runs {
        let out = run.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    }
    let mut listed: Vec<String> = std::fs::read_to_string(out_dir.join(".meshc-outputs"))
        .unwrap()
        .lines()
        .map(str::to_string)
        .collect();
    listed.sort();
    let mut written = entries(&out_dir);
    written.retain(|n| n != ".meshc-outputs");
    assert_eq!(listed, written);
    assert_eq!(written.len(), 4_000);
}

/// File names reach the terminal escaped, like the text of diagnostics.
#[cfg(unix)]
#[test]
fn control_characters_in_file_names_are_escaped() {
    let dir = scratch("control-names");
    let source = dir.join("q\u{1b}[2J.mesh");
    std::fs::write(&source, "service a {}\n").unwrap();
    let out = meshc(&["build", path_str(&source), "-o", path_str(&source)]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(!stderr.contains('\u{1b}') && stderr.contains("\\u{1b}"), "{stderr:?}");
}

/// Directory walks read what they can and name what they skip: link
/// cycles end, FIFOs and devices are not read, and for `--workloads` files
/// that are not YAML (Helm templates, binary files, duplicate keys) are
/// warnings; `kind: List`, Argo `Rollout` and `CronJob` pods are read.
#[cfg(unix)]
#[test]
fn workload_walks_skip_what_they_cannot_read() {
    let dir = scratch("walks");
    let manifests = dir.join("k8s");
    std::fs::create_dir(&manifests).unwrap();
    let write = |name: &str, text: &[u8]| std::fs::write(manifests.join(name), text).unwrap();
    write(
        "list.yaml",
        b"kind: List\nitems:\n- kind: Service\n  metadata: {name: web}\n  spec: {selector: {app: web}}\n- kind: Service\n  metadata: {name: jobs}\n  spec: {selector: {app: jobs}}\n",
    );
    write(
        "rollout.yaml",
        b"kind: Rollout\nmetadata: {name: web}\nspec:\n  template:\n    metadata: {labels: {app: web, version: v2}}\n",
    );
    write(
        "cron.yaml",
        b"kind: CronJob\nmetadata: {name: jobs}\nspec:\n  jobTemplate:\n    spec:\n      template:\n        metadata: {labels: {app: jobs, version: v1}}\n",
    );
    write("helm.yaml", b"{{- if .Values.enabled }}\nkind: Service\n{{- end }}\n");
    write("binary.yaml", &[0xff, 0xfe, 0x00, 0x01]);
    write("config.yaml", b"kind: ConfigMap\ndata:\n  a: 1\n  a: 2\n");
    std::os::unix::fs::symlink(".", manifests.join("loop-a")).unwrap();
    std::os::unix::fs::symlink("..", manifests.join("loop-b")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", manifests.join("zero.yaml")).unwrap();
    let fifo = std::ffi::CString::new(path_str(&manifests.join("pipe.yaml"))).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o644) }, 0);
    let program = dir.join("p.mesh");
    std::fs::write(
        &program,
        "service web {\n  subset v2 { version = \"v2\" }\n  route { to v2 }\n}\nservice jobs {\n  subset v1 { version = \"v1\" }\n}\n",
    )
    .unwrap();
    let out = meshc(&["check", "--workloads", path_str(&manifests), path_str(&program)]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    for skipped in ["helm.yaml", "binary.yaml", "config.yaml", "zero.yaml", "pipe.yaml"] {
        assert!(stderr.contains(skipped), "{skipped} is not named in:\n{stderr}");
    }
    assert!(!stderr.contains("E05"), "{stderr}");
}

/// A subdirectory that cannot be read is skipped with a warning, and the
/// rest is still read.  Root reads every directory, so as root meshc runs
/// as `nobody` here.
#[cfg(unix)]
#[test]
fn unreadable_subdirectories_are_skipped_with_a_warning() {
    use std::os::unix::fs::PermissionsExt;
    use std::os::unix::process::CommandExt;
    let dir = scratch("unreadable");
    let manifests = dir.join("k8s");
    let locked = manifests.join("locked");
    std::fs::create_dir_all(&locked).unwrap();
    std::fs::write(
        manifests.join("web.yaml"),
        "kind: Service\nmetadata: {name: web}\nspec: {selector: {app: web}}\n",
    )
    .unwrap();
    std::fs::write(locked.join("hidden.yaml"), "kind: Service\nmetadata: {name: other}\n").unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o000)).unwrap();
    let program = dir.join("p.mesh");
    std::fs::write(&program, "service web {\n  route { to web }\n}\n").unwrap();
    let mut command = Command::new(env!("CARGO_BIN_EXE_meshc"));
    command.args(["check", "--workloads", path_str(&manifests), path_str(&program)]);
    // SAFETY: getuid is async-signal-safe; uid and gid 65534 are `nobody`.
    if unsafe { libc::getuid() } == 0 {
        command.uid(65534).gid(65534);
    }
    let out = command.output().unwrap();
    std::fs::set_permissions(&locked, std::fs::Permissions::from_mode(0o755)).unwrap();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("skipped") && stderr.contains("locked"), "{stderr}");
}

/// Import names a file after its namespace, and manifests without one
/// `traffic.mesh`: the two would collide, which is said as such.
#[test]
fn import_of_namespace_traffic_beside_none_is_refused() {
    let dir = scratch("import-clash");
    let yaml = dir.join("x.yaml");
    let rule = |name: &str, namespace: &str| {
        format!(
            "---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: {name}\n{namespace}spec:\n  host: {name}\n  subsets:\n  - name: v1\n    labels: {{version: v1}}\n"
        )
    };
    std::fs::write(&yaml, rule("a", "") + &rule("b", "  namespace: traffic\n")).unwrap();
    let out_dir = dir.join("out/");
    let out = meshc(&["import", path_str(&yaml), "-o", path_str(&out_dir)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("without a namespace and those of namespace `traffic`"),
        "{}",
        text(&out.stderr)
    );
    assert!(!out_dir.exists());
}
