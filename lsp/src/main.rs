//! `meshc-lsp`: the language server for `.mesh` files, over stdio.
//!
//! Every feature is `meshc`'s (parsing, checking, diagnostics, the field
//! catalogue, formatting, `meshc::ide`); this crate converts positions and
//! types at the protocol's edge and keeps the open documents.

mod convert;
mod documents;
mod server;

use tower_lsp::{LspService, Server};

#[tokio::main]
async fn main() {
    let (service, socket) = LspService::new(server::Backend::new);
    Server::new(tokio::io::stdin(), tokio::io::stdout(), socket)
        .serve(service)
        .await;
}
