//! Language server benchmark: `cargo bench -p meshc-lsp`.
//!
//! Starts the real `meshc-lsp`, opens a generated 1,000-service program
//! (about 27,000 lines), and measures what an editor user feels: completion
//! latency (p50 and p95 over requests spread through the file), the time
//! from a one-character edit to the fresh diagnostics of that version, and
//! the server's peak memory.

#[path = "../tests/support/client.rs"]
mod client;
#[path = "../../benches/support/program.rs"]
mod program;

use std::time::{Duration, Instant};

use client::{Client, at, file_uri, position_at};

fn percentile(samples: &mut [Duration], p: f64) -> Duration {
    samples.sort();
    let index = ((samples.len() as f64 - 1.0) * p).round() as usize;
    samples.get(index).copied().unwrap_or_default()
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// Peak resident memory of process `pid`, in MiB (Linux).
fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

fn main() {
    let services = 1_000;
    let dir = std::env::temp_dir().join(format!("meshc-lsp-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let path = dir.join("bench.mesh");
    let text = program::program(services);
    std::fs::write(&path, &text).expect("write the program");
    let uri = file_uri(&path);

    let mut client = Client::start();
    client.timeout = Duration::from_secs(60);
    client.initialize(&dir, &[]);
    let start = Instant::now();
    client.open(&uri, &text);
    client.diagnostics(&uri, Some(1));
    let first = start.elapsed();

    // Completion after `to ` in a split, spread over the whole file.
    let marker = "    to v1 80%";
    let offsets: Vec<usize> = text.match_indices(marker).map(|(i, _)| i + "    to ".len()).collect();
    let mut completion = Vec::new();
    for (n, offset) in offsets.iter().step_by((offsets.len() / 200).max(1)).enumerate() {
        let start = Instant::now();
        let items = client.request("textDocument/completion", at(&uri, position_at(&text, *offset)));
        completion.push(start.elapsed());
        if n == 0 {
            assert!(
                items["items"].as_array().is_some_and(|a| !a.is_empty()),
                "completion answers"
            );
        }
    }

    // One-character edits (a weight 80% → 70% and back), each timed until
    // the diagnostics of its version arrive.
    let edit_at = text.find("80%").expect("a weight");
    let mut diagnostics = Vec::new();
    for version in 2..22 {
        let mut edited = text.clone();
        if version % 2 == 0 {
            edited.replace_range(edit_at..edit_at + 1, "7");
        }
        let start = Instant::now();
        client.change(&uri, version, &edited);
        client.diagnostics(&uri, Some(version));
        diagnostics.push(start.elapsed());
    }
    let memory = peak_rss_mib(client.pid());
    client.shutdown_and_exit();
    let _ = std::fs::remove_dir_all(&dir);

    println!(
        "meshc-lsp on {services} services ({} lines, {:.1} MB)",
        text.lines().count(),
        text.len() as f64 / 1e6
    );
    println!("  first diagnostics after open:  {}", ms(first));
    println!(
        "  completion ({} requests):      p50 {}, p95 {}",
        completion.len(),
        ms(percentile(&mut completion, 0.5)),
        ms(percentile(&mut completion, 0.95))
    );
    println!(
        "  edit to fresh diagnostics ({}):  p50 {}, p95 {}",
        diagnostics.len(),
        ms(percentile(&mut diagnostics, 0.5)),
        ms(percentile(&mut diagnostics, 0.95))
    );
    match memory {
        Some(mib) => println!("  server peak memory:            {mib:.1} MiB"),
        None => println!("  server peak memory:            not measured (no /proc)"),
    }
}
