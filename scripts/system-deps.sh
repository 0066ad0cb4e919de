#!/usr/bin/env bash
# Debian packages the app needs outside Python: CJK fonts for the PDF documents
# and HarfBuzz subsetting (fast font embedding in WeasyPrint). Installed when
# running as root; otherwise we say what to install.
set -euo pipefail
packages=(fonts-noto-cjk libharfbuzz-subset0 "$@")
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
  echo "Installing ${missing[*]} ..."
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}"
else
  echo "Missing Debian packages: ${missing[*]}"
  echo "Install them with: sudo apt-get install ${missing[*]}"
fi
