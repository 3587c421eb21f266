"""Thin entry point: `python indexer.py [CORPUS] [--index DIR] [--json]` is `kb index`."""
import sys

from kb.cli import cli

if __name__ == "__main__":
    cli.main(args=["index", *sys.argv[1:]], prog_name="indexer.py")
