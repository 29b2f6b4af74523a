//! Tests that cannot run under qemu-user skip there, and only there.
//!
//! qemu-user does not emulate the serial ioctls (`TCGETS2`), so a real tty cannot be opened, and it cannot
//! start the crate's own aarch64 binaries as child processes. The cargo runner for the ARM targets
//! (`.cargo/config.toml`) sets `KIOSK_TEST_EMULATED=qemu-user`; native runs never set it, so these tests
//! always run natively (`cargo test --workspace`, or on the board).

/// The variable the emulating cargo runner sets.
const EMULATED_ENV: &str = "KIOSK_TEST_EMULATED";

/// True when running under emulation, after printing which test skips and why (on stderr directly, so
/// the line shows in the log even though the test harness captures the tests' output).
pub(crate) fn skip_under_emulation(test: &str, needs: &str) -> bool {
    use std::io::Write as _;
    match std::env::var(EMULATED_ENV) {
        Ok(emulator) if !emulator.is_empty() => {
            let _ = writeln!(
                std::io::stderr(),
                "SKIPPED {test}: needs {needs}, which {emulator} does not provide"
            );
            true
        }
        _ => false,
    }
}
