#!/bin/sh
# Broker pre-stop hook: holds the broker's shutdown while it is the only
# in-sync replica of a partition that has other replicas, so that those
# followers can catch up and rejoin the ISR before the last in-sync copy
# goes away. Kubernetes ends the wait at terminationGracePeriodSeconds
# whatever this script does; then SIGTERM's controlled shutdown runs.
#
# What it checks, every PRESTOP_POLL_SECONDS: `runnel topics list` and
# `runnel topics describe` against this broker's own listener, and whether a
# partition's line reads "Replicas: <several> ... Isr: <this broker only>".
# Partitions with a single replica are skipped unless
# PRESTOP_INCLUDE_SINGLE_REPLICA=true: no wait can give them a second copy
# (decommission the broker to move them), and their data stays on the
# broker's volume for its restart.
#
# Environment: HOSTNAME (the pod name; its ordinal + 1 is the broker id),
# RUNNEL_PORT, PRESTOP_POLL_SECONDS, PRESTOP_INCLUDE_SINGLE_REPLICA, and
# RUNNEL_CLI (the CLI entry, /app/packages/cli/src/main.ts in the image),
# PRESTOP_LOG (where messages go; default PID 1's stdout, i.e. the
# container log, since a hook's own output is only shown when it fails).

set -u
id=$(( ${HOSTNAME##*-} + 1 ))
cli=${RUNNEL_CLI:-/app/packages/cli/src/main.ts}
bootstrap="127.0.0.1:${RUNNEL_PORT:-9092}"
poll=${PRESTOP_POLL_SECONDS:-5}
tab=$(printf '\t')
if [ "${PRESTOP_INCLUDE_SINGLE_REPLICA:-false}" = true ]; then
  pattern="Replicas: [0-9,]*${tab}Isr: ${id}\$"
else
  pattern="Replicas: [0-9]*,[0-9,]*${tab}Isr: ${id}\$"
fi

log=${PRESTOP_LOG:-/proc/1/fd/1}
say() {
  if [ -w "$log" ]; then echo "pre-stop: $*" >>"$log"; else echo "pre-stop: $*"; fi
}

while :; do
  if ! topics=$(node "$cli" topics list --bootstrap-server "$bootstrap" 2>/dev/null); then
    say "broker $id: cannot list topics; not holding the shutdown"
    exit 0
  fi
  held=""
  for topic in $topics; do
    count=$(node "$cli" topics describe "$topic" --bootstrap-server "$bootstrap" 2>/dev/null | grep -c -e "$pattern")
    if [ "${count:-0}" -gt 0 ]; then held="$held $topic($count)"; fi
  done
  if [ -z "$held" ]; then
    say "broker $id: not the only in-sync replica of any partition; stopping"
    exit 0
  fi
  say "broker $id is the only in-sync replica of partitions of:$held; waiting ${poll}s"
  sleep "$poll"
done
