"""Follow-up (持续跟踪): agreements, service records, events, follow-up tasks and the period report.

Services that take a SQLAlchemy session (the caller owns the transaction); the console, the CLI and the filing
path call them. Partners are referred to by registry id and name, so nothing here needs the registry.
"""
