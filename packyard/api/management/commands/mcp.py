"""Run Packyard's MCP server on stdin and stdout, for an AI agent that starts it as a process."""

from __future__ import annotations

import logging
import sys
from typing import Any

from django.core.management.base import BaseCommand

from packyard.api.mcp.server import mcp_server


class Command(BaseCommand):
    help = "Serve Packyard's MCP tools over stdio (JSON-RPC on stdin/stdout; logs on stderr)."

    def handle(self, *args: Any, **options: Any) -> None:
        # stdout carries the protocol alone: any handler writing there would corrupt it.
        for handler in logging.getLogger().handlers:
            if isinstance(handler, logging.StreamHandler) and handler.stream is sys.stdout:
                handler.setStream(sys.stderr)
        mcp_server().run("stdio")
