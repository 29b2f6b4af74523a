//! The Debian package's files: systemd units pass `systemd-analyze verify` and a hardening threshold,
//! the udev rules are well formed and give the names the packaged configuration uses, and the package's
//! asset list installs every file a board needs.

use std::{
    collections::BTreeMap,
    path::{Path, PathBuf},
    process::Command,
};

use displays::led::LedOwner;
use kiosk::config::{IdReaderConfig, KioskConfig, PrinterConfig};

const UNITS: [&str; 3] = ["kiosk.service", "kiosk-hall.service", "kiosk-queue.service"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_owned()
}

fn packaging() -> PathBuf {
    repo().join("kiosk/packaging")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn systemd_analyze() -> Command {
    assert!(
        Command::new("systemd-analyze")
            .arg("--version")
            .output()
            .is_ok(),
        "systemd-analyze is missing: apt-get install systemd"
    );
    Command::new("systemd-analyze")
}

/// The units copied to a temporary directory with `/usr/bin/kiosk` pointing to an executable there
/// (`verify` checks that the command exists and is executable, not what it does).
fn units_in_temp_dir() -> (tempfile::TempDir, Vec<PathBuf>) {
    let dir = tempfile::tempdir().unwrap();
    let exe = dir.path().join("kiosk");
    std::fs::write(&exe, "#!/bin/sh\nexit 0\n").unwrap();
    let mut perms = std::fs::metadata(&exe).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&exe, perms).unwrap();
    let units = UNITS
        .iter()
        .map(|name| {
            let text = read(&packaging().join("systemd").join(name));
            let path = dir.path().join(name);
            std::fs::write(&path, text.replace("/usr/bin/kiosk", exe.to_str().unwrap())).unwrap();
            path
        })
        .collect();
    (dir, units)
}

/// `Key=value` lines of a unit's section, in order (later lines of the same key kept too).
fn unit_keys(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.starts_with('#') && !line.starts_with('['))
        .filter_map(|line| line.split_once('='))
        .map(|(k, v)| (k.trim().to_owned(), v.trim().to_owned()))
        .collect()
}

#[test]
fn units_pass_systemd_analyze_verify_without_a_warning() {
    let (_dir, units) = units_in_temp_dir();
    let out = systemd_analyze()
        .arg("verify")
        .arg("--man=no")
        .args(&units)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    // `verify` reports unknown keys and bad values on stderr but still exits 0: both must be clean.
    assert!(
        out.status.success(),
        "systemd-analyze verify failed:\n{stderr}"
    );
    assert!(
        stderr.trim().is_empty(),
        "systemd-analyze verify warned:\n{stderr}"
    );
}

#[test]
fn a_broken_unit_is_caught() {
    let (dir, _units) = units_in_temp_dir();
    let broken = dir.path().join("broken.service");
    let text = read(&packaging().join("systemd/kiosk.service"))
        .replace("Restart=always", "Restart=sometimes");
    std::fs::write(&broken, text).unwrap();
    let out = systemd_analyze()
        .args(["verify", "--man=no"])
        .arg(&broken)
        .output()
        .unwrap();
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("sometimes"),
        "the check above would not notice a bad value"
    );
}

#[test]
fn units_are_hardened() {
    let (_dir, units) = units_in_temp_dir();
    for unit in &units {
        // Exposure on systemd's scale 0 (locked down) to 10 (unprotected); 3.0 or less is "OK".
        let out = systemd_analyze()
            .args(["security", "--offline=yes", "--threshold=30", "--no-pager"])
            .arg(unit)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let overall = stdout
            .lines()
            .find(|l| l.contains("Overall exposure level"))
            .unwrap_or("no overall exposure line");
        assert!(
            out.status.success(),
            "{}: exposure above 3.0: {overall}",
            unit.display()
        );
    }
}

