//! The real `meshc` binary as CI runs it: levels (`--allow`, `--warn`,
//! `--deny`, allow comments), the machine formats (JSON with its summary,
//! GitHub workflow commands, SARIF validated against the OASIS schema),
//! and what packaging generates (completions, manual pages, `--version`,
//! the pre-commit hooks).

use std::path::Path;

use crate::cli::{meshc, path_str, scratch, text};
use crate::support::root;

/// One route after a catch-all: W0001 once, nothing else.
const UNREACHABLE: &str = "service reviews {\n  subset v1 { version = \"v1\" }\n  route { to v1 }\n  route {\n    match uri prefix \"/old\"\n    to v1\n  }\n}\n";

/// A weight split that does not sum to 100: E0401.
const BROKEN: &str = "tests/ui/E0401-weights-sum.mesh";

/// Writes `text` to `name` in a fresh scratch directory.
fn program(test: &str, name: &str, text: &str) -> std::path::PathBuf {
    let path = scratch(test).join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn status(out: &std::process::Output) -> Option<i32> {
    out.status.code()
}

#[test]
fn levels_allow_warn_and_deny_codes_the_last_flag_winning() {
    let file = program("levels", "traffic.mesh", UNREACHABLE);
    let file = path_str(&file);

    let plain = meshc(&["check", file]);
    assert_eq!(status(&plain), Some(0));
    assert!(text(&plain.stderr).contains("warning[W0001]"));

    let denied = meshc(&["check", "--deny", "W0001", file]);
    assert_eq!(status(&denied), Some(1), "{}", text(&denied.stderr));
    let stderr = text(&denied.stderr);
    assert!(stderr.contains("error[W0001]: this route is never used"), "{stderr}");
    assert!(stderr.contains("`--deny W0001` makes this an error"), "{stderr}");
    assert!(stderr.contains("meshc: 1 error, 0 warnings"), "{stderr}");

    let allowed = meshc(&["check", "-A", "w0001", file]);
    assert_eq!(status(&allowed), Some(0));
    assert!(allowed.stderr.is_empty(), "{}", text(&allowed.stderr));

    // The last flag for a code wins.
    assert_eq!(status(&meshc(&["check", "-D", "W0001", "-A", "W0001", file])), Some(0));
    assert_eq!(status(&meshc(&["check", "-A", "W0001", "-D", "W0001", file])), Some(1));
    assert_eq!(
        status(&meshc(&["check", "-D", "W0001", "--warn", "W0001", file])),
        Some(0)
    );

    // `warnings` denies what is still a warning: an allowed code stays allowed.
    assert_eq!(status(&meshc(&["check", "--deny", "warnings", file])), Some(1));
    assert_eq!(status(&meshc(&["check", "--deny-warnings", file])), Some(1));
    let still_allowed = meshc(&["check", "--allow", "W0001", "--deny", "warnings", file]);
    assert_eq!(status(&still_allowed), Some(0));
    assert!(still_allowed.stderr.is_empty());
    // Several codes in one flag.
    assert_eq!(
        status(&meshc(&["check", "--allow", "W0003,W0001", "-D", "warnings", file])),
        Some(0)
    );
}

#[test]
fn levels_refuse_error_codes_and_unknown_codes() {
    let out = meshc(&["check", "--allow", "E0401", BROKEN]);
    assert_eq!(status(&out), Some(2));
    let stderr = text(&out.stderr);
    assert!(stderr.contains("`--allow E0401`: errors keep their level"), "{stderr}");
    assert!(stderr.contains("meshc check"), "the usage names the command: {stderr}");

    let out = meshc(&["build", "--deny", "W001", "examples/bookinfo.mesh"]);
    assert_eq!(status(&out), Some(2));
    assert!(text(&out.stderr).contains("did you mean `W0001`?"));
    assert!(out.stdout.is_empty());
}

#[test]
fn a_denied_warning_fails_build_and_import_and_writes_nothing() {
    let file = program("deny-build", "traffic.mesh", UNREACHABLE);
    let out_file = file.with_file_name("out.yaml");
    let out = meshc(&["build", path_str(&file), "-D", "W0001", "-o", path_str(&out_file)]);
    assert_eq!(status(&out), Some(1));
    assert!(!out_file.exists());
    let out = meshc(&["build", path_str(&file), "--allow", "W0001"]);
    assert_eq!(status(&out), Some(0));
    assert!(out.stderr.is_empty());
    assert!(text(&out.stdout).contains("kind: VirtualService"));

    // `meshc import` reports N0001 for documents it skips.
    let manifest = program(
        "deny-import",
        "all.yaml",
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: reviews\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: reviews\nspec:\n  host: reviews\n",
    );
    let noted = meshc(&["import", path_str(&manifest)]);
    assert_eq!(status(&noted), Some(0));
    assert!(text(&noted.stderr).contains("note[N0001]"));
    let denied = meshc(&["import", path_str(&manifest), "--deny", "N0001"]);
    assert_eq!(status(&denied), Some(1));
    assert!(text(&denied.stderr).contains("error[N0001]"));
    let allowed = meshc(&["import", path_str(&manifest), "--allow", "N0001"]);
    assert!(allowed.stderr.is_empty(), "{}", text(&allowed.stderr));
}

#[test]
fn allow_comments_silence_one_route_and_are_checked() {
    let out = meshc(&["check", "tests/ui/W0001-allowed-in-one-route.mesh"]);
    assert_eq!(status(&out), Some(0));
    let stderr = text(&out.stderr);
    assert_eq!(stderr.matches("warning[W0001]").count(), 1, "{stderr}");
    assert!(stderr.contains("W0001-allowed-in-one-route.mesh:12:3"), "{stderr}");

    let out = meshc(&[
        "check",
        "--deny",
        "warnings",
        "tests/ui/W0018-allow-without-effect.mesh",
    ]);
    assert_eq!(status(&out), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error[W0018]: the error E0201 cannot be allowed"),
        "{stderr}"
    );
    assert!(stderr.contains("error[E0201]"), "{stderr}");
}

#[test]
fn json_goes_to_stderr_and_ends_with_a_summary() {
    let file = program("json", "traffic.mesh", UNREACHABLE);
    let other = file.with_file_name("ratings.mesh");
    std::fs::write(&other, "service ratings {\n  route { to \"ratings.example.com\" }\n}\n").unwrap();
    let out = meshc(&["check", "--message-format", "json", path_str(&file), path_str(&other)]);
    assert_eq!(status(&out), Some(0));
    assert!(out.stdout.is_empty());
    let stderr = text(&out.stderr);
    let lines: Vec<serde_json::Value> = stderr.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 2, "{stderr}");
    assert_eq!(lines[0]["code"], "W0001");
    assert_eq!(
        lines[1],
        serde_json::json!({"summary": {"errors": 0, "warnings": 1, "notes": 0, "files": 2}})
    );
    // The summary counts what the levels left.
    let out = meshc(&["check", "--message-format=json", "-D", "W0001", path_str(&file)]);
    assert_eq!(status(&out), Some(1));
    let last: serde_json::Value = serde_json::from_str(text(&out.stderr).lines().last().unwrap()).unwrap();
    assert_eq!(last["summary"]["errors"], 1);
    assert_eq!(last["summary"]["warnings"], 0);
    // A clean program: only the summary.
    let clean = meshc(&["build", "--message-format", "json", "examples/bookinfo.mesh"]);
    assert_eq!(
        text(&clean.stderr),
        "{\"summary\":{\"errors\":0,\"warnings\":0,\"notes\":0,\"files\":1}}\n"
    );
}

