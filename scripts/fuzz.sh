#!/usr/bin/env bash
# Runs the section fuzz at scale: 100,000 cases by default (CI runs 10,000).
# Usage: scripts/fuzz.sh [cases] [seed]
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q install -DskipTests
mvn -B -pl transport test -Dtest=SectionFuzzTest -Dsurefire.failIfNoSpecifiedTests=false \
  -Daperture.fuzzCases="${1:-100000}" -Daperture.fuzzSeed="${2:-$RANDOM}"
