"""Application services for filed requests: records, export, notifications."""
