//! The traffic policy that applies to a subset on a port, merged the way
//! Istio builds the cluster:
//!
//! - `pilot/pkg/networking/util/util.go`, `MergeSubsetTrafficPolicy`: the
//!   DestinationRule's policy, replaced by its `portLevelSettings` entry
//!   for the port when there is one (`GetPortLevelTrafficPolicy`: port
//!   settings "do not inherit", fields they omit fall back to defaults);
//!   then the subset's policy (again replaced by its own port entry).
//! - `pilot/pkg/model/destination_rule.go`, `MergeTrafficPolicy`: each of
//!   `connectionPool`, `outlierDetection`, `loadBalancer` and `tls` that the
//!   subset sets replaces the rule's (and all four are replaced, set or
//!   not, when the subset's policy came from a port entry); `tunnel`,
//!   `proxyProtocol` and `retryBudget` are replaced when the subset sets them.

use crate::model::istio::Node;

/// The fields a port entry carries (`shadowCopyPortTrafficPolicy`).
const PORT_FIELDS: [&str; 4] = ["connectionPool", "loadBalancer", "outlierDetection", "tls"];

/// The fields `MergeTrafficPolicy` replaces wholesale under a port entry.
const REPLACED_BY_PORT: [&str; 4] = ["connectionPool", "outlierDetection", "loadBalancer", "tls"];

/// The fields `MergeTrafficPolicy` replaces only when the subset sets them.
const REPLACED_IF_SET: [&str; 3] = ["tunnel", "proxyProtocol", "retryBudget"];

/// The policy for `port` of a DestinationRule whose policy is `rule` and
/// whose subset's policy is `subset`; `None` when neither sets anything.
pub fn effective(rule: Option<&Node>, subset: Option<&Node>, port: Option<u32>) -> Option<Node> {
    let (rule, _) = for_port(rule, port);
    let Some(subset) = subset else {
        return rule;
    };
    let (subset, has_port_level) = for_port(Some(subset), port);
    let Some(subset) = subset else {
        return rule;
    };
    let Some(rule) = rule else {
        return Some(subset);
    };
    let mut merged = entries(&rule);
    merged.retain(|(k, _)| k != "portLevelSettings");
    let sub = entries(&subset);
    for field in REPLACED_BY_PORT {
        let value = get(&sub, field);
        if value.is_some() || has_port_level {
            set(&mut merged, field, value.cloned());
        }
    }
    for field in REPLACED_IF_SET {
        if let Some(value) = get(&sub, field) {
            set(&mut merged, field, Some(value.clone()));
        }
    }
    (!merged.is_empty()).then_some(Node::Object(merged))
}

/// `GetPortLevelTrafficPolicy`: the port entry of `policy` for `port` as a
/// policy of its own, and whether there was one; otherwise `policy`.
fn for_port(policy: Option<&Node>, port: Option<u32>) -> (Option<Node>, bool) {
    let Some(policy) = policy else {
        return (None, false);
    };
    let fields = entries(policy);
    let entry = port.and_then(|port| {
        let Some(Node::List(settings)) = get(&fields, "portLevelSettings") else {
            return None;
        };
        settings.iter().find(|s| {
            let number = get(&entries(s), "port").and_then(|p| get(&entries(p), "number").cloned());
            matches!(number, Some(Node::Int(n)) if i64::from(port) == n)
        })
    });
    match entry {
        Some(entry) => {
            let own = entries(entry);
            let picked: Vec<(String, Node)> = PORT_FIELDS
                .iter()
                .filter_map(|f| get(&own, f).map(|v| ((*f).to_string(), v.clone())))
                .collect();
            (Some(Node::Object(picked)), true)
        }
        None => {
            let mut own = fields;
            own.retain(|(k, _)| k != "portLevelSettings");
            ((!own.is_empty()).then_some(Node::Object(own)), false)
        }
    }
}

fn entries(node: &Node) -> Vec<(String, Node)> {
    match node {
        Node::Object(entries) => entries.clone(),
        _ => Vec::new(),
    }
}

fn get<'a>(entries: &'a [(String, Node)], key: &str) -> Option<&'a Node> {
    entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}

