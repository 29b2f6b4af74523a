//! Encoding benchmarks, plus bytes per ticket and wire time beside the same ticket sent as
//! one raster image.

use criterion::{Criterion, criterion_group};
use std::hint::black_box;
use ticket_printer::encode::encode_ticket_as_raster;
use ticket_printer::status::PrinterStatus;
use ticket_printer::{Layout, MaskedName, Ticket, encode_ticket, profile, virtual_printer};

fn wire_ms(bytes: usize, baud: u32) -> f64 {
    // 8N1: ten bits per byte.
    bytes as f64 * 10.0 * 1000.0 / f64::from(baud)
}

fn print_sizes() {
    println!(
        "| ticket | ESC/POS bytes | 9600 baud | 115200 baud | as one raster image | 9600 baud | 115200 baud |"
    );
    println!("|---|---|---|---|---|---|---|");
    for p in [&profile::GENERIC_58, &profile::GENERIC_80_ZH] {
        let layout = Layout::for_paper(p.paper);
        let text = encode_ticket(&Ticket::sample(), p, &layout).unwrap().len();
        let raster = encode_ticket_as_raster(&Ticket::sample(), p, &layout)
            .unwrap()
            .len();
        println!(
            "| {} | {text} | {:.0} ms | {:.0} ms | {raster} | {:.0} ms | {:.0} ms |",
            p.name,
            wire_ms(text, 9600),
            wire_ms(text, 115_200),
            wire_ms(raster, 9600),
            wire_ms(raster, 115_200)
        );
    }
}

fn benches(c: &mut Criterion) {
    let ticket = Ticket::sample();
    let mut rare = Ticket::sample();
    rare.name = MaskedName::from_masked("龚*䶮");
    for p in [&profile::GENERIC_58, &profile::GENERIC_80_ZH] {
        let layout = Layout::for_paper(p.paper);
        c.bench_function(&format!("encode_ticket/{}", p.name), |b| {
            b.iter(|| encode_ticket(black_box(&ticket), p, &layout).unwrap())
        });
    }
    let p = &profile::GENERIC_80_ZH;
    let layout = Layout::for_paper(p.paper);
    c.bench_function("encode_ticket/rare_name_raster_fallback", |b| {
        b.iter(|| encode_ticket(black_box(&rare), p, &layout).unwrap())
    });
    let bytes = encode_ticket(&ticket, p, &layout).unwrap();
    c.bench_function("virtual_printer/render_80mm_ticket", |b| {
        b.iter(|| virtual_printer::render(black_box(&bytes), p))
    });
    c.bench_function("status/parse_dle_eot_1_2_4", |b| {
        b.iter(|| {
            PrinterStatus::from_bytes(black_box(0x1A), black_box(0x32), None, black_box(0x7E))
        })
    });
}

criterion_group!(encode, benches);

fn main() {
    print_sizes();
    encode();
    Criterion::default().configure_from_args().final_summary();
}
