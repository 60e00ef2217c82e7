// Starts meshc-lsp for .mesh files; every feature comes from the server,
// and the extension only shows what the language client cannot (the YAML
// of a service, below). Changing `meshc.server.path` or `meshc.server.args`
// restarts the server with the new command, without reloading the window;
// `meshc.trace.server` is read by the language client itself (its setting
// `<id>.trace.server`).
const vscode = require("vscode");
const { LanguageClient, ExecuteCommandRequest } = require("vscode-languageclient/node");

/** The settings that say how the server is started. */
const SERVER_SETTINGS = "meshc.server";

/** The command of the server's "show YAML" code lens (`ide::SHOW_YAML`). */
const SHOW_YAML = "meshc.showYaml";

/**
 * The client's middleware. The server answers `meshc.showYaml` with the
 * YAML of a service; the language client hands that answer back to the
 * caller, and a click on a code lens drops it, so this asks for it and
 * opens it beside the source. `client()` gives the client the middleware
 * belongs to (made after its options).
 */
function middleware(client) {
  return {
    // The language client registers every command the server lists in
    // `executeCommandProvider` and runs it through this hook, so the hook
    // is the place: a command of our own of that name would be registered
    // twice.
    async executeCommand(command, args, next) {
      if (command !== SHOW_YAML) {
        return next(command, args);
      }
      let yaml;
      try {
        // Asked directly, not through `next`: on a failure that also shows
        // the client's "Request failed" notice beside ours.
        yaml = await client().sendRequest(ExecuteCommandRequest.type, { command, arguments: args });
        if (typeof yaml !== "string") {
          throw new Error("the server sent no YAML");
        }
      } catch (error) {
        // The server's reason says what to fix (the errors of the service).
        void vscode.window.showErrorMessage(`meshc: cannot show the YAML: ${error.message}`);
        return undefined;
      }
      const document = await vscode.workspace.openTextDocument({ language: "yaml", content: yaml });
      await vscode.window.showTextDocument(document, { preview: true, viewColumn: vscode.ViewColumn.Beside });
      return yaml;
    },
  };
}

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
    const client = new LanguageClient(
      "meshc",
      "meshc",
      { run: server, debug: server },
      {
        documentSelector: [
          { scheme: "file", language: "mesh" },
          { scheme: "untitled", language: "mesh" },
        ],
        outputChannel: this.output,
        middleware: middleware(() => client),
      }
    );
    this.client = client;
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
