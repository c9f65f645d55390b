# recruit: `make run` serves the demo, `make test` runs the whole suite. Needs only Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
# Test processes (pytest-xdist); the suite takes about half as long on two cores.
JOBS ?= 2

.PHONY: lint serve run test install migrate demo demo-password worker bench messages clean

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet ".[dev]"
	# pyCANON (tests' independent k-anonymity check) pins numpy 2.0 and reportlab 4 exactly, though it
	# runs on ours; its imports (pandas, scipy, numpy) are pinned in the dev extra.
	$(BIN)/python -m pip install --quiet --no-deps pycanon==1.3.6
	touch $(INSTALLED)

install: $(INSTALLED)

migrate: $(INSTALLED)
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py seed_demo

run: demo
	@echo
	@echo "recruit runs at http://$(HOST):$(PORT)/ - log in as 'demo' with the password printed above"
	@echo "(printed the first time only; 'make demo-password' sets a new one). Background tasks run in"
	@echo "a worker started beside the server. Stop both with Ctrl-C."
	@echo
	@trap 'kill 0' INT TERM EXIT; \
	$(BIN)/python manage.py worker --interval 2 > var/worker.log 2>&1 & \
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

demo-password: $(INSTALLED)
	$(BIN)/python manage.py changepassword demo

worker: migrate
	$(BIN)/python manage.py worker

test: $(INSTALLED)
	$(BIN)/python -m pytest -n $(JOBS)

# gunicorn and the task worker against PostgreSQL on 127.0.0.1, as in production but over plain HTTP.
SERVE_DATABASE_URL ?= postgres://root@127.0.0.1:5432/recruit
serve: $(INSTALLED)
	createdb -h 127.0.0.1 "$$(basename $(SERVE_DATABASE_URL))" 2>/dev/null || true
	DATABASE_URL=$(SERVE_DATABASE_URL) $(BIN)/python manage.py migrate --noinput
	DATABASE_URL=$(SERVE_DATABASE_URL) $(BIN)/python manage.py collectstatic --noinput > /dev/null
	@echo "recruit (gunicorn) serves http://$(HOST):$(PORT)/ against $(SERVE_DATABASE_URL); Ctrl-C stops it"
	@trap 'kill 0' INT TERM EXIT; \
	DATABASE_URL=$(SERVE_DATABASE_URL) $(BIN)/python manage.py worker --interval 2 > var/worker.log 2>&1 & \
	DATABASE_URL=$(SERVE_DATABASE_URL) DEBUG=false $(BIN)/gunicorn recruit.wsgi --bind $(HOST):$(PORT) --workers 3 --access-logfile -

# Security lint: ruff's S rules (config in pyproject.toml), then pip-audit over the dependencies.
lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/python .ci/dependency_audit.py

bench: $(INSTALLED)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

messages: $(INSTALLED)
	$(BIN)/python manage.py makemessages -l nb --ignore=.venv --ignore=var --ignore=tests --ignore=bench
	$(BIN)/python manage.py compilemessages -l nb --ignore=.venv

clean:
	rm -rf $(VENV) var
