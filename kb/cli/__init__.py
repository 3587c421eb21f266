"""The `kb` command: index a folder, search it, list and show documents.

Commands only parse options, call kb, and print. Domain errors become one Czech
message on stderr and exit code 2; nothing prints a traceback.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kb.cli.czech import install as _czech_click_messages
from kb.cli.options import facet_epilog, facet_options, index_option, json_option
from kb.czech import count_phrase, pages_count, plural
from kb.errors import IndexLocked, IndexWriteError, KbError
from kb.settings import Settings

_czech_click_messages()


def _index_dir(value: str | None) -> Path:
    return Path(value) if value else Settings.from_env().index_dir


def _print_json(data) -> None:
    click.echo(json.dumps(data, ensure_ascii=False, indent=None))


def _fail(message: str, code: int = 2):
    click.echo(f"Chyba: {message}", err=True)
    sys.exit(code)


class OptionsAnywhere(click.Command):
    """A command whose options may stand anywhere among the query words, even after `--`
    (`kb search -- -násilí --index X --json`), and whose words may start with `-`
    (`kb search domácí -soud`): people write both, and click alone would take `-soud`
    for an unknown option and `--index` after `--` for a word."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, self._options_first(ctx, args))

    def _options_first(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = {}
        for param in self.get_params(ctx):
            if isinstance(param, click.Option):
                for name in (*param.opts, *param.secondary_opts):
                    takes_value[name] = not (param.is_flag or param.count)
        options: list[str] = []
        words: list[str] = []
        escaped = False
        i = 0
        while i < len(args):
            arg = args[i]
            name = arg.split("=", 1)[0]
            if arg == "--" and not escaped:
                escaped = True
            elif name in takes_value:
                options.append(arg)
                if takes_value[name] and "=" not in arg and i + 1 < len(args):
                    i += 1
                    options.append(args[i])
            elif arg.startswith("--") and len(arg) > 2 and not escaped:
                options.append(arg)  # a mistyped option: click names it (in Czech)
            else:
                words.append(arg)
            i += 1
        return [*options, "--", *words]

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        facet_epilog(formatter)


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, options_metavar="[VOLBY]",
             subcommand_metavar="PŘÍKAZ [ARGUMENTY]...")
def cli():
    """Znalostní báze metodik sociální práce: indexace a vyhledávání.

    \b
    Příklad:
      kb index corpus
      kb search "domaci nasili" --profession policie
    """


@cli.command("index", options_metavar="[VOLBY]")
@click.argument("corpus", required=False, metavar="[SLOŽKA]", type=click.Path(file_okay=False, path_type=Path))
@index_option
@click.option("--workers", type=click.IntRange(1, 64), metavar="N", help="Počet procesů pro čtení souborů (výchozí 2).")
@json_option
def index_cmd(corpus: Path | None, index_dir: str | None, workers: int | None, as_json: bool):
    """Zaindexuje dokumenty ve SLOŽCE (výchozí corpus/).

    Nezměněné soubory se znovu nečtou; smazané z indexu zmizí. Soubor, který nejde
    přečíst, se přeskočí s důvodem. Předchozí index zůstane platný, dokud nový není
    celý hotový.

    \b
    Příklad:
      kb index corpus --json
    """
    from kb.index.pipeline import CorpusMissing, run_index

    settings = Settings.from_env()
    corpus = corpus or settings.corpus_dir
    bar = None

    def progress(done: int, total: int, path: str):
        nonlocal bar
        if as_json or not sys.stderr.isatty():  # a bar only where a person watches
            return
        if bar is None:
            bar = click.progressbar(length=total, label="Indexuji", file=sys.stderr,
                                    show_pos=True, item_show_func=lambda p: p)
            bar.__enter__()
        bar.update(1, path)

    try:
        report = run_index(corpus, _index_dir(index_dir), settings=settings, workers=workers,
                           progress=progress)
    except CorpusMissing as e:
        _fail(str(e))
    except (IndexLocked, IndexWriteError) as e:
        _fail(str(e), 3)
    except KbError as e:
        _fail(str(e))
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if as_json:
        _print_json(report.to_dict())
        return
    documents = count_phrase(report.documents, "dokument", "dokumenty", "dokumentů", space=" ")
    click.echo(
        f"Hotovo za {report.seconds:.1f} s: {documents} ({pages_count(report.pages, space=' ')}). "
        f"Nově zaindexováno {report.indexed}, beze změny {report.unchanged}, odebráno {report.removed}."
    )
    for item in report.skipped:
        click.echo(f"Přeskočeno: {item['path']} — {item['reason']}")
    for item in report.warnings:
        click.echo(f"Upozornění: {item['path']} — {item['message']}")


