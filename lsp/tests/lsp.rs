//! End-to-end tests of `meshc-lsp`: each test starts the real binary in a
//! fresh workspace directory (`target/lsp-tests/NAME-PID`) and talks LSP to it
//! over stdio through [`client::Client`].
//!
//! Only what needs the protocol is tested here: initialisation and the
//! position encodings, UTF-16 and UTF-8 positions, document versions and
//! the publishing of diagnostics, the shapes of the answers (LSP kinds,
//! ranges under URIs, edits keyed by URI), errors, robustness and the exit
//! status.  What the editor answers (completion, hover, navigation, rename,
//! outline, tokens, code actions, formatting) is tested on the library by
//! the data files of `tests/editor/`.

#[path = "support/client.rs"]
mod client;

use std::path::{Path, PathBuf};

use client::{Client, Workspace, after, at, file_uri, find, position_at, range, range_of, workspace};
use serde_json::{Value, json};

// ------------------------------------------------------------------ fixtures

/// Reviews routes to a subset it does not define.
const ROUTES_TO_V4: &str = "\
service reviews {
  subset v1 { version = \"v1\" }
  subset v2 { version = \"v2\" }

  route {
    to v4
  }
}
";

/// Bookinfo's reviews and ratings, with a policy.
const BOOKINFO: &str = "\
// Reviews and ratings.
service reviews {
  subset v1 { version = \"v1\" }
  subset v2 { version = \"v2\" }
  subset v3 { version = \"v3\", tier = \"gold\" }

  policy {
    connectionPool {
      tcp.maxConnections = 100
    }
    loadBalancer.simple = LEAST_REQUEST
  }

  route jason {
    match header \"end-user\" exact \"jason\"
    to v2
  }
  route {
    timeout 5s
    to v1 50%, v3 50%
  }
}

service ratings {
  subset v1 { version = \"v1\" }
  subset v2-mysql { version = \"v2-mysql\" }
  route { to v1 }
}
";

/// The cart service, defined in one file of a directory.
const SHOP: &str = "\
namespace shop

service cart {
  subset v1 { version = \"v1\" }
  subset v2 { version = \"v2\" }
  route { to v1 }
}
";

/// Another file of the same directory, routing to cart's subsets.
const WEB: &str = "\
namespace web

service storefront {
  subset v1 { version = \"v1\" }
  route cart {
    match uri prefix \"/cart\"
    to cart/v1
  }
  route beta {
    to cart/v2
  }
  route { to v1 }
}
";

// ------------------------------------------------------------------ helpers

/// Starts a server on a fresh workspace holding `files`, offering
/// `encodings`; returns the client, the workspace and the initialize result.
fn start(name: &str, encodings: &[&str], files: &[(&str, &str)]) -> (Client, Workspace, Value) {
    let dir = workspace(name);
    for (file, text) in files {
        std::fs::write(dir.join(file), text).expect("write a fixture");
    }
    let mut client = Client::start();
    let init = client.initialize(&dir, encodings);
    (client, dir, init)
}

fn uri_of(dir: &Path, file: &str) -> String {
    file_uri(&dir.join(file))
}

/// Opens `text` and returns its first diagnostics (version 1).
fn open(client: &mut Client, uri: &str, text: &str) -> Vec<Value> {
    client.open(uri, text);
    array(&client.diagnostics(uri, Some(1))["diagnostics"])
}

/// Replaces the text and returns the diagnostics published for `version`.
fn change(client: &mut Client, uri: &str, version: i64, text: &str) -> Vec<Value> {
    client.change(uri, version, text);
    array(&client.diagnostics(uri, Some(version))["diagnostics"])
}

fn array(value: &Value) -> Vec<Value> {
    value
        .as_array()
        .unwrap_or_else(|| panic!("not an array: {value}"))
        .clone()
}

fn with_severity(diagnostics: &[Value], severity: u64) -> Vec<Value> {
    diagnostics
        .iter()
        .filter(|d| d["severity"] == json!(severity))
        .cloned()
        .collect()
}

/// The completion items at `position`, sorted as an editor shows them
/// (by `sortText`, then label).
fn complete(client: &mut Client, uri: &str, position: (u32, u32)) -> Vec<Value> {
    let result = client.request("textDocument/completion", at(uri, position));
    let mut items = match &result {
        Value::Array(items) => items.clone(),
        Value::Object(list) => array(&list["items"]),
        Value::Null => Vec::new(),
        other => panic!("completion at {position:?} returned {other}"),
    };
    items.sort_by_key(|i| {
        (
            i["sortText"].as_str().or(i["label"].as_str()).unwrap_or("").to_string(),
            i["label"].as_str().unwrap_or("").to_string(),
        )
    });
    items
}

fn labels(items: &[Value]) -> Vec<&str> {
    items.iter().map(|i| i["label"].as_str().expect("label")).collect()
}

fn item<'a>(items: &'a [Value], label: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["label"] == json!(label))
        .unwrap_or_else(|| panic!("no item `{label}` among {:?}", labels(items)))
}

/// Writes `text` as the document's content and returns the position of the
/// `|` marker, which is removed.
fn cursor(text: &str) -> (String, (u32, u32)) {
    let offset = text.find('|').expect("a | marker");
    let text = format!("{}{}", &text[..offset], &text[offset + 1..]);
    let position = position_at(&text, offset);
    (text, position)
}

fn hover(client: &mut Client, uri: &str, position: (u32, u32)) -> (String, Value) {
    let result = client.request("textDocument/hover", at(uri, position));
    assert_eq!(
        result["contents"]["kind"], "markdown",
        "hover at {position:?}: {result}"
    );
    (
        result["contents"]["value"].as_str().expect("hover text").to_string(),
        result["range"].clone(),
    )
}

/// The byte offset of an LSP position (UTF-16 columns) in `text`.
fn offset_of(text: &str, position: &Value) -> usize {
    let line = position["line"].as_u64().expect("line") as usize;
    let character = position["character"].as_u64().expect("character") as usize;
    let line_start = if line == 0 {
        0
    } else {
        text.match_indices('\n').nth(line - 1).expect("line in range").0 + 1
    };
    let mut units = 0;
    for (i, c) in text[line_start..].char_indices() {
        if units >= character || c == '\n' {
            return line_start + i;
        }
        units += c.len_utf16();
    }
    text.len()
}

/// `text` with LSP text edits applied.
fn apply(text: &str, edits: &[Value]) -> String {
    let mut spans: Vec<(usize, usize, &str)> = edits
        .iter()
        .map(|e| {
            (
                offset_of(text, &e["range"]["start"]),
                offset_of(text, &e["range"]["end"]),
                e["newText"].as_str().expect("newText"),
            )
        })
        .collect();
    spans.sort_by_key(|s| std::cmp::Reverse(s.0));
    let mut out = text.to_string();
    for (start, end, new) in spans {
        out.replace_range(start..end, new);
    }
    out
}

/// The absolute tokens of a semantic tokens result:
/// `(line, start, length, type, modifiers)`.
fn decode_tokens(data: &[Value]) -> Vec<(u64, u64, u64, u64, u64)> {
    assert_eq!(data.len() % 5, 0, "semantic token data is a multiple of 5");
    let mut out = Vec::new();
    let (mut line, mut start) = (0, 0);
    for chunk in data.chunks(5) {
        let n: Vec<u64> = chunk.iter().map(|v| v.as_u64().expect("u32")).collect();
        if n[0] > 0 {
            line += n[0];
            start = n[1];
        } else {
            start += n[1];
        }
        out.push((line, start, n[2], n[3], n[4]));
    }
    out
}

/// The range of `len` ASCII bytes, `skip` bytes into the first `marker`.
fn part(text: &str, marker: &str, skip: u32, len: u32) -> Value {
    let (line, col) = find(text, marker);
    range((line, col + skip), (line, col + skip + len))
}

/// `position`, `delta` columns further right.
fn shift((line, col): (u32, u32), delta: u32) -> (u32, u32) {
    (line, col + delta)
}

fn assert_no_panic(client: &Client) {
    let stderr = client.stderr();
    assert!(!stderr.contains("panicked"), "the server panicked:\n{stderr}");
}

// ------------------------------------------------------------------ initialize

#[test]
fn initialize_negotiates_utf8_when_offered_and_utf16_otherwise() {
    for (offered, expected) in [
        (&["utf-8", "utf-16"][..], "utf-8"),
        (&["utf-16", "utf-8"][..], "utf-8"),
        (&["utf-16"][..], "utf-16"),
        (&["utf-32"][..], "utf-16"),
        (&[][..], "utf-16"),
    ] {
        let (client, _, init) = start("initialize", offered, &[]);
        assert_eq!(
            init["capabilities"]["positionEncoding"], expected,
            "offered {offered:?}: {init}"
        );
        let caps = &init["capabilities"];
        assert_eq!(init["serverInfo"]["name"], "meshc-lsp");
        assert_eq!(
            caps["textDocumentSync"],
            json!({ "openClose": true, "change": 2, "save": true }),
            "incremental synchronisation"
        );
        assert_eq!(
            caps["completionProvider"]["triggerCharacters"],
            json!([".", "/", " ", "="])
        );
        assert_eq!(caps["renameProvider"]["prepareProvider"], true);
        assert_eq!(
            caps["semanticTokensProvider"]["legend"]["tokenTypes"],
            json!([
                "keyword",
                "string",
                "number",
                "comment",
                "operator",
                "property",
                "enumMember",
                "class",
                "variable"
            ])
        );
        for provider in [
            "hoverProvider",
            "definitionProvider",
            "referencesProvider",
            "documentSymbolProvider",
            "foldingRangeProvider",
            "documentFormattingProvider",
            "codeActionProvider",
        ] {
            assert_eq!(caps[provider], true, "{provider}");
        }
        client.shutdown_and_exit();
    }
}

// ------------------------------------------------------------------ diagnostics

#[test]
fn diagnostics_on_open_and_after_a_fix_carry_the_document_version() {
    let (mut client, dir, _) = start("diagnostics", &[], &[("reviews.mesh", ROUTES_TO_V4)]);
    let uri = uri_of(&dir, "reviews.mesh");
    client.open(&uri, ROUTES_TO_V4);
    let published = client.diagnostics(&uri, Some(1));
    assert_eq!(published["version"], 1);
    let diagnostics = array(&published["diagnostics"]);

    let errors = with_severity(&diagnostics, 1);
    assert_eq!(errors.len(), 1, "{diagnostics:#?}");
    let e = &errors[0];
    assert_eq!(e["code"], "E0201");
    assert_eq!(e["source"], "meshc");
    assert_eq!(e["range"], range_of(ROUTES_TO_V4, "v4"));
    let message = e["message"].as_str().expect("message");
    assert!(
        message.starts_with("unknown subset `v4` of service `reviews`"),
        "{message}"
    );
    assert!(message.contains("defined subsets: `v1`, `v2`"), "{message}");
    assert_eq!(
        e["relatedInformation"],
        json!([{
            "location": { "uri": uri, "range": range_of(ROUTES_TO_V4, "reviews") },
            "message": "service `reviews` is defined here"
        }])
    );

    // Both subsets are unused: the checker's N0002 hints, with the
    // Unnecessary tag.
    let hints = with_severity(&diagnostics, 4);
    assert_eq!(hints.len(), 2, "{diagnostics:#?}");
    for (hint, name) in hints.iter().zip(["v1", "v2"]) {
        assert_eq!(hint["range"], part(ROUTES_TO_V4, &format!("subset {name}"), 7, 2));
        assert_eq!(hint["tags"], json!([1]));
        assert_eq!(hint["code"], "N0002");
    }
    assert_eq!(diagnostics.len(), 3, "{diagnostics:#?}");

    // Fixing the route: a new publication for version 2, without errors.
    let fixed = ROUTES_TO_V4.replace("to v4", "to v1");
    client.change(&uri, 2, &fixed);
    let published = client.diagnostics(&uri, Some(2));
    assert_eq!(published["version"], 2);
    let diagnostics = array(&published["diagnostics"]);
    assert!(
        diagnostics.iter().all(|d| d["severity"] != 1 && d["severity"] != 2),
        "{diagnostics:#?}"
    );
    // Only v2 is still unused.
    assert_eq!(diagnostics.len(), 1, "{diagnostics:#?}");
    let (line, col) = find(&fixed, "subset v2");
    assert_eq!(diagnostics[0]["range"], range((line, col + 7), (line, col + 9)));
    assert_eq!(diagnostics[0]["severity"], 4);
    assert_eq!(diagnostics[0]["tags"], json!([1]));

    // Breaking it again: the error comes back at version 3.
    let diagnostics = change(&mut client, &uri, 3, ROUTES_TO_V4);
    assert_eq!(with_severity(&diagnostics, 1).len(), 1);
    assert_no_panic(&client);
    client.shutdown_and_exit();
}

// ------------------------------------------------------------------ answers in the protocol's shapes

/// Completion items as LSP sends them: kinds as numbers, the order as
/// `sortText`, the replaced range as a `textEdit` in positions, templates as
/// snippets, docs as markdown.  Which items are offered where is the
/// editor tests' (`tests/editor/completion-*.mesh`).
#[test]
fn completion_items_in_the_protocol_shape() {
    let (mut client, dir, _) = start("completion", &[], &[]);
    let uri = uri_of(&dir, "bookinfo.mesh");
    open(&mut client, &uri, BOOKINFO);

    // Destinations: the enclosing service's subsets, then the other
    // service, in the order of `sortText`.
    let (text, position) = cursor(&BOOKINFO.replace("    to v2\n", "    to |\n"));
    change(&mut client, &uri, 2, &text);
    let items = complete(&mut client, &uri, position);
    assert_eq!(labels(&items), ["v1", "v2", "v3", "ratings"]);
    let sort: Vec<&str> = items
        .iter()
        .map(|i| i["sortText"].as_str().expect("sortText"))
        .collect();
    assert!(sort.windows(2).all(|w| w[0] < w[1]), "{sort:?}");
    assert_eq!(item(&items, "ratings")["kind"], 9, "module");
    // After a partly typed `v`: the item replaces it.
    let (text, position) = cursor(&BOOKINFO.replace("    to v2\n", "    to v|\n"));
    change(&mut client, &uri, 3, &text);
    let items = complete(&mut client, &uri, position);
    let v3 = item(&items, "v3");
    assert_eq!(v3["kind"], 20, "enum member");
    assert_eq!(v3["detail"], "subset of reviews");
    assert_eq!(v3["insertTextFormat"], 1, "plain text");
    assert_eq!(v3["documentation"]["kind"], "markdown");
    assert_eq!(
        v3["documentation"]["value"],
        "Pods of `reviews` labelled `version=v3`, `tier=gold`"
    );
    assert_eq!(
        v3["textEdit"],
        json!({ "range": range((position.0, position.1 - 1), position), "newText": "v3" })
    );

    // Statements are keywords; policy fields are fields, their constants values.
    let (text, position) = cursor(&BOOKINFO.replace("    timeout 5s\n", "    |\n"));
    change(&mut client, &uri, 4, &text);
    assert_eq!(
        item(&complete(&mut client, &uri, position), "timeout")["kind"],
        14,
        "keyword"
    );
    let (text, position) = cursor(&BOOKINFO.replace("loadBalancer.simple = LEAST_REQUEST", "loadBalancer.|"));
    change(&mut client, &uri, 5, &text);
    assert_eq!(
        item(&complete(&mut client, &uri, position), "simple")["kind"],
        5,
        "field"
    );
    let (text, position) = cursor(&BOOKINFO.replace("loadBalancer.simple = LEAST_REQUEST", "loadBalancer.simple = |"));
    change(&mut client, &uri, 6, &text);
    assert_eq!(
        item(&complete(&mut client, &uri, position), "ROUND_ROBIN")["kind"],
        12,
        "value"
    );

    // A template is a snippet.
    let (text, position) = cursor(&format!("{BOOKINFO}\n|"));
    change(&mut client, &uri, 7, &text);
    let items = complete(&mut client, &uri, position);
    let service = item(&items, "service");
    assert_eq!(service["kind"], 15, "snippet");
    assert_eq!(service["insertTextFormat"], 2);
    assert_eq!(
        service["textEdit"],
        json!({ "range": range(position, position), "newText": "service ${1:name} {\n  $0\n}" })
    );
    assert_eq!(item(&items, "namespace")["insertTextFormat"], 1);
    client.shutdown_and_exit();
}

/// What the client supports shapes completion: without `snippetSupport`
/// (Neovim 0.7's omnifunc, which inserted a template's line breaks as NUL
/// bytes) every item inserts plain text on one line; with
/// `insertReplaceSupport` edits are insert-and-replace pairs; with the
/// deprecated tag, deprecated values carry it (else the older flag).
#[test]
fn completion_follows_the_clients_capabilities() {
    let text_with_cursor = format!("{BOOKINFO}\n|");
    let (text, end) = cursor(&text_with_cursor);
    let (deprecated_text, at_value) =
        cursor(&BOOKINFO.replace("loadBalancer.simple = LEAST_REQUEST", "loadBalancer.simple = |"));
    let clients = [
        json!({}),
        json!({ "completionItem": { "snippetSupport": false } }),
        json!({ "completionItem": { "snippetSupport": true, "insertReplaceSupport": true,
                                    "tagSupport": { "valueSet": [1] } } }),
    ];
    for (n, completion) in clients.into_iter().enumerate() {
        let dir = workspace(&format!("client-capabilities-{n}"));
        let mut client = Client::start();
        client.initialize_with_completion(&dir, &[], json!({}), completion.clone());
        let uri = uri_of(&dir, "bookinfo.mesh");
        open(&mut client, &uri, &text);
        let snippets = completion["completionItem"]["snippetSupport"] == true;
        let insert_replace = completion["completionItem"]["insertReplaceSupport"] == true;
        let items = complete(&mut client, &uri, end);
        let service = item(&items, "service");
        let edit = &service["textEdit"];
        let new_text = edit["newText"].as_str().expect("newText");
        if snippets {
            assert_eq!(service["insertTextFormat"], 2, "{completion}");
            assert_eq!(new_text, "service ${1:name} {\n  $0\n}");
        } else {
            assert_eq!(service["insertTextFormat"], 1, "{completion}: no snippet");
            assert_eq!(new_text, "service", "{completion}: one line, no placeholder");
        }
        for item in &items {
            let inserted = item["textEdit"]["newText"].as_str().unwrap_or_default();
            assert!(!inserted.contains('\0'), "{item}");
            assert!(snippets || !inserted.contains('\n'), "{completion}: {item}");
        }
        if insert_replace {
            assert_eq!(edit["insert"], range(end, end));
            assert_eq!(edit["replace"], range(end, end));
            assert!(edit.get("range").is_none());
        } else {
            assert_eq!(edit["range"], range(end, end));
        }
        change(&mut client, &uri, 2, &deprecated_text);
        let values = complete(&mut client, &uri, at_value);
        assert_eq!(labels(&values).last(), Some(&"LEAST_CONN"), "deprecated last");
        let least_conn = item(&values, "LEAST_CONN");
        if insert_replace {
            assert_eq!(least_conn["tags"], json!([1]));
        } else {
            assert_eq!(least_conn["deprecated"], true);
        }
        assert!(item(&values, "ROUND_ROBIN").get("tags").is_none());
        client.shutdown_and_exit();
    }
}

/// The server offers signature help, inlay hints, code lenses with the
/// command that shows a service's YAML, and workspace symbols; each answers
/// in the protocol's shape (what they say is the editor tests').
#[test]
fn signature_help_hints_lenses_commands_and_workspace_symbols() {
    let other = "service details {\n  subset v1 { version = \"v1\" }\n  route { to v1 }\n}\n";
    let (mut client, dir, init) = start("new-answers", &[], &[("details.mesh", other)]);
    let caps = &init["capabilities"];
    assert_eq!(caps["signatureHelpProvider"]["triggerCharacters"], json!([" "]));
    assert_eq!(caps["inlayHintProvider"], true);
    assert!(caps["codeLensProvider"].is_object());
    assert_eq!(caps["executeCommandProvider"]["commands"], json!(["meshc.showYaml"]));
    assert_eq!(caps["workspaceSymbolProvider"], true);
    let uri = uri_of(&dir, "bookinfo.mesh");
    open(&mut client, &uri, BOOKINFO);

    let (text, position) = cursor(&BOOKINFO.replace("    timeout 5s\n", "    retries 3 |\n"));
    change(&mut client, &uri, 2, &text);
    let help = client.request("textDocument/signatureHelp", at(&uri, position));
    let signature = &help["signatures"][0];
    assert!(
        signature["label"]
            .as_str()
            .expect("label")
            .starts_with("retries ATTEMPTS")
    );
    let active = help["activeParameter"].as_u64().expect("active") as usize;
    assert_eq!(
        signature["parameters"][active]["label"],
        json!([17, 35]),
        "{signature}: after the attempts, the first option"
    );

    change(&mut client, &uri, 3, BOOKINFO);
    let hints = client.request(
        "textDocument/inlayHint",
        json!({ "textDocument": { "uri": uri }, "range": range((0, 0), (1000, 0)) }),
    );
    let hints = array(&hints);
    assert!(!hints.is_empty());
    for hint in &hints {
        assert!(hint["position"]["line"].is_u64() && hint["label"].is_string(), "{hint}");
        assert_eq!(hint["tooltip"]["kind"], "markdown");
    }

    let lenses = array(&client.request("textDocument/codeLens", json!({ "textDocument": { "uri": uri } })));
    let show = lenses
        .iter()
        .find(|l| l["command"]["command"] == "meshc.showYaml")
        .expect("a lens that shows the YAML");
    assert!(lenses.iter().any(|l| {
        l["command"]["title"]
            .as_str()
            .is_some_and(|t| t.ends_with("use this subset"))
    }));
    let yaml = client.request(
        "workspace/executeCommand",
        json!({ "command": "meshc.showYaml", "arguments": show["command"]["arguments"] }),
    );
    let yaml = yaml.as_str().expect("the YAML");
    assert!(
        yaml.contains("kind: VirtualService") && yaml.contains("kind: DestinationRule"),
        "{yaml}"
    );
    let refused = client.try_request(
        "workspace/executeCommand",
        json!({ "command": "meshc.showYaml", "arguments": [uri, "nothing-here"] }),
    );
    assert_eq!(refused.expect_err("no such service")["code"], -32602);

    // Symbols of the open program and of the file beside it on disk.
    let symbols = array(&client.request("workspace/symbol", json!({ "query": "" })));
    let names: Vec<&str> = symbols.iter().filter_map(|s| s["name"].as_str()).collect();
    assert!(names.contains(&"reviews") && names.contains(&"details"), "{names:?}");
    let v1 = symbols
        .iter()
        .find(|s| s["name"] == "v1" && s["containerName"] == "details")
        .expect("a subset with its service");
    assert_eq!(v1["location"]["uri"], uri_of(&dir, "details.mesh"));
    assert_no_panic(&client);
    client.shutdown_and_exit();
}

/// Hover, definition, references and rename answer with ranges under the
/// URI of the file they are in, files not open read from the disk; what
/// they find is the editor tests' (`tests/editor/{hover,definition,
/// references,rename}-*.mesh`).
#[test]
fn navigation_answers_with_locations_and_edits_by_uri() {
    let (mut client, dir, _) = start("navigation", &[], &[("shop.mesh", SHOP), ("web.mesh", WEB)]);
    let shop = uri_of(&dir, "shop.mesh");
    let web = uri_of(&dir, "web.mesh");
    // Only shop.mesh is open; web.mesh is read from the disk.
    let diagnostics = open(&mut client, &shop, SHOP);
    assert_eq!(with_severity(&diagnostics, 1), Vec::<Value>::new());
    let published_web = client.diagnostics(&web, None);
    assert_eq!(
        with_severity(&array(&published_web["diagnostics"]), 1),
        Vec::<Value>::new(),
        "web.mesh's references to cart resolve"
    );
    let v1_def = after(SHOP, "subset ");
    let v1_def_range = range(v1_def, (v1_def.0, v1_def.1 + 2));
    let v1_use = after(SHOP, "to ");
    let v1_use_range = range(v1_use, (v1_use.0, v1_use.1 + 2));
    let web_use_range = range(after(WEB, "cart/"), after(WEB, "cart/v1"));

    // Hover: markdown and the range of the name.
    let (text, hover_range) = hover(&mut client, &shop, shift(v1_use, 1));
    assert!(text.starts_with("**subset v1** of `cart`"), "{text}");
    assert_eq!(hover_range, v1_use_range);
    // Nothing to say, or no definition: null.
    let keyword = find(SHOP, "route");
    assert_eq!(client.request("textDocument/hover", at(&shop, keyword)), Value::Null);
    assert_eq!(
        client.request("textDocument/definition", at(&shop, keyword)),
        Value::Null
    );

    // Definition: a location.
    let result = client.request("textDocument/definition", at(&shop, v1_use));
    assert_eq!(result, json!({ "uri": shop, "range": v1_def_range }));

    // References, with and without the declaration (the protocol's
    // `context.includeDeclaration`), in both files.
    let params = |include: bool| {
        let mut p = at(&shop, v1_def);
        p["context"] = json!({ "includeDeclaration": include });
        p
    };
    let located = |result: &Value| -> Vec<(String, Value)> {
        array(result)
            .iter()
            .map(|l| (l["uri"].as_str().expect("uri").to_string(), l["range"].clone()))
            .collect()
    };
    let all = located(&client.request("textDocument/references", params(true)));
    assert_eq!(
        all,
        [
            (shop.clone(), v1_def_range.clone()),
            (shop.clone(), v1_use_range.clone()),
            (web.clone(), web_use_range.clone())
        ]
    );
    let uses = located(&client.request("textDocument/references", params(false)));
    assert_eq!(uses, all[1..]);

    // prepareRename: the name's range.
    let prepared = client.request("textDocument/prepareRename", at(&shop, v1_def));
    assert_eq!(prepared, v1_def_range);

    // Rename: a workspace edit keyed by the URI of each file.
    let mut params = at(&shop, v1_def);
    params["newName"] = json!("stable");
    let edit = client.request("textDocument/rename", params);
    let changes = edit["changes"].as_object().expect("changes");
    assert_eq!(changes.len(), 2, "{edit}");
    let shop_edits = array(&changes[&shop]);
    let web_edits = array(&changes[&web]);
    assert_eq!(
        shop_edits,
        [
            json!({ "range": v1_def_range, "newText": "stable" }),
            json!({ "range": v1_use_range, "newText": "stable" })
        ]
    );
    assert_eq!(web_edits, [json!({ "range": web_use_range, "newText": "stable" })]);

    // Applied, the program still checks; the file on disk is read again.
    let renamed_web = apply(WEB, &web_edits);
    std::fs::write(dir.join("web.mesh"), &renamed_web).expect("write");
    let diagnostics = change(&mut client, &shop, 2, &apply(SHOP, &shop_edits));
    assert_eq!(with_severity(&diagnostics, 1), Vec::<Value>::new(), "{diagnostics:#?}");

    // From a use in the other file, now open.
    client.open(&web, &renamed_web);
    client.diagnostics(&web, Some(1));
    let mut params = at(&web, after(&renamed_web, "cart/"));
    params["newName"] = json!("canary");
    let edit = client.request("textDocument/rename", params);
    let changes = edit["changes"].as_object().expect("changes");
    assert_eq!(array(&changes[&web]).len(), 1);
    assert_eq!(array(&changes[&shop]).len(), 2);
    client.shutdown_and_exit();
}

/// Document symbols, folds and semantic tokens in the protocol's terms:
/// symbol kinds as LSP numbers, folds as line ranges (only the blocks of
/// several lines), tokens delta-encoded with the legend's indices and the
/// definition modifier.  Code actions are quick fixes for the diagnostic
/// they were asked with.  The outline, tokens and fixes themselves are the
/// editor tests' (`tests/editor/{document-symbols,folding-ranges,
/// semantic-tokens,code-actions-*}.mesh`).
#[test]
fn outline_tokens_and_code_actions_in_the_protocol_shape() {
    let (mut client, dir, _) = start("outline", &[], &[]);
    let uri = uri_of(&dir, "bookinfo.mesh");
    open(&mut client, &uri, BOOKINFO);
    let lines: Vec<&str> = BOOKINFO.lines().collect();
    let line_of = |needle: &str| lines.iter().position(|l| l.contains(needle)).expect("line") as u32;
    let last_line = |from: u32, closing: &str| {
        (from as usize..lines.len())
            .find(|&i| lines[i] == closing)
            .expect("closing line") as u32
    };

    // documentSymbol.
    let symbols = array(&client.request("textDocument/documentSymbol", json!({ "textDocument": { "uri": uri } })));
    let reviews = &symbols[0];
    assert_eq!(reviews["name"], "reviews");
    assert_eq!(reviews["kind"], 5, "class");
    assert_eq!(reviews["detail"], "service");
    assert_eq!(reviews["selectionRange"], range_of(BOOKINFO, "reviews"));
    let start = line_of("service reviews");
    assert_eq!(reviews["range"], range((start, 0), (last_line(start, "}"), 1)));
    let kinds: Vec<u64> = array(&reviews["children"])
        .iter()
        .map(|c| c["kind"].as_u64().expect("kind"))
        .collect();
    assert_eq!(kinds, [22, 22, 22, 19, 12, 12], "subsets, the policy, the routes");

    // foldingRange: the blocks of several lines.
    let folds = array(&client.request("textDocument/foldingRange", json!({ "textDocument": { "uri": uri } })));
    let mut got: Vec<(u64, u64)> = folds
        .iter()
        .map(|f| {
            assert_eq!(f["kind"], "region");
            (
                f["startLine"].as_u64().expect("start"),
                f["endLine"].as_u64().expect("end"),
            )
        })
        .collect();
    got.sort_unstable();
    let mut expected: Vec<(u64, u64)> = [
        line_of("service reviews"),
        line_of("policy {"),
        line_of("route jason"),
        line_of("  route {"),
        line_of("service ratings"),
    ]
    .into_iter()
    .map(|first| {
        let closing = if lines[first as usize].starts_with("service") {
            "}"
        } else {
            "  }"
        };
        (u64::from(first), u64::from(last_line(first, closing)))
    })
    .collect();
    expected.sort_unstable();
    assert_eq!(got, expected);

    // semanticTokens/full: the legend's indices, `1` for a definition.
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri } }),
    );
    let decoded = decode_tokens(&array(&tokens["data"]));
    let token_at = |(line, col): (u32, u32)| {
        decoded
            .iter()
            .find(|t| t.0 == u64::from(line) && t.1 == u64::from(col))
            .map(|t| (t.2, t.3, t.4))
    };
    const KEYWORD: u64 = 0;
    const STRING: u64 = 1;
    const NUMBER: u64 = 2;
    const COMMENT: u64 = 3;
    const PROPERTY: u64 = 5;
    const ENUM_MEMBER: u64 = 6;
    const CLASS: u64 = 7;
    const VARIABLE: u64 = 8;
    assert_eq!(token_at((0, 0)), Some((lines[0].len() as u64, COMMENT, 0)));
    assert_eq!(token_at(find(BOOKINFO, "service")), Some((7, KEYWORD, 0)));
    assert_eq!(token_at(find(BOOKINFO, "reviews")), Some((7, CLASS, 1)), "a definition");
    assert_eq!(token_at(after(BOOKINFO, "subset ")), Some((2, VARIABLE, 1)));
    assert_eq!(token_at(find(BOOKINFO, "\"v1\"")), Some((4, STRING, 0)));
    assert_eq!(token_at(find(BOOKINFO, "version")), Some((7, PROPERTY, 0)));
    assert_eq!(token_at(find(BOOKINFO, "LEAST_REQUEST")), Some((13, ENUM_MEMBER, 0)));
    assert_eq!(token_at(find(BOOKINFO, "100")), Some((3, NUMBER, 0)));
    assert_eq!(
        token_at(shift(find(BOOKINFO, "to v2"), 3)),
        Some((2, VARIABLE, 0)),
        "a use"
    );
    assert_tokens_ordered(&decoded, &BOOKINFO);

    // codeAction: quick fixes carrying the diagnostic, edits keyed by URI.
    let broken = BOOKINFO.replace("    to v2\n", "    to v9\n");
    let diagnostics = change(&mut client, &uri, 2, &broken);
    let error = with_severity(&diagnostics, 1).remove(0);
    assert_eq!(error["code"], "E0201");
    let actions = code_actions(&mut client, &uri, &error);
    assert!(!actions.is_empty());
    for action in &actions {
        assert_eq!(action["kind"], "quickfix");
        assert_eq!(action["isPreferred"], true);
        assert_eq!(action["diagnostics"][0]["code"], "E0201");
        assert_eq!(action["diagnostics"][0]["range"], error["range"]);
        let changes = action["edit"]["changes"].as_object().expect("changes");
        assert_eq!(changes.keys().collect::<Vec<_>>(), [&uri]);
    }
    assert_eq!(actions[0]["title"], "Replace with `v1`");
    assert_eq!(
        actions[0]["edit"]["changes"][&uri],
        json!([{ "range": range_of(&broken, "v9"), "newText": "v1" }])
    );
    // A range away from any diagnostic: no actions.
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": range((0, 0), (0, 3)),
            "context": { "diagnostics": [] }
        }),
    );
    assert_eq!(actions, json!([]));
    client.shutdown_and_exit();
}

