"""hubsim against the pinned huggingface_hub client, over HTTP, for every operation hubdash uses."""

from __future__ import annotations

import hashlib
import os

import pytest
import requests
from huggingface_hub import HfApi, hf_hub_download
from huggingface_hub.errors import (
    BadRequestError,
    GatedRepoError,
    HfHubHTTPError,
    RemoteEntryNotFoundError,
    RepositoryNotFoundError,
    RevisionNotFoundError,
)

ALICE = {
    "name": "alice",
    "fullname": "Alice",
    "orgs": {"acme": "admin"},
    "tokens": {"hf_alice_write": "write", "hf_alice_read": "read"},
}
BOB = {"name": "bob", "orgs": {"acme": "read"}, "tokens": {"hf_bob_write": "write"}}


@pytest.fixture
def people(hub):
    hub.add_user(**ALICE)
    hub.add_user(**BOB)
    return hub


def api(hub, token=None) -> HfApi:
    return HfApi(endpoint=hub.url, token=token if token else False)


# -- listing --------------------------------------------------------------------------------


def test_list_models_pages_through_cursor_links_in_sort_order(people):
    for i in range(25):
        people.add_repo(f"acme/model-{i:02d}", downloads=i * 10, tags=["pytorch"], pipeline_tag="fill-mask")
    client = api(people)
    # limit is a page size for the Hub; the client follows `Link` until it has `limit` items.
    seen = [m.id for m in client.list_models(author="acme", sort="downloads", limit=25)]
    assert seen == [f"acme/model-{i:02d}" for i in range(24, -1, -1)]
    pages = [r for r in people.requests() if r["path"] == "/api/models"]
    assert len(pages) == 1  # 25 in one page of 25

    response = requests.get(f"{people.url}/api/models", params={"author": "acme", "sort": "downloads", "limit": 10})
    ids, next_url, page_count = [], response.links.get("next", {}).get("url"), 1
    ids += [m["id"] for m in response.json()]
    while next_url:
        assert next_url.startswith(people.url + "/api/models?")  # absolute, pointing at hubsim itself
        response = requests.get(next_url)
        ids += [m["id"] for m in response.json()]
        next_url = response.links.get("next", {}).get("url")
        page_count += 1
    assert page_count == 3
    assert ids == seen


def test_list_filters_search_author_and_tags_must_all_match(people):
    people.add_repo("acme/bert-a", tags=["pytorch"], pipeline_tag="fill-mask")
    people.add_repo("acme/bert-b", tags=["jax"], pipeline_tag="fill-mask")
    people.add_repo("zed/bert-c", tags=["pytorch"], pipeline_tag="fill-mask")
    people.add_repo("acme/gpt-d", tags=["pytorch"], pipeline_tag="text-generation")
    client = api(people)
    assert {m.id for m in client.list_models(search="bert")} == {"acme/bert-a", "acme/bert-b", "zed/bert-c"}
    assert {m.id for m in client.list_models(author="acme", filter=["pytorch", "fill-mask"])} == {"acme/bert-a"}
    assert {m.id for m in client.list_models(pipeline_tag="text-generation")} == {"acme/gpt-d"}


def test_list_datasets_and_spaces_with_sort_and_full(people):
    people.add_repo(
        "acme/reviews",
        type="dataset",
        likes=5,
        files={"README.md": "---\nlicense: mit\ntask_categories:\n- text-classification\n---\n# R\n"},
    )
    people.add_repo("acme/news", type="dataset", likes=9)
    people.add_repo("acme/demo", type="space", sdk="gradio", likes=3)
    client = api(people)
    datasets = list(client.list_datasets(sort="likes", full=True))
    assert [d.id for d in datasets] == ["acme/news", "acme/reviews"]
    reviews = datasets[1]
    assert reviews.card_data is not None and reviews.card_data["license"] == "mit"
    assert "task_categories:text-classification" in reviews.tags
    assert {s.rfilename for s in reviews.siblings} >= {"README.md", ".gitattributes"}
    assert [d.id for d in client.list_datasets(filter="task_categories:text-classification")] == ["acme/reviews"]
    spaces = list(client.list_spaces(author="acme", full=True))
    assert spaces[0].id == "acme/demo" and spaces[0].sdk == "gradio"


def test_list_expand_returns_only_requested_fields_and_rejects_unknown(people):
    people.add_repo("acme/m", downloads=7, likes=2)
    data = requests.get(f"{people.url}/api/models", params=[("expand[]", "downloads"), ("expand[]", "likes")]).json()
    assert data == [{"_id": data[0]["_id"], "id": "acme/m", "downloads": 7, "likes": 2}]
    bad = requests.get(f"{people.url}/api/models", params={"expand": "nonsense"})
    assert bad.status_code == 400 and "expand" in bad.json()["error"]
    with pytest.raises(BadRequestError):
        list(api(people).list_models(expand=["nonsense"]))  # type: ignore[list-item]


