# Two commands on a fresh machine:  make run  (dashboard on :8501)  ·  make test  (the whole suite)
PY      := .venv/bin/python
PIP     := .venv/bin/pip
DB      ?= data/warehouse.duckdb
DEMO    ?= data/demo
PORT    ?= 8501
ADDRESS ?= 127.0.0.1

.PHONY: run test install install-test warehouse demo clean-warehouse

.venv/bin/python:
	python3 -m venv .venv
	$(PIP) install -q --upgrade pip

.venv/.installed: pyproject.toml | .venv/bin/python
	$(PIP) install -q -e .
	touch $@

.venv/.installed-test: pyproject.toml | .venv/bin/python
	$(PIP) install -q -e '.[test,scale,cloud]'
	touch $@ .venv/.installed

install: .venv/.installed
install-test: .venv/.installed-test

# The demo warehouse is built on first start: a fictional province, seven years, every format.
$(DB): | .venv/.installed
	@echo "首次启动：生成示例数据并建立数据仓库 (demo corpus → $(DB))"
	$(PY) -m etl demo --out $(DEMO)
	$(PY) -m etl offices import $(DEMO)/offices.csv --db $(DB).building
	GKJB_OCR=0 $(PY) -m etl ingest $(DEMO)/docs --db $(DB).building --dataset demo  # scans stay "needs OCR": fast first start
	mv $(DB).building $(DB)

warehouse: $(DB)

run: .venv/.installed $(DB)
	@$(PY) -m dashboard.exposure $(ADDRESS)  # a network address needs [auth] or GKJB_ALLOW_OPEN=1
	GKJB_DB=$(DB) $(PY) -m streamlit run app.py --server.address $(ADDRESS) --server.port $(PORT) --server.headless true

test: .venv/.installed-test
	$(PY) -m pytest -q -ra

clean-warehouse:
	rm -rf $(DB) $(DB).wal $(DB).lock $(DB).tmp-* $(DB).building $(dir $(DB)).$(notdir $(DB)).snapshots