#[test]
fn github_format_writes_escaped_workflow_commands() {
    let out = meshc(&["check", "--message-format", "github", BROKEN]);
    assert_eq!(status(&out), Some(1));
    let stderr = text(&out.stderr);
    let first = stderr.lines().next().unwrap();
    assert!(
        first.starts_with(
            "::error file=tests/ui/E0401-weights-sum.mesh,line=6,col=17,endLine=6,endColumn=28,title=E0401::the weights sum to 90%25, not 100%25 (these weights sum to 90%25)%0Anote: "
        ),
        "{stderr}"
    );
    assert!(first.contains("%0Ahelp: add 10%25 so they sum to 100%25"), "{first}");
    assert!(stderr.lines().all(|l| l.starts_with("::")), "{stderr}");

    // `,` and `:` in a property are escaped, or they would end it.
    let file = program("github", "a,b:c.mesh", UNREACHABLE);
    let out = meshc(&["check", "--message-format", "github", path_str(&file)]);
    let stderr = text(&out.stderr);
    assert!(stderr.starts_with("::warning file="), "{stderr}");
    assert!(stderr.contains("a%2Cb%3Ac.mesh,line=4,col=3,"), "{stderr}");
    assert!(stderr.contains(",title=W0001::this route is never used"), "{stderr}");
}

