#!/usr/bin/env bash
# Negative proof for the validators CI trusts: output rendered with the deliberately broken
# override templates in tests/broken-templates must make cfn-lint and checkov fail, each naming
# the mistake planted for it. A validator that passes everything would otherwise look the same
# as generated code that has no problems. (The provider schema check's negative tests are in
# tests/tf_schema.rs.) Called by .ci/run; needs a built vpcgen and the validators in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

vpcgen=${VPCGEN:-${CARGO_TARGET_DIR:-target}/release/vpcgen}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

if ! generated=$("$vpcgen" generate specs/ecs-fargate.yaml --target all --out "$out" \
  --templates tests/broken-templates 2>&1); then
  printf 'cannot render the broken templates:\n%s\n' "$generated" >&2
  exit 1
fi

# expect_failure NAME PATTERN COMMAND...: COMMAND must exit non-zero and print PATTERN, so that
# a crash or a usage error does not pass for a finding.
expect_failure() {
  local name=$1 pattern=$2 status=0 output
  shift 2
  output=$("$@" 2>&1) || status=$?
  if [ "$status" -eq 0 ]; then
    printf '%s accepted the broken output; it must fail:\n%s\n' "$name" "$output" >&2
    exit 1
  fi
  if ! grep -q -- "$pattern" <<<"$output"; then
    printf '%s failed (exit %s) without reporting %s:\n%s\n' "$name" "$status" "$pattern" "$output" >&2
    exit 1
  fi
  echo "$name rejects the broken output: $pattern (exit $status)"
}

template="$out/cloudformation/template.yaml"
expect_failure "cfn-lint" "E3002" \
  .venv/bin/cfn-lint --format parseable -- "$template"
expect_failure "checkov (terraform)" "CKV_AWS_24" \
  .venv/bin/checkov -d "$out/terraform" --framework terraform --quiet --compact --skip-download
expect_failure "checkov (cloudformation)" "CKV_AWS_24" \
  .venv/bin/checkov -f "$template" --framework cloudformation --quiet --compact --skip-download
