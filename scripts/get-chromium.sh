#!/bin/sh
# Install Debian's chromium (for the web view's end-to-end tests) and print its path.
# Needs root (or sudo) on a fresh machine; idempotent: a second run only prints the path.
set -eu

bin=/usr/bin/chromium
if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

export DEBIAN_FRONTEND=noninteractive
if ! as_root apt-get install -y --no-install-recommends chromium >/dev/null 2>&1; then
  # the package lists may be missing (fresh containers): refresh them once, then retry
  as_root apt-get update >/dev/null
  as_root apt-get install -y --no-install-recommends chromium >/dev/null
fi
if [ ! -x "$bin" ]; then
  echo "get-chromium: installing the chromium package did not provide $bin" >&2
  exit 1
fi
echo "$bin"