fn code_actions(client: &mut Client, uri: &str, diagnostic: &Value) -> Vec<Value> {
    array(&client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": diagnostic["range"],
            "context": { "diagnostics": [diagnostic] }
        }),
    ))
}

/// What the server cannot do is an error of the protocol's kind, with the
/// reason; positions past the end of a line or of the document are clamped;
/// a document never opened has no answers.  The server stays up.
#[test]
fn refused_malformed_and_out_of_range_requests() {
    let (mut client, dir, _) = start("refused", &[], &[("shop.mesh", SHOP)]);
    let shop = uri_of(&dir, "shop.mesh");
    open(&mut client, &shop, SHOP);

    // A rename the library refuses: invalid params, with its reason.
    let mut params = at(&shop, after(SHOP, "subset "));
    params["newName"] = json!("V1!");
    let error = client
        .try_request("textDocument/rename", params)
        .expect_err("an error response");
    assert_eq!(error["code"], -32602, "invalid params: {error}");
    assert!(
        error["message"]
            .as_str()
            .expect("message")
            .contains("is not a valid name"),
        "{error}"
    );
    // prepareRename where there is no name: invalid params too.
    let error = client
        .try_request("textDocument/prepareRename", at(&shop, find(SHOP, "route")))
        .expect_err("not renamable");
    assert_eq!(error["code"], -32602);

    // A request without its position, and a method the server lacks.
    let error = client
        .try_request("textDocument/hover", json!({ "textDocument": { "uri": shop } }))
        .expect_err("no position");
    assert_eq!(error["code"], -32602, "{error}");
    let error = client
        .try_request("textDocument/noSuchMethod", json!({}))
        .expect_err("unknown method");
    assert_eq!(error["code"], -32601, "{error}");

    // Past the end of a line, past the last line: answered, clamped.
    for position in [(0, 500), (500, 0), (u32::MAX, u32::MAX)] {
        for method in [
            "textDocument/hover",
            "textDocument/definition",
            "textDocument/completion",
        ] {
            client
                .try_request(method, at(&shop, position))
                .unwrap_or_else(|e| panic!("{method} at {position:?}: {e}"));
        }
    }
    // A document never opened, in no workspace directory: no answers.
    let unknown = "file:///nowhere/else.mesh";
    assert_eq!(client.request("textDocument/hover", at(unknown, (0, 0))), Value::Null);
    assert_eq!(
        client.request(
            "textDocument/semanticTokens/full",
            json!({ "textDocument": { "uri": unknown } })
        ),
        Value::Null
    );
    // An empty document: completion at its only position.
    let empty = uri_of(&dir, "empty.mesh");
    client.open(&empty, "");
    client.diagnostics(&empty, Some(1));
    assert_eq!(
        labels(&complete(&mut client, &empty, (0, 0))),
        ["delegate", "service", "test", "namespace"]
    );
    assert!(client.is_alive());
    assert_no_panic(&client);
    client.shutdown_and_exit();
}

