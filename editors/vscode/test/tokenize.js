// Tokenizes .mesh text with the extension's TextMate grammar, through the
// libraries VS Code itself uses (vscode-textmate and the Oniguruma regex
// engine compiled to WebAssembly, vscode-oniguruma).
const fs = require("node:fs");
const path = require("node:path");
const textmate = require("vscode-textmate");
const oniguruma = require("vscode-oniguruma");

const GRAMMAR = path.join(__dirname, "..", "syntaxes", "mesh.tmLanguage.json");

let loaded;

/** The grammar, loaded once. */
function grammar() {
  if (!loaded) {
    const wasm = fs.readFileSync(require.resolve("vscode-oniguruma/release/onig.wasm"));
    const onigLib = oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength)).then(() => ({
      createOnigScanner: (patterns) => new oniguruma.OnigScanner(patterns),
      createOnigString: (text) => new oniguruma.OnigString(text),
    }));
    const registry = new textmate.Registry({
      onigLib,
      loadGrammar: async (scopeName) =>
        scopeName === "source.mesh" ? textmate.parseRawGrammar(fs.readFileSync(GRAMMAR, "utf8"), GRAMMAR) : null,
    });
    loaded = registry.loadGrammar("source.mesh");
  }
  return loaded;
}

/**
 * The tokens of `text`, line by line: for each line, its tokens other than
 * blanks as { line, column, text, scopes } (scopes without the root
 * `source.mesh`), carrying the state from line to line as VS Code does.
 */
async function tokenize(text) {
  const g = await grammar();
  let state = textmate.INITIAL;
  const lines = text.split(/\r?\n/);
  return lines.map((line, index) => {
    const result = g.tokenizeLine(line, state);
    state = result.ruleStack;
    return result.tokens
      .map((t) => {
        // Without the blanks around it (unscoped text comes with them).
        const raw = line.slice(t.startIndex, t.endIndex);
        const lead = raw.length - raw.trimStart().length;
        return {
          line: index + 1,
          column: t.startIndex + lead + 1,
          text: raw.trim(),
          scopes: t.scopes.filter((s) => s !== "source.mesh"),
        };
      })
      .filter((t) => t.text !== "");
  });
}

/** The scopes of the token that starts with `word` on the line `line`. */
async function scopesOf(line, word) {
  const [tokens] = await tokenize(line);
  const column = line.indexOf(word) + 1;
  const token = tokens.find((t) => t.column === column);
  return token ? { text: token.text, scopes: token.scopes } : undefined;
}

/** Tokens as text: a line for each line of the source, then one per token. */
function render(text, tokenLines) {
  const source = text.split(/\r?\n/);
  const out = [];
  tokenLines.forEach((tokens, i) => {
    if (i === source.length - 1 && source[i] === "") {
      return;
    }
    out.push(`${i + 1}| ${source[i]}`);
    for (const t of tokens) {
      out.push(`  ${t.column} ${JSON.stringify(t.text)} ${t.scopes.join(" ") || "-"}`);
    }
  });
  return out.join("\n") + "\n";
}

module.exports = { tokenize, scopesOf, render };
