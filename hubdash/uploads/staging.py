"""Where uploaded files wait for their push: `HUBDASH_UPLOAD_DIR/<staging>/<n>`, one folder per upload.

With several machines, HUBDASH_UPLOAD_DIR must be storage they share: the web worker that received the
files and the job worker that pushes them may be on different machines.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import time
from collections.abc import Iterable
from pathlib import Path

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile

# Leftovers of a web worker killed while receiving a body: no upload writes to its file for this long.
INCOMING_STALE_S = 3600


def root() -> Path:
    return Path(settings.UPLOAD_DIR)


def incoming() -> Path:
    return Path(settings.FILE_UPLOAD_TEMP_DIR)


def folder(staging: str) -> Path:
    return root() / staging


def new_staging() -> str:
    return secrets.token_hex(16)


def stage(staging: str, uploaded: Iterable[TemporaryUploadedFile]) -> list[Path]:
    """Keep the request's temporary files under the upload's folder (a hard link: same disk, no copy)."""
    target = folder(staging)
    target.mkdir(parents=True, exist_ok=False)
    paths = []
    for n, upload in enumerate(uploaded):
        path = target / str(n)
        source = upload.temporary_file_path()
        try:
            os.link(source, path)
        except OSError:  # another file system (or no hard links): copy, streamed
            shutil.copyfile(source, path)
        paths.append(path)
    return paths


def files_of(staging: str, count: int) -> list[Path]:
    return [folder(staging) / str(n) for n in range(count)]


def remove(staging: str) -> None:
    if staging and "/" not in staging and staging not in (".", "..", "incoming"):
        shutil.rmtree(folder(staging), ignore_errors=True)


def remove_stale_incoming(now: float | None = None) -> None:
    """Delete request bodies that no process writes to any more (their web worker was killed)."""
    cutoff = (now or time.time()) - INCOMING_STALE_S
    with contextlib.suppress(FileNotFoundError):
        for entry in os.scandir(incoming()):
            with contextlib.suppress(OSError):
                if entry.is_file() and entry.stat().st_mtime < cutoff:
                    os.remove(entry.path)


def staged_folders() -> list[str]:
    with contextlib.suppress(FileNotFoundError):
        return [e.name for e in os.scandir(root()) if e.is_dir() and e.name != "incoming"]
    return []
