//! LED scenes as ASCII-art snapshots at fixed times (`#` = LED on).
//!
//! The snapshots live in `tests/led_snapshots/`; after an intended change of the drawing, regenerate them
//! with `BLESS=1 cargo test -p kiosk --test led_scenes` and review the diff (refused when `CI` is set).

use std::{path::PathBuf, time::Duration};

use displays::led::{IdleScene, MonoFrame, RgbFrame, Scene, Style, WaitingCount, draw, render};
use embedded_graphics::pixelcolor::{Rgb888, RgbColor};

fn snapshot(name: &str, frame: &MonoFrame) {
    golden::check_text(
        PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/led_snapshots")
            .join(format!("{name}.txt")),
        &frame.to_ascii(),
    );
}

fn call() -> Scene {
    Scene::Call {
        ticket: "A012".into(),
        window: 3,
    }
}

fn idle() -> Scene {
    Scene::Idle(IdleScene {
        notices: vec!["欢迎来到黔江区公共法律服务中心".into()],
        clock: Some("1月5日 星期一 09:30".into()),
        waiting: vec![
            WaitingCount {
                label: "法律咨询".into(),
                waiting: 3,
            },
            WaitingCount {
                label: "法律援助".into(),
                waiting: 1,
            },
        ],
    })
}

fn mono(scene: &Scene, size: (u32, u32), at_ms: u64, highlight_secs: u64) -> MonoFrame {
    let mut frame = MonoFrame::new(size.0, size.1);
    draw(
        scene,
        Duration::from_millis(at_ms),
        &Style::mono(24, Duration::from_secs(highlight_secs)),
        &mut frame,
    );
    frame
}

#[test]
fn call_on_a_one_line_p10_strip() {
    snapshot("call_160x16", &mono(&call(), (160, 16), 0, 0));
}

#[test]
fn call_flashes_in_inverse_video_then_stays_still() {
    let flash = mono(&call(), (160, 16), 0, 3);
    let normal = mono(&call(), (160, 16), 0, 0);
    snapshot("call_160x16_flash_on", &flash);
    // Inverse video: every LED of the normal picture is flipped.
    for y in 0..16 {
        for x in 0..160 {
            assert_ne!(flash.get(x, y), normal.get(x, y), "({x},{y})");
        }
    }
    // The off half of the flashing, and after the highlight time, it is the normal picture.
    assert_eq!(mono(&call(), (160, 16), 600, 3), normal);
    assert_eq!(mono(&call(), (160, 16), 3100, 3), normal);
}

#[test]
fn call_on_a_two_line_hall_strip() {
    snapshot("call_256x32", &mono(&call(), (256, 32), 0, 0));
}

#[test]
fn call_on_a_max7219_strip_is_ascii() {
    snapshot("call_32x8", &mono(&call(), (32, 8), 0, 0));
}

#[test]
fn call_scrolls_on_a_narrow_panel() {
    let at_0 = mono(&call(), (64, 16), 0, 0);
    let at_2s = mono(&call(), (64, 16), 2000, 0);
    snapshot("call_64x16_t0", &at_0);
    snapshot("call_64x16_t2000", &at_2s);
    // 24 LEDs/s: after 2 s the text has moved 48 LEDs to the left.
    for y in 0..16 {
        for x in 0..16 {
            assert_eq!(at_2s.get(x, y), at_0.get(x + 48, y), "({x},{y})");
        }
    }
}

#[test]
fn idle_scrolls_notices_clock_and_counts() {
    snapshot("idle_160x16_t0", &mono(&idle(), (160, 16), 0, 0));
    snapshot("idle_160x16_t5000", &mono(&idle(), (160, 16), 5000, 0));
    assert_eq!(
        idle().text(),
        "欢迎来到黔江区公共法律服务中心　　1月5日 星期一 09:30　　等候：法律咨询 3人 法律援助 1人"
    );
}

#[test]
fn idle_on_two_lines_shows_status_above_notices() {
    snapshot("idle_256x32_t3000", &mono(&idle(), (256, 32), 3000, 0));
}

#[test]
fn missing_glyph_shows_as_a_box_not_a_gap() {
    let with_box = mono(&Scene::Message("请😀".into()), (48, 16), 0, 0);
    snapshot("missing_glyph_48x16", &with_box);
    let without = mono(&Scene::Message("请".into()), (48, 16), 0, 0);
    assert!(with_box.lit() > without.lit() + 10, "the box is drawn");
}

#[test]
fn drawing_is_a_pure_function_of_scene_and_time() {
    for at in [0, 777, 12_345] {
        assert_eq!(
            mono(&idle(), (96, 16), at, 0),
            mono(&idle(), (96, 16), at, 0)
        );
    }
    // `render` (no flashing) is `draw` with the mono style.
    let mut a = MonoFrame::new(96, 16);
    render(&idle(), Duration::from_millis(777), 24, &mut a);
    assert_eq!(a, mono(&idle(), (96, 16), 777, 0));
}

#[test]
fn rgb_panel_uses_the_same_layout_in_colour() {
    let mut rgb = RgbFrame::new(160, 16);
    let style = Style::rgb(24, Duration::from_secs(3));
    draw(&call(), Duration::from_millis(600), &style, &mut rgb);
    let mono = mono(&call(), (160, 16), 0, 0);
    for y in 0..16 {
        for x in 0..160 {
            let lit = rgb.get(x, y) != Rgb888::BLACK;
            assert_eq!(lit, mono.get(x, y), "({x},{y})");
            if lit {
                assert_eq!(rgb.get(x, y), style.text);
            }
        }
    }
    // Flashing: the background turns red.
    draw(&call(), Duration::ZERO, &style, &mut rgb);
    assert_eq!(rgb.get(0, 0), style.highlight_background);
}

#[test]
fn ascii_roundtrip_of_frames() {
    let frame = mono(&call(), (160, 16), 0, 0);
    assert_eq!(MonoFrame::from_ascii(&frame.to_ascii()), frame);
}
