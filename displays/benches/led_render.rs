//! Frame render time of the LED panel and its CPU share at 30 frames per second.
//!
//! `cargo bench -p displays --bench led_render`. Renders scenes into a 256×32 (two-line hall strip) and a
//! 160×16 (one line of five P10 modules) framebuffer at successive times (the marquee moves every frame),
//! then encodes frames for the HUB12 and MAX7219 drivers. Prints mean, p50 and p99 per frame and the
//! share of one CPU core that 30 frames per second take.

use std::{
    hint::black_box,
    time::{Duration, Instant},
};

use displays::led::{
    ChainLayout, IdleScene, MonoFrame, RgbFrame, Scene, Style, WaitingCount, draw,
    hub12::frame_phases, max7219::frame_transactions,
};

const FRAMES: u32 = 600;

/// `cargo bench -- --test`, as CI runs it: a smoke run of a few iterations that executes the
/// bench's checks (a failure exits non-zero); its figures are not measurements.
fn smoke_run() -> bool {
    std::env::args().skip(1).any(|a| a == "--test")
}

/// Frames per case: [`FRAMES`], or 5 in a smoke run.
fn frames() -> u32 {
    if smoke_run() { 5 } else { FRAMES }
}

fn idle() -> Scene {
    Scene::Idle(IdleScene {
        notices: vec![
            "欢迎来到黔江区公共法律服务中心".into(),
            "法律服务热线 12348".into(),
            "请持身份证取号，留意叫号".into(),
        ],
        clock: Some("1月5日 星期一 09:30".into()),
        waiting: vec![
            WaitingCount {
                label: "法律咨询".into(),
                waiting: 12,
            },
            WaitingCount {
                label: "法律援助".into(),
                waiting: 3,
            },
            WaitingCount {
                label: "人民调解".into(),
                waiting: 5,
            },
        ],
    })
}

fn report(name: &str, mut times: Vec<Duration>) {
    times.sort();
    let mean = times.iter().sum::<Duration>() / u32::try_from(times.len()).unwrap();
    let p = |q: f64| times[((times.len() - 1) as f64 * q) as usize];
    let share = mean.as_secs_f64() * 30.0 * 100.0;
    println!(
        "{name:<44} mean {:>8.3} ms  p50 {:>8.3} ms  p99 {:>8.3} ms  CPU at 30 fps {share:>5.2} %",
        mean.as_secs_f64() * 1e3,
        p(0.5).as_secs_f64() * 1e3,
        p(0.99).as_secs_f64() * 1e3,
    );
}

fn bench_mono(name: &str, scene: &Scene, size: (u32, u32)) {
    let style = Style::mono(24, Duration::from_secs(3));
    let mut frame = MonoFrame::new(size.0, size.1);
    let step = Duration::from_secs(1) / 30;
    let times = (0..frames())
        .map(|i| {
            let t = Instant::now();
            draw(black_box(scene), step * i, &style, &mut frame);
            black_box(&frame);
            t.elapsed()
        })
        .collect();
    report(name, times);
}

fn main() {
    if smoke_run() {
        println!(
            "led_render: smoke run (--test), {} frames each; not a measurement",
            frames()
        );
    }
    println!(
        "LED panel rendering, {} frames each (1/30 s apart)",
        frames()
    );
    bench_mono(
        "idle 256x32 (two lines, both scrolling)",
        &idle(),
        (256, 32),
    );
    bench_mono(
        "call 256x32 (two lines, still, flashing)",
        &Scene::Call {
            ticket: "A012".into(),
            window: 3,
        },
        (256, 32),
    );
    bench_mono("idle 160x16 (one line, scrolling)", &idle(), (160, 16));
    bench_mono(
        "call 64x16 (scrolling)",
        &Scene::Call {
            ticket: "A012".into(),
            window: 3,
        },
        (64, 16),
    );

    let style = Style::rgb(24, Duration::from_secs(3));
    let mut rgb = RgbFrame::new(256, 32);
    let scene = idle();
    let times = (0..frames())
        .map(|i| {
            let t = Instant::now();
            draw(&scene, Duration::from_secs(1) / 30 * i, &style, &mut rgb);
            black_box(&rgb);
            t.elapsed()
        })
        .collect();
    report("idle 256x32 RGB", times);

    let mut frame = MonoFrame::new(256, 16);
    draw(
        &idle(),
        Duration::ZERO,
        &Style::mono(24, Duration::ZERO),
        &mut frame,
    );
    let times = (0..frames())
        .map(|_| {
            let t = Instant::now();
            black_box(frame_phases(black_box(&frame), 8));
            t.elapsed()
        })
        .collect();
    report("encode HUB12, 8 P10 modules (4 phases)", times);
    let mut frame = MonoFrame::new(64, 8);
    draw(
        &idle(),
        Duration::ZERO,
        &Style::mono(24, Duration::ZERO),
        &mut frame,
    );
    let times = (0..frames())
        .map(|_| {
            let t = Instant::now();
            black_box(frame_transactions(black_box(&frame), &ChainLayout::new(8)));
            t.elapsed()
        })
        .collect();
    report("encode MAX7219, chain of 8", times);
}
