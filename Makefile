# Two entry points for a fresh machine; each sets itself up (a local .venv) when needed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test install schema clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## demo: install, extract the bundled corpus and fixtures, print what was found
demo: $(STAMP)
	mkdir -p out
	$(BIN)/sqzl extract corpora/raw tests/fixtures/html tests/fixtures/pdf tests/fixtures/docx -o out/corpus.jsonl; \
	  status=$$?; [ $$status -le 1 ] || exit $$status
	$(BIN)/sqzl summary out/corpus.jsonl

## test: install, then run the whole test suite
test: $(STAMP)
	$(BIN)/python -m pytest sqzl_docs tests

schema: $(STAMP)
	$(BIN)/sqzl schema schemas

clean:
	rm -rf $(VENV) out build *.egg-info
