from django.apps import AppConfig


class ProbeConfig(AppConfig):
    """An app with a short-period job, installed only in the processes of tests/jobs/test_processes.py."""

    name = "tests.jobs.probe"
    label = "jobs_probe"
