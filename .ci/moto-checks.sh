#!/usr/bin/env bash
# Owns CI's deployment of the generated code into moto: finds real Terraform and the offline
# provider (tf-env.sh), then hands every path to deploy_moto.py, which starts one moto server,
# deploys, compares, re-plans and tears down each path in turn, and stops the server.
#
# Usage: .ci/moto-checks.sh [--inject-drift policy|ingress] [PATH...]
#   PATH: a Terraform directory or a CloudFormation template; default: every one under examples/.
# Terraform paths are reported as skipped, with the reason, where terraform or the provider
# mirror is missing (a laptop); CloudFormation needs only the CI virtualenv.
set -uo pipefail
cd "$(dirname "$0")/.."
. .ci/tf-env.sh

# Options go to deploy_moto.py as they are; without a PATH, every example is deployed.
opts=() paths=()
while [ $# -gt 0 ]; do
  case $1 in
    --inject-drift | --jobs) opts+=("$1" "$2"); shift 2 ;;
    --*) opts+=("$1"); shift ;;
    *) paths+=("$1"); shift ;;
  esac
done
if [ ${#paths[@]} -eq 0 ]; then
  # Generated output only: a directory holding *.tf files, a template.yaml/json (the house
  # style's *.tera sources are neither).
  mapfile -t paths < <({ find examples -name '*.tf' -printf '%h\n' | sort -u
    find examples \( -name template.yaml -o -name template.json \); } | sort)
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/vpcgen-moto-tf.XXXXXX")
trap 'rm -rf "$work"' EXIT
tf_env_setup "$work"
if [ -z "$TF_BIN" ] || [ -z "$TF_MIRROR" ]; then
  # deploy_moto.py reads the configuration's presence as "Terraform can run here".
  unset TF_CLI_CONFIG_FILE
  echo "SKIPPED deploying Terraform into moto: $TF_SKIP_REASON"
fi
# Not exec: the trap above removes the work directory once the checker returns.
.venv/bin/python .ci/deploy_moto.py "${opts[@]}" "${paths[@]}"
