//! Literals: YAML scalars and small values spelled as `.mesh` text
//! (quoted or bare, durations, percentages, inline objects).

use super::plan::is_identifier;
use super::yaml::{Node, Value};
use crate::catalogue::{Field, FieldType};
use crate::words::Takes;

/// `exact "v"`, `prefix "v"` or `regex "v"`.
pub(super) fn string_match(node: &Node) -> Option<String> {
    match node.entries() {
        [(op, value)] => {
            let op = op.text()?;
            matches!(op, "exact" | "prefix" | "regex").then(|| format!("{op} {}", quote(value.text().unwrap_or(""))))
        }
        _ => None,
    }
}

/// `{ KEY = "VALUE" ... }` on one line.
pub(super) fn inline_labels(labels: &Node) -> String {
    let items: Vec<String> = labels
        .entries()
        .iter()
        .map(|(k, v)| {
            format!(
                "{} = {}",
                key_text(k.text().unwrap_or("")),
                quote(v.text().unwrap_or(""))
            )
        })
        .collect();
    if items.is_empty() {
        "{ }".to_string()
    } else {
        format!("{{ {} }}", items.join(" "))
    }
}

/// A value written inline: a scalar, `[...]` or `{ ... }`.
pub(super) fn inline(node: &Node, field: Option<&Field>) -> String {
    match &node.value {
        Value::Scalar { text, plain } => scalar(text, *plain, field.map(|f| &f.ty)),
        Value::Seq(items) => {
            let item = field.and_then(|f| f.item.as_deref());
            let parts: Vec<String> = items.iter().map(|i| inline(i, item)).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Map(entries) => {
            let map_item = field.filter(|f| f.ty == FieldType::Map).and_then(|f| f.item.as_deref());
            let parts: Vec<String> = entries
                .iter()
                .map(|(k, v)| {
                    let name = k.text().unwrap_or("");
                    let child = map_item.or_else(|| field.and_then(|f| f.child(name)));
                    match &v.value {
                        Value::Map(_) => format!("{} {}", key_text(name), inline(v, child)),
                        _ => format!("{} = {}", key_text(name), inline(v, child)),
                    }
                })
                .collect();
            if parts.is_empty() {
                "{ }".to_string()
            } else {
                format!("{{ {} }}", parts.join(" "))
            }
        }
    }
}

/// A scalar written for a field of type `ty` (unknown fields keep numbers
/// and booleans bare and quote the rest).
fn scalar(text: &str, plain: bool, ty: Option<&FieldType>) -> String {
    let number = is_number(text);
    let boolean = text == "true" || text == "false";
    match ty {
        Some(FieldType::String | FieldType::Bytes) => quote(text),
        Some(FieldType::Duration { .. }) => duration(text),
        Some(FieldType::Enum(_)) if is_identifier(text) => text.to_string(),
        Some(FieldType::Integer { .. } | FieldType::Number { .. }) if number => text.to_string(),
        Some(FieldType::Bool) if boolean => text.to_string(),
        None if plain && (number || boolean) => text.to_string(),
        _ => quote(text),
    }
}

/// How a value an option takes is spelt in `.mesh`.
pub(super) fn spell(takes: Takes, text: &str) -> String {
    match takes {
        Takes::Duration => duration(text),
        Takes::Number | Takes::Bool | Takes::Constant => bare(text),
        _ => quote(text),
    }
}

/// A number, boolean or enum constant written bare; anything else quoted,
/// so that it still reads as a value and the checker reports it.
pub(super) fn bare(text: &str) -> String {
    let keyword = crate::words::is_reserved(text);
    if is_number(text) || (is_identifier(text) && !keyword) {
        text.to_string()
    } else {
        quote(text)
    }
}

/// `P%`, or the text quoted when it is not a number.
pub(super) fn percent(text: &str) -> String {
    if is_number(text) {
        format!("{text}%")
    } else {
        quote(text)
    }
}

/// A duration bare when it reads as one, quoted otherwise (and then
/// reported by the checker).
pub(super) fn duration(text: &str) -> String {
    let units = ["ms", "us", "µs", "ns", "h", "m", "s"];
    let mut rest = text;
    let mut ok = !rest.is_empty();
    while ok && !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit() && c != '.')
            .unwrap_or(rest.len());
        let unit = units.iter().find(|u| rest[digits..].starts_with(**u));
        match unit {
            Some(unit) if digits > 0 && is_number(&rest[..digits]) => rest = &rest[digits + unit.len()..],
            _ => ok = false,
        }
    }
    if ok { text.to_string() } else { quote(text) }
}

pub(super) fn is_number(text: &str) -> bool {
    let body = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = body.split_once('.').unwrap_or((body, "0"));
    !whole.is_empty()
        && !fraction.is_empty()
        && whole.bytes().all(|b| b.is_ascii_digit())
        && fraction.bytes().all(|b| b.is_ascii_digit())
}

/// A key: bare when it is an identifier, quoted otherwise.
pub(super) fn key_text(text: &str) -> String {
    if is_identifier(text) {
        text.to_string()
    } else {
        quote(text)
    }
}

/// A `.mesh` string literal.
pub(super) fn quote(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| "\"\"".to_string())
}

/// A node on one line, for comments.
pub(super) fn compact(node: &Node) -> String {
    match &node.value {
        Value::Scalar { text, .. } => text.clone(),
        Value::Seq(items) => format!("[{}]", items.iter().map(compact).collect::<Vec<_>>().join(", ")),
        Value::Map(entries) => format!(
            "{{{}}}",
            entries
                .iter()
                .map(|(k, v)| format!("{}: {}", compact(k), compact(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}
