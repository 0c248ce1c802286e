"""gunicorn for hubdash: threaded workers, because most pages wait on the Hub.

Every value can be overridden from the environment (GUNICORN_CMD_ARGS, or the variables below).
"""

import errno
import gc
import os
import socket
import sys
from pathlib import Path
from typing import Any

from gunicorn import glogging, systemd

from hubdash.core.logging import RedactTokenPaths

bind = os.environ.get("HUBDASH_BIND", "127.0.0.1:8000")
worker_class = "hubdash.gunicorn_worker.Worker"  # gthread, closing its own socket as it stops
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
# Each worker listens on a socket of its own (SO_REUSEPORT), and the kernel spreads new connections over
# them by their addresses. With one socket shared by all, the worker that woke first took a connection
# and kept it (gthread): under full load the browse bench's eight keep-alive clients sat on one worker in
# one run in four to six, which then did 72 % of the work (warm listing at 0.31 of the baseline's
# pages/s instead of 0.44-0.70). With a socket each, the busiest of four did 26-53 %. Only where a
# socket per worker means the same address: see _choose_listening below.
reuse_port = True
# No recycling by default: a worker that restarts sends its keep-alive clients to the other one, which
# halved throughput in measured runs. Set HUBDASH_MAX_REQUESTS to recycle anyway (e.g. against a leak).
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


# As nginx's keepalive_requests: a keep-alive connection is closed after this many requests, and the
# client's next one lands on the socket the kernel picks for its new address. gthread keeps a connection
# on the worker that accepted it, so a few busy clients could all sit on one worker (one interpreter, one
# GIL) while the others idle; with eight clients on four workers, even a fair first draw is often
# lopsided, and reconnecting draws again.
keepalive_requests = int(os.environ.get("HUBDASH_KEEPALIVE_REQUESTS", "100"))


def _choose_listening(server: Any) -> bool:
    """A socket per worker for TCP addresses with a port, unless the master already holds sockets.

    On port 0 each worker's socket would get a port of its own, and on a Unix path each worker would take
    the path from the one before. Sockets the master holds stay shared by the workers, as gunicorn
    would share them: handed over by systemd (socket activation) or by the master before a binary
    upgrade (USR2), or opened by the master on a reload that changed the address.
    """
    cfg = server.cfg
    held = server.LISTENERS or systemd.listen_fds(unset_environment=False) or os.environ.get("GUNICORN_FD")
    cfg.set("reuse_port", not held and all(isinstance(a, tuple) and a[1] for a in cfg.address))
    return bool(cfg.reuse_port)


def _refuse_an_address_it_cannot_take(server: Any) -> None:
    """With SO_REUSEPORT a second instance would share a taken port silently, splitting the traffic
    between two hubdashes; and a worker that cannot bind is started again and again. A plain bind
    still fails on any listening socket, so the master tries one first."""
    for host, port in server.cfg.address:
        with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((host, port))
            except OSError as error:
                taken = ": is hubdash running already?" if error.errno == errno.EADDRINUSE else ""
                server.log.error("Cannot listen at %s (%s)%s", _shown(host, port), error.strerror, taken)
                sys.exit(1)


def _shown(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def on_starting(server: Any) -> None:
    handed_over = os.environ.get("GUNICORN_FD") or systemd.listen_fds(unset_environment=False)
    if server.master_pid and not handed_over:
        # A binary upgrade (USR2) from a master whose workers listen for themselves: there is no socket
        # to hand over (systemd's would come as LISTEN_FDS), and gunicorn would fail reading none. The
        # old master goes on serving.
        server.log.error("A binary upgrade (USR2) needs one shared socket to hand over: reload with HUP instead")
        sys.exit(1)
    if _choose_listening(server):
        _refuse_an_address_it_cannot_take(server)
        server.log.info("Listening at: %s, a socket per worker", ", ".join(_shown(*a) for a in server.cfg.address))


def on_reload(server: Any) -> None:
    _choose_listening(server)  # the reloaded configuration says reuse_port = True again


def pre_request(worker: Any, req: Any) -> None:
    if req.req_number >= keepalive_requests:
        req.must_close = True  # answered with "Connection: close"


def post_fork(server: object, worker: object) -> None:
    # A thread holding the GIL keeps it for up to 5 ms (Python's default) before a waiting thread may run:
    # a webhook acknowledgement or the sign-in page waited several such slices behind a page being
    # rendered in the same worker. 1 ms slices cut the steady-load ack p99 from 39-64 ms to 28-32 ms
    # (tests/bench/activity.py) for a little more switching.
    sys.setswitchinterval(0.001)


def when_ready(server: object) -> None:
    # Every template compiled and every icon read before the first request. Loaded by each worker on
    # its first pages instead, a restart under load had 16 threads per worker all reading the icons
    # from the package's zip at once (28 ms each, 0.8 s of CPU for one listing): first pages took 5 s.
    from django.db import connections

    from hubdash.core.warmup import warm_up

    warm_up()
    connections.close_all()  # nothing the workers inherit may hold a connection
    # What is loaded now lives as long as the workers do. Frozen out of the collector's sight, a full
    # collection no longer walks it in every worker (110,000 objects, 58 ms with the GIL held, every
    # few seconds under load).
    gc.collect()
    gc.freeze()