// ------------------------------------------------------------------ formatting

const MESSY: &str = "service   reviews{\nsubset v1 {version=\"v1\"}\n      subset v2 { version = \"v2\" }   \n\n\n      route {\nto v1 50%,v2 50%\n  }\n// trailing comment   \n}\n";

#[test]
fn formatting_replaces_the_document_with_the_canonical_layout() {
    // The layout itself is `tests/editor/formatting-*.mesh`'s.
    let formatted = meshc::fmt::format(MESSY);
    assert_ne!(formatted, MESSY);
    let (mut client, dir, _) = start("formatting", &[], &[]);
    let uri = uri_of(&dir, "a.mesh");
    open(&mut client, &uri, MESSY);
    let params = json!({
        "textDocument": { "uri": uri },
        "options": { "tabSize": 2, "insertSpaces": true }
    });
    let edits = array(&client.request("textDocument/formatting", params.clone()));
    assert_eq!(
        edits,
        [json!({
            "range": range((0, 0), position_at(MESSY, MESSY.len())),
            "newText": formatted
        })]
    );
    assert_eq!(apply(MESSY, &edits), formatted);

    // Formatted text: no edits.
    change(&mut client, &uri, 2, &formatted);
    assert_eq!(client.request("textDocument/formatting", params.clone()), json!([]));

    // CRLF text with non-ASCII comments: the range ends at the end, in
    // UTF-16, and the new text is the same layout with CRLF line endings.
    let crlf = format!("// é 𐐀 😀\r\n{}", MESSY.replace('\n', "\r\n"));
    change(&mut client, &uri, 3, &crlf);
    let edits = array(&client.request("textDocument/formatting", params.clone()));
    assert_eq!(edits.len(), 1);
    assert_eq!(edits[0]["range"], range((0, 0), position_at(&crlf, crlf.len())));
    let crlf_formatted = format!("// é 𐐀 😀\r\n{}", formatted.replace('\n', "\r\n"));
    assert_eq!(edits[0]["newText"], crlf_formatted);
    change(&mut client, &uri, 4, &crlf_formatted);
    assert_eq!(client.request("textDocument/formatting", params.clone()), json!([]));

    // A syntax error: no formatting (null), not a mangled file.
    change(
        &mut client,
        &uri,
        5,
        "service reviews {\n  route {\n    to v1\n    bogus stuff\n  }\n}\n",
    );
    assert_eq!(client.request("textDocument/formatting", params), Value::Null);
    client.shutdown_and_exit();
}

