//! Whatever the sizes and bytes, `detect_page`, `scan` and `encode_jpeg` answer without
//! panicking: a page, `None`, or an error that names the problem.

use docscan::{RgbaView, ScanError, ScanSettings, detect_page, encode_jpeg, scan};
use proptest::prelude::*;

fn settings() -> ScanSettings {
    // Small pages keep hundreds of cases fast in a debug build.
    ScanSettings {
        target_width: 48,
        ..ScanSettings::default()
    }
}

fn exercise(width: u32, height: u32, stride: usize, buf: &[u8]) {
    let view = RgbaView::new(width, height, stride, buf);
    let valid = view.validate();
    let found = detect_page(&view);
    if valid.is_err() {
        assert!(found.is_none());
    }
    if let Some(q) = found {
        assert!(q.is_convex());
    }
    match scan(&view, &settings()) {
        Ok(page) => {
            assert!(valid.is_ok());
            assert_eq!(&page.jpeg[..2], &[0xFF, 0xD8]);
        }
        Err(e) => {
            assert!(!e.to_string().is_empty() && !e.zh().is_empty());
            if let Err(v) = &valid {
                assert_eq!(&e, v);
            }
        }
    }
    if width <= 64 && height <= 64 {
        let _ = encode_jpeg(&view, 50, false);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn small_pictures_never_panic(
        width in 0u32..48,
        height in 0u32..48,
        pad in 0usize..9,
        short in 0usize..3,
        seed in any::<u64>(),
        pattern in 0u8..4,
    ) {
        let stride = (width as usize * 4 + pad).saturating_sub(if pad == 8 { 5 } else { 0 });
        let full = stride * height.saturating_sub(1) as usize + width as usize * 4;
        let len = full.saturating_sub(short * 3);
        let mut state = seed | 1;
        let buf: Vec<u8> = (0..len)
            .map(|i| match pattern {
                0 => {
                    state ^= state << 13;
                    state ^= state >> 7;
                    state ^= state << 17;
                    state as u8
                }
                1 => 0,
                2 => 255,
                // A bright block on a dark ground.
                _ => {
                    let (x, y) = ((i % stride.max(1)) / 4, i / stride.max(1));
                    if x > width as usize / 4 && y > height as usize / 4 && x < width as usize * 3 / 4 && y < height as usize * 3 / 4 { 230 } else { 30 }
                }
            })
            .collect();
        exercise(width, height, stride, &buf);
    }

    #[test]
    fn huge_sizes_with_short_buffers_are_errors(
        width in any::<u32>(),
        height in any::<u32>(),
        stride in any::<usize>(),
        len in 0usize..4096,
    ) {
        let buf = vec![128u8; len];
        let view = RgbaView::new(width, height, stride, &buf);
        let needed = (stride as u128) * u128::from(height.saturating_sub(1)) + u128::from(width) * 4;
        if width > 0 && height > 0 && needed > len as u128 {
            prop_assert!(view.validate().is_err());
        }
        exercise(width, height, stride, &buf);
    }
}

#[test]
fn edge_cases() {
    let one = [200u8, 10, 10, 255];
    exercise(1, 1, 4, &one);
    exercise(1, 1, 0, &one);
    exercise(1, 1, usize::MAX, &one);
    exercise(u32::MAX, u32::MAX, usize::MAX, &one);
    exercise(0, 0, 0, &[]);
    // A tall strip: its page is squeezed to 1:4, not 1:1000.
    let strip = vec![90u8; 4 * 1000];
    let err = scan(&RgbaView::packed(1, 1000, &strip), &settings());
    assert!(matches!(err, Err(ScanError::Blank { .. })), "{err:?}");
    let mut stripes = vec![0u8; 4 * 2 * 1000];
    for (i, v) in stripes.iter_mut().enumerate() {
        *v = if (i / 8) % 20 < 10 { 40 } else { 220 };
    }
    let page = scan(&RgbaView::packed(2, 1000, &stripes), &settings()).unwrap();
    assert_eq!((page.width, page.height), (48, 192));
}
