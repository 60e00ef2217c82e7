// Starts meshc-lsp for .mesh files; every feature comes from the server.
// Changing `meshc.server.path` or `meshc.server.args` restarts the server
// with the new command, without reloading the window; `meshc.trace.server`
// is read by the language client itself (its setting `<id>.trace.server`).
const vscode = require("vscode");
const { LanguageClient } = require("vscode-languageclient/node");

/** The settings that say how the server is started. */
const SERVER_SETTINGS = "meshc.server";

/** The command and arguments of the server, from the settings. */
function serverCommand(config) {
  const command = config.get("server.path") || "meshc-lsp";
  const args = config.get("server.args") || [];
  return { command, args };
}

/** Starts and restarts the client; one per window. */
class Controller {
  constructor(output) {
    this.output = output;
    this.client = undefined;
    this.started = undefined;
  }

  /** Starts the server with the command the settings give now. */
  async start() {
    const server = serverCommand(vscode.workspace.getConfiguration("meshc"));
    this.client = new LanguageClient(
      "meshc",
      "meshc",
      { run: server, debug: server },
      {
        documentSelector: [
          { scheme: "file", language: "mesh" },
          { scheme: "untitled", language: "mesh" },
        ],
        outputChannel: this.output,
      }
    );
    this.started = server;
    try {
      await this.client.start();
    } catch (error) {
      vscode.window.showErrorMessage(
        `meshc: could not start ${server.command} (${error.message}). Set meshc.server.path to the meshc-lsp executable.`
      );
    }
  }

  /** Stops the server, if one runs. */
  async stop() {
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.stop().catch(() => undefined);
    }
  }

  /** Restarts the server, with the command the settings give now. */
  async restart() {
    await this.stop();
    await this.start();
  }
}

let controller;

async function activate(context) {
  const output = vscode.window.createOutputChannel("meshc");
  controller = new Controller(output);
  context.subscriptions.push(
    output,
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration(SERVER_SETTINGS)) {
        return controller.restart();
      }
      return undefined;
    }),
    vscode.commands.registerCommand("meshc.restartServer", () => controller.restart())
  );
  await controller.start();
}

function deactivate() {
  return controller ? controller.stop() : undefined;
}

module.exports = { activate, deactivate, serverCommand };
