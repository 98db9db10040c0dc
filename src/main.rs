//! The `vpcgen` binary: everything lives in the library; this only picks the allocator and hands
//! the exit code back.

#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    vpcgen::cli::main()
}
