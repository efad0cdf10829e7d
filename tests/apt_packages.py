"""Debian packages the tests need (PostgreSQL's server, Chromium), installed on first use.

One lock for every install: pytest-xdist workers (and two suites on one machine) start the
PostgreSQL and the Chromium fixtures at the same moment, and two `apt-get` processes at once fail
on dpkg's own lock. Under this lock the second caller waits, then finds the package installed.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

INSTALL_LOCK = Path(tempfile.gettempdir()) / "leadsync-apt-install.lock"

T = TypeVar("T")


class PackageUnavailable(RuntimeError):
    """A package is missing and this user cannot install it (or apt-get failed)."""


def ensure_installed(packages: list[str], find: Callable[[], T | None]) -> T:
    """`find()`'s answer, installing `packages` with apt-get first when it finds nothing."""
    found = find()
    if found:
        return found
    if os.geteuid() != 0 or not shutil.which("apt-get"):
        raise PackageUnavailable(
            f"{' '.join(packages)} is not installed and this user cannot install it: "
            f"run `sudo apt-get install -y {' '.join(packages)}`"
        )
    with open(INSTALL_LOCK, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        found = find()
        if found:
            return found
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (
            ["apt-get", "update", "-q"],
            [
                "apt-get",
                "install",
                "-y",
                "-q",
                "--no-install-recommends",
                "-o",
                "DPkg::Lock::Timeout=600",
                *packages,
            ],
        ):
            done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=1200)
            if done.returncode:
                raise PackageUnavailable(
                    f"`{' '.join(cmd)}` failed ({done.returncode}): {done.stderr.strip()[-800:]}"
                )
    found = find()
    if not found:
        raise PackageUnavailable(f"apt-get installed {' '.join(packages)} but it is still not found")
    return found
