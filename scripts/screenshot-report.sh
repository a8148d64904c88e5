#!/usr/bin/env bash
# Renders a report's index.html in headless Chromium and writes a full-page PNG screenshot.
# Usage: scripts/screenshot-report.sh REPORT_DIR_OR_INDEX_HTML [OUT.png] [WIDTHxHEIGHT]
# Exits non-zero when Chromium fails or the page logs a JavaScript/console error or a missing resource.
set -euo pipefail
target="${1:?usage: screenshot-report.sh REPORT_DIR_OR_INDEX_HTML [OUT.png] [WIDTHxHEIGHT]}"
[ -d "$target" ] && target="$target/index.html"
[ -f "$target" ] || { echo "screenshot-report: no such file: $target" >&2; exit 2; }
html="$(cd "$(dirname "$target")" && pwd)/$(basename "$target")"
out="${2:-$(dirname "$html")/screenshot.png}"
size="${3:-1200x4800}"
browser="$(command -v chromium || command -v chromium-browser || command -v google-chrome || true)"
[ -n "$browser" ] || { echo "screenshot-report: chromium not found (apt-get install -y chromium)" >&2; exit 2; }
profile="$(mktemp -d)"
log="$(mktemp)"
trap 'rm -rf "$profile" "$log"' EXIT
"$browser" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$profile" --hide-scrollbars \
  --window-size="${size/x/,}" --enable-logging=stderr --v=0 --screenshot="$out" "file://$html" >"$log" 2>&1 || {
  cat "$log" >&2; echo "screenshot-report: chromium failed" >&2; exit 1; }
# Page errors (console errors, failed loads of images/figures) make the check fail.
if grep -E "CONSOLE\(|ERR_FILE_NOT_FOUND|Failed to load|Uncaught" "$log" | grep -v "dbus\|Fontconfig" >&2; then
  echo "screenshot-report: the page logged errors (above)" >&2; exit 1
fi
# Chromium logs no error for a missing local image: check every local src/href the page references.
missing=0
while IFS= read -r ref; do
  case "$ref" in http:*|https:*|data:*|file:*|mailto:*|\#*) continue ;; esac
  [ -e "$(dirname "$html")/$ref" ] || { echo "screenshot-report: the page references $ref, which does not exist" >&2; missing=1; }
done < <(grep -oE '(src|href)="[^"]+"' "$html" | sed -E 's/^(src|href)="([^"]+)"$/\2/')
[ "$missing" -eq 0 ] || exit 1
[ -s "$out" ] || { echo "screenshot-report: no screenshot written" >&2; exit 1; }
echo "$out"