// ------------------------------------------------------------------ positions

/// CRLF line endings, a comment with non-ASCII and astral characters before
/// the route, and a string with them on the route's line.
const ASTRAL: &str = "service reviews {\r\n  subset v1 { version = \"v1\" }\r\n  // é 𐐀 😀 routes\r\n  route { match header \"x-user\" exact \"𐐀😀é\" to v4 }\r\n  route { match header \"x\" exact \"😀\" to v1 }\r\n}\r\n";

#[test]
fn utf16_positions_with_astral_characters_and_crlf() {
    let (mut client, dir, init) = start("utf16", &["utf-16"], &[]);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    let uri = uri_of(&dir, "a.mesh");
    let diagnostics = open(&mut client, &uri, ASTRAL);
    let errors = with_severity(&diagnostics, 1);
    assert_eq!(errors.len(), 1, "{diagnostics:#?}");
    assert_eq!(errors[0]["code"], "E0201");
    // Computed independently: the UTF-16 length of the line before `v4`.
    let v4 = ASTRAL.find("v4").expect("v4");
    let line_start = ASTRAL[..v4].rfind('\n').expect("line") + 1;
    let col = ASTRAL[line_start..v4].encode_utf16().count() as u32;
    assert_eq!(col, 49, "the fixture");
    assert_eq!(errors[0]["range"], range((3, col), (3, col + 2)));
    assert_eq!(errors[0]["range"], range_of(ASTRAL, "v4"));

    // Definition from `to v1` after the astral string.
    let v1_use = ASTRAL.rfind("v1 }").expect("use");
    let use_start = ASTRAL[..v1_use].rfind('\n').expect("line") + 1;
    let use_col = ASTRAL[use_start..v1_use].encode_utf16().count() as u32;
    for character in [use_col, use_col + 1, use_col + 2] {
        let result = client.request("textDocument/definition", at(&uri, (4, character)));
        assert_eq!(
            result,
            json!({ "uri": uri, "range": range((1, 9), (1, 11)) }),
            "definition at 4:{character}"
        );
    }
    // Just before the use, inside the `to` keyword: no definition.
    let result = client.request("textDocument/definition", at(&uri, (4, use_col - 2)));
    assert_eq!(result, Value::Null);
    // References report the use at its UTF-16 column.
    let mut params = at(&uri, (1, 9));
    params["context"] = json!({ "includeDeclaration": true });
    let refs = array(&client.request("textDocument/references", params));
    let ranges: Vec<Value> = refs.iter().map(|r| r["range"].clone()).collect();
    assert_eq!(ranges, [range((1, 9), (1, 11)), range((4, use_col), (4, use_col + 2))]);
    // Hover on the use: the range in UTF-16 too.
    let (text, hover_range) = hover(&mut client, &uri, (4, use_col + 1));
    assert!(text.starts_with("**subset v1**"), "{text}");
    assert_eq!(hover_range, range((4, use_col), (4, use_col + 2)));
    // Completion after a split's comma on a line with astral characters
    // before the cursor.
    let typing = ASTRAL.replace(
        "match header \"x-user\" exact \"𐐀😀é\" to v4 }",
        "to \"𐐀😀é.example\" 50%,  }",
    );
    change(&mut client, &uri, 2, &typing);
    let cursor_offset = typing.find(",  }").expect("comma") + 2;
    let cursor = position_at(&typing, cursor_offset);
    let line_start = typing[..cursor_offset].rfind('\n').expect("line") + 1;
    assert_eq!(
        cursor,
        (3, typing[line_start..cursor_offset].encode_utf16().count() as u32)
    );
    let items = complete(&mut client, &uri, cursor);
    assert_eq!(labels(&items), ["v1"]);
    assert_eq!(items[0]["textEdit"]["range"], range(cursor, cursor));
    // Semantic tokens: the astral string's length in UTF-16 units.
    let tokens = client.request(
        "textDocument/semanticTokens/full",
        json!({ "textDocument": { "uri": uri } }),
    );
    let decoded = decode_tokens(&array(&tokens["data"]));
    let string = "\"𐐀😀é.example\"";
    let (l, c) = find(&typing, string);
    assert!(
        decoded.contains(&(l as u64, c as u64, string.encode_utf16().count() as u64, 1, 0)),
        "{decoded:?}"
    );
    let comment = "// é 𐐀 😀 routes";
    let (l, c) = find(&typing, comment);
    assert!(
        decoded.contains(&(l as u64, c as u64, comment.encode_utf16().count() as u64, 3, 0)),
        "{decoded:?}"
    );
    assert_no_panic(&client);
    client.shutdown_and_exit();
}

