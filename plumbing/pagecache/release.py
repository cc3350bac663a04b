"""What made this process's answers: its code, templates, packages and settings.

Part of every copy's name and ETag, so that after a deploy or a change of
settings readers get answers made by what runs now, not copies (or 304s)
made by what ran before from the same content.
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import re
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver

_SOURCES = {".py", ".html", ".txt", ".json"}
_ADDRESS = re.compile(r" at 0x[0-9a-f]+")  # an object's address differs per process


def _files() -> list[Path]:
    base = Path(settings.BASE_DIR)
    # The project's own packages (plumbing, not only plumbing.pagecache) and templates.
    roots = {
        base / Path(config.path).relative_to(base).parts[0]
        for config in apps.get_app_configs()
        if Path(config.path).is_relative_to(base) and "site-packages" not in Path(config.path).parts
    }
    roots |= {Path(folder) for engine in settings.TEMPLATES for folder in engine.get("DIRS", [])}
    found = {
        path
        for root in roots
        for path in root.rglob("*")
        if path.suffix in _SOURCES and "__pycache__" not in path.parts
    }
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"  # hashed names of static files
    if manifest.is_file():
        found.add(manifest)
    return sorted(found)


@functools.cache
def _code() -> bytes:
    """The code, templates and packages: read once, as they change only with a restart."""
    digest = hashlib.blake2b(digest_size=8)
    for path in _files():
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    for name, version in sorted(
        (distribution.metadata["Name"] or "", distribution.version)
        for distribution in importlib.metadata.distributions()
    ):
        digest.update(f"{name}={version};".encode())
    return digest.digest()


@functools.cache
def fingerprint() -> str:
    digest = hashlib.blake2b(_code(), digest_size=8)
    for name in sorted(dir(settings)):
        if name.isupper():
            digest.update(f"{name}={_ADDRESS.sub('', repr(getattr(settings, name)))};".encode())
    return digest.hexdigest()


@receiver(setting_changed)
def _settings_changed(**kwargs):
    fingerprint.cache_clear()
