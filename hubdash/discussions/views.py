"""The inbox `/discussions/`, its nav count, a repo's Discussions tab and the admins' settings (to come)."""
