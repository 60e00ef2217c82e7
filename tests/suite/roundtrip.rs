//! `meshc import` then `meshc build` gives back Istio's own manifests: every
//! file of the valid corpus (copied into `tests/data/corpus`) yields the same
//! resources with the same fields, compared after normalizing what differs
//! only in spelling.  Files that cannot round-trip are listed, with the
//! reason, in `tests/data/corpus/not-round-tripped.tsv`; the test fails when
//! the list is wrong in either direction.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use crate::support::{documents, files_with_extension, root};

/// Imports and builds one manifest file; returns the problems found.
fn round_trip(path: &std::path::Path) -> Result<(), String> {
    let text = std::fs::read_to_string(path).expect("read corpus file");
    let mut yaml = meshc::Sources::default();
    yaml.add(path.display().to_string(), text.clone());
    let imported = meshc::import::import(&yaml, &|ns| meshc::import::file_name(ns));
    // Warnings from the checker (a deprecated field, an unreachable route)
    // are fine: the program still builds the same resources.  W0005 means
    // a field was not imported.
    let problems: Vec<String> = imported
        .diagnostics
        .iter()
        .filter(|d| d.is_error() || d.code == meshc::diag::Code::W0005)
        .map(|d| format!("{}: {}", d.code.as_str(), d.message))
        .collect();
    if !problems.is_empty() {
        return Err(format!("import reports {}", problems.join("; ")));
    }
    let mut mesh = meshc::Sources::default();
    for file in &imported.files {
        if meshc::fmt::format(&file.text) != file.text {
            return Err(format!("{} is not formatted", file.name));
        }
        mesh.add(file.name.clone(), file.text.clone());
    }
    let built = match meshc::compile(&mesh, meshc::emit::ApiVersion::V1) {
        Ok((yaml, _)) => yaml,
        Err(diags) => {
            let text = diags
                .iter()
                .map(|d| format!("{}: {}", d.code.as_str(), d.message))
                .collect::<Vec<_>>();
            return Err(format!("build fails: {}", text.join("; ")));
        }
    };
    let original = resources(&documents(&text));
    let rebuilt = resources(&documents(&built));
    if original.keys().ne(rebuilt.keys()) {
        return Err(format!(
            "resources differ: {:?} became {:?}",
            original.keys().collect::<Vec<_>>(),
            rebuilt.keys().collect::<Vec<_>>()
        ));
    }
    for (key, spec) in &original {
        if rebuilt[key] != *spec {
            return Err(format!("{key:?} differs:\n  istio: {spec}\n  meshc: {}", rebuilt[key]));
        }
    }
    Ok(())
}

/// The DestinationRules and VirtualServices of a stream, by (kind,
/// namespace, name), with normalized specs.
fn resources(docs: &[Value]) -> BTreeMap<(String, String, String), Value> {
    let mut out = BTreeMap::new();
    for doc in docs {
        let kind = doc["kind"].as_str().unwrap_or("");
        if !doc["apiVersion"]
            .as_str()
            .unwrap_or("")
            .starts_with("networking.istio.io/")
            || !matches!(kind, "DestinationRule" | "VirtualService")
        {
            continue;
        }
        let ns = doc["metadata"]["namespace"].as_str().unwrap_or("").to_string();
        let name = doc["metadata"]["name"].as_str().unwrap_or("").to_string();
        let spec = normalize_spec(kind, &doc["spec"], &ns);
        let metadata = json!({ "labels": doc["metadata"]["labels"], "annotations": doc["metadata"]["annotations"] });
        out.insert(
            (kind.to_string(), ns, name),
            json!({ "metadata": numbers(&metadata), "spec": spec }),
        );
    }
    out
}

/// Fully qualifies a short Kubernetes host, as Istio does.
fn qualify(host: &Value, ns: &str) -> Value {
    match host.as_str() {
        Some(h) if !ns.is_empty() && !h.contains('.') && h != "*" => json!(format!("{h}.{ns}.svc.cluster.local")),
        _ => host.clone(),
    }
}

fn normalize_spec(kind: &str, spec: &Value, ns: &str) -> Value {
    let mut spec = numbers(spec);
    let Some(map) = spec.as_object_mut() else {
        return spec;
    };
    if kind == "DestinationRule" {
        if let Some(host) = map.get("host") {
            let host = qualify(host, ns);
            map.insert("host".into(), host);
        }
        return spec;
    }
    if let Some(Value::Array(hosts)) = map.get_mut("hosts") {
        for host in hosts.iter_mut() {
            *host = qualify(host, ns);
        }
        hosts.sort_by_key(|h| h.to_string());
    }
    for kind in ["http", "tcp", "tls"] {
        if let Some(Value::Array(routes)) = map.get_mut(kind) {
            for route in routes.iter_mut().filter_map(Value::as_object_mut) {
                normalize_route(route, ns);
            }
        }
    }
    spec
}

