#!/usr/bin/env bash
# Times the whole `vpcgen generate` process (start-up, parse, render, write) with hyperfine and
# reports peak memory with /usr/bin/time: one typical spec, the all-services spec, and directories
# of 100 and 500 specs. Needs hyperfine and GNU time (Debian packages `hyperfine` and `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
bin="$PWD/target/release/vpcgen"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for n in 10 100 500; do
  mkdir -p "$work/specs$n"
  for i in $(seq -w 1 "$n"); do
    sed "s/^name: ecs-fargate/name: ecs-fargate-$i/" specs/ecs-fargate.yaml > "$work/specs$n/s$i.yaml"
  done
done
run() { # name, arguments...
  local name=$1; shift
  rm -rf "$work/out"
  hyperfine --style none -N --warmup 5 --runs "${RUNS:-30}" --prepare "rm -rf $work/out" \
    --export-json "$work/h.json" "$bin $* --out $work/out" >/dev/null
  local median
  median=$(python3 -c "import json;r=json.load(open('$work/h.json'))['results'][0];print('%.2f' % (r['median']*1000))")
  rm -rf "$work/out"
  /usr/bin/time -f '%M' -o "$work/rss" "$bin" "$@" --out "$work/out" >/dev/null 2>&1
  printf '| %s | %s ms | %s MB |\n' "$name" "$median" "$(python3 -c "print('%.1f' % ($(cat "$work/rss") / 1024))")"
}
echo "| run (cloudformation, fresh output directory) | median wall time | peak memory |"
echo "|---|---|---|"
run "one typical spec (ecs-fargate: 3 AZs, 1 gateway, 7 interface)" generate specs/ecs-fargate.yaml --target cloudformation
run "typical spec, both targets" generate specs/ecs-fargate.yaml --target all
run "all-services spec (399 endpoints)" generate tests/all-services/spec.yaml --target cloudformation
run "10 specs" generate "$work/specs10" --target cloudformation
run "100 specs" generate "$work/specs100" --target cloudformation
run "500 specs" generate "$work/specs500" --target cloudformation
