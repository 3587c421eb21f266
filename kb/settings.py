"""Settings from environment variables or a config file, so an office can configure the
app and the indexer without editing code. Every setting has a safe default for one laptop.

Order of precedence: an environment variable `KB_NAME` wins over the key `name` in the
TOML file named by `KB_CONFIG`, which wins over the default. One table (`SPECS`) maps
each setting to its variable, its config key and its parser, so the two sources cannot
drift apart and docs/deployment.md can list them all.

    # /etc/kb/kb.toml
    index_dir = "/srv/kb/index"
    corpus_dir = "/srv/kb/corpus"
    server_address = "127.0.0.1"
    max_upload_mb = 50
"""
from __future__ import annotations

import os
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from kb.errors import KbError

MB = 1024 * 1024


class ConfigError(KbError):
    """The config file named by KB_CONFIG is missing or not valid TOML."""


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path(".kb-index")
    workers: int = 2
    file_timeout: int = 120  # seconds one file may take to extract (OCR pages get their own time)
    max_file_bytes: int = 200 * MB
    worker_memory_bytes: int = 2048 * MB
    max_upload_bytes: int = 50 * MB
    wait_for_lock: bool = False
    # OCR of scanned PDF pages (kb/extract/ocr.py)
    ocr: bool = True
    ocr_lang: str = "ces"
    ocr_page_timeout: int = 60  # seconds Tesseract may spend on one page
    ocr_dpi: int = 300
    ocr_max_pages: int = 500  # scanned pages per file; a 2,000-page scan is better split
    ocr_cache_dir: Path | None = None  # None: <index_dir>/ocr-cache
    tesseract: str = "tesseract"  # the command, or a full path
    # serving the app (kb serve, docs/deployment.md)
    server_address: str = "127.0.0.1"  # 0.0.0.0 exposes the app to the network
    server_port: int = 8501
    base_url_path: str = ""  # e.g. "metodiky" when the proxy serves https://host/metodiky/
    read_only: bool = False  # the app neither uploads nor reindexes; `kb index` does
    config_file: Path | None = None  # the KB_CONFIG file these settings were read from

    @property
    def resolved_ocr_cache_dir(self) -> Path:
        return self.ocr_cache_dir or self.index_dir / "ocr-cache"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Settings from the environment (and the KB_CONFIG file it may name)."""
        env = os.environ if environ is None else environ
        config_path = (env.get("KB_CONFIG") or "").strip()
        config = _read_config(Path(config_path)) if config_path else {}
        values: dict[str, Any] = {}
        for spec in SPECS:
            raw = env.get(spec.env)
            source = raw if raw is not None and raw.strip() != "" else config.get(spec.key)
            if source is None:
                continue
            try:
                values[spec.field] = spec.parse(source)
            except (TypeError, ValueError):
                continue  # a typo in one setting must not stop the app: the default stays
        if config_path:
            values["config_file"] = Path(config_path)
        values.setdefault("workers", min(2, os.cpu_count() or 1))
        return cls(**values)

    def streamlit_args(self) -> list[str]:
        """`streamlit run` options that carry these settings to Streamlit itself."""
        args = ["--server.address", self.server_address, "--server.port", str(self.server_port),
                # twice kb's limit: a file a little too big still reaches kb's Czech message
                "--server.maxUploadSize", str(max(1, 2 * self.max_upload_bytes // MB)),
                "--server.headless", "true", "--browser.gatherUsageStats", "false"]
        if self.base_url_path:
            args += ["--server.baseUrlPath", self.base_url_path.strip("/")]
        return args


def _read_config(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as e:
        raise ConfigError(f"Konfigurační soubor '{path}' (KB_CONFIG) nejde přečíst: "
                          f"{e.strerror or e}. Opravte cestu nebo proměnnou zrušte.") from e
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"Konfigurační soubor '{path}' (KB_CONFIG) není platný TOML: {e}.") from e
    # keys may sit at the top level or under [kb]
    table = data.get("kb") if isinstance(data.get("kb"), dict) else data
    return {str(k).lower().replace("-", "_"): v for k, v in table.items()}


# ---------------------------------------------------------------- the table of settings


def _positive(value) -> int:
    n = int(str(value).strip())
    if n < 1:
        raise ValueError(value)
    return n


def _megabytes(value) -> int:
    return int(str(value).strip()) * MB


def _flag(value) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on", "ano"):
        return True
    if text in ("0", "false", "no", "off", "ne"):
        return False
    raise ValueError(value)


def _text(value) -> str:
    return str(value).strip()


def _path(value) -> Path:
    return Path(str(value).strip()).expanduser()


@dataclass(frozen=True)
class Spec:
    field: str
    env: str
    parse: Callable[[Any], Any]
    help: str  # Czech, for docs/deployment.md

    @property
    def key(self) -> str:
        """The key in the config file: the variable without KB_, lower case."""
        return self.env.removeprefix("KB_").lower()


SPECS: tuple[Spec, ...] = (
    Spec("index_dir", "KB_INDEX_DIR", _path, "složka indexu"),
    Spec("corpus_dir", "KB_CORPUS_DIR", _path, "složka s dokumenty"),
    Spec("workers", "KB_WORKERS", _positive, "počet procesů pro čtení souborů"),
    Spec("file_timeout", "KB_FILE_TIMEOUT", _positive, "nejdelší čas na jeden soubor (s), bez OCR"),
    Spec("max_file_bytes", "KB_MAX_FILE_MB", _megabytes, "největší zpracovaný soubor (MB)"),
    Spec("worker_memory_bytes", "KB_WORKER_MEMORY_MB", _megabytes,
         "paměť pro čtení jednoho souboru (MB)"),
    Spec("max_upload_bytes", "KB_MAX_UPLOAD_MB", _megabytes, "největší nahrávaný soubor v aplikaci (MB)"),
    Spec("wait_for_lock", "KB_WAIT_FOR_LOCK", _flag, "počkat, když jiná indexace běží (1), místo chyby"),
    Spec("ocr", "KB_OCR", _flag, "rozpoznávat text naskenovaných stran (0 vypne)"),
    Spec("ocr_lang", "KB_OCR_LANG", _text, "jazyk(y) pro Tesseract, např. ces nebo ces+eng"),
    Spec("ocr_page_timeout", "KB_OCR_PAGE_TIMEOUT", _positive, "nejdelší čas OCR na jednu stranu (s)"),
    Spec("ocr_dpi", "KB_OCR_DPI", _positive, "rozlišení, ve kterém se strana pro OCR vykreslí"),
    Spec("ocr_max_pages", "KB_OCR_MAX_PAGES", _positive, "nejvíc naskenovaných stran v jednom souboru"),
    Spec("ocr_cache_dir", "KB_OCR_CACHE_DIR", _path, "mezipaměť rozpoznaného textu"),
    Spec("tesseract", "KB_TESSERACT", _text, "příkaz Tesseract (nebo celá cesta k němu)"),
    Spec("server_address", "KB_SERVER_ADDRESS", _text, "adresa, na které aplikace naslouchá"),
    Spec("server_port", "KB_SERVER_PORT", _positive, "port aplikace"),
    Spec("base_url_path", "KB_BASE_URL_PATH", _text, "cesta za adresou serveru, např. metodiky"),
    Spec("read_only", "KB_READ_ONLY", _flag, "aplikace nenahrává ani neindexuje (1)"),
)

_DEFAULTS_SHOWN = {"ocr_cache_dir": "<index>/ocr-cache", "workers": "min(2, počet CPU)"}


def settings_table() -> list[tuple[str, str, str, str]]:
    """(variable, config key, default, Czech meaning) for each setting, for the docs."""
    defaults = {f.name: f.default for f in fields(Settings)}
    rows = []
    for spec in SPECS:
        default = _DEFAULTS_SHOWN.get(spec.field, defaults[spec.field])
        if spec.parse is _megabytes:
            default = int(default) // MB
        elif isinstance(default, bool):
            default = "1" if default else "0"
        rows.append((spec.env, spec.key, str(default), spec.help))
    return rows
