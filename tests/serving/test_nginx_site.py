"""deploy/nginx/hubdash.conf as shipped (only host, ports, certificate and paths swapped for loopback
ones): plain HTTP goes to HTTPS, pages reach the application, static files come from disk."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.serving.echo import echo_server
from tests.serving.stack import free_port, run_nginx, site_config, stop, wait_for

pytestmark = pytest.mark.serving


@pytest.fixture
def site() -> Iterator[tuple[str, str, str]]:
    prefix = Path(tempfile.mkdtemp(prefix="hubdash-nginx-site-"))
    static = prefix / "staticfiles"
    (static / "css").mkdir(parents=True)
    (static / "css" / "hubdash.0123abcd.css").write_text("body { margin: 0 }\n")
    http_port, https_port = free_port(), free_port()
    with echo_server() as echo_port:
        nginx = run_nginx(prefix, site_config(prefix, http_port, https_port, echo_port, static))
        try:
            wait_for(f"http://127.0.0.1:{http_port}/", nginx)
            yield f"http://127.0.0.1:{http_port}", f"https://127.0.0.1:{https_port}", str(prefix / "certificate.pem")
        finally:
            stop(nginx)
            shutil.rmtree(prefix, ignore_errors=True)


def test_the_shipped_site_serves_hubdash_over_https_only(site: tuple[str, str, str]) -> None:
    http, https, certificate = site

    plain = requests.get(http + "/accounts/login/?next=/team/", allow_redirects=False, timeout=10)
    assert plain.status_code == 301
    assert plain.headers["Location"] == "https://127.0.0.1/accounts/login/?next=/team/"

    page = requests.get(https + "/accounts/login/", verify=certificate, timeout=10)
    assert page.status_code == 200
    assert page.json()["x-forwarded-proto"] == "https"  # what HUBDASH_BEHIND_PROXY lets hubdash believe

    static = requests.get(https + "/static/css/hubdash.0123abcd.css", verify=certificate, timeout=10)
    assert static.status_code == 200
    assert static.text == "body { margin: 0 }\n"
    assert "immutable" in static.headers["Cache-Control"]
