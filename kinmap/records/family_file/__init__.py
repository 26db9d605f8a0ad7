"""The kinmap family file: one JSON document carrying one or more family
networks with their people, relationships, households, care arrangements and
parental responsibility, each fact with its provenance, and (version 2) the
family's history: gaps with every step, contacts, supervisors' decisions,
information requests and sharing decisions (docs/family-file.md; the history
is in the ``history_*`` modules).

- :mod:`.schema` declares the format as pydantic models; :mod:`.document`
  reads the JSON with the limits untrusted input needs.
- :func:`family_file_read` parses and checks a file. Every problem is reported,
  each naming the record and field at fault
  (``people[3] (id "p4"): birth_date: "2025-13-01" is not a date (use YYYY-MM-DD)``).
- :func:`family_file_import` loads a checked file all or nothing, in one
  transaction, through the record services (so the core validations apply and
  every change is audited), and adds one ``import`` audit event for the file.
- :func:`family_file_export` writes the same format from the database, in a
  stable order with ids derived from it, so export, import and export again
  gives the identical file.
"""

from .document import (
    FORMAT_KEY,
    FORMAT_VERSION,
    MASKED_INCLUDED,
    MASKED_WITHHELD,
    MAX_DEPTH,
    MAX_FILE_BYTES,
    MAX_NUMBER_CHARS,
    FamilyFileError,
    Issue,
    json_document_load,
)
from .export import Export, family_file_export, family_file_export_audited
from .import_ import ImportResult, family_file_import, sha256_of
from .read import family_file_read, shift_dates
from .records import FamilyFile

__all__ = [
    "FORMAT_KEY",
    "FORMAT_VERSION",
    "MASKED_INCLUDED",
    "MASKED_WITHHELD",
    "MAX_DEPTH",
    "MAX_FILE_BYTES",
    "MAX_NUMBER_CHARS",
    "Export",
    "FamilyFile",
    "FamilyFileError",
    "ImportResult",
    "Issue",
    "family_file_export",
    "family_file_export_audited",
    "family_file_import",
    "family_file_read",
    "json_document_load",
    "sha256_of",
    "shift_dates",
]
