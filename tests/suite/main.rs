//! The test suite: one binary, one module per kind of test.  Each module
//! feeds data from a folder through the real compiler (or the real `meshc`
//! binary) and compares what comes out with a committed expectation.
//! `MESHC_BLESS=1 cargo test` rewrites the expectations.

mod architecture;
mod catalogue;
mod ci;
mod cli;
mod codes;
mod contract;
mod coverage;
mod docs;
mod editor;
mod editors;
mod examples;
mod formatting;
mod oracle;
mod outputs;
mod readback;
mod regex;
mod robustness;
mod roundtrip;
mod route;
mod support;
mod ui;
mod webhook;
mod words;
