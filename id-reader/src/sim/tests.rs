use super::*;
use crate::card::CardSpec;
use crate::frame::FrameDecoder;

fn resident() -> SimCard {
    let text = std::fs::read_to_string(format!(
        "{}/cards/resident.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    SimCard::from_spec(&CardSpec::from_toml(&text).unwrap()).unwrap()
}

fn ask(sam: &mut SimSam, command: Command) -> Vec<Reply> {
    sam.handle_bytes(&command.encode())
}

fn one(sam: &mut SimSam, command: Command) -> Vec<u8> {
    let replies = ask(sam, command);
    assert_eq!(replies.len(), 1, "{command}");
    replies[0].frame.clone()
}

#[test]
fn answers_match_the_captured_frames() {
    let mut sam = SimSam::new();
    // TV-1, find → no card.
    assert_eq!(
        one(&mut sam, Command::FindCard),
        [
            0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x80, 0x84
        ]
    );
    // TV-4, select without a card.
    assert_eq!(
        one(&mut sam, Command::SelectCard),
        [
            0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x81, 0x85
        ]
    );
    // TV-5, read without a card.
    assert_eq!(
        one(&mut sam, Command::ReadTextPhoto),
        [
            0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x04, 0x00, 0x00, 0x41, 0x45
        ]
    );
    sam.place(resident());
    // TV-2 and TV-3.
    assert_eq!(
        one(&mut sam, Command::FindCard),
        [
            0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x08, 0x00, 0x00, 0x9F, 0x00, 0x00, 0x00, 0x00,
            0x97
        ]
    );
    assert_eq!(
        one(&mut sam, Command::SelectCard),
        [
            0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x0C, 0x00, 0x00, 0x90, 0, 0, 0, 0, 0, 0, 0, 0,
            0x9C
        ]
    );
    // TV-7 header, 1295 bytes in all.
    let read = one(&mut sam, Command::ReadTextPhoto);
    assert_eq!(read.len(), 1295);
    assert_eq!(
        read[..14],
        [
            0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x05, 0x08, 0x00, 0x00, 0x90, 0x01, 0x00, 0x04, 0x00
        ]
    );
    // A second read needs a new find + select.
    assert_eq!(one(&mut sam, Command::ReadTextPhoto)[9], 0x41);
    assert_eq!(sam.commands_received(), 7);
}

#[test]
fn fingerprints_and_appended_address() {
    let mut sam = SimSam::new();
    sam.place(resident().with_fingerprint(vec![0xF1; 1024]));
    ask(&mut sam, Command::FindCard);
    ask(&mut sam, Command::SelectCard);
    let frame = one(&mut sam, Command::ReadTextPhotoFingerprint);
    assert_eq!(frame.len(), 2321);
    assert_eq!(
        frame[5..16],
        [
            0x09, 0x0A, 0x00, 0x00, 0x90, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00
        ]
    );

    let addr = Response::from_frame(&one(&mut sam, Command::ReadAppendedAddress)).unwrap();
    assert_eq!(addr.data.len(), 70);
    assert_eq!(
        crate::response::appended_address(&addr).unwrap(),
        "重庆市黔江区城东街道样例巷2号"
    );
    sam.place(SimCard::new(&resident_card()));
    let none = Response::from_frame(&one(&mut sam, Command::ReadAppendedAddress)).unwrap();
    assert_eq!(none.status, Status::NoContent);
}

fn resident_card() -> IdentityCard {
    let text = std::fs::read_to_string(format!(
        "{}/cards/resident.toml",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    CardSpec::from_toml(&text).unwrap().to_card().unwrap()
}

#[test]
fn host_errors_get_sam_statuses() {
    let mut sam = SimSam::new();
    let mut bad = Command::FindCard.encode();
    bad[9] = 0x21; // wrong checksum, as a known buggy host sends
    assert_eq!(sam.handle_bytes(&bad)[0].frame[9], 0x10);
    let unknown = crate::frame::encode(&[0x01, 0xFF]).unwrap();
    assert_eq!(sam.handle_bytes(&unknown)[0].frame[9], 0x21);
    assert_eq!(one(&mut sam, Command::Reset)[9], 0x90);
    assert_eq!(one(&mut sam, Command::Status)[9], 0x90);
    assert_eq!(one(&mut sam, Command::SamId).len(), 27);
}

#[test]
fn faults() {
    let mut sam = SimSam::new();
    sam.place(resident());
    sam.inject(Fault::NoAnswer);
    assert!(ask(&mut sam, Command::Status).is_empty());
    assert_eq!(ask(&mut sam, Command::Status).len(), 1);

    sam.inject(Fault::BadChecksum);
    let mut dec = FrameDecoder::responses();
    dec.push(&one(&mut sam, Command::FindCard));
    assert!(matches!(
        dec.next_frame(),
        Some(Err(FrameError::BadChecksum { .. }))
    ));

    sam.inject(Fault::Slow(Duration::from_millis(70)));
    assert_eq!(
        ask(&mut sam, Command::FindCard)[0].delay,
        Duration::from_millis(70)
    );
    sam.inject(Fault::SplitChunks(0));
    assert_eq!(ask(&mut sam, Command::FindCard)[0].chunk, Some(1));

    // Status faults wait for their command.
    sam.inject(Fault::Status {
        command: Command::ReadTextPhoto,
        status: Status::SamAuthenticatesCardFailed,
    });
    assert_eq!(one(&mut sam, Command::FindCard)[9], 0x9F);
    assert_eq!(one(&mut sam, Command::SelectCard)[9], 0x90);
    assert_eq!(one(&mut sam, Command::ReadTextPhoto)[9], 0x32);

    sam.set_fault(Some(Fault::Status {
        command: Command::FindCard,
        status: Status::FindFailed,
    }));
    for _ in 0..3 {
        assert_eq!(one(&mut sam, Command::FindCard)[9], 0x80);
    }
    sam.set_fault(None);
    assert_eq!(one(&mut sam, Command::FindCard)[9], 0x9F);
}
