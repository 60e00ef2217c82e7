//! The `meshc` command line: reads files, calls the library, prints.
//!
//! Exit status: 0 success, 1 the program has errors (or denied warnings,
//! or unformatted files with `fmt --check`), 2 usage or I/O problems.

mod cli;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, CommandFactory, FromArgMatches, Parser, Subcommand, ValueEnum};
use cli::report::{Report, Reporter};

/// mimalloc: the compiler allocates many small strings and nodes, and frees
/// them all at once; glibc's allocator spends a tenth of a build on that.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;
use meshc::Sources;
use meshc::diag::{self, Code};
use meshc::emit::{self, ApiVersion};
use meshc::output::{self, Inputs, Reading};

#[derive(Parser)]
#[command(
    name = "meshc",
    version,
    about = "Compile .mesh traffic definitions to Istio DestinationRules and VirtualServices"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check a program and write its DestinationRule and VirtualService YAML.
    Build {
        #[command(flatten)]
        input: Input,
        /// Write to this file (one YAML stream) or, ending in `/` or naming
        /// a directory, one file per resource. Default: standard output.
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
        /// The networking.istio.io API version to write.
        #[arg(long, value_enum, default_value_t = Api::V1)]
        api_version: Api,
        #[command(flatten)]
        report: Report,
    },
    /// Check a program and report problems without writing anything.
    Check {
        #[command(flatten)]
        input: Input,
        /// Also check the program against the Kubernetes manifests (Services,
        /// Deployments, StatefulSets, Pods...) under this directory.
        #[arg(long, value_name = "DIR")]
        workloads: Option<PathBuf>,
        #[command(flatten)]
        report: Report,
    },
    /// Rewrite files in the canonical layout (comments are kept).
    Fmt {
        /// Only report files that are not formatted; change nothing.
        #[arg(long)]
        check: bool,
        /// Files or directories; `-` formats standard input to standard output.
        #[arg(required = true, value_name = "PATH")]
        paths: Vec<PathBuf>,
        #[command(flatten)]
        report: Report,
    },
    /// Convert existing DestinationRule and VirtualService manifests to .mesh.
    Import {
        /// YAML files, directories (their `.yaml` and `.yml` files, recursively),
        /// or `-` for standard input.
        #[arg(required = true, value_name = "FILE")]
        paths: Vec<PathBuf>,
        /// Write to this `.mesh` file or, ending in `/` or naming a directory,
        /// one file per namespace (`NAMESPACE.mesh`). Default: standard output.
        #[arg(short, long, value_name = "OUT")]
        output: Option<PathBuf>,
        #[command(flatten)]
        report: Report,
    },
    /// Run the program's routing tests (`test` blocks): each request is
    /// routed as Istio would route it and must do what the test expects;
    /// routes no test reaches are noted. Exit status as `check`.
    Test {
        #[command(flatten)]
        input: Input,
        #[command(flatten)]
        report: Report,
    },
    /// Show where a request goes: the VirtualService, the route that takes
    /// it and what the route does (destinations with their effective
    /// policy, rewrites, faults, timeout and retries with Istio's defaults).
    /// Exit status 0 when a route matched, 1 when none did, 2 for usage
    /// errors or a program with errors.
    #[command(
        override_usage = "meshc route PATH... [METHOD] URL [-H 'NAME: VALUE']... [OPTIONS]\n       meshc route PATH... --tcp HOST:PORT [--sni NAME] [OPTIONS]"
    )]
    Route {
        #[command(flatten)]
        asked: RouteArgs,
        #[command(flatten)]
        report: Report,
    },
    /// Explain a diagnostic code, such as E0201.
    Explain {
        /// The code.
        code: String,
    },
    /// Print the completion script for a shell (to source it, or to save
    /// where the shell loads completions from).
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff) of meshc, or of one of its commands.
    Man {
        /// A command (`build`) for its own page, `meshc-build(1)`.
        command: Option<String>,
    },
}

