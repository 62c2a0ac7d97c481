"""Clients for the places facts come from: code hosts, PyPI and other package directories.

Pure clients: each takes an `httpx.Client` built by `packyard.core.http`, returns frozen
dataclasses and raises the typed errors of `packyard.sources.errors`. No ORM here.
"""
