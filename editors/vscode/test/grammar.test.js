// The TextMate grammar on every example, tokenized as VS Code tokenizes
// it: the tokens of each example are committed in test/tokens/ (one file
// an example) and any difference fails; MESHC_BLESS=1 rewrites them (read
// each rewritten file before committing it).  Then the cases a user sees:
// numbers with their units and signs, and keywords inside names.
const test = require("node:test");
const assert = require("node:assert");
const fs = require("node:fs");
const path = require("node:path");
const { tokenize, scopesOf, render } = require("./tokenize");

const ROOT = path.join(__dirname, "..", "..", "..");
const EXAMPLES = path.join(ROOT, "examples");
const TOKENS = path.join(__dirname, "tokens");
const BLESS = process.env.MESHC_BLESS === "1";

/** The .mesh files under `dir`, relative to it, sorted. */
function meshFiles(dir, prefix = "") {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) =>
      entry.isDirectory()
        ? meshFiles(path.join(dir, entry.name), `${prefix}${entry.name}/`)
        : entry.name.endsWith(".mesh")
          ? [`${prefix}${entry.name}`]
          : []
    )
    .sort();
}

const examples = meshFiles(EXAMPLES);

test("the examples are found", () => {
  assert.ok(examples.length >= 10, `only ${examples.length} examples`);
});

for (const example of examples) {
  test(`tokens of examples/${example}`, async () => {
    const text = fs.readFileSync(path.join(EXAMPLES, example), "utf8");
    const got = render(text, await tokenize(text));
    const file = path.join(TOKENS, example.replace(/\.mesh$/, ".tokens"));
    if (BLESS) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, got);
      return;
    }
    assert.ok(fs.existsSync(file), `${path.relative(ROOT, file)} is missing: run MESHC_BLESS=1 npm test`);
    assert.strictEqual(got, fs.readFileSync(file, "utf8"), `the tokens of examples/${example} changed`);
  });
}

test("every committed token file has its example", () => {
  const committed = fs.existsSync(TOKENS) ? fs.readdirSync(TOKENS, { recursive: true }) : [];
  const stale = committed
    .filter((f) => f.endsWith(".tokens"))
    .map((f) => f.split(path.sep).join("/").replace(/\.tokens$/, ".mesh"))
    .filter((f) => !examples.includes(f));
  assert.deepStrictEqual(stale, [], "token files without an example: remove them");
});

/** Asserts the scopes of `word` in `line` (the first, more specific scope). */
async function expectScope(line, word, scope) {
  const token = await scopesOf(line, word);
  assert.ok(token, `no token starts at \`${word}\` in \`${line}\``);
  assert.strictEqual(token.text, word, `\`${word}\` in \`${line}\` is cut as \`${token.text}\``);
  assert.deepStrictEqual(token.scopes, scope ? [scope] : [], `\`${word}\` in \`${line}\``);
}

test("percentages, negative numbers and durations of several units", async () => {
  await expectScope("    to v1 90%, v2 10%", "90%", "constant.numeric.percentage.mesh");
  await expectScope("    fault delay 5s 0.5%", "0.5%", "constant.numeric.percentage.mesh");
  await expectScope("    respond -1", "-1", "constant.numeric.mesh");
  await expectScope("    retries 3", "3", "constant.numeric.mesh");
  await expectScope("    timeout 1m30s", "1m30s", "constant.numeric.duration.mesh");
  await expectScope("    retries 3 per_try 1h2m3.5s", "1h2m3.5s", "constant.numeric.duration.mesh");
  await expectScope("    timeout 250ms", "250ms", "constant.numeric.duration.mesh");
});

test("no number inside a name or a word", async () => {
  await expectScope("    to v2-mysql", "v2-mysql", undefined);
  await expectScope("    timeout 5sec", "5sec", undefined);
  await expectScope("    retries 3 on 5xx", "5xx", undefined);
});

test("no keyword inside a name", async () => {
  await expectScope("    to to-legacy", "to-legacy", undefined);
  await expectScope("    mirror http-bin", "http-bin", undefined);
  await expectScope("    to http-bin/v1", "http-bin/v1", undefined);
  await expectScope("    to to-legacy", "to", "keyword.control.mesh");
  await expectScope("  subset to-legacy { version = \"v0\" }", "to-legacy", "entity.name.type.mesh");
});

test("fields spelled like keywords are fields", async () => {
  await expectScope('      { from = "us-east1", to = "us-west1" },', "to", "variable.other.property.mesh");
  await expectScope('    loadBalancer.consistentHash.httpCookie { name = "user" ttl = 0s }', "name", "variable.other.property.mesh");
  await expectScope("    tcp.maxConnections = 100", "tcp.maxConnections", "variable.other.property.mesh");
});

test("names of declarations and routes", async () => {
  await expectScope("service reviews {", "reviews", "entity.name.type.mesh");
  await expectScope("  route jason {", "jason", "entity.name.function.mesh");
  await expectScope("  tcp route db {", "tcp", "keyword.control.mesh");
  await expectScope("  tcp route {", "tcp", "keyword.control.mesh");
  await expectScope("      http { http1MaxPendingRequests = 10 }", "http", "variable.other.property.mesh");
  await expectScope("namespace 9shop", "9shop", "entity.name.namespace.mesh");
  await expectScope("    delegate reviews-routes namespace reviews-team", "namespace", "keyword.control.mesh");
  await expectScope("    delegate reviews-routes namespace reviews-team", "reviews-team", undefined);
  await expectScope("delegate reviews-routes {", "delegate", "keyword.declaration.mesh");
  await expectScope("delegate reviews-routes {", "reviews-routes", "entity.name.type.mesh");
  await expectScope("    delegate reviews-routes", "delegate", "keyword.control.mesh");
  await expectScope("    delegate reviews-routes", "reviews-routes", undefined);
});

test("escapes in strings", async () => {
  const [tokens] = await tokenize('  host "a\\u00e9\\qb"');
  const escapes = tokens.filter((t) => t.scopes.some((s) => s.startsWith("constant.character.escape")));
  const invalid = tokens.filter((t) => t.scopes.some((s) => s.startsWith("invalid.illegal")));
  assert.deepStrictEqual(escapes.map((t) => t.text), ["\\u00e9"]);
  assert.deepStrictEqual(invalid.map((t) => t.text), ["\\q"]);
});
