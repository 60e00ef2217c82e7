//! Any text: the analysis never panics, every span lies inside the text on
//! character boundaries, the formatter and the editor features cope, and a
//! program without errors serializes.

#![no_main]

use libfuzzer_sys::fuzz_target;
use meshc::{Sources, analyze, emit, ide};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut sources = Sources::default();
    sources.add("fuzz.mesh", text);
    let analysis = analyze(&sources);
    for diag in &analysis.diagnostics {
        for label in std::iter::once(&diag.primary).chain(&diag.secondary) {
            let (start, end) = (label.span.start as usize, label.span.end as usize);
            assert!(start <= end && end <= text.len());
            assert!(text.is_char_boundary(start) && text.is_char_boundary(end));
        }
    }
    let _ = meshc::fmt::format(text);
    for offset in [0, text.len() / 2, text.len()] {
        let _ = ide::completions(&analysis, text, offset);
        let _ = ide::hover(&analysis, 0, offset);
    }
    if !analysis.has_errors() {
        meshc::compile(&sources, emit::ApiVersion::V1).expect("a program without errors compiles");
    }
});
