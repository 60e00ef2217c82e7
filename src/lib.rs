//! meshc: a compiler from `.mesh` files to Istio `DestinationRule` and
//! `VirtualService` manifests.
//!
//! # Architecture
//!
//! ```text
//!  .mesh text ──syntax::parse──▶ ast::File ──check──▶ model::Program ──emit──▶ YAML
//!               (pest, private)  (spans,      (names, types,  (typed Istio     (own writer,
//!                                 no pest)     guarantees)     structs)         YAML 1.1-safe)
//!                      └───────────────┴── Diagnostic ──┴──▶ diag::render_human / render_json
//! ```
//!
//! - [`syntax`] turns text into an [`syntax::ast::File`]; it never fails, a
//!   line it cannot read becomes a diagnostic.  Large files are cut into
//!   pieces parsed on all cores (`syntax/pieces.rs`), lowered from pest's
//!   tree (`lower.rs`); unreadable lines are explained (`explain.rs`).
//! - [`check`] resolves names across all files of a program, types every
//!   value against the field [`catalogue`], and builds the [`model`]: the
//!   driver (`check/mod.rs`) declares every service in the symbol table
//!   (`symbols.rs`), then assembles each service (`service.rs`, with
//!   `routes/`, `policy.rs`, `values.rs`).
//! - [`model`] holds the typed Istio resources ([`model::istio`]) and
//!   [`model::Program`]; `check` builds it and `emit` reads it, neither
//!   depends on the other.
//! - [`emit`] orders the resources and writes YAML.  [`build`] (what
//!   `meshc build` runs) checks and writes a few services at a time on all
//!   cores, so the typed model of the whole program never exists at once;
//!   [`compile`] joins its documents with [`emit::write_documents`], as the
//!   CLI does, and is what tests and fuzz targets compile with;
//!   [`diagnose`] (what `meshc check` runs) checks the same way and keeps
//!   only the diagnostics; [`analyze_symbols`] (`meshc check --workloads`)
//!   also keeps the syntax trees, names and uses; [`analyze`] keeps
//!   everything, for editors.
//! - The parser's pieces and the checker's services share one thread
//!   scheduler (`parallel.rs`).
//! - [`import`] turns existing Istio YAML into `.mesh` source (a plan of
//!   services, written field by field in `write.rs`, laid out in
//!   `layout.rs`, values spelled in `literals.rs`), and checks what it
//!   wrote with the compiler itself.
//! - [`workloads`] reads Kubernetes manifests for `meshc check --workloads`.
//! - [`words`] is the one table of the language's words (statements,
//!   conditions, options, settings); the parser's keyword checks, completion,
//!   highlighting and the importer read it, and tests hold the grammar and the
//!   editor grammars to it.
//! - [`route`] answers where a request goes (`meshc route`, routing
//!   tests): the VirtualService of its host, the first route that matches,
//!   and what it does, with Istio's and Envoy's semantics.
//! - [`hosts`] is the one place hosts are qualified and compared the way
//!   Istio resolves them.
//! - [`output`] writes files and output directories all or nothing, never
//!   over an input, and cleans up after an interrupted run.
//! - [`diag`] holds the one [`Diagnostic`] type every phase reports with,
//!   its code catalogue, and the renderers.
//! - [`fmt`] is the canonical formatter.
//! - [`ide`] answers editor questions (completion, hover, navigation,
//!   rename, outline) from an [`Analysis`]; the `meshc-lsp` crate only
//!   converts positions and protocol types.
//!
//! Invariants: byte spans everywhere ([`span`]); no pest type outside
//! `syntax`; no check outside `check` (the CLI and the language server only
//! render what [`analyze`] and [`build`] return); output is a pure function
//! of the input.

#![deny(clippy::unwrap_used, clippy::indexing_slicing)]
#![cfg_attr(test, allow(clippy::unwrap_used, clippy::indexing_slicing))]

// The parser that pest generates names `::alloc` (pest is built without its
// `std` feature, see `syntax::grammar`).
extern crate alloc;

pub mod catalogue;
pub mod check;
pub mod diag;
pub mod emit;
pub mod fmt;
pub mod hosts;
pub mod ide;
pub mod import;
pub mod inputs;
pub mod model;
pub mod output;
mod parallel;
pub mod route;
pub mod span;
pub mod suggest;
pub mod syntax;
pub mod words;
pub mod workloads;

pub use diag::{Diagnostic, Severity};
pub use span::{FileId, Sources, Span};

