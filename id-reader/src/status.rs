//! SW3, the SAM's own status byte, with its meaning in Chinese and English.

use std::fmt;

macro_rules! statuses {
    ($($(#[$doc:meta])* $name:ident = $code:literal, $zh:literal, $en:literal;)*) => {
        /// The SAM status byte SW3 of every response (GA/T 467 status table).
        ///
        /// SW1/SW2 carry the card's APDU status and are usually `00 00`; SW3 is what decides.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Status {
            $($(#[$doc])* $name,)*
            /// A code outside the table.
            Unknown(u8),
        }

        impl Status {
            /// Every status of the table (without [`Status::Unknown`]).
            pub const ALL: &'static [Self] = &[$(Self::$name,)*];

            /// Status for a raw SW3 byte.
            pub fn from_code(code: u8) -> Self {
                match code {
                    $($code => Self::$name,)*
                    other => Self::Unknown(other),
                }
            }

            /// The raw SW3 byte.
            pub fn code(self) -> u8 {
                match self {
                    $(Self::$name => $code,)*
                    Self::Unknown(code) => code,
                }
            }

            /// Meaning in Simplified Chinese, as in the protocol sheet.
            pub fn zh(self) -> &'static str {
                match self {
                    $(Self::$name => $zh,)*
                    Self::Unknown(_) => "未知状态",
                }
            }

            /// Meaning in English.
            pub fn en(self) -> &'static str {
                match self {
                    $(Self::$name => $en,)*
                    Self::Unknown(_) => "unknown status",
                }
            }
        }
    };
}

statuses! {
    /// `90`: operation succeeded.
    Success = 0x90, "操作成功", "operation succeeded";
    /// `9F`: find card succeeded (data = 4-byte IIN).
    CardFound = 0x9F, "寻找证/卡成功", "card found";
    /// `91`: this item has no content (no appended address, no fingerprint).
    NoContent = 0x91, "证/卡中此项无内容", "no content for this item on the card";
    /// `10`: the SAM received a host frame with a wrong checksum.
    HostChecksumError = 0x10, "接收业务终端数据的校验和错", "checksum of the host frame is wrong";
    /// `11`: the SAM received a host frame with a wrong length.
    HostLengthError = 0x11, "接收业务终端数据的长度错", "length of the host frame is wrong";
    /// `21`: command error (value or combination not allowed).
    CommandError = 0x21, "接收业务终端的命令错误", "command error";
    /// `23`: operation not permitted.
    NotPermitted = 0x23, "越权操作", "operation not permitted";
    /// `24`: unrecognised error.
    UnrecognisedError = 0x24, "无法识别的错误", "unrecognised error";
    /// `31`: the card failed to authenticate the SAM.
    CardAuthenticatesSamFailed = 0x31, "证/卡认证SAM失败", "card failed to authenticate the SAM";
    /// `32`: the SAM failed to authenticate the card.
    SamAuthenticatesCardFailed = 0x32, "SAM认证证/卡失败", "SAM failed to authenticate the card";
    /// `33`: information verification error.
    VerificationError = 0x33, "信息验证错误", "information verification error";
    /// `40`: unknown card type / wrong card.
    WrongCard = 0x40, "无法识别的卡类型", "unknown or wrong card type";
    /// `41`: reading the card failed (usually the card moved away).
    ReadFailed = 0x41, "读证/卡操作失败", "reading the card failed";
    /// `47`: get-challenge failed.
    ChallengeFailed = 0x47, "取随机数失败", "get-challenge failed";
    /// `60`: the SAM's self-test failed; it accepts no command.
    SelfTestFailed = 0x60, "SAM自检失败，不能接收命令", "SAM self-test failed";
    /// `66`: the SAM is not authorised.
    NotAuthorised = 0x66, "SAM未经授权，无法使用", "SAM not authorised";
    /// `80`: find card failed (no card on the reader).
    FindFailed = 0x80, "寻找证/卡失败", "no card found";
    /// `81`: select card failed.
    SelectFailed = 0x81, "选取证/卡失败", "selecting the card failed";
}

impl Status {
    /// `true` for the success codes `90` and `9F`.
    pub fn is_success(self) -> bool {
        matches!(self, Self::Success | Self::CardFound)
    }
}

impl fmt::Display for Status {
    /// `"41 读证/卡操作失败 (reading the card failed)"`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:02X} {} ({})", self.code(), self.zh(), self.en())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_has_both_languages() {
        assert_eq!(Status::ALL.len(), 18);
        for s in Status::ALL {
            assert_eq!(Status::from_code(s.code()), *s);
            assert!(!s.zh().is_empty() && !s.en().is_empty());
        }
        for code in 0..=255u8 {
            assert_eq!(Status::from_code(code).code(), code);
        }
    }

    #[test]
    fn find_success_is_9f_not_a_timeout() {
        // Regression for a known bug of other implementations (9F called "timeout").
        assert_eq!(Status::from_code(0x9F), Status::CardFound);
        assert!(Status::CardFound.is_success());
        assert!(!Status::FindFailed.is_success());
        assert_eq!(
            Status::ReadFailed.to_string(),
            "41 读证/卡操作失败 (reading the card failed)"
        );
    }
}
