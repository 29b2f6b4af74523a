//! Benchmarks: decoding a 1295-byte read answer, and a full find → select → read cycle against
//! the simulated SAM over a pseudo-terminal and in-process. Compare with the wire time of the
//! read answer alone: 1295 bytes × 10 bits at 115200 baud ≈ 112 ms.

use std::hint::black_box;
use std::time::Duration;

use criterion::{Criterion, criterion_group, criterion_main};
use id_reader::sim::{SimCard, SimReader, SimSam};
use id_reader::{
    CardSpec, Command, FrameDecoder, IdentityCard, ReadData, Response, SamClient, SerialStream,
    Timeouts,
};

fn sample_spec() -> CardSpec {
    CardSpec::from_toml(include_str!("../cards/resident.toml")).unwrap()
}

fn read_answer() -> Vec<u8> {
    let mut sam = SimSam::new();
    sam.place(SimCard::from_spec(&sample_spec()).unwrap());
    sam.handle_bytes(&Command::FindCard.encode());
    sam.handle_bytes(&Command::SelectCard.encode());
    sam.handle_bytes(&Command::ReadTextPhoto.encode())
        .remove(0)
        .frame
}

fn decode(c: &mut Criterion) {
    let frame = read_answer();
    assert_eq!(frame.len(), 1295);
    c.bench_function("decode 1295-byte read answer to IdentityCard", |b| {
        let mut dec = FrameDecoder::responses();
        b.iter(|| {
            dec.push(black_box(&frame));
            let payload = dec.next_frame().unwrap().unwrap();
            let response = Response::from_payload(&payload).unwrap();
            let data = ReadData::parse(&response.data, false).unwrap();
            black_box(IdentityCard::from_read(&data).unwrap())
        })
    });
    c.bench_function("frame decoder, 1295 bytes in 64-byte chunks", |b| {
        let mut dec = FrameDecoder::responses();
        b.iter(|| {
            for chunk in frame.chunks(64) {
                dec.push(black_box(chunk));
            }
            black_box(dec.next_frame().unwrap().unwrap())
        })
    });
}

fn cycle(c: &mut Criterion) {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let sim = SimReader::new();
    sim.place(&sample_spec().to_card().unwrap());

    let pty = rt.block_on(async { sim.open_pty().unwrap() });
    let mut client = rt.block_on(async {
        SamClient::new(
            SerialStream::open(pty.path(), 115_200).unwrap(),
            Timeouts::default(),
        )
    });
    let mut group = c.benchmark_group("find-select-read cycle");
    group
        .sample_size(30)
        .measurement_time(Duration::from_secs(5));
    group.bench_function("over a pty", |b| {
        b.iter(|| {
            black_box(
                rt.block_on(client.find_select_read(false))
                    .unwrap()
                    .unwrap(),
            )
        })
    });
    let mut local = rt.block_on(async { SamClient::new(sim.duplex(), Timeouts::default()) });
    group.bench_function("in-process duplex", |b| {
        b.iter(|| black_box(rt.block_on(local.find_select_read(false)).unwrap().unwrap()))
    });
    group.finish();
}

criterion_group!(benches, decode, cycle);
criterion_main!(benches);
