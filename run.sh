#!/usr/bin/env bash
# Command 1: install and open the app on the bundled corpus/ (the index is built on first start).
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
ensure_debian_packages tesseract-ocr tesseract-ocr-ces
ensure_venv ""
echo "Spouštím aplikaci (poprvé se nejdřív sestaví index). Adresu vypíše Streamlit níže." >&2
exec .venv/bin/streamlit run app.py "$@"
