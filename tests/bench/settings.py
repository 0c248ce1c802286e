"""hubdash's settings for the benchmarks, with one extra route: a trivial view behind the full middleware.

DJANGO_SETTINGS_MODULE=tests.bench.settings gunicorn -c hubdash/gunicorn.conf.py hubdash.wsgi
"""

from hubdash.settings import *  # noqa: F403

ROOT_URLCONF = "tests.bench.urls"
