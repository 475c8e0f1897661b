"""Promise states on disk, so a command line does not build again what `serve` or an earlier
command built: a 5,000-order plant loads in about a second instead of several.

One file per database, plant (its version and import time) and as-of date, in a cache folder the user owns
(written to a temporary file and renamed into place, so a reader never sees half a file).
The files are pickles: load them only from a folder no one else can write to (the
default, the user's cache, is such a folder).
"""

from __future__ import annotations

import hashlib
import logging
import os
import pickle
import tempfile
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from planning_core.ctp.state import PromiseState
    from planning_core.model import PlantSnapshot

log = logging.getLogger(__name__)
FORMAT = 4  # bump when what is pickled changes shape
KEEP = 6  # files kept per database: the newest


def default_cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "planbridge"


class FilePromiseStateStore:
    def __init__(self, folder: Path, *, database_url: str) -> None:
        self.folder = folder
        self.prefix = "promise-" + hashlib.sha256(database_url.encode()).hexdigest()[:16]

    def _path(self, plant: str, as_of: date) -> Path:
        return self.folder / f"{self.prefix}-{plant}-{as_of.isoformat()}.pickle"

    def load(self, *, plant: str, as_of: date) -> tuple[PromiseState, int] | None:
        saved = self._read(self._path(plant, as_of), plant)
        if saved is None or saved.get("as_of") != as_of:
            return None
        return saved["state"], int(saved["seq"])

    def load_snapshot(self, *, plant: str) -> tuple[PlantSnapshot, int] | None:
        saved = self._read(self._snapshot_path(plant), plant)
        return None if saved is None else (saved["snapshot"], int(saved["seq"]))

    def save(self, state: PromiseState, *, plant: str, as_of: date, seq: int) -> None:
        self._write(self._path(plant, as_of), {"plant": plant, "as_of": as_of, "seq": seq, "state": state})

    def save_snapshot(self, snapshot: PlantSnapshot, *, plant: str, seq: int) -> None:
        self._write(self._snapshot_path(plant), {"plant": plant, "seq": seq, "snapshot": snapshot})

    def _snapshot_path(self, plant: str) -> Path:
        return self.folder / f"{self.prefix}-{plant}-plant.pickle"

    def _read(self, path: Path, plant: str) -> dict[str, Any] | None:
        try:
            with path.open("rb") as file:
                saved: dict[str, Any] = pickle.load(file)
        except FileNotFoundError:
            return None
        except Exception as exc:  # a broken or old file is rebuilt, never trusted
            log.warning("ignoring the saved promise state %s: %s", path, exc)
            return None
        if saved.get("format") != FORMAT or saved.get("plant") != plant:
            return None
        return saved

    def _write(self, path: Path, document: dict[str, Any]) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.folder, prefix=".saving-", delete=False) as file:
                pickle.dump({"format": FORMAT, **document}, file, protocol=pickle.HIGHEST_PROTOCOL)
            Path(file.name).replace(path)
            self._prune()
        except OSError as exc:  # a cache that cannot be written only costs time
            log.warning("could not save the promise state in %s: %s", self.folder, exc)

    def _prune(self) -> None:
        mine = sorted(self.folder.glob(f"{self.prefix}-*.pickle"), key=lambda p: p.stat().st_mtime, reverse=True)
        for old in mine[KEEP:]:
            old.unlink(missing_ok=True)
