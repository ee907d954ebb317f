# The two commands of the README: `make run` (index the bundled corpus and serve it) and `make test`.
# Browser tests need Debian's chromium, the OCR of scanned PDFs Tesseract with its French data
# (`apt-get install chromium tesseract-ocr tesseract-ocr-fra`; .ci/run installs them).
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
export HF_HUB_OFFLINE := 1

.PHONY: setup run ingest test bench eval clean

$(BIN)/catalyse: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	# the CPU build of torch lies on this machine's disk; an unpinned torch would pull a CUDA build
	$(BIN)/pip install --quiet torch==2.13.0
	$(BIN)/pip install --quiet -e '.[test]'
	# the model converted and the questions' graph exported now, not by the first `make run` (~20 s)
	$(BIN)/catalyse prepare
	touch $(BIN)/catalyse

setup: $(BIN)/catalyse

ingest: setup
	$(BIN)/catalyse ingest

run: setup
	$(BIN)/catalyse serve --host 127.0.0.1 --port 8000

test: setup
	$(BIN)/python -m pytest -q

eval: ingest
	$(BIN)/catalyse eval ../shared/eval/dev-queries.jsonl

bench: setup
	$(BIN)/python bench/ingest_throughput.py

clean:
	rm -rf $(VENV) data