impl Command {
    /// The reporting flags of the commands that report diagnostics.
    fn report_mut(&mut self) -> Option<&mut Report> {
        match self {
            Command::Build { report, .. }
            | Command::Check { report, .. }
            | Command::Fmt { report, .. }
            | Command::Import { report, .. }
            | Command::Test { report, .. }
            | Command::Route { report, .. } => Some(report),
            Command::Explain { .. } | Command::Completions { .. } | Command::Man { .. } => None,
        }
    }
}

#[derive(Args)]
struct Input {
    /// `.mesh` files, directories (all `.mesh` files in them), or `-` for
    /// standard input. Together they form one program.
    #[arg(required = true, value_name = "PATH")]
    paths: Vec<PathBuf>,
}

#[derive(Clone, Copy, ValueEnum)]
enum Api {
    V1,
    V1beta1,
    V1alpha3,
}

/// A failure that is not the program's fault: exit status 2.
struct Failure(String);

/// How `build`, `check` and `fmt` read directories: their `.mesh` files,
/// not recursively (`meshc::inputs::program_files`).
const MESH_FILES: Reading = Reading {
    extensions: &["mesh"],
    recursive: false,
};

/// How `import` and `--workloads` read directories: YAML files, recursively.
const YAML_FILES: Reading = Reading {
    extensions: &["yaml", "yml"],
    recursive: true,
};

