#!/usr/bin/env bash
# The Keyless action's logic (action.yml runs it in three steps). Bash 3.2+
# (macOS), Git Bash on Windows, and Linux. Inputs arrive as environment
# variables, never as expanded template text.
#
#   entry.sh install   download the release archive for this runner, verify
#                      it against the release's SHA256SUMS, put it on PATH
#   entry.sh lint      SARIF file, job summary, annotations; records the exit
#                      code (1 = findings at fail-on) without failing yet, so
#                      the SARIF upload still runs
#   entry.sh gate      fails the job when lint found something at fail-on
set -euo pipefail

die() {
  echo "::error title=keyless action::$*" >&2
  exit 2
}

# Paths as this bash sees them, and as the runner (GITHUB_PATH) wants them.
to_unix() { if command -v cygpath >/dev/null 2>&1; then cygpath -u "$1"; else printf '%s\n' "$1"; fi; }
to_native() { if command -v cygpath >/dev/null 2>&1; then cygpath -w "$1"; else printf '%s\n' "$1"; fi; }

sha256_of() {
  if command -v sha256sum >/dev/null 2>&1; then
    sha256sum "$1" | cut -d' ' -f1
  elif command -v shasum >/dev/null 2>&1; then
    shasum -a 256 "$1" | cut -d' ' -f1
  else
    die "neither sha256sum nor shasum is available to verify the download"
  fi
}

# The release target for RUNNER_OS / RUNNER_ARCH (the names the release
# workflow builds).
target_for() {
  case "$1/$2" in
    Linux/X64) echo x86_64-unknown-linux-gnu ;;
    Linux/ARM64) echo aarch64-unknown-linux-gnu ;;
    macOS/X64) echo x86_64-apple-darwin ;;
    macOS/ARM64) echo aarch64-apple-darwin ;;
    Windows/X64) echo x86_64-pc-windows-msvc ;;
    *) die "no keyless release for runner $1/$2 (Linux X64/ARM64, macOS X64/ARM64, Windows X64)" ;;
  esac
}

install() {
  local version="${KEYLESS_VERSION:?the version input is required}"
  version="${version#v}"
  case "$version" in
    *[!0-9A-Za-z.+-]*) die "version '$version' is not a version number" ;;
  esac
  local base="${KEYLESS_RELEASE_URL:-https://github.com/OWNER/keyless/releases/download}"
  local target ext archive
  target="$(target_for "${RUNNER_OS:?}" "${RUNNER_ARCH:?}")"
  ext="tar.gz"
  if [ "$RUNNER_OS" = "Windows" ]; then ext="zip"; fi
  archive="keyless-${version}-${target}.${ext}"
  local tmp
  tmp="$(to_unix "${RUNNER_TEMP:?}")/keyless-${version}-${target}"
  rm -rf "$tmp"
  mkdir -p "$tmp/bin"
  echo "Downloading ${base}/v${version}/${archive}"
  curl -fsSL --retry 3 -o "$tmp/$archive" "${base}/v${version}/${archive}" ||
    die "cannot download ${base}/v${version}/${archive}"
  curl -fsSL --retry 3 -o "$tmp/SHA256SUMS" "${base}/v${version}/SHA256SUMS" ||
    die "cannot download ${base}/v${version}/SHA256SUMS"
  local want have
  want="$(awk -v f="$archive" '$2 == f || $2 == "*" f { print $1 }' "$tmp/SHA256SUMS")"
  [ -n "$want" ] || die "SHA256SUMS lists no $archive"
  have="$(sha256_of "$tmp/$archive")"
  [ "$want" = "$have" ] || die "checksum mismatch for $archive: expected $want, got $have"
  echo "Checksum verified: $have  $archive"
  if [ "$ext" = "zip" ]; then
    if command -v unzip >/dev/null 2>&1; then
      unzip -q -o "$tmp/$archive" -d "$tmp/bin"
    else
      powershell -NoProfile -Command "Expand-Archive -Force -Path '$(to_native "$tmp/$archive")' -DestinationPath '$(to_native "$tmp/bin")'"
    fi
  else
    tar -xzf "$tmp/$archive" -C "$tmp/bin"
  fi
  local exe="$tmp/bin/keyless"
  if [ "$RUNNER_OS" = "Windows" ]; then exe="$exe.exe"; fi
  [ -f "$exe" ] || die "$archive holds no keyless binary"
  chmod +x "$exe" 2>/dev/null || true
  "$exe" --version
  to_native "$tmp/bin" >>"${GITHUB_PATH:?}"
}

lint() {
  command -v keyless >/dev/null 2>&1 || die "keyless is not on PATH (did the install step run?)"
  local -a paths=()
  local line
  # One path or glob per line (spaces inside a line are part of the path).
  while IFS= read -r line || [ -n "$line" ]; do
    line="${line%$'\r'}"
    if [ -n "${line//[[:space:]]/}" ]; then paths+=("$line"); fi
  done <<<"${KEYLESS_PATHS:-.}"
  if [ "${#paths[@]}" -eq 0 ]; then paths=(.); fi
  local -a common=()
  if [ -n "${KEYLESS_CONFIG:-}" ]; then common+=(--config "$KEYLESS_CONFIG"); fi
  local fail_on="${KEYLESS_FAIL_ON:-high}"
  local sarif="${KEYLESS_SARIF_FILE:-$(to_unix "${RUNNER_TEMP:?}")/keyless.sarif}"
  local rc=0
  keyless lint "${paths[@]}" "${common[@]+"${common[@]}"}" --format sarif --fail-on never --color never >"$sarif" || rc=$?
  [ "$rc" -eq 0 ] || die "keyless lint failed (exit $rc): see the messages above"
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    keyless lint "${paths[@]}" "${common[@]+"${common[@]}"}" --format markdown --fail-on never --color never >>"$GITHUB_STEP_SUMMARY" 2>/dev/null || true
  fi
  rc=0
  # Annotations on the pull request, and the exit status at fail-on.
  keyless lint "${paths[@]}" "${common[@]+"${common[@]}"}" --format github --fail-on "$fail_on" --color never || rc=$?
  [ "$rc" -le 1 ] || die "keyless lint failed (exit $rc)"
  {
    echo "sarif-file=$(to_native "$sarif")"
    echo "exit-code=$rc"
  } >>"${GITHUB_OUTPUT:?}"
}

gate() {
  case "${KEYLESS_EXIT_CODE:-}" in
    0) echo "keyless: no finding at or above ${KEYLESS_FAIL_ON:-high}" ;;
    1)
      echo "::error title=keyless::findings at or above ${KEYLESS_FAIL_ON:-high} (see the annotations and the job summary)"
      exit 1
      ;;
    *) die "the lint step recorded no exit code" ;;
  esac
}

case "${1:-}" in
  install) install ;;
  lint) lint ;;
  gate) gate ;;
  *) die "usage: entry.sh install|lint|gate" ;;
esac
