"""Click's own messages in Czech ("Usage:", "No such option", "Show this message and
exit."), so a person who mistypes a `kb` option reads the same language as everywhere else.

Click marks its messages for gettext but ships no Czech catalogue, and a process-wide
gettext domain would also translate other libraries. So `install()` gives click's modules
their own `_`/`ngettext` that look the message up here and fall back to the original.
"""
from __future__ import annotations

import importlib

CZECH = {
    "Usage:": "Použití:",
    "Options": "Volby",
    "Commands": "Příkazy",
    "Positional arguments": "Argumenty",
    "Show this message and exit.": "Ukáže tuto nápovědu a skončí.",
    "Show the version and exit.": "Ukáže verzi a skončí.",
    "Error: {message}": "Chyba: {message}",
    "Try '{command} {option}' for help.": "Nápovědu ukáže '{command} {option}'.",
    "No such option {name!r}.": "Neznámá volba {name!r}.",
    "No such command {name!r}.": "Neznámý příkaz {name!r}. Příkazy vypíše: kb --help",
    "Missing command.": "Chybí příkaz (index, search, list, show, serve). Nápověda: kb --help",
    "Missing argument": "Chybí argument",
    "Missing option": "Chybí volba",
    "Missing parameter": "Chybí hodnota",
    "Missing parameter: {param_name}": "Chybí hodnota: {param_name}",
    "Missing {param_type}": "Chybí {param_type}",
    "Invalid value for {param_hint}: {message}": "Neplatná hodnota {param_hint}: {message}",
    "Invalid value: {message}": "Neplatná hodnota: {message}",
    "Option {name!r} does not take a value.": "Volba {name!r} nemá hodnotu.",
    "Option {name!r} requires an argument.": "Volba {name!r} potřebuje hodnotu.",
    "Option {name!r} requires {nargs} arguments.": "Volba {name!r} potřebuje {nargs} hodnoty.",
    "Got unexpected extra argument ({args})": "Nečekaný argument navíc ({args}).",
    "Got unexpected extra arguments ({args})": "Nečekané argumenty navíc ({args}).",
    "Did you mean {possibility}?": "Myslíte {possibility}?",
    "(Did you mean one of: {possibilities}?)": "(Myslíte některou z: {possibilities}?)",
    "{value!r} is not a valid {number_type}.": "{value!r} není platné číslo.",
    "{value} is not in the range {range}.": "{value} není v rozsahu {range}.",
    "{value!r} is not {choice}.": "{value!r} není {choice}.",
    "{value!r} is not one of {choices}.": "{value!r} není žádná z možností {choices}.",
    "{name} {filename!r} does not exist.": "{name} {filename!r} neexistuje.",
    "{name} {filename!r} is a file.": "{name} {filename!r} je soubor, čekal jsem složku.",
    "{name} {filename!r} is a directory.": "{name} {filename!r} je složka, čekal jsem soubor.",
    "{name} {filename!r} is not readable.": "{name} {filename!r} nejde číst.",
    "{name} {filename!r} is not writable.": "{name} {filename!r} nejde zapisovat.",
    "Could not open file {filename!r}: {message}": "Soubor {filename!r} nejde otevřít: {message}",
    "directory": "složka",
    "file": "soubor",
    "path": "cesta",
    "default: {default}": "výchozí: {default}",
    "required": "povinné",
    "Aborted!": "Přerušeno.",
}

_MODULES = ("core", "exceptions", "parser", "decorators", "formatting", "types", "termui", "utils")


def gettext(message: str) -> str:
    return CZECH.get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


def install() -> None:
    """Point click's message lookups at the Czech table (idempotent)."""
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
