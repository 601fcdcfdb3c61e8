# Two commands do everything: `make demo` and `make test`. Both bootstrap .venv.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test check lint typecheck bench load fuzz clean sysdeps models models-venv encoders corpus passage-model

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,train,spark,plot,serve,serve-test]'
	touch $(STAMP)

# The demo needs the base install only (no Spark, Playwright, scikit-learn); `make test` adds
# the extras to the same .venv.
DEMO_STAMP := $(VENV)/.installed-base

$(DEMO_STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $(DEMO_STAMP)

demo: $(DEMO_STAMP)
	$(BIN)/forewarn scan examples/founding-story.txt

# Debian packages the tests drive for real: calibre (calibredb), a JDK for Spark and Chromium
# for the web page (Playwright drives /usr/bin/chromium; it never downloads a browser).
# Installed only when missing; apt-get update runs once; sudo only when not root.
sysdeps:
	@missing=""; \
	command -v calibredb >/dev/null 2>&1 || missing="$$missing calibre"; \
	command -v java >/dev/null 2>&1 || missing="$$missing default-jre-headless"; \
	test -x /usr/bin/chromium || missing="$$missing chromium"; \
	if [ -n "$$missing" ]; then \
	  sudo=""; [ "$$(id -u)" = 0 ] || sudo=sudo; \
	  echo "installing system packages:$$missing"; \
	  $$sudo apt-get update -qq && \
	  $$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

# web-ext, Mozilla's extension linter, for the browser extension's lint test: the exact versions
# pinned in extension/package-lock.json (the extension itself needs no build and no npm).
EXT_DEPS := extension/node_modules/.installed
$(EXT_DEPS): extension/package.json extension/package-lock.json
	cd extension && npm ci --no-audit --no-fund --loglevel=error
	touch $(EXT_DEPS)

test: $(STAMP) sysdeps $(EXT_DEPS)
	$(BIN)/ruff check src tests fuzz benchmarks models
	$(BIN)/ruff format --check src tests fuzz benchmarks models
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/pytest

# The fast loop while working: lint and every test but the slow, browser, Spark and Calibre ones
# (pyproject.toml registers the marks), in under a minute. `make test` still runs everything.
FAST := not slow and not browser and not spark and not calibre
check: $(STAMP)
	$(BIN)/ruff check src tests fuzz benchmarks models
	$(BIN)/pytest -q -m "$(FAST)"

lint: $(STAMP)
	$(BIN)/ruff check --fix src tests
	$(BIN)/ruff format src tests

typecheck: $(STAMP)
	$(BIN)/mypy

# Stage timings and peak RSS on ../shared/texts, written to docs/BENCHMARKS.md.
bench: $(STAMP)
	$(BIN)/python -m benchmarks.bench
	$(BIN)/python -m benchmarks.cascade

# A real `forewarn serve` under 500 requests (50 at a time), then overloaded: docs/BENCHMARKS.md.
load: $(STAMP)
	$(BIN)/python -m benchmarks.load

# Coverage-guided fuzzing of every reader and the scanner (fuzz/README.md): two at a time.
fuzz: $(STAMP)
	fuzz/campaign.sh "text html epub" "markdown ao3 scan" -max_total_time=$${FUZZ_SECONDS:-300}

# Rebuild the shipped encoder artifacts (src/forewarn/data/models, models/build.py) offline in
# their own venv. torch goes in first, alone, and constraints.txt keeps anything from replacing it.
MVENV := .venv-models
models-venv:
	test -x $(MVENV)/bin/python || $(PYTHON) -m venv $(MVENV)
	$(MVENV)/bin/python -m pip install --quiet --upgrade pip
	$(MVENV)/bin/python -m pip install --quiet torch==2.13.0
	$(MVENV)/bin/python -m pip install --quiet -c models/constraints.txt -r models/requirements.txt

models: models-venv
	$(MVENV)/bin/python models/build.py

# Research: would a bigger frozen encoder help? all-mpnet-base-v2 (from PyPI, never shipped)
# against the shipped MiniLM, on the same folds (docs/EVALUATION.md).
WEBIS ?= ../shared/data/webis-passages
encoders: models-venv $(STAMP)
	test -d build/encoders/all-mpnet-base-v2 || models/fetch_mpnet.sh build/encoders
	$(MVENV)/bin/python models/embed_passages.py $(WEBIS) build/encoders/all-mpnet-base-v2 \
	  build/encoders/mpnet.npz
	$(BIN)/forewarn eval webis $(WEBIS) -s passage-lr --embeddings mpnet=build/encoders/mpnet.npz \
	  --json docs/results/webis-encoders.json

clean:
	rm -rf $(VENV) build dist src/*.egg-info extension/node_modules

# The annotated corpus (training/corpus) from its raw passes, then the passage model trained on
# it (src/forewarn/data/models/passage.npz); `forewarn eval corpus` scores it on the test split.
corpus: $(STAMP)
	PYTHONPATH=training/corpus/tools $(BIN)/python training/corpus/tools/build.py

passage-model: corpus
	$(BIN)/python -m models.train_passage
