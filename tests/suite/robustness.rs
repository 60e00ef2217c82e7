//! No input makes the compiler panic: every prefix of every example, random
//! edits of them, and arbitrary text all produce diagnostics or YAML, with
//! every span inside its file.

use proptest::prelude::*;

use crate::examples::programs;

fn check_no_panic(text: &str) {
    let mut sources = meshc::Sources::default();
    sources.add("fuzz.mesh", text);
    let analysis = meshc::analyze(&sources);
    for diag in &analysis.diagnostics {
        for label in std::iter::once(&diag.primary).chain(&diag.secondary) {
            assert!(
                label.span.end as usize <= text.len() && label.span.start <= label.span.end,
                "span out of range: {diag:?}"
            );
            assert!(text.is_char_boundary(label.span.start as usize) && text.is_char_boundary(label.span.end as usize));
        }
    }
    let _ = meshc::diag::render_human(&sources, &analysis.diagnostics, meshc::diag::ColorChoice::Never);
    if !analysis.has_errors() {
        meshc::compile(&sources, meshc::emit::ApiVersion::V1).expect("a program without errors compiles");
    }
    let _ = meshc::fmt::format(text);
}

fn example_texts() -> Vec<String> {
    programs()
        .into_iter()
        .flat_map(|(_, files)| files)
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

/// Where a half-typed program can end: at the start of every token, one
/// character into it, and at the end of the text.  (Cutting at every byte
/// as well took most of the suite's time and reached no other state: inside
/// a token the parser sees the same partial word, string or number.)
fn cut_points(text: &str) -> Vec<usize> {
    let mut cuts: Vec<usize> = meshc::syntax::tokens::tokens(text)
        .into_iter()
        .flat_map(|(_, start)| {
            let second = text[start..].chars().next().map_or(start, |c| start + c.len_utf8());
            [start, second]
        })
        .collect();
    cuts.push(text.len());
    cuts.sort_unstable();
    cuts.dedup();
    cuts
}

#[test]
fn every_truncation_of_every_example_is_handled() {
    for text in example_texts() {
        for end in cut_points(&text) {
            check_no_panic(&text[..end]);
        }
    }
}

#[test]
fn deep_nesting_is_refused_not_crashed() {
    check_no_panic(&"{".repeat(100_000));
    check_no_panic(&format!("service a {{ policy {{ x = {} }} }}", "[".repeat(50_000)));
}

/// Runs `check` on `text` on a thread with the 2 MiB stack of a spawned
/// thread: the parser relies on the nesting limit, not on stack probes.
fn on_small_stack(text: String, check: fn(&str)) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(move || check(&text))
        .unwrap()
        .join()
        .unwrap();
}

fn refused_as_too_deep(text: &str) -> bool {
    let mut sources = meshc::Sources::default();
    sources.add("deep.mesh", text);
    meshc::analyze(&sources)
        .diagnostics
        .iter()
        .any(|d| d.message.contains("nested more"))
}

/// The deepest nesting the parser accepts (16 levels, see `syntax::lower`)
/// in each kind of block.
#[test]
fn deepest_accepted_nesting_fits_a_thread_stack() {
    let depth = 14;
    let objects = format!(
        "service a {{ policy {{ {} x = 1 {} }} }}",
        "o {".repeat(depth),
        "}".repeat(depth)
    );
    let lists = format!(
        "service a {{ policy {{ x = {}1{} }} }}",
        "[".repeat(depth),
        "]".repeat(depth)
    );
    let junk = format!(
        "service a {{ route {{ bogus {} }} }}",
        "{".repeat(depth) + &"}".repeat(depth)
    );
    let top = format!("{}{}", "{".repeat(depth + 2), "}".repeat(depth + 2));
    let cors = format!(
        "service a {{ route {{ cors {{ {} }} to a }} }}",
        "o {".repeat(depth - 2) + &"}".repeat(depth - 2)
    );
    for text in [objects, lists, junk, top, cors] {
        on_small_stack(text, |text| {
            check_no_panic(text);
            assert!(!refused_as_too_deep(text), "refused as too deep: {text}");
        });
    }
}

/// Nesting the grammar could read differently from the depth scan (a `]`
/// that does not close a `{`, braces after an unclosed `"`) is refused
/// before it can exhaust the stack; braces in a comment are no nesting
/// anywhere, not even in a line the grammar cannot read.
#[test]
fn nesting_hidden_from_the_scan_is_still_refused() {
    let refused = [
        "{]".repeat(100_000),
        format!("\"\n{}", "{".repeat(100_000)),
        format!("a\r{}", "{".repeat(100_000)),
        format!(
            "service a {{\n  policy {{\n{}x = 1\n{}  }}\n}}\n",
            "    o { ]\n".repeat(20_000),
            "    }\n".repeat(20_000)
        ),
    ];
    for text in refused {
        on_small_stack(text, |text| {
            check_no_panic(text);
            assert!(refused_as_too_deep(text));
        });
    }
    // Braces in a comment or after an unclosed `"` on their line are text
    // to the grammar and to the scan alike; a lone `\r` ends neither.
    for text in [
        format!("x // {}", "{".repeat(100_000)),
        format!("//x\r{}", "{".repeat(60_000)),
        format!("service a {{ \"x\r{}", "{".repeat(60_000)),
        format!("\"{}", "{".repeat(100_000)),
    ] {
        on_small_stack(text, |text| {
            check_no_panic(text);
            assert!(!refused_as_too_deep(text));
        });
    }
}

