//! Playing a call: through ALSA's `aplay`, or into a WAV file.

use std::{
    io::Write as _,
    path::{Path, PathBuf},
    process::{Command, Stdio},
};

use super::VoiceError;

/// Something that plays a WAV file, blocking until it has played.
pub trait Player: Send {
    /// Plays `wav`.
    fn play(&mut self, wav: &[u8]) -> Result<(), VoiceError>;
}

/// Plays through `aplay` (ALSA), reading the WAV on standard input.
#[derive(Debug, Default)]
pub struct AplayPlayer;

impl AplayPlayer {
    /// Whether `aplay` is on the `PATH`.
    pub fn available() -> bool {
        std::env::var_os("PATH")
            .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join("aplay").is_file()))
    }
}

impl Player for AplayPlayer {
    fn play(&mut self, wav: &[u8]) -> Result<(), VoiceError> {
        let mut child = Command::new("aplay")
            .args(["-q", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(|e| VoiceError::Play(format!("aplay: {e}")))?;
        if let Some(mut stdin) = child.stdin.take() {
            stdin
                .write_all(wav)
                .map_err(|e| VoiceError::Play(format!("aplay: {e}")))?;
        }
        let out = child
            .wait_with_output()
            .map_err(|e| VoiceError::Play(format!("aplay: {e}")))?;
        if out.status.success() {
            Ok(())
        } else {
            Err(VoiceError::Play(format!(
                "aplay: {}",
                String::from_utf8_lossy(&out.stderr).trim()
            )))
        }
    }
}

/// Writes each call as `call-N.wav` in a directory (`latest.wav` is the newest) and logs it.
#[derive(Debug)]
pub struct FilePlayer {
    dir: PathBuf,
    count: u64,
}

impl FilePlayer {
    /// A player writing into `dir` (created when needed).
    pub fn new(dir: &Path) -> Self {
        Self {
            dir: dir.to_owned(),
            count: 0,
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }
}

impl Player for FilePlayer {
    fn play(&mut self, wav: &[u8]) -> Result<(), VoiceError> {
        let io = |e: std::io::Error| VoiceError::Play(format!("{}: {e}", self.dir.display()));
        std::fs::create_dir_all(&self.dir).map_err(io)?;
        self.count += 1;
        // Keep the last few calls only.
        let path = self.dir.join(format!("call-{}.wav", self.count % 10));
        std::fs::write(&path, wav).map_err(io)?;
        std::fs::write(self.dir.join("latest.wav"), wav).map_err(io)?;
        tracing::info!(
            "voice: call written to {} (no audio player)",
            path.display()
        );
        Ok(())
    }
}
