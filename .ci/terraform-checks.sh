#!/usr/bin/env bash
# Owns CI's static checks of generated Terraform with real Terraform: `terraform fmt`, then
# `terraform init` + `terraform validate` against the real hashicorp/aws provider from the
# machine's filesystem mirror, then the shared tfstub check against the 6.25 schema.
#
# Usage: .ci/terraform-checks.sh [DIR...]   (default: every generated Terraform directory under
# examples/). Called by .ci/run (which adds the all-services output) and by negative-checks.sh.
# VPCGEN_TF_CHECKS picks checks (default "fmt validate tfstub"). Prints one PASS/FAIL line per
# directory and check; exits 1 when any check fails.
#
# Where Terraform itself is missing (a laptop without it), each check says plainly that it was
# skipped and why; on this project's machines, which carry Terraform and the mirror, every check
# runs and any error or warning fails.
set -uo pipefail
cd "$(dirname "$0")/.."
. .ci/tf-env.sh

if [ $# -eq 0 ]; then
  # Generated output only: directories holding *.tf files (the house style's *.tera are not).
  mapfile -t dirs < <(find examples -name '*.tf' -printf '%h\n' | sort -u)
else
  dirs=("$@")
fi
checks=" ${VPCGEN_TF_CHECKS:-fmt validate tfstub} "
work=$(mktemp -d "${TMPDIR:-/tmp}/vpcgen-tf.XXXXXX")
tfstub_pid=
cleanup() {
  [ -n "$tfstub_pid" ] && kill "$tfstub_pid" 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT
tf_env_setup "$work"
failed=0
elapsed() { echo "$(($(date +%s) - $1)) s"; }

if [ -z "$TF_BIN" ]; then
  echo "SKIPPED terraform fmt, validate with the real provider, and tfstub: $TF_SKIP_REASON"
  exit 0
fi
echo "terraform: $("$TF_BIN" version | head -n 1) at $TF_BIN"

# tfstub: real Terraform against the 6.25 schema (a major version the mirror does not hold),
# with a plan. It runs beside the real-provider checks: each is mostly one busy core, CI has two.
# Its venv lives under .venv/ because CI's shared/ is read-only.
tfstub=../shared/tfstub
if [[ $checks == *" tfstub "* ]]; then
  if [ ! -x "$tfstub/validate.sh" ]; then
    echo "SKIPPED tfstub (6.25 schema): $tfstub/validate.sh is not there (shared/ is not beside the checkout)"
  else
    (
      t0=$(date +%s)
      export TFSTUB_VENV="$PWD/.venv/tfstub" TERRAFORM="$TF_BIN"
      if ! setup=$("$tfstub/setup.sh" 2>&1); then
        printf 'FAIL tfstub setup:\n%s\n' "$setup"
        exit 1
      fi
      # validate.sh makes its own CLI configuration (its stand-in as hashicorp/aws 6.25.0).
      env -u TF_CLI_CONFIG_FILE "$tfstub/validate.sh" "${dirs[@]}" | sed 's/^\([0-9]* passed\)/tfstub: \1/'
      rc=$?
      echo "tfstub: ${#dirs[@]} directories in $(elapsed "$t0")"
      exit $rc
    ) >"$work/tfstub.out" 2>&1 &
    tfstub_pid=$!
  fi
fi

# fmt: the generator aligns HCL itself; Terraform's own formatter is the authority on it.
if [[ $checks == *" fmt "* ]]; then
  t0=$(date +%s)
  for dir in "${dirs[@]}"; do
    if out=$("$TF_BIN" fmt -check -recursive -diff -no-color "$dir" 2>&1); then
      echo "PASS fmt $dir"
    else
      printf 'FAIL fmt %s: terraform fmt would change these files:\n%s\n' "$dir" "$out"
      failed=1
    fi
  done
  echo "terraform fmt: ${#dirs[@]} directories in $(elapsed "$t0")"
fi

if [[ $checks == *" validate "* ]] && [ -z "$TF_MIRROR" ]; then
  echo "SKIPPED terraform init and validate with the real provider: $TF_SKIP_REASON"
elif [[ $checks == *" validate "* ]]; then
  t0=$(date +%s)
  echo "provider: registry.terraform.io/hashicorp/aws $TF_AWS_VERSION from the mirror at $TF_MIRROR"
  n=0
  for dir in "${dirs[@]}"; do
    # A copy, so that .terraform/ and the lock file never land in the checkout; the backend is
    # not initialised (an S3 state bucket is not this check's business).
    n=$((n + 1))
    w="$work/validate$n"
    mkdir -p "$w"
    cp -R "$dir"/. "$w/"
    rm -rf "$w/.terraform" "$w/.terraform.lock.hcl" "$w"/terraform.tfstate*
    if ! (cd "$w" && "$TF_BIN" init -backend=false -input=false -no-color >init.out 2>&1); then
      printf 'FAIL validate %s: terraform init could not install the provider from the mirror:\n%s\n' \
        "$dir" "$(sed 's/^/  /' "$w/init.out")"
      failed=1
      continue
    fi
    (cd "$w" && "$TF_BIN" validate -json -no-color >validate.json 2>validate.err)
    # The JSON names each diagnostic's file and line. A warning fails too: generated code has
    # none today, and a new one (a deprecated argument, say) is worth a look before it lands.
    if verdict=$(.venv/bin/python - "$w/validate.json" "$dir" <<'PY'
import json, sys
path, dir_ = sys.argv[1], sys.argv[2]
try:
    result = json.load(open(path))
except ValueError:
    sys.exit(f"  terraform validate printed no JSON: {open(path).read()[:2000]}")
lines = []
for d in result.get("diagnostics", []):
    r = d.get("range") or {}
    where = f"{dir_}/{r['filename']}:{r['start']['line']}" if r else dir_
    lines.append(f"  {d['severity']}: {d['summary']} ({where}): {' '.join(d.get('detail', '').split())}")
print("\n".join(lines))
sys.exit(1 if lines or not result.get("valid") else 0)
PY
    ); then
      echo "PASS validate $dir"
    else
      printf 'FAIL validate %s (real provider %s):\n%s\n' "$dir" "$TF_AWS_VERSION" "$verdict"
      [ -s "$w/validate.err" ] && sed 's/^/  /' "$w/validate.err"
      failed=1
    fi
  done
  echo "terraform validate (real provider $TF_AWS_VERSION): ${#dirs[@]} directories in $(elapsed "$t0")"
fi

if [ -n "$tfstub_pid" ]; then
  wait "$tfstub_pid" || failed=1
  tfstub_pid=
  cat "$work/tfstub.out"
fi
exit $failed
