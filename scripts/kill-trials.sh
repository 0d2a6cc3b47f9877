#!/usr/bin/env bash
# Runs the kill -9 trials at scale: 1,000 publisher kills by default (CI runs 50).
# Usage: scripts/kill-trials.sh [trials] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
mvn -B -pl transport test -Dtest=KillTrialsTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Daperture.killTrials="${1:-1000}" -Daperture.killSeed="${2:-$RANDOM}"
