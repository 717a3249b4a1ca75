# Everything Is a Token: build the book and run every test.
#   make book    install into .venv, fetch the site's JavaScript, run every notebook (two at a time), build the site
#   make test    install into .venv, then unit + property tests, the book build and browser tests
#   make serve   serve the built site on http://127.0.0.1:8000
#   make bench   ratio benchmarks against peers (see benchmarks/README.md)
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
# Corpora for offline builds and tests; readers without it download them (see README).
export TOKENLAB_DATA ?= $(abspath ../shared/corpora)
# Pretrained files (tokenizers, weights) likewise; readers download them (see tokenlab.models).
export TOKENLAB_MODELS ?= $(abspath ../shared/models)

.PHONY: install vendor book test serve bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt requirements-test.txt pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

install: $(VENV)/.installed

vendor: install
	$(BIN)/python tools/fetch_static.py

book: vendor
	@start=$$(date +%s); $(BIN)/python tools/build_book.py; status=$$?; \
	  echo "book build: $$(( $$(date +%s) - start )) s in all, exit code $$status"; exit $$status

test: vendor
	$(BIN)/python -m pytest

bench: install
	$(BIN)/python benchmarks/bench_topk.py
	$(BIN)/python benchmarks/bench_tfidf.py
	$(BIN)/python benchmarks/bench_attention.py
	$(BIN)/python benchmarks/bench_generate.py
	$(BIN)/python benchmarks/bench_bpe.py

lint: install
	$(BIN)/ruff check lib tests tools benchmarks

serve:
	$(BIN)/python -m http.server --bind 127.0.0.1 --directory _build/html 8000

clean:
	rm -rf _build static/vendor
