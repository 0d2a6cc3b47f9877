#!/usr/bin/env bash
# Runs the park/wake stress test (transport ParkWakeStressTest) for millions of rounds and prints, per test,
# the rounds run, the wakes made, the wake-up latency percentiles and the lost wake-ups (which fail it).
#
#   scripts/stress-park-wake.sh [ROUNDS]     ROUNDS per test, default 5000000 (the build runs 100000)
#
# About 5 minutes on two free cores at the default. JUnit's per-test timeout is turned off; the test keeps
# its own deadline, proportional to the rounds.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5000000}"
exec mvn -B -q -pl transport -am test \
  -Dtest=ParkWakeStressTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Daperture.stressRounds="$rounds" \
  -Djunit.jupiter.execution.timeout.mode=disabled