/// The OASIS SARIF 2.1.0 schema, with format checks on.
fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string(root().join("tests/data/sarif/sarif-schema-2.1.0.json")).unwrap();
    // The `language` patterns of the schema have an unescaped `]`, a
    // literal in ECMA-262 regexes that the validator's `regex` format check
    // (which it runs on the schema itself) refuses: the same patterns with
    // that `]` escaped.
    let unescaped = "-[a-zA-Z]{2}]?$";
    assert_eq!(text.matches(unescaped).count(), 2);
    let text = text.replace(unescaped, "-[a-zA-Z]{2}\\\\]?$");
    let schema: serde_json::Value = serde_json::from_str(&text).unwrap();
    jsonschema::draft7::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles")
}

fn assert_valid_sarif(validator: &jsonschema::Validator, log: &serde_json::Value) {
    let errors: Vec<String> = validator
        .iter_errors(log)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{}", errors.join("\n"));
}

#[test]
fn sarif_output_validates_against_the_sarif_schema() {
    let validator = sarif_validator();
    let file = program("sarif", "a b.mesh", &UNREACHABLE.replace("reviews", "details"));
    let out = meshc(&["check", "--message-format", "sarif", BROKEN, path_str(&file)]);
    assert_eq!(status(&out), Some(1));
    assert!(out.stdout.is_empty());
    let log: serde_json::Value = serde_json::from_slice(&out.stderr).expect("one JSON document");
    assert_valid_sarif(&validator, &log);
    assert_eq!(log["version"], "2.1.0");
    let run = &log["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "meshc");
    assert_eq!(run["tool"]["driver"]["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(run["columnKind"], "unicodeCodePoints");
    let rules: Vec<&str> = run["tool"]["driver"]["rules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["id"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["E0401", "W0001"]);
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 2);
    let error = &results[0];
    assert_eq!(error["ruleId"], "E0401");
    assert_eq!(error["ruleIndex"], 0);
    assert_eq!(error["level"], "error");
    let place = &error["locations"][0]["physicalLocation"];
    assert_eq!(place["artifactLocation"]["uri"], "tests/ui/E0401-weights-sum.mesh");
    assert_eq!(place["region"]["startLine"], 6);
    assert_eq!(place["region"]["startColumn"], 17);
    assert_eq!(place["region"]["endLine"], 6);
    assert_eq!(place["region"]["endColumn"], 28);
    let warning = &results[1];
    assert_eq!(warning["level"], "warning");
    assert_eq!(warning["ruleIndex"], 1);
    let uri = warning["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        .as_str()
        .unwrap();
    assert!(uri.starts_with("file:///") && uri.ends_with("/a%20b.mesh"), "{uri}");
    // The related place (the catch-all route) keeps its label.
    assert_eq!(
        warning["relatedLocations"][0]["message"]["text"],
        "this route has no `match`, so it takes every request"
    );
    // A denied warning is an error result; a clean program an empty run.
    let denied = meshc(&["check", "--message-format", "sarif", "-D", "warnings", path_str(&file)]);
    let log: serde_json::Value = serde_json::from_slice(&denied.stderr).unwrap();
    assert_valid_sarif(&validator, &log);
    assert_eq!(log["runs"][0]["results"][0]["level"], "error");
    let clean = meshc(&["build", "--message-format", "sarif", "examples/bookinfo.mesh"]);
    assert_eq!(status(&clean), Some(0));
    let log: serde_json::Value = serde_json::from_slice(&clean.stderr).unwrap();
    assert_valid_sarif(&validator, &log);
    assert_eq!(log["runs"][0]["results"], serde_json::json!([]));
}

#[test]
fn the_schema_refuses_what_is_not_sarif() {
    // The validation above is not vacuous: a result without a message, or
    // with a level SARIF does not know, is refused.
    let validator = sarif_validator();
    let bad = serde_json::json!({
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "meshc"}}, "results": [{"ruleId": "E0401", "level": "fatal"}]}]
    });
    assert!(validator.iter_errors(&bad).count() >= 2);
}

