//! When programs are analysed and what is published: the server's
//! performance machinery, explained once here.
//!
//! - **One analysis per program at a time, edits coalesced.**  An edit only
//!   updates the document and asks for an analysis of its program.  If one
//!   is running, the request is noted; when it ends, one more analysis
//!   reads the newest texts of every file, however many edits arrived
//!   meanwhile.  A program is never analysed twice at once and never waits
//!   behind versions nobody will see.
//! - **Stale analyses stop early.**  The running analysis reads the note
//!   between its phases (after parsing, after declaring the services,
//!   before running the routing tests) and stops there, keeping what it
//!   parsed for the next analysis (`meshc::analyze_cached`); so the final
//!   version's diagnostics follow the last keystroke by one analysis and at
//!   most one phase of the stale one.  A program's first analysis is never
//!   stopped.  An analysis
//!   that an edit overtook in its last phase still replaces the program's
//!   last analysis (completion reads its names), but its diagnostics are
//!   not published: the next analysis follows at once.
//! - **Only what changed is published.**  The diagnostics last published
//!   for each file are remembered; a file of the program is published again
//!   only when its diagnostics or its document version changed, so a
//!   keystroke in one file of a directory of 500 sends one notification,
//!   not 500.
//! - **Requests answer from the last analysis.**  Completion answers at
//!   once from the newest text and the last analysis's names; requests that
//!   name positions in a document (hover, definition, …) wait for the
//!   analysis of the document's current text when one is under way, so
//!   that a position never lands in a text it was not counted in.
//! - **Reuse.**  Each analysis reuses what the last one of the program
//!   computed for the parts of the text that did not change
//!   (`meshc::analyze_cached`: pieces parsed, `syntax/pieces.rs`, and
//!   services checked, `check/incremental.rs`), and keeps no typed
//!   program.  Each program's analyses run on a thread of its own, which
//!   also frees the analysis each replaces (`worker.rs`); programs do not
//!   wait for each other.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use meshc::span::{Encoding, FileId, Span};
use tokio::sync::Notify;
use tower_lsp::Client;
use tower_lsp::ls_types::{Diagnostic, Location, Uri};

use crate::convert;
use crate::documents::{self, Program, Store, program_key};
use crate::worker::Worker;

/// Whether a program is being analysed, and whether it was asked to be
/// analysed again meanwhile (which the running analysis reads, to stop).
#[derive(Debug, Default)]
pub struct Job {
    running: bool,
    again: Arc<AtomicBool>,
}

/// The diagnostics published for a file, and the document version they
/// were published for.
type Published = (Option<i32>, Vec<Diagnostic>);

/// What the server shares between requests and its analyses.
pub struct State {
    /// The editor.
    pub client: Client,
    store: Mutex<Store>,
    /// The negotiated position encoding.
    pub encoding: Mutex<Encoding>,
    /// Each program's analysis job.
    jobs: Mutex<HashMap<String, Job>>,
    /// The diagnostics last published for each file, with their version.
    published: tokio::sync::Mutex<HashMap<Uri, Published>>,
    /// Woken whenever an analysis ends.
    analysed: Notify,
    /// Each program's analysis thread, where its analyses run and its old
    /// ones are freed.
    workers: Mutex<HashMap<String, Arc<Worker>>>,
}

impl State {
    /// Nothing open, nothing analysed.
    pub fn new(client: Client) -> State {
        State {
            client,
            store: Mutex::new(Store::default()),
            encoding: Mutex::new(Encoding::Utf16),
            jobs: Mutex::new(HashMap::new()),
            published: tokio::sync::Mutex::new(HashMap::new()),
            analysed: Notify::new(),
            workers: Mutex::new(HashMap::new()),
        }
    }

    /// The document store.  A panic while holding the lock cannot leave it
    /// half updated (every update is one insert or removal), so a poisoned
    /// lock is used.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn jobs(&self) -> MutexGuard<'_, HashMap<String, Job>> {
        self.jobs.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The analysis thread of program `key`, started the first time and
    /// kept for the server's life (an idle thread costs only its stack).
    fn worker(&self, key: &str) -> Arc<Worker> {
        let mut workers = self.workers.lock().unwrap_or_else(PoisonError::into_inner);
        workers
            .entry(key.to_string())
            .or_insert_with(|| Arc::new(Worker::start()))
            .clone()
    }

    /// The negotiated position encoding.
    pub fn encoding(&self) -> Encoding {
        self.encoding.lock().map_or(Encoding::Utf16, |e| *e)
    }

    /// Asks for an analysis of program `key`: starts one, or notes that
    /// the running one must be followed by another.
    pub fn schedule(self: &Arc<Self>, key: String) {
        {
            let mut jobs = self.jobs();
            let job = jobs.entry(key.clone()).or_default();
            if job.running {
                job.again.store(true, Ordering::SeqCst);
                return;
            }
            job.running = true;
        }
        let state = self.clone();
        tokio::spawn(async move { state.run(key).await });
    }