@cli.command("search", cls=OptionsAnywhere, options_metavar="[VOLBY]")
@click.argument("query", nargs=-1, metavar="[DOTAZ]...")
@index_option
@facet_options
@click.option("--limit", type=click.IntRange(1, 1000), metavar="N", default=10, show_default=True,
              help="Kolik nejlepších dokumentů vypsat.")
@click.option("--no-group", "no_group", is_flag=True,
              help="Téměř stejné dokumenty (kopie, verze) ukázat každý zvlášť, ne jako jeden výsledek.")
@json_option
def search_cmd(query, index_dir, filters, limit, no_group, as_json):
    """Vyhledá dokumenty. Slova se kombinují (A), "fráze" v uvozovkách, OR mezi slovy,
    -slovo vyloučí. Nezáleží na diakritice ani tvaru slova. Volby mohou stát před
    dotazem i za ním (i za --).

    \b
    Příklady:
      kb search "domaci nasili"
      kb search kybersikana --profession skolstvi --type letak
      kb search '"rozhovor s dítětem"' -soud
      kb search -- -soud rozvod --limit 30
    """
    from kb.search import SearchRequest, open_backend
    from kb.taxonomy import label

    request = SearchRequest(query=" ".join(query), filters=filters, limit=limit, group=not no_group)
    try:
        backend = open_backend(_index_dir(index_dir))
        result = backend.search(request)
    except KbError as e:
        _fail(str(e))
    if as_json:
        data = result.to_dict()
        _print_json(data)
        return
    if not result.total:
        click.echo("Nic nenalezeno. Zkuste jiné nebo méně slov, nebo zrušte filtry.")
        return
    shown = len(result.results)
    more = (f" (zde {shown} {plural(shown, 'nejlepší', 'nejlepší', 'nejlepších')}; "
            f"všechny vypíše --limit {min(result.total, 1000)})" if shown < result.total else "")
    click.echo(f"Nalezeno dokumentů: {result.total}{more}")
    for n, hit in enumerate(result.results, start=1):
        about = ", ".join(str(x) for x in (label("doc_types", hit.doc_type), hit.organization, hit.year) if x)
        click.echo(f"\n{n}. {hit.title} ({about})\n   {hit.path}")
        if hit.pages:
            click.echo(f"   {_pages_line(hit.pages)}")
        if hit.missing:
            click.echo(f"   chybí: {', '.join(hit.missing)}")
        if hit.snippet:
            click.echo(f"   {_mark(hit.snippet, hit.highlights)}")
        if hit.duplicates:
            from kb.index.neardup import group_lines

            click.echo("\n".join(f"   {line}" for line in group_lines(backend, hit.path, hit.duplicates)))


def _pages_line(pages: list[int]) -> str:
    """Pages with hits in reading order, the best one named: 'str. 2, 3, 5–7 (nejlepší shoda: str. 7)'."""
    from kb.czech import format_pages

    line = f"str. {format_pages(pages)}"
    return line + f" (nejlepší shoda: str. {pages[0]})" if len(pages) > 1 else line


def _mark(snippet: str, highlights) -> str:
    out, last = [], 0
    for start, end in highlights:
        out.append(snippet[last:start])
        out.append(click.style(snippet[start:end], bold=True))
        last = end
    out.append(snippet[last:])
    return "".join(out)


@cli.command("list", options_metavar="[VOLBY]")
@index_option
@json_option
def list_cmd(index_dir, as_json):
    """Vypíše všechny zaindexované dokumenty.

    \b
    Příklad:
      kb list --json
    """
    from kb.search import open_backend
    from kb.taxonomy import label

    try:
        backend = open_backend(_index_dir(index_dir))
    except KbError as e:
        _fail(str(e))
    documents = backend.documents()
    if as_json:
        from kb.facets import FACETS

        keys = ("path", "title", *(f.id for f in FACETS), "pages", "year", "organization", "format", "evidence")
        _print_json({"documents": [{k: stored.get(k) for k in keys} for stored in (d.to_json() for d in documents)]})
        return
    for d in documents:
        about = ", ".join(str(x) for x in (label("doc_types", d.doc_type), d.year) if x)
        click.echo(f"{d.path}: {d.title} ({about})")
    click.echo(f"Celkem dokumentů: {len(documents)}")