#[test]
fn completions_for_each_shell() {
    for shell in ["bash", "zsh", "fish", "powershell"] {
        let out = meshc(&["completions", shell]);
        assert_eq!(status(&out), Some(0), "{shell}: {}", text(&out.stderr));
        let script = text(&out.stdout);
        for word in ["meshc", "build", "check", "message-format", "deny"] {
            assert!(script.contains(word), "{shell} completions lack `{word}`");
        }
    }
    let bash = text(&meshc(&["completions", "bash"]).stdout);
    assert!(bash.contains("human json github sarif"), "values of --message-format");
    // The bash script is valid bash.
    let dir = scratch("completions");
    let script = dir.join("meshc.bash");
    std::fs::write(&script, meshc(&["completions", "bash"]).stdout).unwrap();
    let checked = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .expect("run bash");
    assert!(checked.status.success(), "{}", text(&checked.stderr));
    assert_eq!(status(&meshc(&["completions", "tcsh"])), Some(2));
}

#[test]
fn man_pages_render() {
    let out = meshc(&["man"]);
    assert_eq!(status(&out), Some(0));
    let page = text(&out.stdout);
    assert!(
        page.starts_with(".ie \\n(.g .ds Aq \\(aq") || page.contains(".TH meshc 1"),
        "{page}"
    );
    assert!(page.contains(".TH meshc 1"), "{page}");
    for section in [".SH NAME", ".SH SYNOPSIS", ".SH SUBCOMMANDS", ".SH VERSION"] {
        assert!(page.contains(section), "no {section}");
    }
    assert!(page.contains("meshc\\-build(1)"), "the subcommands' pages are named");
    let build = text(&meshc(&["man", "build"]).stdout);
    assert!(build.contains(".TH meshc-build 1"), "{build}");
    assert!(build.contains("meshc\\-build \\- Check a program"), "{build}");
    assert!(build.contains("\\-\\-message\\-format"), "{build}");
    let unknown = meshc(&["man", "buidl"]);
    assert_eq!(status(&unknown), Some(2));
    assert!(text(&unknown.stderr).contains("no command `buidl`"));
    // groff reads it without a warning.
    if Path::new("/usr/bin/groff").exists() {
        let dir = scratch("man");
        let file = dir.join("meshc.1");
        std::fs::write(&file, page).unwrap();
        let rendered = std::process::Command::new("groff")
            .args(["-man", "-Tutf8", "-ww", "-z"])
            .arg(&file)
            .output()
            .expect("run groff");
        assert!(rendered.status.success());
        assert!(rendered.stderr.is_empty(), "{}", text(&rendered.stderr));
    }
}

#[test]
fn version_names_the_package_version() {
    let out = meshc(&["--version"]);
    assert_eq!(status(&out), Some(0));
    assert_eq!(text(&out.stdout), format!("meshc {}\n", env!("CARGO_PKG_VERSION")));
}

/// Runs a pre-commit hook as pre-commit does: `entry`, then `args`, then
/// (unless `pass_filenames: false`) the staged files, in `dir`.
fn run_hook(hook: &serde_yaml::Value, dir: &Path, staged: &[&str]) -> std::process::Output {
    let mut words: Vec<String> = hook["entry"]
        .as_str()
        .unwrap()
        .split_whitespace()
        .map(str::to_string)
        .collect();
    assert_eq!(words.remove(0), "meshc");
    if let Some(args) = hook["args"].as_sequence() {
        words.extend(args.iter().map(|a| a.as_str().unwrap().to_string()));
    }
    if hook["pass_filenames"].as_bool() != Some(false) {
        words.extend(staged.iter().map(|s| s.to_string()));
    }
    std::process::Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(&words)
        .current_dir(dir)
        .output()
        .expect("run meshc")
}

