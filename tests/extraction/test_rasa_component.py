"""The Rasa graph component: train persists everything into the model storage; process adds our entities."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

pytest.importorskip("rasa")

from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402
from rasa.shared.nlu.training_data.training_data import TrainingData  # noqa: E402

from chanyan.extraction import from_entities  # noqa: E402
from chanyan.taxonomy import DATA_DIR  # noqa: E402

BOT_DIR = Path(__file__).resolve().parents[2] / "bot"


@pytest.fixture()
def component_class(monkeypatch):
    monkeypatch.syspath_prepend(str(BOT_DIR))
    from components.chanyan_extractor import ChanyanExtractor

    return ChanyanExtractor


def test_train_persist_load_process(component_class, tmp_path):
    data_copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    (tmp_path / "storage").mkdir()
    storage = LocalModelStorage(tmp_path / "storage")
    resource = Resource("chanyan_extractor")
    context = ExecutionContext(GraphSchema({}), "test")
    config = {**component_class.get_default_config(), "data_dir": str(data_copy)}
    component = component_class.create(config, storage, resource, context)
    component.train(TrainingData())
    shutil.rmtree(data_copy)  # the loaded model must not need the original files

    loaded = component_class.load(config, storage, resource, context)
    message = Message(data={"text": "工厂想上MES，预算三五十万，半年内，想委托高校开发，电话13812345678"})
    loaded.process([message])
    entities = message.get("entities")
    by_name: dict = {}
    for entity in entities:  # the first entity of each name: tech_domain candidates come best first
        by_name.setdefault(entity["entity"], entity)
    assert by_name["tech_domain"]["value"] == "801"
    assert by_name["budget"]["value"]["min_cny"] == 300_000
    assert by_name["timeline"]["value"]["months"] == 6
    assert by_name["coop_mode"]["value"] == "技术开发(委托开发)"
    assert by_name["phone"]["value"] == "13812345678"
    assert all(e["extractor"] == "ChanyanExtractor" for e in entities)
    assert from_entities(entities)["budget"]["kind"] == "range"


def test_the_training_cache_key_follows_the_taxonomy_and_the_spacy_model(component_class, tmp_path):
    # Rasa reuses a trained component while its fingerprint is unchanged: editing taxonomy.yml or rebuilding
    # the spaCy pipeline must change it, or `make train` would keep the old taxonomy inside the model.
    data_copy = tmp_path / "data"
    shutil.copytree(DATA_DIR, data_copy, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    spacy_dir = tmp_path / "spacy"
    spacy_dir.mkdir()
    (spacy_dir / "meta.json").write_text("{}")
    config = {"data_dir": str(data_copy), "spacy_model": str(spacy_dir)}
    first = component_class.fingerprint_addon(config)
    assert component_class.fingerprint_addon(config) == first
    with open(data_copy / "taxonomy.yml", "a", encoding="utf-8") as fh:
        fh.write("\n# a staff edit\n")
    after_taxonomy = component_class.fingerprint_addon(config)
    assert after_taxonomy != first
    (spacy_dir / "meta.json").write_text('{"version": "2"}')
    assert component_class.fingerprint_addon(config) != after_taxonomy