#[test]
fn utf8_positions_count_bytes() {
    let (mut client, dir, init) = start("utf8", &["utf-8", "utf-16"], &[]);
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-8");
    let uri = uri_of(&dir, "a.mesh");
    let diagnostics = open(&mut client, &uri, ASTRAL);
    let errors = with_severity(&diagnostics, 1);
    assert_eq!(errors.len(), 1, "{diagnostics:#?}");
    let v4 = ASTRAL.find("v4").expect("v4");
    let line_start = ASTRAL[..v4].rfind('\n').expect("line") + 1;
    let col = (v4 - line_start) as u32;
    assert_eq!(errors[0]["range"], range((3, col), (3, col + 2)));
    let v1_use = ASTRAL.rfind("v1 }").expect("use");
    let use_col = (v1_use - (ASTRAL[..v1_use].rfind('\n').expect("line") + 1)) as u32;
    let result = client.request("textDocument/definition", at(&uri, (4, use_col + 1)));
    assert_eq!(result, json!({ "uri": uri, "range": range((1, 9), (1, 11)) }));
    client.shutdown_and_exit();
}

// ------------------------------------------------------------------ robustness

/// A deterministic pseudo-random generator (xorshift64*).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A char boundary of `text`.
    fn boundary(&mut self, text: &str) -> usize {
        let mut i = self.below(text.len() + 1);
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    }
}

