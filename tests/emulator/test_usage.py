"""hubsim's usage figures (shared/hub-api.md §15.3): `expand` on lists and repo info, a clock tests control, the
demo's day-to-day series, and the repositories-settings lists, checked with the pinned huggingface_hub's own methods."""

from __future__ import annotations

import io
import itertools
from datetime import UTC, date, datetime

import pytest
import requests
from huggingface_hub import CommitOperationDelete, HfApi
from huggingface_hub.errors import BadRequestError, HfHubHTTPError

ADMIN = "hf_alice_write"
USAGE = ["downloads", "downloadsAllTime", "likes", "usedStorage", "private", "gated", "lastModified"]
SPACE_USAGE = ["likes", "usedStorage", "private", "lastModified"]


@pytest.fixture
def acme(hub):
    hub.add_user("alice", orgs={"acme": "admin"}, tokens={ADMIN: "write"})
    hub.add_user("bob", orgs={"acme": "read"}, tokens={"hf_bob_write": "write"})
    hub.add_user("mallory", tokens={"hf_mallory_write": "write"})
    series = {
        "start": "2026-10-01",
        "downloadsPerDay": 100,
        "likesPerDay": 0.5,
        "storagePerDay": 10,
        "storageBase": 1000,
    }
    hub.add_repo(
        "acme/grower",
        downloadsAllTime=1000,
        likes=5,
        gated="manual",
        files={"weights.bin": {"size": 5000}},
        usage=series,
    )
    hub.add_repo("acme/corpus", type="dataset", downloadsAllTime=7, downloads=3, likes=1)  # fixed figures
    hub.add_repo("acme/demo", type="space", private=True, likes=2, usage={"start": "2026-10-01", "likesPerDay": 1})
    hub.add_repo("bob/elsewhere", downloads=50)
    return hub


def api(hub, token: str | None = ADMIN) -> HfApi:
    return HfApi(endpoint=hub.url, token=token or False)


def test_list_and_info_expand_the_usage_fields_under_the_hubs_names(acme):
    acme.clock(today="2026-11-01")  # 31 days after the series' start
    [model] = api(acme).list_models(author="acme", expand=USAGE)
    assert model.id == "acme/grower"
    assert (model.downloads_all_time, model.downloads, model.likes) == (1000 + 3100, 3000, 5 + 15)
    assert (model.private, model.gated) == (False, "manual")
    assert model.last_modified is not None and model.last_modified.tzinfo is not None
    assert model.used_storage is not None and model.used_storage >= 5000 + 1000 + 310
    assert model.pipeline_tag is None and model.tags is None  # only what was asked for

    info = api(acme).model_info("acme/grower", expand=USAGE)
    assert (info.downloads_all_time, info.downloads, info.likes, info.used_storage) == (
        model.downloads_all_time,
        model.downloads,
        model.likes,
        model.used_storage,
    )

    [dataset] = api(acme).list_datasets(author="acme", expand=USAGE)
    assert (dataset.downloads, dataset.downloads_all_time, dataset.likes) == (3, 7, 1)  # no series: as given
    [space] = api(acme).list_spaces(author="acme", expand=SPACE_USAGE)
    assert (space.id, space.private, space.likes) == ("acme/demo", True, 2 + 31)
    assert space.used_storage and space.used_storage > 0
    assert list(api(acme, None).list_spaces(author="acme", expand=SPACE_USAGE)) == []  # private: not anonymously

    with pytest.raises(BadRequestError):  # Spaces have no downloads
        list(api(acme).list_spaces(author="acme", expand=["downloads"]))


