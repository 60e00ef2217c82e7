// The extension's client logic with stand-ins for VS Code and the
// language client (VS Code itself cannot run here): the server starts with
// the command of the settings, a change of `meshc.server.*` restarts it
// with the new command without a reload, and other changes leave it alone.
// Then the manifest: what VS Code reads of it, and the bundle it names.
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const Module = require("node:module");
const { execFileSync } = require("node:child_process");

const HERE = path.join(__dirname, "..");
const manifest = JSON.parse(fs.readFileSync(path.join(HERE, "package.json"), "utf8"));

/** A stand-in VS Code: settings that can change, and their listeners. */
function fakeVscode() {
  const settings = { "server.path": "meshc-lsp", "server.args": [] };
  const listeners = [];
  const commands = {};
  return {
    settings,
    commands,
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
      },
      window: {
        createOutputChannel: (name) => ({ name, dispose() {} }),
        showErrorMessage: (message) => {
          throw new Error(`unexpected error message: ${message}`);
        },
      },
      commands: {
        registerCommand: (name, run) => {
          commands[name] = run;
          return { dispose() {} };
        },
      },
    },
  };
}

/** Stand-in language clients, recording what each was asked. */
function fakeClients() {
  const made = [];
  class LanguageClient {
    constructor(id, name, serverOptions, clientOptions) {
      Object.assign(this, { id, name, serverOptions, clientOptions, running: false });
      made.push(this);
    }
    async start() {
      this.running = true;
    }
    async stop() {
      this.running = false;
    }
  }
  return { made, LanguageClient };
}

/** Loads src/extension.js with the stand-ins in place of its imports. */
function loadExtension(vscode, clients) {
  const file = require.resolve(path.join(HERE, "src", "extension.js"));
  delete require.cache[file];
  const original = Module._load;
  Module._load = function (request, parent, isMain) {
    if (request === "vscode") return vscode.api;
    if (request === "vscode-languageclient/node") return { LanguageClient: clients.LanguageClient };
    return original.call(this, request, parent, isMain);
  };
  try {
    return require(file);
  } finally {
    Module._load = original;
  }
}

test("the server starts with the command of the settings", async () => {
  const vscode = fakeVscode();
  const clients = fakeClients();
  const extension = loadExtension(vscode, clients);
  await extension.activate({ subscriptions: [] });
  assert.strictEqual(clients.made.length, 1);
  const [client] = clients.made;
  assert.strictEqual(client.id, "meshc", "the id names the trace setting meshc.trace.server");
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
