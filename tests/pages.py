"""Reading pages as a person sees them, for tests over Django's test client."""

from __future__ import annotations

import re


def read(response) -> str:
    """The whole body, streamed or not (a streamed one must be read to its end)."""
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


def row_of(page: str, repo_id: str) -> str:
    """The listing row (li.repo-item) of one repo."""
    namespace, name = repo_id.split("/")
    for item in re.findall(r'<li class="repo-item">.*?</li>', page, flags=re.S):
        if f'<span class="ns">{namespace}/</span>{name}</a>' in item:
            return item
    raise AssertionError(f"no row for {repo_id}")
