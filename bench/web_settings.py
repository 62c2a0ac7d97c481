"""Settings of the servers bench/web.py runs: Packyard's own, with the floor's URL added."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "web_urls"
