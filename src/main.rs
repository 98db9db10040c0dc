//! The `vpcgen` binary: everything lives in the library; this only picks the allocator and sets
//! the exit code.

/// See `src/alloc.rs` and `Cargo.toml` for why (and BENCHMARKS.md for the figures).
#[global_allocator]
static ALLOCATOR: vpcgen::alloc::Allocator = vpcgen::alloc::Allocator;

fn main() {
    std::process::exit(vpcgen::cli::main());
}