#[test]
fn pre_commit_hooks_run_meshc_as_documented() {
    let text_of = std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap();
    let hooks: Vec<serde_yaml::Value> = serde_yaml::from_str(&text_of).unwrap();
    let ids: Vec<&str> = hooks.iter().map(|h| h["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["meshc-fmt", "meshc-check"]);
    for hook in &hooks {
        assert_eq!(
            hook["language"].as_str(),
            Some("system"),
            "meshc comes from `cargo install`"
        );
        assert_eq!(hook["files"].as_str(), Some("\\.mesh$"));
    }
    let bookinfo = std::fs::read_to_string(root().join("examples/bookinfo.mesh")).unwrap();

    // meshc-fmt leaves a formatted file alone and rewrites another.
    let dir = scratch("hook-fmt");
    std::fs::write(dir.join("bookinfo.mesh"), &bookinfo).unwrap();
    std::fs::write(dir.join("messy.mesh"), "service a{subset v1{version=\"v1\"}}\n").unwrap();
    let out = run_hook(&hooks[0], &dir, &["bookinfo.mesh", "messy.mesh"]);
    assert_eq!(status(&out), Some(0), "{}", text(&out.stderr));
    assert_eq!(std::fs::read_to_string(dir.join("bookinfo.mesh")).unwrap(), bookinfo);
    assert_ne!(
        std::fs::read_to_string(dir.join("messy.mesh")).unwrap(),
        "service a{subset v1{version=\"v1\"}}\n"
    );

    // meshc-check checks the directory's program: clean, then broken.
    let dir = scratch("hook-check");
    std::fs::write(dir.join("bookinfo.mesh"), &bookinfo).unwrap();
    let out = run_hook(&hooks[1], &dir, &["bookinfo.mesh"]);
    assert_eq!(status(&out), Some(0), "{}", text(&out.stderr));
    std::fs::write(
        dir.join("canary.mesh"),
        "service canary {\n  subset v1 { version = \"v1\" }\n  subset v2 { version = \"v2\" }\n  route { to v1 60%, v2 30% }\n}\n",
    )
    .unwrap();
    let out = run_hook(&hooks[1], &dir, &["bookinfo.mesh"]);
    assert_eq!(status(&out), Some(1));
    assert!(text(&out.stderr).contains("error[E0401]"), "{}", text(&out.stderr));
}

/// The fenced ```yml blocks (YAML that is not a manifest) of the README's
/// "In CI" section.
fn readme_ci_blocks() -> Vec<serde_yaml::Value> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    let section = &readme[readme.find("### In CI").expect("an In CI section")..];
    let section = &section[..section[1..].find("\n#").map_or(section.len(), |i| i + 1)];
    section
        .split("```yml\n")
        .skip(1)
        .map(|block| serde_yaml::from_str(&block[..block.find("```").unwrap()]).expect("the block is YAML"))
        .collect()
}

#[test]
fn the_readme_ci_recipe_runs() {
    let blocks = readme_ci_blocks();
    let workflow = &blocks[0];
    let steps = workflow["jobs"]["mesh"]["steps"].as_sequence().expect("steps");
    let runs: Vec<&str> = steps.iter().filter_map(|s| s["run"].as_str()).collect();
    assert!(runs[0].starts_with("cargo install --locked "), "{runs:?}");
    // Each meshc step, on a checkout whose traffic/ holds the Bookinfo program.
    let dir = scratch("readme-ci");
    std::fs::create_dir(dir.join("traffic")).unwrap();
    std::fs::copy(root().join("examples/bookinfo.mesh"), dir.join("traffic/bookinfo.mesh")).unwrap();
    let meshc_steps: Vec<&str> = runs.iter().copied().filter(|r| r.starts_with("meshc ")).collect();
    for command in ["fmt --check", "check --message-format github", "build", "test"] {
        assert!(
            meshc_steps.iter().any(|r| r.starts_with(&format!("meshc {command}"))),
            "the recipe runs `meshc {command}`"
        );
    }
    for step in &meshc_steps {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_meshc"))
            .args(step.split_whitespace().skip(1))
            .current_dir(&dir)
            .output()
            .unwrap();
        assert_eq!(status(&out), Some(0), "`{step}`: {}", text(&out.stderr));
    }
    assert!(
        dir.join("manifests").read_dir().unwrap().count() > 0,
        "the build wrote its manifests"
    );

    // The pre-commit configuration names the hooks the repository defines.
    let hooks: Vec<serde_yaml::Value> =
        serde_yaml::from_str(&std::fs::read_to_string(root().join(".pre-commit-hooks.yaml")).unwrap()).unwrap();
    let config = &blocks[1];
    for hook in config["repos"][0]["hooks"].as_sequence().unwrap() {
        assert!(hooks.iter().any(|h| h["id"] == hook["id"]), "{:?}", hook["id"]);
    }
}

#[test]
fn check_runs_every_check_on_istio_yaml_at_its_lines() {
    // Istio's own Bookinfo sample routes after a catch-all route.
    let sample = "tests/data/corpus/valid/bookinfo__fault-injection-details-v1.yaml";
    let out = meshc(&["check", sample]);
    assert_eq!(status(&out), Some(0));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("warning[W0001]: this route is never used\n   ┌─ tests/data/corpus/valid/bookinfo__fault-injection-details-v1.yaml:18:5"),
        "{stderr}"
    );
    assert!(
        stderr.contains("in .mesh, this YAML reads `route { to v1 }`"),
        "{stderr}"
    );

    // A split of 90%, a misspelt field, and a Deployment beside them.
    let dir = scratch("check-yaml");
    let manifest = dir.join("reviews.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: reviews\n---\n\
         apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: reviews\nspec:\n  host: reviews\n  subsets:\n  - name: v1\n    lables:\n      version: v1\n  - name: v2\n    labels:\n      version: v2\n---\n\
         apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: reviews\nspec:\n  hosts:\n  - reviews\n  http:\n  - route:\n    - destination:\n        host: reviews\n        subset: v1\n      weight: 60\n    - destination:\n        host: reviews\n        subset: v2\n      weight: 30\n",
    )
    .unwrap();
    let before: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    let out = meshc(&["check", "--message-format", "json", path_str(&manifest)]);
    assert_eq!(status(&out), Some(1));
    let lines: Vec<serde_json::Value> = text(&out.stderr)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let found: Vec<(String, u64, u64)> = lines
        .iter()
        .filter(|l| l["code"].is_string())
        .map(|l| {
            (
                l["code"].as_str().unwrap().to_string(),
                l["start"]["line"].as_u64().unwrap(),
                l["start"]["column"].as_u64().unwrap(),
            )
        })
        .collect();
    // The value of the misspelt key (line 15), and the split at its first
    // weight (`60`, line 32): no note about the Deployment.
    assert_eq!(
        found,
        [("W0005".to_string(), 15, 7), ("E0401".to_string(), 32, 15)],
        "{}",
        text(&out.stderr)
    );
    let unknown = &lines[0];
    assert_eq!(
        unknown["message"],
        "`spec.subsets[0].lables` is not checked: meshc knows no such field"
    );
    assert_eq!(lines.last().unwrap()["summary"]["files"], 1);
    // Nothing was written beside the manifest.
    let after: Vec<_> = std::fs::read_dir(&dir).unwrap().map(|e| e.unwrap().path()).collect();
    assert_eq!(before, after);

    // With the workloads: a route to a Service that does not exist.
    let inventory = dir.join("inventory.yaml");
    std::fs::write(
        &inventory,
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: inventory\nspec:\n  hosts:\n  - inventory\n  http:\n  - route:\n    - destination:\n        host: inventory\n",
    )
    .unwrap();
    assert_eq!(status(&meshc(&["check", path_str(&inventory)])), Some(0));
    let out = meshc(&[
        "check",
        "--workloads",
        "tests/data/workloads/bookinfo",
        path_str(&inventory),
    ]);
    assert_eq!(status(&out), Some(1));
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains("error[E0501]: service `inventory` does not exist in the workloads"),
        "{stderr}"
    );
    assert!(stderr.contains("inventory.yaml:11:"), "{stderr}");

    // A program and manifests are checked in two runs.
    let mixed = meshc(&["check", "examples/bookinfo.mesh", path_str(&manifest)]);
    assert_eq!(status(&mixed), Some(2));
    assert!(text(&mixed.stderr).contains("check them in two runs"));
}

