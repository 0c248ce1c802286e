"""Repo objects as the Hub's JSON: every property, then the subset a call asks for."""

from __future__ import annotations

from datetime import UTC, datetime

from .errors import bad_request
from .state import Commit, Repo, iso

EXPANDABLE = {
    "model": {
        "author",
        "baseModels",
        "cardData",
        "childrenModelCount",
        "config",
        "createdAt",
        "disabled",
        "downloads",
        "downloadsAllTime",
        "evalResults",
        "gated",
        "gguf",
        "inference",
        "inferenceProviderMapping",
        "lastModified",
        "library_name",
        "likes",
        "mask_token",
        "model-index",
        "pipeline_tag",
        "private",
        "resourceGroup",
        "safetensors",
        "sha",
        "siblings",
        "spaces",
        "tags",
        "transformersInfo",
        "trendingScore",
        "usedStorage",
        "widgetData",
        "gitalyUid",
        "xetEnabled",
    },
    "dataset": {
        "author",
        "cardData",
        "citation",
        "createdAt",
        "description",
        "disabled",
        "downloads",
        "downloadsAllTime",
        "gated",
        "lastModified",
        "likes",
        "mainSize",
        "paperswithcode_id",
        "private",
        "resourceGroup",
        "sha",
        "siblings",
        "tags",
        "trendingScore",
        "usedStorage",
        "xetEnabled",
    },
    "space": {
        "author",
        "cardData",
        "createdAt",
        "datasets",
        "disabled",
        "lastModified",
        "likes",
        "models",
        "private",
        "region",
        "resourceGroup",
        "runtime",
        "sdk",
        "sha",
        "siblings",
        "subdomain",
        "tags",
        "trendingScore",
        "usedStorage",
        "xetEnabled",
    },
}

# What a list item carries when the call asks for nothing in particular.
LIST_DEFAULT = {
    "model": ["likes", "trendingScore", "private", "downloads", "tags", "pipeline_tag", "library_name", "createdAt"],
    "dataset": [
        "author",
        "disabled",
        "gated",
        "lastModified",
        "likes",
        "trendingScore",
        "private",
        "sha",
        "description",
        "downloads",
        "tags",
        "createdAt",
    ],
    "space": ["author", "lastModified", "likes", "trendingScore", "private", "sdk", "tags", "createdAt"],
}
LIST_FULL_EXTRA = ["author", "sha", "lastModified", "gated", "disabled", "siblings"]

INFO_ORDER = {
    "model": [
        "private",
        "pipeline_tag",
        "library_name",
        "tags",
        "downloads",
        "likes",
        "author",
        "sha",
        "lastModified",
        "gated",
        "inference",
        "disabled",
        "mask_token",
        "widgetData",
        "model-index",
        "config",
        "cardData",
        "transformersInfo",
        "siblings",
        "spaces",
        "createdAt",
        "safetensors",
        "usedStorage",
        "trendingScore",
        "downloadsAllTime",
    ],
    "dataset": [
        "author",
        "sha",
        "lastModified",
        "createdAt",
        "private",
        "gated",
        "disabled",
        "downloads",
        "downloadsAllTime",
        "likes",
        "tags",
        "cardData",
        "siblings",
        "citation",
        "description",
        "paperswithcode_id",
        "mainSize",
        "trendingScore",
        "usedStorage",
    ],
    "space": [
        "author",
        "sha",
        "lastModified",
        "createdAt",
        "private",
        "gated",
        "disabled",
        "host",
        "subdomain",
        "likes",
        "sdk",
        "tags",
        "cardData",
        "siblings",
        "runtime",
        "models",
        "datasets",
        "region",
        "trendingScore",
        "usedStorage",
    ],
}


def siblings(commit: Commit, blobs: bool = False) -> list[dict]:
    out = []
    for path in sorted(commit.files):
        entry = commit.files[path]
        item: dict = {"rfilename": path}
        if blobs:
            item["size"] = entry.size
            item["blobId"] = entry.oid
            if entry.is_lfs:
                item["lfs"] = {"size": entry.size, "sha256": entry.lfs_sha256, "pointerSize": entry.pointer_size}
        out.append(item)
    return out


