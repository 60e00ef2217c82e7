//! The real `meshc` binary on real files: exit codes, output modes,
//! nothing written on error, standard input, diagnostics formats.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use crate::support::root;

pub(crate) fn meshc(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(args)
        .current_dir(root())
        .env_remove("NO_COLOR")
        .output()
        .expect("run meshc")
}

pub(crate) fn meshc_stdin(args: &[&str], input: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_meshc"))
        .args(args)
        .current_dir(root())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run meshc");
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

/// A fresh scratch directory for one test.
pub(crate) fn scratch(name: &str) -> PathBuf {
    let dir = root()
        .join("target")
        .join("cli-tests")
        .join(format!("{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub(crate) fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

pub(crate) fn path_str(path: &Path) -> &str {
    path.to_str().unwrap()
}

const BROKEN: &str = "tests/ui/E0401-weights-sum.mesh";

#[test]
fn build_writes_the_stream_to_stdout() {
    let out = meshc(&["build", "examples/bookinfo.mesh"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(
        text(&out.stdout),
        std::fs::read_to_string(root().join("examples/bookinfo.yaml")).unwrap()
    );
    assert!(out.stderr.is_empty());
}

#[test]
fn build_to_a_file_and_to_a_directory() {
    let dir = scratch("outputs");
    let file = dir.join("all.yaml");
    let out = meshc(&["build", "examples/bookinfo.mesh", "-o", path_str(&file)]);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        std::fs::read_to_string(root().join("examples/bookinfo.yaml")).unwrap()
    );

    let per_resource = dir.join("split/");
    let out = meshc(&["build", "examples/bookinfo.mesh", "-o", path_str(&per_resource)]);
    assert_eq!(out.status.code(), Some(0));
    let mut names: Vec<String> = std::fs::read_dir(&per_resource)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|name| name.ends_with(".yaml"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 8);
    assert!(names.contains(&"destinationrule-reviews.yaml".to_string()));
    assert!(names.contains(&"virtualservice-ratings.yaml".to_string()));
    let reviews = std::fs::read_to_string(per_resource.join("virtualservice-reviews.yaml")).unwrap();
    assert!(reviews.starts_with("apiVersion: networking.istio.io/v1\nkind: VirtualService\n"));
}

#[test]
fn a_failed_build_writes_nothing_and_keeps_existing_files() {
    let dir = scratch("failed");
    let file = dir.join("out.yaml");
    std::fs::write(&file, "previous contents\n").unwrap();
    let out = meshc(&["build", BROKEN, "-o", path_str(&file)]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "previous contents\n");
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("error[E0401]"));

    let split = dir.join("split/");
    let out = meshc(&["build", BROKEN, "-o", path_str(&split)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(!split.exists());
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary files are left"
    );
}

#[test]
fn standard_input_is_a_program() {
    let source = std::fs::read_to_string(root().join("examples/bookinfo.mesh")).unwrap();
    let out = meshc_stdin(&["build", "-"], &source);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        text(&out.stdout),
        std::fs::read_to_string(root().join("examples/bookinfo.yaml")).unwrap()
    );
    let out = meshc_stdin(&["check", "-"], "service a { route { to nowhere } }");
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("<stdin>:1:"));
}

#[test]
fn usage_and_io_problems_exit_2_with_one_line() {
    let out = meshc(&["build", "does/not/exist.mesh"]);
    assert_eq!(out.status.code(), Some(2));
    let err = text(&out.stderr);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(err.contains("does/not/exist.mesh") && err.contains("no such file"));
    let out = meshc(&["build"]);
    assert_eq!(out.status.code(), Some(2));
    let out = meshc(&["explain", "E9999"]);
    assert_eq!(out.status.code(), Some(2));
    let out = meshc(&["build", "--api-version", "v2", "examples/bookinfo.mesh"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn check_reports_and_exits_by_severity() {
    assert_eq!(meshc(&["check", "examples/bookinfo.mesh"]).status.code(), Some(0));
    assert_eq!(meshc(&["check", BROKEN]).status.code(), Some(1));
    let warning = "tests/ui/W0002-ignored-weight.mesh";
    let out = meshc(&["check", warning]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("warning[W0002]"));
    assert_eq!(meshc(&["check", "--deny-warnings", warning]).status.code(), Some(1));
    assert_eq!(meshc(&["build", "--deny-warnings", warning]).status.code(), Some(1));
}

#[test]
fn json_and_colour_output() {
    let out = meshc(&["check", "--message-format", "json", BROKEN]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = text(&out.stderr);
    let (diagnostics, summary) = stderr
        .trim_end()
        .rsplit_once('\n')
        .expect("diagnostics, then the summary");
    for line in diagnostics.lines() {
        let value: serde_json::Value = serde_json::from_str(line).expect("one JSON object per line");
        assert!(value["code"].is_string() && value["start"]["line"].is_u64());
    }
    let summary: serde_json::Value = serde_json::from_str(summary).unwrap();
    assert!(summary["summary"]["errors"].as_u64() > Some(0));
    let plain = text(&meshc(&["check", BROKEN]).stderr);
    assert!(!plain.contains('\u{1b}'), "no colour when stderr is not a terminal");
    let coloured = text(&meshc(&["check", "--color", "always", BROKEN]).stderr);
    assert!(coloured.contains('\u{1b}'));
}

#[test]
fn explain_prints_the_explanation() {
    let out = meshc(&["explain", "e0201"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stdout).starts_with("# E0201: unknown subset"));
}

#[test]
fn fmt_checks_rewrites_and_is_idempotent() {
    let dir = scratch("fmt");
    let file = dir.join("messy.mesh");
    std::fs::write(
        &file,
        "service a {\n      subset v1 {version=\"v1\"}  // keep me\n route { to v1 }\n\n\n}\n",
    )
    .unwrap();
    let out = meshc(&["fmt", "--check", path_str(&file)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stdout).contains("would reformat"));
    assert_eq!(meshc(&["fmt", path_str(&file)]).status.code(), Some(0));
    let formatted = std::fs::read_to_string(&file).unwrap();
    assert_eq!(
        formatted,
        "service a {\n  subset v1 { version = \"v1\" } // keep me\n  route { to v1 }\n}\n"
    );
    assert_eq!(meshc(&["fmt", "--check", path_str(&file)]).status.code(), Some(0));
    assert_eq!(
        meshc(&["fmt", "--check", "examples"]).status.code(),
        Some(0),
        "examples are formatted"
    );
    let broken = dir.join("broken.mesh");
    std::fs::write(&broken, "service a {\n  route { to v1 50%, }\n}\n").unwrap();
    let out = meshc(&["fmt", path_str(&broken)]);
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        std::fs::read_to_string(&broken).unwrap(),
        "service a {\n  route { to v1 50%, }\n}\n"
    );
}

#[test]
fn fmt_keeps_crlf_line_endings() {
    let dir = scratch("fmt-crlf");
    let file = dir.join("crlf.mesh");
    std::fs::write(
        &file,
        "// windows\r\nservice a{subset v1{version=\"v1\"}\r\n route{\r\nto v1}}\r\n",
    )
    .unwrap();
    assert_eq!(meshc(&["fmt", "--check", path_str(&file)]).status.code(), Some(1));
    assert_eq!(meshc(&["fmt", path_str(&file)]).status.code(), Some(0));
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "// windows\r\nservice a {\r\n  subset v1 { version = \"v1\" }\r\n  route { to v1 }\r\n}\r\n"
    );
    // Formatted CRLF text is left as it is.
    assert_eq!(meshc(&["fmt", "--check", path_str(&file)]).status.code(), Some(0));
}

#[test]
fn check_against_workloads() {
    let dir = "tests/data/workloads/bookinfo";
    let out = meshc(&[
        "check",
        "--workloads",
        dir,
        "--message-format",
        "json",
        "examples/bookinfo.mesh",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let codes: Vec<String> = text(&out.stderr)
        .lines()
        .filter(|l| !l.starts_with("{\"summary\""))
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["message"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        codes,
        [
            "subset `v2` selects no pod of service `ratings`",
            "subset `v2-mysql` selects no pod of service `ratings`",
            "subset `v2-mysql-vm` selects no pod of service `ratings`",
            "subset `v2` selects no pod of service `details`",
        ]
    );
    let program = "service productpage {\n  route {\n    match uri prefix \"/r\"\n    to reviews:9090\n  }\n  route { to ratings/v1 }\n}\nservice reviews {}\nservice ratings {\n  subset v1 { version = \"v1\" }\n}\nservice inventory {}\nservice web {\n  route { to inventory }\n}\n";
    let out = meshc_stdin(&["check", "--workloads", dir, "-"], program);
    let stderr = text(&out.stderr);
    assert_eq!(stderr.matches("error[").count(), 2, "{stderr}");
    assert!(
        stderr.contains("error[E0503]: Service `reviews` does not expose port 9090"),
        "{stderr}"
    );
    assert!(
        stderr.contains("error[E0501]: service `inventory` does not exist in the workloads"),
        "{stderr}"
    );
    assert!(!stderr.contains("`ratings` does not exist"), "{stderr}");

    let broken = scratch("broken-workloads");
    std::fs::write(broken.join("deploy.yaml"), "kind: Service\nmetadata: [\n").unwrap();
    let out = meshc(&["check", "--workloads", path_str(&broken), "examples/bookinfo.mesh"]);
    // An unreadable manifest is skipped with a warning; the program is
    // still checked against the rest (here: none, so no service exists).
    assert_eq!(out.status.code(), Some(1));
    let err = text(&out.stderr);
    assert!(err.starts_with("meshc: warning: skipped unreadable YAML:"), "{err}");
    assert!(err.contains("deploy.yaml:3:1"), "{err}");
}

/// Istio's Bookinfo manifests, as a team would have them.
const BOOKINFO_YAML: &[&str] = &[
    "tests/data/istio/bookinfo__destination-rule-all.yaml",
    "tests/data/istio/bookinfo__virtual-service-reviews-jason-v2-v3.yaml",
    "tests/data/istio/bookinfo__virtual-service-ratings-test-delay.yaml",
];

#[test]
fn import_writes_a_program_that_builds_the_same_resources() {
    let dir = scratch("import");
    let file = dir.join("bookinfo.mesh");
    let mut args = vec!["import"];
    args.extend(BOOKINFO_YAML);
    args.extend(["-o", path_str(&file)]);
    let out = meshc(&args);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let program = std::fs::read_to_string(&file).unwrap();
    assert!(program.contains("service reviews {"), "{program}");
    assert!(
        program.contains("match header \"end-user\" exact \"jason\""),
        "{program}"
    );

    // The same program on standard output, then built from standard input.
    args.truncate(args.len() - 2);
    let stdout = meshc(&args);
    assert_eq!(text(&stdout.stdout), program);
    let built = meshc_stdin(&["build", "-"], &program);
    assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    let kinds: Vec<String> = crate::support::documents(&text(&built.stdout))
        .iter()
        .map(|d| {
            format!(
                "{}/{}",
                d["kind"].as_str().unwrap(),
                d["metadata"]["name"].as_str().unwrap()
            )
        })
        .collect();
    assert_eq!(
        kinds,
        [
            "DestinationRule/productpage",
            "DestinationRule/reviews",
            "DestinationRule/ratings",
            "DestinationRule/details",
            "VirtualService/reviews",
            "VirtualService/ratings",
        ]
    );
    // `meshc fmt` has nothing to change.
    let fmt = meshc(&["fmt", "--check", path_str(&file)]);
    assert_eq!(fmt.status.code(), Some(0), "{}", text(&fmt.stdout));
}

#[test]
fn import_of_several_namespaces_needs_a_directory() {
    let dir = scratch("import-namespaces");
    let yaml = dir.join("two.yaml");
    std::fs::write(
        &yaml,
        "apiVersion: networking.istio.io/v1beta1\nkind: DestinationRule\nmetadata: {name: cart, namespace: shop}\n\
         spec: {host: cart, subsets: [{name: v1, labels: {version: v1}}]}\n---\n\
         apiVersion: networking.istio.io/v1alpha3\nkind: VirtualService\nmetadata: {name: web, namespace: web}\n\
         spec:\n  hosts: [web]\n  http:\n  - route:\n    - destination: {host: cart.shop.svc.cluster.local, subset: v1}\n",
    )
    .unwrap();
    let single = dir.join("one.mesh");
    let out = meshc(&["import", path_str(&yaml), "-o", path_str(&single)]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("use `-o DIR/`"), "{}", text(&out.stderr));
    assert!(!single.exists());

    let split = dir.join("mesh/");
    let out = meshc(&["import", path_str(&yaml), "-o", path_str(&split)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let web = std::fs::read_to_string(split.join("web.mesh")).unwrap();
    assert!(web.contains("to cart/v1"), "{web}");
    let built = meshc(&["build", path_str(&split)]);
    assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    assert!(text(&built.stdout).contains("host: cart.shop.svc.cluster.local"));
}

#[test]
fn import_of_malformed_yaml_writes_nothing() {
    let dir = scratch("import-malformed");
    let file = dir.join("out.mesh");
    std::fs::write(&file, "previous contents\n").unwrap();
    let out = meshc(&["import", "tests/ui/E0601-malformed-yaml.yaml", "-o", path_str(&file)]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text(&out.stderr).contains("E0601-malformed-yaml.yaml:8:1"),
        "{}",
        text(&out.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "previous contents\n");
    assert_eq!(
        std::fs::read_dir(&dir).unwrap().count(),
        1,
        "no temporary files are left"
    );
    let missing = meshc(&["import", "no/such.yaml"]);
    assert_eq!(missing.status.code(), Some(2));
    assert_eq!(text(&missing.stderr).lines().count(), 1);
}

#[test]
fn import_problems_point_at_the_yaml_and_survive_into_the_build() {
    let dir = scratch("import-problems");
    let file = dir.join("out.mesh");
    let out = meshc(&["import", "tests/ui/E0201-import-problems.yaml", "-o", path_str(&file)]);
    assert_eq!(
        out.status.code(),
        Some(1),
        "problems make the import fail, but it writes"
    );
    let stderr = text(&out.stderr);
    assert!(stderr.contains("E0201-import-problems.yaml:28:44"), "{stderr}");
    assert!(stderr.contains("E0201-import-problems.yaml:33:15"), "{stderr}");
    let build = meshc(&["build", path_str(&file)]);
    assert_eq!(build.status.code(), Some(1));
    let stderr = text(&build.stderr);
    for code in ["error[E0201]", "error[E0401]", "warning[W0001]"] {
        assert!(stderr.contains(code), "{code} missing:\n{stderr}");
    }
}

/// Istio's route names are free text (its analyzer's test data names one
/// `send /api/v1/products and /potato to sample.bar`): import keeps such a
/// name as a quoted string, and the build writes it back.
#[test]
fn free_text_route_names_survive_import_and_build() {
    let name = "send /api/v1/products and /potato to sample.bar";
    let yaml = format!(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: sample\nspec:\n  hosts:\n  - sample\n  http:\n  - name: {name}\n    match:\n    - uri:\n        prefix: /potato\n    route:\n    - destination:\n        host: sample\n"
    );
    let imported = meshc_stdin(&["import", "-"], &yaml);
    assert_eq!(imported.status.code(), Some(0), "{}", text(&imported.stderr));
    let program = text(&imported.stdout);
    assert!(program.contains(&format!("route \"{name}\" {{")), "{program}");
    let built = meshc_stdin(&["build", "-"], &program);
    assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    assert!(
        text(&built.stdout).contains(&format!("- name: \"{name}\"\n")),
        "{}",
        text(&built.stdout)
    );
}

/// The delegation example of Istio's API reference through the real binary:
/// imported one file per namespace (the root without one, each delegate in
/// its own), built back with the delegates as VirtualServices without
/// hosts, and a delegate renamed in its file only is an error at the route
/// that names it (E0214).
#[test]
fn import_and_build_of_delegates() {
    let dir = scratch("import-delegates");
    let out_dir = dir.join("mesh/");
    let out = meshc(&[
        "import",
        "tests/data/delegation/istio-api-delegation-example.yaml",
        "-o",
        path_str(&out_dir),
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let team = std::fs::read_to_string(out_dir.join("nsa.mesh")).unwrap();
    assert!(team.contains("delegate productpage {"), "{team}");
    let root_file = std::fs::read_to_string(out_dir.join("traffic.mesh")).unwrap();
    assert!(root_file.contains("delegate productpage namespace nsa"), "{root_file}");

    let built = meshc(&["build", path_str(&out_dir)]);
    assert_eq!(built.status.code(), Some(0), "{}", text(&built.stderr));
    let stream = text(&built.stdout);
    let delegate = stream
        .split("---\n")
        .find(|d| d.contains("name: productpage\n  namespace: nsa"))
        .expect("the delegate is built");
    assert!(
        delegate.contains("spec:\n  http:\n"),
        "no hosts, no gateways:\n{delegate}"
    );

    std::fs::write(
        out_dir.join("nsa.mesh"),
        team.replace("delegate productpage {", "delegate product-page {"),
    )
    .unwrap();
    let checked = meshc(&["check", path_str(&out_dir)]);
    assert_eq!(checked.status.code(), Some(1));
    let errors = text(&checked.stderr);
    assert!(
        errors.contains("error[E0214]: unknown delegate `productpage` in namespace `nsa`"),
        "{errors}"
    );
    assert!(errors.contains("did you mean `product-page`?"), "{errors}");
}
