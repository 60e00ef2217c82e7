//! Checking again only the services an edit can affect (for editors, which
//! check the whole program at every keystroke).
//!
//! What checking a service reads, and so what its result depends on:
//!
//! - its own syntax tree, a function of its text and where the text starts
//!   (the parser reads a service block alone, `syntax/pieces.rs`);
//! - the namespace of its file, and its id (references name services by
//!   id);
//! - the services it looks up by name (`to reviews/v2`, `mirror ratings`):
//!   whether the name is defined, by which service, and that service's
//!   host, namespace and subsets, all functions of that service's own text
//!   and file ([`Table::declare`](super::symbols)); a name looked up and
//!   not found depends on the name staying undefined;
//! - every service name, when it suggests one for a name it cannot find;
//! - the delegates of the program, when it delegates a route: such a
//!   service is checked again every time.
//!
//! So each checked service keeps its text, file, namespace, id, start, the
//! names it looked up (with what they resolved to) and its results (the
//! diagnostics and references it produced).  At the next check a service
//! is *unchanged* when its text, file, namespace and id are; its results
//! are reused when it and every service it looked up are unchanged, and
//! moved by the same distance (an edit above them moves both alike; a
//! service looked up in another file must not have moved at all, since
//! its spans are in the results as they were).  Reused results are moved
//! with the service.  Declaring the services (the symbol table) and the
//! unused-subset hints are computed afresh every time: they read every
//! service, and cost little.
//!
//! The test in this module compares a cached check with a fresh one after
//! edits of every kind; `meshc-lsp`'s benchmark measures the gain.

use foldhash::HashMap;

use super::symbols::Table;
use super::{Checked, Checker, Reference, ServiceId, Symbols, unused};
use crate::diag::Diagnostic;
use crate::model::Program;
use crate::span::{FileId, Span};
use crate::syntax::ast::{self, Text};

/// What checking each service found, kept from one check to the next.
#[derive(Clone, Debug, Default)]
pub struct CheckCache {
    /// By service name (the names of checked services are unique).
    services: HashMap<Text, Entry>,
    /// A fingerprint of every service name, in order.
    names: u64,
    /// How many services the last check checked (the others were reused).
    rechecked: usize,
}

/// One service as it was checked.
#[derive(Clone, Debug)]
struct Entry {
    text: Box<str>,
    file: FileId,
    start: u32,
    namespace: Option<Text>,
    id: ServiceId,
    /// The names it looked up, and the service each resolved to.
    looked_up: Box<[(Text, Option<ServiceId>)]>,
    /// Whether it read every service name.
    all_names: bool,
    /// Whether it read the table in ways not noted (it is never reused).
    untracked: bool,
    diagnostics: Vec<Diagnostic>,
    references: Vec<Reference>,
}

/// How far an unchanged service moved since it was last checked.
type Moved = Option<i64>;

