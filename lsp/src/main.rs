//! `meshc-lsp`: the language server for `.mesh` files, over stdio.
//!
//! Every feature is `meshc`'s (parsing, checking, diagnostics, the field
//! catalogue, formatting, `meshc::ide`); this crate converts positions and
//! types at the protocol's edge and keeps the open documents.

mod convert;
mod documents;
mod server;

use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tower_lsp::{LspService, Server};

#[tokio::main]
async fn main() -> ExitCode {
    let shut_down = Arc::new(AtomicBool::new(false));
    let flag = shut_down.clone();
    let (service, socket) = LspService::new(move |client| server::Backend::new(client, flag));
    Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
        .serve(service)
        .await;
    // The protocol asks for status 1 when `exit` comes without `shutdown`.
    if shut_down.load(Ordering::SeqCst) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    }
}