#[test]
fn units_restart_watch_and_keep_state_in_var_lib_kiosk() {
    let expect_exec = [
        (
            "kiosk.service",
            "/usr/bin/kiosk --config /etc/kiosk/kiosk.toml",
        ),
        (
            "kiosk-hall.service",
            "/usr/bin/kiosk --config /etc/kiosk/kiosk.toml --role hall-display",
        ),
        (
            "kiosk-queue.service",
            "/usr/bin/kiosk serve --config /etc/kiosk/kiosk.toml",
        ),
    ];
    for (name, exec) in expect_exec {
        let keys: BTreeMap<_, _> = unit_keys(&read(&packaging().join("systemd").join(name)))
            .into_iter()
            .filter(|(k, _)| k != "Environment" && k != "SystemCallFilter")
            .collect();
        let get = |key: &str| keys.get(key).map(String::as_str);
        assert_eq!(get("ExecStart"), Some(exec), "{name}");
        assert_eq!(get("Type"), Some("notify"), "{name}");
        assert_eq!(get("Restart"), Some("always"), "{name}");
        assert_eq!(get("StateDirectory"), Some("kiosk"), "{name}");
        assert_eq!(get("User"), Some("kiosk"), "{name}");
        // Files the service creates (databases, logs) are private to it (SECURITY.md, finding 15),
        // and the descriptors outlast the LAN connection limit (finding 3).
        assert_eq!(get("UMask"), Some("0077"), "{name}");
        let nofile: u32 = get("LimitNOFILE")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name}: LimitNOFILE"));
        assert!(nofile >= 2048, "{name}: LimitNOFILE={nofile}");
        let watchdog: u32 = get("WatchdogSec")
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("{name}: WatchdogSec in seconds"));
        assert!(
            (5..=120).contains(&watchdog),
            "{name}: WatchdogSec={watchdog}"
        );
        let env = unit_keys(&read(&packaging().join("systemd").join(name)));
        assert!(
            env.iter()
                .any(|(k, v)| k == "Environment" && v == "KIOSK_DATA_DIR=/var/lib/kiosk"),
            "{name}: the data directory is /var/lib/kiosk"
        );
    }
}

/// One `KEY{attr}OP"value"` of a udev rule.
#[derive(Debug, PartialEq)]
struct UdevToken {
    key: String,
    attr: Option<String>,
    op: String,
    value: String,
}

/// Parses one udev rule line into its tokens, with a reason when it is malformed.
fn parse_udev_rule(line: &str) -> Result<Vec<UdevToken>, String> {
    let mut rest = line.trim();
    let mut tokens = Vec::new();
    while !rest.is_empty() {
        let key_len = rest
            .find(|c: char| !(c.is_ascii_uppercase() || c == '_'))
            .ok_or_else(|| format!("no operator after `{rest}`"))?;
        if key_len == 0 {
            return Err(format!("expected a key at `{rest}`"));
        }
        let key = rest[..key_len].to_owned();
        rest = &rest[key_len..];
        let attr = if let Some(inner) = rest.strip_prefix('{') {
            let end = inner.find('}').ok_or("unclosed `{`")?;
            rest = &inner[end + 1..];
            Some(inner[..end].to_owned())
        } else {
            None
        };
        let op = ["==", "!=", "+=", "-=", ":=", "="]
            .into_iter()
            .find(|op| rest.starts_with(op))
            .ok_or_else(|| format!("{key}: no operator"))?;
        rest = rest[op.len()..]
            .strip_prefix('"')
            .ok_or_else(|| format!("{key}: the value must be quoted"))?;
        let end = rest
            .find('"')
            .ok_or_else(|| format!("{key}: unclosed quote"))?;
        let value = rest[..end].to_owned();
        rest = rest[end + 1..].trim_start();
        if !rest.is_empty() {
            rest = rest
                .strip_prefix(',')
                .ok_or_else(|| format!("{key}: expected `,` before `{rest}`"))?
                .trim_start();
        }
        tokens.push(UdevToken {
            key,
            attr,
            op: op.to_owned(),
            value,
        });
    }
    Ok(tokens)
}

