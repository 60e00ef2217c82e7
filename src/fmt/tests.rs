//! The layout rules, one case each; every expected text is also checked
//! to be its own formatting.

use super::*;

/// Formats `input`, compares with `expected`, and checks that `expected`
/// is formatted.
fn formats(input: &str, expected: &str) {
    assert_eq!(format(input), expected, "formatting\n{input}");
    assert_eq!(format(expected), expected, "formatting the formatted\n{expected}");
}

#[test]
fn the_layout_does_not_depend_on_the_line_breaks() {
    let expected = "service a {\n  subset v1 { version = \"v1\" }\n  route { to v1 }\n}\n";
    formats("service a{subset v1{version=\"v1\"}\n route{to v1}}", expected);
    formats("service a { subset v1 { version = \"v1\" } route { to v1 } }", expected);
    formats(
        "service\na\n{\nsubset\nv1\n{\nversion\n=\n\"v1\"\n}\nroute\n{\nto\nv1\n}\n}\n",
        expected,
    );
}

#[test]
fn reindents_and_keeps_comments() {
    let input = "// head\nservice  a {\n\n\n   subset v1 {version=\"v1\"}   // trailing\n  route {\n to v1 50% , v2 50%\n  }\n\n}\n\n\n";
    let expected =
        "// head\nservice a {\n  subset v1 { version = \"v1\" } // trailing\n  route { to v1 50%, v2 50% }\n}\n";
    formats(input, expected);
}

#[test]
fn keeps_ports_and_lists_tight() {
    let input = "service a {\n  route { mirror \"httpbin.org\":8080 }\n  policy { tls.subjectAltNames = [ \"a\" , \"b\" ] }\n}\n";
    let expected =
        "service a {\n  route { mirror \"httpbin.org\":8080 }\n  policy { tls.subjectAltNames = [\"a\", \"b\"] }\n}\n";
    formats(input, expected);
}

#[test]
fn a_route_of_one_statement_stays_on_one_line_and_longer_ones_break() {
    formats(
        "service a { route { timeout 5s to v1 } route x { to v1 90%, v2 10% } }",
        "service a {\n  route {\n    timeout 5s\n    to v1\n  }\n  route x { to v1 90%, v2 10% }\n}\n",
    );
}

#[test]
fn a_statement_keyword_naming_a_destination_stays_in_its_statement() {
    formats(
        "service a { route { to match 50%, to 50% mirror timeout headers request set \"x\" \"y\" for cors } }",
        "service a {\n  route {\n    to match 50%, to 50%\n    mirror timeout\n    headers request set \"x\" \"y\" for cors\n  }\n}\n",
    );
}

#[test]
fn fields_stay_on_one_line_when_few_and_short() {
    formats(
        "service a { subset v2 { version = \"v2\", track = \"canary\" } }",
        "service a {\n  subset v2 { version = \"v2\", track = \"canary\" }\n}\n",
    );
    // Two fields of more than FIELDS_WIDTH characters, and three.
    formats(
        "service a { policy { connectionPool { tcp.maxConnections = 20 http.http2MaxRequests = 200 } } }",
        "service a {\n  policy {\n    connectionPool {\n      tcp.maxConnections = 20\n      http.http2MaxRequests = 200\n    }\n  }\n}\n",
    );
    formats(
        "service a { subset b { a = 1 b = 2 c = 3 } }",
        "service a {\n  subset b { a = 1 b = 2 c = 3 }\n}\n",
    );
    // One field, however long, while the line is narrow enough.
    formats(
        "service a {\n  policy {\n    connectionPool.http.http2MaxRequests = 500\n  }\n}\n",
        "service a {\n  policy { connectionPool.http.http2MaxRequests = 500 }\n}\n",
    );
}

#[test]
fn a_block_of_fields_holding_a_block_breaks() {
    formats(
        "service a { subset v2 { version = \"v2\" policy { tls.mode = DISABLE } } }",
        "service a {\n  subset v2 {\n    version = \"v2\"\n    policy { tls.mode = DISABLE }\n  }\n}\n",
    );
    formats(
        "service a { policy { loadBalancer { simple = ROUND_ROBIN } } }",
        "service a {\n  policy {\n    loadBalancer { simple = ROUND_ROBIN }\n  }\n}\n",
    );
}

#[test]
fn a_comma_after_the_last_item_asks_for_one_item_a_line() {
    formats(
        "service a { subset v1 { version = \"v1\", } policy { outlierDetection.interval = 5s } }",
        "service a {\n  subset v1 {\n    version = \"v1\",\n  }\n  policy { outlierDetection.interval = 5s }\n}\n",
    );
    formats(
        "service a { policy { failover = [{ from = \"a\", to = \"b\" }, { from = \"b\", to = \"a\" },] } }",
        "service a {\n  policy {\n    failover = [\n      { from = \"a\", to = \"b\" },\n      { from = \"b\", to = \"a\" },\n    ]\n  }\n}\n",
    );
}

