//! Spoken calls: "请 A 零一二 号 到 三 号 窗口", from a pack of recorded clips, offline.
//!
//! - [`reading`]: the words of a call, a pure tested function;
//! - [`ClipPack`]: one WAV clip per word (format in `pack`, documented in `displays/README.md`), concatenated
//!   with the configured repeat count and volume;
//! - [`Player`]: `aplay` when present, else a WAV file and a log line;
//! - [`VoiceThread`]: speaks calls one after the other, silent in quiet hours.

mod config;
mod pack;
mod player;
pub mod reading;
pub mod wav;

use std::{
    path::Path,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
        mpsc::Sender,
    },
    thread::JoinHandle,
};

use chrono::NaiveDateTime;

pub use config::{PlayerKind, QuietHours, VoiceConfig};
pub use pack::{ClipPack, PackManifest};
pub use player::{AplayPlayer, FilePlayer, Player};

use crate::led::Announcement;

/// Why a call could not be spoken.
#[derive(Debug, thiserror::Error)]
pub enum VoiceError {
    /// The clip pack is missing, incomplete or in another format.
    #[error("clip pack: {0}")]
    Pack(String),
    /// Playing failed.
    #[error("playing: {0}")]
    Play(String),
}

/// The announcer: pack, settings, player.
pub struct Announcer {
    pack: ClipPack,
    config: VoiceConfig,
    player: Box<dyn Player>,
}

impl std::fmt::Debug for Announcer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Announcer")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl Announcer {
    /// An announcer speaking with `pack` through `player`.
    pub fn new(pack: ClipPack, config: VoiceConfig, player: Box<dyn Player>) -> Self {
        Self {
            pack,
            config,
            player,
        }
    }

    /// The WAV for a call, or `None` in quiet hours (`local` is the local wall time).
    pub fn render(&self, call: &Announcement, local: NaiveDateTime) -> Option<Vec<u8>> {
        if self.config.is_quiet(local.time()) {
            return None;
        }
        let words = reading::call_words(&call.ticket, call.window);
        Some(self.pack.compose_wav(
            &words,
            self.config.repeat,
            self.config.volume,
            self.config.chime,
        ))
    }

    /// Speaks a call (blocks while it plays); returns whether it was spoken.
    pub fn announce(
        &mut self,
        call: &Announcement,
        local: NaiveDateTime,
    ) -> Result<bool, VoiceError> {
        match self.render(call, local) {
            Some(wav) => self.player.play(&wav).map(|()| true),
            None => {
                tracing::info!(
                    "voice: quiet hours, call {} to window {} not spoken",
                    call.ticket,
                    call.window
                );
                Ok(false)
            }
        }
    }
}

/// Speaks calls on its own thread, one after the other; dropping it stops the thread after the call
/// being spoken.
#[derive(Debug)]
pub struct VoiceThread {
    tx: Option<Sender<(Announcement, NaiveDateTime)>>,
    thread: Option<JoinHandle<()>>,
    /// Calls queued or being spoken: a video's sound ducks while it is above zero.
    pending: Arc<AtomicUsize>,
}

impl VoiceThread {
    /// Starts with the configured pack and player; `file_dir` receives WAV files when there is no audio
    /// player.
    pub fn start(config: &VoiceConfig, file_dir: &Path) -> Result<Self, VoiceError> {
        let pack = match &config.pack {
            Some(dir) => ClipPack::load(dir)?,
            None => ClipPack::bundled()?,
        };
        let player: Box<dyn Player> = match config.player {
            PlayerKind::Aplay => Box::new(AplayPlayer),
            PlayerKind::Auto if AplayPlayer::available() => Box::new(AplayPlayer),
            PlayerKind::Auto | PlayerKind::File => Box::new(FilePlayer::new(file_dir)),
        };
        Self::spawn(Announcer::new(pack, config.clone(), player))
    }

    /// Starts speaking with `announcer`.
    pub fn spawn(mut announcer: Announcer) -> Result<Self, VoiceError> {
        let (tx, rx) = std::sync::mpsc::channel::<(Announcement, NaiveDateTime)>();
        let pending = Arc::new(AtomicUsize::new(0));
        let done = Arc::clone(&pending);
        let thread = std::thread::Builder::new()
            .name("voice".into())
            .spawn(move || {
                for (call, local) in rx {
                    if let Err(err) = announcer.announce(&call, local) {
                        tracing::warn!("voice: {err}");
                    }
                    done.fetch_sub(1, Ordering::AcqRel);
                }
            })
            .map_err(|e| VoiceError::Play(format!("voice thread: {e}")))?;
        Ok(Self {
            tx: Some(tx),
            thread: Some(thread),
            pending,
        })
    }

    /// Queues a call to speak (`local`: the local time it was made, for quiet hours).
    pub fn say(&self, call: Announcement, local: NaiveDateTime) {
        if let Some(tx) = &self.tx {
            // Counted before it is queued, so a video ducks from the moment the call is made.
            self.pending.fetch_add(1, Ordering::AcqRel);
            if tx.send((call, local)).is_err() {
                self.pending.fetch_sub(1, Ordering::AcqRel);
            }
        }
    }

    /// Whether a call is queued or being spoken (a playing video's sound ducks meanwhile).
    pub fn speaking(&self) -> bool {
        self.pending.load(Ordering::Acquire) > 0
    }
}

impl Drop for VoiceThread {
    fn drop(&mut self) {
        self.tx.take();
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}
