"""The "fetch latest data" button and the code host webhook."""
