//! The US keyboard layout between Linux key codes and characters, both ways, with the HID usage
//! a keyboard reports for each key (`MSC_SCAN`).

/// `KEY_ENTER`.
pub const KEY_ENTER: u16 = 28;
/// `KEY_KPENTER`, the keypad's Enter.
pub const KEY_KPENTER: u16 = 96;
/// `KEY_LEFTSHIFT`.
pub const KEY_LEFTSHIFT: u16 = 42;
/// `KEY_RIGHTSHIFT`.
pub const KEY_RIGHTSHIFT: u16 = 54;
/// `KEY_LEFTCTRL`.
pub const KEY_LEFTCTRL: u16 = 29;
/// `KEY_RIGHTCTRL`.
pub const KEY_RIGHTCTRL: u16 = 97;
/// `KEY_CAPSLOCK`.
pub const KEY_CAPSLOCK: u16 = 58;

/// Modifier and lock keys that type nothing themselves: Alt, Meta, Num Lock, Scroll Lock.
pub const SILENT_KEYS: [u16; 6] = [56, 100, 125, 126, 69, 70];

/// One key of the main block: its code, character, character with Shift, and HID usage.
#[derive(Debug, Clone, Copy)]
pub struct Key {
    /// Linux key code.
    pub code: u16,
    /// The character without Shift.
    pub plain: char,
    /// The character with Shift.
    pub shifted: char,
    /// HID usage ID on the keyboard page (0x07).
    pub usage: u8,
}

const fn key(code: u16, plain: char, shifted: char, usage: u8) -> Key {
    Key {
        code,
        plain,
        shifted,
        usage,
    }
}

/// The main block of a US keyboard.
pub const MAIN_KEYS: [Key; 48] = [
    key(2, '1', '!', 0x1e),
    key(3, '2', '@', 0x1f),
    key(4, '3', '#', 0x20),
    key(5, '4', '$', 0x21),
    key(6, '5', '%', 0x22),
    key(7, '6', '^', 0x23),
    key(8, '7', '&', 0x24),
    key(9, '8', '*', 0x25),
    key(10, '9', '(', 0x26),
    key(11, '0', ')', 0x27),
    key(12, '-', '_', 0x2d),
    key(13, '=', '+', 0x2e),
    key(15, '\t', '\t', 0x2b),
    key(16, 'q', 'Q', 0x14),
    key(17, 'w', 'W', 0x1a),
    key(18, 'e', 'E', 0x08),
    key(19, 'r', 'R', 0x15),
    key(20, 't', 'T', 0x17),
    key(21, 'y', 'Y', 0x1c),
    key(22, 'u', 'U', 0x18),
    key(23, 'i', 'I', 0x0c),
    key(24, 'o', 'O', 0x12),
    key(25, 'p', 'P', 0x13),
    key(26, '[', '{', 0x2f),
    key(27, ']', '}', 0x30),
    key(30, 'a', 'A', 0x04),
    key(31, 's', 'S', 0x16),
    key(32, 'd', 'D', 0x07),
    key(33, 'f', 'F', 0x09),
    key(34, 'g', 'G', 0x0a),
    key(35, 'h', 'H', 0x0b),
    key(36, 'j', 'J', 0x0d),
    key(37, 'k', 'K', 0x0e),
    key(38, 'l', 'L', 0x0f),
    key(39, ';', ':', 0x33),
    key(40, '\'', '"', 0x34),
    key(41, '`', '~', 0x35),
    key(43, '\\', '|', 0x31),
    key(44, 'z', 'Z', 0x1d),
    key(45, 'x', 'X', 0x1b),
    key(46, 'c', 'C', 0x06),
    key(47, 'v', 'V', 0x19),
    key(48, 'b', 'B', 0x05),
    key(49, 'n', 'N', 0x11),
    key(50, 'm', 'M', 0x10),
    key(51, ',', '<', 0x36),
    key(52, '.', '>', 0x37),
    key(53, '/', '?', 0x38),
];

/// The space bar (code 57, usage 0x2c).
pub const SPACE: Key = key(57, ' ', ' ', 0x2c);

/// Keypad keys that type a character (Num Lock on, as scanners in keypad mode expect).
pub const KEYPAD: [(u16, char); 15] = [
    (82, '0'),
    (79, '1'),
    (80, '2'),
    (81, '3'),
    (75, '4'),
    (76, '5'),
    (77, '6'),
    (71, '7'),
    (72, '8'),
    (73, '9'),
    (83, '.'),
    (98, '/'),
    (55, '*'),
    (74, '-'),
    (78, '+'),
];

