#!/usr/bin/env bash
# Times the whole `vpcgen generate` process (start-up, parse, render, compare, write) with
# hyperfine and reports peak memory with GNU time: one typical spec (benches/typical.yaml: 3 AZs,
# 2 gateway and 12 interface endpoints), the all-services spec, and
# directories of 10, 100 and 500 specs; each into a fresh output directory, as a regeneration
# where nothing changed, and as `--check`. Output goes below $OUT_BASE (default: a temporary
# directory under /tmp; use /dev/shm to take the disk out of the figures).
# Needs hyperfine and GNU time (Debian packages `hyperfine` and `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
for tool in hyperfine /usr/bin/time; do
  command -v "$tool" >/dev/null || {
    echo "whole-process.sh needs $tool (Debian packages: hyperfine, time)" >&2
    exit 1
  }
done
cargo build --release --quiet
bin="$PWD/target/release/vpcgen"
work=$(mktemp -d)
out=$(mktemp -d -p "${OUT_BASE:-/tmp}")
trap 'rm -rf "$work" "$out"' EXIT
for n in 10 100 500; do
  mkdir -p "$work/specs$n"
  for i in $(seq -w 1 "$n"); do
    sed "s/^name: typical/name: typical-$i/" benches/typical.yaml > "$work/specs$n/s$i.yaml"
  done
done
median() { # command, hyperfine options...
  local cmd=$1; shift
  hyperfine --style none -N --warmup 5 --runs "${RUNS:-30}" "$@" --export-json "$work/h.json" "$cmd" >/dev/null 2>&1
  python3 -c "import json;r=json.load(open('$work/h.json'))['results'][0];print('%.1f' % (r['median']*1000))"
}
run() { # name, target, spec path
  local name=$1 target=$2 spec=$3 dir="$out/o"
  local fresh same check rss
  fresh=$(median "$bin generate $spec --target $target --out $dir" --prepare "rm -rf $dir")
  same=$(median "$bin generate $spec --target $target --out $dir")
  check=$(median "$bin generate $spec --target $target --out $dir --check")
  rm -rf "$dir"
  /usr/bin/time -f '%M' -o "$work/rss" "$bin" generate "$spec" --target "$target" --out "$dir" >/dev/null 2>&1
  printf '| %s | %s ms | %s ms | %s ms | %s MB |\n' "$name" "$fresh" "$same" "$check" \
    "$(python3 -c "print('%.1f' % ($(cat "$work/rss") / 1024))")"
}
echo "| run | fresh output | regenerate, no change | --check | peak memory |"
echo "|---|---|---|---|---|"
echo "| \`vpcgen --version\` (process start-up alone) | $(median "$bin --version") ms | | | |"
run "one typical spec, cloudformation" cloudformation benches/typical.yaml
run "one typical spec, both targets" all benches/typical.yaml
run "all-services spec (399 endpoints), cloudformation" cloudformation tests/all-services/spec.yaml
run "10 typical specs, cloudformation" cloudformation "$work/specs10"
run "100 typical specs, cloudformation" cloudformation "$work/specs100"
run "100 typical specs, terraform" terraform "$work/specs100"
run "500 typical specs, cloudformation" cloudformation "$work/specs500"
