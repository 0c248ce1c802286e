"""Who may do what in hubdash: admins manage the team, members use their own tokens.

The admin rule itself lives in hubdash.core.permissions (every app asks it there); re-exported here."""

from __future__ import annotations

from hubdash.core.permissions import admins_only, is_admin

admin_required = admins_only

__all__ = ["admin_required", "admins_only", "is_admin"]
