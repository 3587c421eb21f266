"""'Správa knihovny': add documents (upload with optional metadata) and reindex."""
from __future__ import annotations

import streamlit as st

from kb.errors import KbError
from kb.facets import TAG_FACETS
from kb.library.uploads import SidecarFields, UploadError, UploadExists, corpus_folders, save_upload
from kb.taxonomy import ids
from kb.taxonomy import label as tax_label
from ui import state
from ui.backend import Library, build_index
from ui.html import count_phrase, esc, label, seconds
from ui.html import message as html_message

PENDING = "pending_upload"
READ_ONLY_NOTE = ("Tato aplikace knihovnu jen zobrazuje (KB_READ_ONLY=1). Dokumenty přidává správce "
                  "do složky s dokumenty a index obnovuje naplánovaná indexace (kb index).")
LAST_REPORT = "last_report"


def render(lib: Library) -> None:
    st.header("Správa knihovny")
    cfg = lib.settings
    st.html(f'<div class="kb-muted">Složka s dokumenty: <code>{esc(cfg.corpus_dir)}</code> · '
            f'index: <code>{esc(cfg.index_dir)}</code> · '
            f'{esc(count_phrase(len(lib.documents()), "dokument", "dokumenty", "dokumentů"))}</div>')
    if cfg.read_only:  # an office server where only `kb index` writes (docs/deployment.md)
        st.info(READ_ONLY_NOTE)
    else:
        _render_upload(lib)
        _render_pending(lib)
        st.subheader("Přeindexovat")
        st.caption("Načte změny ve složce s dokumenty: nové, změněné a smazané soubory. "
                   "Nezměněné soubory se znovu nečtou.")
        if st.button("Přeindexovat knihovnu", key="reindex") and run_reindex(lib) is not None:
            st.rerun()
    report = st.session_state.get(LAST_REPORT)
    if report:
        render_report(report)
    _render_skipped_now(lib)


def _render_skipped_now(lib: Library) -> None:
    skipped = lib.skipped()
    if skipped:
        with st.expander(f"Soubory, které nejde zařadit ({len(skipped)})"):
            render_skipped(skipped)


# ---------------------------------------------------------------- upload


FORM_GENERATION = "upload-generation"


def _key(name: str) -> str:
    """Widget keys of the upload form carry a generation: a new one after a successful
    upload gives empty widgets (a file uploader cannot be emptied any other way), so a
    second click does not upload the same file again and report it as a duplicate."""
    return f"upload-{name}-{st.session_state.get(FORM_GENERATION, 0)}"


def _render_upload(lib: Library) -> None:
    cfg = lib.settings
    st.subheader("Přidat dokument")
    limit_mb = cfg.max_upload_bytes // (1024 * 1024)
    with st.form("upload", clear_on_submit=False):
        # The browser hands over files up to server.maxUploadSize (twice our limit, see
        # .streamlit/config.toml), so a file a little too big gets kb's Czech message with
        # its size; Streamlit's own refusal (a red icon) and its line "Nejvýš 50 MB na
        # soubor" under the button are put in Czech with kb's limit by ui/theme.py.
        uploaded = st.file_uploader(
            "Soubor PDF, DOCX nebo TXT", type=["pdf", "docx", "txt", "md"],
            key=_key("file"),
        )
        folders = corpus_folders(cfg.corpus_dir) if cfg.corpus_dir.is_dir() else [""]
        folder = st.selectbox("Uložit do složky", folders,
                              format_func=lambda f: f or "(hlavní složka knihovny)", key=_key("folder"))
        st.caption("Metadata jsou nepovinná; co nevyplníte, doplní indexace z dokumentu sama.")
        c1, c2 = st.columns([3, 1])
        title = c1.text_input("Název", max_chars=300, key=_key("title"))
        year = c2.text_input("Rok vydání", max_chars=4, key=_key("year"), placeholder="např. 2024")
        organization = st.text_input(
            "Vydal (organizace)", max_chars=300, key=_key("org"),
            help="Organizace, která dokument vydala, jak se sama jmenuje; v citaci je autorem. "
                 "Více organizací oddělte středníkem.")
        c3, c4 = st.columns([3, 1])
        publisher = c3.text_input(
            "Nakladatel", max_chars=300, key=_key("publisher"),
            help="Vyplňte, jen když dokument vydal někdo jiný než autor (organizace výše); "
                 "jinak se do citace napíše nejvyšší složka autora.")
        place = c4.text_input(
            "Místo vydání", max_chars=100, key=_key("place"), placeholder="např. Brno",
            help="Město, kde dokument vyšel, jak ho uvádí tiráž. Nevyplněné místo se v citaci "
                 "napíše jako [b. m.] (bez místa), u městského úřadu se doplní z jeho názvu.")
        source_url = st.text_input("Odkaz na zdroj (https://…)", max_chars=500, key=_key("url"))
        doc_type = st.selectbox("Typ dokumentu", ["", *ids("doc_types")], key=_key("type"),
                                format_func=lambda v: tax_label("doc_types", v) if v else "(určit automaticky)")
        tags = {facet.id: st.multiselect(facet.plural, ids(facet.section), key=_key(facet.id),
                                         format_func=lambda v, s=facet.section: tax_label(s, v),
                                         placeholder="Vyberte…", select_all=False)
                for facet in TAG_FACETS}
        submitted = st.form_submit_button("Uložit do knihovny a zaindexovat", type="primary")
    if not submitted:
        return
    if uploaded is None:
        # Either nothing was chosen or the browser refused the file (a red icon beside it)
        st.warning(html_message(
            f"Soubor nedorazil. Vyberte soubor PDF, DOCX nebo TXT v poli nahoře (tlačítkem nebo "
            f"přetažením). Je-li u vybraného souboru červená ikona, je větší, než aplikace přijme "
            f"(limit {limit_mb} MB): zmenšete ho (např. uložením PDF v menší kvalitě nebo "
            f"rozdělením), nebo požádejte správce o zvýšení limitu KB_MAX_UPLOAD_MB."))
        return
    try:
        fields = SidecarFields(title=title, year=_year(year), organization=organization,
                               publisher=publisher, place=place, source_url=source_url,
                               doc_type=doc_type, tags=tags)
        fields.to_yaml_dict()  # validate before touching the disk
    except UploadError as e:
        st.error(html_message(e))
        return
    _save(lib, uploaded.getvalue(), uploaded.name, folder, fields)


