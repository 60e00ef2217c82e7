//! Language server benchmark: `cargo bench -p meshc-lsp`.
//!
//! Starts the real `meshc-lsp` on generated programs of 1,000, 5,000 and
//! 10,000 services (about 23 lines each, one file) and measures what an
//! editor user feels: completion and hover latency (p50 and p95 over
//! requests spread through the file), the time from an edit to the fresh
//! diagnostics of that version (edits that keep the length, `80%` to `70%`,
//! and edits that insert or remove a character, which move every later
//! position; sent as ranges to a server that asks for incremental
//! synchronisation, as the whole text otherwise), the time from the last
//! keystroke of a burst typed 50 ms apart to the diagnostics of the final
//! text, and the server's peak memory.
//!
//! `MESHC_LSP_BASELINE=/path/to/meshc-lsp` measures that server too, in the
//! same run, for a before-and-after comparison; `MESHC_LSP_BENCH_SIZES`
//! (`1000,5000`) picks the sizes.

#[path = "../tests/support/client.rs"]
mod client;
#[path = "../../benches/support/program.rs"]
mod program;

use std::path::{Path, PathBuf};
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

fn summary(samples: &mut [Duration]) -> String {
    format!(
        "p50 {:>10}, p95 {:>10}  ({} samples)",
        ms(percentile(samples, 0.5)),
        ms(percentile(samples, 0.95)),
        samples.len()
    )
}

/// Peak resident memory of process `pid`, in MiB (Linux).
fn peak_rss_mib(pid: u32) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<f64>().ok()? / 1024.0)
}

/// Up to `count` offsets spread evenly over all `offsets`.
fn spread(offsets: &[usize], count: usize) -> impl Iterator<Item = &usize> {
    offsets.iter().step_by((offsets.len() / count).max(1))
}

