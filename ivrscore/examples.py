"""The example phone trees that ship with ivrscore.

Each example is a YAML file with a header comment saying what it models. In an installed
package they live inside it; in a source checkout (or an editable install) they are the
``examples/`` folder at the top of the repository.

Examples
--------
>>> import ivrscore as ivr
>>> "acme_telecom" in ivr.examples.names()
True
>>> ivr.examples.path("acme_telecom").name
'acme_telecom.yaml'
"""

from __future__ import annotations

from pathlib import Path

from ._text import did_you_mean

__all__ = ["DEMO", "folder", "names", "path"]

DEMO = "acme_telecom"
"""The example ``ivrscore demo`` runs: a national telecom helpline as callers experience it."""


def folder() -> Path:
    """The folder holding the example trees."""
    here = Path(__file__).resolve().parent
    packaged = here / "_data" / "examples"
    if packaged.is_dir():
        return packaged
    return here.parent / "examples"


def names() -> list[str]:
    """Names of the bundled examples (file stems), sorted."""
    return sorted(p.stem for p in folder().glob("*.yaml"))


def path(name: str = DEMO) -> Path:
    """Path of a bundled example by name (``"acme_telecom"``) or file name.

    Raises
    ------
    KeyError
        No such example; the message lists the closest name.
    """
    stem = Path(name).stem
    p = folder() / f"{stem}.yaml"
    if not p.is_file():
        hint = did_you_mean(stem, names())
        raise KeyError(
            f"no example {name!r}" + (f"; {hint}" if hint else f"; examples: {', '.join(names())}")
        )
    return p
