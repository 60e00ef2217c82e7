//! Any text as manifests: the import never panics, its spans lie inside the
//! YAML on character boundaries, and what it writes parses as `.mesh`
//! without a syntax error and is already formatted.

#![no_main]

use libfuzzer_sys::fuzz_target;
use meshc::Sources;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = Sources::default();
    sources.add("fuzz.yaml", text);
    let imported = meshc::import::import(&sources, &|ns| meshc::import::file_name(ns));
    for diag in &imported.diagnostics {
        for label in std::iter::once(&diag.primary).chain(&diag.secondary) {
            let (start, end) = (label.span.start as usize, label.span.end as usize);
            assert!(start <= end && end <= text.len());
            assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
        }
    }
    for file in &imported.files {
        let parsed = meshc::syntax::parse(0, &file.text);
        assert!(parsed.diagnostics.is_empty(), "{}\n{:?}", file.text, parsed.diagnostics);
        assert_eq!(meshc::fmt::format(&file.text), file.text);
    }
});
