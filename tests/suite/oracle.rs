//! The schema oracle: Istio's CRD schemas (copied into `schema/`) checked
//! with a JSON-schema validator, unknown fields rejected as
//! `kubectl apply --validate=strict` would, and the CRDs' CEL rules run by
//! a CEL interpreter.

use std::sync::OnceLock;

use serde_json::{Map, Value};

use crate::support::root;

struct Kind {
    spec_schema: Value,
    validator: jsonschema::Validator,
}

fn load(file: &str) -> Kind {
    let text = std::fs::read_to_string(root().join("schema").join(file)).expect("read schema");
    let schema: Value = serde_json::from_str(&text).expect("schema is JSON");
    let mut spec_schema = schema["properties"]["spec"].clone();
    forbid_unknown_fields(&mut spec_schema);
    let validator = jsonschema::draft4::new(&spec_schema).expect("schema compiles");
    Kind { spec_schema, validator }
}

/// Adds `additionalProperties: false` to every object that lists its
/// properties, so a misspelt field is an error rather than pruned.
fn forbid_unknown_fields(schema: &mut Value) {
    if let Value::Object(map) = schema {
        if map.contains_key("properties") && !map.contains_key("additionalProperties") {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
        for value in map.values_mut() {
            forbid_unknown_fields(value);
        }
    } else if let Value::Array(items) = schema {
        items.iter_mut().for_each(forbid_unknown_fields);
    }
}

fn kinds() -> &'static (Kind, Kind) {
    static KINDS: OnceLock<(Kind, Kind)> = OnceLock::new();
    KINDS.get_or_init(|| {
        (
            load("destinationrule.v1.schema.json"),
            load("virtualservice.v1.schema.json"),
        )
    })
}

/// Every problem the oracle finds in one emitted resource.
pub fn problems(doc: &Value) -> Vec<String> {
    let (rule, service) = kinds();
    let mut out = Vec::new();
    let kind = match doc["kind"].as_str() {
        Some("DestinationRule") => rule,
        Some("VirtualService") => service,
        other => return vec![format!("unexpected kind {other:?}")],
    };
    if !doc["apiVersion"]
        .as_str()
        .is_some_and(|v| v.starts_with("networking.istio.io/"))
    {
        out.push(format!("bad apiVersion {}", doc["apiVersion"]));
    }
    let name = doc["metadata"]["name"].as_str().unwrap_or("");
    let dns_subdomain = !name.is_empty()
        && name.len() <= 253
        && name.split('.').all(|l| {
            !l.is_empty()
                && l.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
                && !l.starts_with('-')
                && !l.ends_with('-')
        });
    if !dns_subdomain {
        out.push(format!("metadata.name `{name}` is not a DNS-1123 subdomain"));
    }
    let known_keys = ["apiVersion", "kind", "metadata", "spec"];
    if let Some(map) = doc.as_object() {
        out.extend(
            map.keys()
                .filter(|k| !known_keys.contains(&k.as_str()))
                .map(|k| format!("unknown top-level key {k}")),
        );
    }
    out.extend(
        kind.validator
            .iter_errors(&doc["spec"])
            .map(|e| format!("spec{}: {e}", e.instance_path())),
    );
    check_cel(&kind.spec_schema, &doc["spec"], "spec", &mut out);
    out
}

/// Runs every `x-kubernetes-validations` rule where the instance has a value.
fn check_cel(schema: &Value, instance: &Value, path: &str, out: &mut Vec<String>) {
    if let Some(rules) = schema["x-kubernetes-validations"].as_array() {
        for rule in rules {
            let text = rule["rule"].as_str().unwrap_or("true");
            let program = cel::Program::compile(text).unwrap_or_else(|e| panic!("CEL rule `{text}` compiles: {e:?}"));
            let mut context = cel::Context::default();
            context.add_variable("self", instance.clone()).expect("bind self");
            match program.execute(&context) {
                Ok(cel::Value::Bool(true)) => {}
                result => out.push(format!("{path}: CEL rule `{text}` fails: {result:?}")),
            }
        }
    }
    match instance {
        Value::Object(map) => {
            let properties = schema["properties"].as_object();
            for (key, value) in map {
                match properties.and_then(|p| p.get(key)) {
                    Some(sub) => check_cel(sub, value, &format!("{path}.{key}"), out),
                    None if schema["additionalProperties"].is_object() => {
                        check_cel(&schema["additionalProperties"], value, &format!("{path}.{key}"), out)
                    }
                    None => {}
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                check_cel(&schema["items"], item, &format!("{path}[{i}]"), out);
            }
        }
        _ => {}
    }
}

/// The oracle rejects what it should: a typo, a wrong type, a short duration.
#[test]
fn oracle_rejects_broken_manifests() {
    let doc = |spec: Value| {
        let mut map = Map::new();
        map.insert("apiVersion".into(), "networking.istio.io/v1".into());
        map.insert("kind".into(), "DestinationRule".into());
        map.insert("metadata".into(), serde_json::json!({"name": "reviews"}));
        map.insert("spec".into(), spec);
        Value::Object(map)
    };
    assert!(problems(&doc(serde_json::json!({"host": "reviews"}))).is_empty());
    assert!(!problems(&doc(serde_json::json!({"host": "reviews", "subsetz": []}))).is_empty());
    assert!(!problems(&doc(serde_json::json!({"host": 1}))).is_empty());
    let short = serde_json::json!({"host": "r", "trafficPolicy": {"outlierDetection": {"interval": "0s"}}});
    assert!(problems(&doc(short)).iter().any(|p| p.contains("CEL")));
}
