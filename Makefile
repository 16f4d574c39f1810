# The two commands: `make map` builds the default map, `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= maps/northern_picture.html
APT    := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)
# The page's npm libraries (milsymbol, pinned in package-lock.json), inlined at build time;
# node_modules/ is never committed.
NODE_DEPS := node_modules/.package-lock.json

.PHONY: map test system-deps bench lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,bench,dev]'
	touch $@

$(NODE_DEPS): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "installing Debian packages: nodejs npm"; \
	  $(APT) update -q && DEBIAN_FRONTEND=noninteractive $(APT) install -y -q nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

map: $(VENV)/.installed $(NODE_DEPS)
	$(BIN)/northpic build --out $(OUT)

# System packages the tests need that PyPI cannot give: a browser, GDAL's command-line tools
# and QGIS (the export tests open the styled GeoPackage in it; about 200 MB, 1-2 min).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v ogrinfo >/dev/null 2>&1 || missing="$$missing gdal-bin"; \
	/usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1 || missing="$$missing qgis python3-qgis"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(APT) update -q && DEBIAN_FRONTEND=noninteractive $(APT) install -y -q $$missing; \
	fi

test: $(VENV)/.installed-test $(NODE_DEPS) system-deps
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test $(NODE_DEPS) system-deps
	$(BIN)/python benchmarks/run_all.py

# ruff, and mypy exactly as pyproject.toml configures it: any error fails (no tolerated baseline).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) node_modules maps/*.html maps/*.png