def properties(repo: Repo, commit: Commit | None = None, blobs: bool = False, day: int | None = None) -> dict:
    """Every property the Hub can return for this repo at this commit (absent ones left out), with the usage
    figures of `day` (the simulated clock's today; see state.UsageSeries)."""
    commit = commit or repo.head
    day = day if day is not None else datetime.now(tz=UTC).date().toordinal()
    card = repo.card_data(commit)
    props: dict = {
        "author": repo.namespace,
        "sha": commit.id,
        "lastModified": iso(commit.date),
        "createdAt": iso(repo.created_at),
        "private": repo.private,
        "gated": repo.gated,
        "disabled": repo.disabled,
        "likes": repo.likes_on(day),
        "trendingScore": repo.trending_score,
        "tags": repo.tags(),
        "siblings": siblings(commit, blobs),
        "usedStorage": repo.used_storage_on(day),
        "xetEnabled": False,
        "resourceGroup": None,
    }
    if card is not None:
        props["cardData"] = card
    if repo.type in ("model", "dataset"):
        props["downloads"] = repo.downloads_on(day)
        props["downloadsAllTime"] = repo.downloads_all_time_on(day)
    if repo.type == "model":
        props["model-index"] = card.get("model-index") if card else None
        props["spaces"] = [r for r in repo.extra.get("spaces", [])]
        if repo.pipeline_tag:
            props["pipeline_tag"] = repo.pipeline_tag
        if repo.library_name:
            props["library_name"] = repo.library_name
        if repo.config is not None:
            props["config"] = repo.config
        for key in (
            "inference",
            "mask_token",
            "widgetData",
            "transformersInfo",
            "safetensors",
            "gguf",
            "baseModels",
            "childrenModelCount",
            "evalResults",
            "inferenceProviderMapping",
        ):
            if key in repo.extra:
                props[key] = repo.extra[key]
    elif repo.type == "dataset":
        props["description"] = repo.extra.get("description", "")
        props["citation"] = repo.extra.get("citation", "")
        props["paperswithcode_id"] = repo.extra.get("paperswithcode_id")
        props["mainSize"] = sum(f.size for f in commit.files.values())
    else:
        props["sdk"] = repo.sdk
        props["subdomain"] = repo.subdomain
        props["host"] = f"https://{props['subdomain']}.hf.space"
        props["runtime"] = runtime(repo)
        props["models"] = list(repo.extra.get("models", []))
        props["datasets"] = list(repo.extra.get("datasets", []))
        props["region"] = "us"
    return props


def runtime(repo: Repo) -> dict:
    """A Space's runtime, as `GET /api/spaces/{id}/runtime` and `space_info` give it."""
    if "runtime" in repo.extra:
        return repo.extra["runtime"]
    static = repo.sdk == "static"
    return {
        "stage": "RUNNING" if static else "SLEEPING",
        "hardware": {"current": None, "requested": None if static else "cpu-basic"},
        "storage": None,
        "gcTimeout": None if static else 172800,
        "replicas": {"requested": 1, "current": 1} if static else {"requested": 1},
        "devMode": False,
        "domains": [{"domain": f"{repo.subdomain}.hf.space", "stage": "READY"}],
    }


def extra_fields(repo: Repo) -> dict:
    """Fields a test gave the control API that hubsim does not model: served as they were given."""
    return {key: value for key, value in repo.extra.items() if not key.startswith("_")}


def parse_expand(repo_type: str, values: list[str]) -> list[str]:
    allowed = EXPANDABLE[repo_type]
    for index, value in enumerate(values):
        if value not in allowed:
            choices = ", ".join(f'"{v}"' for v in sorted(allowed))
            raise bad_request(f'"expand[{index}]" must be one of [{choices}]')
    return values


def shape(repo: Repo, keys: list[str], props: dict) -> dict:
    out: dict = {"_id": repo._id, "id": repo.id}
    for key in keys:
        if key in props:
            out[key] = props[key]
    return out


def list_item(repo: Repo, expand: list[str], full: bool, config: bool, card_data: bool, day: int | None = None) -> dict:
    props = properties(repo, day=day)
    if expand:
        return shape(repo, expand, props)
    keys = list(LIST_DEFAULT[repo.type])
    if full:
        keys += [k for k in LIST_FULL_EXTRA if k not in keys]
        if repo.type == "dataset":
            keys.append("cardData")
    if config and repo.type == "model":
        keys.append("config")
    if card_data and repo.type in ("model", "space"):
        keys.append("cardData")
    item = shape(repo, keys, props)
    if "siblings" in item:
        item["siblings"] = [{"rfilename": s["rfilename"]} for s in item["siblings"]]
    if repo.type == "model":
        item["modelId"] = repo.id
    return item


def info(repo: Repo, commit: Commit, expand: list[str], blobs: bool, day: int | None = None) -> dict:
    props = properties(repo, commit, blobs, day)
    if expand:
        return shape(repo, expand, props)
    item = shape(repo, INFO_ORDER[repo.type], props)
    if repo.type == "model":
        # The Hub puts modelId right after likes; order is cosmetic, presence matters.
        item["modelId"] = repo.id
    # The Hub's repo info says whether discussions are off (its JS types); `expand` has no such property.
    item["discussionsDisabled"] = repo.discussions_disabled
    for key, value in extra_fields(repo).items():
        item.setdefault(key, value)
    return item
