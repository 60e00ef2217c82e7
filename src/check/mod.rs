//! Checking: syntax trees in, the typed Istio model and diagnostics out.
//!
//! The checker resolves every name (services across all files of the
//! program, subsets, `service/subset` references), types every value, and
//! enforces the guarantees: every subset reference resolves, every split
//! sums to 100, nothing the CRD schema or Istio's webhook would reject gets
//! through.  It also records where each service and subset is defined and
//! used, for the language server.
//!
//! This file is the driver: it declares every service in the symbol table
//! (`symbols.rs`), then checks the services independently, a batch at a
//! time and on all cores for large programs (`parallel.rs`): each service
//! is assembled in `service.rs`, its routes in `routes/`, its policies in
//! `policy.rs`, and single values in `values.rs`; last, `unused.rs` finds
//! the subsets no route uses.

pub mod allows;
mod delegation;
mod hazards;
pub mod incremental;
mod policy;
pub mod re2;
mod routes;
mod service;
mod shadowing;
mod symbols;
mod testing;
mod unused;
mod values;
pub mod workloads;

use std::borrow::Borrow;

use crate::diag::Diagnostic;
use crate::model::Program;
use crate::parallel;
use crate::syntax::ast;
pub use delegation::allowed_in_delegate;
pub use routes::actions::{EXCLUSIVE_STATEMENTS, REDIRECT_CONFLICTS};
pub use routes::conditions::condition_allowed;
pub use routes::{GRPC_STATUSES, RETRY_ON, repeatable, statement_allowed};
use symbols::Table;
pub use symbols::{ExternalSubset, Reference, ServiceId, ServiceInfo, SubsetInfo, Symbols};
pub(crate) use values::is_dns1123_label;

/// Everything the checker found.
#[derive(Clone, Debug, Default)]
pub struct Checked {
    /// The resources (complete only when there are no errors).
    pub program: Program,
    /// Names and their uses.
    pub symbols: Symbols,
    /// Problems found.
    pub diagnostics: Vec<Diagnostic>,
    /// What editors show faintly and the command line does not print
    /// (N0002: a subset no route uses).
    pub hints: Vec<Diagnostic>,
    /// The well-formed routing tests, in source order (`meshc test`).
    pub tests: Vec<crate::route::testing::RoutingTest>,
}

/// Checks the parsed files of one program together.
pub fn check(files: &[&ast::File]) -> Checked {
    check_on(files, parallel::threads())
}

/// Checks like [`check`], keeping no typed program: the names, their uses
/// and the diagnostics (what the workload checks read), in about the
/// memory of a build.
pub fn check_symbols(files: &[&ast::File]) -> Checked {
    let services = files
        .iter()
        .map(|f| f.services.iter().map(|s| &**s).collect())
        .collect();
    check_parts(files, services, parallel::threads(), drop).1
}

/// Checks like [`check`], but consumes the syntax trees and hands the
/// resources to `sink` a few services at a time, in source order, on the
/// thread that checked them, keeping only what `sink` returns: a build
/// writes YAML in parallel, frees each service's tree once it is checked,
/// and never holds the whole typed program.
pub fn check_into<T: Send>(mut files: Vec<ast::File>, sink: impl Fn(Program) -> T + Sync) -> (Vec<T>, Vec<Diagnostic>) {
    let services: Vec<Vec<std::sync::Arc<ast::Service>>> =
        files.iter_mut().map(|f| std::mem::take(&mut f.services)).collect();
    let headers: Vec<&ast::File> = files.iter().collect();
    let (parts, checked) = check_parts(&headers, services, parallel::threads(), sink);
    (parts, checked.diagnostics)
}

/// [`check`] on up to `threads` threads.
fn check_on(files: &[&ast::File], threads: usize) -> Checked {
    let services = files
        .iter()
        .map(|f| f.services.iter().map(|s| &**s).collect())
        .collect();
    let (parts, mut checked) = check_parts(files, services, threads, |part| part);
    for part in parts {
        checked.program.destination_rules.extend(part.destination_rules);
        checked.program.virtual_services.extend(part.virtual_services);
        checked.program.virtual_service_sites.extend(part.virtual_service_sites);
    }
    checked
}

/// Services checked between two calls of a sink: enough to keep threads
/// busy, few enough that their typed resources take little memory.
const BATCH: usize = 64;

