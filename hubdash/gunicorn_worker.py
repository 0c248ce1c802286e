"""gunicorn's threaded worker, which lets go of its own listening socket as soon as it stops.

With a socket per worker (SO_REUSEPORT, hubdash/gunicorn.conf.py), the kernel goes on handing a worker's
socket its share of new connections for as long as the socket is open. A worker stopping after a reload
keeps it open while it finishes its requests (a long upload: up to graceful_timeout), and the
connections handed to it meanwhile would wait unanswered and then be reset when it exits. Closed as the
worker stops accepting, its share goes to the other workers' sockets from then on. (Connections queued
on it at that instant are reset, as whenever a worker exits, unless the kernel migrates them:
net.ipv4.tcp_migrate_req.)
"""

from __future__ import annotations

import os

from gunicorn.workers.gthread import ThreadWorker


class Worker(ThreadWorker):  # type: ignore[misc]  # gunicorn has no type hints
    def set_accept_enabled(self, enabled: bool) -> None:
        super().set_accept_enabled(enabled)
        stopping = not self.alive or self.ppid != os.getppid()  # told to, or its master is gone
        if not enabled and stopping and self.cfg.reuse_port:
            for listener in self.sockets:
                listener.close()
            self.sockets.clear()  # so that run() has none left to close as it ends
