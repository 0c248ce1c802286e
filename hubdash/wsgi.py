"""The WSGI application gunicorn serves. It refuses to load while a configuration check fails."""

from __future__ import annotations

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hubdash.settings")
application = get_wsgi_application()

# gunicorn runs no system checks: without this, bad token keys or missing static files would only
# show as a 500 on the first request that needs them.
from hubdash.core.checks import refuse_to_start_on_errors  # noqa: E402 (needs the apps loaded above)

refuse_to_start_on_errors()
