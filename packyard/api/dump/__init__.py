"""The bulk dump: the whole directory as API v5 records, to download, back up and restore."""
