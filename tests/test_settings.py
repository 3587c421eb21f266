"""Settings an office administrator sets: environment variables, a TOML file named by
KB_CONFIG (the variables still win), and `kb serve` handing them to Streamlit."""
from __future__ import annotations

from pathlib import Path

import pytest
from conftest import ROOT, run_kb

from kb.settings import MB, SPECS, ConfigError, Settings


def test_defaults_are_for_one_laptop():
    s = Settings.from_env({})
    assert (s.index_dir, s.corpus_dir, s.server_address) == (Path(".kb-index"), Path("corpus"), "127.0.0.1")
    assert s.resolved_ocr_cache_dir == Path(".kb-index/ocr-cache")


def test_config_file_sets_values_and_environment_wins(tmp_path: Path):
    config = tmp_path / "kb.toml"
    config.write_text('[kb]\nindex_dir = "/srv/kb/index"\nserver_address = "0.0.0.0"\n'
                      'max_upload_mb = 20\nocr_page_timeout = 90\nread_only = true\n', encoding="utf-8")
    s = Settings.from_env({"KB_CONFIG": str(config), "KB_MAX_UPLOAD_MB": "5"})
    assert s.index_dir == Path("/srv/kb/index") and s.server_address == "0.0.0.0"
    assert s.max_upload_bytes == 5 * MB  # the variable beats the file
    assert s.ocr_page_timeout == 90 and s.read_only is True
    assert s.config_file == config


def test_a_typo_in_one_value_keeps_its_default():
    s = Settings.from_env({"KB_WORKERS": "dva", "KB_OCR_PAGE_TIMEOUT": "-3", "KB_OCR": "ne"})
    assert s.workers >= 1 and s.ocr_page_timeout == 60 and s.ocr is False


def test_broken_config_file_is_one_clear_message(tmp_path: Path):
    bad = tmp_path / "kb.toml"
    bad.write_text("index_dir = \n", encoding="utf-8")
    with pytest.raises(ConfigError):
        Settings.from_env({"KB_CONFIG": str(bad)})
    proc = run_kb("list", env={"KB_CONFIG": str(bad)})
    assert proc.returncode == 2 and "KB_CONFIG" in proc.stderr and "Traceback" not in proc.stderr


def test_kb_serve_passes_address_port_and_upload_limit_to_streamlit(tmp_path: Path):
    config = tmp_path / "kb.toml"
    config.write_text('server_address = "0.0.0.0"\nserver_port = 8600\nbase_url_path = "/metodiky/"\n',
                      encoding="utf-8")
    proc = run_kb("serve", "--dry-run", env={"KB_CONFIG": str(config), "KB_MAX_UPLOAD_MB": "20"})
    assert proc.returncode == 0, proc.stderr
    command = proc.stdout.split()
    assert command[command.index("--server.address") + 1] == "0.0.0.0"
    assert command[command.index("--server.port") + 1] == "8600"
    assert command[command.index("--server.maxUploadSize") + 1] == "40"  # twice the limit: kb itself refuses over 20 MB, in Czech
    assert command[command.index("--server.baseUrlPath") + 1] == "metodiky"


def test_every_setting_is_documented_for_the_administrator():
    deployment = (ROOT / "docs" / "deployment.md").read_text(encoding="utf-8")
    missing = [spec.env for spec in SPECS if f"`{spec.env}`" not in deployment]
    assert not missing, f"docs/deployment.md does not list {missing}"
