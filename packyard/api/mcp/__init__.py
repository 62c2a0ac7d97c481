"""Packyard as an MCP server: tools for AI agents over stdio (`manage.py mcp`) and HTTP (/mcp/)."""
