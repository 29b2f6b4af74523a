//! Clip packs: one WAV file per word, concatenated at call time.
//!
//! A pack is a directory with `pack.toml` and one `<clip>.wav` per word of [`all_clips`] (plus an optional
//! `chime.wav`): PCM 16-bit mono, all at the pack's sample rate. `pack.toml`:
//!
//! ```toml
//! format = 1            # this format
//! sample_rate = 16000   # of every clip
//! gap_ms = 40           # silence between words
//! repeat_pause_ms = 700 # silence between repetitions of a call
//! ```
//!
//! The bundled pack (`assets/sounds/zh`) is built into the binary.

use std::{collections::HashMap, path::Path};

use serde::Deserialize;

use super::{
    VoiceError,
    reading::{Word, all_clips},
    wav,
};

/// The manifest of a pack.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackManifest {
    /// Pack format, 1.
    pub format: u32,
    /// Sample rate of every clip.
    pub sample_rate: u32,
    /// Silence between words, ms.
    #[serde(default = "default_gap")]
    pub gap_ms: u32,
    /// Silence between repetitions, ms.
    #[serde(default = "default_pause")]
    pub repeat_pause_ms: u32,
}

fn default_gap() -> u32 {
    40
}

fn default_pause() -> u32 {
    700
}

/// A loaded clip pack.
#[derive(Debug, Clone)]
pub struct ClipPack {
    manifest: PackManifest,
    clips: HashMap<String, Vec<i16>>,
}

macro_rules! bundled {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_bytes!(concat!("../../../assets/sounds/zh/", $name, ".wav")).as_slice())),*]
    };
}

/// The bundled Mandarin clips.
const BUNDLED: &[(&str, &[u8])] = bundled!(
    "qing",
    "hao",
    "dao",
    "chuangkou",
    "shi",
    "bai",
    "qian",
    "chime",
    "digit-0",
    "digit-1",
    "digit-2",
    "digit-3",
    "digit-4",
    "digit-5",
    "digit-6",
    "digit-7",
    "digit-8",
    "digit-9",
    "letter-a",
    "letter-b",
    "letter-c",
    "letter-d",
    "letter-e",
    "letter-f",
    "letter-g",
    "letter-h",
    "letter-i",
    "letter-j",
    "letter-k",
    "letter-l",
    "letter-m",
    "letter-n",
    "letter-o",
    "letter-p",
    "letter-q",
    "letter-r",
    "letter-s",
    "letter-t",
    "letter-u",
    "letter-v",
    "letter-w",
    "letter-x",
    "letter-y",
    "letter-z",
);
const BUNDLED_MANIFEST: &str = include_str!("../../../assets/sounds/zh/pack.toml");

impl ClipPack {
    /// The pack built into the binary.
    pub fn bundled() -> Result<Self, VoiceError> {
        let manifest = parse_manifest(BUNDLED_MANIFEST, "bundled pack.toml")?;
        let files = BUNDLED
            .iter()
            .map(|(name, bytes)| ((*name).to_owned(), bytes.to_vec()))
            .collect();
        Self::from_files(manifest, files, "bundled pack")
    }

    /// Loads the pack in `dir`.
    pub fn load(dir: &Path) -> Result<Self, VoiceError> {
        let path = dir.join("pack.toml");
        let text = std::fs::read_to_string(&path)
            .map_err(|e| VoiceError::Pack(format!("{}: {e}", path.display())))?;
        let manifest = parse_manifest(&text, &path.display().to_string())?;
        let mut files = HashMap::new();
        for name in all_clips().into_iter().chain(["chime".to_owned()]) {
            let file = dir.join(format!("{name}.wav"));
            match std::fs::read(&file) {
                Ok(bytes) => {
                    files.insert(name, bytes);
                }
                Err(e) if name == "chime" && e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(VoiceError::Pack(format!("{}: {e}", file.display()))),
            }
        }
        Self::from_files(manifest, files, &dir.display().to_string())
    }

    fn from_files(
        manifest: PackManifest,
        files: HashMap<String, Vec<u8>>,
        origin: &str,
    ) -> Result<Self, VoiceError> {
        let mut clips = HashMap::new();
        for (name, bytes) in files {
            let pcm = wav::parse(&bytes)
                .map_err(|e| VoiceError::Pack(format!("{origin}: {name}.wav: {e}")))?;
            if pcm.rate != manifest.sample_rate {
                return Err(VoiceError::Pack(format!(
                    "{origin}: {name}.wav is at {} Hz, the pack at {} Hz",
                    pcm.rate, manifest.sample_rate
                )));
            }
            clips.insert(name, pcm.samples);
        }
        if let Some(missing) = all_clips().into_iter().find(|c| !clips.contains_key(c)) {
            return Err(VoiceError::Pack(format!(
                "{origin}: no clip `{missing}.wav`"
            )));
        }
        Ok(Self { manifest, clips })
    }

    /// The sample rate.
    pub fn sample_rate(&self) -> u32 {
        self.manifest.sample_rate
    }

    /// A clip's samples.
    pub fn clip(&self, name: &str) -> Option<&[i16]> {
        self.clips.get(name).map(Vec::as_slice)
    }

    /// The call: an optional chime, then `words` `repeat` times, scaled to `volume` percent.
    pub fn compose(&self, words: &[Word], repeat: u32, volume: u8, chime: bool) -> Vec<i16> {
        let ms = |ms: u32| {
            vec![0i16; (u64::from(self.manifest.sample_rate) * u64::from(ms) / 1000) as usize]
        };
        let mut out = Vec::new();
        if chime && let Some(c) = self.clip("chime") {
            out.extend_from_slice(c);
            out.extend(ms(self.manifest.repeat_pause_ms / 2));
        }
        for r in 0..repeat.max(1) {
            if r > 0 {
                out.extend(ms(self.manifest.repeat_pause_ms));
            }
            for (i, w) in words.iter().enumerate() {
                if i > 0 {
                    out.extend(ms(self.manifest.gap_ms));
                }
                if let Some(c) = self.clip(&w.clip()) {
                    out.extend_from_slice(c);
                }
            }
        }
        let gain = i32::from(volume.min(100));
        for s in &mut out {
            *s = i16::try_from(i32::from(*s) * gain / 100).unwrap_or(0);
        }
        out
    }

    /// [`ClipPack::compose`] as a WAV file.
    pub fn compose_wav(&self, words: &[Word], repeat: u32, volume: u8, chime: bool) -> Vec<u8> {
        wav::encode(
            self.sample_rate(),
            &self.compose(words, repeat, volume, chime),
        )
    }
}

fn parse_manifest(text: &str, origin: &str) -> Result<PackManifest, VoiceError> {
    let manifest: PackManifest =
        toml::from_str(text).map_err(|e| VoiceError::Pack(format!("{origin}: {e}")))?;
    if manifest.format != 1 {
        return Err(VoiceError::Pack(format!(
            "{origin}: format {} is not supported (1 is)",
            manifest.format
        )));
    }
    if !(8000..=48_000).contains(&manifest.sample_rate) {
        return Err(VoiceError::Pack(format!(
            "{origin}: sample_rate must be 8000 to 48000"
        )));
    }
    Ok(manifest)
}
