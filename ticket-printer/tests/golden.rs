//! Golden files: ticket bytes (`.bin`) with a readable disassembly (`.txt`) and the virtual
//! printer's render (`.png`). Regenerate with `BLESS=1 cargo test -p ticket-printer --test golden`
//! (refused when `CI` is set; see the `golden` crate).

use std::path::PathBuf;

use ticket_printer::disasm::disassemble;
use ticket_printer::profile::{self, Profile};
use ticket_printer::{
    Bitmap, Layout, MaskedName, Ticket, encode_test_page, encode_ticket, virtual_printer,
};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn check(name: &str, bytes: &[u8], profile: &Profile) {
    let dir = golden_dir();
    let tickets = virtual_printer::render(bytes, profile);
    assert_eq!(tickets.len(), 1, "{name}: one ticket expected");
    // The disassembly first: its difference is the readable one.
    golden::check_text(dir.join(format!("{name}.txt")), &disassemble(bytes));
    golden::check_bytes(dir.join(format!("{name}.bin")), bytes);
    // The render is compared by its pixels, not by the PNG encoding.
    golden::check_with(
        dir.join(format!("{name}.png")),
        &tickets[0].png(),
        |expected, _| {
            let expected = Bitmap::from_png(expected).ok_or("the golden PNG cannot be decoded")?;
            if tickets[0].image == expected {
                Ok(())
            } else {
                Err(format!(
                    "{name}: the rendered ticket differs: expected {expected:?}, got {:?}",
                    tickets[0].image
                ))
            }
        },
    );
}

fn rare_name_ticket() -> Ticket {
    Ticket {
        name: MaskedName::from_masked("吉*𠮷"),
        centre: "黔江区公共法律服务中心 䶮".to_string(),
        ..Ticket::sample()
    }
}

#[test]
fn ticket_58mm() {
    let p = &profile::GENERIC_58;
    check(
        "ticket_58",
        &encode_ticket(&Ticket::sample(), p, &Layout::for_paper(p.paper)).unwrap(),
        p,
    );
}

#[test]
fn ticket_80mm() {
    let p = &profile::GENERIC_80_ZH;
    check(
        "ticket_80",
        &encode_ticket(&Ticket::sample(), p, &Layout::for_paper(p.paper)).unwrap(),
        p,
    );
}

#[test]
fn ticket_tm_t88() {
    let p = &profile::EPSON_TM_T88;
    check(
        "ticket_tm_t88",
        &encode_ticket(&Ticket::sample(), p, &Layout::for_paper(p.paper)).unwrap(),
        p,
    );
}

#[test]
fn rare_name_58mm() {
    let p = &profile::GENERIC_58;
    check(
        "rare_name_58",
        &encode_ticket(&rare_name_ticket(), p, &Layout::for_paper(p.paper)).unwrap(),
        p,
    );
}

#[test]
fn test_page_80mm() {
    let p = &profile::GENERIC_80_ZH;
    check("test_page_80", &encode_test_page(p).unwrap(), p);
}