/// HID usages of Enter and Left Shift / Left Ctrl, for the simulator's `MSC_SCAN` records.
pub const USAGE_ENTER: u8 = 0x28;
/// HID usage of Left Shift.
pub const USAGE_LEFTSHIFT: u8 = 0xe1;
/// HID usage of Left Ctrl.
pub const USAGE_LEFTCTRL: u8 = 0xe0;

/// A main-block key (or the space bar) by code.
pub fn main_key(code: u16) -> Option<Key> {
    if code == SPACE.code {
        return Some(SPACE);
    }
    MAIN_KEYS.iter().find(|k| k.code == code).copied()
}

/// The character a key types with these modifiers; `None` for keys without a character.
pub fn char_for(code: u16, shift: bool, caps_lock: bool, ctrl: bool) -> Option<char> {
    if let Some(k) = main_key(code) {
        if ctrl && let Some(c) = control_char(k.plain) {
            return Some(c);
        }
        let letter = k.plain.is_ascii_lowercase();
        return Some(if shift != (caps_lock && letter) {
            k.shifted
        } else {
            k.plain
        });
    }
    KEYPAD.iter().find(|(c, _)| *c == code).map(|(_, ch)| *ch)
}

/// Ctrl + a letter or `[ \ ]` types the control characters 0x01–0x1D (GS, 0x1D, separates GS1
/// fields).
fn control_char(plain: char) -> Option<char> {
    match plain {
        'a'..='z' | '[' | '\\' | ']' => char::from_u32(u32::from(plain) & 0x1f),
        _ => None,
    }
}

/// How to type `c`: the key, and whether Shift (or Ctrl) is held. `None` when the US layout
/// cannot type it.
pub fn keystroke(c: char) -> Option<Keystroke> {
    if c == ' ' {
        return Some(Keystroke::plain(SPACE));
    }
    if let Some(k) = MAIN_KEYS.iter().find(|k| k.plain == c) {
        return Some(Keystroke::plain(*k));
    }
    if let Some(k) = MAIN_KEYS.iter().find(|k| k.shifted == c) {
        return Some(Keystroke {
            key: *k,
            shift: true,
            ctrl: false,
        });
    }
    MAIN_KEYS
        .iter()
        .find(|k| control_char(k.plain) == Some(c))
        .map(|k| Keystroke {
            key: *k,
            shift: false,
            ctrl: true,
        })
}

/// A key and the modifier held while pressing it.
#[derive(Debug, Clone, Copy)]
pub struct Keystroke {
    /// The key.
    pub key: Key,
    /// Shift held.
    pub shift: bool,
    /// Ctrl held.
    pub ctrl: bool,
}

impl Keystroke {
    const fn plain(key: Key) -> Self {
        Self {
            key,
            shift: false,
            ctrl: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_printable_ascii_character_is_typed_and_read_back() {
        for c in (0x20u8..0x7f)
            .map(char::from)
            .chain(['\t', '\u{1d}', '\u{1}'])
        {
            let k = keystroke(c).unwrap_or_else(|| panic!("{c:?} has no key"));
            assert_eq!(
                char_for(k.key.code, k.shift, false, k.ctrl),
                Some(c),
                "{c:?}"
            );
        }
        assert!(keystroke('中').is_none());
        assert!(keystroke('\u{7f}').is_none());
    }

    #[test]
    fn caps_lock_changes_letters_only() {
        assert_eq!(char_for(30, false, true, false), Some('A'));
        assert_eq!(char_for(30, true, true, false), Some('a'));
        assert_eq!(char_for(2, false, true, false), Some('1'));
        assert_eq!(char_for(82, true, false, false), Some('0'));
        assert_eq!(char_for(59, false, false, false), None); // F1
    }

    #[test]
    fn codes_and_usages_are_unique() {
        let mut codes: Vec<u16> = MAIN_KEYS.iter().map(|k| k.code).collect();
        codes.extend(KEYPAD.iter().map(|(c, _)| *c));
        codes.extend([
            SPACE.code,
            KEY_ENTER,
            KEY_KPENTER,
            KEY_LEFTSHIFT,
            KEY_RIGHTSHIFT,
        ]);
        codes.extend([KEY_LEFTCTRL, KEY_RIGHTCTRL, KEY_CAPSLOCK]);
        codes.extend(SILENT_KEYS);
        let n = codes.len();
        codes.sort_unstable();
        codes.dedup();
        assert_eq!(codes.len(), n);
        let mut usages: Vec<u8> = MAIN_KEYS.iter().map(|k| k.usage).collect();
        usages.push(SPACE.usage);
        let n = usages.len();
        usages.sort_unstable();
        usages.dedup();
        assert_eq!(usages.len(), n);
    }
}
