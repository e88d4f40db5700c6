#!/bin/sh
# Obtain Debian's kubectl 1.20 (package kubernetes-client) into .cache/kubectl-1.20/ of this
# repository, without installing anything system-wide, and print the binary's path.
# Idempotent: a second run only prints the path.
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
dest="$repo/.cache/kubectl-1.20"
bin="$dest/usr/bin/kubectl"

if [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
if ! apt-get download kubernetes-client >/dev/null 2>&1; then
  # the package lists may be missing (fresh containers): refresh them once, then retry
  if [ "$(id -u)" = 0 ]; then apt-get update >/dev/null; else sudo apt-get update >/dev/null; fi
  apt-get download kubernetes-client >/dev/null
fi
deb=$(ls kubernetes-client_*.deb | head -n 1)
mkdir -p "$dest"
dpkg -x "$deb" "$dest"
if [ ! -x "$bin" ]; then
  echo "get-kubectl: $deb did not contain usr/bin/kubectl" >&2
  exit 1
fi
echo "$bin"