def test_direction_is_ignored_and_unknown_sort_rejected(people):
    people.add_repo("acme/low", downloads=1)
    people.add_repo("acme/high", downloads=100)
    both = requests.get(f"{people.url}/api/models", params={"sort": "downloads", "direction": "1"}).json()
    assert [m["id"] for m in both] == ["acme/high", "acme/low"]  # still descending
    assert requests.get(f"{people.url}/api/models", params={"sort": "author"}).status_code == 400


def test_config_and_card_data_flags(people):
    people.add_repo("acme/m", config={"model_type": "bert"}, files={"README.md": "---\nlicense: apache-2.0\n---\nhi\n"})
    plain = requests.get(f"{people.url}/api/models").json()[0]
    assert "config" not in plain and "cardData" not in plain
    rich = requests.get(f"{people.url}/api/models", params={"config": "true", "cardData": "true"}).json()[0]
    assert rich["config"] == {"model_type": "bert"} and rich["cardData"] == {"license": "apache-2.0"}
    model = next(iter(api(people).list_models(fetch_config=True, cardData=True)))
    assert model.config == {"model_type": "bert"}


def test_private_repos_listed_only_for_those_who_may_see_them(people):
    people.add_repo("acme/secret", private=True)
    people.add_repo("acme/open")
    people.add_user("eve", tokens={"hf_eve": "write"})
    assert {m.id for m in api(people).list_models()} == {"acme/open"}
    assert {m.id for m in api(people, "hf_eve").list_models()} == {"acme/open"}
    assert {m.id for m in api(people, "hf_bob_write").list_models()} == {"acme/open", "acme/secret"}


# -- repo info ------------------------------------------------------------------------------


def test_info_by_branch_tag_full_and_short_commit_and_quoted_refs(people):
    people.add_repo("acme/m", files={"README.md": "---\nlicense: mit\n---\n# v1\n"})
    client = api(people, "hf_alice_write")
    first = client.model_info("acme/m")
    client.create_tag("acme/m", tag="v1.0")
    client.upload_file(path_or_fileobj=b"weights", path_in_repo="extra.txt", repo_id="acme/m")
    latest = client.model_info("acme/m")
    assert latest.sha != first.sha
    assert client.model_info("acme/m", revision="v1.0").sha == first.sha
    assert client.model_info("acme/m", revision=first.sha).sha == first.sha
    assert client.model_info("acme/m", revision=first.sha[:7]).sha == first.sha
    assert "extra.txt" not in {s.rfilename for s in client.model_info("acme/m", revision="v1.0").siblings}
    pr = client.upload_file(path_or_fileobj=b"x", path_in_repo="pr.txt", repo_id="acme/m", create_pr=True)
    assert pr.pr_revision == "refs/pr/1"
    assert "pr.txt" in {s.rfilename for s in client.model_info("acme/m", revision="refs/pr/1").siblings}
    raw = requests.get(f"{people.url}/api/models/acme/m/revision/refs%2Fpr%2F1")
    assert raw.status_code == 200
    with pytest.raises(RevisionNotFoundError):
        client.model_info("acme/m", revision="nope")
    refs = client.list_repo_refs("acme/m", include_pull_requests=True)
    assert [b.name for b in refs.branches] == ["main"] and [t.name for t in refs.tags] == ["v1.0"]
    assert [p.ref for p in refs.pull_requests] == ["refs/pr/1"]


def test_info_shapes_for_the_three_types(people):
    people.add_repo(
        "acme/m",
        pipeline_tag="fill-mask",
        library_name="transformers",
        downloads=3,
        files={"README.md": "---\nlicense: mit\nlanguage: en\n---\nhi\n"},
    )
    people.add_repo("acme/d", type="dataset")
    people.add_repo("acme/s", type="space", sdk="static")
    client = api(people)
    model = client.model_info("acme/m", files_metadata=True)
    assert model.pipeline_tag == "fill-mask" and model.library_name == "transformers" and model.downloads == 3
    assert model.card_data["license"] == "mit" and "en" in model.tags and "license:mit" in model.tags
    readme = next(s for s in model.siblings if s.rfilename == "README.md")
    assert readme.size > 0 and readme.blob_id
    assert client.dataset_info("acme/d").id == "acme/d"
    space = client.space_info("acme/s")
    assert space.sdk == "static" and space.runtime is not None
    only = requests.get(f"{people.url}/api/models/acme/m", params={"expand[]": "downloads"}).json()
    assert set(only) == {"_id", "id", "downloads"}


