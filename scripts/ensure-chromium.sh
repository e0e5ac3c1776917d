#!/bin/sh
# Makes sure headless Chromium is available for `npm run test:e2e` and
# `npm run bench:browser` (they drive it with playwright-core, which downloads
# no browser of its own). Installs the distribution package when it is missing.
# Debian (and Debian-based CI images) only: on Ubuntu the apt package is a snap
# stub that does not work in containers; point CHROMIUM_PATH at a Chromium
# binary there instead. Installing needs root.
set -eu

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  echo "chromium present: $("$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM")"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "error: $CHROMIUM is missing and installing it needs root: sudo $0" >&2
  exit 1
fi

if ! command -v apt-get >/dev/null 2>&1; then
  echo "error: $CHROMIUM is missing and this system has no apt-get; install Chromium and set CHROMIUM_PATH" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y --no-install-recommends chromium fonts-liberation
"$CHROMIUM" --version
