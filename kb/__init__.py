"""Znalostní báze metodik sociální práce: the library behind the `kb` CLI and the app."""