    /// Analyses program `key` until no edit arrived during the last
    /// analysis.
    async fn run(self: Arc<Self>, key: String) {
        let worker = self.worker(&key);
        loop {
            let again = self.jobs().entry(key.clone()).or_default().again.clone();
            again.store(false, Ordering::SeqCst);
            let (inputs, mut cache, first) = {
                let mut store = self.store();
                let inputs = store.inputs(&key);
                let first = !store.programs.contains_key(&key);
                (inputs, store.caches.remove(&key).unwrap_or_default(), first)
            };
            // An analysis that an edit made stale stops between its phases
            // (its diagnostics would never be published), so that the
            // analysis of the final text starts sooner.  A program's first
            // analysis always ends: until it does, requests have nothing to
            // answer from.
            let edited = again.clone();
            let analysed = worker
                .run(move || {
                    let cancelled = || !first && edited.load(Ordering::SeqCst);
                    let program = documents::analyze(inputs, &mut cache, &cancelled);
                    (program, cache)
                })
                .await;
            let again = again.load(Ordering::SeqCst);
            if let Some((analysed, cache)) = analysed {
                self.store().caches.insert(key.clone(), cache);
                let Some(program) = analysed else { continue };
                let program = Arc::new(program);
                let previous = self.store().programs.insert(key.clone(), program.clone());
                if !again {
                    self.publish(&program).await;
                }
                // The previous analysis is freed after the new diagnostics
                // are out, on the program's analysis thread (`worker.rs`
                // says why), before the next analysis starts.
                if let Some(previous) = previous {
                    worker.run(move || drop(previous)).await;
                }
            }
            {
                let mut jobs = self.jobs();
                let job = jobs.entry(key.clone()).or_default();
                if !job.again.load(Ordering::SeqCst) {
                    job.running = false;
                    drop(jobs);
                    self.analysed.notify_waiters();
                    return;
                }
            }
            self.analysed.notify_waiters();
        }
    }

    /// Publishes the diagnostics of every file of `program` that changed
    /// since they were last published.
    async fn publish(&self, program: &Program) {
        let encoding = self.encoding();
        let locate = |span: Span| {
            let (uri, _) = program.files.get(span.file as usize)?;
            let file = program.sources.get(span.file)?;
            Some(Location::new(uri.clone(), convert::range(file, span, encoding)))
        };
        // The checker's verdicts, its hints (which the command line does
        // not print), and the routing tests' failures and coverage notes,
        // by file.
        let analysis = &program.analysis;
        let mut by_file: Vec<Vec<Diagnostic>> = vec![Vec::new(); program.files.len()];
        for d in analysis
            .diagnostics
            .iter()
            .chain(&analysis.checked.hints)
            .chain(&analysis.tests)
        {
            let id = d.primary.span.file;
            if let (Some(list), Some(file)) = (by_file.get_mut(id as usize), program.sources.get(id)) {
                list.push(convert::diagnostic(d, file, encoding, locate));
            }
        }
        let mut published = self.published.lock().await;
        for ((uri, version), diagnostics) in program.files.iter().zip(by_file) {
            let now = (*version, diagnostics);
            if published.get(uri) == Some(&now) {
                continue;
            }
            self.client
                .publish_diagnostics(uri.clone(), now.1.clone(), *version)
                .await;
            published.insert(uri.clone(), now);
        }
    }

    /// Publishes no diagnostics for `uri` (closed, or deleted from disk).
    pub async fn clear(&self, uri: &Uri) {
        let mut published = self.published.lock().await;
        self.client.publish_diagnostics(uri.clone(), Vec::new(), None).await;
        published.insert(uri.clone(), (None, Vec::new()));
    }

    /// The last analysis of the program of `uri` that holds it, and the
    /// file's id in it.  With `current`, an analysis under way of a newer
    /// text of the document is waited for.  A program never analysed is
    /// waited for while its first analysis runs.
    pub async fn program(&self, uri: &Uri, current: bool) -> Option<(Arc<Program>, FileId)> {
        let key = program_key(uri);
        loop {
            let notified = self.analysed.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let running = self.jobs().get(&key).is_some_and(|j| j.running);
            {
                let store = self.store();
                let found = store
                    .programs
                    .get(&key)
                    .and_then(|p| Some((p.clone(), p.file_id(uri)?)));
                if let Some((program, id)) = found {
                    let version = program.files.get(id as usize).and_then(|f| f.1);
                    let fresh = !current || store.open.get(uri).is_none_or(|d| Some(d.version) == version);
                    if fresh || !running {
                        return Some((program, id));
                    }
                }
            }
            if !running {
                return None;
            }
            notified.await;
        }
    }
}
