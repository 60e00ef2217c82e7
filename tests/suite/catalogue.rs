//! The field catalogue covers the schemas completely: every field path of
//! both CRD schemas has a doc row, and every doc row names a real field.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::root;

fn schema_paths(kind: &str, schema: &Value, prefix: &str, out: &mut BTreeSet<(String, String)>) {
    let Some(properties) = schema["properties"].as_object() else {
        return;
    };
    for (name, sub) in properties {
        let path = if prefix.is_empty() {
            name.clone()
        } else {
            format!("{prefix}.{name}")
        };
        out.insert((kind.to_string(), path.clone()));
        let mut target = sub;
        let mut item_path = path.clone();
        while target["type"] == "array" {
            target = &target["items"];
            item_path.push_str("[]");
        }
        if target["properties"].is_object() {
            schema_paths(kind, target, &item_path, out);
        } else if target["additionalProperties"]["properties"].is_object() {
            schema_paths(kind, &target["additionalProperties"], &format!("{item_path}.{{}}"), out);
        }
    }
}

/// Every (kind, field path) of both copied schemas.
pub fn all_schema_paths() -> BTreeSet<(String, String)> {
    let mut paths = BTreeSet::new();
    for (kind, file) in [
        ("DestinationRule", "destinationrule"),
        ("VirtualService", "virtualservice"),
    ] {
        let text = std::fs::read_to_string(root().join(format!("schema/{file}.v1.schema.json"))).unwrap();
        let schema: Value = serde_json::from_str(&text).unwrap();
        schema_paths(kind, &schema["properties"]["spec"], "", &mut paths);
    }
    paths
}

#[test]
fn docs_cover_every_schema_field() {
    let expected = all_schema_paths();
    let docs = std::fs::read_to_string(root().join("schema/field-docs.tsv")).unwrap();
    let mut documented = BTreeSet::new();
    for line in docs.lines().skip(1) {
        let cols: Vec<&str> = line.split('\t').collect();
        assert_eq!(cols.len(), 4, "bad row: {line}");
        assert!(!cols[2].is_empty() && cols[3].contains("/#"), "bad row: {line}");
        documented.insert((cols[0].to_string(), cols[1].to_string()));
    }
    let missing: Vec<_> = expected.difference(&documented).collect();
    let extra: Vec<_> = documented.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "missing docs: {missing:?}\nrows for no field: {extra:?}"
    );
    assert!(expected.len() > 500);
}