/// Checks a rule's keys and operators the way udev reads them (udevadm verify is not in Debian 12).
fn check_udev_rule(tokens: &[UdevToken]) -> Result<(), String> {
    const MATCH_ONLY: &[&str] = &[
        "ACTION",
        "DEVPATH",
        "KERNEL",
        "KERNELS",
        "SUBSYSTEM",
        "SUBSYSTEMS",
        "DRIVER",
        "DRIVERS",
        "ATTRS",
        "TAGS",
        "TEST",
        "PROGRAM",
        "RESULT",
        "CONST",
    ];
    const ASSIGN_ONLY: &[&str] = &[
        "OWNER", "GROUP", "MODE", "RUN", "LABEL", "GOTO", "OPTIONS", "SECLABEL",
    ];
    const BOTH: &[&str] = &["NAME", "SYMLINK", "ATTR", "SYSCTL", "ENV", "TAG", "IMPORT"];
    let mut matches = 0;
    let mut assigns = 0;
    for t in tokens {
        let is_match = t.op == "==" || t.op == "!=";
        let key = t.key.as_str();
        let known_as = if MATCH_ONLY.contains(&key) {
            is_match
        } else if ASSIGN_ONLY.contains(&key) {
            !is_match
        } else {
            BOTH.contains(&key)
        };
        if !known_as {
            return Err(format!(
                "{key}{} cannot be used with `{}`",
                t.attr
                    .as_deref()
                    .map(|a| format!("{{{a}}}"))
                    .unwrap_or_default(),
                t.op
            ));
        }
        let needs_attr = matches!(key, "ATTR" | "ATTRS" | "ENV" | "SYSCTL" | "IMPORT");
        if needs_attr != t.attr.is_some() {
            return Err(format!("{key}: attribute braces wrong"));
        }
        if matches!(t.attr.as_deref(), Some("idVendor" | "idProduct"))
            && !(t.value.len() == 4
                && t.value
                    .chars()
                    .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()))
        {
            return Err(format!(
                "{key}{{{}}}: `{}` is not 4 lower-case hex digits",
                t.attr.as_deref().unwrap_or(""),
                t.value
            ));
        }
        if key == "MODE"
            && !(t.value.len() == 4 && t.value.chars().all(|c| ('0'..='7').contains(&c)))
        {
            return Err(format!("MODE `{}` is not 4 octal digits", t.value));
        }
        if is_match {
            matches += 1;
        } else {
            assigns += 1;
        }
    }
    if matches == 0 || assigns == 0 {
        return Err("a rule needs at least one match and one assignment".to_owned());
    }
    Ok(())
}

