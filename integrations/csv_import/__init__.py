"""Plant folders (CONTRACT section 1): reading with complete validation, and writing."""

from integrations.csv_import.builder import FolderReading, read_plant_folder
from integrations.csv_import.reader import Problem
from integrations.csv_import.writer import write_plant_folder

__all__ = ["FolderReading", "Problem", "read_plant_folder", "write_plant_folder"]
