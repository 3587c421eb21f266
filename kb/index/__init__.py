"""Indexing: plan a run, extract in sandboxed workers, tag, write and publish a generation (store), group near-duplicates, watch a folder."""
