"""gunicorn's master loads what pages need before the workers fork: their first pages start warm."""

from __future__ import annotations

import heroicons
import pytest

from hubdash.warmup import warm_up

pytestmark = pytest.mark.django_db


def test_after_the_warm_up_no_page_reads_an_icon_from_the_package(browsing, monkeypatch):
    warm_up()

    def no_zip(*args, **kwargs):
        raise AssertionError("an icon was read from the package's zip after the warm-up")

    monkeypatch.setattr(heroicons, "ZipFile", no_zip)
    browsing.hub.add_repo("acme/bert", tags=["license:mit"])
    for path in ("/", "/models/", "/models/?search=bert", "/models/acme/bert/", "/datasets/", "/spaces/",
                 "/tags/models/", "/activity/", "/team/", "/account/token/"):  # fmt: skip
        assert browsing.alice.get(path).status_code == 200, path
