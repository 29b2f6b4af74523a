//! The kiosk binary: everything is wired in `kiosk::cli`.

fn main() -> std::process::ExitCode {
    kiosk::cli::main()
}
