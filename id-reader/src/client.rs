//! Request/response exchanges with a SAM over any async byte stream.

use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

use crate::card::IdentityCard;
use crate::command::{BaudRate, Command};
use crate::error::Error;
use crate::frame::FrameDecoder;
use crate::response::{self, ReadData, Response, SamId};
use crate::status::Status;

/// Per-command answer time limits. Defaults follow the reference (find/select are fast, a read of
/// 1295 bytes takes ≈ 112 ms on the wire alone) with margin for USB-serial latency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Reset, status, SAM ID, set baud.
    pub control: Duration,
    /// Find and select.
    pub find_select: Duration,
    /// Read text + photo (`30 01`).
    pub read: Duration,
    /// Read with fingerprints (`30 10`).
    pub read_fingerprint: Duration,
    /// Read appended address (`30 03`).
    pub appended_address: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Self {
            control: Duration::from_millis(500),
            find_select: Duration::from_millis(300),
            read: Duration::from_millis(2000),
            read_fingerprint: Duration::from_millis(3000),
            appended_address: Duration::from_millis(1500),
        }
    }
}

impl Timeouts {
    /// The limit for one command.
    pub fn for_command(&self, command: Command) -> Duration {
        match command {
            Command::FindCard | Command::SelectCard => self.find_select,
            Command::ReadTextPhoto => self.read,
            Command::ReadTextPhotoFingerprint => self.read_fingerprint,
            Command::ReadAppendedAddress => self.appended_address,
            Command::Reset | Command::Status | Command::SamId | Command::SetBaud(_) => self.control,
        }
    }
}

/// Whether a response can be the answer to `command` (a late answer to an earlier command that
/// timed out must not be taken for this one).
fn plausible(command: Command, r: &Response) -> bool {
    let n = r.data.len();
    match (command, r.status) {
        (Command::FindCard, Status::CardFound) => n == 4,
        (Command::FindCard, Status::Success) => false,
        (Command::SelectCard, Status::Success) => n == 8,
        (Command::SamId, Status::Success) => n == 16,
        (Command::ReadTextPhoto | Command::ReadTextPhotoFingerprint, Status::Success) => n >= 4,
        (_, Status::CardFound) => false,
        (Command::Reset | Command::Status | Command::SetBaud(_), Status::Success) => n == 0,
        (_, s) if !s.is_success() => n == 0,
        _ => true,
    }
}

/// One SAM on one byte stream: sends a command, waits for its answer.
///
/// Works over a serial port ([`crate::serial::SerialStream`]), one end of
/// [`tokio::io::duplex`] (with [`crate::sim`] on the other), or any `AsyncRead + AsyncWrite`.
#[derive(Debug)]
pub struct SamClient<T> {
    io: T,
    decoder: FrameDecoder,
    timeouts: Timeouts,
}

impl<T: AsyncRead + AsyncWrite + Unpin> SamClient<T> {
    /// Wraps a byte stream.
    pub fn new(io: T, timeouts: Timeouts) -> Self {
        Self {
            io,
            decoder: FrameDecoder::responses(),
            timeouts,
        }
    }

    /// The time limits in use.
    pub fn timeouts(&self) -> &Timeouts {
        &self.timeouts
    }

    /// Gives the byte stream back.
    pub fn into_inner(self) -> T {
        self.io
    }

    /// Sends `command` and returns the SAM's answer, whatever its status.
    pub async fn transact(&mut self, command: Command) -> Result<Response, Error> {
        let after = self.timeouts.for_command(command);
        self.decoder.clear();
        self.io.write_all(&command.encode()).await?;
        self.io.flush().await?;
        match tokio::time::timeout(after, self.receive(command)).await {
            Ok(result) => result,
            Err(_) => Err(Error::Timeout { command, after }),
        }
    }