/// Measures `binary` on a program of `services` services.
fn measure(binary: &Path, services: usize) {
    let dir = std::env::temp_dir().join(format!("meshc-lsp-bench-{}-{services}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch directory");
    let path = dir.join("bench.mesh");
    let text = program::program(services);
    std::fs::write(&path, &text).expect("write the program");
    let uri = file_uri(&path);

    let mut client = Client::start_binary(binary);
    client.timeout = Duration::from_secs(120);
    let init = client.initialize(&dir, &[]);
    // A server that asks for incremental synchronisation gets the edits
    // as ranges, as editors send them; one that asks for full
    // synchronisation gets the whole text at every edit.
    let ranges = init["capabilities"]["textDocumentSync"]["change"] == 2;
    let start = Instant::now();
    client.open(&uri, &text);
    client.diagnostics(&uri, Some(1));
    let first = start.elapsed();

    // Completion after `to ` in a split, spread over the whole file.
    let marker = "    to v1 80%";
    let offsets: Vec<usize> = text.match_indices(marker).map(|(i, _)| i + "    to ".len()).collect();
    let mut completion = Vec::new();
    for (n, offset) in spread(&offsets, 200).enumerate() {
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

    // Hover on the service named in a split (`svc-N/v1`).
    let hovers: Vec<usize> = text.match_indices(", svc-").map(|(i, _)| i + ", ".len() + 1).collect();
    let mut hover = Vec::new();
    for (n, offset) in spread(&hovers, 200).enumerate() {
        let start = Instant::now();
        let answer = client.request("textDocument/hover", at(&uri, position_at(&text, *offset)));
        hover.push(start.elapsed());
        if n == 0 {
            assert!(answer["contents"].is_object(), "hover answers: {answer}");
        }
    }

    // Edits, each timed until the diagnostics of its version arrive: a
    // weight 80% → 70% and back (same length), and a space typed into the
    // middle of the file and removed (every later position moves).
    let weight = text.find("80%").expect("a weight");
    let middle = offsets.get(offsets.len() / 2).copied().expect("a split") - "to ".len();
    let mut same_length = Vec::new();
    let mut typing = Vec::new();
    for version in 2..42 {
        let moves = version % 4 >= 2;
        let (at, removed, inserted) = match (moves, version % 2 == 0) {
            (false, true) => (weight, 1, "7"),
            (false, false) => (weight, 1, "8"),
            (true, true) => (middle, 0, " "),
            (true, false) => (middle, 1, ""),
        };
        let before = if moves && version % 2 == 1 {
            let mut t = text.clone();
            t.insert(middle, ' ');
            t
        } else if !moves && version % 2 == 1 {
            let mut t = text.clone();
            t.replace_range(weight..weight + 1, "7");
            t
        } else {
            text.clone()
        };
        let mut edited = before.clone();
        edited.replace_range(at..at + removed, inserted);
        let start = Instant::now();
        if ranges {
            let range = client::range(position_at(&before, at), position_at(&before, at + removed));
            client.change_range(&uri, version, range, inserted);
        } else {
            client.change(&uri, version, &edited);
        }
        client.diagnostics(&uri, Some(version));
        if moves { &mut typing } else { &mut same_length }.push(start.elapsed());
    }

    // Fast typing: bursts of 20 keystrokes 50 ms apart, each inserting a
    // letter into a header name, timed from the last keystroke to the
    // diagnostics of the final text (earlier versions are coalesced).
    let mut current = text.clone();
    let mut version = 42;
    let mut after_burst = Vec::new();
    let names: Vec<usize> = text.match_indices("\"x-canary").map(|(i, _)| i + 2).collect();
    // From the bottom up, so that a burst's letters do not move the places
    // of the bursts still to come; the last burst is near the top, where
    // every service below the edit moves.
    let places: Vec<usize> = spread(&names, 5).copied().collect();
    for &at in places.iter().rev() {
        let mut sent = Instant::now();
        for (n, letter) in ('a'..='t').enumerate() {
            let offset = at + n;
            let target = sent + Duration::from_millis(50);
            std::thread::sleep(target.saturating_duration_since(Instant::now()));
            let position = position_at(&current, offset);
            sent = Instant::now();
            if ranges {
                client.change_range(&uri, version, client::range(position, position), &letter.to_string());
                current.insert(offset, letter);
            } else {
                current.insert(offset, letter);
                client.change(&uri, version, &current);
            }
            version += 1;
        }
        client.diagnostics(&uri, Some(version - 1));
        after_burst.push(sent.elapsed());
    }
    let memory = peak_rss_mib(client.pid());
    client.shutdown_and_exit();
    let _ = std::fs::remove_dir_all(&dir);

    println!(
        "{} on {services} services ({} lines, {:.1} MB)",
        binary.display(),
        text.lines().count(),
        text.len() as f64 / 1e6
    );
    println!("  first diagnostics after open:      {}", ms(first));
    println!("  completion:                        {}", summary(&mut completion));
    println!("  hover:                             {}", summary(&mut hover));
    println!("  edit to diagnostics, same length:  {}", summary(&mut same_length));
    println!("  edit to diagnostics, typing:       {}", summary(&mut typing));
    println!("  fast typing, last key to diagnostics: {}", summary(&mut after_burst));
    match memory {
        Some(mib) => println!("  server peak memory:                {mib:.1} MiB"),
        None => println!("  server peak memory:                not measured (no /proc)"),
    }
}

fn main() {
    // `cargo bench` passes `--bench`; a filter argument is not used.
    let sizes: Vec<usize> = std::env::var("MESHC_LSP_BENCH_SIZES")
        .ok()
        .map(|s| s.split(',').filter_map(|n| n.trim().parse().ok()).collect())
        .unwrap_or_else(|| vec![1_000, 5_000, 10_000]);
    let mut binaries = vec![PathBuf::from(env!("CARGO_BIN_EXE_meshc-lsp"))];
    if let Some(baseline) = std::env::var_os("MESHC_LSP_BASELINE") {
        binaries.insert(0, PathBuf::from(baseline));
    }
    for services in sizes {
        for binary in &binaries {
            measure(binary, services);
        }
    }
}
