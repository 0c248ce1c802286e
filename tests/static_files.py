"""WhiteNoise for the test suite: the same middleware, reading the collected static files once per process.

Django's test client builds its middleware anew for every `Client`, and WhiteNoise's middleware reads the
whole of STATIC_ROOT (700 files, a stat and a header table each) every time it is built: 20 ms a client,
a sixth of the suite's time in the Django test client's tests. A served hubdash builds it once per process.
Here the table of one folder is kept for the process and handed to each new middleware, as long as the
folder's manifest and the settings that shape the table are unchanged (a new `collectstatic` or an
overridden setting reads the folder again). What each request gets is what WhiteNoise's own table gives.
"""

from __future__ import annotations

import os
from typing import Any

from whitenoise.middleware import WhiteNoiseMiddleware as ShippedWhiteNoiseMiddleware

_TABLES: dict[tuple[Any, ...], dict[str, Any]] = {}


def _stamp(root: str) -> tuple[int, int] | None:
    """When the folder's manifest (written last by collectstatic) changed, and its size."""
    try:
        status = os.stat(os.path.join(root, "staticfiles.json"))
    except OSError:
        return None
    return status.st_mtime_ns, status.st_size


class WhiteNoiseMiddleware(ShippedWhiteNoiseMiddleware):
    def update_files_dictionary(self, root: str, prefix: str) -> None:
        from django.conf import settings

        shaping = [(name, repr(getattr(settings, name))) for name in dir(settings) if name.startswith("WHITENOISE_")]
        key = (root, prefix, _stamp(root), settings.DEBUG, settings.STATIC_URL, repr(settings.STORAGES), repr(shaping))
        if key not in _TABLES:
            earlier, self.files = self.files, {}
            try:
                super().update_files_dictionary(root, prefix)
                _TABLES[key] = self.files
            finally:
                self.files = {**earlier, **self.files}
        else:
            self.files.update(_TABLES[key])
