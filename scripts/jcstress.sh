#!/usr/bin/env bash
# Runs the jcstress tests of the memory-ordering protocols (module stress/) in jcstress's full default mode:
# every JVM configuration it detects (with and without C2's scheduling randomizers, 5 forks for those),
# split compilation (each actor interpreted, C1 or C2), 5 iterations of 1 s per fork. The build runs the
# same tests in a short mode (stress JcstressTest).
#
#   scripts/jcstress.sh [JCSTRESS OPTIONS]     default: -m default; e.g. -t ParkWake -m tough; -h lists them
#
# 476 forks on JDK 17 (68 per test): about 50 minutes on two free cores. Writes the console log, the result
# blob and the HTML report to stress/target/jcstress-full/. jcstress exits non-zero when a test saw a
# forbidden outcome, erred or timed out.
set -euo pipefail
cd "$(dirname "$0")/.."
mvn -B -q -pl stress -am package -DskipTests
out=stress/target/jcstress-full
rm -rf "$out"
mkdir -p "$out"
cd "$out"
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(-m default)
java -jar ../jcstress.jar -r report "${args[@]}" 2>&1 | tee jcstress.log
exit "${PIPESTATUS[0]}"