/// Everything known about a program after parsing and checking.
#[derive(Clone, Debug)]
pub struct Analysis {
    /// The syntax tree of each file, indexed by [`FileId`].
    pub files: Vec<syntax::ast::File>,
    /// The checker's results (program, symbols).
    pub checked: check::Checked,
    /// All diagnostics, sorted by file and position.
    pub diagnostics: Vec<Diagnostic>,
    /// What running the program's routing tests found, for editors
    /// (failures, E0704, and routes no test reaches, N0003): filled by
    /// [`analyze`] and [`analyze_cached`] when the program has tests and no
    /// errors.  `meshc check` does not run tests; `meshc test` does.
    pub tests: Vec<Diagnostic>,
}

impl Analysis {
    /// Whether any diagnostic is an error.
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// Whether any diagnostic is a warning.
    pub fn has_warnings(&self) -> bool {
        self.diagnostics.iter().any(|d| d.severity == Severity::Warning)
    }
}

/// Parses and checks every file of `sources` as one program.
pub fn analyze(sources: &Sources) -> Analysis {
    with_tests(check_parsed(
        sources,
        sources.iter().map(|(id, file)| syntax::parse(id, &file.text)).collect(),
    ))
}

/// Runs the routing tests of `analysis` into [`Analysis::tests`] (a
/// program with errors has an incomplete model: its tests are not run).
fn with_tests(mut analysis: Analysis) -> Analysis {
    if analysis.checked.tests.is_empty() || analysis.has_errors() {
        return analysis;
    }
    // The editor's analysis keeps no typed program; the tests need one.
    if analysis.checked.program.virtual_services.is_empty() {
        let files: Vec<&syntax::ast::File> = analysis.files.iter().collect();
        analysis.checked.program = check::check(&files).program;
    }
    analysis.tests = route::testing::run(&analysis).diagnostics;
    analysis
}

/// What [`analyze_cached`] keeps from one analysis to the next.
#[derive(Clone, Debug, Default)]
pub struct AnalysisCache {
    /// The last parse of each file, by file id and name.
    files: std::collections::HashMap<String, syntax::ParseCache>,
    /// What checking each service found.
    check: check::incremental::CheckCache,
}

/// Analyses like [`analyze_symbols`], for editors: reparses only the parts
/// of each file that changed since the analysis that filled `cache` (its
/// syntax trees are reused, `syntax/pieces.rs`), and checks again only the
/// services an edit can affect (`check/incremental.rs`).  Like
/// [`analyze_symbols`], it keeps no typed program: editors read names,
/// uses and diagnostics.
///
/// `cancelled` is asked between phases (after parsing, after declaring the
/// services, before running the routing tests); once it says yes (the
/// text was edited again, and this analysis will never be shown), the
/// analysis stops and gives `None`, leaving `cache` ready for the next one.
pub fn analyze_cached(sources: &Sources, cache: &mut AnalysisCache, cancelled: &dyn Fn() -> bool) -> Option<Analysis> {
    let mut caches = std::collections::HashMap::with_capacity(sources.len());
    let parsed = sources
        .iter()
        .map(|(id, file)| {
            // A file keeps its cache only under the same id: spans carry it.
            let key = format!("{id}:{}", file.name);
            let mut parse_cache = cache.files.remove(&key).unwrap_or_default();
            let parsed = syntax::parse_cached(id, &file.text, &mut parse_cache);
            caches.insert(key, parse_cache);
            parsed
        })
        .collect();
    cache.files = caches;
    if cancelled() {
        return None;
    }
    let texts: Vec<&str> = sources.iter().map(|(_, file)| &*file.text).collect();
    let (files, diagnostics, allows) = prepare(sources, parsed);
    let refs: Vec<&syntax::ast::File> = files.iter().collect();
    let checked = check::incremental::check_cached(&refs, &texts, &mut cache.check, cancelled)?;
    let analysis = finish(files, diagnostics, &allows, checked);
    // Running the routing tests checks the whole program again.
    if cancelled() {
        return None;
    }
    Some(with_tests(analysis))
}

/// Analyses like [`analyze`] but keeps no typed program
/// (`checked.program` stays empty): the syntax trees, names, uses and
/// diagnostics, which is what `meshc check --workloads` reads.
pub fn analyze_symbols(sources: &Sources) -> Analysis {
    check_parsed_with(
        sources,
        sources.iter().map(|(id, file)| syntax::parse(id, &file.text)).collect(),
        check::check_symbols,
    )
}

/// Checks the parsed files of a program together.
fn check_parsed(sources: &Sources, parsed: Vec<syntax::Parsed>) -> Analysis {
    check_parsed_with(sources, parsed, check::check)
}