/// Blocks left open before more services are reported, and the services
/// after them still read.  An unclosed block is retried once per enclosing
/// level, and each retry stops at the next service line (unreadable groups
/// used to run to the end of the file, so this took minutes).
#[test]
fn unclosed_blocks_before_many_services_are_reported() {
    let services: String = (0..200)
        .map(|i| format!("service s{i} {{\n  subset v1 {{ version = \"v1\" }}\n  route {{ to v1 }}\n}}\n"))
        .collect();
    let inputs = [
        format!("service a {{\n  policy {{\n{}{services}", "    o {\n".repeat(11)),
        format!(
            "service a {{\n  route {{\n    junk {}\n  }}\n}}\n{services}",
            "{".repeat(11)
        ),
    ];
    for text in inputs {
        on_small_stack(text, |text| {
            check_no_panic(text);
            let mut sources = meshc::Sources::default();
            sources.add("open.mesh", text);
            let analysis = meshc::analyze(&sources);
            assert!(
                analysis
                    .diagnostics
                    .iter()
                    .any(|d| d.code.as_str() == "E0103" || d.code.as_str() == "E0101")
            );
            // The services after the open blocks are still read.
            assert!(
                analysis.checked.symbols.services.len() > 200,
                "{}",
                analysis.checked.symbols.services.len()
            );
        });
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_edits_never_panic(example in 0usize..64, edits in prop::collection::vec((any::<prop::sample::Index>(), 0usize..4, "[{}\\[\\]\"=,%:/a-z0-9 \n]{0,3}"), 1..6)) {
        let texts = example_texts();
        let mut text = texts[example % texts.len()].clone();
        for (at, kind, insert) in edits {
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let pos = boundaries[at.index(boundaries.len())];
            match kind {
                0 => text.insert_str(pos, &insert),
                1 => { let end = boundaries.iter().copied().find(|&b| b > pos).unwrap_or(pos); text.replace_range(pos..end, ""); }
                2 => text.truncate(pos),
                _ => { let end = boundaries.iter().copied().filter(|&b| b > pos).nth(2).unwrap_or(pos); text.replace_range(pos..end, &insert); }
            }
        }
        check_no_panic(&text);
    }

    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        check_no_panic(&text);
    }
}

/// Imports `yaml`: never a panic, spans inside the YAML, and what is
/// written always reads as `.mesh` without a syntax error.
fn import_no_panic(yaml: &str) {
    let mut sources = meshc::Sources::default();
    sources.add("fuzz.yaml", yaml);
    let imported = meshc::import::import(&sources, &|ns| meshc::import::file_name(ns));
    for diag in &imported.diagnostics {
        for label in std::iter::once(&diag.primary).chain(&diag.secondary) {
            assert!(
                label.span.end as usize <= yaml.len() && label.span.start <= label.span.end,
                "{diag:?}"
            );
        }
    }
    let _ = meshc::diag::render_human(&sources, &imported.diagnostics, meshc::diag::ColorChoice::Never);
    for file in &imported.files {
        let parsed = meshc::syntax::parse(0, &file.text);
        assert!(
            parsed.diagnostics.is_empty(),
            "the import of\n{yaml}\nwrote text that does not parse:\n{}\n{:?}",
            file.text,
            parsed.diagnostics
        );
        assert_eq!(meshc::fmt::format(&file.text), file.text, "not formatted");
    }
}

/// A sample of the corpus, with many features.
fn corpus_samples() -> Vec<String> {
    let dir = crate::support::root().join("tests/data/corpus/valid");
    crate::support::files_with_extension(&dir, "yaml")
        .into_iter()
        .step_by(9)
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect()
}

