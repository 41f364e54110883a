#!/usr/bin/env bash
# Runs every libFuzzer target of Fuzz/ for FUZZ_SECONDS each (default 180) and prints a summary table
# (executions, coverage, corpus, findings). Seeds are the fixtures and data files named below, referenced
# through symlinks (never copied), plus seeds each target makes in code. Exits non-zero on any finding.
# Usage: Scripts/fuzz.sh [target ...]   (FUZZ_SECONDS, FUZZ_MAX_LEN, MLAN_SHARED override the defaults)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
shared=${MLAN_SHARED:-$root/../shared}
[ -d "$shared/fixtures" ] || { echo "fuzz: no fixtures at $shared (set MLAN_SHARED)" >&2; exit 2; }
shared=$(cd "$shared" && pwd)
seconds=${FUZZ_SECONDS:-180}
bin=$root/Fuzz/.build/release/mlan-fuzz
work=$root/Fuzz/.build/fuzz
fx=$shared/fixtures

# target -> seed files (globs); big files are skipped by size below unless the target allows them
declare -A seeds=(
  [safetensors]="$fx/optim/*.safetensors $fx/gguf/*.safetensors $fx/tiny-llama/ref.safetensors $fx/tiny-llava/ref.safetensors $fx/tiny-llama/model.safetensors"
  [gguf]="$fx/gguf/types.gguf"
  [png]="$fx/images/*.png $fx/tiny-llava/*.png $fx/llava-hf-bf16-sharded/image.png"
  [jpeg]="$fx/jpeg/*.jpg"
  [tokenizer-json]=""
  [tokenizer-model]=""
  [task]="$root/Sources/MLANEval/Resources/tasks/*/*.json"
  [records-json]="$shared/data/llava_instruct/llava_instruct_100.json"
  [records-jsonl]="$fx/llama2-tokenizer/v1_conversations.jsonl $shared/data/alpaca/seed_tasks.jsonl"
  [config]="$fx/*/config.json $fx/*/preprocessor_config.json $root/Configs/*.json"
  [checkpoint]=""
)
# target -> full-size files run once each (not mutated): a 32 000-piece vocabulary costs ~1 s per input under
# ASan, so the corpora hold the small seeds the target cuts from these files instead (Fuzz/.../SmallSeeds.swift)
declare -A once=(
  [gguf]="$fx/llama2-tokenizer/ggml-vocab-llama-spm.gguf"
  [tokenizer-json]="$fx/llama2-tokenizer/tokenizer.json"
  [tokenizer-model]="$fx/llama2-tokenizer/tokenizer.model"
)
declare -A maxlen=([gguf]=262144 [records-json]=262144 [tokenizer-json]=131072)
all="safetensors gguf png jpeg tokenizer-json tokenizer-model task records-json records-jsonl config checkpoint"
targets=${*:-$all}

export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:allocator_may_return_null=0}
export MLAN_FUZZ_FIXTURES=$fx
summary=$work/summary.md
mkdir -p "$work"
echo "| target | seconds | executions | exec/s | coverage (cov) | features (ft) | corpus | slow units | findings |" > "$summary"
echo "|---|---|---|---|---|---|---|---|---|" >> "$summary"
failed=0
for target in $targets; do
  seed_dir=$work/seeds/$target corpus=$work/corpus/$target artifacts=$work/artifacts/$target
  rm -rf "$seed_dir"; mkdir -p "$seed_dir" "$corpus" "$artifacts"
  for file in ${seeds[$target]}; do [ -f "$file" ] && ln -sf "$file" "$seed_dir/$(basename "$(dirname "$file")")-$(basename "$file")"; done
  MLAN_FUZZ_TARGET=$target MLAN_FUZZ_WRITE_SEEDS=$seed_dir "$bin" -runs=0 "$seed_dir" >/dev/null 2>&1 || true
  log=$work/$target.log
  set +e
  once_status=0; : > "$work/$target-once.log"
  for file in ${once[$target]:-}; do  # files given by name run once each, whole (no -max_len cut)
    [ -f "$file" ] || continue
    MLAN_FUZZ_TARGET=$target "$bin" -rss_limit_mb=3072 -malloc_limit_mb=2048 -artifact_prefix="$artifacts/" "$file" \
      >> "$work/$target-once.log" 2>&1 || once_status=$?
  done
  MLAN_FUZZ_TARGET=$target "$bin" "$corpus" "$seed_dir" -max_total_time="$seconds" -timeout=25 \
    -rss_limit_mb=3072 -malloc_limit_mb=2048 -max_len="${FUZZ_MAX_LEN:-${maxlen[$target]:-65536}}" \
    -print_final_stats=1 -artifact_prefix="$artifacts/" > "$log" 2>&1
  status=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  speed=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  last=$(grep -E '^#[0-9]+' "$log" | tail -1)
  cov=$(echo "$last" | grep -o 'cov: [0-9]*' | grep -o '[0-9]*' || echo ?)
  ft=$(echo "$last" | grep -o 'ft: [0-9]*' | grep -o '[0-9]*' || echo ?)
  corp=$(echo "$last" | grep -o 'corp: [0-9]*' | grep -o '[0-9]*' || echo ?)
  found=$(ls "$artifacts" | grep -cv '^slow-unit-' || true)  # slow units (>10 s) are reported, not failures
  slow=$(ls "$artifacts" | grep -c '^slow-unit-' || true)
  [ "$once_status" -ne 0 ] && status=$once_status
  [ "$status" -ne 0 ] || [ "$found" -ne 0 ] && failed=1
  echo "| $target | $seconds | $runs | $speed | $cov | $ft | $corp | $slow | $found$( [ "$status" -ne 0 ] && echo " (exit $status, see $log)") |" >> "$summary"
  tail -1 "$summary"
done
echo; cat "$summary"
[ "$failed" -eq 0 ] || { echo "fuzz: findings in $work/artifacts (reproduce: MLAN_FUZZ_TARGET=NAME $bin FILE)" >&2; exit 1; }
