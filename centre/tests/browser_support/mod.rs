//! Headless Chromium for the web tests: Debian's `chromium` driven through `chromedriver` (WebDriver,
//! fantoccini), with the repository's Noto Sans SC added to fontconfig, screenshots on request.

#![allow(dead_code)]

use std::{
    io::{BufRead as _, BufReader},
    path::{Path, PathBuf},
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::Duration,
};

use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::json;

pub(crate) const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
pub(crate) const CHROMIUM: &str = "/usr/bin/chromium";
pub(crate) const WAIT: Duration = Duration::from_secs(30);

/// The chromedriver process, killed when dropped.
pub(crate) struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A fontconfig file that adds the repository's Noto Sans SC to the system's fonts, so pages render
/// Chinese also on a machine without CJK fonts (staff PCs and phones have their own).
pub(crate) fn fonts_conf(dir: &Path) -> PathBuf {
    let fonts = Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/fonts");
    let conf = dir.join("fonts.conf");
    std::fs::write(
        &conf,
        format!(
            "<?xml version=\"1.0\"?><!DOCTYPE fontconfig SYSTEM \"fonts.dtd\"><fontconfig>\
             <include ignore_missing=\"yes\">/etc/fonts/fonts.conf</include><dir>{}</dir>\
             <cachedir>{}</cachedir></fontconfig>",
            fonts.display(),
            dir.join("font-cache").display()
        ),
    )
    .unwrap();
    conf
}

pub(crate) fn start_chromedriver(fonts: &Path) -> (Driver, u16) {
    for path in [CHROMEDRIVER, CHROMIUM] {
        assert!(
            Path::new(path).exists(),
            "{path} is missing: install Chromium and its driver (apt-get install -y chromium chromium-driver)"
        );
    }
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut child = Command::new(CHROMEDRIVER)
        .arg(format!("--port={port}"))
        .env("FONTCONFIG_FILE", fonts)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver starts");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if line.contains("started successfully") {
                let _ = tx.send(());
            }
        }
    });
    rx.recv_timeout(WAIT)
        .expect("chromedriver reports that it started");
    (Driver(child), port)
}

/// A Chromium session through the driver on `port`, with `profile` as its user data directory and
/// `extra` arguments (fake media devices for the call console).
pub(crate) async fn chromium_with(port: u16, profile: &Path, extra: &[&str]) -> Client {
    let mut args: Vec<String> = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--no-first-run",
        "--disable-sync",
        "--hide-scrollbars",
        "--lang=zh-CN",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    args.extend(extra.iter().map(|a| (*a).to_owned()));
    let mut caps = serde_json::Map::new();
    caps.insert(
        "goog:chromeOptions".into(),
        json!({ "binary": CHROMIUM, "args": args }),
    );
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("a Chromium session")
}

/// Where screenshots go, when asked for.
pub(crate) fn screenshot_dir() -> Option<PathBuf> {
    (std::env::var("CENTRE_SCREENSHOTS").as_deref() == Ok("1"))
        .then(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../images/centre"))
}

pub(crate) async fn shoot(browser: &Client, name: &str) -> Result<(), fantoccini::error::CmdError> {
    if let Some(dir) = screenshot_dir() {
        std::fs::create_dir_all(&dir).unwrap();
        let png = browser.screenshot().await?;
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        std::fs::write(dir.join(format!("{name}.png")), png).unwrap();
    }
    Ok(())
}

pub(crate) async fn text_of(
    browser: &Client,
    css: &str,
) -> Result<String, fantoccini::error::CmdError> {
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(css))
        .await?
        .text()
        .await
}

/// Waits until the element with `id` contains `text` (after a click, the old page may still be shown).
pub(crate) async fn wait_text(
    browser: &Client,
    id: &str,
    text: &str,
) -> Result<(), fantoccini::error::CmdError> {
    browser
        .wait()
        .at_most(WAIT)
        .for_element(Locator::XPath(&format!(
            "//*[@id='{id}' and contains(., '{text}')]"
        )))
        .await
        .map(drop)
}

/// A Chromium session through the driver on `port`.
pub(crate) async fn chromium(port: u16, profile: &Path) -> Client {
    chromium_with(port, profile, &[]).await
}
