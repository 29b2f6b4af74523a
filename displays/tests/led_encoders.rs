//! Golden bytes of the panel encoders (vectors from the hardware reference) and their inverse mappings.

use displays::led::{
    ChainLayout, MonoFrame, Rotation,
    hub12::{frame_phases, phase_bytes},
    max7219::{frame_transactions, init_transactions},
};

fn hex(bytes: &[u8]) -> String {
    bytes
        .iter()
        .map(|b| format!("{b:02X}"))
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn max7219_init_sequence_for_a_four_module_chain() {
    let lines: Vec<String> = init_transactions(4, 3).iter().map(|t| hex(t)).collect();
    let mut expected = vec![
        "0F 00 0F 00 0F 00 0F 00".to_owned(), // display test off
        "0B 07 0B 07 0B 07 0B 07".to_owned(), // scan limit 7
        "09 00 09 00 09 00 09 00".to_owned(), // no decode
        "0A 03 0A 03 0A 03 0A 03".to_owned(), // intensity 3
    ];
    expected.extend((1..=8).map(|r| format!("{r:02X} 00 {r:02X} 00 {r:02X} 00 {r:02X} 00"))); // clear rows
    expected.push("0C 01 0C 01 0C 01 0C 01".to_owned()); // leave shutdown
    assert_eq!(lines, expected);
    // Intensity is clamped to the register's range.
    assert_eq!(hex(&init_transactions(1, 200)[3]), "0A 0F");
}

fn diagonal_on_device_0() -> MonoFrame {
    let mut frame = MonoFrame::new(32, 8);
    for i in 0..8 {
        frame.set(i, i, true);
    }
    frame
}

#[test]
fn max7219_diagonal_on_the_device_nearest_din() {
    let t = frame_transactions(&diagonal_on_device_0(), &ChainLayout::new(4));
    assert_eq!(t.len(), 8);
    assert_eq!(hex(&t[0]), "01 00 01 00 01 00 01 80");
    assert_eq!(hex(&t[1]), "02 00 02 00 02 00 02 40");
    assert_eq!(hex(&t[7]), "08 00 08 00 08 00 08 01");
}

#[test]
fn max7219_reverse_chain_moves_the_pattern_to_the_farthest_device() {
    let layout = ChainLayout {
        reverse_chain: true,
        ..ChainLayout::new(4)
    };
    let t = frame_transactions(&diagonal_on_device_0(), &layout);
    // Device 3 (farthest, its word shifted first) now shows the leftmost module.
    assert_eq!(hex(&t[0]), "01 80 01 00 01 00 01 00");
    assert_eq!(hex(&t[7]), "08 01 08 00 08 00 08 00");
}

/// An asymmetric glyph on module 0: the top row's left half and the left column.
fn l_shape() -> MonoFrame {
    let mut frame = MonoFrame::new(8, 8);
    for i in 0..4 {
        frame.set(i, 0, true);
    }
    for y in 0..8 {
        frame.set(0, y, true);
    }
    frame
}

#[test]
fn max7219_rotations_and_mirror_on_a_golden_pattern() {
    let rows = |rotate, flip_x| -> Vec<u8> {
        frame_transactions(
            &l_shape(),
            &ChainLayout {
                rotate,
                flip_x,
                ..ChainLayout::new(1)
            },
        )
        .iter()
        .map(|t| t[1])
        .collect()
    };
    assert_eq!(
        rows(Rotation::R0, false),
        [0xF0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80]
    );
    assert_eq!(
        rows(Rotation::R0, true),
        [0x0F, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01]
    );
    assert_eq!(
        rows(Rotation::R90, false),
        [0xFF, 0x01, 0x01, 0x01, 0x00, 0x00, 0x00, 0x00]
    );
    assert_eq!(
        rows(Rotation::R180, false),
        [0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x01, 0x0F]
    );
    assert_eq!(
        rows(Rotation::R270, false),
        [0x00, 0x00, 0x00, 0x00, 0x80, 0x80, 0x80, 0xFF]
    );
}

/// The inverse of the MAX7219 mapping for the default layout: transactions back to a frame.
fn decode_max7219(transactions: &[Vec<u8>], modules: usize) -> MonoFrame {
    let mut frame = MonoFrame::new(8 * modules as u32, 8);
    for t in transactions {
        for (k, word) in t.chunks(2).enumerate() {
            let device = modules - 1 - k;
            let row = u32::from(word[0]) - 1;
            for c in 0..8u32 {
                if word[1] & (0x80 >> c) != 0 {
                    frame.set(8 * device as u32 + c, row, true);
                }
            }
        }
    }
    frame
}

/// A pseudo-random frame (xorshift), different for each seed.
fn noise(width: u32, height: u32, mut seed: u32) -> MonoFrame {
    let mut frame = MonoFrame::new(width, height);
    for y in 0..height {
        for x in 0..width {
            seed ^= seed << 13;
            seed ^= seed >> 17;
            seed ^= seed << 5;
            frame.set(x, y, seed & 1 == 1);
        }
    }
    frame
}

#[test]
fn max7219_encoding_loses_nothing() {
    for seed in 1..50 {
        let frame = noise(32, 8, seed);
        assert_eq!(
            decode_max7219(&frame_transactions(&frame, &ChainLayout::new(4)), 4),
            frame,
            "seed {seed}"
        );
    }
}

#[test]
fn hub12_golden_vector_for_one_panel() {
    let mut frame = MonoFrame::new(32, 16);
    frame.set(0, 0, true);
    frame.set(8, 5, true);
    frame.set(31, 15, true);
    assert_eq!(
        hex(&phase_bytes(&frame, 1, 0)),
        "FF FF FF 7F FF FF FF FF FF FF FF FF FF FF FF FF"
    );
    assert_eq!(
        hex(&phase_bytes(&frame, 1, 1)),
        "FF FF FF FF FF FF 7F FF FF FF FF FF FF FF FF FF"
    );
    assert_eq!(hex(&phase_bytes(&frame, 1, 2)), ["FF"; 16].join(" "));
    assert_eq!(
        hex(&phase_bytes(&frame, 1, 3)),
        "FF FF FF FF FF FF FF FF FF FF FF FF FE FF FF FF"
    );
    // A dark frame sends all ones (a set bit is an LED off).
    assert!(
        phase_bytes(&MonoFrame::new(64, 16), 2, 0)
            .iter()
            .all(|&b| b == 0xFF)
    );
    assert_eq!(phase_bytes(&MonoFrame::new(64, 16), 2, 0).len(), 32);
}

/// The inverse of the HUB12 mapping: the four phases back to a frame.
fn decode_hub12(phases: &[Vec<u8>; 4], panels: usize) -> MonoFrame {
    let mut frame = MonoFrame::new(32 * panels as u32, 16);
    for (s, bytes) in phases.iter().enumerate() {
        for (k, byte) in bytes.iter().enumerate() {
            let column = (k / 4) as u32;
            let row = [s + 12, s + 8, s + 4, s][k % 4] as u32;
            for bit in 0..8 {
                if byte & (0x80 >> bit) == 0 {
                    frame.set(column * 8 + bit, row, true);
                }
            }
        }
    }
    frame
}

#[test]
fn hub12_encoding_loses_nothing() {
    for panels in [1, 2, 5] {
        for seed in 1..20 {
            let frame = noise(32 * panels as u32, 16, seed);
            assert_eq!(
                decode_hub12(&frame_phases(&frame, panels), panels),
                frame,
                "{panels} panels, seed {seed}"
            );
        }
    }
}

#[test]
fn encoders_take_frames_of_any_size_without_panicking() {
    for (w, h) in [(0, 0), (1, 1), (7, 3), (300, 40)] {
        let frame = noise(w, h, 7);
        assert_eq!(frame_transactions(&frame, &ChainLayout::new(4)).len(), 8);
        assert_eq!(phase_bytes(&frame, 1, 9).len(), 16);
        assert_eq!(frame_transactions(&frame, &ChainLayout::new(0)).len(), 8);
    }
}
