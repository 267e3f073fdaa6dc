# Developer commands for the sale_fulfillment Odoo addon (see README.md).
#
# Every target runs Odoo 18.0 with PYTHON. Given (PYTHON=... on the command line or
# in the environment), it is used as it is and never changed. Otherwise it is
# python3 when python3 imports Odoo 18.0, else the virtual environment .venv/ that
# tools/bootstrap.sh sets up (Odoo from ODOO_SOURCE, the official 18.0 source
# archive by default, created with VENV_PYTHON, default python3). Before the
# targets that need them, tools/bootstrap.sh also installs the missing system
# pieces (PostgreSQL and a role, wkhtmltopdf, fonts, Chromium), or says how. The
# standard PostgreSQL variables (PGHOST, PGPORT, PGUSER, PGPASSWORD) are honoured;
# with none set the local socket is used as the current user.

VENV := .venv
ifeq ($(origin PYTHON),undefined)
  ifeq ($(shell python3 -c "import odoo.release as r; print(r.series)" 2>/dev/null),18.0)
    PYTHON := python3
  else
    PYTHON := $(CURDIR)/$(VENV)/bin/python
    BOOTSTRAP_VENV := $(VENV)
  endif
endif
# The system pieces tools/bootstrap.sh sees to: test (PostgreSQL, wkhtmltopdf,
# fonts, Chromium, poppler-utils), run (the same without Chromium and poppler),
# db (PostgreSQL only) or none.
BOOTSTRAP_SYSTEM ?= $(if $(filter test compat,$(MAKECMDGOALS)),test,$(if $(filter run bootstrap,$(MAKECMDGOALS)),run,$(if $(filter i18n bench test-bootstrap,$(MAKECMDGOALS)),db,none)))
DEMO_DB ?= sale_fulfillment_demo
TEST_DB ?= sale_fulfillment_test
I18N_DB ?= sale_fulfillment_i18n
BENCH_DB ?= sale_fulfillment_bench
COMPAT_DB ?= sale_fulfillment_compat
BOOTSTRAP_DB ?= sale_fulfillment_bootstrap
# Odoo's suites `make compat` runs (all of them by default; CI runs a part).
COMPAT_SUITES ?= sale sale_management sale_stock sale_mrp stock stock_account stock_delivery stock_picking_batch mrp
HTTP_PORT ?= 8069
# More addons directories for Odoo, comma-separated (optional).
ADDONS_PATH ?=

MODULE := sale_fulfillment
BUILD := build
LINK_DIR := $(BUILD)/addons
RESULTS := $(BUILD)/test-results
TEST_DATA_DIR := $(BUILD)/test-data
comma := ,

# Odoo's addons directories, asked once from the Odoo that PYTHON imports (after
# the bootstrap): the one holding Odoo's apps (odoo/addons in a source archive,
# addons/ beside odoo/ in a git checkout), then odoo/addons (base).
ODOO_DIRS = $(eval ODOO_DIRS := $(shell $(PYTHON) -c "import os, odoo; d = os.path.dirname(odoo.__file__); a = os.path.join(d, 'addons'); print(a if os.path.isdir(os.path.join(a, 'sale')) else os.path.join(os.path.dirname(d), 'addons'), a)" 2>/dev/null))$(ODOO_DIRS)
ODOO_ADDONS = $(word 1,$(ODOO_DIRS))
ODOO_BASE_ADDONS = $(filter-out $(ODOO_ADDONS),$(word 2,$(ODOO_DIRS)))
ODOO_ADDONS_PATH = $(abspath $(LINK_DIR))$(if $(ADDONS_PATH),$(comma)$(ADDONS_PATH)),$(ODOO_ADDONS)$(if $(ODOO_BASE_ADDONS),$(comma)$(ODOO_BASE_ADDONS))
ODOO = $(PYTHON) -m odoo --addons-path=$(ODOO_ADDONS_PATH)

.PHONY: help run test compat lint i18n bench bootstrap check-odoo test-deps addons-link addons-path test-bootstrap clean

help:
	@echo "make run   - create or update the demo database '$(DEMO_DB)' and serve it on http://localhost:$(HTTP_PORT)"
	@echo "make test  - lint, then run the whole suite in a throwaway database (JUnit XML in $(RESULTS)/)"
	@echo "make compat - Odoo's own suites of the modules we extend, with and without the addon; fails on any test that fails only with it"
	@echo "make lint  - ruff (format check and lint) and pylint-odoo"
	@echo "make i18n  - export i18n/$(MODULE).pot from a real database and merge it into the .po files"
	@echo "make bench - run the bench/ scripts on a scratch database (ratios against Odoo's own paths)"
	@echo "make bootstrap - set up what make run needs (Odoo in $(VENV)/ when python3 has none, system packages) without running"
	@echo "make test-bootstrap - bootstrap a copy of the repository into a new venv and install the addon with it"
	@echo "Odoo runs with $(PYTHON)"

