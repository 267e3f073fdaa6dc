# Developer commands for the sale_fulfillment Odoo addon (see README.md).
#
# Every target honours PYTHON (the interpreter that imports Odoo 18.0) and the
# standard PostgreSQL variables (PGHOST, PGPORT, PGUSER, PGPASSWORD); with none set
# they use the local socket as the current user. They never install Odoo.

PYTHON ?= python3
DEMO_DB ?= sale_fulfillment_demo
TEST_DB ?= sale_fulfillment_test
I18N_DB ?= sale_fulfillment_i18n
BENCH_DB ?= sale_fulfillment_bench
COMPAT_DB ?= sale_fulfillment_compat
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

# Odoo's own addons directory, asked from the Odoo that PYTHON imports.
ODOO_ADDONS = $(shell $(PYTHON) -c "import os, odoo; print(os.path.join(os.path.dirname(odoo.__file__), 'addons'))" 2>/dev/null)
ODOO_ADDONS_PATH = $(abspath $(LINK_DIR))$(if $(ADDONS_PATH),$(comma)$(ADDONS_PATH)),$(ODOO_ADDONS)
ODOO = $(PYTHON) -m odoo --addons-path=$(ODOO_ADDONS_PATH)

.PHONY: help run test compat lint i18n bench check-odoo test-deps addons-link clean

help:
	@echo "make run   - create or update the demo database '$(DEMO_DB)' and serve it on http://localhost:$(HTTP_PORT)"
	@echo "make test  - lint, then run the whole suite in a throwaway database (JUnit XML in $(RESULTS)/)"
	@echo "make compat - Odoo's own suites of the modules we extend, with and without the addon; fails on any test that fails only with it"
	@echo "make lint  - ruff (format check and lint) and pylint-odoo"
	@echo "make i18n  - export i18n/$(MODULE).pot from a real database and merge it into the .po files"
	@echo "make bench - run the bench/ scripts on a scratch database (ratios against Odoo's own paths)"

check-odoo:
	@$(PYTHON) -c "import sys, odoo.release as r; sys.exit(r.series != '18.0')" 2>/dev/null || { \
	  echo "ERROR: '$(PYTHON)' cannot import Odoo 18.0." >&2; \
	  echo "Install Odoo 18.0 Community so that '$(PYTHON) -c \"import odoo\"' works:" >&2; \
	  echo "see 'Prerequisites' in README.md. This Makefile never installs Odoo." >&2; \
	  exit 1; }

# Odoo finds modules by directory name: $(LINK_DIR)/$(MODULE) is a directory of
# links to the repository's entries. Not a link to the root itself: Odoo walks a
# module following links, and build/ inside it would loop.
addons-link:
	@rm -rf $(LINK_DIR)/$(MODULE) && mkdir -p $(LINK_DIR)/$(MODULE)
	@for entry in $(filter-out $(BUILD),$(wildcard *)) .pylintrc; do \
	  ln -s ../../../$$entry $(LINK_DIR)/$(MODULE)/$$entry; \
	done

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
	$(PYTHON) bench/split.py -d $(BENCH_DB) --addons-path=$(ODOO_ADDONS_PATH); \
	$(PYTHON) bench/aftersales.py -d $(BENCH_DB) --addons-path=$(ODOO_ADDONS_PATH); \
	$(PYTHON) bench/scheduling.py -d $(BENCH_DB) --addons-path=$(ODOO_ADDONS_PATH); \
	$(PYTHON) bench/scan.py -d $(BENCH_DB) --addons-path=$(ODOO_ADDONS_PATH); \
	$(PYTHON) bench/kpis.py -d $(BENCH_DB) --addons-path=$(ODOO_ADDONS_PATH); \
	$(PYTHON) bench/numbering.py -d $(BENCH_DB) --addons-path=$(ODOO_ADDONS_PATH)

clean:
	rm -rf $(BUILD)
