"""Custom Rasa graph components (thin adapters around chanyan)."""
