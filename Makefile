# Antrian MPP: every target installs what is missing first, so a fresh Debian/Ubuntu
# machine needs nothing but `make demo` or `make test`. Works with no terminal attached.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Debian packages: Qt offscreen + Xvfb windows, speech, sound, USB printers, PostgreSQL client.
APT_PKGS := python3-venv libgl1 libegl1 libxkbcommon0 libfontconfig1 libglib2.0-0 libdbus-1-3 \
  fonts-dejavu-core xvfb xauth libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 \
  libxcb-render-util0 libxcb-render0 libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0 \
  espeak-ng libespeak-ng1 libusb-1.0-0 sox pulseaudio postgresql-client tzdata x11-utils \
  chromium poppler-utils

PG_ADMIN_URL ?= postgresql://postgres@127.0.0.1:5432/test

.PHONY: all demo test bench sysdeps venv lint typecheck translations wheel clean screenshots chaos

all: test

sysdeps:
	@missing=""; for p in $(APT_PKGS); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing </dev/null; \
	fi

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check --upgrade pip </dev/null
	$(PY) -m pip install -q --disable-pip-version-check -e '.[test]' </dev/null
	@touch $(STAMP)

venv: sysdeps $(STAMP)

# PostgreSQL: under CI it must be there (start it if it stopped); elsewhere the PG tests skip.
define PG_ENV
if [ -z "$${MPP_TEST_PG_URL:-}" ]; then \
  if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null && [ -n "$${CI:-}" ] && ls /etc/postgresql >/dev/null 2>&1; then \
    pg_ctlcluster --skip-systemctl-redirect $$(ls /etc/postgresql | head -1) main start || true; sleep 2; \
  fi; \
  if pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then export MPP_TEST_PG_URL="$(PG_ADMIN_URL)"; \
  elif [ -n "$${CI:-}" ]; then echo "CI: PostgreSQL is not reachable on 127.0.0.1:5432" >&2; exit 1; fi; \
fi
endef

# A PulseAudio null sink gives the voice tests a real audio output on a machine with no sound card.
define AUDIO_ENV
if command -v pulseaudio >/dev/null 2>&1 && ! pulseaudio --check 2>/dev/null; then \
  pulseaudio --daemonize=yes --exit-idle-time=-1 --disallow-exit \
    --load="module-null-sink sink_name=virt" >/dev/null 2>&1 || echo "note: no PulseAudio null sink; audio playback tests will skip"; \
fi
endef

# Before the tests: the import contracts, the linter (ruff) and the type checker (mypy; strict on
# the core, looser on the Qt faces, see [tool.mypy] in pyproject.toml).
test: venv
	@$(PG_ENV); $(AUDIO_ENV); export QT_QPA_PLATFORM=offscreen; \
	$(VENV)/bin/lint-imports --no-cache >/dev/null && echo "import contracts: kept" || { $(VENV)/bin/lint-imports --no-cache; exit 1; }; \
	$(VENV)/bin/ruff check --quiet . && echo "ruff: clean" || exit 1; \
	$(VENV)/bin/mypy >/dev/null && echo "mypy: clean" || { $(VENV)/bin/mypy; exit 1; }; \
	$(PY) -m pytest -q $(PYTEST_ARGS)

lint: venv
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy

# Rebuild the compiled Qt translations (.qm, committed next to their .ts sources; a test checks
# they match). Run after editing a .ts file.
translations: venv
	@for ts in antrian/data/translations/*.ts; do \
	  $(VENV)/bin/pyside6-lrelease -silent "$$ts" -qm "$${ts%.ts}.qm" || exit 1; echo "$${ts%.ts}.qm"; \
	done

# The wheel a PC installs (dist/antrian_mpp-*.whl).
wheel: venv
	$(PY) -m build --wheel --outdir dist .

demo: venv
	$(VENV)/bin/mpp demo

bench: venv
	@$(PG_ENV); $(PY) -m bench $(BENCH_ARGS)

# Chaos (issue 10): workers doing every action while a killer sends kill -9 at random, then the
# invariants over rows and events; CHAOS_SECONDS per backend (SQLite, then PostgreSQL if it answers).
CHAOS_SECONDS ?= 180
chaos: venv
	@$(PG_ENV); $(PY) -m tests.chaos.run --seconds $(CHAOS_SECONDS)

screenshots: venv
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q tests/ui -k screenshot

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis .mypy_cache .ruff_cache out build dist