/// Tokens must be sorted and must not overlap.
fn assert_tokens_ordered(decoded: &[(u64, u64, u64, u64, u64)], context: &dyn std::fmt::Display) {
    for w in decoded.windows(2) {
        assert!(
            (w[0].0, w[0].1 + w[0].2) <= (w[1].0, w[1].1),
            "overlapping or unordered semantic tokens {:?} {:?} in:\n{context}",
            w[0],
            w[1]
        );
    }
}

/// Edits `base` at random `edits` times, each edit followed by requests at
/// random positions; returns the number of requests answered.
fn fuzz(client: &mut Client, uri: &str, base: &str, seed: u64, edits: usize, first_version: i64) -> (usize, i64) {
    let mut rng = Rng(seed);
    let mut text = base.to_string();
    let mut version = first_version;
    let mut answered = 0;
    let random_position = |rng: &mut Rng, text: &str| {
        let lines = text.lines().count() + 2;
        (rng.below(lines) as u32, rng.below(60) as u32)
    };
    for _ in 0..edits {
        match rng.below(8) {
            // Truncation.
            0 => {
                let at = rng.boundary(&text);
                text.truncate(at);
            }
            // Deleting a chunk.
            1 => {
                let start = rng.boundary(&text);
                let mut end = (start + 1 + rng.below(30)).min(text.len());
                while !text.is_char_boundary(end) {
                    end += 1;
                }
                text.replace_range(start..end, "");
            }
            // Inserting punctuation, keywords or astral characters.
            _ => {
                let insert = ["{", "}", "\"", "%", "{", "}", "to ", "\n", "😀", "=", ",", "/", "."][rng.below(13)];
                let at = rng.boundary(&text);
                text.insert_str(at, insert);
            }
        }
        if text.len() < 40 || rng.below(25) == 0 {
            text = base.to_string();
        }
        version += 1;
        client.change(uri, version, &text);
        let mut requests = vec![
            ("textDocument/completion", at(uri, random_position(&mut rng, &text))),
            ("textDocument/hover", at(uri, random_position(&mut rng, &text))),
        ];
        if version % 5 == 0 {
            let doc = json!({ "textDocument": { "uri": uri } });
            let mut references = at(uri, random_position(&mut rng, &text));
            references["context"] = json!({ "includeDeclaration": true });
            let mut rename = at(uri, random_position(&mut rng, &text));
            rename["newName"] = json!("renamed");
            let mut formatting = doc.clone();
            formatting["options"] = json!({ "tabSize": 2, "insertSpaces": true });
            let mut action = doc.clone();
            action["range"] = range(random_position(&mut rng, &text), random_position(&mut rng, &text));
            action["context"] = json!({ "diagnostics": [] });
            requests.extend([
                ("textDocument/definition", at(uri, random_position(&mut rng, &text))),
                ("textDocument/references", references),
                ("textDocument/prepareRename", at(uri, random_position(&mut rng, &text))),
                ("textDocument/rename", rename),
                ("textDocument/codeAction", action),
                ("textDocument/semanticTokens/full", doc.clone()),
                ("textDocument/documentSymbol", doc.clone()),
                ("textDocument/foldingRange", doc),
                ("textDocument/formatting", formatting),
            ]);
        }
        for (method, params) in requests {
            // Any answer will do, result or error, but not an internal
            // error; a missing one times out.
            match client.try_request(method, params.clone()) {
                Ok(result) if method.ends_with("semanticTokens/full") && !result.is_null() => {
                    let decoded = decode_tokens(&array(&result["data"]));
                    assert_tokens_ordered(&decoded, &format!("{text}\n(seed {seed:#x}, version {version})"));
                }
                Ok(_) => {}
                Err(error) => assert_ne!(
                    error["code"], -32603,
                    "{method} {params} failed (seed {seed:#x}, version {version}): {error} in:\n{text}"
                ),
            }
            answered += 1;
        }
    }
    (answered, version)
}

