#!/usr/bin/env bash
# How much the Satchel processor adds to compiling 50 @SessionData interfaces: javac with and
# without the processor, each run several times, the median reported.
#
#   bash benchmarks/compile-time.sh
set -euo pipefail
cd "$(dirname "$0")/.."

runs=${RUNS:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Each module also writes its own runtime class path (the reactor resolves the snapshot modules).
mvn -q -pl processor -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/runtime-classpath.txt -Dmdep.includeScope=runtime
runtime_jar=$(ls runtime/target/satchel-runtime-*.jar | grep -v tests | head -1)
processor_jar=$(ls processor/target/satchel-processor-*.jar | head -1)
classpath="$runtime_jar:$(cat runtime/target/runtime-classpath.txt)"
processorpath="$processor_jar:$(cat processor/target/runtime-classpath.txt)"

mkdir -p "$work/src/bench"
for i in $(seq 1 50); do
  cat > "$work/src/bench/Session$i.java" <<JAVA
package bench;

import dev.satchel.SessionData;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;

@SessionData
public interface Session$i {
  List<String> cart();
  User user();
  Instant lastVisit();
  Map<String, List<Item>> wishlists();
  Optional<Integer> visits();
  record User(String id, String name, String email) {}
  record Item(String sku, int quantity) {}
}
JAVA
done

median() { sort -n | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

time_javac() {
  local label=$1; shift
  for _ in $(seq 1 "$runs"); do
    rm -rf "$work/out" && mkdir -p "$work/out"
    local start end
    start=$(date +%s%N)
    javac -d "$work/out" -cp "$classpath" "$@" "$work"/src/bench/*.java
    end=$(date +%s%N)
    echo $(( (end - start) / 1000000 ))
  done | median > "$work/$label"
}

time_javac without -proc:none
time_javac with -processorpath "$processorpath" -processor dev.satchel.processor.SessionDataProcessor
without=$(cat "$work/without")
with=$(cat "$work/with")
echo "javac, 50 @SessionData interfaces, median of $runs runs:"
echo "  without the processor: ${without} ms"
echo "  with the processor:    ${with} ms (generates and compiles 50 session classes)"
awk -v a="$with" -v b="$without" 'BEGIN {printf "  ratio: %.2fx\n", a / b}'
