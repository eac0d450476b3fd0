#!/usr/bin/env bash
# Loa Xã quick start: `./quickstart.sh demo` runs the controller, `./quickstart.sh test` runs
# every test. Either one first installs the Debian packages the build needs if they are missing
# (ALSA headers, pkg-config, cmake and a C compiler for the bundled SQLite and Opus).
# `./quickstart.sh packages build|test` only installs them (CI fetches the test packages while
# it compiles).
set -euo pipefail
cd "$(dirname "$0")"

PACKAGES=(build-essential pkg-config cmake libasound2-dev)
# The demo's typed bulletins are read aloud by espeak-ng.
DEMO_PACKAGES=(espeak-ng)
# The browser tests drive a real Chromium; the cluster tests start real Mosquitto brokers;
# the speech tests read with the real espeak-ng; the relay tests start a real Icecast fed by
# ffmpeg.
TEST_PACKAGES=(chromium chromium-driver mosquitto espeak-ng icecast2 ffmpeg)

install_missing() {
    local missing=()
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    echo "Cài gói còn thiếu / installing missing packages: ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}

case "${1:-}" in
    demo)
        install_missing "${PACKAGES[@]}" "${DEMO_PACKAGES[@]}"
        cargo build --release --locked
        exec ./target/release/loaxa serve --demo "${@:2}"
        ;;
    test)
        install_missing "${PACKAGES[@]}" "${TEST_PACKAGES[@]}"
        cargo test --locked "${@:2}"
        ;;
    packages)
        case "${2:-}" in
            build) install_missing "${PACKAGES[@]}" ;;
            test) install_missing "${PACKAGES[@]}" "${TEST_PACKAGES[@]}" ;;
            *) echo "usage: $0 packages build|test" >&2; exit 2 ;;
        esac
        ;;
    *)
        echo "usage: $0 demo|test|packages" >&2
        exit 2
        ;;
esac