def test_info_matches_recorded_hub_shapes(people, hub_samples):
    """Keys and value types of a model_info from hubsim match a recorded real one."""
    recorded = hub_samples("model_info__google-bert_bert-base-uncased.json")
    people.add_repo(
        "acme/m",
        pipeline_tag="fill-mask",
        library_name="transformers",
        config={"model_type": "bert"},
        inference="warm",
        mask_token="[MASK]",
        widgetData=[{"text": "Paris is the [MASK]."}],
        transformersInfo={"auto_model": "AutoModelForMaskedLM"},
        safetensors={"parameters": {"F32": 1}, "total": 1},
        files={"README.md": "---\nlicense: mit\n---\n"},
    )
    ours = requests.get(f"{people.url}/api/models/acme/m").json()
    assert set(recorded) <= set(ours)
    for key, value in recorded.items():
        if value is not None and ours[key] is not None:
            assert type(ours[key]) is type(value), key
    assert len(ours["sha"]) == 40 and ours["lastModified"].endswith("Z") and len(ours["_id"]) == 24


# -- tags and metrics -------------------------------------------------------------------------


def test_tag_vocabularies(hub):
    client = api(hub)
    models = client.get_model_tags()
    assert {"pipeline_tag", "library", "language", "license"} <= set(models)
    assert all({"id", "label", "type"} <= set(t) for group in models.values() for t in group)
    assert any(t.get("subType") == "nlp" for t in models["pipeline_tag"])
    datasets = client.get_dataset_tags()
    assert "task_categories" in datasets
    only = requests.get(f"{hub.url}/api/models-tags-by-type", params={"type": "license"}).json()
    assert list(only) == ["license"]


def test_metrics_is_gone_unless_switched_on(hub):
    assert requests.get(f"{hub.url}/api/metrics").status_code == 404
    hub.control("POST", "switches", {"metrics": True})
    metrics = requests.get(f"{hub.url}/api/metrics").json()
    assert {"id", "spaceId", "description"} == set(metrics[0])


# -- repo management -----------------------------------------------------------------------------


@pytest.mark.parametrize("repo_type,extra", [("model", {}), ("dataset", {}), ("space", {"space_sdk": "gradio"})])
def test_create_each_type_private_conflict_and_exist_ok(people, repo_type, extra):
    client = api(people, "hf_alice_write")
    url = client.create_repo("acme/new-one", repo_type=repo_type, private=True, **extra)
    assert url.repo_id == "acme/new-one" and url.startswith(people.url)
    info = client.repo_info("acme/new-one", repo_type=repo_type)
    assert info.private is True
    with pytest.raises(HfHubHTTPError) as conflict:
        client.create_repo("acme/new-one", repo_type=repo_type, **extra)
    assert conflict.value.response.status_code == 409
    assert client.create_repo("acme/new-one", repo_type=repo_type, exist_ok=True, **extra).repo_id == "acme/new-one"
    # Private: an outsider gets 404, an anonymous caller 401, both as RepositoryNotFoundError.
    with pytest.raises(RepositoryNotFoundError):
        api(people).repo_info("acme/new-one", repo_type=repo_type)


def test_create_requires_write_rights_and_valid_names(people):
    with pytest.raises(HfHubHTTPError) as read_token:
        api(people, "hf_alice_read").create_repo("alice/x")
    assert read_token.value.response.status_code == 403
    with pytest.raises(HfHubHTTPError) as read_role:
        api(people, "hf_bob_write").create_repo("acme/x")  # bob only reads in acme
    assert read_role.value.response.status_code == 403
    for name in ["bad--name", "-lead", "trail.", "a" * 97, "sp ace"]:
        answer = requests.post(
            f"{people.url}/api/repos/create", json={"name": name}, headers={"Authorization": "Bearer hf_alice_write"}
        )
        assert answer.status_code == 400, name
    missing_sdk = requests.post(
        f"{people.url}/api/repos/create",
        json={"name": "s", "type": "space"},
        headers={"Authorization": "Bearer hf_alice_write"},
    )
    assert missing_sdk.status_code == 400


def test_delete_and_missing_ok(people):
    client = api(people, "hf_alice_write")
    client.create_repo("alice/gone")
    client.delete_repo("alice/gone")
    with pytest.raises(RepositoryNotFoundError):
        client.model_info("alice/gone")
    with pytest.raises(RepositoryNotFoundError):
        client.delete_repo("alice/gone")
    client.delete_repo("alice/gone", missing_ok=True)
    answer = requests.delete(
        f"{people.url}/api/repos/delete",
        json={"name": "x", "organization": "alice"},
        headers={"Authorization": "Bearer hf_alice_write"},
    )
    assert answer.status_code == 404 and answer.headers["X-Error-Code"] == "RepoNotFound"


