"""How upload bodies reach the disk: streamed into `HUBDASH_UPLOAD_DIR/incoming` as they arrive.

Django's TemporaryFileUploadHandler alone (settings.FILE_UPLOAD_HANDLERS): no file is ever held in
memory, whatever its size. This one also counts each file's bytes and stops the upload as soon as one
passes `HUBDASH_UPLOAD_MAX_BYTES`, so the view can answer 413 with the file's name, and hashes each
file (sha256) as it streams by: the push needs that hash for LFS, and would otherwise read the whole
file once more before sending it.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import TemporaryUploadedFile, UploadedFile
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest

# Django's 64 KiB makes the multipart parser loop (and search for the boundary) 16 times as often.
CHUNK_BYTES = 1 << 20


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    chunk_size = CHUNK_BYTES

    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self._received = 0
        self._sha256 = hashlib.sha256()

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._received = 0
        self._sha256 = hashlib.sha256()

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._received += len(raw_data)
        if self._received > settings.UPLOAD_MAX_BYTES:
            if self.request is not None:
                self.request.upload_too_large = self.file_name  # type: ignore[attr-defined]
            self.file.close()  # a NamedTemporaryFile: closing removes what was written so far
            # Read (and drop) the rest of the body, so the client is answered rather than cut off.
            raise StopUpload(connection_reset=False)
        self._sha256.update(raw_data)
        return super().receive_data_chunk(raw_data, start)

    def file_complete(self, file_size: int) -> TemporaryUploadedFile:
        super().file_complete(file_size)
        self.file.sha256 = self._sha256.hexdigest()  # type: ignore[attr-defined]
        return self.file


def sha256_of(uploaded: UploadedFile[bytes]) -> str | None:
    """The sha256 (hex) of a file's bytes as they arrived, if this handler received it."""
    digest = getattr(uploaded, "sha256", None)
    return str(digest) if digest is not None else None


def too_large(request: HttpRequest) -> str | None:
    """The name of the file that passed the size limit in this request, if one did."""
    name = getattr(request, "upload_too_large", None)
    return str(name) if name is not None else None
