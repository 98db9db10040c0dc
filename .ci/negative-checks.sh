#!/usr/bin/env bash
# Negative proof for the validators CI trusts: output rendered with the deliberately broken
# override templates in tests/broken-templates must make cfn-lint and checkov fail, and copies
# of committed examples with one planted mistake each must make terraform fmt, terraform
# validate with the real provider, the moto apply and stack creation, and the re-plan after
# apply fail, each naming the mistake planted for it. A validator that passes everything would
# otherwise look the same as generated code that has no problems. (The provider schema check's
# negative tests are in tests/tf_schema.rs.) Called by .ci/run; needs a built vpcgen and the
# validators in .venv.
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
  # EXPECT_ALSO: a second mistake the same run must name.
  for expected in "$pattern" ${EXPECT_ALSO:+"$EXPECT_ALSO"}; do
    if ! grep -q -- "$expected" <<<"$output"; then
      printf '%s failed (exit %s) without reporting %s:\n%s\n' "$name" "$status" "$expected" "$output" >&2
      exit 1
    fi
  done
  echo "$name rejects the broken output: $pattern${EXPECT_ALSO:+ and $EXPECT_ALSO} (exit $status)"
}

template="$out/cloudformation/template.yaml"
expect_failure "cfn-lint" "E3002" \
  .venv/bin/cfn-lint --format parseable -- "$template"
expect_failure "checkov (terraform)" "CKV_AWS_24" \
  .venv/bin/checkov -d "$out/terraform" --framework terraform --quiet --compact --skip-download
expect_failure "checkov (cloudformation)" "CKV_AWS_24" \
  .venv/bin/checkov -f "$template" --framework cloudformation --quiet --compact --skip-download

# The Terraform and deployment checks (terraform-checks.sh, moto-checks.sh) get the same proof,
# on copies of committed examples with one mistake planted in each: every check must fail and
# name the mistake. They need Terraform and the provider mirror, like the checks themselves.
. .ci/tf-env.sh
tf_env_setup "$out/tf-env"
broken="$out/broken"

# plant NAME SRC FILE OLD NEW: copies SRC to $broken/NAME and replaces the first OLD in FILE by
# NEW; an OLD that is no longer there (the templates changed) stops the run rather than planting
# nothing.
plant() {
  local name=$1 src=$2 file=$3 old=$4 new=$5
  mkdir -p "$broken"
  cp -R "$src" "$broken/$name"
  .venv/bin/python - "$broken/$name/$file" "$old" "$new" <<'PY' || exit 1
import sys
path, old, new = sys.argv[1:]
text = open(path).read()
if old not in text:
    sys.exit(f"cannot plant the mistake: {old!r} is not in {path}")
open(path, "w").write(text.replace(old, new, 1))
PY
  echo "$broken/$name"
}

if [ -z "$TF_BIN" ] || [ -z "$TF_MIRROR" ]; then
  echo "SKIPPED the negative checks of terraform fmt/validate and the moto deployment: $TF_SKIP_REASON"
else
  unset TF_CLI_CONFIG_FILE  # each script writes its own
  # fmt: an assignment the formatter would align.
  dir=$(plant fmt examples/s3-dynamodb/terraform main.tf \
    '  vpc_id            = var.vpc_id' '  vpc_id = var.vpc_id')
  expect_failure "terraform fmt" "+  vpc_id            = var.vpc_id" \
    env VPCGEN_TF_CHECKS=fmt bash .ci/terraform-checks.sh "$dir"
  # validate, a type error: a string where the provider's schema has a bool.
  dir=$(plant type-error examples/ssm-session-manager/terraform main.tf \
    'private_dns_enabled = true' 'private_dns_enabled = "maybe"')
  expect_failure "terraform validate (type error)" \
    'Inappropriate value for attribute "private_dns_enabled": a bool is required' \
    env VPCGEN_TF_CHECKS=validate bash .ci/terraform-checks.sh "$dir"
  # validate, what only the real provider knows: its enum of endpoint types (tfstub has no
  # provider validation, so this one is the real provider's own).
  dir=$(plant enum examples/ssm-session-manager/terraform main.tf \
    'vpc_endpoint_type   = "Interface"' 'vpc_endpoint_type   = "Interfaces"')
  expect_failure "terraform validate (provider enum)" \
    'expected vpc_endpoint_type to be one of .*, got Interfaces (.*/main.tf:60)' \
    env VPCGEN_TF_CHECKS=validate bash .ci/terraform-checks.sh "$dir"

  # moto: a subnet that does not exist must fail the apply (and the stack), naming the subnet;
  # drift planted in moto after apply (a policy replaced, an ingress rule removed) must fail
  # the re-plan, naming the resource. Each deployment is mostly one busy core loading the
  # provider, so they run side by side.
  bad_tf=$(plant moto-subnet examples/ecs-fargate/terraform main.tf \
    'subnet_ids          = var.subnet_ids' 'subnet_ids          = ["subnet-0badc0ffee0000001"]')
  bad_cfn=$(plant moto-subnet-cfn examples/ecs-fargate/cloudformation template.yaml \
    'SubnetIds: { "Ref": "SubnetIds" }' 'SubnetIds: ["subnet-0badc0ffee0000001"]')
  names=() pids=()
  run_bg() {
    local name=$1
    shift
    names+=("$name")
    ("$@") >"$out/neg-${#names[@]}.out" 2>&1 &
    pids+=($!)
  }
  run_bg apply expect_failure "moto apply (unknown subnet)" \
    "InvalidSubnetID.NotFound: The subnet ID 'subnet-0badc0ffee0000001' does not exist" \
    bash .ci/moto-checks.sh "$bad_tf"
  # Both kinds of drift in one deployment: the re-plan must name each.
  EXPECT_ALSO="aws_vpc_security_group_ingress_rule.endpoints_tcp_443_from_vpc: create: it is gone from moto" \
    run_bg drift expect_failure "moto re-plan (policy changed, ingress rule removed in moto)" \
    "aws_vpc_endpoint.ecr_api: update: policy: " \
    bash .ci/moto-checks.sh --inject-drift policy --inject-drift ingress examples/ecs-fargate/terraform
  expect_failure "moto create_stack (unknown subnet)" \
    "create_stack rejected the template: .*InvalidSubnetID.NotFound.*'subnet-0badc0ffee0000001' does not exist" \
    bash .ci/moto-checks.sh "$bad_cfn/template.yaml"
  status=0
  for i in "${!pids[@]}"; do
    wait "${pids[$i]}" || status=1
    cat "$out/neg-$((i + 1)).out"
  done
  [ $status -eq 0 ] || exit 1
fi
