//! `meshc-lsp`: the language server for `.mesh` files, over stdio.
//!
//! Every feature is `meshc`'s (parsing, checking, diagnostics, the field
//! catalogue, formatting, `meshc::ide`); this crate converts positions and
//! types at the protocol's edge, keeps the documents and schedules the
//! analyses.  Malformed input is answered by the framing layer
//! (`framing.rs`) before the protocol framework sees it.

mod answers;
mod convert;
mod documents;
mod framing;
mod schedule;
mod server;
mod worker;

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tower_lsp::{LspService, Server};

/// mimalloc, as the command line uses: the system allocator kept much of
/// what each analysis freed (the server grew by about 50 MB an edit at
/// 10,000 services); with mimalloc, a program's analyses run on one thread
/// so that each reuses the memory of the last (`worker.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[tokio::main]
async fn main() {
    let shut_down = Arc::new(AtomicBool::new(false));
    let flag = shut_down.clone();
    let (service, socket) = LspService::new(move |client| server::Backend::new(client, flag));
    let (input, output, write_out) = framing::layer(tokio::io::stdin(), tokio::io::stdout());
    let serve = Server::new(input, output, socket).serve(service);
    // The server's output is written out before the process ends.
    tokio::join!(serve, write_out);
    // The protocol asks for status 1 when `exit` comes without `shutdown`.
    let status = if shut_down.load(Ordering::SeqCst) { 0 } else { 1 };
    // Ends the process at once: the read of stdin that may still be under
    // way (the client need not close it) cannot be cancelled.
    std::process::exit(status)
}
