"""ChanyanExtractor: a Rasa 3.6 entity extractor that runs chanyan.extraction on every user message.

Pipeline line in bot/config.yml (Rasa runs with working directory bot/):

    - name: components.chanyan_extractor.ChanyanExtractor

Training copies the taxonomy, lexicon, currency rates, partner vocabulary and the trained spaCy pipeline into
the model's storage, so a trained Rasa model does not depend on files outside it.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
from pathlib import Path
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from chanyan import clock
from chanyan.extraction import Extractor, to_entities
from chanyan.extraction.spacy_pipeline import model_dir
from chanyan.taxonomy import DATA_DIR

logger = logging.getLogger(__name__)

DATA_FILES = ("taxonomy.yml", "lexicon.txt", "currency.yml", "partners.yml")


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class ChanyanExtractor(GraphComponent, EntityExtractorMixin):
    """Adds tech_domain, budget, timeline, coop_mode, ip_preference, partner, phone, email, keyword entities."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """Where the data and the spaCy pipeline are copied from at training time (defaults: the project's)."""
        return {"data_dir": None, "spacy_model": None}

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """A digest of the data files and the spaCy pipeline, so that Rasa's training cache retrains this
        component when the taxonomy or the spaCy model changed (they are not part of Rasa's training data)."""
        data_dir = Path(config.get("data_dir") or DATA_DIR)
        spacy_dir = Path(config.get("spacy_model") or model_dir())
        digest = hashlib.sha256()
        files = [(f"data/{name}", data_dir / name) for name in DATA_FILES]
        if spacy_dir.is_dir():
            files += [
                (f"spacy/{f.relative_to(spacy_dir)}", f) for f in sorted(spacy_dir.rglob("*")) if f.is_file()
            ]
        for label, path in files:
            digest.update(label.encode())
            try:
                digest.update(path.read_bytes())
            except OSError:
                digest.update(b"<missing>")
        return digest.hexdigest()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ChanyanExtractor:
        """A new, untrained component."""
        return cls(config, model_storage, resource)

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        extractor: Extractor | None = None,
    ) -> None:
        self._config = config
        self._model_storage = model_storage
        self._resource = resource
        self._extractor = extractor

    def train(self, training_data: TrainingData) -> Resource:
        """Persist the data files and the spaCy pipeline into the model's storage."""
        data_dir = Path(self._config.get("data_dir") or DATA_DIR)
        spacy_dir = Path(self._config.get("spacy_model") or model_dir())
        with self._model_storage.write_to(self._resource) as path:
            (path / "data").mkdir(parents=True, exist_ok=True)
            for name in DATA_FILES:
                shutil.copy2(data_dir / name, path / "data" / name)
            if (spacy_dir / "meta.json").exists():
                shutil.copytree(spacy_dir, path / "spacy")
            else:
                logger.warning(
                    "no spaCy model at %s; the trained Rasa model will extract with rules only", spacy_dir
                )
        return self._resource

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> ChanyanExtractor:
        """Load the extractor from the model's storage (nothing outside the trained model is read)."""
        extractor = None
        try:
            with model_storage.read_from(resource) as path:
                spacy_path = path / "spacy"
                extractor = Extractor.load(
                    model_path=spacy_path if spacy_path.exists() else path / "no-spacy-model",
                    data_dir=path / "data",
                )
        except ValueError:
            logger.warning("ChanyanExtractor has no stored data; was the component trained?")
        return cls(config, model_storage, resource, extractor)

    def process(self, messages: list[Message]) -> list[Message]:
        """Add our entities to every message with text."""
        if self._extractor is None:
            return messages
        for message in messages:
            text = message.get(TEXT)
            if not text:
                continue
            result = self._extractor.extract(text, now=clock.now_local())
            entities = self.add_extractor_name(to_entities(result))
            message.set(ENTITIES, message.get(ENTITIES, []) + entities, add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training data is left as it is: our entities are not learnt by other components."""
        return training_data
