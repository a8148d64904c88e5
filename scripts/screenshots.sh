#!/usr/bin/env bash
# Regenerates the screenshots in docs/images: the dashboard (run list, a run page while it trains, a comparison), by the
# browser test with POLYAK_SCREENSHOTS set, and the report pages of a threads run, a simulator run and a comparison,
# rendered by scripts/screenshot-report.sh (which fails on a console error or a missing figure).
# Needs Debian's chromium (apt-get install -y chromium). Usage: scripts/screenshots.sh [OUT_DIR]
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$(mkdir -p "${1:-$here/docs/images}" && cd "${1:-$here/docs/images}" && pwd)"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
POLYAK_SCREENSHOTS="$out" dotnet test "$here/tests/Polyak.Tests/Polyak.Tests.csproj" -c Release --nologo \
  --filter "FullyQualifiedName~DashboardBrowserTests.ARunIsListed" >"$work/test.log" 2>&1 || { cat "$work/test.log"; exit 1; }
"$here/polyak" train --model mlp --data synthetic --updates 1500 --workers 2 --out "$work/threads" >/dev/null
"$here/polyak" train --model mlp --data synthetic --updates 1500 --backend simulated --workers 8 --out "$work/sim-mu0" >/dev/null
"$here/polyak" train --model mlp --data synthetic --updates 1500 --backend simulated --workers 8 --momentum -0.3 --out "$work/sim-mu-0.3" >/dev/null
"$here/polyak" report "$work/sim-mu0" "$work/sim-mu-0.3" "$work/threads" --out "$work/compare" >/dev/null
"$here/scripts/screenshot-report.sh" "$work/threads/report.html" "$out/report-threads.png" 1200x2600 >/dev/null
"$here/scripts/screenshot-report.sh" "$work/sim-mu0/report.html" "$out/report-simulated.png" 1200x2600 >/dev/null
"$here/scripts/screenshot-report.sh" "$work/compare/index.html" "$out/report-compare.png" 1200x2200 >/dev/null
ls -1 "$out"/dashboard-*.png "$out"/report-*.png
