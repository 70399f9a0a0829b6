"""Staff accounts, sessions and API tokens (used by the console and the CLI)."""
