//! What a call is made of: where the picture and sound come from, where the other side's sound
//! goes, the picture's size, and the ICE servers.

/// Where the kiosk's own picture and sound come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallSource {
    /// Generated test picture and tone (`videotestsrc`, `audiotestsrc`, both live): simulated mode,
    /// tests and benchmarks.
    Test,
    /// The board's camera (`v4l2src`) and microphone (`alsasrc`).
    Devices {
        /// The V4L2 device (`/dev/video0`); none: the first one.
        camera: Option<String>,
        /// The ALSA device (`hw:1,0`, `default`); none: the system's default.
        microphone: Option<String>,
    },
}

/// Where the other side's sound goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CallAudioOut {
    /// The system's default output, as GStreamer finds it (`autoaudiosink`).
    Speaker,
    /// Decoded and counted, then dropped: tests and machines without a sound card.
    Discard,
}

/// Which side makes the SDP offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallRole {
    /// Makes the offer once the pipeline plays (the kiosk: the browser answers).
    Offerer,
    /// Waits for an offer and answers it (the other end in tests).
    Answerer,
}

/// Everything a call's media needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallSettings {
    /// Offer or answer.
    pub role: CallRole,
    /// Own picture and sound.
    pub source: CallSource,
    /// The other side's sound.
    pub audio_out: CallAudioOut,
    /// Width of the picture sent, in pixels.
    pub width: u32,
    /// Height of the picture sent, in pixels.
    pub height: u32,
    /// Frames per second sent.
    pub framerate: u32,
    /// Target bit rate of the picture sent, in kbit/s.
    pub video_kbps: u32,
    /// `stun://host:port`; none: host candidates only (a LAN or one machine).
    pub stun_server: Option<String>,
    /// `turn(s)://user:password@host:port` relays (coturn), tried when direct paths fail.
    pub turn_servers: Vec<String>,
}

impl Default for CallSettings {
    fn default() -> Self {
        Self {
            role: CallRole::Offerer,
            source: CallSource::Test,
            audio_out: CallAudioOut::Discard,
            width: 640,
            height: 480,
            framerate: 30,
            video_kbps: 600,
            stun_server: None,
            turn_servers: Vec::new(),
        }
    }
}

/// Quotes `value` for a `gst-launch` description (the device names come from configuration).
pub(super) fn quoted(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

impl CallSettings {
    /// The `gst-launch` description of the sending half: picture and sound into `webrtcbin name=w`,
    /// with a `tee` to the own-picture branch (`appsink name=selfview`) and a `valve name=video_valve`
    /// that stops the picture for audio-only.
    pub(super) fn launch_description(&self) -> String {
        let (video, audio) = match &self.source {
            CallSource::Test => (
                "videotestsrc is-live=true pattern=ball background-color=0xff1f4e79".to_owned(),
                "audiotestsrc is-live=true wave=sine freq=440 volume=0.2".to_owned(),
            ),
            CallSource::Devices { camera, microphone } => (
                match camera {
                    Some(device) => format!("v4l2src device={}", quoted(device)),
                    None => "v4l2src".to_owned(),
                },
                match microphone {
                    Some(device) => format!("alsasrc device={}", quoted(device)),
                    None => "alsasrc".to_owned(),
                },
            ),
        };
        let (w, h, fps) = (
            self.width.max(16),
            self.height.max(16),
            self.framerate.clamp(1, 60),
        );
        let bitrate = u64::from(self.video_kbps.max(50)) * 1000;
        let mut d = format!(
            "webrtcbin name=w bundle-policy=max-bundle latency=200 \
             {video} ! videoconvert ! videoscale ! videorate ! \
             video/x-raw,width={w},height={h},framerate={fps}/1,pixel-aspect-ratio=1/1 ! tee name=t \
             t. ! queue max-size-buffers=2 leaky=downstream ! valve name=video_valve drop=false ! \
             vp8enc deadline=1 cpu-used=8 keyframe-max-dist=60 error-resilient=partitions \
             target-bitrate={bitrate} ! rtpvp8pay pt=96 picture-id-mode=15-bit ! \
             application/x-rtp,media=video,encoding-name=VP8,payload=96,clock-rate=90000 ! w. \
             t. ! queue max-size-buffers=1 leaky=downstream ! videoconvert ! \
             video/x-raw,format=RGBA ! appsink name=selfview max-buffers=1 drop=true sync=false \
             {audio} ! audioconvert ! audioresample ! queue max-size-time=200000000 leaky=downstream ! \
             opusenc ! rtpopuspay pt=97 ! \
             application/x-rtp,media=audio,encoding-name=OPUS,payload=97,clock-rate=48000 ! w."
        );
        if let Some(stun) = &self.stun_server {
            d = d.replacen(
                "webrtcbin name=w",
                &format!("webrtcbin name=w stun-server={}", quoted(stun)),
                1,
            );
        }
        d
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn device_names_are_quoted_so_they_cannot_add_elements() {
        let settings = CallSettings {
            source: CallSource::Devices {
                camera: Some("/dev/video0 ! fakesink".into()),
                microphone: Some("hw:1\"x".into()),
            },
            ..CallSettings::default()
        };
        let d = settings.launch_description();
        assert!(d.contains("v4l2src device=\"/dev/video0 ! fakesink\""));
        assert!(d.contains("alsasrc device=\"hw:1\\\"x\""));
    }

    #[test]
    fn the_picture_size_and_rate_are_bounded() {
        let settings = CallSettings {
            width: 0,
            height: 0,
            framerate: 1000,
            ..CallSettings::default()
        };
        let d = settings.launch_description();
        assert!(d.contains("width=16,height=16,framerate=60/1"), "{d}");
        assert!(d.contains("videotestsrc is-live=true"));
    }
}
