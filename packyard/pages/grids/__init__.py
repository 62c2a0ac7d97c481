"""Grid pages: the list, a comparison, and editing packages, features and cells."""
