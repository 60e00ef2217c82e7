//! Editor features as data: each `tests/editor/*.mesh` is a program with a
//! cursor (`$0`) and a first line `// request: ...` naming what the editor
//! asks there; the answer is compared with the `.out` file beside it.
//!
//! Requests: `rename NEW` (the renamed program, or why it is refused),
//! `hover`, `definition`, `references`, `references without declaration`
//! (each place as `LINE:COLUMN text`), `code actions` (each fix's title and
//! the program with it applied), `semantic tokens` (each token's kind and
//! place; the cursor is not used).

use meshc::ide;

use crate::support::{compare_with_file, files_with_extension, root};

const CURSOR: &str = "$0";

/// The answer to the request of one test file.
fn answer(path: &std::path::Path) -> String {
    let written = std::fs::read_to_string(path).expect("read test");
    let offset = written.find(CURSOR).expect("a $0 cursor");
    let text = written.replacen(CURSOR, "", 1);
    let request = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix("// request: "))
        .expect("a `// request:` first line")
        .to_string();
    let mut sources = meshc::Sources::default();
    let file = sources.add("test.mesh", text.clone());
    let analysis = meshc::analyze(&sources);
    let place = |span: meshc::Span| {
        let source = sources.get(span.file).expect("file");
        let at = source
            .lines
            .position(&source.text, span.start as usize, meshc::span::Encoding::Utf32);
        format!("{}:{} {}\n", at.line + 1, at.col + 1, sources.slice(span))
    };
    match request.split_once(' ').map_or((request.as_str(), ""), |(a, b)| (a, b)) {
        ("rename", new_name) => match ide::rename(&analysis, &sources, file, offset, new_name) {
            Ok(edits) if edits.is_empty() => "no edits\n".to_string(),
            Ok(mut edits) => {
                let mut renamed = text.clone();
                edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
                for edit in edits {
                    renamed.replace_range(edit.span.range(), &edit.text);
                }
                renamed
            }
            Err(why) => format!("refused: {why}\n"),
        },
        ("hover", _) => {
            ide::hover(&analysis, file, offset).map_or("no hover\n".into(), |(text, _)| format!("{text}\n"))
        }
        ("definition", _) => ide::definition(&analysis, file, offset).map_or("no definition\n".into(), place),
        ("references", rest) => {
            let include_declaration = rest != "without declaration";
            ide::references(&analysis, file, offset, include_declaration)
                .into_iter()
                .map(place)
                .collect()
        }
        ("code", "actions") => ide::code_actions(&analysis, file, offset, offset)
            .into_iter()
            .map(|action| {
                let mut fixed = text.clone();
                let mut edits = action.edits.clone();
                edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
                for edit in edits {
                    fixed.replace_range(edit.span.range(), &edit.text);
                }
                format!("== {}\n{fixed}", action.title)
            })
            .collect(),
        ("semantic", "tokens") => ide::semantic_tokens(&analysis, &text, file)
            .into_iter()
            .map(|(span, kind, definition)| {
                let role = if definition { " definition" } else { "" };
                format!("{kind:?}{role} {}", place(span))
            })
            .collect(),
        ("diagnostics", _) => analysis
            .diagnostics
            .iter()
            .chain(&analysis.checked.hints)
            .map(|d| {
                let severity = format!("{:?}", d.severity).to_lowercase();
                format!(
                    "{severity}[{}] {}: {}\n",
                    d.code.as_str(),
                    place(d.primary.span).trim_end(),
                    d.message
                )
            })
            .collect(),
        ("completion", _) => {
            let (items, _, _) = ide::completions(&analysis, &text, offset);
            items
                .iter()
                .map(|item| format!("{} ({})\n", item.label, item.detail))
                .collect()
        }
        (other, _) => panic!("unknown request `{other}` in {}", path.display()),
    }
}

