//! The YAML shown in the documentation is what the compiler writes: every
//! ```yaml block of `docs/language.md` and the README is compared with the
//! output of the ```mesh block before it (a `# excerpt` block with the
//! `http`, `tcp` and `tls` routes of the VirtualService), and every
//! ```mesh block that parses is in the layout `meshc fmt` writes.  YAML
//! that is not a manifest (a CI workflow, a pre-commit configuration) is
//! fenced as ```yml and checked where it is used (`ci.rs`).

use crate::support::root;

/// The fenced blocks of a Markdown text: (language, body).
fn blocks(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut current: Option<(String, String)> = None;
    for line in text.lines() {
        match (&mut current, line.strip_prefix("```")) {
            (None, Some(lang)) => current = Some((lang.trim().to_string(), String::new())),
            (Some(_), Some(_)) => out.extend(current.take()),
            (Some((_, body)), None) => {
                body.push_str(line);
                body.push('\n');
            }
            (None, None) => {}
        }
    }
    out
}

/// The routes of the VirtualService, as the documentation excerpts them.
fn routes_excerpt(stream: &str) -> String {
    let mut out = String::from("# excerpt: the routes of the VirtualService's spec\n");
    let mut inside = false;
    for line in stream.lines() {
        let key = line
            .strip_prefix("  ")
            .filter(|rest| rest.starts_with(|c: char| c.is_ascii_alphabetic()));
        if key.is_some_and(|k| k.starts_with("http:") || k.starts_with("tcp:") || k.starts_with("tls:")) {
            inside = true;
        } else if line.starts_with("---") || key.is_some() {
            inside = false;
        }
        if inside {
            out.push_str(line.get(2..).unwrap_or(""));
            out.push('\n');
        }
    }
    out
}

fn check_document(path: &str) -> Vec<String> {
    let text = std::fs::read_to_string(root().join(path)).expect("read the document");
    let mut problems = Vec::new();
    let mut last_mesh: Option<String> = None;
    let mut compared = 0;
    for (lang, body) in blocks(&text) {
        match lang.as_str() {
            "mesh" => {
                // What parses is shown in the canonical layout.
                let formatted = meshc::fmt::format(&body);
                if meshc::syntax::parse(0, &body).diagnostics.is_empty() && formatted != body {
                    problems.push(format!("{path}: not formatted:\n{body}--- formatted\n{formatted}"));
                }
                last_mesh = Some(body);
            }
            "yaml" => {
                let Some(mesh) = &last_mesh else { continue };
                let mut sources = meshc::Sources::default();
                sources.add("doc.mesh", mesh.as_str());
                let Ok((stream, _)) = meshc::compile(&sources, meshc::emit::ApiVersion::V1) else {
                    problems.push(format!("{path}: this example does not compile:\n{mesh}"));
                    continue;
                };
                compared += 1;
                if body.starts_with("# excerpt") {
                    if routes_excerpt(&stream) != body {
                        problems.push(format!(
                            "{path}: excerpt differs for\n{mesh}\n--- shown\n{body}--- written\n{}",
                            routes_excerpt(&stream)
                        ));
                    }
                    continue;
                }
                let ours: Vec<&str> = stream.split("---\n").filter(|d| !d.trim().is_empty()).collect();
                for doc in body.split("---\n").filter(|d| !d.trim().is_empty()) {
                    if !ours.contains(&doc) {
                        problems.push(format!(
                            "{path}: a shown document is not written for\n{mesh}\n--- shown\n{doc}"
                        ));
                    }
                }
            }
            _ => {}
        }
    }
    if compared == 0 {
        problems.push(format!("{path}: no example compared"));
    }
    problems
}

#[test]
fn the_documentation_shows_what_the_compiler_writes() {
    let mut problems = check_document("docs/language.md");
    problems.extend(check_document("README.md"));
    assert!(problems.is_empty(), "{}", problems.join("\n\n"));
}
