"""Read-only, hardened zip reader: one hostile entry is one anomaly, never an exception for the archive."""

from agentzip.validator.zip.reader import MAX_CD_BYTES, MAX_ENTRIES, READ_BUDGET, ZipArchive
from agentzip.validator.zip.records import DEFLATED, METHOD_NAMES, STORED, Anomaly, ZipEntry, decode_name

__all__ = [
    "DEFLATED",
    "MAX_CD_BYTES",
    "MAX_ENTRIES",
    "METHOD_NAMES",
    "READ_BUDGET",
    "STORED",
    "Anomaly",
    "ZipArchive",
    "ZipEntry",
    "decode_name",
]