fn normalize_route(route: &mut Map<String, Value>, ns: &str) {
    if let Some(Value::Array(to)) = route.get_mut("route") {
        let single = to.len() == 1;
        for dest in to.iter_mut().filter_map(Value::as_object_mut) {
            if single {
                dest.remove("weight");
            }
            qualify_destination(dest.get_mut("destination"), ns);
        }
    }
    // The deprecated integer percentages are `mirrorPercentage`.
    for legacy in ["mirrorPercent", "mirror_percent"] {
        if let Some(p) = route.remove(legacy) {
            route.insert("mirrorPercentage".into(), json!({ "value": p }));
        }
    }
    // One entry of `mirrors` is `mirror` with `mirrorPercentage`.
    if let Some(Value::Array(mirrors)) = route.get("mirrors")
        && mirrors.len() == 1
        && !route.contains_key("mirror")
    {
        let only = mirrors[0].clone();
        route.remove("mirrors");
        route.insert("mirror".into(), only["destination"].clone());
        if let Some(p) = only.get("percentage") {
            route.insert("mirrorPercentage".into(), p.clone());
        }
    }
    qualify_destination(route.get_mut("mirror"), ns);
    if let Some(Value::Array(mirrors)) = route.get_mut("mirrors") {
        for mirror in mirrors.iter_mut().filter_map(Value::as_object_mut) {
            qualify_destination(mirror.get_mut("destination"), ns);
        }
    }
    // Istio injects a fault without a percentage into no request.
    if let Some(Value::Object(fault)) = route.get_mut("fault") {
        for part in ["delay", "abort"] {
            if let Some(Value::Object(f)) = fault.get_mut(part) {
                if let Some(p) = f.remove("percent") {
                    f.insert("percentage".into(), json!({ "value": p }));
                }
                f.entry("percentage").or_insert(json!({ "value": 0.0 }));
            }
        }
    }
    if let Some(Value::Array(matches)) = route.get_mut("match") {
        for m in matches.iter_mut().filter_map(Value::as_object_mut) {
            if m.get("ignoreUriCase") == Some(&json!(false)) {
                m.remove("ignoreUriCase");
            }
        }
    }
}

fn qualify_destination(dest: Option<&mut Value>, ns: &str) {
    if let Some(Value::Object(dest)) = dest
        && let Some(host) = dest.get("host")
    {
        let host = qualify(host, ns);
        dest.insert("host".into(), host);
    }
}

/// Numbers compare by value (`100` and `100.0` are the same percentage).
fn numbers(value: &Value) -> Value {
    match value {
        Value::Number(n) => json!(n.as_f64()),
        Value::Array(items) => Value::Array(items.iter().map(numbers).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), numbers(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The files that cannot round-trip, with the reason.
fn exceptions() -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(root().join("tests/data/corpus/not-round-tripped.tsv")).unwrap_or_default();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| l.split_once('\t'))
        .map(|(f, r)| (f.to_string(), r.to_string()))
        .collect()
}

#[test]
fn the_valid_corpus_round_trips() {
    let files = files_with_extension(&root().join("tests/data/corpus/valid"), "yaml");
    let manifest = std::fs::read_to_string(root().join("tests/data/corpus/MANIFEST.tsv")).expect("manifest");
    assert_eq!(
        files.len(),
        manifest.lines().skip(1).count(),
        "MANIFEST.tsv lists every file"
    );
    let exceptions = exceptions();
    let mut wrong = Vec::new();
    let mut held = 0;
    for path in &files {
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        match (round_trip(path), exceptions.get(&name)) {
            (Ok(()), None) => held += 1,
            (Ok(()), Some(_)) => wrong.push(format!("{name}: round-trips now; remove it from not-round-tripped.tsv")),
            (Err(e), None) => wrong.push(format!("{name}: {e}")),
            (Err(_), Some(_)) => {}
        }
    }
    println!(
        "round trip: {held} of {} corpus files hold, {} documented exceptions",
        files.len(),
        exceptions.len()
    );
    assert!(wrong.is_empty(), "{} files:\n{}", wrong.len(), wrong.join("\n"));
    assert_eq!(
        held + exceptions.len(),
        files.len(),
        "every exception names a corpus file"
    );
}

/// Delegates (VirtualServices without hosts) import as `delegate NAME { }`
/// blocks, the routes that name them as `delegate NAME namespace NS`, and
/// build back to Istio's own manifests: the example of Istio's API reference
/// (`tests/data/delegation/SOURCE.md`).
#[test]
fn delegation_round_trips() {
    let path = root().join("tests/data/delegation/istio-api-delegation-example.yaml");
    round_trip(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut yaml = meshc::Sources::default();
    yaml.add(
        "example.yaml",
        std::fs::read_to_string(&path).expect("read the example"),
    );
    let imported = meshc::import::import(&yaml, &|ns| meshc::import::file_name(ns));
    let text: Vec<&str> = imported.files.iter().map(|f| f.text.as_str()).collect();
    let all = text.join("\n");
    assert!(all.contains("delegate productpage {"), "{all}");
    assert!(all.contains("delegate reviews {"), "{all}");
    // Bare names: the delegates are imported, so the compiler checks them.
    assert!(all.contains("delegate productpage namespace nsa\n"), "{all}");
    assert!(all.contains("delegate reviews namespace nsb\n"), "{all}");
}
