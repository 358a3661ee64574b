//! The `casebook` binary: everything lives in the library.

fn main() -> std::process::ExitCode {
    casebook::cli::main()
}
