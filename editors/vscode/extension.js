// Starts meshc-lsp for .mesh files; every feature comes from the server.
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const command = vscode.workspace.getConfiguration("meshc").get("server.path") || "meshc-lsp";
  client = new LanguageClient(
    "meshc",
    "meshc",
    { run: { command }, debug: { command } },
    { documentSelector: [{ scheme: "file", language: "mesh" }, { scheme: "untitled", language: "mesh" }] }
  );
  context.subscriptions.push(client);
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