    async fn receive(&mut self, command: Command) -> Result<Response, Error> {
        let mut buf = [0u8; 1024];
        loop {
            while let Some(frame) = self.decoder.next_frame() {
                let response =
                    Response::from_payload(&frame.map_err(response::ProtocolError::from)?)?;
                if plausible(command, &response) {
                    return Ok(response);
                }
                tracing::debug!(%command, status = %response.status, "ignoring a stale answer");
            }
            let n = self.io.read(&mut buf).await?;
            if n == 0 {
                return Err(Error::Closed);
            }
            self.decoder.push(&buf[..n]);
        }
    }

    /// Sends `command` and fails unless the SAM answers with `expected`.
    async fn expect(&mut self, command: Command, expected: Status) -> Result<Response, Error> {
        let r = self.transact(command).await?;
        if r.status == expected {
            Ok(r)
        } else {
            Err(Error::Sam {
                command,
                status: r.status,
            })
        }
    }

    /// `10 FF`: resets the SAM.
    pub async fn reset(&mut self) -> Result<(), Error> {
        self.expect(Command::Reset, Status::Success).await.map(drop)
    }

    /// `11 FF`: the SAM's status (`Success` when it is working).
    pub async fn status(&mut self) -> Result<Status, Error> {
        Ok(self.transact(Command::Status).await?.status)
    }

    /// `12 FF`: the SAM's ID.
    pub async fn sam_id(&mut self) -> Result<SamId, Error> {
        let r = self.expect(Command::SamId, Status::Success).await?;
        Ok(SamId::from_data(&r.data)?)
    }

    /// `20 01`: `true` when a card is on the reader (`9F`), `false` on `80`; other statuses are errors.
    pub async fn find_card(&mut self) -> Result<bool, Error> {
        let r = self.transact(Command::FindCard).await?;
        match r.status {
            Status::CardFound => Ok(true),
            Status::FindFailed => Ok(false),
            status => Err(Error::Sam {
                command: Command::FindCard,
                status,
            }),
        }
    }

    /// `20 02`: selects the card found.
    pub async fn select_card(&mut self) -> Result<(), Error> {
        self.expect(Command::SelectCard, Status::Success)
            .await
            .map(drop)
    }

    /// `30 01` (or `30 10` with fingerprints): the raw blocks.
    pub async fn read_blocks(&mut self, with_fingerprint: bool) -> Result<ReadData, Error> {
        let command = if with_fingerprint {
            Command::ReadTextPhotoFingerprint
        } else {
            Command::ReadTextPhoto
        };
        let r = self.expect(command, Status::Success).await?;
        Ok(ReadData::parse(&r.data, with_fingerprint)?)
    }

    /// `30 01` / `30 10` and parsing: the card.
    pub async fn read_card(&mut self, with_fingerprint: bool) -> Result<IdentityCard, Error> {
        let data = self.read_blocks(with_fingerprint).await?;
        Ok(IdentityCard::from_read(&data)?)
    }

    /// Find, select and read in one go (the mandatory sequence). `Ok(None)` when no card is there.
    pub async fn find_select_read(
        &mut self,
        with_fingerprint: bool,
    ) -> Result<Option<IdentityCard>, Error> {
        if !self.find_card().await? {
            return Ok(None);
        }
        self.select_card().await?;
        self.read_card(with_fingerprint).await.map(Some)
    }

    /// `30 03`: the appended address, `None` when the card has none (`91`).
    pub async fn read_appended_address(&mut self) -> Result<Option<String>, Error> {
        let r = self.transact(Command::ReadAppendedAddress).await?;
        match r.status {
            Status::Success => Ok(response::appended_address(&r)),
            Status::NoContent => Ok(None),
            status => Err(Error::Sam {
                command: Command::ReadAppendedAddress,
                status,
            }),
        }
    }

    /// `60 xx`: switches the SAM's UART speed (reopen the port at the new speed afterwards).
    pub async fn set_baud(&mut self, baud: BaudRate) -> Result<(), Error> {
        self.expect(Command::SetBaud(baud), Status::Success)
            .await
            .map(drop)
    }
}
