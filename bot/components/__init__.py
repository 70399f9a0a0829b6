"""Custom Rasa graph components (thin adapters around chanyan).

Process-wide Rasa adjustments (the compiled action-response validator in action_result_validation) are not
installed on import: the Rasa launcher, bot/serve/rasa_server.py, installs them at start-up.
"""