/// [`check_parsed`] with the given checker.
fn check_parsed_with(
    sources: &Sources,
    parsed: Vec<syntax::Parsed>,
    check: impl FnOnce(&[&syntax::ast::File]) -> check::Checked,
) -> Analysis {
    let (files, diagnostics, allows) = prepare(sources, parsed);
    let refs: Vec<&syntax::ast::File> = files.iter().collect();
    let checked = check(&refs);
    finish(files, diagnostics, &allows, checked)
}

/// The syntax trees of parsed files, their syntax diagnostics, and the
/// allow comments they hold (with the diagnostics of unreadable ones).
fn prepare(
    sources: &Sources,
    parsed: Vec<syntax::Parsed>,
) -> (Vec<syntax::ast::File>, Vec<Diagnostic>, Vec<check::allows::Allows>) {
    let mut files = Vec::with_capacity(parsed.len());
    let mut diagnostics = Vec::new();
    for file in parsed {
        diagnostics.extend(file.diagnostics);
        files.push(file.file);
    }
    let (allows, found) = read_allows(sources, &files);
    diagnostics.extend(found);
    (files, diagnostics, allows)
}

/// The analysis of checked files: the allow comments applied to every
/// diagnostic, which are sorted.
fn finish(
    files: Vec<syntax::ast::File>,
    mut diagnostics: Vec<Diagnostic>,
    allows: &[check::allows::Allows],
    mut checked: check::Checked,
) -> Analysis {
    check::allows::apply(allows, &mut checked.diagnostics);
    check::allows::apply(allows, &mut checked.hints);
    diagnostics.extend(checked.diagnostics.iter().cloned());
    check::allows::apply(allows, &mut diagnostics);
    diag::sort(&mut diagnostics);
    Analysis {
        files,
        checked,
        diagnostics,
        tests: Vec::new(),
    }
}

/// Compiles `sources` to a YAML stream, or returns the diagnostics when the
/// program has errors.  Warnings are returned alongside the output.
pub fn compile(sources: &Sources, api: emit::ApiVersion) -> Result<(String, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (documents, warnings) = build(sources, api)?;
    let mut out = Vec::with_capacity(documents.iter().map(|d| d.yaml.len() + 4).sum());
    emit::write_documents(&documents, &mut out).map_err(|_| warnings.clone())?;
    match String::from_utf8(out) {
        Ok(yaml) => Ok((yaml, warnings)),
        Err(_) => Err(warnings),
    }
}

/// Compiles `sources` to YAML documents in emission order, or returns the
/// diagnostics when the program has errors.  Unlike [`analyze`], it keeps
/// no typed program and no symbols: the services are checked and written
/// to YAML a few at a time, on all cores (see [`check::check_into`]).
pub fn build(
    sources: &Sources,
    api: emit::ApiVersion,
) -> Result<(Vec<emit::Document>, Vec<Diagnostic>), Vec<Diagnostic>> {
    let (parts, diagnostics) = check_streaming(sources, |program| emit::documents(program, api));
    if diagnostics.iter().any(Diagnostic::is_error) {
        return Err(diagnostics);
    }
    match parts.into_iter().collect::<Result<Vec<_>, String>>() {
        Ok(parts) => Ok((emit::join(parts), diagnostics)),
        Err(_) => Err(diagnostics),
    }
}

/// The diagnostics of `sources`, exactly as [`analyze`] and [`build`] find
/// them, in as little memory as [`build`] uses: what `meshc check` needs
/// when it keeps nothing else.
pub fn diagnose(sources: &Sources) -> Vec<Diagnostic> {
    check_streaming(sources, drop).1
}

/// Parses every file and checks the program a few services at a time,
/// handing each batch of typed resources to `sink` (see
/// [`check::check_into`]); the diagnostics come sorted.
fn check_streaming<T: Send>(sources: &Sources, sink: impl Fn(model::Program) -> T + Sync) -> (Vec<T>, Vec<Diagnostic>) {
    let mut files = Vec::with_capacity(sources.len());
    let mut diagnostics = Vec::new();
    for (id, file) in sources.iter() {
        let parsed = syntax::parse(id, &file.text);
        diagnostics.extend(parsed.diagnostics);
        files.push(parsed.file);
    }
    let (allows, found) = read_allows(sources, &files);
    diagnostics.extend(found);
    let (parts, found) = check::check_into(files, sink);
    diagnostics.extend(found);
    check::allows::apply(&allows, &mut diagnostics);
    diag::sort(&mut diagnostics);
    (parts, diagnostics)
}

/// The allow comments (`// meshc: allow(W0001)`) of every file.
fn read_allows(sources: &Sources, files: &[syntax::ast::File]) -> (Vec<check::allows::Allows>, Vec<Diagnostic>) {
    check::allows::read_all(
        sources
            .iter()
            .zip(files)
            .map(|((id, source), file)| (id, &*source.text, file)),
    )
}
