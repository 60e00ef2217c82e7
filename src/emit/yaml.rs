//! YAML output: the only module that names `serde_yaml`.
//!
//! `serde_yaml` (here the maintained `yaml_serde`) follows YAML 1.2 and leaves
//! strings such as `yes`, `off`, `2024-01-01` or `1_000` unquoted.
//! Kubernetes reads manifests with YAML 1.1 rules, where those are booleans,
//! dates and numbers, so a label value `yes` would reach the API server as
//! `true`.  After serializing, every plain scalar that YAML 1.1 would not
//! read as a string is put in double quotes.

use serde::Serialize;

/// Serializes one document (without the `---` separator).
pub fn to_yaml<T: Serialize>(value: &T) -> Result<String, String> {
    let text = serde_yaml::to_string(value).map_err(|e| e.to_string())?;
    Ok(quote_yaml11_scalars(&text))
}

/// Whether a plain scalar would be read by a YAML 1.1 parser as something
/// other than a string (bool, null, number, date, merge key).  It errs on
/// the side of quoting: a quoted string is always read as a string.
pub fn is_yaml11_ambiguous(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~", "=", "<<", ".inf", "-.inf", "+.inf", ".nan",
    ];
    if s.is_empty() || WORDS.iter().any(|w| w.eq_ignore_ascii_case(s)) {
        return true;
    }
    let first = s.as_bytes().first().copied().unwrap_or(b' ');
    // Numbers in any YAML 1.1 notation (0x1f, 0o17, 010, 1_000, 1:30, 1e3,
    // .5) and dates (2024-01-01) use only these characters.
    let numeric_start = first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'.');
    numeric_start
        && s.bytes()
            .all(|b| b.is_ascii_hexdigit() || matches!(b, b'x' | b'X' | b'o' | b'O' | b'_' | b'+' | b'-' | b'.' | b':'))
        || looks_like_timestamp(s)
}

fn looks_like_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 8 && b.iter().take(4).all(u8::is_ascii_digit) && b.get(4) == Some(&b'-')
}

fn double_quoted(s: &str) -> String {
    // Plain scalars never hold characters that need escaping; JSON quoting
    // is valid YAML double quoting.
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Rewrites the plain scalars of block-style YAML that YAML 1.1 would
/// misread.  Works line by line: serde_yaml writes one key or sequence item
/// per line, quotes anything with `: ` or flow characters, and writes
/// multi-line strings as literal blocks, which are passed through untouched.
fn quote_yaml11_scalars(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 64);
    // Inside a literal block, lines indented deeper than this are content.
    let mut block_indent: Option<usize> = None;
    for line in text.split_inclusive('\n') {
        let content = line.trim_end_matches('\n');
        let indent = content.len() - content.trim_start_matches(' ').len();
        if let Some(level) = block_indent {
            if indent > level || content.trim().is_empty() {
                out.push_str(line);
                continue;
            }
            block_indent = None;
        }
        let mut pos = indent;
        while content.get(pos..).is_some_and(|rest| rest.starts_with("- ")) {
            pos += 2;
        }
        let (prefix, rest) = content.split_at(pos);
        out.push_str(prefix);
        let (key, value) = split_entry(rest);
        if let Some(key) = key {
            out.push_str(&fix_scalar(key));
            out.push(':');
            if let Some(value) = value {
                out.push(' ');
                if value.starts_with('|') || value.starts_with('>') {
                    block_indent = Some(pos);
                }
                out.push_str(&fix_scalar(value));
            }
        } else if let Some(value) = value {
            if value.starts_with('|') || value.starts_with('>') {
                block_indent = Some(pos);
            }
            out.push_str(&fix_scalar(value));
        }
        if line.ends_with('\n') {
            out.push('\n');
        }
    }
    out
}

