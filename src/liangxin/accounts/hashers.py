"""The password hash: Argon2id with OWASP's first recommended configuration.

OWASP's Password Storage Cheat Sheet gives, as equally strong minimums, Argon2id with
m = 19 MiB, t = 2, p = 1 (or 46 MiB/t=1, 12 MiB/t=3, 9 MiB/t=4, 7 MiB/t=5). Django's default
(m = 100 MiB, t = 2, p = 8) is stronger on paper but costs ~10× the CPU per login on this
hardware (measured in README “Security”: ~190 ms against ~19 ms per check), and a login burst at
the month's end on a 2-core server would spend most of its CPU hashing. p = 1 also keeps one
check on one core, so concurrent logins do not steal each other's cores.

Hashes made with other parameters (Django's defaults, before this hasher) are still verified —
Argon2 encodes its parameters in the hash — and `must_update` is true for them, so Django
re-hashes the password with these parameters at the user's next successful login.
"""

from __future__ import annotations

from django.contrib.auth.hashers import Argon2PasswordHasher


class Argon2idPasswordHasher(Argon2PasswordHasher):
    """Argon2id, m = 19 MiB, t = 2, p = 1 (OWASP Password Storage Cheat Sheet).

    The algorithm name stays `argon2` so existing hashes are this hasher's: Django verifies them
    and upgrades them on login rather than treating them as a foreign algorithm."""

    memory_cost = 19 * 1024  # KiB
    time_cost = 2
    parallelism = 1
