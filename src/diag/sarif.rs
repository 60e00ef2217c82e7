//! SARIF 2.1.0 (OASIS), the format code-scanning services read: one log
//! with one run of `meshc`, a rule per code that occurs (its title and
//! explanation), and a result per diagnostic.  The types are serde-sarif's,
//! generated from the OASIS schema; a test validates the output against
//! that schema.

use std::collections::BTreeSet;

use serde_sarif::sarif;

use super::render::positions;
use super::{Code, Diagnostic, Label, Severity};
use crate::span::Sources;

/// The SARIF level of a severity.
fn level(severity: Severity) -> sarif::ResultLevel {
    match severity {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
        Severity::Note | Severity::Hint => sarif::ResultLevel::Note,
    }
}

/// A file name as a URI reference: relative paths stay relative (code
/// scanning resolves them against the repository), absolute ones become
/// `file://` URIs, and anything outside RFC 3986's unreserved characters
/// and `/` is percent-encoded (`<stdin>` becomes `%3Cstdin%3E`).
pub fn file_uri(name: &str) -> String {
    let mut uri = String::with_capacity(name.len());
    if name.starts_with('/') {
        uri.push_str("file://");
    }
    for byte in name.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            uri.push(byte as char);
        } else {
            uri.push_str(&format!("%{byte:02X}"));
        }
    }
    uri
}

/// A SARIF location for a label: the file, the region in one-based lines
/// and columns (in characters, as the run declares), and its text.
fn location(sources: &Sources, label: &Label) -> sarif::Location {
    let (file, start, end) = positions(sources, label.span);
    let region = sarif::Region::builder()
        .start_line(i64::from(start.line))
        .start_column(i64::from(start.column))
        .end_line(i64::from(end.line))
        .end_column(i64::from(end.column))
        .build();
    let physical = sarif::PhysicalLocation::builder()
        .artifact_location(sarif::ArtifactLocation::builder().uri(file_uri(file)).build())
        .region(region)
        .build();
    let location = sarif::Location::builder().physical_location(physical);
    if label.message.is_empty() {
        location.build()
    } else {
        location
            .message(sarif::Message::builder().text(label.message.clone()).build())
            .build()
    }
}

/// The results of `diagnostics`, with the codes they use added to `rules`.
pub fn sarif_results(sources: &Sources, diagnostics: &[Diagnostic], rules: &mut BTreeSet<Code>) -> Vec<sarif::Result> {
    diagnostics
        .iter()
        .map(|diag| {
            rules.insert(diag.code);
            let text = diag.plain_text(false);
            let result = sarif::Result::builder()
                .rule_id(diag.code.as_str())
                .level(level(diag.severity))
                .message(sarif::Message::builder().text(text).build())
                .locations(vec![location(sources, &diag.primary)]);
            if diag.secondary.is_empty() {
                result.build()
            } else {
                result
                    .related_locations(diag.secondary.iter().map(|l| location(sources, l)).collect::<Vec<_>>())
                    .build()
            }
        })
        .collect()
}

/// The rule of a code: its title, its explanation (Markdown, with the
/// failing example and the fix), and its default level by letter.
fn rule(code: Code) -> sarif::ReportingDescriptor {
    let info = code.info();
    let default_level = match code.as_str().as_bytes().first() {
        Some(b'E') => "error",
        Some(b'W') => "warning",
        _ => "note",
    };
    sarif::ReportingDescriptor::builder()
        .id(info.code)
        .short_description(sarif::MultiformatMessageString::builder().text(info.title).build())
        .help(
            sarif::MultiformatMessageString::builder()
                .text(info.explanation)
                .markdown(info.explanation)
                .build(),
        )
        .default_configuration(
            sarif::ReportingConfiguration::builder()
                .level(serde_json::Value::from(default_level))
                .build(),
        )
        .build()
}

/// The SARIF log of one run: the rules of `codes`, and `results` (each
/// result also names its rule by index, as code scanning prefers).
pub fn render_sarif(codes: &BTreeSet<Code>, mut results: Vec<sarif::Result>) -> String {
    let rules: Vec<sarif::ReportingDescriptor> = codes.iter().map(|&c| rule(c)).collect();
    for result in &mut results {
        result.rule_index = codes
            .iter()
            .position(|c| result.rule_id.as_deref() == Some(c.as_str()))
            .and_then(|i| i64::try_from(i).ok());
    }
    let driver = sarif::ToolComponent::builder()
        .name("meshc")
        .version(env!("CARGO_PKG_VERSION"))
        .rules(rules)
        .build();
    let run = sarif::Run::builder()
        .tool(sarif::Tool::builder().driver(driver).build())
        .column_kind(serde_json::Value::from("unicodeCodePoints"))
        .results(results)
        .build();
    let log = sarif::Sarif::builder()
        .schema(sarif::SCHEMA_URL)
        .version(serde_json::Value::from("2.1.0"))
        .runs(vec![run])
        .build();
    // Serializing these plain structs cannot fail.
    let mut text = serde_json::to_string_pretty(&log).unwrap_or_default();
    text.push('\n');
    text
}

#[cfg(test)]
mod tests {
    use super::file_uri;

    #[test]
    fn file_names_become_uri_references() {
        assert_eq!(file_uri("k8s/reviews.yaml"), "k8s/reviews.yaml");
        assert_eq!(file_uri("/tmp/a b.mesh"), "file:///tmp/a%20b.mesh");
        assert_eq!(file_uri("<stdin>"), "%3Cstdin%3E");
    }
}
