"""The library as users handle it: browsing, uploads into the corpus, trainer collections and their export."""
