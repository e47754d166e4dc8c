# Two entry points for a fresh machine; each sets itself up (a local .venv) when needed.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

OUT ?= out
# Test workers: one per core (pytest-xdist); JOBS=0 runs the suite in this one process.
JOBS ?= auto

.PHONY: demo test test-fast install schema clean browser

# setup.py and the C matcher too: an editable install does not rebuild a changed extension by itself
$(STAMP): pyproject.toml setup.py sqzl_docs/extract/_rmm.c
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## demo: install, extract the bundled corpus and fixtures, print what was found
demo: $(STAMP)
	mkdir -p $(OUT)
	$(BIN)/sqzl extract corpora/raw tests/fixtures/html tests/fixtures/pdf tests/fixtures/docx -o $(OUT)/corpus.jsonl; \
	  status=$$?; [ $$status -le 1 ] || exit $$status
	$(BIN)/sqzl summary $(OUT)/corpus.jsonl
	rm -f $(OUT)/tracker.db $(OUT)/tracker.db-wal $(OUT)/tracker.db-shm
	$(BIN)/sqzl track add $(OUT)/tracker.db corpora/raw -q
	$(BIN)/sqzl track link $(OUT)/tracker.db --as-of 2023-12-28
	$(BIN)/sqzl track report $(OUT)/tracker.db --status fulfilled
	$(BIN)/sqzl track report $(OUT)/tracker.db --status partially_fulfilled
	$(BIN)/sqzl track report $(OUT)/tracker.db --status overdue
	@echo "Browse it: .venv/bin/sqzl track serve $(OUT)/tracker.db"

## test: install, then run the whole test suite
test: $(STAMP) browser
	$(BIN)/python -m pytest -n $(JOBS) sqzl_docs tests

## test-fast: the suite without the tests marked slow (a minute or two)
test-fast: $(STAMP)
	$(BIN)/python -m pytest -n $(JOBS) -m "not slow" sqzl_docs tests

# The reviewer-UI test drives Debian's headless Chromium, with CJK fonts (fonts-noto-cjk) so that its
# screenshots show Chinese, not boxes; install both when we may (root with apt).
browser:
	@{ command -v chromium >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -q . ; } \
	  || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1 \
	  && (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) ; } \
	  || echo "chromium or fonts-noto-cjk is not installed: the browser test is skipped, or its screenshots show boxes"

schema: $(STAMP)
	$(BIN)/sqzl schema schemas

clean:
	rm -rf $(VENV) out build *.egg-info
