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

from . import kept, names
from .crypto import decrypting
from .dump import CHUNK, sha256_of
from .errors import BackupError
from .pg import quote_ident

END_MARKER = b"-- PostgreSQL database dump complete"
OLD_SCHEMA = "backups_restore_old"


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


COMMITTED = "committed"  # restore_status written inside the restore's transaction


def swap_sql(lock_timeout: str, *, restoring: str = "") -> tuple[str, str]:
    """SQL run before and after the dump so that it lands in a fresh `public` replacing the old one.

    Both run inside the load's one transaction: PostgreSQL DDL is transactional, so any error
    rolls the rename, the load and the drop back together. What survives from the live data:
    - the rows of the kept tables (kept.kept_tables: the backups list, BACKUP_KEPT_MODELS), less
      those that refer to a row the backup lacks;
    - of every user present in both, the live password hash, and each of is_active, is_staff,
      is_superuser only where both say true (kept.user_access): a restore never brings back a
      password changed since, nor access taken away since;
    - sequences never go backward: an id handed out before the restore (in a token, a URL, a
      cache, another system) never names a different row afterwards.
    `restoring` (a validated backup name) gets restore_status 'committed' in the same transaction,
    so a restorer killed after COMMIT leaves a row saying the restore did commit.
    """
    pre = (f"ALTER SCHEMA public RENAME TO {OLD_SCHEMA}; CREATE SCHEMA public;")
    post = f"""
SET LOCAL lock_timeout = '{lock_timeout}';
DO $swap$
DECLARE cols text; seq record;
BEGIN
{_kept_rows_sql()}{_user_access_sql()}  IF to_regclass('public.backups_app_backup') IS NOT NULL THEN
    PERFORM setval(pg_get_serial_sequence('public.backups_app_backup', 'id'),
                   GREATEST((SELECT max(id) FROM public.backups_app_backup), 1));
    UPDATE public.backups_app_backup SET restore_status = '{COMMITTED}' WHERE name = {_literal(restoring)};
  END IF;
  FOR seq IN SELECT n.sequencename, o.last_value FROM pg_sequences n
               JOIN pg_sequences o ON o.sequencename = n.sequencename AND o.schemaname = '{OLD_SCHEMA}'
              WHERE n.schemaname = 'public' AND o.last_value IS NOT NULL
                AND (n.last_value IS NULL OR n.last_value < o.last_value) LOOP
    PERFORM setval(format('public.%I', seq.sequencename), seq.last_value);
  END LOOP;
END
$swap$;
DROP SCHEMA {OLD_SCHEMA} CASCADE;
"""  # nosec B608  # constant schema names; lock_timeout is the operator's setting
    return pre, post


def _kept_rows_sql() -> str:
    """Per kept table: the live rows (of the columns both versions have) replace the restored ones."""
    blocks = []
    for table, condition in kept.kept_tables().items():
        where = f" WHERE {condition}" if condition else ""
        blocks.append(f"""
  IF to_regclass({_literal('public.' + table)}) IS NOT NULL AND to_regclass({_literal(OLD_SCHEMA + '.' + table)}) IS NOT NULL THEN
    SELECT string_agg(quote_ident(n.column_name), ', ') INTO cols
      FROM information_schema.columns n JOIN information_schema.columns o USING (column_name)
     WHERE n.table_schema = 'public' AND n.table_name = {_literal(table)}
       AND o.table_schema = '{OLD_SCHEMA}' AND o.table_name = {_literal(table)};
    EXECUTE format('DELETE FROM public.%I', {_literal(table)});
    EXECUTE format('INSERT INTO public.%I (%s) SELECT %s FROM {OLD_SCHEMA}.%I', {_literal(table)}, cols, cols,
                   {_literal(table)}) || {_literal(where)};
  END IF;""")  # nosec B608  # table names from the models' _meta, quoted as literals
    return "".join(blocks) + "\n"


def _user_access_sql() -> str:
    access = kept.user_access()
    if access is None:
        return ""
    table, key, password, flags = (quote_ident(access[0]), quote_ident(access[1]), quote_ident(access[2]),
                                   [quote_ident(flag) for flag in access[3]])
    sets = ", ".join([f"{password} = o.{password}", *(f"{flag} = n.{flag} AND o.{flag}" for flag in flags)])
    return f"""  IF to_regclass({_literal('public.' + access[0])}) IS NOT NULL
     AND to_regclass({_literal(OLD_SCHEMA + '.' + access[0])}) IS NOT NULL THEN
    UPDATE public.{table} n SET {sets}
      FROM {OLD_SCHEMA}.{table} o WHERE o.{key} = n.{key};
  END IF;
"""  # nosec B608  # identifiers from the user model's _meta, quote_ident


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


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
