//! The `pathlight` command line: the same engine and the same JSON report as the page.

#[cfg(not(target_arch = "wasm32"))]
mod cli;
#[cfg(not(target_arch = "wasm32"))]
mod experiment_text;
#[cfg(not(target_arch = "wasm32"))]
mod stage_arg;

#[cfg(not(target_arch = "wasm32"))]
fn main() -> std::process::ExitCode {
    cli::main()
}

/// Does nothing: the command line is native only. Cargo still builds every binary when it builds the
/// integration tests for wasm32, so this empty entry point keeps that build working.
#[cfg(target_arch = "wasm32")]
fn main() {}
