#!/bin/sh
# Obtain Debian's etcd 3.4 (packages etcd-server and etcd-client) into .cache/etcd/ of this
# repository, without installing anything system-wide (no service is started), and print the
# path of the etcd binary. Idempotent: a second run only prints the path.
# Start it with `--logger zap` (3.4 warns about its old default logger).
set -eu

repo=$(cd "$(dirname "$0")/.." && pwd)
dest="$repo/.cache/etcd"
bin="$dest/usr/bin/etcd"

if [ -x "$bin" ] && [ -x "$dest/usr/bin/etcdctl" ]; then
  echo "$bin"
  exit 0
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
if ! apt-get download etcd-server etcd-client >/dev/null 2>&1; then
  # the package lists may be missing (fresh containers): refresh them once, then retry
  if [ "$(id -u)" = 0 ]; then apt-get update >/dev/null; else sudo apt-get update >/dev/null; fi
  apt-get download etcd-server etcd-client >/dev/null
fi
mkdir -p "$dest.tmp.$$"
for deb in etcd-server_*.deb etcd-client_*.deb; do
  dpkg -x "$deb" "$dest.tmp.$$"
done
if [ ! -x "$dest.tmp.$$/usr/bin/etcd" ]; then
  echo "get-etcd: the etcd-server package did not contain usr/bin/etcd" >&2
  rm -rf "$dest.tmp.$$"
  exit 1
fi
# several test files may run this at once: the first complete extraction wins
# (mv -T refuses to replace a non-empty directory)
if [ -x "$bin" ] || ! mv -T "$dest.tmp.$$" "$dest" 2>/dev/null; then
  rm -rf "$dest.tmp.$$"
fi
echo "$bin"
