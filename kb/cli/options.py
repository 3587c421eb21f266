"""Options shared by several `kb` commands, declared once (as sqlite-utils does), and
the filter options generated from the facet registry (kb/facets.py)."""
from __future__ import annotations

import functools

import click

from kb.facets import FACETS

INDEX_HELP = "Složka indexu (výchozí $KB_INDEX_DIR, jinak .kb-index)."


def index_option(fn):
    """--index SLOŽKA, given to the command as `index_dir`."""
    return click.option("--index", "index_dir", metavar="SLOŽKA", help=INDEX_HELP)(fn)


def json_option(fn):
    """--json, given to the command as `as_json`."""
    return click.option("--json", "as_json", is_flag=True, help="Výsledek jako JSON.")(fn)


def facet_options(fn):
    """One repeatable option per facet (--topic, --profession, --type, …), given to the
    command as `filters`: {facet id: (values, …)} with only the facets used."""
    for facet in reversed(FACETS):
        fn = click.option(facet.option, f"facet_{facet.id}", multiple=True, metavar="ID",
                          help=f"{facet.label} (id, seznam níže), lze opakovat.")(fn)

    @functools.wraps(fn)  # also carries the options declared so far (__click_params__)
    def command(*args, **kwargs):
        filters = {f.id: tuple(kwargs.pop(f"facet_{f.id}")) for f in FACETS}
        return fn(*args, filters={k: v for k, v in filters.items() if v}, **kwargs)

    return command


def facet_epilog(formatter: click.HelpFormatter) -> None:
    """The ids of every facet, read from the taxonomy so --help cannot fall behind it."""
    from kb.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    for facet in FACETS:
        with formatter.section(f"{facet.plural} ({facet.option})"):
            formatter.write_dl([(id_, (entry or {}).get("label", id_))
                                for id_, entry in taxonomy[facet.section].items()])
