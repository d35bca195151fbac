"""Demo data for the shipped plan: a procedure catalog and dossier records as Parquet."""

from dxplan.demo.generator import DemoFiles, generate

__all__ = ["DemoFiles", "generate"]
