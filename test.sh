#!/usr/bin/env bash
# Command 2: install everything and run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")"
source scripts/bootstrap.sh
ensure_debian_packages chromium tesseract-ocr tesseract-ocr-ces
ensure_venv "[test]"
set +e
.venv/bin/python -m pytest "$@"
status=$?
if [ "$status" -eq 5 ]; then
  echo "Chyba: nebyly nalezeny žádné testy." >&2
fi
exit "$status"