def test_the_figures_move_as_the_clock_advances(acme):
    acme.clock(today="2026-11-01")
    before = api(acme).model_info("acme/grower", expand=USAGE)
    assert acme.clock(advance_days=3) == "2026-11-04"
    after = api(acme).model_info("acme/grower", expand=USAGE)
    assert after.downloads_all_time == before.downloads_all_time + 300
    assert after.downloads == 3000  # 30 days of 100
    assert after.likes == 5 + 17 and after.used_storage == before.used_storage + 30
    # Before the series began, the figures of its first day; the fixed ones never move.
    acme.clock(today="2026-01-01")
    early = api(acme).model_info("acme/grower", expand=USAGE)
    assert (early.downloads_all_time, early.downloads, early.likes) == (1000, 0, 5)
    assert api(acme).dataset_info("acme/corpus", expand=["downloads"]).downloads == 3
    # The control API's own view of the series is what the API gives.
    acme.clock(today="2026-11-04")
    days = acme.usage("acme/grower", days=4)
    assert [d["date"] for d in days] == ["2026-11-01", "2026-11-02", "2026-11-03", "2026-11-04"]
    assert days[0]["downloadsAllTime"] == before.downloads_all_time and days[-1]["likes"] == after.likes
    assert "downloads" not in acme.usage("acme/demo", type="space", days=1)[0]


def test_the_clock_defaults_to_the_real_date_and_a_reset_brings_it_back(acme):
    today = datetime.now(tz=UTC).date()
    assert acme.control("GET", "clock") == {"today": today.isoformat(), "fixed": False}
    assert acme.clock(advance_days=2) == date.fromordinal(today.toordinal() + 2).isoformat()
    assert acme.clock(today="2025-02-03", advance_days=1) == "2025-02-04"
    acme.reset()
    assert acme.control("GET", "clock")["today"] == today.isoformat()
    with pytest.raises(Exception, match="400"):
        acme.clock(today="not a date")


def test_used_storage_counts_uploads_and_keeps_deleted_files(acme):
    acme.clock(today="2026-11-01")
    storage = api(acme).model_info("acme/grower", expand=["usedStorage"]).used_storage
    assert storage is not None
    api(acme).upload_file(path_or_fileobj=io.BytesIO(b"x" * 4321), path_in_repo="extra.txt", repo_id="acme/grower")
    grown = api(acme).model_info("acme/grower", expand=["usedStorage"]).used_storage
    assert grown == storage + 4321
    api(acme).create_commit(
        "acme/grower", operations=[CommitOperationDelete("extra.txt")], commit_message="Remove extra"
    )
    assert api(acme).model_info("acme/grower", expand=["usedStorage"]).used_storage == grown  # history keeps it


def test_a_series_is_checked_and_can_be_replaced(acme):
    acme.set_repo("acme/grower", usage={"start": "2026-10-01", "downloadsPerDay": 1})
    acme.clock(today="2026-10-11")
    assert api(acme).model_info("acme/grower", expand=["downloadsAllTime"]).downloads_all_time == 1000 + 10
    for bad in ({"wave": 2}, {"downloadsPerDay": -1}, {"start": "soon"}, {"spikes": {"2026-10-02": "many"}}, {"x": 1}):
        answer = requests.post(f"{acme.url}/_hubsim/repos/model/acme/grower", json={"usage": bad}, timeout=10)
        assert answer.status_code == 400, bad
    acme.set_repo("acme/grower", usage=None)
    assert api(acme).model_info("acme/grower", expand=["downloadsAllTime"]).downloads_all_time == 1000


def test_demo_downloads_and_likes_change_from_day_to_day(demo_hub):
    demo_hub.clock(today="2026-11-30")
    hub_api = HfApi(endpoint=demo_hub.url, token="hf_demo_alice_write")
    models = list(hub_api.list_models(author="acme", expand=USAGE))
    days = {m.id: demo_hub.usage(m.id, days=31) for m in models}
    for model in models:
        series = days[model.id]
        totals = [d["downloadsAllTime"] for d in series]
        assert totals == sorted(totals), model.id  # all-time downloads never go down
        assert model.downloads_all_time == totals[-1] and model.downloads == totals[-1] - totals[0]
        assert model.likes == series[-1]["likes"] and model.used_storage == series[-1]["usedStorage"]
    steps = [b["downloadsAllTime"] - a["downloadsAllTime"] for s in days.values() for a, b in itertools.pairwise(s)]
    assert any(step == 0 for step in steps) and sum(step > 0 for step in steps) > len(steps) / 2
    assert any(s[0]["likes"] < s[-1]["likes"] for s in days.values())
    assert any(s[0]["usedStorage"] < s[-1]["usedStorage"] for s in days.values())  # some repos grow
    # One repo has a spike: the 15th of each month.
    spike = {d["date"]: d["downloadsAllTime"] for d in days["acme/gated-llm"]}
    assert spike["2026-11-15"] - spike["2026-11-14"] > 20 * (spike["2026-11-14"] - spike["2026-11-13"]) > 0
    # Deterministic: a fresh demo world gives the same figures.
    demo_hub.reset(seed="demo")
    demo_hub.clock(today="2026-11-30")
    assert demo_hub.usage("acme/gated-llm", days=31) == days["acme/gated-llm"]


