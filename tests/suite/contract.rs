//! The design's contract examples: Bookinfo compiles to Istio's own
//! Bookinfo manifests (copied into `tests/data/istio`), and each contract
//! error is reported as the design says.

use serde_json::{Value, json};

use crate::support::{documents, root, sources_of};

fn compile_bookinfo() -> Vec<Value> {
    let (yaml, warnings) = meshc::compile(
        &sources_of(&[root().join("examples/bookinfo.mesh")]),
        meshc::emit::ApiVersion::V1,
    )
    .expect("bookinfo compiles");
    assert!(warnings.is_empty());
    documents(&yaml)
}

fn istio(file: &str) -> Vec<Value> {
    documents(&std::fs::read_to_string(root().join("tests/data/istio").join(file)).expect("read"))
}

/// Numbers compare by value (`100` and `100.0` are the same percentage).
fn normalize(value: &Value) -> Value {
    match value {
        Value::Number(n) => json!(n.as_f64()),
        Value::Array(items) => Value::Array(items.iter().map(normalize).collect()),
        Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), normalize(v))).collect()),
        other => other.clone(),
    }
}

#[test]
fn bookinfo_matches_istios_manifests() {
    let ours = compile_bookinfo();
    let kinds: Vec<(&str, &str)> = ours
        .iter()
        .map(|d| (d["kind"].as_str().unwrap(), d["metadata"]["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("DestinationRule", "productpage"),
            ("DestinationRule", "reviews"),
            ("DestinationRule", "ratings"),
            ("DestinationRule", "details"),
            ("VirtualService", "productpage"),
            ("VirtualService", "reviews"),
            ("VirtualService", "ratings"),
            ("VirtualService", "details"),
        ]
    );
    // destination-rule-all.yaml, document for document.
    let rules = istio("bookinfo__destination-rule-all.yaml");
    assert_eq!(rules.len(), 4);
    for (expected, actual) in rules.iter().zip(&ours) {
        assert_eq!(normalize(expected), normalize(actual));
    }
    // The jason route of virtual-service-reviews-jason-v2-v3.yaml, named
    // `jason`, with the 50/50 split as the default route.
    let mut reviews = istio("bookinfo__virtual-service-reviews-jason-v2-v3.yaml").remove(0);
    reviews["spec"]["http"][0]["name"] = json!("jason");
    reviews["spec"]["http"][1]["route"] = json!([
        {"destination": {"host": "reviews", "subset": "v1"}, "weight": 50},
        {"destination": {"host": "reviews", "subset": "v3"}, "weight": 50},
    ]);
    assert_eq!(normalize(&reviews), normalize(&ours[5]));
    let ratings = istio("bookinfo__virtual-service-ratings-test-delay.yaml").remove(0);
    assert_eq!(normalize(&ratings), normalize(&ours[6]));
}

/// Checks `body` inside a service with subsets v1..v3 (and a `ratings`
/// service with v1) and returns the diagnostics.
fn diagnose(body: &str) -> Vec<meshc::Diagnostic> {
    let text = format!(
        "service reviews {{\n  subset v1 {{ version = \"v1\" }}\n  subset v2 {{ version = \"v2\" }}\n  subset v3 {{ version = \"v3\" }}\n{body}\n}}\n\nservice ratings {{\n  subset v1 {{ version = \"v1\" }}\n}}\n"
    );
    let mut sources = meshc::Sources::default();
    sources.add("contract.mesh", text);
    let analysis = meshc::analyze(&sources);
    assert!(meshc::compile(&sources, meshc::emit::ApiVersion::V1).is_err());
    analysis.diagnostics
}

fn only_error(body: &str) -> meshc::Diagnostic {
    let mut diagnostics = diagnose(body);
    assert_eq!(diagnostics.len(), 1, "{body}: {diagnostics:#?}");
    diagnostics.remove(0)
}

#[test]
fn contract_errors_are_reported_as_designed() {
    let weights = only_error("  route { to v1 60%, v3 30% }");
    assert_eq!(weights.code.as_str(), "E0401");
    assert!(weights.message.contains("90%") && weights.help.is_some());

    let subset = only_error("  route { to v4 }");
    assert_eq!(subset.code.as_str(), "E0201");
    assert!(subset.notes.iter().any(|n| n.contains("`v1`, `v2`, `v3`")));
    assert!(subset.primary.message.contains("`v1`"));

    let other = only_error("  route { to ratings/v9 }");
    assert_eq!(other.code.as_str(), "E0201");
    assert!(other.notes.iter().any(|n| n.contains("`v1`")) && other.message.contains("ratings"));

    let duplicate = only_error("  subset v1 { version = \"v1b\" }\n  route { to v1 }");
    assert_eq!(duplicate.code.as_str(), "E0204");
    assert_eq!(duplicate.secondary.len(), 1);

    let timeout = only_error("  route {\n    timeout 10\n    to v1\n  }");
    assert_eq!(timeout.code.as_str(), "E0301");
    assert!(timeout.message.contains("duration"));

    let simple = only_error("  policy { loadBalancer.simple = ROUND_ROBIM }");
    assert_eq!(simple.code.as_str(), "E0302");
    assert!(simple.primary.message.contains("ROUND_ROBIN") && simple.notes.iter().any(|n| n.contains("LEAST_REQUEST")));

    let field = only_error("  policy { connectionPool.tcp.maxConnection = 1 }");
    assert_eq!(field.code.as_str(), "E0207");
    assert!(field.primary.message.contains("maxConnections"));

    let syntax = only_error("  route { to v1 50%, v2 50% }}");
    assert_eq!(syntax.code.as_str(), "E0102");
}

#[test]
fn a_stray_brace_does_not_hide_later_errors() {
    let text = "service a {\n  subset v1 { version = \"v1\" }\n  route { to v1 }}\n}\n\nservice b {\n  subset v1 { version = \"v1\" }\n  route { to v2 }\n}\n";
    let mut sources = meshc::Sources::default();
    sources.add("two.mesh", text);
    let codes: Vec<&str> = meshc::analyze(&sources)
        .diagnostics
        .iter()
        .map(|d| d.code.as_str())
        .collect();
    assert_eq!(codes, ["E0102", "E0201"]);
}
