//! End-to-end tests of how `meshc-lsp` keeps up with an editor, over stdio
//! with the real binary: malformed messages are answered and the server
//! goes on; edits sent faster than they can be analysed end with the
//! diagnostics of the final text; a keystroke republishes only the
//! diagnostics that changed; files changed, created and deleted on disk
//! (reported by file watching) update diagnostics; quick fixes keep a
//! file's CRLF line endings.
//!
//! No test measures time (that is `cargo bench -p meshc-lsp`).

#[path = "support/client.rs"]
mod client;

use std::collections::BTreeMap;

use client::{Client, Workspace, at, file_uri, find, position_at, range, range_of, workspace};
use serde_json::{Value, json};

/// Starts a server on a fresh workspace holding `files`.
fn start(name: &str, files: &[(&str, &str)], workspace_capabilities: Value) -> (Client, Workspace) {
    let dir = workspace(name);
    for (file, text) in files {
        std::fs::write(dir.join(file), text).expect("write a fixture");
    }
    let mut client = Client::start();
    client.initialize_with(&dir, &[], workspace_capabilities);
    (client, dir)
}

fn codes(published: &Value) -> Vec<String> {
    published["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .filter(|d| d["severity"] == 1)
        .map(|d| d["code"].as_str().expect("code").to_string())
        .collect()
}

/// The publications received so far, by URI, in order.
fn publications(client: &mut Client, uri_prefix: &str, count: usize) -> Vec<Value> {
    (0..count)
        .map(|_| {
            client.wait_for_notification(
                "textDocument/publishDiagnostics",
                |p| p["uri"].as_str().is_some_and(|u| u.starts_with(uri_prefix)),
                client.timeout,
            )
        })
        .collect()
}

const CART: &str = "\
service cart {
  subset v1 { version = \"v1\" }
  subset v2 { version = \"v2\" }
  route { to v1 }
}
";

// ------------------------------------------------------------------ robustness

/// JSON-RPC 2.0: text that is not JSON gets a parse error (-32700), JSON
/// that is not a message an invalid request error (-32600), with id null;
/// the server then answers the next request as if nothing happened.
#[test]
fn malformed_messages_are_answered_and_the_server_keeps_serving() {
    let (mut client, dir) = start("malformed", &[("cart.mesh", CART)], json!({}));
    let uri = file_uri(&dir.join("cart.mesh"));
    client.open(&uri, CART);
    client.diagnostics(&uri, Some(1));

    client.send_raw(b"Content-Length: 9\r\n\r\n{\"bad\":1}");
    let error = client.response_without_id();
    assert_eq!(error["error"]["code"], -32600, "{error}");

    client.send_raw(b"{{{{{");
    let error = client.response_without_id();
    assert_eq!(error["error"]["code"], -32700, "{error}");

    // A framed body that is not JSON, and garbage just before a message.
    client.send_raw(b"Content-Length: 5\r\n\r\n{{{{{");
    let error = client.response_without_id();
    assert_eq!(error["error"]["code"], -32700, "{error}");
    client.send_raw(b"}}}garbage");
    client.change(&uri, 2, &CART.replace("to v1", "to v2"));
    client.diagnostics(&uri, Some(2));
    let error = client.response_without_id();
    assert_eq!(error["error"]["code"], -32700, "{error}");

    let hover = client.request("textDocument/hover", at(&uri, find(CART, "v1 {")));
    assert!(
        hover["contents"]["value"].as_str().is_some_and(|v| v.contains("v1")),
        "{hover}"
    );
    assert!(client.is_alive());
    client.shutdown_and_exit();
}

// ------------------------------------------------------------------ edits

/// Typing faster than the server analyses: each keystroke an incremental
/// change, sent without waiting.  The diagnostics of the final text
/// arrive, versions are published in order, and no position is lost.
#[test]
fn rapid_edits_publish_the_final_version() {
    let mut text = String::new();
    for i in 0..400 {
        text.push_str(&format!(
            "service s{i} {{\n  subset v1 {{ version = \"v1\" }}\n  route {{\n    to v1\n  }}\n}}\n"
        ));
    }
    let (mut client, dir) = start("rapid", &[], json!({}));
    let uri = file_uri(&dir.join("big.mesh"));
    client.open(&uri, &text);
    assert_eq!(codes(&client.diagnostics(&uri, Some(1))), Vec::<String>::new());

    // Type `to v9` into the route of a service in the middle, character
    // by character, after removing `to v1` with one change.
    let s200 = text.find("service s200 ").expect("s200");
    let start = position_at(&text, s200 + text[s200..].find("to v1").expect("a route"));
    client.change_range(&uri, 2, range(start, (start.0, start.1 + 5)), "");
    let typed = "to v9";
    for (i, c) in typed.chars().enumerate() {
        let at = (start.0, start.1 + i as u32);
        client.change_range(&uri, 3 + i as i64, range(at, at), &c.to_string());
    }
    let last = 2 + typed.len() as i64;
    let mut final_text = text.clone();
    let at_route = s200 + text[s200..].find("to v1").expect("a route");
    final_text.replace_range(at_route..at_route + 5, typed);
    let published = client.diagnostics(&uri, Some(last));
    assert_eq!(codes(&published), ["E0201"], "{published}");
    assert_eq!(published["diagnostics"][0]["range"], range_of(&final_text, "v9"));
    // Completion and hover on the final text.
    let after_to = (start.0, start.1 + 3);
    let items = client.request("textDocument/completion", at(&uri, after_to));
    let labels: Vec<&str> = items["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|i| i["label"].as_str())
        .collect();
    assert!(labels.contains(&"v1"), "{labels:?}");
    let hover = client.request("textDocument/hover", at(&uri, find(&final_text, "s200")));
    assert!(
        hover["contents"]["value"].as_str().is_some_and(|v| v.contains("s200")),
        "{hover}"
    );
    client.shutdown_and_exit();
}

/// Versions published for one document only ever grow, and the last one
/// is the final text's.
#[test]
fn versions_are_published_in_order() {
    let (mut client, dir) = start("in-order", &[], json!({}));
    let uri = file_uri(&dir.join("cart.mesh"));
    client.open(&uri, CART);
    for version in 2..=30 {
        let text = if version % 2 == 0 {
            CART.replace("to v1", "to v9")
        } else {
            CART.to_string()
        };
        client.change(&uri, version, &text);
    }
    assert_eq!(codes(&client.diagnostics(&uri, Some(30))), ["E0201"]);
    // Everything published before version 30 is pending, in order.
    let mut versions = Vec::new();
    while let Some(p) = client.take_notification("textDocument/publishDiagnostics") {
        versions.push(p["version"].as_i64().expect("a version"));
    }
    versions.push(30);
    assert!(versions.windows(2).all(|w| w[0] < w[1]), "{versions:?}");
    client.shutdown_and_exit();
}

/// In a directory of 500 files, a keystroke that changes no other file's
/// diagnostics publishes for the edited file only; one that breaks routes
/// in five other files publishes for those five and the edited file.
#[test]
fn only_changed_diagnostics_are_republished() {
    let mut files: BTreeMap<String, String> = BTreeMap::new();
    for i in 0..500 {
        // The first five route to the target's v2.
        let to = if i < 5 { "target/v2" } else { "v1" };
        files.insert(
            format!("f{i:03}.mesh"),
            format!("service s{i} {{\n  subset v1 {{ version = \"v1\" }}\n  route {{ to {to} }}\n}}\n"),
        );
    }
    // Last by path, so its publication follows every other of an analysis.
    let target =
        "service target {\n  subset v1 { version = \"v1\" }\n  subset v2 { version = \"v2\" }\n  route { to v1 }\n}\n";
    files.insert("zz.mesh".into(), target.into());
    let fixtures: Vec<(&str, &str)> = files.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let (mut client, dir) = start("republish", &fixtures, json!({}));
    client.timeout = std::time::Duration::from_secs(60);
    let uri = file_uri(&dir.join("zz.mesh"));
    let prefix = file_uri(&dir);
    client.open(&uri, target);
    let first = publications(&mut client, &prefix, 501);
    let mut uris: Vec<&str> = first.iter().filter_map(|p| p["uri"].as_str()).collect();
    uris.sort();
    uris.dedup();
    assert_eq!(uris.len(), 501, "every file is published once at first");

    // A keystroke that changes no diagnostics elsewhere.
    client.clear_notifications();
    let typed = target.replace("route { to v1 }", "route { to v1  }");
    client.change(&uri, 2, &typed);
    client.diagnostics(&uri, Some(2));
    let others = pending_publications(&mut client);
    assert_eq!(others, Vec::<String>::new(), "no other file is published again");

    // Removing v2 breaks the five files that route to it.
    let without_v2 = typed.replace("  subset v2 { version = \"v2\" }\n", "");
    client.change(&uri, 3, &without_v2);
    client.diagnostics(&uri, Some(3));
    let others = pending_publications(&mut client);
    let expected: Vec<String> = (0..5).map(|i| file_uri(&dir.join(format!("f{i:03}.mesh")))).collect();
    assert_eq!(others, expected);
    client.shutdown_and_exit();
}

/// The URIs of the publications received and not consumed yet.
fn pending_publications(client: &mut Client) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(p) = client.take_notification("textDocument/publishDiagnostics") {
        out.push(p["uri"].as_str().expect("uri").to_string());
    }
    out
}

// ------------------------------------------------------------------ watching

/// With a client that can watch files, the server registers for
/// `**/*.mesh`; files created, changed and deleted on disk update the
/// diagnostics of the open program, and a deleted file's are cleared.
#[test]
fn watched_files_update_diagnostics() {
    let web = "service web {\n  route { to cart/v1 }\n}\n";
    let (mut client, dir) = start(
        "watched",
        &[("cart.mesh", CART), ("web.mesh", web)],
        json!({ "didChangeWatchedFiles": { "dynamicRegistration": true } }),
    );
    let cart = file_uri(&dir.join("cart.mesh"));
    let web_uri = file_uri(&dir.join("web.mesh"));
    client.open(&cart, CART);
    client.diagnostics(&cart, Some(1));
    assert_eq!(codes(&client.diagnostics(&web_uri, None)), Vec::<String>::new());
    let registration = client
        .server_requests
        .iter()
        .find(|r| r["method"] == "client/registerCapability")
        .expect("a registration");
    let registration = &registration["params"]["registrations"][0];
    assert_eq!(registration["method"], "workspace/didChangeWatchedFiles");
    assert_eq!(
        registration["registerOptions"]["watchers"][0]["globPattern"],
        "**/*.mesh"
    );

    let changed = |client: &mut Client, file: &str, kind: u8| {
        client.notify(
            "workspace/didChangeWatchedFiles",
            json!({ "changes": [{ "uri": file_uri(&dir.join(file)), "type": kind }] }),
        );
    };
    // Changed on disk: web routes to a subset cart lacks.
    std::fs::write(dir.join("web.mesh"), web.replace("cart/v1", "cart/v7")).expect("write");
    changed(&mut client, "web.mesh", 2);
    assert_eq!(codes(&client.diagnostics(&web_uri, None)), ["E0201"]);
    // Created: another file with an error.
    let extra = file_uri(&dir.join("extra.mesh"));
    std::fs::write(dir.join("extra.mesh"), "service extra {\n  route { to nowhere }\n}\n").expect("write");
    changed(&mut client, "extra.mesh", 1);
    assert_eq!(codes(&client.diagnostics(&extra, None)), ["E0202"]);
    // Deleted: its diagnostics are cleared.
    std::fs::remove_file(dir.join("extra.mesh")).expect("remove");
    changed(&mut client, "extra.mesh", 3);
    assert_eq!(client.diagnostics(&extra, None)["diagnostics"], json!([]));
    // A deleted file that others needed: their diagnostics follow.
    std::fs::write(dir.join("web.mesh"), web).expect("write");
    changed(&mut client, "web.mesh", 2);
    assert_eq!(codes(&client.diagnostics(&web_uri, None)), Vec::<String>::new());
    client.shutdown_and_exit();
}

/// A client that cannot register for file watching is not asked to.
#[test]
fn no_registration_without_dynamic_registration() {
    let (mut client, dir) = start("not-watched", &[("cart.mesh", CART)], json!({}));
    let cart = file_uri(&dir.join("cart.mesh"));
    client.open(&cart, CART);
    client.diagnostics(&cart, Some(1));
    assert!(client.server_requests.is_empty(), "{:?}", client.server_requests);
    client.shutdown_and_exit();
}

// ------------------------------------------------------------------ line endings

/// A quick fix inserted into a CRLF file breaks its lines with CRLF.
#[test]
fn quick_fixes_keep_crlf_line_endings() {
    let text = "service reviews {\r\n  subset v1 { version = \"v1\" }\r\n  route {\r\n    to v4\r\n  }\r\n}\r\n";
    let (mut client, dir) = start("crlf-fix", &[], json!({}));
    let uri = file_uri(&dir.join("reviews.mesh"));
    client.open(&uri, text);
    let published = client.diagnostics(&uri, Some(1));
    let error = published["diagnostics"]
        .as_array()
        .expect("diagnostics")
        .iter()
        .find(|d| d["code"] == "E0201")
        .expect("E0201")
        .clone();
    let actions = client.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": error["range"],
            "context": { "diagnostics": [error] }
        }),
    );
    let new_texts: Vec<&str> = actions
        .as_array()
        .expect("actions")
        .iter()
        .flat_map(|a| a["edit"]["changes"][&uri].as_array().expect("edits"))
        .filter_map(|e| e["newText"].as_str())
        .collect();
    let multi_line: Vec<&&str> = new_texts.iter().filter(|t| t.contains('\n')).collect();
    assert!(!multi_line.is_empty(), "a fix that adds a line: {new_texts:?}");
    for text in multi_line {
        assert_eq!(text.matches('\n').count(), text.matches("\r\n").count(), "{text:?}");
    }
    client.shutdown_and_exit();
}
