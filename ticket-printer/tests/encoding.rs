//! Encoding behaviour: Chinese mode, GBK, the rare-character raster fallback, QR and cut per
//! profile, 58 mm wrapping.

use ticket_printer::profile::{self, CutMode, Profile};
use ticket_printer::text::display_width;
use ticket_printer::virtual_printer::{self, Command, Parser};
use ticket_printer::{Layout, MaskedName, Ticket, encode_ticket};

fn encode(ticket: &Ticket, p: &Profile) -> Vec<u8> {
    encode_ticket(ticket, p, &Layout::for_paper(p.paper)).unwrap()
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn starts_with_init_and_chinese_mode() {
    let bytes = encode(&Ticket::sample(), &profile::GENERIC_80_ZH);
    assert_eq!(&bytes[..4], &[0x1B, 0x40, 0x1C, 0x26]);
    // 您的号码 in GBK.
    assert!(contains(
        &bytes,
        &[0xC4, 0xFA, 0xB5, 0xC4, 0xBA, 0xC5, 0xC2, 0xEB]
    ));
}

#[test]
fn rare_characters_are_rastered_never_question_marks() {
    let mut ticket = Ticket::sample();
    ticket.name = MaskedName::from_masked("龚*䶮");
    ticket.service = "户籍咨询 𠮷".to_string();
    ticket.footer = vec!["过号请重新取号".to_string()];
    let p = &profile::GENERIC_58;
    let bytes = encode(&ticket, p);
    let cmds = Parser::parse_all(&bytes);
    let question_marks: usize = cmds
        .iter()
        .map(|c| {
            if let Command::Text(t) = c {
                t.iter().filter(|&&b| b == b'?').count()
            } else {
                0
            }
        })
        .sum();
    assert_eq!(question_marks, 0, "no '?' may be printed");
    // The name and the service line go as raster images; the QR is a raster too on 58 mm.
    let rasters = cmds
        .iter()
        .filter(|c| matches!(c, Command::Raster { .. }))
        .count();
    assert!(rasters >= 3, "{rasters} raster images");
    // GB18030 four-byte sequences never appear (0x30..0x39 as second byte after a lead).
    let tickets = virtual_printer::render(&bytes, p);
    let text = tickets[0].text();
    assert!(
        !text.contains('䶮') && !text.contains('𠮷'),
        "rare characters are not in the font text"
    );
    assert!(text.contains("[图像 image"), "{text}");
    // The rastered name line has ink where the characters are.
    let name_line = tickets[0]
        .lines
        .iter()
        .position(|l| l.starts_with("[图像"))
        .unwrap();
    assert!(name_line > 0);
    assert!(tickets[0].image.count_black() > 1000);
}

#[test]
fn rare_character_raster_shows_the_glyph() {
    // A line with only 𠮷 must print ink in its 24-dot cell.
    let p = &profile::GENERIC_80_ZH;
    let mut w = ticket_printer::encode::TicketWriter::new(p).unwrap();
    w.line(
        "𠮷",
        Default::default(),
        ticket_printer::encode::Align::Left,
    )
    .unwrap();
    let bytes = w.finish().unwrap();
    let t = &virtual_printer::render(&bytes, p)[0];
    assert!(t.image.count_black_in(0, 0, 24, 24) > 40, "{:?}", t.image);
    let text_bytes = Parser::parse_all(&bytes)
        .into_iter()
        .filter(|c| matches!(c, Command::Text(_)))
        .count();
    assert_eq!(text_bytes, 0, "the rare character line is not sent as text");
}

#[test]
fn yen_is_pre_mapped_to_full_width() {
    let mut ticket = Ticket::sample();
    ticket.footer = vec!["工本费 ¥0".to_string()];
    let bytes = encode(&ticket, &profile::GENERIC_80_ZH);
    assert!(contains(&bytes, &[0xA3, 0xA4, b'0']), "￥ in GBK");
    assert!(
        !contains(&bytes, &[0x81, 0x30, 0x84, 0x36]),
        "no GB18030 four-byte ¥"
    );
}

#[test]
fn qr_native_model_2_or_raster_per_profile() {
    let model2 = [0x1D, 0x28, 0x6B, 0x04, 0x00, 0x31, 0x41, 0x32, 0x00];
    let b80 = encode(&Ticket::sample(), &profile::GENERIC_80_ZH);
    assert!(contains(&b80, &model2), "native QR, model 2");
    assert!(
        contains(&b80, &[0x1D, 0x28, 0x6B, 0x03, 0x00, 0x31, 0x45, 0x31]),
        "EC level M"
    );
    let b58 = encode(&Ticket::sample(), &profile::GENERIC_58);
    assert!(
        !contains(&b58, &[0x1D, 0x28, 0x6B]),
        "no GS ( k on 58 mm generic"
    );
}

#[test]
fn cut_follows_the_profile_after_a_feed() {
    for p in profile::PROFILES {
        let bytes = encode(&Ticket::sample(), p);
        let cmds = Parser::parse_all(&bytes);
        let last = cmds.last().unwrap();
        match p.cut {
            CutMode::Partial => {
                assert_eq!(
                    *last,
                    Command::Cut {
                        partial: true,
                        feed: 0
                    },
                    "{}",
                    p.name
                );
                assert_eq!(
                    cmds[cmds.len() - 2],
                    Command::FeedLines(p.feed_before_cut),
                    "{}",
                    p.name
                );
            }
            CutMode::Full => assert_eq!(
                *last,
                Command::Cut {
                    partial: false,
                    feed: 0
                }
            ),
            CutMode::None => {
                assert!(
                    !cmds.iter().any(|c| matches!(c, Command::Cut { .. })),
                    "{}",
                    p.name
                );
                assert_eq!(*last, Command::FeedLines(p.feed_before_cut));
            }
        }
    }
}

#[test]
fn long_service_and_address_wrap_on_58mm() {
    let mut ticket = Ticket::sample();
    ticket.service =
        "人民调解（婚姻家庭、邻里纠纷、物业服务、消费维权、交通事故损害赔偿）及法律援助咨询"
            .to_string();
    ticket.address = Some("示例地址：重庆市黔江区示例街道示例大道 888 号公共法律服务中心一楼大厅（近示例政务服务中心）".to_string());
    let p = &profile::GENERIC_58;
    let t = &virtual_printer::render(&encode(&ticket, p), p)[0];
    for line in &t.lines {
        assert!(
            display_width(line) <= 32 || line.starts_with('['),
            "line too wide: {line:?}"
        );
    }
    // Every character of the service and the address is printed, in order.
    let joined: String = t
        .lines
        .concat()
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    for part in [&ticket.service, ticket.address.as_ref().unwrap()] {
        let want: String = part.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(joined.contains(&want), "missing {want:?} in {joined:?}");
    }
    // "888" is kept together.
    assert!(t.lines.iter().any(|l| l.contains("888")));
    // No line starts with closing punctuation.
    for line in &t.lines {
        assert!(!line.starts_with(['，', '）', '、', '。']), "{line:?}");
    }
}

/// The printed lines of `ticket`, decoded from its ESC/POS bytes by the virtual printer.
fn printed_lines(ticket: &Ticket, p: &Profile) -> Vec<String> {
    virtual_printer::render(&encode(ticket, p), p)
        .into_iter()
        .next()
        .expect("one ticket")
        .lines
}

/// Where `needle` starts in `text`; fails the test when it is not printed.
fn at(text: &str, needle: &str) -> usize {
    text.find(needle)
        .unwrap_or_else(|| panic!("{needle:?} is not printed: {text}"))
}

#[test]
fn an_english_mode_ticket_prints_service_and_window_in_chinese_then_english() {
    let ticket = Ticket {
        service: "法律援助".to_string(),
        service_en: Some("Legal aid".to_string()),
        window: Some("2号窗口、3号窗口".to_string()),
        window_en: Some("Window 2, Window 3".to_string()),
        ..Ticket::sample()
    };
    for p in [&profile::GENERIC_58, &profile::GENERIC_80_ZH] {
        let lines = printed_lines(&ticket, p);
        let text = lines.join("\n");
        // Chinese first, English second, for the service and for the window.
        assert!(
            at(&text, "业务：法律援助") < at(&text, "Service: Legal aid"),
            "{}: {text}",
            p.name
        );
        assert!(
            at(&text, "请到 2号窗口、3号窗口 办理") < at(&text, "Go to Window 2, Window 3"),
            "{}: {text}",
            p.name
        );
        // Never a Chinese window hint inside the English sentence.
        assert!(!text.contains("Go to 2号"), "{}: {text}", p.name);
    }
    // On 80 mm both halves fit one line.
    let lines = printed_lines(&ticket, &profile::GENERIC_80_ZH);
    assert!(
        lines
            .iter()
            .any(|l| l == "业务：法律援助 / Service: Legal aid"),
        "{lines:#?}"
    );
}

#[test]
fn a_ticket_without_english_names_prints_no_mixed_window_line() {
    let ticket = Ticket {
        service: "法律援助".to_string(),
        service_en: None,
        window: Some("3号窗口".to_string()),
        window_en: None,
        ..Ticket::sample()
    };
    let lines = printed_lines(&ticket, &profile::GENERIC_80_ZH);
    let text = lines.join("\n");
    assert!(
        lines.iter().any(|l| l == "业务 Service：法律援助"),
        "{text}"
    );
    assert!(lines.iter().any(|l| l == "请到 3号窗口 办理"), "{text}");
    assert!(!text.contains("Go to"), "{text}");
}

#[test]
fn the_sample_ticket_is_marked_as_a_sample() {
    let address = Ticket::sample().address.expect("the sample has an address");
    assert!(address.contains("示例"), "{address}");
    let text = printed_lines(&Ticket::sample(), &profile::GENERIC_80_ZH).join("\n");
    assert!(text.contains("示例地址"), "{text}");
}

#[test]
fn control_characters_in_data_cannot_inject_commands() {
    let mut ticket = Ticket::sample();
    ticket.service = "法律援助\x1dV\x00\x1b@".to_string();
    let bytes = encode(&ticket, &profile::GENERIC_80_ZH);
    let cuts = Parser::parse_all(&bytes)
        .iter()
        .filter(|c| matches!(c, Command::Cut { .. }))
        .count();
    assert_eq!(cuts, 1);
    let inits = Parser::parse_all(&bytes)
        .iter()
        .filter(|c| matches!(c, Command::Init))
        .count();
    assert_eq!(inits, 1);
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(48))]
    #[test]
    fn any_text_encodes_and_prints_within_the_paper(service in "\\PC{0,60}", centre in "[\\u{20}-\\u{7e}\\u{4e00}-\\u{4e80}\\u{20000}-\\u{20010}]{0,40}") {
        let mut ticket = Ticket::sample();
        ticket.service = service;
        ticket.centre = centre;
        let p = &profile::GENERIC_58;
        let bytes = encode(&ticket, p);
        let tickets = virtual_printer::render(&bytes, p);
        proptest::prop_assert_eq!(tickets.len(), 1);
        proptest::prop_assert_eq!(tickets[0].image.width(), 384);
    }
}
