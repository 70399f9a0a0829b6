"""How our processes start: the action server (rasa-sdk's own server behind a shared secret) and the Rasa server
(the HTTP API token from the environment, the compiled response validator, a warmed pipeline). `make run`,
tests/e2e/stack.py and deploy/systemd start them the same way, from bot/: `python -m serve.action_server`,
`python -m serve.rasa_server`."""
