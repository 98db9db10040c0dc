# Owns how CI finds real Terraform and the hashicorp/aws provider, and the offline CLI
# configuration every Terraform step of CI runs with. Sourced by terraform-checks.sh and
# moto-checks.sh and negative-checks.sh; defines tf_env_setup and nothing else, and works under
# `set -euo pipefail`.
#
# No provider is ever downloaded: the machine image carries the real provider as an unpacked
# filesystem mirror (here /opt/tf-plugins/registry.terraform.io/hashicorp/aws/5.100.0/...).
# Terraform installs from an unpacked mirror by symlinking the package into .terraform/
# (measured: 28 KB per directory, 0.6 s per init with a warm page cache), so neither a copy of
# the ~700 MB binary per directory nor TF_PLUGIN_CACHE_DIR is needed.

# tf_env_setup WORKDIR: sets TF_BIN (empty when terraform is not on PATH), TF_MIRROR (the
# directory holding registry.terraform.io; empty when none is found), TF_AWS_VERSION, and when
# both exist writes WORKDIR/terraformrc and exports TF_CLI_CONFIG_FILE pointing at it.
# TF_SKIP_REASON says in words what is missing, for the "skipped" lines.
tf_env_setup() {
  local work=$1 platform found dir
  TF_BIN=$(command -v "${TERRAFORM:-terraform}" || true)
  TF_MIRROR= TF_AWS_VERSION= TF_SKIP_REASON=
  if [ -z "$TF_BIN" ]; then
    TF_SKIP_REASON="terraform is not on PATH"
    return 0
  fi
  platform=$("$TF_BIN" version -json 2>/dev/null | sed -n 's/.*"platform": *"\([^"]*\)".*/\1/p' || true)
  platform=${platform:-linux_amd64}
  # Known places first: a full search of / costs seconds on a machine with a big disk.
  found=
  for dir in ${TF_AWS_MIRROR:-} /opt/tf-plugins /usr/share/terraform/plugins \
    /usr/local/share/terraform/plugins "$HOME/.terraform.d/plugins" \
    "$HOME/.local/share/terraform/plugins"; do
    found=$(find "$dir/registry.terraform.io/hashicorp/aws" -mindepth 3 -maxdepth 3 \
      -path "*/$platform/terraform-provider-aws_*" -type f 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$found" ] && break
  done
  if [ -z "$found" ]; then
    # Bounded: the depth of /opt/tf-plugins/registry.terraform.io/hashicorp/aws/V/P/file is 7;
    # pseudo file systems, build trees and git objects cannot hold a mirror.
    found=$(timeout 30 find / -maxdepth 9 \( -path /proc -o -path /sys -o -path /dev \
      -o -name target -o -name .git -o -name node_modules \) -prune -o \
      -path "*/registry.terraform.io/hashicorp/aws/*/$platform/terraform-provider-aws_*" \
      -type f -print 2>/dev/null | sort -V | tail -n 1 || true)
  fi
  if [ -z "$found" ]; then
    TF_SKIP_REASON="no filesystem mirror of registry.terraform.io/hashicorp/aws for $platform (looked in /opt/tf-plugins and the usual plugin folders, then searched /)"
    return 0
  fi
  TF_MIRROR=${found%%/registry.terraform.io/*}
  TF_AWS_VERSION=$(basename "$(dirname "$(dirname "$found")")")
  mkdir -p "$work"
  cat >"$work/terraformrc" <<EOF
provider_installation {
  filesystem_mirror {
    path    = "$TF_MIRROR"
    include = ["registry.terraform.io/hashicorp/aws"]
  }
  direct {
    exclude = ["registry.terraform.io/hashicorp/aws"]
  }
}
EOF
  # Nothing from the developer's own Terraform setup may leak into CI's runs.
  export TF_CLI_CONFIG_FILE="$work/terraformrc" TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1 TF_INPUT=0
  unset TF_PLUGIN_CACHE_DIR TF_DATA_DIR TF_WORKSPACE TF_LOG TF_CLI_ARGS TF_CLI_ARGS_init \
    TF_CLI_ARGS_plan TF_CLI_ARGS_apply TF_CLI_ARGS_validate TF_CLI_ARGS_destroy
  # Each provider start builds its whole schema; a less eager garbage collector (about 0.5 GB
  # per process) makes that about a fifth cheaper in CPU.
  export GOGC=${GOGC:-400}
  export TF_BIN TF_MIRROR TF_AWS_VERSION
}
