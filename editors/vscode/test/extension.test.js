// The extension's client logic with stand-ins for VS Code and the
// language client (VS Code itself cannot run here): the server starts with
// the command of the settings, a change of `meshc.server.*` restarts it
// with the new command without a reload, and other changes leave it alone.
// The server's "show YAML" lens opens the YAML beside the source, through
// the language client's own registration of the command. Then the
// manifest: what VS Code reads of it, and the bundle it names.
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const Module = require("node:module");
const { execFileSync } = require("node:child_process");
// The node entry, as the real client loads it (it installs the runtime layer).
const { ExecuteCommandRequest, ResponseError, ErrorCodes } = require("vscode-languageserver-protocol/node");

const HERE = path.join(__dirname, "..");
const manifest = JSON.parse(fs.readFileSync(path.join(HERE, "package.json"), "utf8"));

/**
 * A stand-in VS Code: settings that can change, and their listeners; the
 * commands, documents and error messages it was given.
 */
function fakeVscode() {
  const settings = { "server.path": "meshc-lsp", "server.args": [] };
  const listeners = [];
  const commands = {};
  const opened = [];
  const shown = [];
  const errors = [];
  return {
    settings,
    commands,
    opened,
    shown,
    errors,
    async change(key, value) {
      settings[key] = value;
      const full = `meshc.${key}`;
      for (const listener of listeners) {
        await listener({ affectsConfiguration: (section) => full === section || full.startsWith(`${section}.`) });
      }
    },
    async changeOther() {
      for (const listener of listeners) {
        await listener({ affectsConfiguration: (section) => section === "editor" });
      }
    },
    api: {
      workspace: {
        getConfiguration: (section) => {
          assert.strictEqual(section, "meshc");
          return { get: (key) => settings[key] };
        },
        onDidChangeConfiguration: (listener) => {
          listeners.push(listener);
          return { dispose() {} };
        },
        openTextDocument: async (options) => {
          const document = { uri: `untitled:Untitled-${opened.length + 1}`, ...options };
          opened.push(document);
          return document;
        },
      },
      window: {
        createOutputChannel: (name) => ({ name, dispose() {} }),
        showErrorMessage: async (message) => {
          errors.push(message);
          return undefined;
        },
        showTextDocument: async (document, options) => {
          shown.push({ document, options });
        },
      },
      commands: {
        // As VS Code's: a second command of one name is an error.
        registerCommand: (name, run) => {
          if (commands[name]) {
            throw new Error(`command '${name}' already exists`);
          }
          commands[name] = run;
          return { dispose: () => delete commands[name] };
        },
      },
      // VS Code's values (vscode.d.ts).
      ViewColumn: { Active: -1, Beside: -2 },
      CancellationError: class CancellationError extends Error {},
    },
  };
}

/**
 * Stand-in language clients, recording what each was asked; a request is
 * answered by `clients.answer(method, params)` (a value, or a throw).
 */
function fakeClients() {
  const made = [];
  const clients = { made, answer: undefined };
  clients.LanguageClient = class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, running: false, requests: [] });
      made.push(this);
    }
    async start() {
      this.running = true;
    }
    async stop() {
      this.running = false;
    }
    // What the real client's features read of it.
    get middleware() {
      return this.clientOptions.middleware;
    }
    async sendRequest(type, params) {
      this.requests.push({ method: type.method, params });
      return clients.answer(type.method, params);
    }
    handleFailedRequest(_type, _token, error) {
      throw error;
    }
  };
  return clients;
}

/** Requires `file` afresh with the stand-ins in place of its imports. */
function loadWith(file, vscode, clients) {
  // The language client's modules hold the `vscode` they were loaded with.
  for (const loaded of Object.keys(require.cache)) {
    if (loaded === file || loaded.includes(`vscode-languageclient${path.sep}lib`)) {
      delete require.cache[loaded];
    }
  }
  const original = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === "vscode") return vscode.api;
    if (request === "vscode-languageclient/node") {
      return { LanguageClient: clients.LanguageClient, ExecuteCommandRequest };
    }
    return original.call(this, request, parent, isMain);
  };
  try {
    return require(file);
  } finally {
    Module._load = original;
  }
}

/** Loads src/extension.js with the stand-ins in place of its imports. */
function loadExtension(vscode, clients) {
  return loadWith(require.resolve(path.join(HERE, "src", "extension.js")), vscode, clients);
}

