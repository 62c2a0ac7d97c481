"""Score, status and upgrade-check pages."""
