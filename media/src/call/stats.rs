//! The call's figures from `webrtcbin`'s `get-stats`: RTP packets and bytes each way, losses seen by
//! either side, the round trip. GStreamer 1.22 has no decoded-frame count in its statistics, so the
//! frames are counted where they arrive ([`super::CallMedia::remote_frames`]).

/// Figures of one moment of a call, summed over its streams. Counters only grow during a call.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct CallStats {
    /// RTP packets received from the other side (picture and sound).
    pub packets_received: u64,
    /// Bytes of RTP received.
    pub bytes_received: u64,
    /// Packets the other side sent that never arrived here.
    pub packets_lost_inbound: i64,
    /// RTP packets sent.
    pub packets_sent: u64,
    /// Bytes of RTP sent.
    pub bytes_sent: u64,
    /// Packets sent from here that the other side reports lost (its RTCP receiver reports).
    pub packets_lost_outbound: i64,
    /// The largest fraction lost (0.0–1.0) the other side reported for a stream sent from here.
    pub fraction_lost_outbound: Option<f64>,
    /// Round-trip time in seconds, from RTCP.
    pub round_trip_secs: Option<f64>,
    /// Packets received of the picture alone.
    pub video_packets_received: u64,
}

fn number(s: &gst::StructureRef, field: &str) -> Option<f64> {
    let value = s.value(field).ok()?;
    if let Ok(v) = value.get::<u64>() {
        return Some(v as f64);
    }
    if let Ok(v) = value.get::<i64>() {
        return Some(v as f64);
    }
    if let Ok(v) = value.get::<u32>() {
        return Some(f64::from(v));
    }
    if let Ok(v) = value.get::<i32>() {
        return Some(f64::from(v));
    }
    value.get::<f64>().ok()
}

fn count(s: &gst::StructureRef, field: &str) -> u64 {
    number(s, field).map_or(0, |v| v.max(0.0) as u64)
}

fn signed(s: &gst::StructureRef, field: &str) -> i64 {
    number(s, field).map_or(0, |v| v as i64)
}

impl CallStats {
    /// Reads the reply of `get-stats`: one sub-structure per statistic, each with a `type`.
    pub(super) fn from_reply(reply: &gst::StructureRef) -> Self {
        let entries: Vec<gst::Structure> = reply
            .iter()
            .filter_map(|(_, value)| value.get::<gst::Structure>().ok())
            .collect();
        let kind_of = |s: &gst::StructureRef| s.get::<gst_webrtc::WebRTCStatsType>("type").ok();
        // A codec's clock rate tells picture (90 kHz) from sound.
        let video_codecs: Vec<String> = entries
            .iter()
            .filter(|s| kind_of(s) == Some(gst_webrtc::WebRTCStatsType::Codec))
            .filter(|s| count(s, "clock-rate") == 90_000)
            .filter_map(|s| s.get::<String>("id").ok())
            .collect();
        let mut stats = Self::default();
        for s in &entries {
            match kind_of(s) {
                Some(gst_webrtc::WebRTCStatsType::InboundRtp) => {
                    let packets = count(s, "packets-received");
                    stats.packets_received += packets;
                    stats.bytes_received += count(s, "bytes-received");
                    stats.packets_lost_inbound += signed(s, "packets-lost");
                    // GStreamer 1.22 may name the wrong codec (and kind) for a bundled stream;
                    // the RTP source's own clock rate is right.
                    let source_rate = s
                        .get::<gst::Structure>("gst-rtpsource-stats")
                        .ok()
                        .and_then(|source| number(&source, "clock-rate"));
                    let codec = s.get::<String>("codec-id").unwrap_or_default();
                    let video = match source_rate {
                        Some(rate) => rate == 90_000.0,
                        None => video_codecs.contains(&codec),
                    };
                    if video {
                        stats.video_packets_received += packets;
                    }
                }
                Some(gst_webrtc::WebRTCStatsType::OutboundRtp) => {
                    stats.packets_sent += count(s, "packets-sent");
                    stats.bytes_sent += count(s, "bytes-sent");
                }
                Some(gst_webrtc::WebRTCStatsType::RemoteInboundRtp) => {
                    stats.packets_lost_outbound += signed(s, "packets-lost");
                    if let Some(f) = number(s, "fraction-lost") {
                        let f = f.clamp(0.0, 1.0);
                        stats.fraction_lost_outbound =
                            Some(stats.fraction_lost_outbound.map_or(f, |old| old.max(f)));
                    }
                    if let Some(rtt) = number(s, "round-trip-time").filter(|r| *r > 0.0) {
                        stats.round_trip_secs =
                            Some(stats.round_trip_secs.map_or(rtt, |old| old.max(rtt)));
                    }
                }
                _ => {}
            }
        }
        stats
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_reply_is_summed_by_direction_and_the_picture_told_from_sound() {
        crate::init().unwrap();
        let codec = |id: &str, rate: u32| {
            gst::Structure::builder("application/x-webrtc-stats")
                .field("type", gst_webrtc::WebRTCStatsType::Codec)
                .field("id", id)
                .field("clock-rate", rate)
                .build()
        };
        let inbound = |codec: &str, packets: u64, lost: i64| {
            gst::Structure::builder("application/x-webrtc-stats")
                .field("type", gst_webrtc::WebRTCStatsType::InboundRtp)
                .field("codec-id", codec)
                .field("packets-received", packets)
                .field("bytes-received", packets * 1000)
                .field("packets-lost", lost)
                .build()
        };
        let remote = gst::Structure::builder("application/x-webrtc-stats")
            .field("type", gst_webrtc::WebRTCStatsType::RemoteInboundRtp)
            .field("packets-lost", 3i64)
            .field("fraction-lost", 0.25f64)
            .field("round-trip-time", 0.04f64)
            .build();
        let reply = gst::Structure::builder("application/x-webrtc-stats")
            .field("codec-v", codec("codec-v", 90_000))
            .field("codec-a", codec("codec-a", 48_000))
            .field("in-v", inbound("codec-v", 100, 2))
            .field("in-a", inbound("codec-a", 50, 1))
            .field("in-v-misnamed", {
                let mut s = inbound("codec-a", 10, 0);
                s.set(
                    "gst-rtpsource-stats",
                    gst::Structure::builder("application/x-rtp-source-stats")
                        .field("clock-rate", 90_000i32)
                        .build(),
                );
                s
            })
            .field("remote", remote)
            .field("not-a-stat", 7u32)
            .build();
        let stats = CallStats::from_reply(&reply);
        assert_eq!(stats.packets_received, 160);
        assert_eq!(stats.video_packets_received, 110);
        assert_eq!(stats.bytes_received, 160_000);
        assert_eq!(stats.packets_lost_inbound, 3);
        assert_eq!(stats.packets_lost_outbound, 3);
        assert_eq!(stats.fraction_lost_outbound, Some(0.25));
        assert_eq!(stats.round_trip_secs, Some(0.04));
        assert_eq!(
            CallStats::from_reply(&gst::Structure::new_empty("x")),
            CallStats::default()
        );
    }
}