fn set(entries: &mut Vec<(String, Node)>, key: &str, value: Option<Node>) {
    let at = entries.iter().position(|(k, _)| k == key);
    match (at, value) {
        (Some(i), Some(v)) => {
            if let Some(slot) = entries.get_mut(i) {
                slot.1 = v;
            }
        }
        (Some(i), None) => {
            entries.remove(i);
        }
        (None, Some(v)) => entries.push((key.to_string(), v)),
        (None, None) => {}
    }
}

/// Whether a policy balances by consistent hashing (then Istio's default
/// retries do not avoid previous hosts: `retry.go`).
pub fn consistent_hash(policy: Option<&Node>) -> bool {
    policy
        .map(entries)
        .and_then(|e| get(&e, "loadBalancer").map(entries))
        .is_some_and(|lb| get(&lb, "consistentHash").is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(entries: &[(&str, Node)]) -> Node {
        Node::Object(entries.iter().map(|(k, v)| ((*k).to_string(), v.clone())).collect())
    }
    fn lb(name: &str) -> Node {
        obj(&[("simple", Node::Str(name.into()))])
    }
    fn port_entry(port: i64, fields: &[(&str, Node)]) -> Node {
        let mut all = vec![("port", obj(&[("number", Node::Int(port))]))];
        all.extend(fields.iter().cloned());
        obj(&all)
    }

    /// `MergeTrafficPolicy`: the subset's fields replace the rule's, the
    /// others are kept.
    #[test]
    fn subset_fields_replace_the_rules() {
        let rule = obj(&[
            ("loadBalancer", lb("ROUND_ROBIN")),
            ("tls", obj(&[("mode", Node::Str("ISTIO_MUTUAL".into()))])),
        ]);
        let subset = obj(&[("loadBalancer", lb("RANDOM"))]);
        let merged = effective(Some(&rule), Some(&subset), Some(9080)).unwrap();
        assert_eq!(
            merged,
            obj(&[
                ("loadBalancer", lb("RANDOM")),
                ("tls", obj(&[("mode", Node::Str("ISTIO_MUTUAL".into()))])),
            ])
        );
        assert_eq!(effective(None, None, None), None);
        assert_eq!(effective(Some(&rule), None, None), Some(rule.clone()));
    }

    /// `GetPortLevelTrafficPolicy`: a port entry replaces the rule's policy
    /// (no inheritance); other ports keep the rule's.
    #[test]
    fn port_level_settings_replace_without_inheriting() {
        let rule = obj(&[
            ("loadBalancer", lb("ROUND_ROBIN")),
            ("outlierDetection", obj(&[("consecutive5xxErrors", Node::Int(5))])),
            (
                "portLevelSettings",
                Node::List(vec![port_entry(9080, &[("loadBalancer", lb("LEAST_REQUEST"))])]),
            ),
        ]);
        assert_eq!(
            effective(Some(&rule), None, Some(9080)),
            Some(obj(&[("loadBalancer", lb("LEAST_REQUEST"))]))
        );
        let other = effective(Some(&rule), None, Some(80)).unwrap();
        assert_eq!(
            other,
            obj(&[
                ("loadBalancer", lb("ROUND_ROBIN")),
                ("outlierDetection", obj(&[("consecutive5xxErrors", Node::Int(5))])),
            ])
        );
    }

    /// `MergeTrafficPolicy` with `hasPortLevel`: a subset's port entry
    /// replaces all four port fields, set or not.
    #[test]
    fn a_subset_port_entry_replaces_all_four_fields() {
        let rule = obj(&[
            ("loadBalancer", lb("ROUND_ROBIN")),
            ("tls", obj(&[("mode", Node::Str("ISTIO_MUTUAL".into()))])),
        ]);
        let subset = obj(&[(
            "portLevelSettings",
            Node::List(vec![port_entry(9080, &[("loadBalancer", lb("RANDOM"))])]),
        )]);
        assert_eq!(
            effective(Some(&rule), Some(&subset), Some(9080)),
            Some(obj(&[("loadBalancer", lb("RANDOM"))]))
        );
        assert!(consistent_hash(Some(&obj(&[(
            "loadBalancer",
            obj(&[("consistentHash", obj(&[]))])
        )]))));
    }
}
