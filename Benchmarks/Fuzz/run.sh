#!/usr/bin/env bash
# Builds and runs the libFuzzer target for the protocol decoders (with AddressSanitizer).
# Usage: bash Benchmarks/Fuzz/run.sh [libFuzzer flags…]   e.g. -max_total_time=60
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
out="$root/.build-fuzz"
mkdir -p "$out/corpus"
swiftc -O -sanitize=fuzzer,address -parse-as-library -module-name DeepstreamProtocol \
  $(find "$root/Sources/DeepstreamProtocol" -name '*.swift') "$root/Benchmarks/Fuzz/FuzzCodecs.swift" \
  -o "$out/fuzz-codecs"
# Seed the corpus with the spec's example frames.
printf '\x06\x10\x02\x1a\x02\x08\x02' > "$out/corpus/ping"
printf '\x12\x10\x06\x1a\x0e\x08\x04\x1a\x02\x63\x31\x3a\x06\x61\x64\x64\x54\x77\x6f' > "$out/corpus/accept"
printf '{"topic":6,"action":2,"name":"x","correlationId":"c","data":"1"}' > "$out/corpus/json-request"
exec "$out/fuzz-codecs" "$out/corpus" "$@"
