//! The video call on this machine's network address: from the citizen's tap to the lawyer's first
//! picture on the kiosk (p50, p90, max over repeated calls), and the kiosk's CPU during a 640×480
//! call (the goal: first picture ≤ 3 s at p90).
//!
//! `cargo bench -p centre --bench video_call`. The centre runs in-process (SQLite, the demo's
//! accounts); the kiosk is the real call client (`videocall::start`, test camera and tone, VP8 and
//! Opus); the lawyer is this benchmark run again as a child process (`--lawyer URL`: a console
//! without a browser answering with real media, `videocall::lawyer`), so the CPU measured in this
//! process is the kiosk's (and the centre's relaying, which is negligible). Prints a Markdown table
//! for the README. `-- --test` is a smoke run (two calls, two seconds); its figures are not
//! measurements.

use std::{
    io::{BufRead as _, BufReader},
    process::{Command, Stdio},
    sync::{
        Arc,
        atomic::{AtomicU64, Ordering},
    },
    time::{Duration, Instant},
};

use media::{Frame, FrameSink, call::CallSettings};
use videocall::{CallRequest, CallUpdate};

const WAIT: Duration = Duration::from_secs(30);

#[derive(Default)]
struct Count(AtomicU64);

impl FrameSink for Count {
    fn frame(&self, _: &Frame<'_>) {
        self.0.fetch_add(1, Ordering::Relaxed);
    }
}

fn settings() -> CallSettings {
    CallSettings {
        width: 640,
        height: 480,
        framerate: 30,
        ..CallSettings::default()
    }
}

/// CPU seconds this process has used (user + system), from `/proc/self/stat` (clock ticks of
/// 1/100 s, Linux's USER_HZ).
fn cpu_secs() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after_name = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after_name.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    // Fields 14 and 15 of the file (utime, stime) are the 12th and 13th after the name.
    (ticks(11) + ticks(12)) / 100.0
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn lawyer_child(base: &str) {
    media::init().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let (_orders, orders_rx) = tokio::sync::mpsc::unbounded_channel();
    let frames = Arc::new(AtomicU64::new(0));
    // Ends when the parent closes our stdin.
    let watch = std::thread::spawn(|| {
        let mut line = String::new();
        let _ = std::io::stdin().read_line(&mut line);
    });
    runtime.spawn({
        let base = base.to_owned();
        let frames = Arc::clone(&frames);
        async move {
            videocall::lawyer::run(&base, "admin", "admin-demo", settings(), orders_rx, frames)
                .await
                .unwrap();
        }
    });
    println!("ready");
    let _ = watch.join();
    eprintln!(
        "lawyer: decoded {} pictures of the kiosk",
        frames.load(Ordering::Relaxed)
    );
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(i) = args.iter().position(|a| a == "--lawyer") {
        lawyer_child(&args[i + 1]);
        return;
    }
    let smoke = args.iter().any(|a| a == "--test");
    let (calls, hold) = if smoke {
        println!("video_call: smoke run (--test), 2 calls; not a measurement");
        (2, Duration::from_secs(2))
    } else {
        (20, Duration::from_secs(20))
    };
    media::init().unwrap();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let base = runtime.block_on(async {
        let store: Arc<dyn centre::Store> =
            Arc::new(centre::SqliteStore::open(&dir.path().join("centre.sqlite3")).unwrap());
        centre::install_accounts(store.as_ref(), &centre::Accounts::Demo)
            .await
            .unwrap();
        let state = centre::AppState::new(
            store,
            Arc::new(clock::SystemWallClock),
            centre::ApiSettings::default(),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        tokio::spawn(centre::serve(listener, state, std::future::pending()));
        base
    });
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args(["--lawyer", &base])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut ready = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut ready)
        .unwrap();
    assert_eq!(ready.trim(), "ready", "the lawyer process started");

    let url = base.replacen("http://", "ws://", 1) + "/api/v1/calls/ws";
    let mut first_pictures = Vec::new();
    let mut cpu_share = 0.0;
    let mut frames_per_sec = 0.0;
    for n in 0..calls {
        let mut request = CallRequest::new(url.clone(), "劳动争议");
        request.token = Some(centre::auth::DEMO_DEVICE_TOKEN.into());
        request.media = settings();
        let pictures = Arc::new(Count::default());
        let tapped = Instant::now();
        let mut call = {
            let _guard = runtime.enter();
            videocall::start(request, pictures.clone(), None)
        };
        runtime.block_on(async {
            tokio::time::timeout(WAIT, async {
                loop {
                    match call.next().await {
                        Some(CallUpdate::RemoteVideo { .. }) => break,
                        Some(
                            CallUpdate::Unanswered
                            | CallUpdate::Unreachable { .. }
                            | CallUpdate::Failed { .. },
                        )
                        | None => {
                            panic!("call {n} did not connect")
                        }
                        Some(_) => {}
                    }
                }
            })
            .await
            .expect("the first picture within 30 s");
        });
        first_pictures.push(tapped.elapsed());
        if n == calls - 1 {
            // The last call is held: the kiosk's CPU while it runs.
            let (cpu0, frames0, t0) = (
                cpu_secs(),
                pictures.0.load(Ordering::Relaxed),
                Instant::now(),
            );
            std::thread::sleep(hold);
            let wall = t0.elapsed().as_secs_f64();
            cpu_share = (cpu_secs() - cpu0) / wall * 100.0;
            frames_per_sec = (pictures.0.load(Ordering::Relaxed) - frames0) as f64 / wall;
        }
        call.leave();
        runtime.block_on(async {
            while let Some(update) = call.next().await {
                if update == CallUpdate::Closed {
                    break;
                }
            }
        });
    }
    drop(child.stdin.take());
    let _ = child.wait();
    let mut sorted = first_pictures.clone();
    sorted.sort();
    let ms = |d: Duration| d.as_millis();
    println!();
    println!("| measure | value |");
    println!("|---|---|");
    println!(
        "| tap to the lawyer's first picture, {} calls | p50 {} ms, p90 {} ms, max {} ms |",
        sorted.len(),
        ms(percentile(&sorted, 0.5)),
        ms(percentile(&sorted, 0.9)),
        ms(*sorted.last().unwrap())
    );
    println!(
        "| kiosk CPU during a 640×480 call (VP8 + Opus both ways, {} s) | {cpu_share:.0} % of one core |",
        hold.as_secs()
    );
    println!("| the lawyer's pictures shown on the kiosk | {frames_per_sec:.1} per second |");
}
