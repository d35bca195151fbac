"""Backup and restore of a data folder and its store: one archive, checked before use."""

from dxplan.backup.archive import BackupError
from dxplan.backup.service import Summary, backup, restore

__all__ = ["BackupError", "Summary", "backup", "restore"]