/**
 * Registers the commands a server lists in `executeCommandProvider` the
 * way the real language client does (its ExecuteCommandFeature), on the
 * stand-in client.
 */
function registerServerCommands(vscode, clients, client, commands) {
  // Not among the package's exports, so by its path.
  const feature = path.join(HERE, "node_modules", "vscode-languageclient", "lib", "common", "executeCommand.js");
  const { ExecuteCommandFeature } = loadWith(feature, vscode, clients);
  new ExecuteCommandFeature(client).initialize({ executeCommandProvider: { commands } });
}

/** The YAML of an example, as the server would send it. */
const CANARY_YAML = fs.readFileSync(path.join(HERE, "..", "..", "examples", "canary.yaml"), "utf8");
const URI = "file:///work/shop/canary.mesh";

test("the server starts with the command of the settings", async () => {
  const vscode = fakeVscode();
  const clients = fakeClients();
  const extension = loadExtension(vscode, clients);
  await extension.activate({ subscriptions: [] });
  assert.strictEqual(clients.made.length, 1);
  const [client] = clients.made;
  assert.strictEqual(client.id, "meshc", "the id names the trace setting meshc.trace.server");
  assert.deepStrictEqual(vscode.errors, []);
  assert.deepStrictEqual(client.serverOptions.run, { command: "meshc-lsp", args: [] });
  assert.ok(client.running);
  assert.deepStrictEqual(
    client.clientOptions.documentSelector.map((s) => s.language),
    ["mesh", "mesh"]
  );
  await extension.deactivate();
  assert.ok(!client.running);
});

test("a new server path or arguments restart the server without a reload", async () => {
  const vscode = fakeVscode();
  const clients = fakeClients();
  const extension = loadExtension(vscode, clients);
  await extension.activate({ subscriptions: [] });
  await vscode.change("server.path", "/opt/meshc/bin/meshc-lsp");
  assert.strictEqual(clients.made.length, 2);
  assert.ok(!clients.made[0].running, "the old server is stopped");
  assert.ok(clients.made[1].running, "the new server runs");
  assert.deepStrictEqual(clients.made[1].serverOptions.run, { command: "/opt/meshc/bin/meshc-lsp", args: [] });
  await vscode.change("server.args", ["--verbose"]);
  assert.strictEqual(clients.made.length, 3);
  assert.deepStrictEqual(clients.made[2].serverOptions.run.args, ["--verbose"]);
  await vscode.changeOther();
  assert.strictEqual(clients.made.length, 3, "other settings leave the server alone");
  await vscode.commands["meshc.restartServer"]();
  assert.strictEqual(clients.made.length, 4);
  assert.strictEqual(clients.made.filter((c) => c.running).length, 1, "one server at a time");
  await extension.deactivate();
});

test("the show YAML lens opens the server's YAML beside the source", async () => {
  const vscode = fakeVscode();
  const clients = fakeClients();
  clients.answer = () => CANARY_YAML;
  const extension = loadExtension(vscode, clients);
  await extension.activate({ subscriptions: [] });
  const [client] = clients.made;
  // The capability meshc-lsp declares (lsp/tests/lsp.rs checks it).
  registerServerCommands(vscode, clients, client, ["meshc.showYaml"]);
  assert.ok(vscode.commands["meshc.restartServer"], "no clash with the extension's own command");

  // What a click on the lens runs: the command with the lens's arguments.
  const result = await vscode.commands["meshc.showYaml"](URI, "checkout");
  assert.deepStrictEqual(client.requests, [
    { method: "workspace/executeCommand", params: { command: "meshc.showYaml", arguments: [URI, "checkout"] } },
  ]);
  assert.strictEqual(vscode.opened.length, 1);
  assert.strictEqual(vscode.opened[0].language, "yaml");
  assert.strictEqual(vscode.opened[0].content, CANARY_YAML, "exactly the server's string");
  assert.deepStrictEqual(vscode.shown, [
    { document: vscode.opened[0], options: { preview: true, viewColumn: vscode.api.ViewColumn.Beside } },
  ]);
  assert.strictEqual(result, CANARY_YAML, "a caller of the command gets the YAML too");
  assert.deepStrictEqual(vscode.errors, []);
  await extension.deactivate();
});

