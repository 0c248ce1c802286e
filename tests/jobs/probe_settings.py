"""The test settings plus an app with a short-period job (tests/jobs/probe), for the processes test."""

from tests.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "tests.jobs.probe"]  # noqa: F405
