//! The `vpcgen` binary: everything lives in the library; this only picks the allocator and sets
//! the exit code.

/// See `Cargo.toml` for why (and BENCHMARKS.md for the figures).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(vpcgen::cli::main());
}
