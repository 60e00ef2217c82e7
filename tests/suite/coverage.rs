//! `docs/istio-fields.md` maps every leaf field of Istio's schemas to its
//! `.mesh` spelling: the table must list exactly the leaves of the copied
//! schemas, so coverage cannot silently regress when the schemas change.

use std::collections::BTreeSet;

use crate::catalogue::all_schema_paths;
use crate::support::root;

#[test]
fn the_field_table_covers_every_leaf_of_the_schemas() {
    let all = all_schema_paths();
    let leaves: BTreeSet<(String, String)> = all
        .iter()
        .filter(|(kind, path)| {
            !all.iter().any(|(k, other)| {
                k == kind && (other.starts_with(&format!("{path}.")) || other.starts_with(&format!("{path}[].")))
            })
        })
        .cloned()
        .collect();

    let table = std::fs::read_to_string(root().join("docs/istio-fields.md")).unwrap();
    let mut listed = BTreeSet::new();
    let mut kind = "";
    for line in table.lines() {
        if let Some(heading) = line.strip_prefix("## ") {
            kind = if heading.contains("DestinationRule") {
                "DestinationRule"
            } else {
                "VirtualService"
            };
        }
        let mut cells = line.split(" | ");
        if let (Some(first), Some(spelling)) = (cells.next(), cells.next())
            && let Some(path) = first.strip_prefix("| `").and_then(|p| p.strip_suffix('`'))
        {
            assert!(!spelling.trim().is_empty(), "no spelling for {path}");
            assert!(
                listed.insert((kind.to_string(), path.to_string())),
                "{path} is listed twice"
            );
        }
    }
    let missing: Vec<_> = leaves.difference(&listed).collect();
    let unknown: Vec<_> = listed.difference(&leaves).collect();
    assert!(
        missing.is_empty(),
        "fields without a .mesh spelling in docs/istio-fields.md: {missing:?}"
    );
    assert!(
        unknown.is_empty(),
        "rows for fields the schemas do not have: {unknown:?}"
    );
    assert!(leaves.len() > 380, "{} leaves", leaves.len());
}