def _year(text: str) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit():
        raise UploadError(f"Rok „{text}“ není číslo; zadejte rok vydání, např. 2023.")
    return int(text)


def _save(lib: Library, data: bytes, name: str, folder: str, fields: SidecarFields, *,
          overwrite: bool = False, rename: bool = False) -> None:
    """Store the upload and reindex; on success the page reruns with the new library."""
    cfg = lib.settings
    try:
        saved = save_upload(cfg.corpus_dir, data, name, max_bytes=cfg.max_upload_bytes,
                            folder=folder, sidecar=fields, overwrite=overwrite,
                            rename_if_exists=rename)
    except UploadExists as e:
        st.session_state[PENDING] = {"data": data, "name": name, "folder": folder, "fields": fields,
                                     "message": str(e), "alternative": e.alternative}
        return
    except UploadError as e:
        st.error(html_message(e))
        return
    st.session_state.pop(PENDING, None)
    st.session_state[FORM_GENERATION] = st.session_state.get(FORM_GENERATION, 0) + 1  # empty form
    verb = "nahrazen" if saved.replaced else "uložen"
    state.push_notice("success", f"Soubor byl {verb} jako {saved.rel_path}"
                      + (f" (metadata v {saved.sidecar})" if saved.sidecar else "") + ".")
    if run_reindex(lib) is not None:
        st.rerun()


def _render_pending(lib: Library) -> None:
    pending = st.session_state.get(PENDING)
    if not pending:
        return
    st.warning(html_message(pending["message"]))
    c1, c2, c3 = st.columns(3)
    if c1.button(f"Uložit jako {label(pending['alternative'], 60)}", key="upload-rename"):
        _save(lib, pending["data"], pending["name"], pending["folder"], pending["fields"], rename=True)
    if c2.button("Nahradit původní soubor", key="upload-overwrite"):
        _save(lib, pending["data"], pending["name"], pending["folder"], pending["fields"], overwrite=True)
    if c3.button("Zrušit", key="upload-cancel"):
        st.session_state.pop(PENDING, None)
        st.rerun()


# ---------------------------------------------------------------- indexing


def run_reindex(lib: Library | None, cfg=None) -> dict | None:
    """Index with a progress bar; the report is kept for the page to show."""
    cfg = cfg or lib.settings
    if cfg.read_only:
        st.warning(READ_ONLY_NOTE + " Index zatím není hotový nebo nejde otevřít.")
        return None
    bar = st.progress(0.0, text="Připravuji indexaci…")

    def progress(done: int, total: int, path: str) -> None:
        bar.progress(min(1.0, done / max(total, 1)),
                     text=f"Zpracovávám {done} z {total}: {label(path, 80)}")

    try:
        report = build_index(cfg, progress=progress).to_dict()
    except KbError as e:
        bar.empty()
        st.error(html_message(e))
        return None
    bar.empty()
    st.session_state[LAST_REPORT] = report
    return report


def render_report(report: dict) -> None:
    st.success(
        "Poslední indexace hotová za {s} s: {i} nově zařazeno, {u} beze změny, {r} odebráno, {k} přeskočeno. "
        "V knihovně je {d}.".format(
            s=seconds(report.get("seconds", 0)), i=report.get("indexed", 0),
            u=report.get("unchanged", 0), r=report.get("removed", 0), k=len(report.get("skipped", [])),
            d=count_phrase(report.get("documents", 0), "dokument", "dokumenty", "dokumentů")))
    if report.get("skipped"):
        st.warning(f"Přeskočené soubory ({len(report['skipped'])}) – co s nimi udělat:")
        render_skipped(report["skipped"])
    if report.get("warnings"):
        with st.expander(f"Upozornění ({len(report['warnings'])})"):
            st.html('<ul class="kb-list">' + "".join(
                f"<li><b>{esc(w.get('path'))}</b>: {esc(w.get('message'))}</li>"
                for w in report["warnings"]) + "</ul>")


def render_skipped(skipped: list[dict]) -> None:
    st.html('<ul class="kb-list">' + "".join(
        f"<li><b>{esc(s.get('path'))}</b>: {esc(s.get('reason'))}</li>" for s in skipped) + "</ul>")
