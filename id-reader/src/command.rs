//! Host → SAM commands (GA/T 467 `CMD PARA`), encoded to complete frames.

use std::fmt;

use crate::frame;

/// UART speeds the SAM can be switched to with `60 xx`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BaudRate {
    /// 115200 baud (`60 00`, the default).
    B115200,
    /// 57600 baud (`60 01`).
    B57600,
    /// 38400 baud (`60 02`).
    B38400,
    /// 19200 baud (`60 03`).
    B19200,
    /// 9600 baud (`60 04`).
    B9600,
}

impl BaudRate {
    /// The `PARA` byte selecting this speed.
    pub fn para(self) -> u8 {
        match self {
            Self::B115200 => 0,
            Self::B57600 => 1,
            Self::B38400 => 2,
            Self::B19200 => 3,
            Self::B9600 => 4,
        }
    }

    /// Speed for a `PARA` byte.
    pub fn from_para(para: u8) -> Option<Self> {
        Some(match para {
            0 => Self::B115200,
            1 => Self::B57600,
            2 => Self::B38400,
            3 => Self::B19200,
            4 => Self::B9600,
            _ => return None,
        })
    }

    /// Speed in bits per second.
    pub fn bits_per_second(self) -> u32 {
        match self {
            Self::B115200 => 115_200,
            Self::B57600 => 57_600,
            Self::B38400 => 38_400,
            Self::B19200 => 19_200,
            Self::B9600 => 9_600,
        }
    }

    /// Speed for a bit rate, if the SAM supports it.
    pub fn from_bits_per_second(bps: u32) -> Option<Self> {
        [
            Self::B115200,
            Self::B57600,
            Self::B38400,
            Self::B19200,
            Self::B9600,
        ]
        .into_iter()
        .find(|b| b.bits_per_second() == bps)
    }
}

/// Every command of the protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Command {
    /// `10 FF` reset the SAM (复位).
    Reset,
    /// `11 FF` SAM status check (状态检测).
    Status,
    /// `12 FF` read the SAM's management information, i.e. its ID (读管理信息).
    SamId,
    /// `20 01` find a card (寻找证/卡); success is SW3 = `9F`.
    FindCard,
    /// `20 02` select the card (选取证/卡).
    SelectCard,
    /// `30 01` read text and photo (读机读文字+相片).
    ReadTextPhoto,
    /// `30 10` read text, photo and fingerprints.
    ReadTextPhotoFingerprint,
    /// `30 03` read the appended address (读追加住址).
    ReadAppendedAddress,
    /// `60 xx` switch the SAM's UART speed.
    SetBaud(BaudRate),
}

impl Command {
    /// The `CMD` and `PARA` bytes.
    pub fn code(self) -> [u8; 2] {
        match self {
            Self::Reset => [0x10, 0xFF],
            Self::Status => [0x11, 0xFF],
            Self::SamId => [0x12, 0xFF],
            Self::FindCard => [0x20, 0x01],
            Self::SelectCard => [0x20, 0x02],
            Self::ReadTextPhoto => [0x30, 0x01],
            Self::ReadAppendedAddress => [0x30, 0x03],
            Self::ReadTextPhotoFingerprint => [0x30, 0x10],
            Self::SetBaud(b) => [0x60, b.para()],
        }
    }

    /// Recognises a command from its `CMD` and `PARA` bytes.
    pub fn from_code(cmd: u8, para: u8) -> Option<Self> {
        Some(match (cmd, para) {
            (0x10, 0xFF) => Self::Reset,
            (0x11, 0xFF) => Self::Status,
            (0x12, 0xFF) => Self::SamId,
            (0x20, 0x01) => Self::FindCard,
            (0x20, 0x02) => Self::SelectCard,
            (0x30, 0x01) => Self::ReadTextPhoto,
            (0x30, 0x03) => Self::ReadAppendedAddress,
            (0x30, 0x10) => Self::ReadTextPhotoFingerprint,
            (0x60, p) => Self::SetBaud(BaudRate::from_para(p)?),
            _ => return None,
        })
    }

    /// The complete 10-byte frame, e.g. `AA AA AA 96 69 00 03 20 01 22` for [`Command::FindCard`].
    pub fn encode(self) -> [u8; 10] {
        let [cmd, para] = self.code();
        let mut out = [0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, cmd, para, 0];
        out[9] = frame::checksum(&out[5..9]);
        out
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let name = match self {
            Self::Reset => "reset",
            Self::Status => "status",
            Self::SamId => "SAM ID",
            Self::FindCard => "find card",
            Self::SelectCard => "select card",
            Self::ReadTextPhoto => "read text+photo",
            Self::ReadTextPhotoFingerprint => "read text+photo+fingerprint",
            Self::ReadAppendedAddress => "read appended address",
            Self::SetBaud(_) => "set baud",
        };
        let [c, p] = self.code();
        write!(f, "{name} ({c:02X} {p:02X})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(frame: &[u8]) -> String {
        frame
            .iter()
            .map(|b| format!("{b:02X}"))
            .collect::<Vec<_>>()
            .join(" ")
    }

    #[test]
    fn frames_match_the_reference_table() {
        let table = [
            (Command::Reset, "AA AA AA 96 69 00 03 10 FF EC"),
            (Command::Status, "AA AA AA 96 69 00 03 11 FF ED"),
            (Command::SamId, "AA AA AA 96 69 00 03 12 FF EE"),
            (Command::FindCard, "AA AA AA 96 69 00 03 20 01 22"),
            (Command::SelectCard, "AA AA AA 96 69 00 03 20 02 21"),
            (Command::ReadTextPhoto, "AA AA AA 96 69 00 03 30 01 32"),
            (
                Command::ReadAppendedAddress,
                "AA AA AA 96 69 00 03 30 03 30",
            ),
            (
                Command::ReadTextPhotoFingerprint,
                "AA AA AA 96 69 00 03 30 10 23",
            ),
            (
                Command::SetBaud(BaudRate::B115200),
                "AA AA AA 96 69 00 03 60 00 63",
            ),
            (
                Command::SetBaud(BaudRate::B57600),
                "AA AA AA 96 69 00 03 60 01 62",
            ),
            (
                Command::SetBaud(BaudRate::B38400),
                "AA AA AA 96 69 00 03 60 02 61",
            ),
            (
                Command::SetBaud(BaudRate::B19200),
                "AA AA AA 96 69 00 03 60 03 60",
            ),
            (
                Command::SetBaud(BaudRate::B9600),
                "AA AA AA 96 69 00 03 60 04 67",
            ),
        ];
        for (cmd, want) in table {
            assert_eq!(hex(&cmd.encode()), want, "{cmd}");
            let [c, p] = cmd.code();
            assert_eq!(Command::from_code(c, p), Some(cmd));
            assert_eq!(frame::encode(&cmd.code()).unwrap(), cmd.encode());
        }
    }

    #[test]
    fn reset_is_10_ff_not_01_ff() {
        // A known bug elsewhere sends 01 FF as "reset".
        assert_eq!(Command::Reset.code(), [0x10, 0xFF]);
        assert_eq!(Command::from_code(0x01, 0xFF), None);
        assert_eq!(Command::from_code(0x60, 0x05), None);
    }

    #[test]
    fn baud_rates_round_trip() {
        for bps in [115_200, 57_600, 38_400, 19_200, 9_600] {
            let b = BaudRate::from_bits_per_second(bps).unwrap();
            assert_eq!(b.bits_per_second(), bps);
            assert_eq!(BaudRate::from_para(b.para()), Some(b));
        }
        assert_eq!(BaudRate::from_bits_per_second(4800), None);
    }
}
