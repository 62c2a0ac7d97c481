"""Readiness pages: which packages work with a Django or Python release."""