#[test]
fn a_line_wider_than_the_width_breaks_its_blocks() {
    let long = "x".repeat(WIDTH);
    formats(
        &format!("service a {{ route {{ match uri exact \"{long}\" }} }}"),
        &format!("service a {{\n  route {{\n    match uri exact \"{long}\"\n  }}\n}}\n"),
    );
    let item = "\"abcdefghijklmnopqrstuvwxyz\"";
    let list = [item; 4].join(", ");
    formats(
        &format!("service a {{ policy {{ tls.subjectAltNames = [{list}] }} }}"),
        &format!(
            "service a {{\n  policy {{\n    tls.subjectAltNames = [\n      {}\n    ]\n  }}\n}}\n",
            [item; 4].join(",\n      ")
        ),
    );
    // Exactly WIDTH characters stay on one line.
    let fill = "y".repeat(WIDTH - "  route { match uri exact \"\" }".len());
    formats(
        &format!("service a {{ route {{ match uri exact \"{fill}\" }} }}"),
        &format!("service a {{\n  route {{ match uri exact \"{fill}\" }}\n}}\n"),
    );
}

#[test]
fn what_follows_a_block_in_its_statement_does_not_break_it() {
    let statement = "match source { app = \"web\", version = \"v2\" } and source namespace \"frontend\" and port 8080 and gateway \"mesh\"";
    formats(
        &format!("service a {{ route {{ {statement} to b }} }}"),
        &format!("service a {{\n  route {{\n    {statement}\n    to b\n  }}\n}}\n"),
    );
}

#[test]
fn blank_lines_are_kept_between_items_only() {
    formats(
        "service a {\n\n\n  subset v1 { version = \"v1\" }\n\n\n\n  route {\n\n to\n\n v1 }\n\n}\n",
        "service a {\n  subset v1 { version = \"v1\" }\n\n  route { to v1 }\n}\n",
    );
    // The items of the file are always apart, after their comments.
    formats(
        "namespace shop\nservice a {}\n// b\nservice b {}\n",
        "namespace shop\n\nservice a {}\n\n// b\nservice b {}\n",
    );
    // A blank line between a comment and the item below it stays.
    formats(
        "service a {\n  // about the subsets\n\n  subset v1 { version = \"v1\" }\n}\n",
        "service a {\n  // about the subsets\n\n  subset v1 { version = \"v1\" }\n}\n",
    );
}

#[test]
fn comments_stay_with_their_items() {
    // A comment inside a block keeps it broken; a comment on the line of
    // the brace stays there; comments before the brace stay last.
    formats(
        "service a { // the a service\n subset v1 { version = \"v1\" // why\n }\n route { to v1\n // later: v2\n }\n}",
        "service a { // the a service\n  subset v1 {\n    version = \"v1\" // why\n  }\n  route {\n    to v1\n    // later: v2\n  }\n}\n",
    );
    // A comment inside an item: the item goes on below it, one level deeper.
    formats(
        "service a { route { to v1 50%, // the old one\n v2 50% } }",
        "service a {\n  route {\n    to v1 50%, // the old one\n      v2 50%\n  }\n}\n",
    );
    formats(
        "service a { route { to v1 50%,\n // the new one\n v2 50% } }",
        "service a {\n  route {\n    to v1 50%,\n      // the new one\n      v2 50%\n  }\n}\n",
    );
    // Only comments.
    formats("// one\n\n\n// two\n", "// one\n\n// two\n");
}

#[test]
fn settings_keep_their_values_together() {
    formats(
        "service a { hosts \"a\", \"b\" gateways \"g\",\n \"mesh\" workload_selector { app = \"x\" } }",
        "service a {\n  hosts \"a\", \"b\"\n  gateways \"g\", \"mesh\"\n  workload_selector { app = \"x\" }\n}\n",
    );
    formats(
        "service a { hosts \"a\", \"b\"\n gateways \"g\" }",
        "service a {\n  hosts \"a\", \"b\"\n  gateways \"g\"\n}\n",
    );
}

#[test]
fn crlf_files_stay_crlf() {
    let input = "// é\r\nservice a {\r\n  route {\r\n to v1 } // x\r\n}\r\n";
    formats(input, "// é\r\nservice a {\r\n  route { to v1 } // x\r\n}\r\n");
    // Mixed endings: the first line's.
    formats(
        "service a {\n route { to v1 }\r\n}\r\n",
        "service a {\n  route { to v1 }\n}\n",
    );
    formats(
        "service a {\r\n route { to v1 }\n}\n",
        "service a {\r\n  route { to v1 }\r\n}\r\n",
    );
    assert_eq!(line_ending("service a {}"), "\n");
}

#[test]
fn the_byte_order_mark_and_empty_files_are_kept() {
    formats("\u{FEFF}service a {\n}", "\u{FEFF}service a {}\n");
    formats("", "");
    formats("\n\n  \n", "");
}

#[test]
fn moves_map_offsets_through_formatting() {
    let before = "service a{\n      route{to v1}}";
    let after = format(before);
    let moves = Moves::between(before, &after);
    let route = before.find("route").unwrap();
    assert_eq!(&after[moves.start(route)..moves.end(route + 5)], "route");
    // Between tokens: to the next token's start, the previous one's end.
    assert_eq!(
        &after[moves.start(route - 3)..moves.end(before.len())],
        "route { to v1 }\n}"
    );
}

#[test]
fn text_nested_deeper_than_the_parser_reads_is_left_as_it_is() {
    let deep = format!(
        "service a {{ policy {{ x = {} }} }}",
        "[".repeat(crate::syntax::MAX_NESTING)
    );
    assert_eq!(format(&deep), deep);
}

#[test]
fn a_delegate_is_laid_out_as_a_service() {
    formats(
        "namespace shop\ndelegate reviews-routes { route a { match uri prefix \"/a\" to reviews } }",
        "namespace shop\n\ndelegate reviews-routes {\n  route a {\n    match uri prefix \"/a\"\n    to reviews\n  }\n}\n",
    );
}