#[test]
fn every_truncation_of_sample_manifests_imports() {
    for text in corpus_samples() {
        for (end, _) in text.char_indices().step_by(3) {
            import_no_panic(&text[..end]);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(300))]

    #[test]
    fn random_edits_of_manifests_import(sample in 0usize..64, edits in prop::collection::vec((any::<prop::sample::Index>(), "[-:{}\\[\\]\"' ,a-zA-Z0-9./*\n]{0,4}"), 1..5)) {
        let samples = corpus_samples();
        let mut text = samples[sample % samples.len()].clone();
        for (at, insert) in edits {
            let boundaries: Vec<usize> = text.char_indices().map(|(i, _)| i).chain([text.len()]).collect();
            let pos = boundaries[at.index(boundaries.len())];
            text.insert_str(pos, &insert);
        }
        import_no_panic(&text);
    }

    #[test]
    fn arbitrary_yaml_values_import(host in "\\PC{0,12}", subset in "\\PC{0,8}", name in "\\PC{0,10}", value in "\\PC{0,10}") {
        let yaml = format!(
            "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {{name: {name:?}, labels: {{{value:?}: {value:?}}}}}\nspec:\n  hosts: [{host:?}]\n  http:\n  - name: {name:?}\n    match: [{{headers: {{{value:?}: {{exact: {value:?}}}}}, uri: {{prefix: {value:?}}}}}]\n    route:\n    - destination: {{host: {host:?}, subset: {subset:?}}}\n    timeout: {value:?}\n---\napiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata: {{name: {name:?}}}\nspec:\n  host: {host:?}\n  trafficPolicy: {{loadBalancer: {{simple: {value:?}}}, tls: {{sni: {value:?}}}}}\n  subsets: [{{name: {subset:?}, labels: {{{value:?}: {value:?}}}}}]\n"
        );
        import_no_panic(&yaml);
    }
}

#[test]
fn malformed_route_blocks_found_by_fuzzing_import() {
    // A redirect that is a string, and destinations that are not a list.
    import_no_panic(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata:\n  name: default\nspec:\n  hosts: [j]\n  http:\n  - match:\n    - uri: {exact: /foo}\n    redirect:\n      derivePort:FROM_REQUEST_PORT\n",
    );
    import_no_panic(
        "apiVersion: networking.istio.io/v1\nkind: VirtualService\nmetadata: {name: cart}\nspec:\n  hosts: [cart]\n  http:\n  - route: {destination: {host: cart}}\n  tcp:\n  - route: reviews\n",
    );
}

/// What one rendered diagnostic prints is bounded: a long line is cut
/// around the label, and a diagnostic that names many places shows a few
/// (each used to reprint whole lines: 2,000 bad hosts on one 219 KB line
/// wrote 657 MB, and a 40,000-destination split took minutes).
#[test]
fn rendered_diagnostics_are_bounded() {
    let hosts: Vec<String> = (0..2000).map(|i| format!("\"bad_host{i}!\"")).collect();
    let long_line = format!("service a {{\n  hosts {}\n  route {{ to a }}\n}}\n", hosts.join(", "));
    let destinations: Vec<String> = (0..40_000).map(|i| format!("    b{i} 1%")).collect();
    let services: String = (0..40_000).map(|i| format!("service b{i} {{}}\n")).collect();
    let split = format!(
        "service a {{\n  route {{ to\n{}\n  }}\n}}\n{services}",
        destinations.join(",\n")
    );
    // Each unknown subset's note lists the defined ones: 1,000 of them.
    let subsets: String = (0..1000)
        .map(|i| format!("  subset v{i} {{ version = \"v{i}\" }}\n"))
        .collect();
    let unknown: Vec<String> = (0..1000).map(|i| format!("w{i} 1%")).collect();
    let notes = format!("service a {{\n{subsets}  route {{ to {} }}\n}}\n", unknown.join(", "));
    for (text, diagnostics, bound) in [
        (long_line, 2000, 2000 * 600),
        (split, 1, 2000),
        (notes, 1001, 1001 * 2000),
    ] {
        let mut sources = meshc::Sources::default();
        sources.add("big.mesh", text);
        let analysis = meshc::analyze(&sources);
        assert_eq!(analysis.diagnostics.len(), diagnostics);
        let rendered = meshc::diag::render_human(&sources, &analysis.diagnostics, meshc::diag::ColorChoice::Never);
        assert!(rendered.len() < bound, "{} bytes", rendered.len());
    }
}

/// A UTF-8 byte order mark is not part of the program, and a namespace may
/// start with a digit, as Kubernetes allows.
#[test]
fn byte_order_marks_and_digit_namespaces_are_read() {
    let mut sources = meshc::Sources::default();
    sources.add(
        "bom.mesh",
        "\u{feff}namespace 9shop\nservice a {\n  subset v1 { version = \"v1\" }\n  route { to v1 }\n}\n",
    );
    let (yaml, warnings) = meshc::compile(&sources, meshc::emit::ApiVersion::V1).expect("builds");
    assert!(warnings.is_empty());
    assert!(yaml.contains("namespace: 9shop\n") && yaml.contains("host: a.9shop.svc.cluster.local\n"));
}

/// A mapping with 100,000 keys imports in linear time (each key was
/// compared with every earlier one to find duplicates: 33 s).
#[test]
fn many_keys_in_one_mapping_import() {
    let mut yaml =
        String::from("apiVersion: networking.istio.io/v1\nkind: DestinationRule\nmetadata:\n  name: a\n  labels:\n");
    for i in 0..100_000 {
        yaml.push_str(&format!("    k{i}: v\n"));
    }
    yaml.push_str("spec:\n  host: a\n");
    let mut sources = meshc::Sources::default();
    sources.add("many.yaml", yaml);
    let imported = meshc::import::import(&sources, &|ns| meshc::import::file_name(ns));
    assert_eq!(imported.files.len(), 1);
}
