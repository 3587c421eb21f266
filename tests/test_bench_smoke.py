"""The benchmark runs end to end (`--quick`, a tiny corpus) and prints its figures as
one JSON line; nothing here is about time (DESIGN.md: tests never assert timings)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "benchmarks" / "bench.py"


def test_quick_benchmark_completes_and_prints_its_json(tmp_path: Path):
    proc = subprocess.run([sys.executable, str(BENCH), "--quick", "--pages", "12", "--cache", str(tmp_path)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("Výkon:")  # the table comes first
    result = json.loads(lines[-1])
    assert result["pages"] >= 12 and result["quick"] is True
    assert {"pypdf", "pdfium"} <= result["extraction"].keys()
    assert {"1", "2", "unchanged", "generation_mb"} <= result["index"].keys()
    assert {"p50_ms", "p95_ms", "p99_ms", "cold_start_s", "rss_mb", "queries"} <= result["search"].keys()
    assert {"plain", "czech"} <= result["baseline"].keys()
    assert {"index_2w_vs_1w", "czech_vs_plain_index", "czech_vs_plain_query_p95"} <= result["ratios"].keys()
    assert result["index"]["1"]["report"]["documents"] == result["documents"]
    assert result["search"]["queries"] > 0
