"""Child process for the file tests: ops.logging's LOGGING in DIRECTORY, then COUNT lines.

    python -m tests.ops.logging.writer DIRECTORY TAG COUNT [LEVEL MAX_SIZE MAX_FILES ERRORS_EVERY]

No Django project is set up: build_logging() and its handlers stand alone.
"""
import logging
import logging.config
import sys

from ops.logging.config import build_logging


def main(directory, tag, count, level="info", max_size="20m", max_files="14d", errors_every="0"):
    logging.config.dictConfig(build_logging(level=level, directory=directory, max_size=max_size,
                                            max_files=max_files, service="papyrus"))
    log = logging.getLogger("writer")
    errors_every = int(errors_every)
    for n in range(int(count)):
        if errors_every and n % errors_every == 0:
            log.error("writer failed", extra={"tag": tag, "n": n})
        else:
            log.info("writer line", extra={"tag": tag, "n": n, "pad": "x" * 40})
    log.log(15, "an http-level line", extra={"tag": tag, "n": -1})
    log.debug("a debug line", extra={"tag": tag, "n": -2})


if __name__ == "__main__":
    main(*sys.argv[1:])