#[test]
fn check_on_the_corpus_finds_only_what_the_round_trip_lists() {
    // Every manifest of Istio's corpus is checked on its own; the files
    // with errors are exactly those the round trip lists as not
    // reproducible, for the reason it gives.
    let listed: std::collections::BTreeSet<String> =
        std::fs::read_to_string(root().join("tests/data/corpus/not-round-tripped.tsv"))
            .unwrap()
            .lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| l.split('\t').next().unwrap().to_string())
            .collect();
    let mut failing = std::collections::BTreeSet::new();
    let mut warnings = Vec::new();
    let files = crate::support::files_with_extension(&root().join("tests/data/corpus/valid"), "yaml");
    assert_eq!(files.len(), 155);
    for file in &files {
        let out = meshc(&["check", "--message-format", "json", path_str(file)]);
        match status(&out) {
            Some(0) => {}
            Some(1) => {
                failing.insert(file.file_name().unwrap().to_string_lossy().into_owned());
            }
            other => panic!("{}: {other:?} {}", file.display(), text(&out.stderr)),
        }
        for line in text(&out.stderr).lines() {
            let value: serde_json::Value = serde_json::from_str(line).unwrap();
            if value["severity"] == "warning" {
                warnings.push(format!("{} {}", value["code"], value["message"]));
            }
        }
    }
    assert_eq!(failing, listed);
    // The README gives these numbers (`meshc check FILE.yaml`).
    assert_eq!(warnings.len(), 8, "{warnings:#?}");
}
