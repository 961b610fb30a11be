"""Finished pieces of a hedge run kept on disk, so the same command run again after an interruption resumes.

The pieces worth keeping are the ones a hedge computes one after the other
after the main solve: each ``--frontier`` point (an extensive form solved
and its portfolio re-evaluated draw by draw) and the out-of-sample check
(the portfolio and no levers on fresh draws). Each is saved as one ``.npz``
file, written atomically, in a staging folder next to the hedge folder,
``.hedge-staging-<key>``, whose key is the SHA-256 of everything the pieces
depend on (the inputs' hashes, the resolved scenario, the levers, draws,
seed, CVaR and frontier settings, out-of-sample draws). The same command run
again finds the folder by the key and re-reads the finished pieces instead
of recomputing them; any change to the inputs or the request gives another
key, so a stale piece is never used. The staging folder is removed once the
hedge folder is written.
"""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np

from ..writers import request_key

#: called as ``HOOK(event, name)`` with event "loaded" or "saved" after each piece (tests interrupt a run with it)
HOOK: Callable[[str, str], None] | None = None


class Checkpoint:
    """A staging folder of finished pieces (name -> arrays), keyed by what they depend on."""

    def __init__(self, root: Path, payload: dict):
        self.dir = Path(root) / f".hedge-staging-{request_key(payload)}"
        self.payload = payload

    def _path(self, name: str) -> Path:
        return self.dir / f"{name}.npz"

    def load(self, name: str) -> dict[str, np.ndarray] | None:
        """The arrays saved under ``name``, or None if that piece is not finished."""
        path = self._path(name)
        if not path.is_file():
            return None
        try:
            with np.load(path, allow_pickle=False) as z:
                out = {k: z[k] for k in z.files}
        except (OSError, ValueError):  # a piece cut short by a crash outside the atomic rename: recompute it
            return None
        if HOOK:
            HOOK("loaded", name)
        return out

    def save(self, name: str, **arrays) -> None:
        """Save a finished piece atomically (a partial file never carries the final name)."""
        if not self.dir.is_dir():
            self.dir.mkdir(parents=True, exist_ok=True)
            (self.dir / "key.json").write_text(json.dumps(self.payload, indent=1, sort_keys=True, default=str) + "\n")
        tmp = self.dir / f".{name}.partial.npz"
        np.savez(tmp, **{k: np.asarray(v) for k, v in arrays.items()})
        os.replace(tmp, self._path(name))
        if HOOK:
            HOOK("saved", name)

    def cached(self, name: str, compute: Callable[[], dict]) -> dict[str, np.ndarray]:
        """The piece ``name``: re-read if finished, else computed, saved and returned."""
        got = self.load(name)
        if got is not None:
            return got
        arrays = {k: np.asarray(v) for k, v in compute().items()}
        self.save(name, **arrays)
        return arrays

    def exists(self) -> bool:
        return self.dir.is_dir()

    def clear(self) -> None:
        shutil.rmtree(self.dir, ignore_errors=True)