# -- the repositories-settings lists ------------------------------------------------------------------------


def test_an_org_admin_reads_its_repositories_with_visibility_and_storage(acme):
    acme.add_repo("acme/app", type="space")
    acme.set_repo("acme/app", type="space", visibility="protected")
    acme.clock(today="2026-11-01")
    listed = {(r.type, r.id): r for r in api(acme).list_user_repos("acme")}
    assert set(listed) == {
        ("model", "acme/grower"),
        ("dataset", "acme/corpus"),
        ("space", "acme/demo"),
        ("space", "acme/app"),
    }
    assert listed["space", "acme/app"].visibility == "protected"
    assert listed["space", "acme/demo"].visibility == "private"
    assert listed["model", "acme/grower"].visibility == "public"
    storage = api(acme).model_info("acme/grower", expand=["usedStorage"]).used_storage
    assert listed["model", "acme/grower"].storage == storage
    assert 99.5 < sum(r.storage_percent for r in listed.values()) < 100.5
    assert all(r.updated_at.tzinfo is not None for r in listed.values())
    # A model cannot be protected.
    answer = requests.post(f"{acme.url}/_hubsim/repos/model/acme/grower", json={"visibility": "protected"}, timeout=10)
    assert answer.status_code == 400


def test_the_settings_list_pages_by_link_and_filters(acme):
    for n in range(5):
        acme.add_repo(f"acme/m{n}", files={"w.bin": {"size": 1000 * (n + 1)}})
    acme.control("POST", "switches", {"page_size": 3})
    acme.control("DELETE", "requests")
    listed = list(api(acme).list_user_repos("acme"))
    assert len(listed) == 8 and len({(r.type, r.id) for r in listed}) == 8
    calls = [r for r in acme.requests() if r["path"] == "/api/organizations/acme/settings/repositories"]
    assert len(calls) == 3
    storages = [r.storage for r in listed]
    assert storages == sorted(storages, reverse=True)  # the Hub's default: storage, descending
    headers = {"Authorization": f"Bearer {ADMIN}"}
    url = f"{acme.url}/api/organizations/acme/settings/repositories"
    spaces = requests.get(url, params={"type": "space"}, headers=headers, timeout=10).json()
    assert [r["id"] for r in spaces] == ["acme/demo"]
    found = requests.get(
        url, params={"search": "M3", "sort": "updatedAt", "direction": "asc"}, headers=headers, timeout=10
    )
    assert [r["id"] for r in found.json()] == ["acme/m3"]
    assert requests.get(url, params={"type": "folder"}, headers=headers, timeout=10).status_code == 400


def test_only_the_orgs_admins_read_its_settings_list(acme):
    for token in ("hf_mallory_write", "hf_bob_write"):  # an outsider, and a member who is not an admin
        with pytest.raises(HfHubHTTPError) as refused:
            list(api(acme, token).list_user_repos("acme"))
        assert refused.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as anonymous:
        list(api(acme, None).list_user_repos("acme"))
    assert anonymous.value.response.status_code == 401
    with pytest.raises(HfHubHTTPError) as unknown:
        list(api(acme).list_user_repos("no-such-org"))
    assert unknown.value.response.status_code == 404


def test_a_user_reads_their_own_repositories(acme):
    acme.add_repo("bob/notes", type="dataset", private=True)
    mine = {(r.type, r.id, r.visibility) for r in api(acme, "hf_bob_write").list_user_repos()}
    assert mine == {("model", "bob/elsewhere", "public"), ("dataset", "bob/notes", "private")}
