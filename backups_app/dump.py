"""Stream a command's stdout into a gzip file: 1 MiB chunks compressed as separate gzip members.

A gzip file may hold many members (RFC 1952), so chunks compressed in parallel still form one
standard `.gz` that `gunzip -c` reads. zlib releases the GIL, so N threads use N cores; memory
stays flat (at most 2 × threads chunks in flight) whatever the database size.
"""
from __future__ import annotations

import hashlib
import os
import subprocess
import zlib
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .errors import BackupError

CHUNK = 1 << 20


@dataclass
class Written:
    sha256: str
    size: int          # compressed bytes on disk
    raw_size: int      # uncompressed bytes read from the producer


class DumpFailed(BackupError):
    """The producer exited non-zero or the file could not be written."""


def gzip_member(data: bytes, level: int) -> bytes:
    """One complete gzip member (header, deflate stream, CRC32 and size trailer)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31)
    return compressor.compress(data) + compressor.flush()


def fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def compress_stream(source, out, *, level: int, threads: int,
                    progress: Callable[[int, int], None] | None = None) -> Written:
    """Read `source` (binary file) to EOF, write gzip members to `out`; hash what is written."""
    digest = hashlib.sha256()
    size = raw = 0
    pending: deque = deque()

    def drain(limit: int):
        nonlocal size
        while len(pending) > limit:
            block = pending.popleft().result()
            digest.update(block)
            out.write(block)
            size += len(block)

    with ThreadPoolExecutor(max_workers=threads, thread_name_prefix="gzip") as pool:
        while chunk := source.read(CHUNK):
            raw += len(chunk)
            pending.append(pool.submit(gzip_member, chunk, level))
            drain(2 * threads)  # bound memory: never more than 2 × threads chunks in flight
            if progress:
                progress(raw, size)
        drain(0)
    if progress:
        progress(raw, size)
    return Written(sha256=digest.hexdigest(), size=size, raw_size=raw)


def _stderr_tail(proc: subprocess.Popen) -> str:
    text = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    return text.strip()[-2000:]


def write_atomically(cmd: list[str], env: dict, dest: Path, *, level: int, threads: int,
                     progress=None) -> Written:
    """Run `cmd`, gzip its stdout into `dest` atomically (temp file, fsync, rename, dir fsync), mode 0600.

    On any failure the temp file is removed and DumpFailed raised; `dest` never holds a partial file.
    """
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    proc = None
    try:
        with os.fdopen(fd, "wb", buffering=CHUNK) as out:
            proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            written = compress_stream(proc.stdout, out, level=level, threads=threads, progress=progress)
            code = proc.wait()
            if code != 0:
                raise DumpFailed(f"{Path(cmd[0]).name} exited with {code}: {_stderr_tail(proc)}")
            out.flush()
            os.fsync(out.fileno())
        os.chmod(tmp, 0o600)
        os.rename(tmp, dest)
        fsync_dir(dest.parent)
        return written
    except BaseException:
        if proc and proc.poll() is None:
            proc.kill()
            proc.wait()
        tmp.unlink(missing_ok=True)
        raise
    finally:
        if proc:
            for stream in (proc.stdout, proc.stderr):
                if stream:
                    stream.close()


def write_file_atomically(dest: Path, data: bytes) -> None:
    """Small files (manifests): same temp-fsync-rename discipline, mode 0600."""
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.rename(tmp, dest)
        fsync_dir(dest.parent)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()
