"""产研通 (chanyan): the framework-free core of the intake assistant.

Request schema, validation and normalization, extraction, the requests store, the staff console and the CLI live
here; Rasa components, actions and channels are thin adapters around this package.
"""

__version__ = "0.1.0"
