# 产研通 (chanyan) — set-up, training, running and testing in one place. `make help` lists the targets.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV        ?= .venv
BIN         := $(VENV)/bin
PY          := $(BIN)/python
RASA        := $(BIN)/rasa
MODEL_DIR   ?= models/rasa
RASA_MODEL  := $(MODEL_DIR)/chanyan.tar.gz
# The spaCy pipeline (jieba tokenizer + text classifier) used by chanyan.extraction; rebuilt when its inputs change.
SPACY_MODEL  := models/spacy/.built
SPACY_INPUTS := training/spacy/config.cfg training/spacy/examples.jsonl training/spacy/validation.jsonl \
                training/spacy/fresh.jsonl training/spacy/formal.jsonl training/spacy/functions.py \
                tests/extraction/data/devset.jsonl scripts/train_spacy.py \
                $(wildcard chanyan/taxonomy/*.yml chanyan/taxonomy/*.txt)
BOT_INPUTS  := $(shell find bot/config.yml bot/domain bot/data bot/components -type f \( -name '*.yml' -o -name '*.py' -o -name '*.txt' \) 2>/dev/null)

# Runtime defaults (every one can be overridden from the environment; see .env.example). The secrets below are
# published development defaults: the processes refuse them unless CHANYAN_ENV=development.
export CHANYAN_ENV       ?= development
export CHANYAN_VAR_DIR   ?= $(CURDIR)/var
export DATABASE_URL      ?= sqlite:///$(CHANYAN_VAR_DIR)/chanyan.db
export TRACKER_DB_URL    ?= $(DATABASE_URL)
export RASA_HOST         ?= 127.0.0.1
export RASA_PORT         ?= 5005
export ACTION_HOST       ?= 127.0.0.1
export ACTION_PORT       ?= 5055
export ACTION_ENDPOINT_URL ?= http://127.0.0.1:$(ACTION_PORT)/webhook
export RASA_TOKEN        ?= change-me-rasa-token
export ACTION_SERVER_TOKEN ?= dev-action-server-token
# WeChat Official Account channel (docs/wechat.md). Development defaults: plaintext mode, no Redis.
export WECHAT_TOKEN      ?= dev-wechat-token
export WECHAT_APPID      ?= wx0000000000000000
export WECHAT_SECRET     ?= dev-wechat-secret
export WECHAT_AES_KEY    ?=
export WECHAT_MODE       ?= plaintext
export WECHAT_API_BASE   ?= https://api.weixin.qq.com
export WECHAT_REPLY_TIMEOUT ?= 4.5
export REDIS_URL         ?=
export CONSOLE_PORT      ?= 8080
# TensorFlow and old libraries are loud on start-up; keep the output for what matters.
export TF_CPP_MIN_LOG_LEVEL ?= 2
export PYTHONWARNINGS    ?= ignore::DeprecationWarning,ignore::PendingDeprecationWarning
export SQLALCHEMY_SILENCE_UBER_WARNING ?= 1
export RASA_TELEMETRY_ENABLED ?= false

.PHONY: help install train run test test-unit test-bot test-e2e lint format eval eval-dialogue eval-match bench bench-match db clean spacy-model

help:  ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(VENV)/.installed: pyproject.toml constraints.txt
	@test -x $(PY) || $$(scripts/find-python.sh) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade 'pip<25' 'setuptools<71' wheel
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	@# pip has once left a newer release of a pinned package behind (packaging 26 under Rasa's <21): check the
	@# installed set against the pins and install once more when it does not hold.
	@$(PY) -m pip check >/dev/null 2>&1 || $(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	$(PY) -m pip check
	@touch $@

install: $(VENV)/.installed  ## create .venv with Python 3.10 and install everything

$(RASA_MODEL): $(VENV)/.installed $(BOT_INPUTS) $(SPACY_MODEL)
	@mkdir -p $(MODEL_DIR)
	cd bot && $(abspath $(RASA)) train --config config.yml --domain domain --data data \
	    --out ../$(MODEL_DIR) --fixed-model-name chanyan --quiet
	@touch $@

train: $(RASA_MODEL)  ## train the Rasa model (only when bot data, config or domain changed)

$(SPACY_MODEL): $(VENV)/.installed $(SPACY_INPUTS)
	$(PY) scripts/train_spacy.py
	@touch $@

spacy-model: $(SPACY_MODEL)  ## train the spaCy extraction pipeline (only when its data, config or taxonomy changed)

eval: $(SPACY_MODEL)  ## extraction figures: chat-style dev set (held-out) and published-register file, latency
	$(PY) scripts/eval_extraction.py
	$(PY) scripts/bench_extraction.py

eval-dialogue: train  ## play tests/dialogues against the real bot: fields right, talk, turns (DIALOGUE_ARGS="--split heldout")
	$(PY) scripts/eval_dialogue.py $(DIALOGUE_ARGS)

eval-match: $(SPACY_MODEL)  ## matching on the dev set: hit@1/5/10, MRR, nDCG@10 vs a plain BM25 (held-out: totals)
	$(PY) scripts/eval_match.py

bench-match: $(SPACY_MODEL)  ## registry of 100,000 generated entries: import, index build, match p50/p99, RSS (one core)
	$(PY) scripts/bench_match.py $(BENCH_MATCH_ARGS)

bench: train  ## load benchmark (PostgreSQL + Redis): N=10,50,100 intakes over REST vs a plain `rasa init` bot, then the 1% hostile mix at N=50
	$(PY) scripts/bench.py $(BENCH_ARGS)

db: $(VENV)/.installed  ## create or upgrade the database schema (Alembic)
	@mkdir -p -m 0700 $(CHANYAN_VAR_DIR)
	$(BIN)/chanyan db upgrade

run:  ## set up, train if needed, upgrade the database, build the widget, start every process (Ctrl-C stops all)
	@scripts/run.sh

WIDGET_DIR := connectors/webchat
.PHONY: widget
WIDGET_JS  := $(WIDGET_DIR)/dist/widget.js

$(WIDGET_DIR)/node_modules/.installed: $(WIDGET_DIR)/package.json $(wildcard $(WIDGET_DIR)/package-lock.json)
	cd $(WIDGET_DIR) && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	@touch $@

$(WIDGET_JS): $(WIDGET_DIR)/node_modules/.installed $(WIDGET_DIR)/build.mjs $(wildcard $(WIDGET_DIR)/src/*)
	cd $(WIDGET_DIR) && node build.mjs --size

widget: $(WIDGET_JS)  ## build the web chat widget (connectors/webchat/dist/widget.js, needs node + npm)

AXE_DIR := tests/axe
$(AXE_DIR)/node_modules/.installed: $(AXE_DIR)/package.json $(wildcard $(AXE_DIR)/package-lock.json)
	cd $(AXE_DIR) && if [ -f package-lock.json ]; then npm ci --no-audit --no-fund; else npm install --no-audit --no-fund; fi
	@touch $@

test-unit: install $(SPACY_MODEL) $(AXE_DIR)/node_modules/.installed  ## fast tests (seconds): core, store, CLI, actions
	$(BIN)/pytest -m "not e2e" -q -rs

test-bot: train  ## Rasa data validation and test stories
	cd bot && $(abspath $(RASA)) data validate --config config.yml --domain domain --data data --fail-on-warnings
	cd bot && $(abspath $(RASA)) test core --model ../$(RASA_MODEL) --stories tests --fail-on-prediction-errors --out ../results

test-e2e: train widget  ## end-to-end: action server + Rasa on free ports, whole conversations over REST
	$(BIN)/pytest -m e2e -q -rs

test: install train  ## the whole suite: unit, Rasa data and stories, end-to-end
	$(MAKE) --no-print-directory test-unit test-bot test-e2e

lint: install  ## ruff
	$(BIN)/ruff check chanyan connectors bot tests scripts
	$(BIN)/ruff format --check chanyan connectors bot tests scripts
	$(BIN)/lint-imports

format: install  ## ruff format and ruff's fixes
	$(BIN)/ruff format chanyan connectors bot tests scripts
	$(BIN)/ruff check --fix chanyan connectors bot tests scripts

clean:  ## remove trained models and local data (keeps .venv)
	rm -rf models var results
