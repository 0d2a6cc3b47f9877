#!/usr/bin/env bash
# Runs the kill -9 trials at scale: 1,000 publisher kills and 1,000 subscriber kills by default (CI runs 50 and 5),
# and prints each side's detection times: median, worst, and how many trials took over 100 ms.
# Usage: scripts/kill-trials.sh [trials] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
trials="${1:-1000}"
mvn -B -q install -DskipTests
mkdir -p target
mvn -B -pl transport test -Dtest=KillTrialsTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Daperture.killTrials="$trials" -Daperture.killSubscriberTrials="$trials" -Daperture.killSeed="${2:-$RANDOM}" \
  | tee target/kill-trials.log
grep '^kill trials:' target/kill-trials.log