def test_update_settings_visibility_and_gating(people):
    client = api(people, "hf_alice_write")
    client.create_repo("acme/m")
    client.update_repo_settings("acme/m", private=True)
    assert client.model_info("acme/m").private is True
    client.update_repo_settings("acme/m", gated="manual")
    assert client.model_info("acme/m").gated == "manual"
    legacy = requests.put(
        f"{people.url}/api/repos/models/acme/m/settings",
        json={"private": False},
        headers={"Authorization": "Bearer hf_alice_write"},
    )
    assert legacy.status_code == 200 and client.model_info("acme/m").private is False
    with pytest.raises(HfHubHTTPError) as denied:
        api(people, "hf_bob_write").update_repo_settings("acme/m", private=True)
    assert denied.value.response.status_code == 403


def test_move_repo_redirects_old_id(people):
    client = api(people, "hf_alice_write")
    client.create_repo("alice/old-name")
    client.move_repo("alice/old-name", "acme/new-name")
    assert client.model_info("acme/new-name").id == "acme/new-name"
    raw = requests.get(f"{people.url}/api/models/alice/old-name", allow_redirects=False)
    assert raw.status_code == 307 and raw.headers["Location"] == "/api/models/acme/new-name"
    assert client.model_info("alice/old-name").id == "acme/new-name"  # the client follows it


# -- files ---------------------------------------------------------------------------------------


def test_upload_small_regular_file_and_download_it_back(people, tmp_path):
    client = api(people, "hf_alice_write")
    client.create_repo("alice/files")
    info = client.upload_file(path_or_fileobj=b"hello hub\n", path_in_repo="docs/hello.txt", repo_id="alice/files")
    assert len(info.oid) == 40
    preuploads = [r for r in people.requests() if "/preupload/" in r["path"]]
    assert preuploads and not [r for r in people.requests() if "lfs/objects/batch" in r["path"]]
    path = hf_hub_download(
        "alice/files", "docs/hello.txt", endpoint=people.url, token="hf_alice_write", cache_dir=tmp_path
    )
    assert open(path, "rb").read() == b"hello hub\n"
    with pytest.raises(RemoteEntryNotFoundError):
        hf_hub_download("alice/files", "nope.txt", endpoint=people.url, token="hf_alice_write", cache_dir=tmp_path)


def test_upload_50mb_goes_through_lfs_and_downloads_byte_for_byte(people, tmp_path):
    data = os.urandom(1 << 20) * 50
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    client = api(people, "hf_alice_write")
    client.create_repo("acme/big")
    client.upload_file(path_or_fileobj=str(source), path_in_repo="weights/model.bin", repo_id="acme/big")
    paths = [r["path"] for r in people.requests()]
    assert "/acme/big.git/info/lfs/objects/batch" in paths and "/acme/big.git/info/lfs/objects/verify" in paths
    entry = next(iter(client.get_paths_info("acme/big", ["weights/model.bin"])))
    assert entry.size == len(data) and entry.lfs.sha256 == hashlib.sha256(data).hexdigest()
    path = hf_hub_download(
        "acme/big", "weights/model.bin", endpoint=people.url, token="hf_alice_write", cache_dir=tmp_path / "cache"
    )
    assert hashlib.sha256(open(path, "rb").read()).hexdigest() == hashlib.sha256(data).hexdigest()


def test_multipart_lfs_transfer(people, tmp_path):
    people.control("POST", "lfs", {"multipart_threshold": 1 << 20, "chunk_size": 1 << 20})
    data = os.urandom(3 * (1 << 20) + 123)
    client = api(people, "hf_alice_write")
    client.create_repo("alice/parts")
    client.upload_file(path_or_fileobj=data, path_in_repo="w.bin", repo_id="alice/parts")
    parts = [r for r in people.requests() if r["method"] == "PUT" and r["path"].startswith("/_lfs/")]
    assert len(parts) == 4
    path = hf_hub_download("alice/parts", "w.bin", endpoint=people.url, token="hf_alice_write", cache_dir=tmp_path)
    assert open(path, "rb").read() == data


def test_unchanged_file_is_not_uploaded_twice(people):
    client = api(people, "hf_alice_write")
    client.create_repo("alice/same")
    client.upload_file(path_or_fileobj=b"same", path_in_repo="a.txt", repo_id="alice/same")
    before = client.model_info("alice/same").sha
    client.upload_file(path_or_fileobj=b"same", path_in_repo="a.txt", repo_id="alice/same")
    assert client.model_info("alice/same").sha == before  # preupload's oid let the client skip it


