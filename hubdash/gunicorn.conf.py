"""gunicorn for hubdash: threaded workers, because most pages wait on the Hub.

Every value can be overridden from the environment (GUNICORN_CMD_ARGS, or the variables below).
"""

import gc
import os
import sys
from pathlib import Path
from typing import Any

from gunicorn import glogging

from hubdash.core.logging import RedactTokenPaths

bind = os.environ.get("HUBDASH_BIND", "127.0.0.1:8000")
# gunicorn's own threaded worker, all workers accepting from one listening socket that the master holds.
worker_class = "gthread"
# Four processes (two per core on the 2-core machines hubdash is measured on): a worker runs one Python
# thread at a time, so with one per core a worker that keep-alive clients happened to favour was the
# bottleneck while the other idled (cold listings at 100/s: p99 285-430 ms and "busy" answers with two,
# 233-366 ms and none with four; tests/bench/browse.py). Every thread may keep a database connection
# (conn_max_age): workers x threads stays under PostgreSQL's default limit of 100.
workers = int(os.environ.get("HUBDASH_WORKERS", "4"))
threads = int(os.environ.get("HUBDASH_THREADS", "16"))
# Large uploads stream for a long time; pages have their own Hub budgets well under this.
timeout = int(os.environ.get("HUBDASH_WORKER_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# No recycling by default: a worker that restarts drops the keep-alive connections it holds and starts
# cold. Set HUBDASH_MAX_REQUESTS to recycle anyway (e.g. against a leak).
max_requests = int(os.environ.get("HUBDASH_MAX_REQUESTS", "0"))
max_requests_jitter = max_requests // 10
# Django, hubdash and their templates and icons are loaded once, in the master, before the workers fork
# from it (when_ready): each worker starts warm, and the pages shared by all stay shared in memory.
preload_app = True
accesslog = "-"
errorlog = "-"
# Never log query strings or headers that could carry secrets: method, path, status, size, time.
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'


class Logger(glogging.Logger):  # type: ignore[misc]  # gunicorn has no type hints
    """gunicorn's logger, with the secret of invitation and reset links replaced in every line it writes:
    access lines write the path, and error lines quote it ("Error handling request /invitation/...")."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)  # run again on a reload, with the same loggers: the filter is added once
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactTokenPaths) for f in log.filters):
                log.addFilter(RedactTokenPaths())


logger_class = Logger
forwarded_allow_ips = os.environ.get("HUBDASH_FORWARDED_ALLOW_IPS", "127.0.0.1")
# gunicorn's control socket (for `gunicornc`) defaults to one path per user, which a second instance on
# the same machine unlinks and takes over: each instance keeps its own beside its data instead.
_var_dir = Path(os.environ.get("HUBDASH_VAR_DIR", str(Path(__file__).resolve().parents[1] / "var")))
control_socket = str(_var_dir / "gunicorn.ctl")


def post_worker_init(worker: object) -> None:
    # How long a thread may hold the GIL while others wait (settings.SWITCH_INTERVAL_MS): read once the
    # worker has loaded hubdash, whether the master preloaded it or not.
    from django.conf import settings

    sys.setswitchinterval(settings.SWITCH_INTERVAL_MS / 1000)


def when_ready(server: object) -> None:
    # Every template compiled and every icon read before the first request. Loaded by each worker on
    # its first pages instead, a restart under load had 16 threads per worker all reading the icons
    # from the package's zip at once (28 ms each, 0.8 s of CPU for one listing): first pages took 5 s.
    from django.db import connections

    from hubdash.warmup import warm_up

    warm_up()
    connections.close_all()  # nothing the workers inherit may hold a connection
    # What is loaded now lives as long as the workers do. Frozen out of the collector's sight, a full
    # collection no longer walks it in every worker (110,000 objects, 58 ms with the GIL held, every
    # few seconds under load).
    gc.collect()
    gc.freeze()
