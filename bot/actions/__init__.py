"""The rasa-sdk action server: thin adapters from the tracker to the chanyan core."""
