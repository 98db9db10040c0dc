//! The `vpcgen` binary: everything lives in the library; this only sets the exit code.

// Rendering is allocation-heavy (template values, strings); mimalloc cuts that cost markedly
// against the system allocator (see BENCHMARKS.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(vpcgen::cli::main());
}