def test_delete_operations_and_tree_listing(people):
    from huggingface_hub import CommitOperationAdd, CommitOperationDelete

    client = api(people, "hf_alice_write")
    client.create_repo("alice/tree")
    client.create_commit(
        "alice/tree",
        [
            CommitOperationAdd("a/one.txt", b"1"),
            CommitOperationAdd("a/b/two.txt", b"2"),
            CommitOperationAdd("top.txt", b"t"),
        ],
        commit_message="add",
    )
    top = {e.path for e in client.list_repo_tree("alice/tree")}
    assert top == {".gitattributes", "a", "top.txt"}
    deep = {e.path for e in client.list_repo_tree("alice/tree", recursive=True)}
    assert {"a/b", "a/b/two.txt", "a/one.txt"} <= deep
    assert {e.path for e in client.list_repo_tree("alice/tree", path_in_repo="a/b")} == {"a/b/two.txt"}
    with pytest.raises(RemoteEntryNotFoundError):
        list(client.list_repo_tree("alice/tree", path_in_repo="missing"))
    client.create_commit("alice/tree", [CommitOperationDelete("a/")], commit_message="rm folder")
    client.create_commit("alice/tree", [CommitOperationDelete("top.txt")], commit_message="rm file")
    assert set(client.list_repo_files("alice/tree")) == {".gitattributes"}
    commits = client.list_repo_commits("alice/tree")
    assert [c.title for c in commits][:3] == ["rm file", "rm folder", "add"]


def test_readme_metadata_is_validated(people):
    client = api(people, "hf_alice_write")
    client.create_repo("alice/card")
    with pytest.raises(ValueError):
        client.upload_file(
            path_or_fileobj=b"---\nlicense: [unclosed\n---\n", path_in_repo="README.md", repo_id="alice/card"
        )
    client.upload_file(
        path_or_fileobj=b"---\nlicense: mit\n---\n# Card\n", path_in_repo="README.md", repo_id="alice/card"
    )
    assert client.model_info("alice/card").card_data["license"] == "mit"


def test_resolve_head_headers_and_ranges(people):
    people.add_repo("acme/files", files={"notes.txt": "0123456789"})
    url = f"{people.url}/acme/files/resolve/main/notes.txt"
    head = requests.head(url)
    assert head.headers["X-Repo-Commit"] and head.headers["ETag"].startswith('"')
    assert head.headers["Content-Length"] == "10" and head.headers["Accept-Ranges"] == "bytes"
    part = requests.get(url, headers={"Range": "bytes=3-5"})
    assert part.status_code == 206 and part.content == b"345" and part.headers["Content-Range"] == "bytes 3-5/10"
    assert requests.get(url, headers={"Range": "bytes=4-"}).content == b"456789"
    assert requests.get(url, headers={"Range": "bytes=50-"}).status_code == 416
    missing = requests.get(f"{people.url}/acme/files/resolve/main/nope")
    assert missing.status_code == 404 and missing.headers["X-Error-Code"] == "EntryNotFound"
    assert missing.headers["X-Repo-Commit"] == head.headers["X-Repo-Commit"]


def test_legacy_upload_endpoint(people):
    people.add_repo("alice/legacy")
    answer = requests.post(
        f"{people.url}/api/models/alice/legacy/upload/main/data/a.txt",
        data=b"seed-era",
        headers={"Authorization": "Bearer hf_alice_write"},
    )
    assert answer.status_code == 200 and answer.json()["url"].endswith("/alice/legacy/blob/main/data/a.txt")
    assert requests.get(f"{people.url}/alice/legacy/resolve/main/data/a.txt").content == b"seed-era"


# -- identity ------------------------------------------------------------------------------------


def test_whoami_reports_user_orgs_and_token_role(people):
    me = api(people, "hf_alice_write").whoami()
    assert me["name"] == "alice" and me["fullname"] == "Alice"
    assert [(o["name"], o["roleInOrg"]) for o in me["orgs"]] == [("acme", "admin")]
    assert me["auth"]["accessToken"]["role"] == "write"
    assert api(people, "hf_alice_read").whoami()["auth"]["accessToken"]["role"] == "read"


