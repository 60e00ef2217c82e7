//! End-to-end build benchmark: `cargo bench --bench build`.
//!
//! For generated programs of 100, 1,000 and 10,000 services (3 subsets, a
//! traffic policy and 2 routes each), it measures the whole build (parse,
//! check, emit YAML) and, as the floor, the time `serde_yaml` alone takes
//! to serialize the same manifests.  It reports the ratio of the two, the
//! time per service (flat when the build is linear), and the time
//! `meshc fmt` takes on the same text.  Last, it runs the
//! `meshc` binary itself on the largest program written to a file, as a
//! user would, and reports its wall time and peak memory.

use std::time::{Duration, Instant};

#[path = "support/program.rs"]
mod program;

use meshc::emit::{self, ApiVersion};

use meshc::{Sources, analyze};
use program::program;

/// The allocator `meshc` itself uses (see `src/main.rs`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// The fastest of `runs` runs of `f`.
fn best_of<T>(runs: usize, mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..runs {
        let start = Instant::now();
        let out = f();
        best = best.min(start.elapsed());
        last = Some(out);
    }
    (best, last.expect("at least one run"))
}

/// What `meshc build` does after reading the file: check and write the
/// YAML documents, then join them into one stream.
fn build(text: &str) -> String {
    let mut sources = Sources::default();
    sources.add("bench.mesh", text);
    let (documents, _) = meshc::build(&sources, ApiVersion::V1).expect("the generated program compiles");
    let mut out = Vec::with_capacity(text.len() * 3);
    emit::write_documents(&documents, &mut out).expect("serializes");
    String::from_utf8(out).expect("UTF-8")
}

/// The largest resident memory any finished child process had, in MiB.
fn children_peak_rss_mib() -> f64 {
    // SAFETY: `getrusage` only writes the struct it is given.
    let usage = unsafe {
        let mut usage = std::mem::zeroed::<libc::rusage>();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    usage.ru_maxrss as f64 / 1024.0
}

/// Runs `meshc build` on the program of `services` services in a file, as
/// a user would: the best wall time of `runs` runs and the peak memory.
fn cli_build(services: usize, runs: usize) -> std::io::Result<(Duration, f64)> {
    let dir = std::env::temp_dir().join(format!("meshc-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    let result = time_builds(&dir, services, runs);
    let _ = std::fs::remove_dir_all(&dir);
    Ok((result?, children_peak_rss_mib()))
}

/// The best wall time of `runs` runs of `meshc build` in `dir`.
fn time_builds(dir: &std::path::Path, services: usize, runs: usize) -> std::io::Result<Duration> {
    let (input, output) = (dir.join("program.mesh"), dir.join("out.yaml"));
    std::fs::write(&input, program(services))?;
    let mut best = Duration::MAX;
    for _ in 0..runs {
        let start = Instant::now();
        let status = std::process::Command::new(env!("CARGO_BIN_EXE_meshc"))
            .arg("build")
            .arg(&input)
            .arg("-o")
            .arg(&output)
            .status()?;
        best = best.min(start.elapsed());
        if !status.success() {
            return Err(std::io::Error::other("meshc build failed"));
        }
    }
    Ok(best)
}

fn main() {
    // First, while this process is small: a child's peak memory counts
    // what it shares with its parent before it starts `meshc`.
    let cli = match cli_build(10_000, 5) {
        Ok((time, peak)) => format!(
            "meshc build of the 10,000-service file (read, build, write): {:.0}ms, peak memory {peak:.1} MiB",
            time.as_secs_f64() * 1e3
        ),
        Err(e) => format!("meshc build of the 10,000-service file: not measured ({e})"),
    };
    println!(
        "{:>8} {:>10} {:>12} {:>12} {:>7} {:>12}",
        "services", "YAML", "build", "serde_yaml", "ratio", "per service"
    );
    for services in [100, 1_000, 10_000] {
        let text = program(services);
        let mut sources = Sources::default();
        sources.add("bench.mesh", text.as_str());
        let resources = emit::resources(analyze(&sources).checked.program, ApiVersion::V1);
        // The build and the floor alternate, so that both see the same
        // machine; the best of each is kept.
        let runs = if services >= 10_000 { 7 } else { 15 };
        let (mut build_time, mut floor) = (Duration::MAX, Duration::MAX);
        let mut yaml_len = 0;
        for _ in 0..runs {
            let (t, yaml) = best_of(1, || build(&text));
            build_time = build_time.min(t);
            yaml_len = yaml.len();
            let (t, _) = best_of(1, || {
                resources
                    .iter()
                    .map(|r| serde_yaml::to_string(r).expect("serializes").len())
                    .sum::<usize>()
            });
            floor = floor.min(t);
        }
        println!(
            "{services:>8} {:>8.1}MB {:>10.1}ms {:>10.1}ms {:>6.2}x {:>10.2}µs",
            yaml_len as f64 / 1e6,
            build_time.as_secs_f64() * 1e3,
            floor.as_secs_f64() * 1e3,
            build_time.as_secs_f64() / floor.as_secs_f64(),
            build_time.as_secs_f64() * 1e6 / services as f64,
        );
    }
    // Where the time of the largest build goes.
    let text = program(10_000);
    let (parse, _) = best_of(3, || meshc::syntax::parse(0, &text));
    let mut sources = Sources::default();
    sources.add("bench.mesh", text.as_str());
    let (analysis_time, _) = best_of(3, || analyze(&sources));
    let (build_time, _) = best_of(3, || meshc::build(&sources, ApiVersion::V1).expect("compiles"));
    println!(
        "10,000 services: parse {:.0}ms, parse+check {:.0}ms, parse+check+YAML documents {:.0}ms",
        parse.as_secs_f64() * 1e3,
        analysis_time.as_secs_f64() * 1e3,
        build_time.as_secs_f64() * 1e3,
    );
    // Formatting the same programs: linear when the time per service is
    // flat.
    for services in [1_000, 10_000] {
        let text = program(services);
        let (time, _) = best_of(5, || meshc::fmt::format(&text));
        println!(
            "formatting {services} services ({:.1} MB, fmt::format): {:.1}ms, {:.2}µs per service",
            text.len() as f64 / 1e6,
            time.as_secs_f64() * 1e3,
            time.as_secs_f64() * 1e6 / services as f64,
        );
    }
    println!("{cli}");
}
