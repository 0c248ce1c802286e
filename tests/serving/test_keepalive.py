"""A keep-alive connection is closed after HUBDASH_KEEPALIVE_REQUESTS requests, so that its client's next
one may go to another worker (gthread keeps each connection on the worker that accepted it)."""

from __future__ import annotations

import http.client

from tests.serving.stack import SIGN_IN, serving


def test_a_keep_alive_connection_is_closed_after_its_share_of_requests() -> None:
    with serving(behind_nginx=False, HUBDASH_KEEPALIVE_REQUESTS="3", HUBDASH_WORKERS="2") as served:
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        said = []
        for _ in range(3):
            connection.request("GET", SIGN_IN)
            answer = connection.getresponse()
            answer.read()
            assert answer.status == 200
            said.append((answer.getheader("Connection") or "").lower())
        assert said[-1] == "close" and "close" not in said[:2]
        connection.close()
