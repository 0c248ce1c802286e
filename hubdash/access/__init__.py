"""Access requests to the team's gated repos: a mirror of the Hub's lists, the queue, decisions, rules."""
