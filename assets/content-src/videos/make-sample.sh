#!/usr/bin/env bash
# Regenerates the sample publicity video shipped in the bundled content, offline, from this script alone:
# three slides (text drawn by GStreamer's textoverlay in the bundled Noto Sans CJK SC font) and a voice
# line read by espeak-ng, encoded as H.264 720p30 + AAC in MP4, with its SubRip subtitles.
#
#   apt-get install espeak-ng sox gstreamer1.0-tools gstreamer1.0-plugins-{base,good,bad,ugly} \
#       gstreamer1.0-libav gstreamer1.0-x && assets/content-src/videos/make-sample.sh
#
# Outputs, next to this script: sample-12348.mp4 and sample-12348.srt (sample-12348.toml describes
# them for the bundle). Then rebuild the bundled content (assets/content-src/bundle.toml says how).
#
# espeak-ng is GPL-3.0-or-later; its output (the voice line) is not covered by its licence. The clip is
# made by this project, marked as a sample (示例), and distributed under the project's licence (LICENSE).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
fonts=$(cd "$here/../../fonts" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The bundled font, and nothing of the machine's, so the clip is the same on every machine.
cat >"$work/fonts.conf" <<CONF
<?xml version="1.0"?>
<!DOCTYPE fontconfig SYSTEM "fonts.dtd">
<fontconfig><dir>$fonts</dir><cachedir>$work/fc-cache</cachedir></fontconfig>
CONF
export FONTCONFIG_FILE="$work/fonts.conf"

# The voice line, two sentences, one cue each.
line1="有法律问题，请拨打一二三四八公共法律服务热线。"
line2="符合条件的群众，可以申请免费的法律援助。"
espeak-ng -v cmn -s 210 -a 160 -w "$work/v1.wav" "$line1"
espeak-ng -v cmn -s 210 -a 160 -w "$work/v2.wav" "$line2"
sox -n -r 22050 -c 1 "$work/gap.wav" trim 0.0 0.6
sox "$work/gap.wav" "$work/v1.wav" "$work/gap.wav" "$work/v2.wav" "$work/gap.wav" -r 44100 -c 2 "$work/voice.wav" norm -3
len() { sox --i -D "$1"; }
t0=0.6
t1=$(echo "$t0 + $(len "$work/v1.wav")" | bc -l)
t2=$(echo "$t1 + 0.6" | bc -l)
t3=$(echo "$t2 + $(len "$work/v2.wav")" | bc -l)
total=$(len "$work/voice.wav")
stamp() { # seconds -> HH:MM:SS,mmm
    local ms
    ms=$(printf '%.0f' "$(echo "$1 * 1000" | bc -l)")
    printf '%02d:%02d:%02d,%03d' $((ms / 3600000)) $((ms / 60000 % 60)) $((ms / 1000 % 60)) $((ms % 1000))
}
cat >"$here/sample-12348.srt" <<SRT
1
$(stamp $t0) --> $(stamp $t1)
有法律问题，请拨打12348公共法律服务热线
Legal questions? Call the 12348 public legal service hotline

2
$(stamp $t2) --> $(stamp $t3)
符合条件的群众，可以申请免费的法律援助
Those who qualify may apply for free legal aid
SRT

# Three slides of equal length covering the voice, 30 frames per second.
frames=$(printf '%.0f' "$(echo "$total * 30 / 3 + 1" | bc -l)")
slide() { # slide COLOUR TITLE SUBTITLE
    printf 'videotestsrc pattern=solid-color foreground-color=%s num-buffers=%s ! video/x-raw,width=1280,height=720,framerate=30/1 ! textoverlay text="%s" font-desc="Noto Sans CJK SC Bold 30" valignment=center halignment=center deltay=-50 ! textoverlay text="%s" font-desc="Noto Sans CJK SC 18" valignment=center halignment=center deltay=60 ! textoverlay text="示例 Sample" font-desc="Noto Sans CJK SC 12" valignment=top halignment=right xpad=24 ypad=24 ! c. ' \
        "$1" "$frames" "$2" "$3"
}
# shellcheck disable=SC2046
gst-launch-1.0 -q \
    concat name=c ! videoconvert ! x264enc speed-preset=slow bitrate=250 key-int-max=60 \
        ! video/x-h264,profile=main ! h264parse ! mp4mux name=m faststart=true \
        ! filesink location="$here/sample-12348.mp4" \
    $(slide 0xff9e1b17 "12348 公共法律服务热线" "法律咨询 · 法律援助 · 人民调解") \
    $(slide 0xff17283f "法律援助 免费提供" "经济困难 · 符合条件 · 可申请") \
    $(slide 0xff1f5c3a "黔江区公共法律服务中心" "有事找法 · 就近办理") \
    filesrc location="$work/voice.wav" ! wavparse ! audioconvert ! audioresample ! avenc_aac bitrate=64000 \
        ! aacparse ! m.
ls -l "$here/sample-12348.mp4" "$here/sample-12348.srt"
