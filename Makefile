# The two commands: `make map` builds the default map, `make test` runs the suite.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
OUT    ?= maps/northern_picture.html
APT    := $(shell [ "$$(id -u)" = 0 ] && echo apt-get || echo sudo apt-get)

.PHONY: map test system-deps bench lint clean js

# The page's third-party scripts come from the npm registry (package.json, pinned by
# package-lock.json) into node_modules/, which git ignores; the build inlines them.
# geographiclib-mgrs ships ES modules only: rollup (its own build tool) makes one script of it.
NODE_MODULES := node_modules
JS_BUNDLES   := $(NODE_MODULES)/.northpic/geographiclib-mgrs.js

$(NODE_MODULES)/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "installing Debian packages: nodejs npm"; \
	  $(APT) update -q && DEBIAN_FRONTEND=noninteractive $(APT) install -y -q nodejs npm; }
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(NODE_MODULES)/.northpic/geographiclib-mgrs.js: $(NODE_MODULES)/.installed
	mkdir -p $(@D)
	$(NODE_MODULES)/.bin/rollup $(NODE_MODULES)/geographiclib-mgrs/index.mjs --silent \
	  --format iife --name GeographicLibMGRS --file $@

js: $(JS_BUNDLES)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test,bench,dev]'
	touch $@

map: $(VENV)/.installed js
	$(BIN)/northpic build --out $(OUT)

# System packages the tests need that PyPI cannot give: a browser, GDAL's command-line tools
# and QGIS (the export tests open the styled GeoPackage in it; about 200 MB, 1-2 min).
system-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v ogrinfo >/dev/null 2>&1 || missing="$$missing gdal-bin"; \
	/usr/bin/python3 -c "import qgis.core" >/dev/null 2>&1 || missing="$$missing qgis python3-qgis"; \
	ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing="$$missing postgresql"; \
	ls /usr/share/postgresql/*/extension/postgis.control >/dev/null 2>&1 || \
	  missing="$$missing postgis postgresql-postgis"; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(APT) update -q && DEBIAN_FRONTEND=noninteractive $(APT) install -y -q $$missing; \
	fi

test: $(VENV)/.installed-test system-deps js
	$(BIN)/python -m pytest

bench: $(VENV)/.installed-test system-deps js
	$(BIN)/python benchmarks/run_all.py

# ruff, and mypy exactly as pyproject.toml configures it: any error fails (no tolerated baseline).
lint: $(VENV)/.installed-test
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/mypy src

clean:
	rm -rf $(VENV) $(NODE_MODULES) maps/*.html maps/*.png
