"""Content storage: small files in memory, large files on disk, demo files synthetic.

Large (LFS) content is always streamed to a file and never held whole in memory,
so that a 1 GiB upload costs the emulator no more than a buffer.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import BinaryIO

CHUNK = 1 << 20


def git_blob_oid(data: bytes) -> str:
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()  # git's object id


def lfs_pointer(sha256: str, size: int) -> bytes:
    return f"version https://git-lfs.github.com/spec/v1\noid sha256:{sha256}\nsize {size}\n".encode()


@dataclass
class Synthetic:
    """Deterministic bytes of a given size, generated on demand (demo model weights)."""

    seed: str
    size: int
    _sha256: str | None = field(default=None, repr=False)

    def block(self) -> bytes:
        return hashlib.shake_256(self.seed.encode()).digest(65536)

    def iter_range(self, start: int, end: int) -> Iterator[bytes]:
        block = self.block()
        pos = start
        while pos < end:
            offset = pos % len(block)
            chunk = block[offset : offset + min(len(block) - offset, end - pos)]
            pos += len(chunk)
            yield chunk

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            digest = hashlib.sha256()
            for chunk in self.iter_range(0, self.size):
                digest.update(chunk)
            self._sha256 = digest.hexdigest()
        return self._sha256


class BlobStore:
    """Content-addressed LFS objects (by sha256) kept as files in one folder."""

    def __init__(self, directory: str | None = None) -> None:
        self._owned = directory is None
        self.directory = directory or tempfile.mkdtemp(prefix="hubsim-blobs-")
        os.makedirs(self.directory, exist_ok=True)

    def path(self, sha256: str) -> str:
        return os.path.join(self.directory, sha256)

    def has(self, sha256: str, size: int | None = None) -> bool:
        try:
            actual = os.path.getsize(self.path(sha256))
        except OSError:
            return False
        return size is None or actual == size

    def size(self, sha256: str) -> int:
        return os.path.getsize(self.path(sha256))

    def add_bytes(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if not self.has(sha):
            with open(self.path(sha), "wb") as fh:
                fh.write(data)
        return sha

    def temp_file(self) -> tuple[BinaryIO, str]:
        fd, name = tempfile.mkstemp(prefix=".upload-", dir=self.directory)
        return os.fdopen(fd, "wb"), name

    def commit_temp(self, name: str, expected_sha256: str, expected_size: int) -> str | None:
        """Move a finished upload into place if it hashes to what was announced."""
        digest = hashlib.sha256()
        size = 0
        with open(name, "rb") as fh:
            while chunk := fh.read(CHUNK):
                digest.update(chunk)
                size += len(chunk)
        if digest.hexdigest() != expected_sha256 or size != expected_size:
            os.unlink(name)
            return "content does not match the announced oid and size"
        os.replace(name, self.path(expected_sha256))
        return None

    def iter_range(self, sha256: str, start: int, end: int) -> Iterator[bytes]:
        with open(self.path(sha256), "rb") as fh:
            fh.seek(start)
            remaining = end - start
            while remaining > 0:
                chunk = fh.read(min(CHUNK, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk

    def clear(self) -> None:
        for name in os.listdir(self.directory):
            os.unlink(os.path.join(self.directory, name))

    def close(self) -> None:
        if self._owned:
            shutil.rmtree(self.directory, ignore_errors=True)
