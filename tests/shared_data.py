"""Files from elsewhere that tests read in place, never copied into the project:
they live in `shared/data/` beside the project's checkout (or beside the
repository a clone was made from), or where NEWSROOM_SHARED_DATA says."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parents[1]


def _candidates():
    if os.environ.get("NEWSROOM_SHARED_DATA"):
        yield Path(os.environ["NEWSROOM_SHARED_DATA"])
    yield PROJECT.parent / "shared" / "data"
    git = shutil.which("git")
    if git is None:
        return
    origin = subprocess.run(
        [git, "-C", str(PROJECT), "config", "--get", "remote.origin.url"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    if origin and "://" not in origin:  # a clone of a checkout on this machine
        yield Path(origin).resolve().parent / "shared" / "data"


def shared_file(name: str) -> Path:
    for folder in _candidates():
        if (folder / name).is_file():
            return folder / name
    pytest.fail(f"{name} not found in shared/data beside the project; set NEWSROOM_SHARED_DATA.")