# Odoo in $(VENV)/ when PYTHON was not given and python3 has no Odoo 18.0, and the
# system pieces of BOOTSTRAP_SYSTEM; quiet and quick when all is there.
bootstrap:
	@tools/bootstrap.sh --system=$(BOOTSTRAP_SYSTEM)$(if $(BOOTSTRAP_VENV), --venv=$(BOOTSTRAP_VENV))

check-odoo: bootstrap
	@$(PYTHON) -c "import sys, odoo.release as r; sys.exit(r.series != '18.0')" 2>/dev/null || { \
	  echo "ERROR: '$(PYTHON)' cannot import Odoo 18.0." >&2; \
	  if [ -n "$(BOOTSTRAP_VENV)" ]; then \
	    echo "Remove $(VENV)/ and run make again: tools/bootstrap.sh sets it up anew." >&2; \
	  else \
	    echo "PYTHON is used as it is: set it to a Python that imports Odoo 18.0, or leave" >&2; \
	    echo "it unset to let make set up Odoo in $(VENV)/ (README.md, The two commands)." >&2; \
	  fi; \
	  exit 1; }

# Odoo finds modules by directory name: $(LINK_DIR)/$(MODULE) is a directory of
# links to the repository's entries. Not a link to the root itself: Odoo walks a
# module following links, and build/ inside it would loop.
addons-link:
	@rm -rf $(LINK_DIR)/$(MODULE) && mkdir -p $(LINK_DIR)/$(MODULE)
	@for entry in $(filter-out $(BUILD),$(wildcard *)) .pylintrc; do \
	  ln -s ../../../$$entry $(LINK_DIR)/$(MODULE)/$$entry; \
	done

# The addons path Odoo runs with (for running Odoo or pytest by hand).
addons-path: check-odoo addons-link
	@echo $(ODOO_ADDONS_PATH)

test-deps: check-odoo
	@PIP_BREAK_SYSTEM_PACKAGES=1 $(PYTHON) -m pip install --quiet --disable-pip-version-check --root-user-action=ignore -r requirements-test.txt

# Odoo's own reports need wkhtmltopdf with patched Qt; Debian's and Ubuntu's
# packages are not: say so before serving (this addon's reports print anyway).
run: check-odoo addons-link
	@if command -v wkhtmltopdf >/dev/null 2>&1 && ! wkhtmltopdf --version 2>/dev/null | grep -qi "patched qt"; then \
	  echo "WARNING: $$(wkhtmltopdf --version 2>/dev/null | head -n 1) is built without patched Qt." >&2; \
	  echo "  Odoo's own reports then print no header or footer and fail for several records at once." >&2; \
	  echo "  Install a build from https://github.com/wkhtmltopdf/packaging/releases (README.md, Prerequisites)." >&2; \
	fi
	@if psql -d $(DEMO_DB) -tAc "SELECT 1 FROM ir_module_module WHERE name = '$(MODULE)' AND state = 'installed'" 2>/dev/null | grep -q 1; then \
	  echo "Updating $(MODULE) in $(DEMO_DB)..."; \
	  $(ODOO) -d $(DEMO_DB) -u $(MODULE) --stop-after-init --log-level=warn; \
	else \
	  echo "Creating $(DEMO_DB) with demo data (this takes a minute)..."; \
	  $(ODOO) -d $(DEMO_DB) -i $(MODULE) --load-language=zh_CN,zh_TW --stop-after-init --log-level=warn; \
	fi
	@echo ""
	@echo "Odoo is starting on http://localhost:$(HTTP_PORT)  (login: admin, password: admin)"
	@echo "Stop it with Ctrl+C."
	@$(ODOO) -d $(DEMO_DB) --db-filter='^$(DEMO_DB)$$' --http-port=$(HTTP_PORT)

# pylint-odoo needs the directory named after the module, and does not follow the
# links of $(LINK_DIR) into sub-packages: it reads the repository through one link
# to its root ($(LINT_DIR)/$(MODULE)), where .pylintrc ignores build/.
LINT_DIR := $(BUILD)/lint

lint: test-deps
	$(PYTHON) -m ruff format --check .
	$(PYTHON) -m ruff check .
	@mkdir -p $(LINT_DIR) && ln -sfn ../.. $(LINT_DIR)/$(MODULE)
	cd $(LINT_DIR) && $(PYTHON) -m pylint --rcfile=$(abspath .pylintrc) $(MODULE)

