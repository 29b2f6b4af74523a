use chrono::NaiveDate;
use proptest::prelude::*;

use super::*;

fn spec(file: &str) -> CardSpec {
    let path = format!("{}/cards/{file}", env!("CARGO_MANIFEST_DIR"));
    CardSpec::from_toml(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn card(file: &str) -> IdentityCard {
    spec(file).to_card().unwrap()
}

fn ucs2(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

#[test]
fn resident_card_round_trips_with_field_offsets() {
    let c = card("resident.toml");
    let text = c.to_text_block();
    // Name at 0, padded with U+0020; sex at 30; nation at 32; birth at 36; ID number at 122.
    assert_eq!(text[..4], ucs2("张三")[..]);
    assert_eq!(text[4..6], [0x20, 0x00]);
    assert_eq!(text[30..32], ucs2("1")[..]);
    assert_eq!(text[32..36], ucs2("01")[..]);
    assert_eq!(text[36..52], ucs2("19900307")[..]);
    assert_eq!(text[122..158], ucs2("990101199003079992")[..]);
    assert_eq!(text[248..250], [0x20, 0x00]);
    let back = IdentityCard::from_text_block(&text).unwrap();
    assert_eq!(back.card_type, CardType::Resident);
    assert_eq!(back.name, "张三");
    assert_eq!(back.nation.unwrap().name(), "汉");
    assert_eq!(back.sex, Sex::Male);
    assert_eq!(back.birth.to_string(), "1990-03-07");
    assert_eq!(back.authority.as_deref(), Some("重庆市公安局黔江分局"));
    assert!(back.id_number_valid());
    assert_eq!(back.valid_to.to_string(), "2040-05-01");
}

#[test]
fn every_sample_card_round_trips() {
    for file in [
        "resident.toml",
        "resident_long_term.toml",
        "hk_macao_taiwan.toml",
        "foreign_permanent_2017.toml",
        "foreign_permanent_2023.toml",
    ] {
        let c = card(file);
        let back = IdentityCard::from_text_block(&c.to_text_block()).unwrap();
        let mut expected = c.clone();
        expected.photo = Photo::default();
        assert_eq!(back, expected, "{file}");
    }
}

#[test]
fn long_term_validity() {
    let c = card("resident_long_term.toml");
    let text = c.to_text_block();
    assert_eq!(text[204..208], ucs2("长期")[..]);
    assert_eq!(text[208..220], [0x20, 0x00].repeat(6)[..]);
    let back = IdentityCard::from_text_block(&text).unwrap();
    assert_eq!(back.valid_to, ValidTo::LongTerm);
    assert_eq!(back.nation.unwrap().name(), "土家");
    assert_eq!(back.to_json(false)["valid_to"], "长期");
}

#[test]
fn layout_flags_select_the_layout() {
    let j = card("hk_macao_taiwan.toml");
    let text = j.to_text_block();
    assert_eq!(text[248..250], [b'J', 0]);
    assert_eq!(text[220..238], ucs2("H12345678")[..]);
    let back = IdentityCard::from_text_block(&text).unwrap();
    assert_eq!(back.card_type, CardType::HkMacaoTaiwan);
    assert_eq!(back.nation, None);
    assert_eq!(back.pass_number.as_deref(), Some("H12345678"));
    assert_eq!(back.issue_count.as_deref(), Some("01"));

    let i = card("foreign_permanent_2017.toml");
    let text = i.to_text_block();
    assert_eq!(text[248..250], [b'I', 0]);
    assert_eq!(text[152..158], ucs2("USA")[..]);
    assert_eq!(text[220..236], ucs2("19800101")[..]);
    let back = IdentityCard::from_text_block(&text).unwrap();
    assert_eq!(back.card_type, CardType::ForeignPermanent2017);
    assert_eq!(back.id_check(), IdCheck::NotApplicable);
    assert_eq!(back.name_en.as_deref(), Some("SAMPLE, JOHN EXAMPLE"));

    let y = card("foreign_permanent_2023.toml");
    let text = y.to_text_block();
    assert_eq!(text[248..250], [b'Y', 0]);
    // English name longer than 35 characters continues at byte 220.
    let en = "TESTPERSON-EXAMPLE, ANNA MARIA JOHANNA";
    assert_eq!(text[52..122], ucs2(&en[..35])[..]);
    assert_eq!(text[220..220 + 2 * (en.len() - 35)], ucs2(&en[35..])[..]);
    assert_eq!(text[242..248], ucs2("DEU")[..]);
    let back = IdentityCard::from_text_block(&text).unwrap();
    assert_eq!(back.card_type, CardType::ForeignPermanent2023);
    assert_eq!(back.name_en.as_deref(), Some(en));
    assert!(back.id_number_valid());
}

#[test]
fn nul_padding_and_full_width_names() {
    let mut c = card("resident.toml");
    c.name = "一二三四五六七八九十一二三四五".into(); // exactly 15 characters, no padding
    let mut text = c.to_text_block();
    // Replace the address's space padding with U+0000.
    for pair in text[52..122].chunks_exact_mut(2) {
        if pair == [0x20, 0x00] {
            pair.copy_from_slice(&[0, 0]);
        }
    }
    let back = IdentityCard::from_text_block(&text).unwrap();
    assert_eq!(back.name, c.name);
    assert_eq!(back.address, c.address);
}

#[test]
fn malformed_blocks_name_the_field() {
    assert_eq!(
        IdentityCard::from_text_block(&[0x20; 100]),
        Err(CardError::TextTooShort(100))
    );
    let c = card("resident.toml");
    let mut text = c.to_text_block();
    text[36..52].copy_from_slice(&ucs2("19901307"));
    assert_eq!(
        IdentityCard::from_text_block(&text),
        Err(CardError::BadField { field: "birth" })
    );
    let mut text = c.to_text_block();
    text[32..36].copy_from_slice(&ucs2("77"));
    assert_eq!(
        IdentityCard::from_text_block(&text),
        Err(CardError::BadField { field: "nation" })
    );
    // The error never carries the field's content.
    assert!(
        !CardError::BadField { field: "birth" }
            .to_string()
            .contains("1990")
    );
}

#[test]
fn checksum_failure_is_reported_not_rejected() {
    let mut c = card("resident.toml");
    c.id_number = "990101199003079993".into();
    let back = IdentityCard::from_text_block(&c.to_text_block()).unwrap();
    assert_eq!(back.id_check(), IdCheck::Invalid);
    assert_eq!(back.to_json(false)["id_number_valid"], false);
}

#[test]
fn age_masking_token_and_json() {
    let c = card("resident.toml");
    let on = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    assert_eq!(c.age_on(on(2026, 3, 6)), Some(35));
    assert_eq!(c.age_on(on(2026, 3, 7)), Some(36));
    assert_eq!(c.masked_name(), "张*");
    assert_eq!(c.masked_id_number(), "990***********9992");
    assert_eq!(
        c.identity_token(b"salt"),
        card("resident.toml").identity_token(b"salt")
    );
    assert_ne!(
        c.identity_token(b"salt"),
        card("resident_long_term.toml").identity_token(b"salt")
    );
    let debug = format!("{c:?}");
    assert!(
        !debug.contains("张三") && !debug.contains("199003071238"),
        "{debug}"
    );

    let json = c.to_json(false);
    let keys: Vec<&str> = json
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    assert_eq!(
        keys,
        [
            "address",
            "authority",
            "birth",
            "card_type",
            "id_number",
            "id_number_valid",
            "name",
            "nation",
            "sex",
            "valid_from",
            "valid_to"
        ]
    );
    assert_eq!(json["card_type"], "resident");
    assert_eq!(json["sex"], "男");
    assert_eq!(json["id_number_valid"], true);
    let masked = c.to_json(true);
    assert_eq!(masked["name"], "张*");
    assert_eq!(masked["id_number"], "990***********9992");

    let j = card("hk_macao_taiwan.toml").to_json(true);
    assert_eq!(j["card_type"], "hk_macao_taiwan");
    assert_eq!(j["pass_number"], "H12**5678");
    assert_eq!(j["issue_count"], "01");
    assert!(j.get("nation").is_none());

    let i = card("foreign_permanent_2017.toml").to_json(false);
    assert_eq!(i["card_type"], "foreign_permanent");
    assert_eq!(i["nationality"], "USA");
    assert_eq!(i["card_version"], "01");
    assert_eq!(i["name_en"], "SAMPLE, JOHN EXAMPLE");
    assert!(i.get("id_number_valid").is_none());
    assert!(i.get("address").is_none());
}

#[test]
fn card_files_report_bad_values() {
    let err = CardSpec::from_toml("card_type = \"resident\"\nbogus = 1").unwrap_err();
    assert!(err.to_string().contains("bogus"), "{err}");
    let mut s = spec("resident.toml");
    s.nation = Some("火星".into());
    assert!(s.to_card().unwrap_err().to_string().contains("nation"));
    s.nation = Some("01".into());
    s.birth = Some("1990-02-30".into());
    assert!(s.to_card().unwrap_err().to_string().contains("birth"));
    let mut s = spec("foreign_permanent_2023.toml");
    s.name_en = Some("X".repeat(47));
    assert!(s.to_card().unwrap_err().to_string().contains("name_en"));
    let mut s = spec("resident.toml");
    s.card_type = "passport".into();
    assert!(s.to_card().unwrap_err().to_string().contains("passport"));
}

#[test]
fn drop_wipes_the_text() {
    use zeroize::Zeroize;
    let mut c = card("resident.toml");
    c.zeroize();
    assert!(c.name.is_empty() && c.id_number.is_empty() && c.address.is_none());
    assert!(c.photo.is_empty());
}

proptest! {
    #[test]
    fn text_blocks_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = IdentityCard::from_text_block(&bytes);
    }

    #[test]
    fn flagged_blocks_never_panic(mut bytes in prop::collection::vec(any::<u8>(), 256), flag in prop::sample::select(vec![b'J', b'I', b'Y', b' '])) {
        bytes[248] = flag;
        bytes[249] = 0;
        let _ = IdentityCard::from_text_block(&bytes);
    }

    #[test]
    fn resident_fields_round_trip(
        name in "[\\u{4e00}-\\u{9fa5}]{1,15}",
        address in "[\\u{4e00}-\\u{9fa5}0-9]{0,35}",
        seq in 0u32..1000,
    ) {
        let mut c = card("resident.toml");
        c.name = name;
        c.address = (!address.is_empty()).then_some(address);
        let body = format!("99010119900307{seq:03}");
        c.id_number = format!("{body}{}", check_digit(&body).unwrap());
        c.photo = Photo::default();
        let back = IdentityCard::from_text_block(&c.to_text_block()).unwrap();
        prop_assert!(back.id_number_valid());
        prop_assert_eq!(back, c);
    }
}
