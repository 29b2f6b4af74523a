use std::path::Path;

use super::*;

fn parse(text: &str) -> Result<KioskConfig, ConfigError> {
    KioskConfig::parse(text, Path::new("kiosk.toml"))
}

#[test]
fn empty_file_gives_the_defaults() {
    let config = parse("").unwrap();
    assert_eq!(config, KioskConfig::default());
    assert_eq!(config.site.name, "黔江区公共法律服务中心");
    assert_eq!(config.ui.idle_timeout_secs, 60);
    assert!(config.devices.all_simulated());
}

#[test]
fn the_example_file_parses_and_matches_the_defaults() {
    let text = include_str!("../../../assets/config/kiosk.example.toml");
    let config = parse(text).expect("the example config must parse");
    let defaults = KioskConfig::default();
    assert_eq!(config.site, defaults.site);
    assert_eq!(config.ui, defaults.ui);
    assert_eq!(config.devices, defaults.devices);
    assert_eq!(config.technician, defaults.technician);
    assert_eq!(config.board, defaults.board);
    assert_eq!(config.rating_pad, defaults.rating_pad);
}

#[test]
fn rating_pad_keys_and_device_windows_are_read_and_checked() {
    let config = parse(
        "[rating_pad]\nprompt_timeout_secs = 45\n\n[lan]\n[[lan.devices]]\nname = \"pad-3\"\ntoken_sha256 = \"00\"\nwindow = 3\n",
    )
    .unwrap();
    assert_eq!(config.rating_pad.prompt_timeout_secs, 45);
    assert_eq!(config.rating_pad.thanks_secs, 5);
    assert_eq!(config.lan.unwrap().devices[0].window, Some(3));
    let err = parse("[rating_pad]\nprompt_timeout_secs = 2\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("rating_pad.prompt_timeout_secs"), "{err}");
}

#[test]
fn board_keys_are_checked_and_named() {
    let err = parse("[board]\nnight = \"late\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("board.night"), "{err}");
    let err = parse("[board]\nday_brightness = 150\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("board.day_brightness"), "{err}");
    let err = parse("[board]\nbrightness = 50\n").unwrap_err().to_string();
    assert!(err.contains("unknown field"), "{err}");
    let config = parse("[board]\nkind = \"none\"\nnight = \"21:30-06:00\"\n").unwrap();
    assert_eq!(config.board.kind, BoardKind::None);
}

#[test]
fn unknown_key_is_named_with_its_table() {
    let err = parse("[ui]\nidle_timeout = 30\n").unwrap_err().to_string();
    assert!(err.contains("kiosk.toml"), "{err}");
    assert!(
        err.contains("ui.idle_timeout") || err.contains("idle_timeout"),
        "{err}"
    );
    assert!(err.contains("unknown field"), "{err}");
}

#[test]
fn wrong_type_names_the_key() {
    let err = parse("[ui]\nidle_timeout_secs = \"soon\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("`ui.idle_timeout_secs`"), "{err}");
}

#[test]
fn out_of_range_value_names_key_and_reason() {
    let err = parse("[ui]\nidle_timeout_secs = 1\n").unwrap_err();
    assert!(
        matches!(err, ConfigError::Invalid { ref key, .. } if key == "ui.idle_timeout_secs"),
        "{err}"
    );
    assert!(err.to_string().contains("between 10 and 3600"));
}

#[test]
fn syntax_error_is_reported_with_the_file() {
    let err = parse("[ui\n").unwrap_err();
    assert!(matches!(err, ConfigError::Syntax { .. }), "{err}");
}

#[test]
fn real_devices_are_configured_by_kind() {
    let config = parse(
        "[devices.printer]\nkind = \"serial\"\nport = \"/dev/ttyUSB0\"\nbaud = 115200\n\
         [devices.id_reader]\nkind = \"none\"\n",
    )
    .unwrap();
    assert!(matches!(
        config.devices.printer,
        PrinterConfig::Serial { baud: 115_200, .. }
    ));
    assert_eq!(config.devices.id_reader, IdReaderConfig::None);
    assert!(!config.devices.all_simulated());
}

#[test]
fn impossible_baud_rate_is_rejected() {
    let err = parse("[devices.printer]\nkind = \"serial\"\nport = \"/dev/ttyUSB0\"\nbaud = 1234\n")
        .unwrap_err();
    assert!(err.to_string().contains("devices.printer.baud"), "{err}");
}

#[test]
fn unknown_device_kind_is_rejected() {
    let err = parse("[devices.printer]\nkind = \"laser\"\n")
        .unwrap_err()
        .to_string();
    assert!(err.contains("devices.printer"), "{err}");
}

#[test]
fn sizes_parse() {
    assert_eq!(parse_size("1080x1920"), Some((1080, 1920)));
    assert_eq!(parse_size(" 1920 X 1080 "), Some((1920, 1080)));
    assert_eq!(parse_size("10x10"), None);
    assert_eq!(parse_size_any("160x16"), Some((160, 16)));
    assert_eq!(parse_size("big"), None);
}

#[test]
fn unknown_printer_profile_is_rejected() {
    let err = parse("[devices.printer]\nkind = \"sim\"\nprofile = \"generic-99\"\n").unwrap_err();
    assert!(err.to_string().contains("devices.printer.profile"), "{err}");
}

#[test]
fn the_example_queue_lan_and_content_tables_are_valid() {
    let text = include_str!("../../../assets/config/kiosk.example.toml");
    let config = parse(text).unwrap();
    let queue = config.queue.expect("the example has a [queue] table");
    assert_eq!(queue.elderly_age, 60);
    assert!(config.lan.is_some(), "the example has a [lan] table");
    assert_eq!(
        config.content,
        ContentConfig::default(),
        "the example shows the content defaults"
    );
}

#[test]
fn every_table_is_checked_when_the_file_is_read() {
    // A bad value in a table owned by another crate is refused at load, naming file and key.
    let err = parse("[queue]\nbogus = true\n").unwrap_err();
    assert!(
        matches!(err, ConfigError::Field { ref key, .. } if key == "queue.bogus"),
        "{err}"
    );
    let err = parse("[[queue.services]]\nid = \"Bad Id\"\nname_zh = \"x\"\nprefix = \"A\"\n")
        .unwrap_err();
    assert!(
        matches!(err, ConfigError::Invalid { ref key, .. } if key == "queue"),
        "{err}"
    );
    let err = parse("[lan]\nlisten = 5\n").unwrap_err();
    assert!(err.to_string().contains("lan.listen"), "{err}");
    let err = parse("[content]\ninterval_secs = 1\n").unwrap_err();
    assert!(
        matches!(err, ConfigError::Invalid { ref key, .. } if key == "content.interval_secs"),
        "{err}"
    );
    let err = parse("[displays]\nqueue_host = \"ftp://x\"\n").unwrap_err();
    assert!(
        matches!(err, ConfigError::Invalid { ref key, .. } if key == "displays.queue_host"),
        "{err}"
    );
    assert!(err.to_string().contains("kiosk.toml"), "{err}");
}

#[test]
fn a_bad_technician_pin_hash_names_the_key() {
    let err = parse("[technician]\npin_sha256 = \"8642\"\n").unwrap_err();
    assert!(
        matches!(err, ConfigError::Invalid { ref key, .. } if key == "technician.pin_sha256"),
        "{err}"
    );
    assert!(err.to_string().contains("kiosk.toml"), "{err}");
    let err = parse("[technician]\nmax_attempts = 0\n").unwrap_err();
    assert!(err.to_string().contains("technician.max_attempts"), "{err}");
}

#[test]
fn a_bad_scanner_setting_names_its_key_under_devices_scanner() {
    let err =
        parse("[devices.scanner]\nkind = \"serial\"\npath = \"/dev/kiosk-scanner\"\nbaud = 1234\n")
            .unwrap_err()
            .to_string();
    assert!(err.contains("devices.scanner.baud"), "{err}");
    assert!(err.contains("1234"), "{err}");
    let ok = parse("[devices.scanner]\nkind = \"keyboard\"\npath = \"/dev/input/kiosk-scanner\"\n");
    assert!(ok.is_ok(), "{ok:?}");
}

#[test]
fn the_applications_table_is_checked_when_the_file_is_read() {
    let err = parse("[applications]\ncentre_public_key = \"not-a-key\"\n").unwrap_err();
    assert!(
        err.to_string().contains("applications.centre_public_key"),
        "{err}"
    );
    let err = parse("[applications]\ncamera_width = 10\n").unwrap_err();
    assert!(
        err.to_string().contains("applications.camera_width"),
        "{err}"
    );
    let config = parse(
        "[applications]\ncamera_kind = \"v4l2\"\ncamera = \"/dev/video2\"\ncentre_public_key = \"1111111111111111111111111111111111111111111111111111111111111111\"\n",
    )
    .unwrap();
    assert_eq!(config.applications.camera_kind, DocCameraKind::V4l2);
    assert_eq!(config.applications.camera, "/dev/video2");
    assert!(parse("[applications]\nbogus = 1\n").is_err());
}
