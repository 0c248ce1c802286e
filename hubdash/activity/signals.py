"""What the feed tells the apps above it, without importing them.

`delivery_stored` is sent once per new webhook delivery the receiver stored (never for a repeat), with
`parsed` (the delivery read by `payloads.parse`) and `event` (its stored row). Receivers must not call the Hub
nor fail: the Hub waits for the answer, and a receiver's error is logged and the delivery still acknowledged.
"""

from __future__ import annotations

from django.dispatch import Signal

delivery_stored = Signal()
