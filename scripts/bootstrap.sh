#!/usr/bin/env bash
# Shared set-up for run.sh and test.sh: Debian packages when missing, then a virtualenv.
# Usage: source scripts/bootstrap.sh; ensure_debian_packages pkg...; ensure_venv EXTRAS
set -euo pipefail

ensure_debian_packages() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ "$(id -u)" -ne 0 ] && ! command -v sudo >/dev/null; then
    echo "Chybí balíčky ${missing[*]} a nemám práva je nainstalovat (spusťte jako root)." >&2
    return 0
  fi
  local SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  echo "Instaluji systémové balíčky: ${missing[*]}" >&2
  if ! { $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"; } >/dev/null; then
    echo "Upozornění: balíčky ${missing[*]} se nepodařilo nainstalovat; testy, které je potřebují, budou přeskočeny." >&2
  fi
}

ensure_venv() {
  local extras="$1"
  local py="${PYTHON:-python3}"
  if [ ! -x .venv/bin/python ]; then
    echo "Vytvářím virtuální prostředí Pythonu v .venv…" >&2
    "$py" -m venv .venv
  fi
  # the first install takes a few minutes; say so, so nobody thinks it hangs
  echo "Instaluji a kontroluji Python balíčky (poprvé to trvá několik minut, pak jen pár sekund)…" >&2
  .venv/bin/python -m pip install -q --disable-pip-version-check -e ".${extras}" 2>&1 \
    | grep -v -E "^WARNING: Location .* is ignored" || true
  echo "Balíčky jsou připravené." >&2
  .venv/bin/python -c "import kb, whoosh, pypdf, docx, streamlit" \
    || { echo "Instalace Python balíčků selhala." >&2; exit 1; }
}