#[test]
fn editor_answers_as_expected() {
    let files = files_with_extension(&root().join("tests/editor"), "mesh");
    assert!(!files.is_empty());
    let failures: Vec<String> = files
        .iter()
        .filter_map(|path| compare_with_file(&path.with_extension("out"), &answer(path)))
        .collect();
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A rename never changes what a program means: for every service and
/// subset of every example, renamed to a fresh name and to every other
/// name of the program, either the rename is refused or the renamed
/// program checks with no new error and every name still resolves (as
/// many resolved names, to the renamed symbol where they named it).
#[test]
fn renames_of_every_example_symbol_keep_the_meaning() {
    for path in files_with_extension(&root().join("examples"), "mesh") {
        let text = std::fs::read_to_string(&path).expect("read example");
        let mut sources = meshc::Sources::default();
        let file = sources.add("example.mesh", text.clone());
        let analysis = meshc::analyze(&sources);
        let symbols = &analysis.checked.symbols;
        let mut names: Vec<String> = vec!["fresh-name".into()];
        let mut declarations = Vec::new();
        for service in &symbols.services {
            names.push(service.name.to_string());
            declarations.push(service.name_span);
            for subset in service.subsets.iter() {
                names.push(subset.name.to_string());
                declarations.push(subset.name_span);
            }
        }
        let errors = |a: &meshc::Analysis| a.diagnostics.iter().filter(|d| d.is_error()).count();
        for declaration in declarations {
            let offset = declaration.start as usize;
            let uses = ide::references(&analysis, file, offset, false).len();
            for name in &names {
                let Ok(mut edits) = ide::rename(&analysis, &sources, file, offset, name) else {
                    continue;
                };
                let mut renamed = text.clone();
                edits.sort_by_key(|e| std::cmp::Reverse(e.span.start));
                for edit in &edits {
                    renamed.replace_range(edit.span.range(), &edit.text);
                }
                let mut after_sources = meshc::Sources::default();
                after_sources.add("example.mesh", renamed);
                let after = meshc::analyze(&after_sources);
                let what = format!(
                    "{}: `{}` renamed to `{name}`",
                    path.display(),
                    sources.slice(declaration)
                );
                assert!(errors(&after) <= errors(&analysis), "{what}: new errors");
                assert_eq!(
                    after.checked.symbols.references.len(),
                    symbols.references.len(),
                    "{what}: names resolve differently"
                );
                if !edits.is_empty() {
                    assert_eq!(edits.len(), uses + 1, "{what}: not every use renamed");
                }
            }
        }
    }
}

/// Completion offers a field only where the checker accepts it: at every
/// `policy {`, `port N {` and `cors {` of every example, every field it
/// offers (and, inside blocks, every field of theirs), written with a
/// value of its type, draws no diagnostic about the field's place (unknown
/// field, set twice, not allowed here).  `port` inside `port N { }` was
/// offered, and written twice in the YAML.
#[test]
fn completion_offers_only_what_the_checker_accepts_there() {
    let place_codes = ["E0207", "E0208", "E0408"];
    let mut tried = 0;
    for path in files_with_extension(&root().join("examples"), "mesh") {
        let text = std::fs::read_to_string(&path).expect("read example");
        let openings: Vec<usize> = text
            .match_indices('{')
            .map(|(at, _)| at + 1)
            .filter(|&at| {
                let line = &text[text[..at].rfind('\n').map_or(0, |n| n + 1)..at];
                let words: Vec<&str> = line.split_whitespace().collect();
                matches!(
                    words.as_slice(),
                    [.., "policy", "{"] | ["port", _, "{"] | [.., "cors", "{"]
                )
            })
            .collect();
        for at in openings {
            let mut prefixes = vec![String::new()];
            while let Some(prefix) = prefixes.pop() {
                let probe = format!("{}\n{prefix}", &text[..at]) + &text[at..];
                let offset = at + 1 + prefix.len();
                let mut sources = meshc::Sources::default();
                sources.add("probe.mesh", probe.clone());
                let analysis = meshc::analyze(&sources);
                let (items, _, _) = ide::completions(&analysis, &probe, offset);
                for item in items {
                    let field = format!("{prefix}{}", item.label);
                    let value = match item.detail.as_str() {
                        "block" => {
                            prefixes.push(format!("{field}."));
                            continue;
                        }
                        "map" | "list" => continue,
                        "bool" => "true".to_string(),
                        "integer" => "1".to_string(),
                        "number" => "1".to_string(),
                        "duration" => "1s".to_string(),
                        "enum" => item
                            .documentation
                            .split("Allowed: `")
                            .nth(1)
                            .and_then(|rest| rest.split('`').next())
                            .unwrap_or("X")
                            .to_string(),
                        _ => "\"a\"".to_string(),
                    };
                    let line = format!("{field} = {value}");
                    let program = format!("{}\n{line}\n", &text[..at]) + &text[at..];
                    let mut sources = meshc::Sources::default();
                    sources.add("probe.mesh", program.clone());
                    let start = at + 1;
                    let end = start + line.len();
                    let misplaced: Vec<String> = meshc::analyze(&sources)
                        .diagnostics
                        .iter()
                        .filter(|d| place_codes.contains(&d.code.as_str()))
                        .filter(|d| (start..=end).contains(&(d.primary.span.start as usize)))
                        .map(|d| format!("{}: {}", d.code.as_str(), d.message))
                        .collect();
                    assert!(
                        misplaced.is_empty(),
                        "{}: completion offers `{line}` where the checker says {misplaced:?}",
                        path.display()
                    );
                    tried += 1;
                }
            }
        }
    }
    assert!(tried > 100, "only {tried} completions tried");
}
