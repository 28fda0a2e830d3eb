"""Process launchers for `make run`, `make test`, `make bench` and `make loadtest`, run from the
project root as `python -m scripts.services`, `python -m scripts.run`, `python -m scripts.loadtest`."""