/// Splits `key: value`, `key:` or a lone `value`.
fn split_entry(rest: &str) -> (Option<&str>, Option<&str>) {
    let key_end = if rest.starts_with('\'') || rest.starts_with('"') {
        quoted_end(rest).filter(|&end| rest.get(end..).is_some_and(|r| r == ":" || r.starts_with(": ")))
    } else {
        rest.find(": ").or_else(|| rest.strip_suffix(':').map(str::len))
    };
    match key_end {
        Some(end) => {
            let key = rest.get(..end).unwrap_or("");
            let value = rest.get(end + 1..).map(str::trim_start).filter(|v| !v.is_empty());
            (Some(key), value)
        }
        None if rest.is_empty() => (None, None),
        None => (None, Some(rest)),
    }
}

/// The byte just past a quoted scalar at the start of `s`.
fn quoted_end(s: &str) -> Option<usize> {
    let quote = s.chars().next()?;
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        if quote == '"' && c == '\\' {
            chars.next();
        } else if c == quote {
            // In single quotes, '' is an escaped quote.
            if quote == '\'' && s.get(i + 1..).is_some_and(|r| r.starts_with('\'')) {
                chars.next();
                continue;
            }
            return Some(i + 1);
        }
    }
    None
}

fn fix_scalar(scalar: &str) -> std::borrow::Cow<'_, str> {
    let plain = !matches!(
        scalar.as_bytes().first(),
        Some(b'\'' | b'"' | b'|' | b'>' | b'[' | b'{')
    );
    if plain && is_yaml11_ambiguous(scalar) && !is_emitted_number(scalar) {
        std::borrow::Cow::Owned(double_quoted(scalar))
    } else {
        std::borrow::Cow::Borrowed(scalar)
    }
}

/// Numbers and booleans that serde_yaml wrote for numeric and boolean
/// fields: these must stay bare.  serde_yaml quotes every *string* that
/// YAML 1.2 reads as a number or boolean, so a bare scalar in one of these
/// YAML 1.2 forms came from a number or a boolean.
fn is_emitted_number(s: &str) -> bool {
    s == "true" || s == "false" || s.parse::<i64>().is_ok() || (s.parse::<f64>().is_ok() && !s.contains('_'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeMap;

    #[test]
    fn yaml11_lookalikes_are_quoted_and_numbers_are_not() {
        let mut labels = BTreeMap::new();
        for s in [
            "yes",
            "on",
            "off",
            "No",
            "y",
            "010",
            "2024-01-01",
            "1_000",
            "12:30",
            "0x1f",
            "v1",
            "stable",
        ] {
            labels.insert(s.to_string(), s.to_string());
        }
        #[derive(Serialize)]
        struct Doc {
            labels: BTreeMap<String, String>,
            count: i64,
            share: f64,
            flag: bool,
            list: Vec<&'static str>,
            text: &'static str,
        }
        let doc = Doc {
            labels,
            count: 10,
            share: 100.0,
            flag: true,
            list: vec!["on", "mesh"],
            text: "line one\nyes\n",
        };
        let yaml = to_yaml(&doc).unwrap();
        for s in [
            "yes",
            "on",
            "off",
            "No",
            "y",
            "010",
            "2024-01-01",
            "1_000",
            "12:30",
            "0x1f",
        ] {
            assert!(
                yaml.contains(&format!("\"{s}\": \"{s}\"")) || yaml.contains(&format!("'{s}': '{s}'")),
                "{s} not quoted in\n{yaml}"
            );
        }
        assert!(yaml.contains("v1: v1"));
        assert!(yaml.contains("count: 10"));
        assert!(yaml.contains("share: 100.0"));
        assert!(yaml.contains("flag: true"));
        assert!(yaml.contains("- \"on\""));
        assert!(
            yaml.contains("  yes\n"),
            "literal block content must stay as is:\n{yaml}"
        );
        let back: serde_yaml::Value = serde_yaml::from_str(&yaml).unwrap();
        assert_eq!(back["labels"]["yes"], serde_yaml::Value::String("yes".into()));
    }
}
