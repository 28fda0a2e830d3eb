"""Read backups back: integrity checks and loading into PostgreSQL with psql, all-or-nothing.

The file is decompressed here (not by a `gunzip` pipe) so that a stream that ends early or fails
its CRC kills psql before it can COMMIT: the server then rolls the whole transaction back.
BEGIN and COMMIT travel on psql's stdin, COMMIT last: if this process dies at any point (even
SIGKILL), psql reads end of input inside an open transaction and the server rolls it back.
"""
from __future__ import annotations

import subprocess
import tempfile
import zlib
from pathlib import Path
from typing import Callable, Iterator

from . import names
from .dump import CHUNK, sha256_of
from .errors import BackupError

END_MARKER = b"-- PostgreSQL database dump complete"
OLD_SCHEMA = "papyrus_restore_old"


class CorruptBackup(BackupError):
    """The file is not the backup its manifest describes, or not a complete gzip'd dump."""


class LoadFailed(BackupError):
    """psql stopped on an error; the transaction was rolled back."""


def iter_sql(path: Path) -> Iterator[bytes]:
    """Yield the decompressed SQL of a (multi-member) .gz, or of the .gz inside an age file;
    raise CorruptBackup on any damage (crypto.EncryptionError when decryption fails).

    zlib checks each member's CRC32 and length; a member cut short raises "truncated".
    """
    decompressor, fed = zlib.decompressobj(31), False
    with _open_plain(path) as f:
        while block := f.read(CHUNK):
            while block:
                fed = True
                try:
                    out = decompressor.decompress(block)
                except zlib.error as exc:
                    raise CorruptBackup(f"{path.name} is not a valid gzip file ({exc})") from exc
                if out:
                    yield out
                if not decompressor.eof:
                    break
                block = decompressor.unused_data  # the next gzip member starts here
                decompressor, fed = zlib.decompressobj(31), False
    if fed and not decompressor.eof:
        raise CorruptBackup(f"{path.name} ends in the middle of the data (truncated)")


def _open_plain(path: Path):
    if names.is_encrypted(path.name):
        from .crypto import decrypting

        return decrypting(path)
    return open(path, "rb")


def check_checksum(path: Path, sha256: str) -> None:
    if not sha256:
        raise CorruptBackup(f"{path.name} has no recorded checksum; refusing to restore it")
    actual = sha256_of(path)
    if actual != sha256:
        raise CorruptBackup(f"checksum mismatch for {path.name}: the file is damaged or not the one "
                            f"recorded (expected sha256 {sha256[:12]}…, found {actual[:12]}…)")


def check_complete(path: Path) -> int:
    """Decompress everything; the dump must end with pg_dump's completion line. Return SQL bytes."""
    total, tail = 0, b""
    for block in iter_sql(path):
        total += len(block)
        tail = (tail + block)[-4096:]
    if END_MARKER not in tail:
        raise CorruptBackup(f"{path.name} does not end with pg_dump's completion line (incomplete dump)")
    return total


def swap_sql(lock_timeout: str) -> tuple[str, str]:
    """SQL run before and after the dump so that it lands in a fresh `public` replacing the old one.

    Both run inside the load's one transaction: PostgreSQL DDL is transactional, so any error
    rolls the rename, the load and the drop back together. The backups table keeps its live rows.
    """
    pre = (f"ALTER SCHEMA public RENAME TO {OLD_SCHEMA}; CREATE SCHEMA public;")
    post = f"""
SET LOCAL lock_timeout = '{lock_timeout}';
DO $swap$
DECLARE cols text;
BEGIN
  IF to_regclass('public.backups_app_backup') IS NULL
     OR to_regclass('{OLD_SCHEMA}.backups_app_backup') IS NULL THEN RETURN; END IF;
  SELECT string_agg(quote_ident(n.column_name), ', ') INTO cols
    FROM information_schema.columns n JOIN information_schema.columns o USING (column_name)
   WHERE n.table_schema = 'public' AND n.table_name = 'backups_app_backup'
     AND o.table_schema = '{OLD_SCHEMA}' AND o.table_name = 'backups_app_backup';
  DELETE FROM public.backups_app_backup;
  EXECUTE format('INSERT INTO public.backups_app_backup (%s) SELECT %s FROM {OLD_SCHEMA}.backups_app_backup',
                 cols, cols);
  PERFORM setval(pg_get_serial_sequence('public.backups_app_backup', 'id'),
                 GREATEST((SELECT max(id) FROM public.backups_app_backup), 1));
END
$swap$;
DROP SCHEMA {OLD_SCHEMA} CASCADE;
"""
    return pre, post


def load(path: Path, *, psql: str, env: dict, pre: str = "", post: str = "",
         progress: Callable[[int], None] | None = None, before_commit: Callable[[], None] | None = None) -> None:
    """Feed BEGIN, pre, the dump, post and COMMIT to one psql session with ON_ERROR_STOP.

    `before_commit` runs after the whole dump was sent and before `post` and COMMIT are written;
    if it raises, psql is killed (rollback). Raise LoadFailed (psql's own message), CorruptBackup or
    what `before_commit` raised; in every case nothing was committed. No `--single-transaction`:
    with it psql commits whatever it got when its input ends early (a killed restorer).
    """
    cmd = [psql, "-X", "-q", "--no-psqlrc", "-v", "ON_ERROR_STOP=1", "-f", "-"]
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(cmd, env=env, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors)
        try:
            _feed(proc, path, progress, before_commit, begin=f"BEGIN;\n{pre}\n", commit=f"\n{post}\nCOMMIT;\n")
        except BaseException:
            proc.kill()  # before COMMIT was written: the server rolls back
            proc.wait()
            raise
        code = proc.wait()
        if code != 0:
            errors.seek(0)
            raise LoadFailed(_psql_message(errors.read().decode("utf-8", "replace"), code))


def _feed(proc: subprocess.Popen, path: Path, progress, before_commit, *, begin: str, commit: str) -> None:
    done, tail = 0, b""
    try:
        proc.stdin.write(begin.encode())
        for block in iter_sql(path):
            proc.stdin.write(block)
            done += len(block)
            tail = (tail + block)[-4096:]
            if progress:
                progress(done)
        if END_MARKER not in tail:
            raise CorruptBackup(f"{path.name} does not end with pg_dump's completion line (incomplete dump)")
        if before_commit:
            before_commit()
        proc.stdin.write(commit.encode())
        proc.stdin.close()
    except BrokenPipeError:
        pass  # psql stopped on an error; its exit code and stderr tell why


def _psql_message(stderr: str, code: int) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    detail = " | ".join(lines[-3:]) if lines else "no message"
    return f"psql exited with {code}: {detail}"[:2000]