test("a refused show YAML says the server's reason and opens nothing", async () => {
  const vscode = fakeVscode();
  const clients = fakeClients();
  // meshc-lsp's answer for a service with errors (`ide::service_yaml`),
  // as the protocol library hands it over.
  const reason = "service `checkout` has 1 error: fix it to see its YAML";
  clients.answer = () => {
    throw new ResponseError(ErrorCodes.InvalidParams, reason);
  };
  const extension = loadExtension(vscode, clients);
  await extension.activate({ subscriptions: [] });
  const [client] = clients.made;
  registerServerCommands(vscode, clients, client, ["meshc.showYaml"]);
  const result = await vscode.commands["meshc.showYaml"](URI, "checkout");
  assert.strictEqual(result, undefined);
  assert.deepStrictEqual(vscode.errors, [`meshc: cannot show the YAML: ${reason}`]);
  assert.deepStrictEqual(vscode.opened, []);
  assert.deepStrictEqual(vscode.shown, []);

  // An answer that is not YAML is refused the same way, not opened empty.
  clients.answer = () => null;
  await vscode.commands["meshc.showYaml"](URI, "checkout");
  assert.deepStrictEqual(vscode.errors.slice(1), ["meshc: cannot show the YAML: the server sent no YAML"]);
  assert.deepStrictEqual(vscode.opened, []);
  await extension.deactivate();
});

test("other server commands pass through the middleware untouched", async () => {
  const vscode = fakeVscode();
  const clients = fakeClients();
  const extension = loadExtension(vscode, clients);
  await extension.activate({ subscriptions: [] });
  const [client] = clients.made;
  const passed = [];
  const next = (command, args) => {
    passed.push({ command, args });
    return "the server's answer";
  };
  const args = [URI, { any: "thing" }];
  const result = await client.middleware.executeCommand("meshc.other", args, next);
  assert.strictEqual(result, "the server's answer");
  assert.deepStrictEqual(passed, [{ command: "meshc.other", args }]);
  assert.strictEqual(passed[0].args, args, "the same arguments");
  assert.deepStrictEqual(client.requests, [], "no request of its own");
  assert.deepStrictEqual([vscode.opened, vscode.errors], [[], []]);
  await extension.deactivate();
});

test("the manifest declares what the extension reads", () => {
  const properties = manifest.contributes.configuration.properties;
  assert.deepStrictEqual(properties["meshc.trace.server"].enum, ["off", "messages", "verbose"]);
  assert.strictEqual(properties["meshc.server.path"].default, "meshc-lsp");
  assert.deepStrictEqual(properties["meshc.server.args"].default, []);
  assert.ok(manifest.repository && manifest.repository.url, "a repository");
  assert.strictEqual(manifest.repository.directory, "editors/vscode");
  assert.deepStrictEqual(
    manifest.contributes.commands.map((c) => c.command),
    ["meshc.restartServer"]
  );
  assert.strictEqual(manifest.main, "./dist/extension.js");
  assert.strictEqual(manifest.contributes.languages[0].id, "mesh");
  assert.ok(!manifest.dependencies, "everything the extension needs is bundled");
  const grammar = manifest.contributes.grammars[0];
  assert.ok(fs.existsSync(path.join(HERE, grammar.path)));
  assert.ok(fs.existsSync(path.join(HERE, manifest.contributes.languages[0].configuration)));
});

test("the bundle script makes one file with the language client inside", () => {
  const out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "meshc-vscode-")), "extension.js");
  // The `bundle` script of the manifest, writing elsewhere.
  const [command, ...args] = manifest.scripts.bundle.split(" ");
  assert.strictEqual(command, "esbuild");
  const outfile = args.findIndex((a) => a.startsWith("--outfile="));
  assert.ok(outfile >= 0, "the script names its output");
  args[outfile] = `--outfile=${out}`;
  execFileSync(path.join(HERE, "node_modules", ".bin", "esbuild"), [...args, "--log-level=warning"], { cwd: HERE });
  const text = fs.readFileSync(out, "utf8");
  assert.ok(!/require\("vscode-languageclient/.test(text), "the language client is bundled, not required");
  assert.ok(text.includes('require("vscode")'), "vscode stays external");
  fs.rmSync(path.dirname(out), { recursive: true });
});
