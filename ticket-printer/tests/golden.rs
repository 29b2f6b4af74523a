//! Golden files: ticket bytes (`.bin`) with a readable disassembly (`.txt`) and the virtual
//! printer's render (`.png`). Regenerate with `BLESS=1 cargo test -p ticket-printer --test golden`.

use std::path::PathBuf;

use ticket_printer::disasm::disassemble;
use ticket_printer::profile::{self, Profile};
use ticket_printer::{
    Bitmap, Layout, MaskedName, Ticket, encode_test_page, encode_ticket, virtual_printer,
};

fn golden_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

fn bless() -> bool {
    std::env::var_os("BLESS").is_some_and(|v| v != "0")
}

fn check(name: &str, bytes: &[u8], profile: &Profile) {
    let dir = golden_dir();
    let disasm = disassemble(bytes);
    let tickets = virtual_printer::render(bytes, profile);
    assert_eq!(tickets.len(), 1, "{name}: one ticket expected");
    let png = tickets[0].png();
    let (bin_path, txt_path, png_path) = (
        dir.join(format!("{name}.bin")),
        dir.join(format!("{name}.txt")),
        dir.join(format!("{name}.png")),
    );
    if bless() {
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&bin_path, bytes).unwrap();
        std::fs::write(&txt_path, &disasm).unwrap();
        std::fs::write(&png_path, &png).unwrap();
        return;
    }
    let expected = std::fs::read(&bin_path)
        .unwrap_or_else(|e| panic!("{}: {e} (run with BLESS=1)", bin_path.display()));
    let expected_txt = std::fs::read_to_string(&txt_path).unwrap();
    assert_eq!(
        disasm, expected_txt,
        "{name}: disassembly differs (BLESS=1 to accept)"
    );
    assert_eq!(
        bytes,
        expected.as_slice(),
        "{name}: bytes differ (BLESS=1 to accept)"
    );
    let expected_png = Bitmap::from_png(&std::fs::read(&png_path).unwrap()).unwrap();
    assert_eq!(
        tickets[0].image, expected_png,
        "{name}: render differs (BLESS=1 to accept)"
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
