//! The whole-process timings of BENCHMARKS.md, run by `cargo bench` after the in-process
//! benchmarks of `benches/pipeline.rs`, so that one command produces every figure. It hands over
//! to `benches/whole-process.sh`, which builds the release binary and times it with hyperfine
//! and GNU time: the binary a benchmark build links is built with unwinding, which the shipped
//! one is not, so it would not be the binary users run.

// A command of its own: standard error is where it reports.
#![allow(clippy::print_stderr)]

use std::process::{Command, ExitCode};

fn main() -> ExitCode {
    // `cargo bench -- FILTER` hands its filter to every benchmark; this one runs only when there
    // is none or when the filter names it.
    let filters: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let named = |f: &String| "whole-process".contains(f.replace('_', "-").as_str());
    if !filters.is_empty() && !filters.iter().any(named) {
        return ExitCode::SUCCESS;
    }
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/benches/whole-process.sh");
    match Command::new("bash").arg(script).status() {
        Ok(status) if status.success() => ExitCode::SUCCESS,
        Ok(_) => ExitCode::FAILURE,
        Err(e) => {
            eprintln!("cannot run `bash {script}`: {e}");
            ExitCode::FAILURE
        }
    }
}
