//! The `vpcgen` binary: everything lives in the library; this only hands the exit code back.
//! It uses the system allocator (BENCHMARKS.md, the eighth round, compares it with mimalloc).

fn main() -> std::process::ExitCode {
    vpcgen::cli::main()
}
