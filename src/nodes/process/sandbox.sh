#!/bin/bash
# kindling's container sandbox. Runs as PID 1 of fresh user, mount, PID, UTS, IPC (and network)
# namespaces made by unshare(1); builds a root filesystem that is a copy-on-write overlay of the
# host's (writes land in a tmpfs and never reach the host), mounts the pod's volumes, pivots
# into it and execs the container's command. $1 is a spec file written by spec.ts (bash
# assignments: HOST, BASE, VOLUMES, ENVS, CMD, RUN_UID, RUN_GID, WORKDIR, NET_LOOPBACK).
set -euo pipefail
PATH=/usr/sbin:/usr/bin:/sbin:/bin
# shellcheck disable=SC1090
source "$1"

fail() { echo "kindling sandbox: $*" >&2; exit 128; }

# when the launcher writes the uid/gid maps itself (a range of ids, as root), wait for them
if [ "${WAIT_MAP:-0}" = 1 ]; then
  for _ in $(seq 1 500); do
    [ -n "$(< /proc/self/uid_map)" ] && [ -n "$(< /proc/self/gid_map)" ] && break
    sleep 0.01
  done
  [ -n "$(< /proc/self/uid_map)" ] || fail "no uid map was written for the user namespace"
fi

mount -t tmpfs -o mode=755 kindling-sandbox "$BASE" || fail "cannot mount a tmpfs (mount namespace)"
ROOT=$BASE/root
UP=$BASE/up
mkdir -p "$ROOT" "$UP"
mount -t tmpfs -o mode=755 kindling-root "$ROOT"

for entry in /*; do
  name=${entry#/}
  [ -e "$entry" ] || [ -L "$entry" ] || continue
  if [ -L "$entry" ]; then cp -P "$entry" "$ROOT/$name"; continue; fi
  [ -d "$entry" ] || continue
  mkdir -p "$ROOT/$name"
  case $name in
    proc|sys|dev) continue ;;
  esac
  mkdir -p "$UP/$name/u" "$UP/$name/w"
  if ! mount -t overlay overlay -o "lowerdir=$entry,upperdir=$UP/$name/u,workdir=$UP/$name/w,userxattr" "$ROOT/$name" 2>/dev/null; then
    # a directory with other mounts below it cannot be a lower layer inside a user namespace:
    # the container sees it empty (and writable, in memory)
    mount -t tmpfs -o mode=755 tmpfs "$ROOT/$name"
  fi
done

mount -t proc proc "$ROOT/proc" || fail "cannot mount /proc (PID namespace)"
mount -t sysfs -o ro sysfs "$ROOT/sys" 2>/dev/null || true
mount -t tmpfs -o mode=755,nosuid tmpfs "$ROOT/dev"
for d in null zero full random urandom tty; do
  touch "$ROOT/dev/$d"
  mount --bind "/dev/$d" "$ROOT/dev/$d"
done
mkdir -p "$ROOT/dev/pts" "$ROOT/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$ROOT/dev/pts" 2>/dev/null && ln -s pts/ptmx "$ROOT/dev/ptmx"
mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$ROOT/dev/shm"
ln -s /proc/self/fd "$ROOT/dev/fd"
ln -s /proc/self/fd/0 "$ROOT/dev/stdin"
ln -s /proc/self/fd/1 "$ROOT/dev/stdout"
ln -s /proc/self/fd/2 "$ROOT/dev/stderr"

# volumes: source, mountPath, ro|rw, file|dir
i=0
while [ $i -lt ${#VOLUMES[@]} ]; do
  src=${VOLUMES[$i]} dst=$ROOT${VOLUMES[$((i + 1))]} mode=${VOLUMES[$((i + 2))]}
  i=$((i + 3))
  if [ -d "$src" ]; then mkdir -p "$dst"; else mkdir -p "$(dirname "$dst")"; [ -e "$dst" ] || touch "$dst"; fi
  mount --bind "$src" "$dst"
  if [ "$mode" = ro ]; then mount -o remount,bind,ro "$dst"; fi
done

hostname "$HOST"
# loopback up: iproute2's ip where installed, else an SIOCSIFFLAGS ioctl from perl (perl-base is essential)
if [ "$NET_LOOPBACK" = 1 ]; then
  ip link set lo up 2>/dev/null ||
    perl -e 'socket(my $s, 2, 2, 0) or die; my $r = pack("a16 x24", "lo"); ioctl($s, 0x8913, $r) or die; ioctl($s, 0x8914, pack("a16 s x22", "lo", unpack("x16 s", $r) | 1)) or die' 2>/dev/null ||
    true
fi

cd "$ROOT"
mkdir -p .oldroot
pivot_root . .oldroot || fail "pivot_root failed"
umount -l /.oldroot
rmdir /.oldroot
mkdir -p "$WORKDIR"
cd "$WORKDIR"
# tell the launcher the container is set up (fd 3), then close it so the command does not inherit it
if { true >&3; } 2>/dev/null; then echo ready >&3; exec 3>&-; fi
exec setpriv --reuid="$RUN_UID" --regid="$RUN_GID" --clear-groups -- env -i -- "${ENVS[@]}" "${CMD[@]}"