/// Checks `files` (whose texts are `texts`, by file id) like
/// [`check_symbols`](super::check_symbols), reusing what `cache` kept of
/// the services an edit cannot have affected; `cache` then holds this
/// check's results.  Once the services are declared, it asks `cancelled`
/// and, if so, stops: `None`, with `cache` left as it was.
pub fn check_cached(
    files: &[&ast::File],
    texts: &[&str],
    cache: &mut CheckCache,
    cancelled: &dyn Fn() -> bool,
) -> Option<Checked> {
    let no_table = Table::default();
    let mut declaring = Checker::new(&no_table);
    let mut table = Table::default();
    let mut work: Vec<(FileId, &ast::File, &ast::Service, ServiceId)> = Vec::new();
    for (file_id, file) in (0..).zip(files) {
        for service in &file.services {
            if let Some(id) = table.declare(&mut declaring, file, service) {
                work.push((file_id, file, service, id));
            }
        }
    }
    if cancelled() {
        return None;
    }
    let names = fingerprint(table.services.iter().map(|s| s.name.as_str()));
    let text_of = |file: FileId, span: Span| texts.get(file as usize).and_then(|t| t.get(span.range())).unwrap_or("");
    let mut previous = std::mem::take(&mut cache.services);
    // Which services are unchanged, and how far each moved.
    let moved: Vec<Moved> = work
        .iter()
        .map(|&(file_id, file, service, id)| {
            let entry = previous.get(&service.name.name)?;
            let same = entry.id == id
                && entry.file == file_id
                && entry.namespace.as_ref() == file.namespace.as_ref().map(|n| &n.name)
                && *entry.text == *text_of(file_id, service.span);
            same.then(|| i64::from(service.span.start) - i64::from(entry.start))
        })
        .collect();
    let moved_by_id: HashMap<ServiceId, (FileId, i64)> = work
        .iter()
        .zip(&moved)
        .filter_map(|(&(file_id, _, _, id), m)| Some((id, (file_id, (*m)?))))
        .collect();
    let reusable = |entry: &Entry, file_id: FileId, distance: i64| {
        !entry.untracked
            && (!entry.all_names || cache.names == names)
            && entry.looked_up.iter().all(|(name, then)| {
                let now = table.by_name.get(name).copied();
                now == *then
                    && now.is_none_or(|other| {
                        moved_by_id.get(&other).is_some_and(|&(other_file, other_distance)| {
                            other_distance == if other_file == file_id { distance } else { 0 }
                        })
                    })
            })
    };
    let mut entries: Vec<Option<Entry>> = Vec::with_capacity(work.len());
    let mut fresh: Vec<usize> = Vec::new();
    for (i, (&(file_id, _, service, _), distance)) in work.iter().zip(&moved).enumerate() {
        let reused = distance.and_then(|distance| {
            let mut entry = previous.remove(&service.name.name)?;
            if !reusable(&entry, file_id, distance) {
                return None;
            }
            entry.start = service.span.start;
            for d in &mut entry.diagnostics {
                move_diagnostic(d, file_id, distance);
            }
            for r in &mut entry.references {
                r.span = moved_span(r.span, file_id, distance);
            }
            Some(entry)
        });
        if reused.is_none() {
            fresh.push(i);
        }
        entries.push(reused);
    }
    drop(previous);
    // The others are checked, on all cores when there are many.
    cache.rechecked = fresh.len();
    let checked = check_fresh(&table, &work, fresh, texts);
    for (i, entry) in checked {
        if let Some(slot) = entries.get_mut(i) {
            *slot = Some(entry);
        }
    }
    let mut diagnostics = declaring.diagnostics;
    // Tests are few and cheap to check: always checked again.
    let route_names: Vec<&str> = work
        .iter()
        .flat_map(|(_, _, s, _)| &s.routes)
        .filter_map(|r| r.name.as_ref().map(|n| n.name.as_str()))
        .collect();
    let (tests, found) = super::testing::check_all(&table, files, &route_names);
    diagnostics.extend(found);
    let mut references = Vec::new();
    for entry in entries.iter().flatten() {
        diagnostics.extend(entry.diagnostics.iter().cloned());
        references.extend(entry.references.iter().cloned());
    }
    cache.services = work
        .iter()
        .zip(entries)
        .filter_map(|(&(_, _, service, _), entry)| Some((service.name.name.clone(), entry?)))
        .collect();
    cache.names = names;
    let hints = unused::unused_subsets(&table.services, &references);
    Some(Checked {
        tests,
        program: Program::default(),
        symbols: Symbols {
            services: table.services,
            references,
        },
        diagnostics,
        hints,
    })
}

/// Checks the services `fresh` (indexes into `work`) and returns their
/// entries.
fn check_fresh(
    table: &Table,
    work: &[(FileId, &ast::File, &ast::Service, ServiceId)],
    fresh: Vec<usize>,
    texts: &[&str],
) -> Vec<(usize, Entry)> {
    let threads = if fresh.len() >= super::PARALLEL_SERVICES {
        crate::parallel::threads()
    } else {
        1
    };
    let chunk = fresh.len().div_ceil(threads).max(1);
    let check_chunk = |chunk: Vec<usize>| {
        let mut checker = Checker::new(table);
        let mut out = Vec::with_capacity(chunk.len());
        for i in chunk {
            let Some(&(file_id, file, service, id)) = work.get(i) else {
                continue;
            };
            // The resources are not kept: editors read names and
            // diagnostics.
            checker.service(file, service, id, &mut Program::default());
            let text = texts
                .get(file_id as usize)
                .and_then(|t| t.get(service.span.range()))
                .unwrap_or("");
            out.push((
                i,
                Entry {
                    text: text.into(),
                    file: file_id,
                    start: service.span.start,
                    namespace: file.namespace.as_ref().map(|n| n.name.clone()),
                    id,
                    looked_up: std::mem::take(&mut checker.looked_up).into_boxed_slice(),
                    all_names: std::mem::take(&mut checker.read_all_names),
                    untracked: std::mem::take(&mut checker.read_untracked),
                    diagnostics: std::mem::take(&mut checker.diagnostics),
                    references: std::mem::take(&mut checker.references),
                },
            ));
        }
        out
    };
    crate::parallel::map(crate::parallel::runs(fresh, chunk), check_chunk)
        .into_iter()
        .flatten()
        .collect()
}

/// A fingerprint of a list of names.
fn fingerprint<'a>(names: impl Iterator<Item = &'a str>) -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut hasher = foldhash::fast::FixedState::with_seed(0).build_hasher();
    for name in names {
        hasher.write(name.as_bytes());
        hasher.write_u8(0xff);
    }
    hasher.finish()
}

