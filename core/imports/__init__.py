"""Imports of customers, vehicles and cards from CSV, XLSX and XLS: readers, column mapping, and the engine
(dry run, resumable batched run, error report). See `core.imports.engine`."""
