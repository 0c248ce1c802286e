"""How upload bodies reach the disk: streamed into `HUBDASH_UPLOAD_DIR/incoming` as they arrive.

Django's TemporaryFileUploadHandler alone (settings.FILE_UPLOAD_HANDLERS): no file is ever held in
memory, whatever its size. This one also counts each file's bytes and stops the upload as soon as one
passes `HUBDASH_UPLOAD_MAX_BYTES`, so the view can answer 413 with the file's name.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.files.uploadhandler import StopUpload, TemporaryFileUploadHandler
from django.http import HttpRequest


class SizeLimitedUploadHandler(TemporaryFileUploadHandler):
    def __init__(self, request: HttpRequest | None = None) -> None:
        super().__init__(request)
        self._received = 0

    def new_file(self, *args: Any, **kwargs: Any) -> None:
        super().new_file(*args, **kwargs)
        self._received = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self._received += len(raw_data)
        if self._received > settings.UPLOAD_MAX_BYTES:
            if self.request is not None:
                self.request.upload_too_large = self.file_name  # type: ignore[attr-defined]
            self.file.close()  # a NamedTemporaryFile: closing removes what was written so far
            # Read (and drop) the rest of the body, so the client is answered rather than cut off.
            raise StopUpload(connection_reset=False)
        return super().receive_data_chunk(raw_data, start)


def too_large(request: HttpRequest) -> str | None:
    """The name of the file that passed the size limit in this request, if one did."""
    name = getattr(request, "upload_too_large", None)
    return str(name) if name is not None else None