def test_whoami_fine_grained_scopes(hub):
    hub.add_user(
        "fin",
        orgs={"acme": "write"},
        tokens={
            "hf_fine": {
                "role": "fineGrained",
                "scoped": [{"entity": {"type": "org", "name": "acme"}, "permissions": ["repo.write"]}],
            }
        },
    )
    token = api(hub, "hf_fine").whoami()["auth"]["accessToken"]
    assert token["role"] == "fineGrained"
    assert token["fineGrained"]["scoped"][0]["permissions"] == ["repo.write"]
    assert token["fineGrained"]["scoped"][0]["entity"]["name"] == "acme"
    api(hub, "hf_fine").create_repo("acme/allowed")
    with pytest.raises(HfHubHTTPError) as outside:
        api(hub, "hf_fine").create_repo("fin/not-in-scope")
    assert outside.value.response.status_code == 403


def test_whoami_matches_recorded_shape(people, hub_samples):
    recorded = hub_samples("whoami_v2__hubjs_ci_bot.json")
    ours = requests.get(f"{people.url}/api/whoami-v2", headers={"Authorization": "Bearer hf_alice_write"}).json()
    assert set(recorded) <= set(ours)
    for key, value in recorded.items():
        if value is not None and ours[key] is not None:
            assert type(ours[key]) is type(value), key
    assert set(recorded["auth"]["accessToken"]) <= set(ours["auth"]["accessToken"])


def test_unknown_or_revoked_token_is_refused_everywhere(people):
    with pytest.raises(HfHubHTTPError) as bad:
        api(people, "hf_nobody").whoami()
    assert bad.value.response.status_code == 401
    answer = requests.get(f"{people.url}/api/models", headers={"Authorization": "Bearer hf_nobody"})
    assert answer.status_code == 401 and answer.json() == {"error": "Invalid credentials in Authorization header"}
    assert "X-Error-Code" not in answer.headers
    people.control("POST", "tokens/revoke", {"token": "hf_alice_read"})
    with pytest.raises(HfHubHTTPError):
        api(people, "hf_alice_read").whoami()


# -- errors the client maps ---------------------------------------------------------------------------


def test_missing_repo_401_anonymous_404_signed_in(people):
    anonymous = requests.get(f"{people.url}/api/models/acme/nope")
    signed_in = requests.get(f"{people.url}/api/models/acme/nope", headers={"Authorization": "Bearer hf_bob_write"})
    assert (anonymous.status_code, signed_in.status_code) == (401, 404)
    assert anonymous.headers["X-Error-Code"] == signed_in.headers["X-Error-Code"] == "RepoNotFound"
    assert signed_in.json() == {"error": "Repository not found"} and signed_in.headers["X-Request-Id"]
    with pytest.raises(RepositoryNotFoundError):
        api(people).model_info("acme/nope")
    with pytest.raises(RepositoryNotFoundError):
        api(people, "hf_bob_write").model_info("acme/nope")


def test_gated_repo_metadata_public_files_gated(people, tmp_path):
    people.add_repo("acme/gated", gated="manual", files={"w.txt": "secret weights"})
    people.add_user("eve", tokens={"hf_eve": "read"})
    assert api(people).model_info("acme/gated").gated == "manual"
    for token in (None, "hf_eve"):
        with pytest.raises(GatedRepoError):
            hf_hub_download("acme/gated", "w.txt", endpoint=people.url, token=token or False, cache_dir=tmp_path)
    people.control("POST", "gated-access", {"id": "acme/gated", "user": "eve"})
    path = hf_hub_download("acme/gated", "w.txt", endpoint=people.url, token="hf_eve", cache_dir=tmp_path)
    assert open(path).read() == "secret weights"


def test_injected_faults_surface_as_client_errors(people):
    client = api(people)
    people.fault(method="GET", path="/api/models/*", status=503, times=1)
    with pytest.raises(HfHubHTTPError) as unavailable:
        client.model_info("acme/none")
    assert unavailable.value.response.status_code == 503
    people.fault(method="GET", path="/api/whoami-v2", status=429, retry_after=7, times=1)
    with pytest.raises(HfHubHTTPError) as limited:
        api(people, "hf_alice_write").whoami()
    assert limited.value.response.status_code == 429
    assert limited.value.response.headers["RateLimit"] == '"api";r=0;t=6'  # waits t + 1 = 7 s
    assert limited.value.response.headers["Retry-After"] == "7"
    people.fault(method="GET", path="/api/models/acme/m", body='{"id": "acme/m", trunc', times=1)
    people.add_repo("acme/m")
    with pytest.raises(ValueError):
        client.model_info("acme/m")
    people.fault(method="GET", path="/api/models/acme/m", reset=True, times=1)
    with pytest.raises(Exception) as reset:
        requests.get(f"{people.url}/api/models/acme/m")
    assert isinstance(reset.value, requests.ConnectionError)
    people.fault(method="GET", path="/api/models/acme/m", hang=True, times=1)
    with pytest.raises(requests.Timeout):
        requests.get(f"{people.url}/api/models/acme/m", timeout=0.5)
    people.fault(method="GET", path="/api/models/acme/m", delay_s=0.3, times=1)
    assert requests.get(f"{people.url}/api/models/acme/m").elapsed.total_seconds() >= 0.3


