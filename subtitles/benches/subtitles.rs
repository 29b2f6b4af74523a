//! Parsing a feature-length SRT file (1,500 cues) and looking up the cue on screen once per video frame.

use std::{hint::black_box, time::Duration};

use criterion::{Criterion, criterion_group, criterion_main};
use subtitles::Subtitles;

fn film() -> String {
    (0..1500u64)
        .map(|i| {
            let s = i * 3000;
            let stamp = |ms: u64| {
                format!(
                    "{:02}:{:02}:{:02},{:03}",
                    ms / 3_600_000,
                    ms / 60_000 % 60,
                    ms / 1000 % 60,
                    ms % 1000
                )
            };
            format!(
                "{}\n{} --> {}\n<i>第{}句</i> 法律援助是国家建立的制度\nLegal aid line {}\n\n",
                i + 1,
                stamp(s),
                stamp(s + 2500),
                i,
                i
            )
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let text = film();
    c.bench_function("parse 1500 cues", |b| {
        b.iter(|| Subtitles::parse(black_box(text.as_bytes())).unwrap());
    });
    let subs = Subtitles::parse(text.as_bytes()).unwrap();
    let mut t = 0u64;
    c.bench_function("cue at a frame's time", |b| {
        b.iter(|| {
            t = (t + 33) % 4_500_000;
            black_box(subs.at(Duration::from_millis(t)));
        });
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
