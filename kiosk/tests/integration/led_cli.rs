//! `kiosk led render` as a technician runs it: PNG and GIF output, and clear errors.

use std::process::Command;

fn kiosk(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kiosk"))
        .args(["led", "render"])
        .args(args)
        .output()
        .unwrap()
}

fn png_size(path: &std::path::Path) -> (u32, u32) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let reader = decoder.read_info().unwrap();
    (reader.info().width, reader.info().height)
}

#[test]
fn renders_a_call_and_an_idle_scene_to_png_and_gif() {
    let dir = tempfile::tempdir().unwrap();
    let call = dir.path().join("call.png");
    let out = kiosk(&[
        "--scene",
        "call",
        "--ticket",
        "A012",
        "--window",
        "3",
        "--size",
        "160x16",
        "--png",
        call.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(png_size(&call), (160 * 6, 16 * 6));

    let idle = dir.path().join("idle.gif");
    let out = kiosk(&[
        "--scene",
        "idle",
        "--size",
        "256x32",
        "--gif",
        idle.to_str().unwrap(),
        "--seconds",
        "1",
        "--fps",
        "10",
        "--scale",
        "3",
        "--waiting",
        "法律咨询=3",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let gif = std::fs::read(&idle).unwrap();
    assert_eq!(&gif[..6], b"GIF89a");
    assert_eq!(u16::from_le_bytes([gif[6], gif[7]]), 256 * 3);

    let rgb = dir.path().join("rgb.png");
    let out = kiosk(&[
        "--scene",
        "test",
        "--size",
        "32x8",
        "--colour",
        "rgb",
        "--png",
        rgb.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(png_size(&rgb), (32 * 6, 8 * 6));
}

#[test]
fn bad_arguments_are_named() {
    let out = kiosk(&["--scene", "weather", "--png", "/dev/null"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("unknown scene `weather`"));
    let out = kiosk(&["--size", "wide", "--png", "/dev/null"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--size `wide`"));
    let out = kiosk(&["--scene", "call"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("--png"));
}