fn udev_rules() -> Vec<(usize, Vec<UdevToken>)> {
    read(&packaging().join("udev/60-kiosk.rules"))
        .lines()
        .enumerate()
        .filter(|(_, line)| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
        .map(|(i, line)| {
            let tokens = parse_udev_rule(line)
                .and_then(|t| check_udev_rule(&t).map(|()| t))
                .unwrap_or_else(|e| panic!("60-kiosk.rules:{}: {e}\n{line}", i + 1));
            (i + 1, tokens)
        })
        .collect()
}

#[test]
fn udev_rules_are_well_formed_and_name_both_devices() {
    let rules = udev_rules();
    let symlinks: Vec<&str> = rules
        .iter()
        .flat_map(|(_, tokens)| tokens)
        .filter(|t| t.key == "SYMLINK")
        .map(|t| t.value.as_str())
        .collect();
    for name in [
        "kiosk-printer",
        "kiosk-idreader",
        "kiosk-printer-lp",
        "kiosk-scanner",
        "input/kiosk-scanner",
    ] {
        assert!(symlinks.contains(&name), "no rule names /dev/{name}");
    }
    for (line, tokens) in &rules {
        if let Some(group) = tokens.iter().find(|t| t.key == "GROUP") {
            assert_eq!(
                group.value, "kiosk",
                "line {line}: devices belong to the kiosk group"
            );
            let mode = tokens.iter().find(|t| t.key == "MODE");
            assert_eq!(mode.map(|t| t.value.as_str()), Some("0660"), "line {line}");
        }
    }
    // The kiosk user and group the rules and units rely on exist once sysusers has run.
    let sysusers = read(&packaging().join("sysusers/kiosk.conf"));
    assert!(sysusers.lines().any(|l| l.starts_with("u kiosk ")));
}

#[test]
fn udev_checker_rejects_malformed_rules() {
    let bad = [
        r#"SUBSYSTEM="tty", SYMLINK+="x""#, // assignment to a match-only key
        r#"SUBSYSTEM=="tty", GROUP=="kiosk""#, // match on an assign-only key
        r#"SUBSYSTEM=="tty" SYMLINK+="x""#, // missing comma
        r#"SUBSYSTEM=="tty", SYMLINK+="x"#, // unclosed quote
        r#"ATTRS{idVendor}=="1A86", SYMLINK+="x""#, // upper-case id
        r#"SUBSYSTEM=="tty", MODE="660""#,  // mode not 4 digits
        r#"SUBSYSTEM=="tty""#,              // no assignment
        r#"SUBSYTEM=="tty", SYMLINK+="x""#, // unknown key
    ];
    for line in bad {
        let verdict = parse_udev_rule(line).and_then(|t| check_udev_rule(&t));
        assert!(verdict.is_err(), "accepted: {line}");
    }
}

#[test]
fn packaged_config_loads_and_uses_the_udev_names() {
    let path = packaging().join("kiosk.toml");
    let config = KioskConfig::load(&path).unwrap();
    assert!(config.ui.fullscreen);
    assert_eq!(
        config.storage.data_dir.as_deref(),
        Some(Path::new("/var/lib/kiosk"))
    );
    match &config.devices.printer {
        PrinterConfig::Serial { port, .. } => assert_eq!(port, Path::new("/dev/kiosk-printer")),
        other => panic!("printer: {other:?}"),
    }
    match &config.devices.id_reader {
        IdReaderConfig::Serial { port, .. } => assert_eq!(port, Path::new("/dev/kiosk-idreader")),
        other => panic!("ID reader: {other:?}"),
    }
    match &config.devices.scanner {
        code_scanner::ScannerConfig::Serial(serial) => {
            assert_eq!(serial.path, Path::new("/dev/kiosk-scanner"));
        }
        other => panic!("code scanner: {other:?}"),
    }
    assert_eq!(config.displays.led.driven_by, LedOwner::HallDisplay);
    kiosk::cli::queue_config(&config, true).expect("[queue] and [lan] of the packaged config");
}

#[test]
fn deb_assets_install_every_file_a_board_needs() {
    let manifest: toml::Table = read(&repo().join("kiosk/Cargo.toml")).parse().unwrap();
    let deb = &manifest["package"]["metadata"]["deb"];
    let assets = deb["assets"]
        .as_array()
        .expect("[package.metadata.deb] assets");
    let mut dests = Vec::new();
    for asset in assets {
        let asset = asset.as_array().expect("assets as [source, dest, mode]");
        let (source, dest) = (asset[0].as_str().unwrap(), asset[1].as_str().unwrap());
        if !source.starts_with("target/") {
            assert!(
                repo().join("kiosk").join(source).is_file(),
                "asset {source} is missing"
            );
        }
        let file = Path::new(source).file_name().unwrap().to_str().unwrap();
        dests.push(if dest.ends_with('/') {
            format!("{dest}{file}")
        } else {
            dest.to_owned()
        });
    }
    let mut wanted = vec![
        "usr/bin/kiosk".to_owned(),
        "etc/kiosk/kiosk.toml".to_owned(),
        "etc/kiosk/kiosk.env".to_owned(),
        "usr/lib/udev/rules.d/60-kiosk.rules".to_owned(),
        "usr/lib/sysusers.d/kiosk.conf".to_owned(),
        "usr/share/doc/kiosk/INSTALL.md".to_owned(),
    ];
    wanted.extend(UNITS.iter().map(|u| format!("usr/lib/systemd/system/{u}")));
    for want in &wanted {
        assert!(dests.contains(want), "the package does not install /{want}");
    }
    let scripts = repo()
        .join("kiosk")
        .join(deb["maintainer-scripts"].as_str().unwrap());
    for script in ["postinst", "prerm", "postrm"] {
        let out = Command::new("sh")
            .arg("-n")
            .arg(scripts.join(script))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{script}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