def test_rate_limit_quota_answers_429_with_hub_headers(people):
    people.control("POST", "ratelimit", {"quotas": {"api": 3}, "window_s": 300})
    answers = [
        requests.get(f"{people.url}/api/models", headers={"Authorization": "Bearer hf_bob_write"}) for _ in range(4)
    ]
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert answers[0].headers["RateLimit"].startswith('"api";r=2;t=')
    assert answers[3].headers["RateLimit-Policy"] == '"fixed window";"api";q=3;w=300'
    assert requests.get(f"{people.url}/api/models").status_code == 200  # another caller, another window


def test_request_log_names_users_never_tokens(people):
    requests.get(f"{people.url}/api/whoami-v2", headers={"Authorization": "Bearer hf_alice_write"})
    log = people.requests()
    assert log[-1]["user"] == "alice" and log[-1]["status"] == 200 and log[-1]["path"] == "/api/whoami-v2"
    assert "hf_alice_write" not in repr(log)


def test_bad_requests_get_hub_errors_not_tracebacks(people):
    headers = {"Authorization": "Bearer hf_alice_write", "Content-Type": "application/json"}
    for body in [b"{not json", b"[1,2]", b'"text"']:
        answer = requests.post(f"{people.url}/api/repos/create", data=body, headers=headers)
        assert answer.status_code == 400 and "error" in answer.json()
    people.add_repo("alice/c")
    bad_commit = requests.post(
        f"{people.url}/api/models/alice/c/commit/main",
        data=b"garbage\n",
        headers={**headers, "Content-Type": "application/x-ndjson"},
    )
    assert bad_commit.status_code == 400 and "Traceback" not in bad_commit.text
    assert requests.get(f"{people.url}/api/models", params={"limit": "lots"}).status_code == 400
    assert requests.get(f"{people.url}/api/models", params={"cursor": "!!"}).status_code == 400
    assert requests.get(f"{people.url}/no/such/page/here").status_code == 404


@pytest.mark.parametrize("repo_type", ["model", "dataset", "space"])
def test_client_follows_three_cursor_pages_with_filter_and_sort(people, repo_type):
    people.control("POST", "switches", {"page_size": 4})  # the Hub's page size when no limit is given
    for i in range(10):
        people.add_repo(f"acme/r-{i}", type=repo_type, likes=i, tags=["keep"] if i % 2 == 0 else [])
    people.add_repo("zed/other", type=repo_type, likes=99, tags=["keep"])
    listing = getattr(api(people), f"list_{repo_type}s")
    ids = [r.id for r in listing(author="acme", sort="likes")]
    assert ids == [f"acme/r-{i}" for i in range(9, -1, -1)]
    plural = f"/api/{repo_type}s"
    assert len([r for r in people.requests() if r["path"] == plural]) == 3
    kept = [r.id for r in listing(filter="keep", sort="likes")]
    assert kept == ["zed/other", "acme/r-8", "acme/r-6", "acme/r-4", "acme/r-2", "acme/r-0"]


def test_write_responses_match_recorded_exchanges(people, hub_samples):
    auth = {"Authorization": "Bearer hf_alice_write"}

    def same_shape(ours: dict, recorded: dict) -> None:
        assert set(ours) == set(recorded), (set(ours), set(recorded))
        for key, value in recorded.items():
            assert type(ours[key]) is type(value), key

    created = requests.post(
        f"{people.url}/api/repos/create",
        headers=auth,
        json={"name": "tmp_space", "organization": "alice", "private": True, "type": "space", "sdk": "gradio"},
    )
    same_shape(created.json(), hub_samples("exchange__repos_create_space_200.json")["response"]["body"])
    conflict = requests.post(
        f"{people.url}/api/repos/create",
        headers=auth,
        json={"name": "tmp_space", "organization": "alice", "type": "space", "sdk": "gradio"},
    )
    recorded_conflict = hub_samples("exchange__repos_create_409_conflict.json")["response"]
    assert conflict.status_code == recorded_conflict["status"]
    same_shape(conflict.json(), recorded_conflict["body"])
    assert conflict.json()["error"] == recorded_conflict["body"]["error"]
    preupload = requests.post(
        f"{people.url}/api/spaces/alice/tmp_space/preupload/main",
        headers=auth,
        json={"files": [{"path": "README.md", "sample": "", "size": 0}]},
    )
    same_shape(preupload.json(), hub_samples("exchange__preupload_with_oid.json")["response"]["body"])
    recorded_commit = hub_samples("exchange__commit_ndjson.json")
    commit = requests.post(
        f"{people.url}/api/spaces/alice/tmp_space/commit/main",
        headers={**auth, "Content-Type": "application/x-ndjson"},
        data=recorded_commit["request"]["body"].encode(),
    )
    same_shape(commit.json(), recorded_commit["response"]["body"])
    app = requests.get(f"{people.url}/spaces/alice/tmp_space/resolve/main/app.py", headers=auth)
    assert app.text.startswith("\nimport gradio")
    deleted = requests.delete(
        f"{people.url}/api/repos/delete",
        headers=auth,
        json={"name": "tmp_space", "organization": "alice", "type": "space"},
    )
    recorded_delete = hub_samples("exchange__repos_delete_200.json")["response"]
    assert (deleted.status_code, deleted.text) == (recorded_delete["status"], recorded_delete["body"])


