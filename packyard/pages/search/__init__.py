"""Search pages: results, suggestions, the JSON search and OpenSearch."""
