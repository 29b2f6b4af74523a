//! A simulated reader: plays the SAM's side of the protocol, byte for byte.
//!
//! [`SimSam`] is the sans-io core (command bytes in, answer frames out). [`SimReader`] runs it on
//! a byte stream: in-process over [`tokio::io::duplex`] ([`SimReader::duplex`]) or on a new
//! pseudo-terminal ([`SimReader::open_pty`]), with cards placed and removed and faults injected
//! while it runs.

mod serve;

use std::collections::VecDeque;
use std::time::Duration;

use crate::card::{CardSpec, IdentityCard, simulated_photo};
use crate::command::Command;
use crate::frame::{FrameDecoder, FrameError};
use crate::response::{ReadData, Response};
use crate::status::Status;

pub use serve::{SimPty, SimReader};

/// A card lying on the simulated reader.
#[derive(Clone)]
pub struct SimCard {
    text: [u8; 256],
    photo: Vec<u8>,
    fingerprint: Vec<u8>,
    appended_address: Option<String>,
}

impl std::fmt::Debug for SimCard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimCard").finish_non_exhaustive()
    }
}

impl SimCard {
    /// A simulated card holding `card` (its photo, or a stand-in when it has none).
    pub fn new(card: &IdentityCard) -> Self {
        let photo = if card.photo.is_empty() {
            simulated_photo()
        } else {
            card.photo.as_wlt().to_vec()
        };
        Self {
            text: card.to_text_block(),
            photo,
            fingerprint: card.fingerprint.clone().unwrap_or_default(),
            appended_address: None,
        }
    }

    /// A simulated card from a card file, including its simulator-only keys.
    pub fn from_spec(spec: &CardSpec) -> Result<Self, crate::card::CardSpecError> {
        let mut card = Self::new(&spec.to_card()?);
        card.fingerprint = spec.fingerprint_block();
        card.appended_address.clone_from(&spec.appended_address);
        Ok(card)
    }

    /// A card with a raw text block (e.g. a malformed one, for tests).
    pub fn from_text_block(text: [u8; 256]) -> Self {
        Self {
            text,
            photo: simulated_photo(),
            fingerprint: Vec::new(),
            appended_address: None,
        }
    }

    /// Sets the appended address (`30 03`).
    pub fn with_appended_address(mut self, address: impl Into<String>) -> Self {
        self.appended_address = Some(address.into());
        self
    }

    /// Sets the fingerprint block (`30 10`).
    pub fn with_fingerprint(mut self, block: Vec<u8>) -> Self {
        self.fingerprint = block;
        self
    }
}

/// A fault the simulated SAM can be told to commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Do not answer at all.
    NoAnswer,
    /// Answer after this delay.
    Slow(Duration),
    /// Write the answer in chunks of this many bytes (at least 1).
    SplitChunks(usize),
    /// Corrupt the answer's checksum.
    BadChecksum,
    /// Answer `command` with this failure status (e.g. find → `80`, select → `81`,
    /// read → `41` or `32`). A read status applies to both read commands.
    Status {
        /// The command to fail.
        command: Command,
        /// The status to answer.
        status: Status,
    },
}

impl Fault {
    fn applies_to(&self, command: Option<Command>) -> bool {
        match self {
            Self::Status {
                command: target, ..
            } => match (target, command) {
                (
                    Command::ReadTextPhoto | Command::ReadTextPhotoFingerprint,
                    Some(Command::ReadTextPhoto | Command::ReadTextPhotoFingerprint),
                ) => true,
                (t, Some(c)) => *t == c,
                (_, None) => false,
            },
            _ => true,
        }
    }
}

/// How one answer goes out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The complete frame.
    pub frame: Vec<u8>,
    /// Wait this long before writing.
    pub delay: Duration,
    /// Write in chunks of this size (`None`: all at once).
    pub chunk: Option<usize>,
}

/// The sans-io simulated SAM.
#[derive(Debug)]
pub struct SimSam {
    decoder: FrameDecoder,
    card: Option<SimCard>,
    found: bool,
    selected: bool,
    sam_id: [u8; 16],
    once: VecDeque<Fault>,
    persistent: Option<Fault>,
    commands: u64,
}

impl Default for SimSam {
    fn default() -> Self {
        Self::new()
    }
}

impl SimSam {
    /// A SAM with no card on it and no fault.
    pub fn new() -> Self {
        let mut sam_id = [0u8; 16];
        sam_id[0] = 0x05;
        sam_id[2] = 0x01;
        sam_id[4..8].copy_from_slice(&20_240_101u32.to_le_bytes());
        sam_id[8..12].copy_from_slice(&500_114u32.to_le_bytes());
        sam_id[12..16].copy_from_slice(&1u32.to_le_bytes());
        Self {
            decoder: FrameDecoder::commands(),
            card: None,
            found: false,
            selected: false,
            sam_id,
            once: VecDeque::new(),
            persistent: None,
            commands: 0,
        }
    }

    /// Puts a card on the reader (replacing any).
    pub fn place(&mut self, card: SimCard) {
        self.card = Some(card);
        self.found = false;
        self.selected = false;
    }

