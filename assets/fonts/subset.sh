#!/usr/bin/env bash
# Reproducibly derive the kiosk's bundled fonts from Debian's fonts-noto-cjk (SIL Open Font License 1.1).
#
#   apt-get install fonts-noto-cjk fonttools && assets/fonts/subset.sh
#
# - NotoSansSC-Regular.otf: the Simplified Chinese face (index 2 of the collection) with EVERY code point it
#   covers, so rare characters in names (outside GB2312/GBK) never turn into tofu on screen or on a ticket.
# - NotoSansSC-Bold.otf: the bold face cut to GB2312 + ASCII + common punctuation, for headings and numbers.
#   A heading character outside that set falls back to the regular face.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src=/usr/share/fonts/opentype/noto
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

python3 - "$work/gb2312.txt" <<'PY'
import sys
chars = [chr(c) for c in range(0x20, 0x7F)]
for c in range(0xA0, 0x10000):
    ch = chr(c)
    try:
        ch.encode("gb2312")
        chars.append(ch)
    except UnicodeEncodeError:
        pass
chars += list("“”‘’—…·•、。，：；！？《》【】（）￥№℃←→↑↓√×÷")
open(sys.argv[1], "w", encoding="utf-8").write("".join(sorted(set(chars))))
PY

pyftsubset "$src/NotoSansCJK-Regular.ttc" --font-number=2 --unicodes='*' --layout-features='*' \
  --name-IDs='*' --name-languages='*' --output-file="$here/NotoSansSC-Regular.otf"
pyftsubset "$src/NotoSansCJK-Bold.ttc" --font-number=2 --text-file="$work/gb2312.txt" --layout-features='*' \
  --name-IDs='*' --name-languages='*' --output-file="$here/NotoSansSC-Bold.otf"
ls -l "$here"/*.otf
