"""Catalogue pages: the package list, categories, a package, its edits and feeds."""
