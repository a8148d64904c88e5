#!/usr/bin/env bash
# Packs the solution into a temporary feed and tests the packages as a user would get them:
#   1. dotnet pack Polyak.slnx (Polyak, Polyak.Cluster and the Polyak.Cli tool) and checks what the packages hold;
#   2. installs the tool into a temporary tool path and runs `polyak train --updates 50` (exit 0, run.json written);
#   3. builds and runs examples/CustomModel against the packed Polyak package instead of the project.
# The version is the one in Directory.Build.props. Packages restored for steps 2 and 3 go to a temporary
# NUGET_PACKAGES folder, so the freshly packed 0.1.0 is used even if an older 0.1.0 sits in ~/.nuget/packages.
# Everything is written under a temporary folder, removed at the end (PACKAGE_TEST_KEEP=1 keeps it).
# Exit code 0 when every step passed.
set -euo pipefail
repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
start=$SECONDS
tmp="$(mktemp -d "${TMPDIR:-/tmp}/polyak-package-test.XXXXXX")"
cleanup() { if [ "${PACKAGE_TEST_KEEP:-0}" = 1 ]; then echo "package test: kept $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT
feed="$tmp/feed"
step() { echo "package test: $* ($((SECONDS - start)) s)"; }
fail() { echo "package test: FAILED: $*" >&2; exit 1; }

version="$(dotnet msbuild "$repo/src/Polyak/Polyak.csproj" -nologo -getProperty:Version)"
[ -n "$version" ] || fail "could not read Version from Directory.Build.props"

step "packing version $version into $feed"
dotnet pack "$repo/Polyak.slnx" -c Release --nologo -v quiet -o "$feed" || fail "dotnet pack"

# Lists a package's entries (unzip, or Python's zipfile where unzip is missing).
entries() {
  if command -v unzip >/dev/null 2>&1; then unzip -Z1 "$1"
  else python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' "$1"; fi
}
expect() { # package, entries it must hold
  local pkg="$feed/$1.$version.nupkg" list; shift
  [ -f "$pkg" ] || fail "$(basename "$pkg") was not produced"
  [ -f "${pkg%.nupkg}.snupkg" ] || fail "$(basename "${pkg%.nupkg}.snupkg") was not produced"
  list="$(entries "$pkg")"
  for e in README.md LICENSE "$@"; do
    grep -qxF "$e" <<<"$list" || fail "$(basename "$pkg") lacks $e"
  done
}
expect Polyak lib/net10.0/Polyak.dll lib/net10.0/Polyak.xml
expect Polyak.Cluster lib/net10.0/Polyak.Cluster.dll lib/net10.0/Polyak.Cluster.xml
expect Polyak.Cli tools/net10.0/any/DotnetToolSettings.xml tools/net10.0/any/Polyak.Cli.dll tools/net10.0/any/Polyak.dll
for unexpected in "$feed"/*.nupkg; do
  case "$(basename "$unexpected")" in
    Polyak.$version.nupkg|Polyak.Cluster.$version.nupkg|Polyak.Cli.$version.nupkg) ;;
    *) fail "unexpected package $(basename "$unexpected") (a project that should be IsPackable=false?)" ;;
  esac
done

# From here on restores use a fresh packages folder; the commands run outside the repository so that its
# Directory.Build.props / Directory.Packages.props play no part in installing the tool.
export NUGET_PACKAGES="$tmp/nuget-packages"

step "installing the tool"
(cd "$tmp" && dotnet tool install Polyak.Cli --tool-path "$tmp/tools" --add-source "$feed" --version "$version") \
  || fail "dotnet tool install"
[ -x "$tmp/tools/polyak" ] || fail "the tool path has no polyak command"

step "polyak train --updates 50"
(cd "$tmp" && "$tmp/tools/polyak" train --updates 50 --out "$tmp/run") || fail "polyak train exited with $?"
[ -s "$tmp/run/run.json" ] || fail "polyak train wrote no run.json"

step "building examples/CustomModel against the Polyak package"
dotnet build "$repo/examples/CustomModel/CustomModel.csproj" -c Release --nologo -v quiet \
  --artifacts-path "$tmp/example" \
  -p:UsePolyakPackage=true -p:PolyakPackageVersion="$version" -p:RestoreAdditionalProjectSources="$feed" \
  || fail "building examples/CustomModel against the package"
assets="$tmp/example/obj/CustomModel/project.assets.json"
[ -f "$assets" ] || fail "no $assets"
grep -q "\"Polyak/$version\": {" "$assets" || fail "examples/CustomModel did not restore the Polyak $version package"
grep -q 'src/Polyak/Polyak.csproj' "$assets" && fail "examples/CustomModel still references the Polyak project"
dll="$(find "$tmp/example/bin" -name CustomModel.dll | head -n1)"
[ -n "$dll" ] || fail "no CustomModel.dll under $tmp/example/bin"
[ -f "$NUGET_PACKAGES/polyak/$version/lib/net10.0/Polyak.dll" ] || fail "Polyak $version is not in the fresh packages folder"
cmp -s "$(dirname "$dll")/Polyak.dll" "$NUGET_PACKAGES/polyak/$version/lib/net10.0/Polyak.dll" \
  || fail "the example's Polyak.dll is not the packed one"

step "running examples/CustomModel"
(cd "$tmp" && dotnet "$dll") || fail "examples/CustomModel exited with $?"

step "OK"
