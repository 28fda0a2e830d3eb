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

from .crypto import encrypting
from .errors import BackupError

CHUNK = 1 << 20


@dataclass
class Written:
    sha256: str
    size: int          # bytes on disk (compressed, and encrypted when keys were given)
    raw_size: int      # uncompressed bytes read from the producer
    plain_sha256: str = ""  # of the .sql.gz inside, when the file on disk is age-encrypted


class _Hashing:
    """A write-through file wrapper that hashes and counts what passes (the bytes that reach disk)."""

    def __init__(self, out):
        self.out, self.digest, self.size = out, hashlib.sha256(), 0

    def write(self, data) -> int:
        self.digest.update(data)
        self.size += len(data)
        return self.out.write(data)

    def flush(self):
        self.out.flush()


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
                     progress=None, recipients: list | None = None) -> Written:
    """Run `cmd`, gzip its stdout into `dest` atomically (temp file, fsync, rename, dir fsync), mode 0600;
    age-encrypted to `recipients` on the way when given (crypto.encrypting, streamed).

    On any failure the temp file is removed and DumpFailed raised; `dest` never holds a partial file.
    """
    tmp = dest.with_name(f".{dest.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    proc = None
    try:
        with os.fdopen(fd, "wb", buffering=CHUNK) as out:
            proc = subprocess.Popen(cmd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                    stderr=subprocess.PIPE)
            if recipients:
                written = _compress_encrypted(proc.stdout, out, recipients, level=level, threads=threads,
                                              progress=progress)
            else:
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


def _compress_encrypted(source, out, recipients: list, **options) -> Written:
    on_disk = _Hashing(out)
    with encrypting(on_disk, recipients) as plain:
        inner = compress_stream(source, plain, **options)
    return Written(sha256=on_disk.digest.hexdigest(), size=on_disk.size, raw_size=inner.raw_size,
                   plain_sha256=inner.sha256)


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