/// Random edits (truncations, deletions, braces, quotes, `%`, astral
/// characters), each followed by requests at random positions: every
/// request is answered and the server stays up.  `MESHC_LSP_FUZZ_SEEDS=N`
/// runs N more seeds.
#[test]
fn random_edits_never_break_the_server() {
    let base = format!("{BOOKINFO}\n{}", ASTRAL.replace("reviews", "details"));
    let (mut client, dir, _) = start("random-edits", &[], &[("web.mesh", WEB)]);
    let uri = uri_of(&dir, "a.mesh");
    open(&mut client, &uri, &format!("{SHOP}\n{base}"));
    let extra: u64 = std::env::var("MESHC_LSP_FUZZ_SEEDS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(0);
    let mut version = 1;
    let mut answered = 0;
    for seed in 0..=extra {
        let (n, last) = fuzz(
            &mut client,
            &uri,
            &format!("{SHOP}\n{base}"),
            0x9E37_79B9_7F4A_7C15 ^ seed.wrapping_mul(0x1234_5678_9ABC_DEF1),
            120,
            version,
        );
        answered += n;
        version = last;
    }
    assert!(answered >= 240 * (extra as usize + 1), "answered {answered}");
    // The last version is analysed and published.
    client.diagnostics(&uri, Some(version));
    assert!(client.is_alive());
    assert_no_panic(&client);
    client.shutdown_and_exit();
}

// ------------------------------------------------------------------ programs

/// A file's diagnostics depend on the other files of its directory: an
/// edit in one publishes diagnostics for the others, read from the disk.
#[test]
fn diagnostics_of_other_files_of_the_directory() {
    let (mut client, dir, _) = start("cross-file", &[], &[("shop.mesh", SHOP), ("web.mesh", WEB)]);
    let shop = uri_of(&dir, "shop.mesh");
    let web = uri_of(&dir, "web.mesh");
    open(&mut client, &shop, SHOP);
    let published = client.diagnostics(&web, None);
    assert_eq!(with_severity(&array(&published["diagnostics"]), 1), Vec::<Value>::new());
    // Removing cart's v2 breaks web.mesh's `cart/v2`.
    let without_v2 = SHOP.replace("  subset v2 { version = \"v2\" }\n", "");
    client.change(&shop, 2, &without_v2);
    client.diagnostics(&shop, Some(2));
    let published = client.diagnostics(&web, None);
    let errors = with_severity(&array(&published["diagnostics"]), 1);
    assert_eq!(errors.len(), 1, "{published:#}");
    assert_eq!(errors[0]["code"], "E0201");
    assert_eq!(errors[0]["range"], part(WEB, "cart/v2", 5, 2));
    assert_eq!(
        errors[0]["relatedInformation"][0]["location"],
        json!({ "uri": shop, "range": range_of(&without_v2, "cart") })
    );
    // Putting it back clears them.
    client.change(&shop, 3, SHOP);
    client.diagnostics(&shop, Some(3));
    let published = client.diagnostics(&web, None);
    assert_eq!(with_severity(&array(&published["diagnostics"]), 1), Vec::<Value>::new());

    // Closing a document clears its diagnostics, then the disk's text is
    // checked again.
    client.change(&shop, 4, &without_v2);
    client.diagnostics(&shop, Some(4));
    let published = client.diagnostics(&web, None);
    assert_eq!(with_severity(&array(&published["diagnostics"]), 1).len(), 1);
    client.clear_notifications();
    client.notify("textDocument/didClose", json!({ "textDocument": { "uri": shop } }));
    let cleared = client.diagnostics(&shop, None);
    assert_eq!(cleared["diagnostics"], json!([]));
    let published = client.diagnostics(&web, None);
    assert_eq!(
        with_severity(&array(&published["diagnostics"]), 1),
        Vec::<Value>::new(),
        "shop.mesh on disk still defines cart/v2"
    );
    client.shutdown_and_exit();
}

/// A document that is not a file (an editor's new buffer) is a program of
/// its own.
#[test]
fn untitled_documents_are_checked_alone() {
    let (mut client, _, _) = start("untitled", &[], &[]);
    let uri = "untitled:Untitled-1";
    let diagnostics = open(&mut client, uri, ROUTES_TO_V4);
    let errors = with_severity(&diagnostics, 1);
    assert_eq!(errors.len(), 1, "{diagnostics:#?}");
    assert_eq!(errors[0]["range"], range_of(ROUTES_TO_V4, "v4"));
    assert_eq!(errors[0]["relatedInformation"][0]["location"]["uri"], uri);
    let (text, position) = cursor(&ROUTES_TO_V4.replace("to v4", "to |"));
    change(&mut client, uri, 2, &text);
    assert_eq!(labels(&complete(&mut client, uri, position)), ["v1", "v2"]);
    let result = client.request("textDocument/definition", at(uri, find(&text, "v2")));
    assert_eq!(result["uri"], uri);
    client.shutdown_and_exit();
}

// ------------------------------------------------------------------ examples

/// Every example of the repository, served as an editor would open it: no
/// errors, well-formed tokens, outlines and folds, the formatter's output,
/// and an answer to a hover on every word.
#[test]
fn every_example_is_served_consistently() {
    let examples = Path::new(env!("CARGO_MANIFEST_DIR")).join("../examples");
    let root = workspace("examples");
    // Each single-file example in a directory of its own; directories as they are.
    let mut files: Vec<(PathBuf, String)> = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(&examples)
        .expect("examples")
        .map(|e| e.expect("entry").path())
        .collect();
    entries.sort();
    for path in entries {
        let name = path.file_stem().expect("name").to_string_lossy().into_owned();
        let sources: Vec<PathBuf> = if path.is_dir() {
            let mut inner: Vec<PathBuf> = std::fs::read_dir(&path)
                .expect("example directory")
                .map(|e| e.expect("entry").path())
                .filter(|p| p.extension().is_some_and(|e| e == "mesh"))
                .collect();
            inner.sort();
            inner
        } else if path.extension().is_some_and(|e| e == "mesh") {
            vec![path.clone()]
        } else {
            continue;
        };
        let dir = root.join(&name);
        std::fs::create_dir_all(&dir).expect("example workspace");
        for source in sources {
            let target = dir.join(source.file_name().expect("file name"));
            std::fs::copy(&source, &target).expect("copy an example");
            files.push((target, std::fs::read_to_string(&source).expect("read an example")));
        }
    }
    assert!(files.len() >= 10, "examples found: {}", files.len());
    let mut client = Client::start();
    client.initialize(&root, &[]);
    let mut hovers = 0;
    for (path, text) in &files {
        let uri = file_uri(path);
        let diagnostics = open(&mut client, &uri, text);
        assert_eq!(
            with_severity(&diagnostics, 1),
            Vec::<Value>::new(),
            "{}",
            path.display()
        );
        let doc = json!({ "textDocument": { "uri": uri } });
        let lines: Vec<&str> = text.split('\n').collect();

        let tokens = client.request("textDocument/semanticTokens/full", doc.clone());
        let decoded = decode_tokens(&array(&tokens["data"]));
        assert!(!decoded.is_empty(), "{}", path.display());
        assert_tokens_ordered(&decoded, &path.display());
        for &(line, start, length, kind, _) in &decoded {
            let line_text = lines[line as usize].trim_end_matches('\r');
            let units: Vec<u16> = line_text.encode_utf16().collect();
            assert!(
                length > 0 && start + length <= units.len() as u64,
                "{}: {line}:{start}",
                path.display()
            );
            let token =
                String::from_utf16(&units[start as usize..(start + length) as usize]).expect("whole characters");
            if kind == 7 || kind == 8 {
                assert!(
                    token.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'),
                    "{}: a name token is {token:?}",
                    path.display()
                );
            }
            if kind == 3 {
                assert!(
                    token.starts_with("//"),
                    "{}: a comment token is {token:?}",
                    path.display()
                );
            }
        }

        let symbols = array(&client.request("textDocument/documentSymbol", doc.clone()));
        // A symbol for each service and each delegate block.
        let blocks = text
            .lines()
            .filter(|l| l.starts_with("service ") || l.starts_with("delegate "))
            .count();
        assert_eq!(symbols.len(), blocks, "{}", path.display());
        for symbol in &symbols {
            assert_eq!(symbol["kind"], 5);
            let name = symbol["name"].as_str().expect("name");
            let keyword = symbol["detail"].as_str().expect("detail");
            assert!(text.contains(&format!("{keyword} {name} {{")), "{name}");
        }

        for fold in array(&client.request("textDocument/foldingRange", doc.clone())) {
            assert!(fold["startLine"].as_u64() < fold["endLine"].as_u64(), "{fold}");
        }

        let mut params = doc.clone();
        params["options"] = json!({ "tabSize": 2, "insertSpaces": true });
        let edits = array(&client.request("textDocument/formatting", params));
        let formatted = meshc::fmt::format(text);
        if formatted == *text {
            assert_eq!(edits, Vec::<Value>::new(), "{}", path.display());
        } else {
            assert_eq!(apply(text, &edits), formatted, "{}", path.display());
        }

        // A hover on every word: an answer each time, and something to say
        // on every service and subset name.
        for (offset, _) in text.match_indices(|c: char| c.is_ascii_alphabetic()) {
            let starts_word = offset == 0 || !text.as_bytes()[offset - 1].is_ascii_alphanumeric();
            if !starts_word {
                continue;
            }
            let result = client.request("textDocument/hover", at(&uri, position_at(text, offset)));
            if !result.is_null() {
                hovers += 1;
            }
        }
        for symbol in &symbols {
            let (text, _) = hover(
                &mut client,
                &uri,
                (
                    symbol["selectionRange"]["start"]["line"].as_u64().expect("line") as u32,
                    symbol["selectionRange"]["start"]["character"]
                        .as_u64()
                        .expect("character") as u32,
                ),
            );
            let keyword = symbol["detail"].as_str().expect("detail");
            assert!(text.starts_with(&format!("**{keyword} ")), "{text}");
        }
    }
    assert!(hovers > 100, "hovers with an answer: {hovers}");
    assert_no_panic(&client);
    client.shutdown_and_exit();
}

// ------------------------------------------------------------------ lifecycle

/// LSP: "The server should exit with success code 0 if the shutdown request
/// has been received before; otherwise with error code 1."
#[test]
fn exit_without_shutdown_exits_with_status_1() {
    let (mut client, _, _) = start("exit-without-shutdown", &[], &[]);
    let status = client.exit();
    assert_eq!(status.code(), Some(1), "exit before shutdown");
}

/// `(`, `)` (and `+`, `@`, `,`...) may stand unencoded in a `file:` URI, as
/// Neovim and Helix send them; the open document is still the file of the
/// directory, not a second copy of it.
#[test]
fn a_uri_spelled_differently_names_the_same_file() {
    let root = workspace("uri-spelling");
    let dir = root.join("shop (copy)");
    std::fs::create_dir_all(&dir).expect("directory");
    std::fs::write(dir.join("shop.mesh"), SHOP).expect("write");
    std::fs::write(dir.join("web.mesh"), WEB).expect("write");
    let mut client = Client::start();
    client.initialize(&root, &[]);
    let shop = file_uri(&dir.join("shop.mesh")).replace("%28", "(").replace("%29", ")");
    assert!(shop.ends_with("/shop%20(copy)/shop.mesh"), "{shop}");
    let diagnostics = open(&mut client, &shop, SHOP);
    assert_eq!(
        with_severity(&diagnostics, 1),
        Vec::<Value>::new(),
        "shop.mesh opened as {shop} is read twice"
    );
    // Its definitions are found once, under the editor's URI.
    let mut params = at(&shop, after(SHOP, "subset "));
    params["context"] = json!({ "includeDeclaration": true });
    let references = array(&client.request("textDocument/references", params));
    assert_eq!(references.len(), 3, "{references:#?}");
    assert_eq!(references[0]["uri"], shop);
    client.shutdown_and_exit();
}

// ------------------------------------------------------------------ the client itself

#[test]
fn frames_are_read_one_at_a_time() {
    let body = r#"{"jsonrpc":"2.0","method":"x","params":{"é":1}}"#;
    let stream = format!(
        "Content-Length: {}\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n{body}content-length: 2\r\n\r\n{{}}",
        body.len()
    );
    let mut reader = std::io::BufReader::new(stream.as_bytes());
    assert_eq!(
        client::read_frame(&mut reader),
        Some(json!({ "jsonrpc": "2.0", "method": "x", "params": { "é": 1 } }))
    );
    assert_eq!(client::read_frame(&mut reader), Some(json!({})));
    assert_eq!(client::read_frame(&mut reader), None);
}

#[test]
fn helpers_count_utf16_columns_and_encode_uris() {
    let text = "a\r\n// é 𐐀 x\n";
    assert_eq!(find(text, "x"), (1, 8));
    assert_eq!(
        client::position_at_in(text, text.find('x').unwrap_or(0), client::Columns::Utf8),
        (1, 11)
    );
    assert_eq!(after(text, "a"), (0, 1));
    assert_eq!(
        file_uri(Path::new("/tmp/a b/é(1).mesh")),
        "file:///tmp/a%20b/%C3%A9%281%29.mesh"
    );
}

/// Routing tests over the protocol: a failing test is an error on the test
/// (E0704) with the route that took the request as related information,
/// a route no test reaches is a note (N0003), and fixing the route clears
/// both at the next version.
#[test]
fn failing_routing_tests_are_published_as_diagnostics() {
    const TESTED: &str = "service reviews {\n  subset v1 { version = \"v1\" }\n  subset v2 { version = \"v2\" }\n\n  route jason {\n    match header \"end-user\" exact \"jason\"\n    to v1\n  }\n  route { to v1 }\n}\n\ntest \"jason sees v2\" {\n  request \"http://reviews/\"\n  header \"end-user\" \"jason\"\n  expect to reviews/v2\n}\n";
    let (mut client, dir, _) = start("routing-tests", &[], &[("reviews.mesh", TESTED)]);
    let uri = uri_of(&dir, "reviews.mesh");
    let diagnostics = open(&mut client, &uri, TESTED);
    let errors = with_severity(&diagnostics, 1);
    assert_eq!(errors.len(), 1, "{diagnostics:#?}");
    assert_eq!(errors[0]["code"], "E0704");
    assert_eq!(errors[0]["range"]["start"]["line"], 11, "{:#?}", errors[0]);
    let related = array(&errors[0]["relatedInformation"]);
    assert!(
        related.iter().any(|r| r["location"]["range"]["start"]["line"] == 5),
        "the deciding condition of route `jason`: {related:#?}"
    );
    let unreached: Vec<_> = diagnostics.iter().filter(|d| d["code"] == "N0003").collect();
    assert_eq!(unreached.len(), 1, "the catch-all route: {diagnostics:#?}");
    assert_eq!(unreached[0]["range"]["start"]["line"], 8);

    let fixed = TESTED.replacen("    to v1\n", "    to v2\n", 1);
    let diagnostics = change(&mut client, &uri, 2, &fixed);
    assert!(diagnostics.iter().all(|d| d["code"] != "E0704"), "{diagnostics:#?}");
    assert_no_panic(&client);
    client.shutdown_and_exit();
}