    /// Takes the card away.
    pub fn remove(&mut self) {
        self.card = None;
        self.found = false;
        self.selected = false;
    }

    /// `true` while a card lies on the reader.
    pub fn has_card(&self) -> bool {
        self.card.is_some()
    }

    /// Commits `fault` once, on the next answer it applies to.
    pub fn inject(&mut self, fault: Fault) {
        self.once.push_back(fault);
    }

    /// Commits `fault` on every answer until cleared with `None`.
    pub fn set_fault(&mut self, fault: Option<Fault>) {
        self.persistent = fault;
    }

    /// Number of command frames received so far (including rejected ones).
    pub fn commands_received(&self) -> u64 {
        self.commands
    }

    /// Feeds bytes from the host; returns the answers to send.
    pub fn handle_bytes(&mut self, bytes: &[u8]) -> Vec<Reply> {
        self.decoder.push(bytes);
        let mut out = Vec::new();
        while let Some(frame) = self.decoder.next_frame() {
            self.commands += 1;
            let (command, response) = match frame {
                Ok(payload) => match Command::from_code(payload[0], payload[1]) {
                    Some(c) => (Some(c), self.answer(c)),
                    None => (None, Response::new(Status::CommandError, Vec::new())),
                },
                Err(FrameError::BadChecksum { .. }) => {
                    (None, Response::new(Status::HostChecksumError, Vec::new()))
                }
                Err(_) => (None, Response::new(Status::HostLengthError, Vec::new())),
            };
            if let Some(reply) = self.deliver(command, response) {
                out.push(reply);
            }
        }
        out
    }

    /// Applies the pending fault (if any) to an answer.
    fn deliver(&mut self, command: Option<Command>, mut response: Response) -> Option<Reply> {
        let fault = match self.once.iter().position(|f| f.applies_to(command)) {
            Some(i) => self.once.remove(i),
            None => self.persistent.filter(|f| f.applies_to(command)),
        };
        if let Some(Fault::Status { status, .. }) = fault {
            response = Response::new(status, Vec::new());
            self.found = false;
            self.selected = false;
        }
        let mut frame = response.encode().ok()?;
        let mut reply = Reply {
            frame: Vec::new(),
            delay: Duration::ZERO,
            chunk: None,
        };
        match fault {
            Some(Fault::NoAnswer) => return None,
            Some(Fault::Slow(d)) => reply.delay = d,
            Some(Fault::SplitChunks(n)) => reply.chunk = Some(n.max(1)),
            Some(Fault::BadChecksum) => {
                if let Some(last) = frame.last_mut() {
                    *last ^= 0xFF;
                }
            }
            Some(Fault::Status { .. }) | None => {}
        }
        reply.frame = frame;
        Some(reply)
    }

    /// The SAM's answer to a well-formed command.
    pub fn answer(&mut self, command: Command) -> Response {
        let ok = |data: Vec<u8>| Response::new(Status::Success, data);
        let fail = |status| Response::new(status, Vec::new());
        match command {
            Command::Reset => {
                self.found = false;
                self.selected = false;
                ok(Vec::new())
            }
            Command::Status | Command::SetBaud(_) => ok(Vec::new()),
            Command::SamId => ok(self.sam_id.to_vec()),
            Command::FindCard => {
                self.selected = false;
                if self.card.is_some() {
                    self.found = true;
                    Response::new(Status::CardFound, vec![0; 4])
                } else {
                    self.found = false;
                    fail(Status::FindFailed)
                }
            }
            Command::SelectCard => {
                if self.card.is_some() && self.found {
                    self.selected = true;
                    ok(vec![0; 8])
                } else {
                    fail(Status::SelectFailed)
                }
            }
            Command::ReadTextPhoto | Command::ReadTextPhotoFingerprint => {
                let with_fp = command == Command::ReadTextPhotoFingerprint;
                let (selected, card) = (self.selected, self.card.as_ref());
                // Every read needs a fresh find + select.
                self.found = false;
                self.selected = false;
                match card {
                    Some(card) if selected => ok(ReadData {
                        text: card.text.to_vec(),
                        photo: card.photo.clone(),
                        fingerprint: with_fp.then(|| card.fingerprint.clone()),
                    }
                    .encode()),
                    _ => fail(Status::ReadFailed),
                }
            }
            Command::ReadAppendedAddress => match &self.card {
                Some(card) => match &card.appended_address {
                    Some(addr) => {
                        let mut data: Vec<u8> =
                            addr.encode_utf16().flat_map(u16::to_le_bytes).collect();
                        data.resize(70, 0);
                        data.truncate(70);
                        for pair in data.chunks_exact_mut(2) {
                            if pair == [0, 0] {
                                pair.copy_from_slice(&[0x20, 0x00]);
                            }
                        }
                        ok(data)
                    }
                    None => fail(Status::NoContent),
                },
                None => fail(Status::ReadFailed),
            },
        }
    }
}

#[cfg(test)]
mod tests;
