"""hubsim: a Hugging Face Hub emulator on loopback, for tests, the offline demo and benchmarks.

A test tool only: nothing under `hubdash/` imports it.
"""

from .app import HubSim, build_server

__all__ = ["HubSim", "build_server"]
