"""Pure helpers of the dashboard: the inbox index, freshness, roles, and building approved commands."""
