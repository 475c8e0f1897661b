"""The CSV folder as a plant source (the `PlantSource` port of the services)."""

from __future__ import annotations

from pathlib import Path

from integrations.csv_import.builder import FolderReading, read_plant_folder
from integrations.csv_import.writer import write_plant_folder
from planning_core.model import PlantSnapshot


class CsvPlantFolders:
    """Reads and writes plant folders (CONTRACT section 1); `location` is the folder's path."""

    def read(self, location: str) -> FolderReading:
        return read_plant_folder(Path(location))

    def write(self, snapshot: PlantSnapshot, location: str) -> None:
        write_plant_folder(snapshot, Path(location))