def test_truncated_answer_is_a_transport_error_for_the_client(people):
    people.add_repo("acme/cut")
    people.fault(method="GET", path="/api/models/acme/cut", truncate=True, times=1)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        requests.get(f"{people.url}/api/models/acme/cut")
    assert requests.get(f"{people.url}/api/models/acme/cut").json()["id"] == "acme/cut"


def test_legacy_whoami_refuses_access_tokens_and_describes_old_api_tokens(people):
    people.add_user("old", orgs={"acme": "write"}, tokens={"api_oldstyle_token": "write"})
    modern = requests.get(f"{people.url}/api/whoami", headers={"Authorization": "Bearer hf_alice_write"})
    assert modern.status_code == 401
    old = requests.get(f"{people.url}/api/whoami", headers={"Authorization": "Bearer api_oldstyle_token"}).json()
    assert old["name"] == "old" and [o["name"] for o in old["orgs"]] == ["acme"]


def test_control_api_fields_hubsim_does_not_model_are_served_as_given(people):
    people.add_repo("acme/extra", doi="10.57967/hf/1", arxivIds=["2401.00001"])
    data = requests.get(f"{people.url}/api/models/acme/extra").json()
    assert data["doi"] == "10.57967/hf/1" and data["arxivIds"] == ["2401.00001"]


def test_whoami_can_have_its_own_strict_quota(people):
    people.control("POST", "ratelimit", {"quotas": {"api": 100, "whoami": 1}, "window_s": 300})
    auth = {"Authorization": "Bearer hf_alice_write"}
    first = requests.get(f"{people.url}/api/whoami-v2", headers=auth)
    second = requests.get(f"{people.url}/api/whoami-v2", headers=auth)
    assert (first.status_code, second.status_code) == (200, 429)
    assert second.headers["RateLimit"].startswith('"whoami";r=0;')
    assert requests.get(f"{people.url}/api/models", headers=auth).status_code == 200


def test_branches_commits_and_last_modified(people):
    client = api(people, "hf_alice_write")
    client.create_repo("alice/branchy")
    created = client.model_info("alice/branchy")
    client.create_branch("alice/branchy", branch="dev")
    client.upload_file(path_or_fileobj=b"on dev", path_in_repo="dev.txt", repo_id="alice/branchy", revision="dev")
    dev = client.model_info("alice/branchy", revision="dev")
    assert "dev.txt" in {s.rfilename for s in dev.siblings}
    assert "dev.txt" not in {s.rfilename for s in client.model_info("alice/branchy").siblings}
    assert dev.last_modified >= created.last_modified and dev.sha != created.sha
    assert {b.name for b in client.list_repo_refs("alice/branchy").branches} == {"main", "dev"}
    client.delete_branch("alice/branchy", branch="dev")
    with pytest.raises(RevisionNotFoundError):
        client.model_info("alice/branchy", revision="dev")


def test_space_runtime_matches_recorded_shape(people, hub_samples):
    people.add_repo("acme/gradio-app", type="space", sdk="gradio")
    people.add_repo("acme/static-app", type="space", sdk="static")
    building = hub_samples("space_runtime__building.json")
    running = hub_samples("space_runtime__static_running.json")
    gradio = requests.get(f"{people.url}/api/spaces/acme/gradio-app/runtime").json()
    static = requests.get(f"{people.url}/api/spaces/acme/static-app/runtime").json()
    assert set(building) <= set(gradio) and set(running) <= set(static)
    assert static["hardware"] == running["hardware"] and static["replicas"] == running["replicas"]
    assert api(people).space_info("acme/gradio-app").runtime.stage == gradio["stage"]
