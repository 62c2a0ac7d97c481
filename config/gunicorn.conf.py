"""gunicorn's settings for Packyard's web processes, each read from an environment variable.

Start a web process with `gunicorn -c config/gunicorn.conf.py config.wsgi`. The README's
"Production" section lists the variables; the defaults suit one small machine.

A graceful restart (SIGHUP to the master, or `systemctl reload`) starts new workers and lets
the old ones finish the requests they hold, for up to GUNICORN_GRACEFUL_TIMEOUT seconds, so
no request fails. https://gunicorn.org/reference/settings/
"""

from __future__ import annotations

import os


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, "")
    return int(value) if value.strip() else default


# Where to listen: "host:port" (or "unix:/path"). Behind a proxy on the same machine.
bind = [os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")]
# Worker processes; sync workers, one request each at a time. Two per core is a good start.
workers = _int("WEB_CONCURRENCY", 2)
# Threads per worker; more than 1 switches to the threaded worker (gthread).
threads = _int("GUNICORN_THREADS", 1)
# A request running longer than this (seconds) gets its worker killed and restarted.
timeout = _int("GUNICORN_TIMEOUT", 30)
# Seconds a worker has to finish its requests after a restart or a stop.
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Restart each worker after this many requests (0: never), staggered, to bound any growth.
max_requests = _int("GUNICORN_MAX_REQUESTS", 0)
max_requests_jitter = max(0, max_requests // 10)
# Load the application in each worker, not in the master, so a graceful restart (SIGHUP)
# picks up new code.
preload_app = False
# gunicorn's control socket would be shared by every server started by one user.
control_socket_disable = True
# Logs go to standard output and error; Packyard writes one line per request itself.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
proc_name = os.environ.get("GUNICORN_PROC_NAME", "packyard-web")
# Forwarded headers are trusted from these addresses (the proxy in front).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")


# glibc's allocator is left to its own thresholds. Fixing its mmap threshold at 128 KiB (so
# that freed big blocks go back to the system) made every answer map and fault in fresh pages
# for its big blocks, Brotli's tables among them: the floor of bench/web.py served 1,903
# instead of 2,377 requests/s, the largest grid 170 instead of 221, for a peak 3-5 MiB lower.
# https://man7.org/linux/man-pages/man3/mallopt.3.html


def post_worker_init(worker: object) -> None:
    """Load the URLs, then set what is loaded so far aside from the garbage collector.

    Modules, models, settings and views live as long as the worker. Left tracked, every full
    collection walks them again, a pause that a big page (thousands of objects made) triggers
    every few requests. `gc.freeze()` moves every object tracked so far into a permanent
    generation that collections skip: https://docs.python.org/3/library/gc.html#gc.freeze
    """
    import gc

    from django.urls import get_resolver

    get_resolver().url_patterns  # noqa: B018 - imports every view, as a first request would.
    gc.collect()
    gc.freeze()


def pre_request(worker: object, req: object) -> None:
    """Collect the last request's garbage before this request makes its own.

    An answer leaves reference cycles behind (the request, its response and what they hold).
    Python collects its youngest generation every 2,000 allocations, so mid-request: what the
    request still uses survives, is promoted, and once garbage waits in an older generation
    for a rarer collection, holding its memory. Here the youngest generation is collected
    between requests, when all of the last one's objects are garbage, and an older one when
    its count is past its threshold, as Python would (explicit collections do not count
    towards the automatic ones). With every bench URL loaded in turn at 50,000 packages, a
    worker peaked at 108 MiB instead of 123 on SQLite, 105 instead of 119 on PostgreSQL, and
    served as many requests: https://docs.python.org/3/library/gc.html#gc.set_threshold
    """
    import gc

    counts, thresholds = gc.get_count(), gc.get_threshold()
    generation = 0
    for older in (1, 2):
        if counts[older] >= thresholds[older]:
            generation = older
    gc.collect(generation)