/// `span` moved by `distance` when it is in file `file`.
fn moved_span(span: Span, file: FileId, distance: i64) -> Span {
    if span.file != file || distance == 0 {
        return span;
    }
    let at = |offset: u32| u32::try_from(i64::from(offset) + distance).unwrap_or(0);
    Span {
        start: at(span.start),
        end: at(span.end),
        ..span
    }
}

fn move_diagnostic(d: &mut Diagnostic, file: FileId, distance: i64) {
    d.primary.span = moved_span(d.primary.span, file, distance);
    for label in &mut d.secondary {
        label.span = moved_span(label.span, file, distance);
    }
    for fix in &mut d.fixes {
        fix.span = moved_span(fix.span, file, distance);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cached check after each edit equals a fresh one.
    #[test]
    fn a_cached_check_equals_a_fresh_one_after_any_edit() {
        let mut text = String::from("namespace shop\n");
        for i in 0..60 {
            text.push_str(&format!(
                "service s{i} {{\n  subset v1 {{ version = \"v1\" }}\n  subset v2 {{ version = \"v2\" }}\n  route {{ to v1 80%, s{}/v2 20% }}\n}}\n",
                (i + 1) % 60
            ));
        }
        let other = "namespace web\nservice front {\n  route { to s3/v1 }\n}\n";
        type Edit = Box<dyn Fn(&str) -> String>;
        let edits: Vec<Edit> = vec![
            // Nothing, then a weight, then a moving edit above services.
            Box::new(|t| t.to_string()),
            Box::new(|t| t.replacen("80%", "70%", 1)),
            Box::new(|t| t.replacen("service s5 {", "\n\nservice s5 {", 1)),
            // A subset others use removed, a service renamed, a typo.
            Box::new(|t| {
                t.replacen(
                    "service s7 {\n  subset v1 { version = \"v1\" }\n  subset v2 { version = \"v2\" }",
                    "service s7 {\n  subset v1 { version = \"v1\" }",
                    1,
                )
            }),
            Box::new(|t| t.replacen("service s9 {", "service s9x {", 1)),
            Box::new(|t| t.replacen("to v1 80%, s20/v2", "to v1 80%, s2O/v2", 1)),
            Box::new(|t| t.replacen("namespace shop", "namespace shop2", 1)),
            // A service added at the top (every id moves), and one duplicated.
            Box::new(|t| format!("service s-new {{ route {{ to s1 }} }}\n{t}")),
            Box::new(|t| format!("{t}service s4 {{ route {{ to s1 }} }}\n")),
            // A delegate, a route that delegates to it, then the delegate's
            // match changed so that it lies outside the delegating route's.
            Box::new(|t| {
                format!(
                    "{t}delegate d1 {{\n  route {{\n    match uri prefix \"/a/b\"\n    to s1\n  }}\n}}\nservice dd {{\n  route {{\n    match uri prefix \"/a\"\n    delegate d1\n  }}\n}}\n"
                )
            }),
            Box::new(|t| t.replacen("prefix \"/a/b\"", "prefix \"/c\"", 1)),
            Box::new(|t| t.replacen("delegate d1 {", "delegate d2 {", 1)),
        ];
        // Services checked again at each edit: all at first; the edited one
        // and the one that routes to it; above a moved service, the one
        // that routes to it, and the last, which routes to the first.
        let rechecked = [Some(61), Some(2), Some(2)];
        let mut cache = CheckCache::default();
        let mut current = text.clone();
        for (n, edit) in edits.iter().enumerate() {
            current = edit(&current);
            let texts = [current.as_str(), other];
            let parsed: Vec<ast::File> = (0..)
                .zip(texts)
                .map(|(id, t)| crate::syntax::parse(id, t).file)
                .collect();
            let refs: Vec<&ast::File> = parsed.iter().collect();
            let Some(cached) = check_cached(&refs, &texts, &mut cache, &|| false) else {
                panic!("nothing cancels the check");
            };
            // A cancelled check leaves the cache as it was.
            let kept = cache.services.len();
            assert!(check_cached(&refs, &texts, &mut cache, &|| true).is_none());
            assert_eq!(cache.services.len(), kept);
            let fresh = super::super::check_symbols(&refs);
            let sorted = |mut d: Vec<Diagnostic>| {
                crate::diag::sort(&mut d);
                d
            };
            assert_eq!(sorted(cached.diagnostics), sorted(fresh.diagnostics), "edit {n}");
            assert_eq!(cached.symbols.references, fresh.symbols.references, "edit {n}");
            assert_eq!(cached.hints, fresh.hints, "edit {n}");
            assert_eq!(cache.services.len(), fresh.symbols.services.len(), "edit {n}");
            if let Some(Some(expected)) = rechecked.get(n) {
                assert_eq!(cache.rechecked, *expected, "edit {n}");
            }
        }
    }
}
