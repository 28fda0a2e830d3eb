"""Password hashing: Argon2id at OWASP's minimum cost (m = 19 MiB, t = 2, p = 1).

Django's own Argon2PasswordHasher (argon2-cffi) with its parameters set here: the stock
m = 100 MiB, p = 8 costs ~5× the CPU per login for no gain the guidance asks for. The
algorithm name stays "argon2", so hashes are standard Argon2id PHC strings, and a hash made
with other parameters (or by PBKDF2, still listed in PASSWORD_HASHERS to verify old hashes)
is rehashed with these on the user's next successful login (Django's check_password).
argon2-cffi releases the GIL while hashing, so a worker with several blocking threads
keeps serving other requests during a login (scripts/run.py, docs/load-tests.md).
"""
from django.contrib.auth.hashers import Argon2PasswordHasher

OWASP_MEMORY_KIB = 19 * 1024
OWASP_TIME_COST = 2
OWASP_PARALLELISM = 1


class Argon2idHasher(Argon2PasswordHasher):
    memory_cost = OWASP_MEMORY_KIB
    time_cost = OWASP_TIME_COST
    parallelism = OWASP_PARALLELISM