# Install the addon (with demo data) in a fresh database, refuse any warning in
# the install log, run the whole suite with pytest-odoo (browser tours included)
# and drop the database whatever happens. pytest-odoo imports Odoo's test
# framework before it enables test mode, which Odoo reports as an error: the
# log handler silences that one false alarm.
test: lint addons-link
	@rm -rf $(RESULTS) $(TEST_DATA_DIR) && mkdir -p $(RESULTS)
	@set -e; \
	cleanup() { dropdb --if-exists $(TEST_DB) >/dev/null 2>&1; \
	  dropdb --if-exists $(TEST_DB)_install >/dev/null 2>&1; rm -rf $(TEST_DATA_DIR); }; \
	trap cleanup EXIT; trap 'exit 130' INT TERM; \
	dropdb --if-exists $(TEST_DB) >/dev/null; \
	echo "Installing $(MODULE) into $(TEST_DB)..."; \
	$(ODOO) -d $(TEST_DB) -i $(MODULE) --data-dir=$(TEST_DATA_DIR) --stop-after-init \
	  --log-level=info --logfile=$(RESULTS)/install.log; \
	if grep -E "^[0-9-]+ [0-9:,]+ [0-9]+ (WARNING|ERROR|CRITICAL) " $(RESULTS)/install.log; then \
	  echo "ERROR: the install log above has warnings or errors ($(RESULTS)/install.log)." >&2; \
	  exit 1; \
	fi; \
	PYTHONPATH=$(abspath tools)$${PYTHONPATH:+:$$PYTHONPATH} \
	  $(PYTHON) -m pytest -p pytest_fail_on_skip $(LINK_DIR)/$(MODULE)/tests \
	  $(LINK_DIR)/$(MODULE)/planning/tests \
	  --odoo-database=$(TEST_DB) \
	  --odoo-addons-path=$(ODOO_ADDONS_PATH) \
	  --odoo-extra=data-dir=$(TEST_DATA_DIR) \
	  --odoo-log-level=warn \
	  --odoo-extra=log-handler=odoo.tests.common:CRITICAL \
	  --odoo-http \
	  --junitxml=$(RESULTS)/pytest.xml

# Odoo's own suites of the modules the addon extends, against a database with the
# addon and one with only its dependencies (tools/compat.py): fails on any test
# that fails only with the addon. COMPAT_SUITES chooses the suites.
compat: test-deps addons-link
	$(PYTHON) tools/compat.py --module=$(MODULE) --module-path=. \
	  --odoo-addons=$(ODOO_ADDONS) --addons-path=$(ODOO_ADDONS_PATH) \
	  --suites="$(COMPAT_SUITES)" --db-prefix=$(COMPAT_DB) --results=$(BUILD)/compat-results \
	  --python=$(PYTHON)

# tools/bootstrap.sh set up in a copy of the repository as on a new machine: a new
# venv with Odoo's requirements from the package index and Odoo from the source
# PYTHON imports, the addon installed with it, a second run a no-op
# (tools/test_bootstrap.sh; results in $(BUILD)/bootstrap-results/).
test-bootstrap: check-odoo
	tools/test_bootstrap.sh --python=$(PYTHON) --db=$(BOOTSTRAP_DB) --results=$(BUILD)/bootstrap-results

i18n: check-odoo addons-link
	@set -e; \
	trap 'dropdb --if-exists $(I18N_DB) >/dev/null 2>&1' EXIT; trap 'exit 130' INT TERM; \
	dropdb --if-exists $(I18N_DB) >/dev/null 2>&1; \
	$(ODOO) -d $(I18N_DB) -i $(MODULE) --stop-after-init --log-level=warn; \
	$(ODOO) -d $(I18N_DB) --modules=$(MODULE) --i18n-export=i18n/$(MODULE).pot \
	  --stop-after-init --log-level=warn; \
	$(PYTHON) tools/i18n_merge.py i18n/$(MODULE).pot i18n/zh_CN.po i18n/zh_TW.po

bench: check-odoo addons-link
	@set -e; \
	trap 'dropdb --if-exists $(BENCH_DB) >/dev/null 2>&1' EXIT; trap 'exit 130' INT TERM; \
	dropdb --if-exists $(BENCH_DB) >/dev/null 2>&1; \
	$(ODOO) -d $(BENCH_DB) -i $(MODULE) --without-demo=all --stop-after-init --log-level=warn; \
	$(PYTHON) bench/review.py -d $(BENCH_DB) --addons-path=$(ODOO_ADDONS_PATH); \
	$(PYTHON) bench/allocation.py -d $(BENCH_DB) --addons-path=$(ODOO_ADDONS_PATH); \
	$(PYTHON) bench/intake.py -d $(BENCH_DB) --addons-path=$(ODOO_ADDONS_PATH); \
	$(PYTHON) bench/split.py -d $(BENCH_DB) --addons-path=$(ODOO_ADDONS_PATH); \
	$(PYTHON) bench/aftersales.py -d $(BENCH_DB) --addons-path=$(ODOO_ADDONS_PATH); \
	$(PYTHON) bench/scheduling.py -d $(BENCH_DB) --addons-path=$(ODOO_ADDONS_PATH); \
	$(PYTHON) bench/scan.py -d $(BENCH_DB) --addons-path=$(ODOO_ADDONS_PATH); \
	$(PYTHON) bench/kpis.py -d $(BENCH_DB) --addons-path=$(ODOO_ADDONS_PATH); \
	$(PYTHON) bench/numbering.py -d $(BENCH_DB) --addons-path=$(ODOO_ADDONS_PATH)

clean:
	rm -rf $(BUILD)