/// Checks every service (`services[i]` are those of `files[i]`, borrowed
/// or owned); returns what `sink` made of each batch of resources, and the
/// rest of the results with an empty program.  Owned services are dropped
/// as soon as they are checked.
fn check_parts<S: Borrow<ast::Service> + Send, T: Send>(
    files: &[&ast::File],
    services: Vec<Vec<S>>,
    threads: usize,
    sink: impl Fn(Program) -> T + Sync,
) -> (Vec<T>, Checked) {
    // Declare every service first: routes may name services defined later
    // or in other files.
    let no_table = Table::default();
    let mut declaring = Checker::new(&no_table);
    let mut table = Table::default();
    let mut work: Vec<(&ast::File, S, ServiceId)> = Vec::new();
    for (file, file_services) in files.iter().zip(services) {
        for service in file_services {
            if let Some(id) = table.declare(&mut declaring, file, service.borrow()) {
                work.push((*file, service, id));
            }
        }
    }
    let mut diagnostics = declaring.diagnostics;
    // Tests name routes, services and subsets, which are all known now.
    let route_names: Vec<&str> = work
        .iter()
        .flat_map(|(_, s, _)| &s.borrow().routes)
        .filter_map(|r| r.name.as_ref().map(|n| n.name.as_str()))
        .collect();
    let (tests, found) = testing::check_all(&table, files, &route_names);
    diagnostics.extend(found);
    drop(route_names);
    // Services are then checked independently, on all cores for large
    // programs; the results are joined in source order.
    let on_threads = threads > 1 && work.len() >= PARALLEL_SERVICES;
    let chunk = if on_threads {
        work.len().div_ceil(threads)
    } else {
        work.len().max(1)
    };
    let check_chunk = |chunk: Vec<(&ast::File, S, ServiceId)>| {
        let mut checker = Checker::new(&table);
        let mut parts = Vec::with_capacity(chunk.len().div_ceil(BATCH));
        let mut program = Program::default();
        let mut in_batch = 0;
        for (file, service, id) in chunk {
            checker.service(file, service.borrow(), id, &mut program);
            in_batch += 1;
            if in_batch == BATCH {
                parts.push(sink(std::mem::take(&mut program)));
                in_batch = 0;
            }
        }
        if in_batch > 0 {
            parts.push(sink(program));
        }
        (parts, checker.diagnostics, checker.references)
    };
    let results: Vec<(Vec<T>, Vec<Diagnostic>, Vec<Reference>)> =
        parallel::map(parallel::runs(work, chunk), check_chunk);
    let mut parts = Vec::new();
    let mut references = Vec::new();
    for (part, part_diagnostics, part_references) in results {
        parts.extend(part);
        diagnostics.extend(part_diagnostics);
        references.extend(part_references);
    }
    let hints = unused::unused_subsets(&table.services, &references);
    let checked = Checked {
        tests,
        hints,
        program: Program::default(),
        symbols: Symbols {
            services: table.services,
            references,
        },
        diagnostics,
    };
    (parts, checked)
}

/// Programs with at least this many services are checked on all cores.
const PARALLEL_SERVICES: usize = 512;

/// The checker's state while it walks some services of a program.
pub(crate) struct Checker<'t> {
    pub(crate) diagnostics: Vec<Diagnostic>,
    /// The program's services.
    table: &'t Table,
    references: Vec<Reference>,
    /// The VirtualService hosts of the service being checked.
    current_hosts: Vec<String>,
    /// The namespace of the service being checked, when its file names one.
    current_namespace: Option<String>,
    /// The names the service being checked looked up in the table, and
    /// what they resolved to (see `incremental.rs`).
    looked_up: Vec<(ast::Text, Option<ServiceId>)>,
    /// Whether the service being checked read every service name.
    read_all_names: bool,
    /// Whether it read the table in a way not noted above (delegates).
    read_untracked: bool,
}

impl<'t> Checker<'t> {
    fn new(table: &'t Table) -> Checker<'t> {
        Checker {
            diagnostics: Vec::new(),
            table,
            references: Vec::new(),
            current_hosts: Vec::new(),
            current_namespace: None,
            looked_up: Vec::new(),
            read_all_names: false,
            read_untracked: false,
        }
    }

    /// The service named `name`, noting that the service being checked
    /// depends on what the name resolves to.
    fn lookup(&mut self, name: &ast::Text) -> Option<ServiceId> {
        let found = self.table.by_name.get(name).copied();
        self.looked_up.push((name.clone(), found));
        found
    }

    /// Every service name, noting that the service being checked read them.
    fn all_names(&mut self) -> impl Iterator<Item = &'t str> + use<'t> {
        self.read_all_names = true;
        let table: &'t Table = self.table;
        table.services.iter().map(|s| s.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checking_on_several_threads_gives_the_same_result() {
        let mut text = String::new();
        for i in 0..(PARALLEL_SERVICES + 40) {
            let bad = if i % 50 == 7 { "v9" } else { "v1" };
            text.push_str(&format!(
                "service s{i} {{\n  subset v1 {{ version = \"v1\" }}\n  route {{ to {bad} 60%, s{}/v1 40% }}\n}}\n",
                (i + 1) % (PARALLEL_SERVICES + 40)
            ));
        }
        let parsed = crate::syntax::parse(0, &text);
        let one = check_on(&[&parsed.file], 1);
        let many = check_on(&[&parsed.file], 3);
        assert_eq!(one.program, many.program);
        assert_eq!(one.diagnostics, many.diagnostics);
        assert_eq!(one.symbols.references, many.symbols.references);
        assert!(one.diagnostics.len() >= 10);
    }
}