fn main() -> ExitCode {
    output::clean_up_on_signals();
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches).unwrap_or_else(|e| e.exit());
    // The level flags are read in command-line order, which only the
    // subcommand's matches know.
    if let (Some(report), Some((name, sub))) = (cli.command.report_mut(), matches.subcommand())
        && let Err(message) = report.read_levels(sub)
    {
        let mut command = Cli::command();
        command.build();
        let mut usage = command.find_subcommand(name).cloned().unwrap_or(command);
        usage.error(clap::error::ErrorKind::InvalidValue, message).exit();
    }
    let mut reporter = cli.command.report_mut().map(|report| Reporter::new(report));
    let result = match (cli.command, reporter.as_mut()) {
        (
            Command::Build {
                input,
                output,
                api_version,
                ..
            },
            Some(reporter),
        ) => build(&input, output.as_deref(), api_version, reporter),
        (Command::Check { input, workloads, .. }, Some(reporter)) => check(&input, workloads.as_deref(), reporter),
        (Command::Fmt { check, paths, .. }, Some(reporter)) => format_files(&paths, check, reporter),
        (Command::Import { paths, output, .. }, Some(reporter)) => import(&paths, output.as_deref(), reporter),
        (Command::Test { input, .. }, Some(reporter)) => run_tests(&input, reporter),
        (Command::Route { asked, report }, Some(reporter)) => route(&asked, reporter, report.is_json()),
        (Command::Explain { code }, _) => explain(&code),
        (Command::Completions { shell }, _) => print_bytes(&cli::packaging::completions(shell, &mut Cli::command())),
        (Command::Man { command }, _) => match cli::packaging::man_page(Cli::command(), command.as_deref()) {
            Some(page) => print_bytes(&page),
            None => Err(Failure(format!(
                "no command `{}`; meshc's commands: {}",
                command.unwrap_or_default(),
                Cli::command()
                    .get_subcommands()
                    .map(|c| c.get_name().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        },
        (_, None) => Ok(ExitCode::SUCCESS),
    };
    // What closes the report (a count, a summary, the SARIF log) is
    // printed whatever happened, so a CI reader always gets a whole log.
    if let Some(reporter) = reporter {
        reporter.finish();
    }
    match result {
        Ok(code) => code,
        Err(Failure(message)) => {
            warn(&message);
            ExitCode::from(2)
        }
    }
}

/// Writes generated bytes (a completion script, a manual page) to
/// standard output.
fn print_bytes(bytes: &[u8]) -> Result<ExitCode, Failure> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(bytes)
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure(format!("cannot write the output: {e}")))?;
    Ok(ExitCode::SUCCESS)
}

/// Exit status 1 when the reporter has reported an error, 0 otherwise.
fn status(reporter: &Reporter) -> ExitCode {
    if reporter.failed() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

fn build(input: &Input, output: Option<&Path>, api: Api, reporter: &mut Reporter) -> Result<ExitCode, Failure> {
    let sources = read_sources(&input.paths)?;
    let api = match api {
        Api::V1 => ApiVersion::V1,
        Api::V1beta1 => ApiVersion::V1beta1,
        Api::V1alpha3 => ApiVersion::V1alpha3,
    };
    let documents = match meshc::build(&sources, api) {
        // A denied warning fails the build like an error: nothing is written.
        Ok((documents, warnings)) => {
            if reporter.report(&sources, warnings) {
                return Ok(ExitCode::from(1));
            }
            documents
        }
        Err(diagnostics) => {
            reporter.report(&sources, diagnostics);
            return Ok(ExitCode::from(1));
        }
    };
    // The sources are freed on another core while the output is written;
    // the process does not wait for it.
    std::thread::spawn(move || drop(sources));
    let inputs = Inputs::new(&input.paths, MESH_FILES);
    match output {
        None => {
            let mut stdout = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
            emit::write_documents(&documents, &mut stdout)
                .and_then(|()| stdout.flush())
                .map_err(|e| Failure(format!("cannot write the output: {e}")))?;
        }
        Some(dir) if is_directory(dir) => {
            let files: Vec<(String, &[u8])> = documents
                .iter()
                .map(|d| (d.file_name.clone(), d.yaml.as_bytes()))
                .collect();
            let names: Vec<String> = files.iter().map(|(name, _)| name.clone()).collect();
            inputs.refuse_output(dir, Some(&names)).map_err(Failure)?;
            let report = output::write_dir(dir, &files).map_err(Failure)?;
            report_dir(dir, &report);
        }
        Some(file) => {
            inputs.refuse_output(file, None).map_err(Failure)?;
            output::write_file(file, |w| emit::write_documents(&documents, w)).map_err(Failure)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Says what writing an output directory did besides writing its files.
fn report_dir(dir: &Path, report: &output::DirReport) {
    if !report.removed.is_empty() {
        warn(&format!(
            "removed {} from `{}` that an earlier build wrote and this one does not: {}",
            diag::plural(report.removed.len(), "file"),
            dir.display(),
            some_of(&report.removed)
        ));
    }
    if !report.kept.is_empty() {
        let entries = match report.kept.len() {
            1 => "1 entry".to_string(),
            n => format!("{n} entries"),
        };
        warn(&format!(
            "kept {entries} in `{}` that meshc did not write: {}",
            dir.display(),
            some_of(&report.kept)
        ));
    }
}

/// The first few names of a list, and how many more there are.
fn some_of(names: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = names.iter().take(SHOWN).cloned().collect::<Vec<_>>().join(", ");
    if names.len() > SHOWN {
        text.push_str(&format!(" and {} more", names.len() - SHOWN));
    }
    text
}

/// A line on standard error that is not a diagnostic, its control
/// characters escaped (file names can hold any byte).
fn warn(text: &str) {
    eprintln!("meshc: {}", diag::printable(text));
}

fn check(input: &Input, workloads: Option<&Path>, reporter: &mut Reporter) -> Result<ExitCode, Failure> {
    let manifests = input.paths.iter().filter(|p| is_manifest(p)).count();
    if manifests > 0 {
        if manifests < input.paths.len() {
            return Err(Failure(
                "`meshc check` reads either a .mesh program or Istio YAML manifests: check them in two runs".into(),
            ));
        }
        return check_manifests(&input.paths, workloads, reporter);
    }
    let sources = read_sources(&input.paths)?;
    let diagnostics = match workloads {
        // The workload checks read the program's names and their uses.
        Some(dir) => {
            let mut analysis = meshc::analyze_symbols(&sources);
            meshc::check::workloads::check_into(&mut analysis, &read_workloads(dir)?);
            analysis.diagnostics
        }
        None => meshc::diagnose(&sources),
    };
    reporter.report(&sources, diagnostics);
    Ok(status(reporter))
}

/// Whether a path names a YAML file (`meshc check k8s/*.yaml`).
fn is_manifest(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "yaml" || e == "yml")
}

/// `meshc check` on Istio YAML: every check, reported at the manifests'
/// lines, nothing converted on disk.
fn check_manifests(paths: &[PathBuf], workloads: Option<&Path>, reporter: &mut Reporter) -> Result<ExitCode, Failure> {
    let sources = read_sources(paths)?;
    let workloads = workloads.map(read_workloads).transpose()?;
    let diagnostics = meshc::import::check(&sources, &|analysis| {
        if let Some(workloads) = &workloads {
            meshc::check::workloads::check_into(analysis, workloads);
        }
    });
    reporter.report(&sources, diagnostics);
    Ok(status(reporter))
}

/// The Kubernetes workloads under `dir` (`--workloads`); what cannot be
/// read is passed over with a warning.
fn read_workloads(dir: &Path) -> Result<meshc::workloads::Workloads, Failure> {
    let manifests = read_manifests(dir, true)?;
    let (workloads, skipped) = meshc::workloads::read(&manifests);
    for reason in skipped {
        warn(&format!("warning: skipped unreadable YAML: {reason}"));
    }
    Ok(workloads)
}

fn format_files(paths: &[PathBuf], check_only: bool, reporter: &mut Reporter) -> Result<ExitCode, Failure> {
    let mut status = ExitCode::SUCCESS;
    for (path, name, text) in read_each(paths)? {
        let mut sources = Sources::default();
        let id = sources.add(name.clone(), text.clone());
        let parsed = meshc::syntax::parse(id, &text);
        if reporter.report(&sources, parsed.diagnostics) {
            status = ExitCode::from(1);
            continue;
        }
        let formatted = meshc::fmt::format(&text);
        match path {
            None => print!("{formatted}"),
            Some(_) if check_only => {
                if formatted != text {
                    println!("would reformat {name}");
                    status = ExitCode::from(1);
                }
            }
            Some(path) => {
                if formatted != text {
                    output::write_file(&path, |w| w.write_all(formatted.as_bytes())).map_err(Failure)?;
                }
            }
        }
    }
    Ok(status)
}

fn import(paths: &[PathBuf], output: Option<&Path>, reporter: &mut Reporter) -> Result<ExitCode, Failure> {
    let mut sources = Sources::default();
    for path in paths {
        if path.is_dir() {
            for (name, text) in read_manifests(path, false)? {
                sources.add(name, text);
            }
        } else {
            for (_, name, text) in read_each(std::slice::from_ref(path))? {
                sources.add(name, text);
            }
        }
    }
    let to_dir = output.filter(|o| is_directory(o));
    let name_of = |namespace: Option<&str>| match (to_dir, output) {
        (Some(dir), _) => dir.join(meshc::import::file_name(namespace)).display().to_string(),
        (None, Some(file)) => file.display().to_string(),
        (None, None) => "<stdout>".to_string(),
    };
    let imported = meshc::import::import(&sources, &name_of);
    let unreadable = imported.is_unreadable();
    reporter.report(&sources, imported.diagnostics);
    if unreadable {
        return Ok(ExitCode::from(1));
    }
    if imported.files.is_empty() {
        return Err(Failure(
            "nothing to import: no DestinationRule or VirtualService found".into(),
        ));
    }
    let inputs = Inputs::new(paths, YAML_FILES);
    match to_dir {
        Some(dir) => {
            let clash = meshc::import::file_name(None);
            let named_like_none = |f: &meshc::import::ImportedFile| {
                f.namespace.is_some() && meshc::import::file_name(f.namespace.as_deref()) == clash
            };
            if imported.files.iter().any(|f| f.namespace.is_none()) && imported.files.iter().any(named_like_none) {
                return Err(Failure(format!(
                    "the manifests without a namespace and those of namespace `{}` would both be written to `{clash}`: import them separately",
                    clash.trim_end_matches(".mesh")
                )));
            }
            let files: Vec<(String, &[u8])> = imported
                .files
                .iter()
                .map(|f| (meshc::import::file_name(f.namespace.as_deref()), f.text.as_bytes()))
                .collect();
            let names: Vec<String> = files.iter().map(|(name, _)| name.clone()).collect();
            inputs.refuse_output(dir, Some(&names)).map_err(Failure)?;
            let report = output::write_dir(dir, &files).map_err(Failure)?;
            report_dir(dir, &report);
        }
        None if imported.files.len() > 1 => {
            let namespaces: Vec<&str> = imported
                .files
                .iter()
                .map(|f| f.namespace.as_deref().unwrap_or("(none)"))
                .collect();
            return Err(Failure(format!(
                "the manifests are in several namespaces ({}), and a .mesh file holds one: use `-o DIR/`",
                namespaces.join(", ")
            )));
        }
        None => match output {
            Some(file) => {
                inputs.refuse_output(file, None).map_err(Failure)?;
                output::write_file(file, |w| w.write_all(imported.files[0].text.as_bytes())).map_err(Failure)?;
            }
            None => print!("{}", imported.files[0].text),
        },
    }
    Ok(status(reporter))
}

/// Whether an output path names a directory (it ends in `/` or is one).
fn is_directory(path: &Path) -> bool {
    path.to_string_lossy().ends_with('/') || path.is_dir()
}

fn run_tests(input: &Input, reporter: &mut Reporter) -> Result<ExitCode, Failure> {
    let sources = read_sources(&input.paths)?;
    let analysis = meshc::analyze(&sources);
    if analysis.has_errors() || analysis.checked.tests.is_empty() {
        let errors = analysis.has_errors();
        reporter.report(&sources, analysis.diagnostics);
        if !errors {
            warn("the program has no `test` blocks");
        }
        return Ok(status(reporter));
    }
    let tests = meshc::route::testing::run(&analysis);
    let mut all = analysis.diagnostics.clone();
    all.extend(tests.diagnostics.iter().cloned());
    meshc::diag::sort(&mut all);
    reporter.report(&sources, all);
    warn(&tests.summary());
    Ok(if tests.failed > 0 {
        ExitCode::from(1)
    } else {
        status(reporter)
    })
}

/// What `meshc route` was asked.
#[derive(Args)]
struct RouteArgs {
    /// `.mesh` files or directories (the program), then the request:
    /// an optional method (GET by default) and the URL,
    /// `scheme://authority[:port]/path?query`.
    #[arg(required = true, value_name = "PATH... [METHOD] URL")]
    args: Vec<String>,
    /// A request header, `NAME: VALUE` (repeatable).
    #[arg(short = 'H', long = "header", value_name = "NAME: VALUE")]
    headers: Vec<String>,
    /// Route a TCP connection to HOST:PORT instead of an HTTP request
    /// (with `--sni`, a TLS connection).
    #[arg(long, value_name = "HOST:PORT")]
    tcp: Option<String>,
    /// The TLS server name of the connection (with `--tcp`).
    #[arg(long, value_name = "NAME", requires = "tcp")]
    sni: Option<String>,
    /// The gateway the request arrives at (default: a sidecar in the mesh).
    #[arg(long, value_name = "NAME")]
    gateway: Option<String>,
    /// The namespace of the calling workload.
    #[arg(long, value_name = "NS")]
    source_namespace: Option<String>,
    /// A label of the calling workload, `KEY=VALUE` (repeatable).
    #[arg(long = "source-label", value_name = "KEY=VALUE")]
    source_labels: Vec<String>,
}

/// The HTTP methods `meshc route` recognises before a URL.
fn is_method(word: &str) -> bool {
    !word.is_empty() && word.bytes().all(|b| b.is_ascii_uppercase()) && !Path::new(word).exists()
}

fn route(asked: &RouteArgs, reporter: &mut Reporter, json: bool) -> Result<ExitCode, Failure> {
    use meshc::route::{self, Request};
    let usage = |e: route::BadRequest| Failure(e.0);
    let (paths, mut request) = match &asked.tcp {
        Some(address) => (
            asked.args.clone(),
            Request::tcp(address, asked.sni.as_deref()).map_err(usage)?,
        ),
        None => {
            let Some(url_at) = asked.args.iter().rposition(|a| a.contains("://")) else {
                return Err(Failure(
                    "meshc route needs the request's URL after the paths, such as `http://reviews:9080/reviews/1` (or `--tcp HOST:PORT`)".to_string(),
                ));
            };
            if url_at + 1 != asked.args.len() {
                return Err(Failure(
                    "the URL comes last: `meshc route PATH... [METHOD] URL`".to_string(),
                ));
            }
            let method_at = url_at
                .checked_sub(1)
                .filter(|&i| asked.args.get(i).is_some_and(|a| is_method(a)));
            let method = method_at.and_then(|i| asked.args.get(i)).map_or("GET", String::as_str);
            let url = asked.args.get(url_at).map_or("", String::as_str);
            let paths = asked
                .args
                .get(..method_at.unwrap_or(url_at))
                .unwrap_or_default()
                .to_vec();
            (paths, Request::http(method, url).map_err(usage)?)
        }
    };
    if paths.is_empty() {
        return Err(Failure(
            "meshc route needs the program's .mesh files before the request".to_string(),
        ));
    }
    if !asked.headers.is_empty() && asked.tcp.is_some() {
        return Err(Failure(
            "`-H` sets HTTP headers; a `--tcp` connection has none".to_string(),
        ));
    }
    for header in &asked.headers {
        request.header_line(header).map_err(usage)?;
    }
    for label in &asked.source_labels {
        request.source_label_line(label).map_err(usage)?;
    }
    if let Some(gateway) = &asked.gateway {
        request.gateway = gateway.clone();
    }
    request.source_namespace = asked.source_namespace.clone();
    let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
    let sources = read_sources(&paths)?;
    let analysis = meshc::analyze(&sources);
    if analysis.has_errors() {
        reporter.report(&sources, analysis.diagnostics);
        return Err(Failure(
            "the program has errors; routing needs a program that checks clean".to_string(),
        ));
    }
    let outcome = route::route(&analysis, &request);
    // The route itself is for people, or JSON; the other formats are for
    // diagnostics only.
    let text = if json {
        format!("{}\n", route::report::to_json(&sources, &outcome))
    } else {
        route::report::to_human(&sources, &outcome)
    };
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
    Ok(if outcome.hit.is_some() {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

fn explain(code: &str) -> Result<ExitCode, Failure> {
    let Some(code) = Code::parse(code) else {
        let known: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
        return Err(Failure(format!(
            "unknown diagnostic code `{code}`; known codes: {}",
            known.join(", ")
        )));
    };
    print!("{}", code.info().explanation);
    Ok(ExitCode::SUCCESS)
}

/// Reads all inputs into one program.
fn read_sources(paths: &[PathBuf]) -> Result<Sources, Failure> {
    let mut sources = Sources::default();
    for (_, name, text) in read_each(paths)? {
        sources.add(name, text);
    }
    Ok(sources)
}

/// Expands directories and reads every input: (path, display name, text);
/// the path is `None` for standard input.
fn read_each(paths: &[PathBuf]) -> Result<Vec<(Option<PathBuf>, String, String)>, Failure> {
    let mut out = Vec::new();
    for path in paths {
        if path.as_os_str() == "-" {
            let mut text = String::new();
            std::io::stdin()
                .read_to_string(&mut text)
                .map_err(|e| Failure(format!("cannot read standard input: {e}")))?;
            out.push((None, "<stdin>".to_string(), text));
            continue;
        }
        if path.is_dir() {
            let found = meshc::inputs::program_files(path)
                .map_err(|e| Failure(format!("cannot read directory `{}`: {e}", path.display())))?;
            if found.is_empty() {
                return Err(Failure(format!("no .mesh files in directory `{}`", path.display())));
            }
            for file in found {
                let text = read_file(&file)?;
                out.push((Some(file.clone()), file.display().to_string(), text));
            }
            continue;
        }
        let text = read_file(path)?;
        out.push((Some(path.clone()), path.display().to_string(), text));
    }
    // Spans are 32-bit byte offsets.
    if let Some((_, name, text)) = out.iter().find(|(_, _, text)| u32::try_from(text.len()).is_err()) {
        return Err(Failure(format!(
            "`{name}` is {} bytes; meshc reads files of less than 4 GiB",
            text.len()
        )));
    }
    Ok(out)
}

/// Every `.yaml` and `.yml` file under `dir`, in path order.  The walk
/// follows symlinks but visits each directory once (a link cycle ends), and
/// reads regular files only (a FIFO would block, `/dev/zero` never ends);
/// what it passes over, and subdirectories it cannot read, it names in a
/// warning.  A file that cannot be read is an error, or with `lenient`
/// (`--workloads`, where most manifests are not meshc's) a warning.
fn read_manifests(dir: &Path, lenient: bool) -> Result<Vec<(String, String)>, Failure> {
    if !dir.is_dir() {
        return Err(Failure(format!("cannot read `{}`: not a directory", dir.display())));
    }
    let skipped = |what: &Path, why: &str| warn(&format!("warning: skipped `{}`: {why}", what.display()));
    let mut found = Vec::new();
    let mut visited = std::collections::HashSet::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(current) = stack.pop() {
        let Ok(real) = current.canonicalize() else {
            skipped(&current, "a broken link");
            continue;
        };
        if !visited.insert(real) {
            continue;
        }
        let entries = match std::fs::read_dir(&current) {
            Ok(entries) => entries,
            Err(e) if current == dir => {
                return Err(Failure(format!(
                    "cannot read directory `{}`: {}",
                    current.display(),
                    output::reason(&e)
                )));
            }
            Err(e) => {
                skipped(&current, &output::reason(&e));
                continue;
            }
        };
        for path in entries.filter_map(|e| e.ok().map(|e| e.path())) {
            let Ok(meta) = std::fs::metadata(&path) else {
                continue;
            };
            if meta.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                if meta.is_file() {
                    found.push(path);
                } else {
                    skipped(&path, "not a regular file");
                }
            }
        }
    }
    found.sort();
    let mut manifests = Vec::with_capacity(found.len());
    for path in found {
        match read_file(&path) {
            Ok(text) => manifests.push((path.display().to_string(), text)),
            Err(Failure(why)) if lenient => warn(&format!("warning: skipped: {why}")),
            Err(failure) => return Err(failure),
        }
    }
    Ok(manifests)
}

fn read_file(path: &Path) -> Result<String, Failure> {
    let bytes = std::fs::read(path)
        .map_err(|e| Failure(format!("cannot read `{}`: {}", path.display(), output::reason(&e))))?;
    String::from_utf8(bytes).map_err(|_| Failure(format!("cannot read `{}`: it is not UTF-8 text", path.display())))
}
