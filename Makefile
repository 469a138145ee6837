# The ML Engineer's Handbook: one entry point for authors, contributors and CI.
# `make` (or `make help`) lists the targets.  Every target that needs Python
# bootstraps .venv from the pinned lock file (uv.lock) on first use.

.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON      ?= python3
VENV        := .venv
BIN         := $(VENV)/bin
# Pinned installs come from uv.lock, written by uv: it understands PEP 735
# dependency groups (test, dev, bench) natively, locks every platform in one
# file with hashes, and installs in seconds.  pip-tools would need one
# requirements file per group.  Keep UV_VERSION in step with the `uv` pin in
# uv.lock (a test checks they agree).
UV_VERSION  := 0.13.9
STAMP       := $(VENV)/.synced
SOURCEDIR   := docs
BUILDDIR    := docs/_build

# The one strict build command.  The tests (tools/handbook/build.py) and CI
# run exactly these flags; change them there and here together.
#   -n             nitpicky: warn about every reference whose target is missing
#   -W             turn every warning into an error
#   --keep-going   with -W: report every warning before failing, not just the first
#   -q             quiet: print only warnings and errors
#   -d DIR         keep doctrees out of the HTML output (the link checker reads them)
SPHINXOPTS  ?=
SPHINXBUILD := $(BIN)/sphinx-build -nW --keep-going -q $(SPHINXOPTS)

.PHONY: help venv bench browser html live epub test lint schemas format linkcheck clean lock

help: ## Show this help
	@echo "The ML Engineer's Handbook — make targets:"
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | \
	  awk 'BEGIN {FS = ":.*## "}; {printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml uv.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --locked --quiet  # default groups: test, dev
	@touch $@

venv: $(STAMP) ## Create or update .venv from uv.lock

# Browser-side test tools (axe-core) from package-lock.json.
NODE_STAMP  := node_modules/.installed
$(NODE_STAMP): package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	@touch $@

# The browser tests use Debian's Chromium (/usr/bin/chromium) where it exists;
# otherwise Playwright's own, downloaded here where the network allows.  With
# neither, the browser tests fail and say how to get one.
browser: $(STAMP)
	@if [ ! -x /usr/bin/chromium ] && ! command -v chromium >/dev/null; then \
	  $(BIN)/playwright install chromium || echo "No browser: the browser tests will fail (see README)."; \
	fi

# The languages `make html` builds: English at docs/_build/html/, Japanese at
# docs/_build/html/ja/.  `make html LANGS=en` builds English only.
LANGS       ?= en ja

html: $(STAMP) ## Build the site, every language, into docs/_build/html (strict; LANGS=en for English only)
	$(BIN)/handbook build --languages $(LANGS) -- $(SPHINXOPTS)
	@echo "Open $(BUILDDIR)/html/index.html"

live: $(STAMP) ## Rebuild and reload in the browser as you edit (sphinx-autobuild)
	$(BIN)/sphinx-autobuild -nW --keep-going -d $(BUILDDIR)/doctrees $(SOURCEDIR) $(BUILDDIR)/html \
	  --watch references.bib --watch tools/handbook

# EPUBCheck validates the book where it is installed (Debian: apt-get install epubcheck).
EPUBCHECK   ?= /usr/share/java/epubcheck.jar

epub: $(STAMP) ## Build an EPUB for offline reading into docs/_build/epub
	$(SPHINXBUILD) -b epub -d $(BUILDDIR)/doctrees-epub $(SOURCEDIR) $(BUILDDIR)/epub
	@if command -v java >/dev/null && [ -f "$(EPUBCHECK)" ]; then \
	  java -jar "$(EPUBCHECK)" --quiet $(BUILDDIR)/epub/*.epub && echo "EPUBCheck: no errors or warnings"; \
	else \
	  echo "EPUBCheck is not installed; not validated (Debian: apt-get install epubcheck)"; \
	fi
	@echo "Open $$(ls $(BUILDDIR)/epub/*.epub)"

test: $(STAMP) $(NODE_STAMP) browser ## Run the test suite (needs Chromium; see README)
	$(BIN)/pytest

lint: $(STAMP) ## Run the linters (the same ones pre-commit runs)
	$(BIN)/ruff check tools tests benchmarks
	$(BIN)/ruff format --check tools tests benchmarks
	$(BIN)/codespell
	$(BIN)/mypy
	$(BIN)/handbook check-pages
	$(BIN)/handbook check-data
	$(BIN)/handbook bib check references.bib
	$(BIN)/handbook bib format --check references.bib

# The repository's metadata against the schemas check-jsonschema ships (offline):
# CITATION.cff, every workflow, every issue form and .readthedocs.yaml.  It is
# installed alone, in uv's own tool environment, not in .venv: older validators
# pin versions of jsonschema and friends that conflict with the project's.
CHECK_JSONSCHEMA := $(BIN)/uv tool run --quiet --from "check-jsonschema==0.39.0" check-jsonschema
ISSUE_FORMS  = $(filter-out .github/ISSUE_TEMPLATE/config.yml,$(wildcard .github/ISSUE_TEMPLATE/*.yml))

schemas: $(STAMP) ## Validate CITATION.cff, the workflows, issue forms and .readthedocs.yaml
	$(CHECK_JSONSCHEMA) --builtin-schema vendor.citation-file-format CITATION.cff
	$(CHECK_JSONSCHEMA) --builtin-schema vendor.github-workflows .github/workflows/*.yml
	$(CHECK_JSONSCHEMA) --builtin-schema vendor.github-issue-forms $(ISSUE_FORMS)
	$(CHECK_JSONSCHEMA) --builtin-schema vendor.github-issue-config .github/ISSUE_TEMPLATE/config.yml
	$(CHECK_JSONSCHEMA) --builtin-schema vendor.readthedocs .readthedocs.yaml

format: $(STAMP) ## Apply the formatters (ruff, bib format)
	$(BIN)/ruff format tools tests benchmarks
	$(BIN)/ruff check --fix tools tests benchmarks
	$(BIN)/handbook bib format --write references.bib

linkcheck: $(STAMP) ## Check every external link and identifier (needs network)
	$(BIN)/handbook linkcheck

bench: $(STAMP) ## Add benchmark-only tools (lychee) to .venv; then run benchmarks/*.py
	UV_PROJECT_ENVIRONMENT=$(VENV) $(BIN)/uv sync --locked --inexact --group bench --quiet
	@echo "Run e.g. .venv/bin/python benchmarks/linkcheck.py"

lock: ## Refresh uv.lock after editing dependencies in pyproject.toml
	@test -x $(BIN)/uv || { $(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"; }
	$(BIN)/uv lock --upgrade

clean: ## Remove build output (keeps .venv; `rm -rf .venv` for a fresh start)
	rm -rf $(BUILDDIR) .cache/handbook-build
