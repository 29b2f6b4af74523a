//! Minimal WAV (RIFF, PCM 16-bit mono) reading and writing.

/// Why a clip could not be read.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum WavError {
    /// Not a RIFF/WAVE file.
    #[error("not a WAV file")]
    NotWav,
    /// A format other than PCM 16-bit mono.
    #[error(
        "unsupported WAV format (format {format}, {channels} channels, {bits} bits): clips must be PCM 16-bit mono"
    )]
    Unsupported {
        /// Format tag (1 = PCM).
        format: u16,
        /// Channels.
        channels: u16,
        /// Bits per sample.
        bits: u16,
    },
    /// The file ends inside a chunk or has no `fmt ` or `data` chunk.
    #[error("truncated WAV file")]
    Truncated,
}

/// Decoded PCM: sample rate and 16-bit mono samples.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pcm {
    /// Samples per second.
    pub rate: u32,
    /// Samples.
    pub samples: Vec<i16>,
}

fn u16_at(b: &[u8], i: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

/// Reads a PCM 16-bit mono WAV file.
pub fn parse(bytes: &[u8]) -> Result<Pcm, WavError> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err(WavError::NotWav);
    }
    let mut pos = 12;
    let mut rate = None;
    while pos + 8 <= bytes.len() {
        let id = &bytes[pos..pos + 4];
        let len = u32_at(bytes, pos + 4).ok_or(WavError::Truncated)? as usize;
        let body = bytes
            .get(pos + 8..(pos + 8).saturating_add(len))
            .ok_or(WavError::Truncated)?;
        match id {
            b"fmt " => {
                let format = u16_at(body, 0).ok_or(WavError::Truncated)?;
                let channels = u16_at(body, 2).ok_or(WavError::Truncated)?;
                let bits = u16_at(body, 14).ok_or(WavError::Truncated)?;
                // 0xFFFE = WAVE_FORMAT_EXTENSIBLE, as sox writes it; its samples are plain PCM here.
                if !(format == 1 || format == 0xFFFE) || channels != 1 || bits != 16 {
                    return Err(WavError::Unsupported {
                        format,
                        channels,
                        bits,
                    });
                }
                rate = Some(u32_at(body, 4).ok_or(WavError::Truncated)?);
            }
            b"data" => {
                let rate = rate.ok_or(WavError::Truncated)?;
                let samples = body
                    .chunks_exact(2)
                    .map(|s| i16::from_le_bytes([s[0], s[1]]))
                    .collect();
                return Ok(Pcm { rate, samples });
            }
            _ => {}
        }
        pos += 8 + len + (len & 1);
    }
    Err(WavError::Truncated)
}

/// Writes PCM 16-bit mono samples as a WAV file.
pub fn encode(rate: u32, samples: &[i16]) -> Vec<u8> {
    let data_len = u32::try_from(samples.len() * 2).unwrap_or(u32::MAX - 36);
    let mut out = Vec::with_capacity(44 + samples.len() * 2);
    out.extend_from_slice(b"RIFF");
    out.extend_from_slice(&(36 + data_len).to_le_bytes());
    out.extend_from_slice(b"WAVEfmt ");
    out.extend_from_slice(&16u32.to_le_bytes());
    out.extend_from_slice(&1u16.to_le_bytes()); // PCM
    out.extend_from_slice(&1u16.to_le_bytes()); // mono
    out.extend_from_slice(&rate.to_le_bytes());
    out.extend_from_slice(&(rate * 2).to_le_bytes()); // bytes per second
    out.extend_from_slice(&2u16.to_le_bytes()); // block align
    out.extend_from_slice(&16u16.to_le_bytes());
    out.extend_from_slice(b"data");
    out.extend_from_slice(&data_len.to_le_bytes());
    for s in samples {
        out.extend_from_slice(&s.to_le_bytes());
    }
    out
}
