//! ESC/POS byte sequences written here rather than taken from the `escpos` crate, each with
//! the reason.

/// `FS &`: enter Chinese (double-byte) mode. The `escpos` crate has no call for it.
pub const CHINESE_MODE_ON: [u8; 2] = [0x1C, 0x26];
/// `FS .`: leave Chinese mode.
pub const CHINESE_MODE_OFF: [u8; 2] = [0x1C, 0x2E];
/// `GS a 0`: disable Automatic Status Back, so that the only bytes a printer sends are the
/// replies to our `DLE EOT` queries. The `escpos` crate has no call for it.
pub const ASB_OFF: [u8; 3] = [0x1D, 0x61, 0x00];
/// `GS V B 0`: feed 0 and partial cut. The `escpos` crate's `partial_cut()` sends
/// `GS V A 1`, which is "feed 1 dot and *full* cut" (function B of `GS V`, m = 65).
pub const PARTIAL_CUT: [u8; 4] = [0x1D, 0x56, 0x42, 0x00];
/// `LF`: print the line buffer and feed one line.
pub const LF: u8 = 0x0A;

/// `ESC J n`: feed `n` dots. Used after raster lines so that they take the same vertical
/// space as text lines (24-dot characters on a 30-dot line pitch).
pub fn feed_dots(n: u8) -> [u8; 3] {
    [0x1B, 0x4A, n]
}

/// `DLE EOT n`: real-time status query, exactly three bytes. The `escpos` crate always
/// appends a fourth parameter byte (`10 04 01 00`), which the Epson reference does not define
/// for n = 1..4; the stray NUL is printed or misread by some clones.
pub fn realtime_status(n: u8) -> [u8; 3] {
    [0x10, 0x04, n]
}