@cli.command("show", options_metavar="[VOLBY]")
@click.argument("path", metavar="CESTA")
@index_option
@json_option
def show_cmd(path, index_dir, as_json):
    """Ukáže jeden dokument: metadata, počet stran a u každého štítku (téma, profese,
    typ), proč ho dostal — nalezené výrazy, kolikrát a na kterých stranách, skóre,
    nebo „ručně“, když štítek přidala metadata.

    \b
    Příklad:
      kb show metodiky/kybersikana-a-sexting-metodicky-pokyn-pro-skoly.pdf
      kb show kybersikana-co-delat.pdf --json
    """
    from kb.search import open_backend
    from kb.tagging.explain import describe, find_document, human_lines, similar_paths

    try:
        backend = open_backend(_index_dir(index_dir))
    except KbError as e:
        _fail(str(e))
    documents = {d.path: d for d in backend.documents()}
    entry = find_document(documents, path, Settings.from_env().corpus_dir)
    if entry is None:
        hint = similar_paths(documents, path)
        _fail(f"Dokument '{path}' v indexu není."
              + (f" Myslíte: {', '.join(hint)}?" if hint else " Seznam dokumentů vypíše: kb list"))
    duplicates = backend.duplicates(entry.path)
    if as_json:
        _print_json({**describe(entry), "duplicates": duplicates})
        return
    click.echo("\n".join(human_lines(entry)))
    if duplicates:
        from kb.index.neardup import group_lines

        click.echo("\nTéměř stejné dokumenty:")
        click.echo("\n".join(f"  {line}" for line in group_lines(backend, entry.path, duplicates)[1:]))


@cli.command("watch")
@click.argument("corpus", required=False, type=click.Path(file_okay=False, path_type=Path))
@index_option
def watch_cmd(corpus: Path | None, index_dir: str | None):
    """Sleduje složku CORPUS (výchozí corpus/) a nové, změněné, přesunuté i smazané
    soubory zaindexuje do několika sekund. Počká, až se soubor dokopíruje; hromadné
    nahrání je jedna indexace. Běží, dokud ho neukončíte (Ctrl+C); jako služba viz
    docs/deployment.md. Prodleva: KB_WATCH_QUIET (s), síťové disky: KB_WATCH_POLL=1.

    \b
    Příklad:
      kb watch corpus
    """
    from kb.index.watch import watch

    settings = Settings.from_env()
    code = watch(corpus or settings.corpus_dir, _index_dir(index_dir), settings)
    sys.exit(code)


@cli.command("serve", context_settings={"ignore_unknown_options": True}, options_metavar="[VOLBY]")
@click.option("--app", "app_path", type=click.Path(dir_okay=False, path_type=Path), metavar="SOUBOR",
              help="Soubor aplikace (výchozí app.py vedle balíčku kb).")
@click.option("--dry-run", is_flag=True, help="Jen vypíše příkaz, nic nespustí.")
@click.argument("streamlit_args", nargs=-1, type=click.UNPROCESSED, metavar="[VOLBY_STREAMLITU]...")
def serve_cmd(app_path: Path | None, dry_run: bool, streamlit_args):
    """Spustí aplikaci (streamlit run) s adresou, portem a limitem nahrávání z nastavení
    (KB_SERVER_ADDRESS, KB_SERVER_PORT, KB_MAX_UPLOAD_MB, KB_BASE_URL_PATH nebo KB_CONFIG).
    Další volby se předají Streamlitu. Provoz v kanceláři: docs/deployment.md.

    \b
    Příklad:
      KB_CONFIG=/etc/kb/kb.toml kb serve
    """
    import os

    settings = Settings.from_env()
    app = app_path or Path(__file__).resolve().parents[2] / "app.py"
    if not app.is_file():
        _fail(f"Soubor aplikace '{app}' neexistuje. Zadejte ho volbou --app.")
    command = [sys.executable, "-m", "streamlit", "run", str(app), *settings.streamlit_args(),
               *streamlit_args]
    if dry_run:
        click.echo(" ".join(command))
        return
    os.execv(sys.executable, command)


def main():
    try:
        cli.main(prog_name="kb", standalone_mode=True)
    except KbError as e:  # e.g. an unreadable KB_CONFIG file
        _fail(str(e))
    except KeyboardInterrupt:
        click.echo("Přerušeno. Předchozí index zůstal beze změny.", err=True)
        sys.exit(130)
    except Exception as e:  # a bug: one line for the person, the traceback only on request
        import os

        if os.environ.get("KB_DEBUG"):
            raise
        _fail(f"Neočekávaná chyba programu ({type(e).__name__}). Předchozí index zůstal beze změny. "
              "Podrobnosti ukáže spuštění s KB_DEBUG=1; prosím nahlaste je.", 1)


if __name__ == "__main__":
    main()
