"""Client-side encryption of backup files with age (pyrage), streamed: no second copy on disk.

The encrypted file is a standard age file holding a standard .sql.gz, so the stock tools restore it:
`age -d -i key.txt FILE | gunzip | psql -v ON_ERROR_STOP=1 "$DATABASE_URL"`. pyrage reads and writes
file objects; a pipe and a thread turn its pull/push calls into the streams the dump and the loader use.
"""
from __future__ import annotations

import os
import threading
from contextlib import contextmanager
from pathlib import Path

import pyrage
from pyrage import ssh, x25519

from . import conf
from .errors import BackupError

MAGIC = b"age-encryption.org/v1"


class EncryptionError(BackupError):
    """Keys are missing or invalid, or a file cannot be decrypted with the configured identity."""


def enabled() -> bool:
    return bool(conf.age_recipients())


def recipients() -> list:
    """The configured recipients (age1… or ssh-ed25519/ssh-rsa public keys)."""
    parsed = []
    for text in conf.age_recipients():
        try:
            parsed.append(ssh.Recipient.from_str(text) if text.startswith("ssh-") else x25519.Recipient.from_str(text))
        except (pyrage.RecipientError, ValueError) as exc:
            raise EncryptionError(f"BACKUP_AGE_RECIPIENTS holds an invalid key ({text[:12]}…): {exc}") from None
    return parsed


def identities() -> list:
    """The identities in BACKUP_AGE_IDENTITY_FILE (one AGE-SECRET-KEY-1… per line, # comments)."""
    path = conf.age_identity_file()
    if not path:
        raise EncryptionError("this backup is encrypted: set BACKUP_AGE_IDENTITY_FILE to an age identity file")
    try:
        lines = Path(path).read_text().splitlines()
    except OSError as exc:
        raise EncryptionError(f"cannot read BACKUP_AGE_IDENTITY_FILE: {exc.strerror}") from None
    keys = [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
    try:
        return [x25519.Identity.from_str(key) for key in keys]
    except (pyrage.IdentityError, ValueError):
        raise EncryptionError("BACKUP_AGE_IDENTITY_FILE holds no valid age identity") from None


@contextmanager
def encrypting(out, keys: list):
    """Yield a binary writer; what is written reaches `out` age-encrypted to `keys` (streamed)."""
    read_fd, write_fd = os.pipe()
    reader, writer = os.fdopen(read_fd, "rb"), os.fdopen(write_fd, "wb")
    failed: list[BaseException] = []

    def run():
        try:
            pyrage.encrypt_io(reader, out, keys)
        except BaseException as exc:  # noqa: BLE001 - handed to the caller below
            failed.append(exc)
        finally:
            reader.close()

    worker = threading.Thread(target=run, name="age-encrypt", daemon=True)
    worker.start()
    try:
        yield writer
    finally:
        writer.close()
        worker.join()
    if failed:
        raise EncryptionError(f"encryption failed: {failed[0]}")


@contextmanager
def decrypting(path: Path):
    """Yield a binary reader of the plaintext of age file `path`. A wrong identity or a damaged
    file raises EncryptionError (also when the reader stopped early because of it)."""
    keys = identities()
    read_fd, write_fd = os.pipe()
    reader, writer = os.fdopen(read_fd, "rb"), os.fdopen(write_fd, "wb")
    failed: list[BaseException] = []

    def run():
        try:
            with open(path, "rb") as source:
                pyrage.decrypt_io(source, writer, keys)
        except BaseException as exc:  # noqa: BLE001
            failed.append(exc)
        finally:
            try:
                writer.close()
            except BrokenPipeError:
                pass  # the reader went away first

    worker = threading.Thread(target=run, name="age-decrypt", daemon=True)
    worker.start()
    try:
        yield reader
    except BackupError:
        if failed:  # the stream ended early because decryption failed: say that, not "truncated"
            raise _decrypt_error(path, failed[0]) from None
        raise
    finally:
        reader.close()  # unblocks the worker if we stopped reading
        worker.join()
    if failed and not isinstance(failed[0], BrokenPipeError):
        raise _decrypt_error(path, failed[0])


def identity_is_a_recipient() -> bool:
    """True when BACKUP_AGE_IDENTITY_FILE decrypts what is encrypted to BACKUP_AGE_RECIPIENTS."""
    publics = {str(identity.to_public()) for identity in identities()}
    return bool(publics & set(conf.age_recipients()))


def check_safety_backup_readable() -> None:
    """A restore's safety backup is encrypted to the recipients and read back before COMMIT: the
    identity here must be one of theirs. Raise EncryptionError otherwise (nothing changed yet)."""
    if enabled() and not identity_is_a_recipient():
        raise EncryptionError("BACKUP_AGE_IDENTITY_FILE holds none of BACKUP_AGE_RECIPIENTS' identities: "
                              "the encrypted safety backup could not be verified")


def check_identity(path: Path) -> None:
    """Open the file's header with the configured identity, reading no further; raise EncryptionError."""
    class _Opened(Exception):
        pass

    class _FirstBlock:
        def write(self, data):
            raise _Opened

    keys = identities()
    try:
        with open(path, "rb") as source:
            pyrage.decrypt_io(source, _FirstBlock(), keys)
    except _Opened:
        return
    except (pyrage.DecryptError, OSError) as exc:
        raise _decrypt_error(path, exc) from None


def _decrypt_error(path: Path, exc: BaseException) -> EncryptionError:
    if isinstance(exc, pyrage.DecryptError):
        return EncryptionError(f"{path.name} cannot be decrypted with BACKUP_AGE_IDENTITY_FILE ({exc}): "
                               "wrong identity, or not a file encrypted to it")
    return EncryptionError(f"{path.name} failed age authentication ({exc}): the file is damaged or was altered")
