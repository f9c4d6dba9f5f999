"""The history file's tables, and how an older file is brought up to date.

`PRAGMA application_id` = APPLICATION_ID marks a file this toolkit made;
`PRAGMA user_version` = SCHEMA_VERSION is the layout below. A file of an
older layout is brought up to date, in one transaction, by the scripts of
MIGRATIONS from its version on; a newer one is refused untouched.

    info(key PRIMARY KEY, value)               `region`: whose history this is
    merges(id PRIMARY KEY, period, year, quarter, version, recorded_at, command,
           user, host, region, register_file, register_sha256, digest, changes)
                                               one row per version; UNIQUE(period, version);
                                               a period's current version is its highest
    rows(merge_id, position, id, matter, name, annual_target, quarter_target,
         lead, co, progress, plan, evaluation, status)      the 一览表's rows
    entries(merge_id, project_id, unit, progress, plan, evaluation, evaluation_typed)
    returns(merge_id, unit, status, file, sha256, received, errors, warnings)
    findings(merge_id, position, code, level, unit, project_id, file, message)

`rows`, `entries`, `returns` and `findings` refer to `merges.id`. Texts are
stored as merged; `recorded_at` is local time in ISO 8601; `changes` is
JSON (toolkit.history.changes); `digest` tells a merge that came to the
same result (toolkit.history.records.Content.digest).
"""

from __future__ import annotations

from toolkit.forms.identity import HISTORY_APPLICATION_ID

APPLICATION_ID = HISTORY_APPLICATION_ID
SCHEMA_VERSION = 1

_SCHEMA_V1 = """
CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE merges (
    id INTEGER PRIMARY KEY,
    period TEXT NOT NULL,
    year INTEGER NOT NULL,
    quarter INTEGER NOT NULL,
    version INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    command TEXT NOT NULL,
    user TEXT NOT NULL,
    host TEXT NOT NULL,
    region TEXT NOT NULL,
    register_file TEXT NOT NULL,
    register_sha256 TEXT NOT NULL,
    digest TEXT NOT NULL,
    changes TEXT NOT NULL,
    UNIQUE (period, version)
);
CREATE TABLE rows (
    merge_id INTEGER NOT NULL REFERENCES merges(id),
    position INTEGER NOT NULL,
    id TEXT NOT NULL,
    matter TEXT NOT NULL,
    name TEXT NOT NULL,
    annual_target TEXT NOT NULL,
    quarter_target TEXT NOT NULL,
    lead TEXT NOT NULL,
    co TEXT NOT NULL,
    progress TEXT NOT NULL,
    plan TEXT NOT NULL,
    evaluation TEXT NOT NULL,
    status TEXT NOT NULL,
    PRIMARY KEY (merge_id, id)
);
CREATE TABLE entries (
    merge_id INTEGER NOT NULL REFERENCES merges(id),
    project_id TEXT NOT NULL,
    unit TEXT NOT NULL,
    progress TEXT NOT NULL,
    plan TEXT NOT NULL,
    evaluation TEXT,
    evaluation_typed TEXT NOT NULL,
    PRIMARY KEY (merge_id, project_id, unit)
);
CREATE TABLE returns (
    merge_id INTEGER NOT NULL REFERENCES merges(id),
    unit TEXT NOT NULL,
    status TEXT NOT NULL,
    file TEXT,
    sha256 TEXT,
    received TEXT,
    errors INTEGER NOT NULL,
    warnings INTEGER NOT NULL,
    PRIMARY KEY (merge_id, unit)
);
CREATE TABLE findings (
    merge_id INTEGER NOT NULL REFERENCES merges(id),
    position INTEGER NOT NULL,
    code TEXT NOT NULL,
    level TEXT NOT NULL,
    unit TEXT,
    project_id TEXT,
    file TEXT,
    message TEXT NOT NULL,
    PRIMARY KEY (merge_id, position)
);
CREATE INDEX entries_by_project ON entries (project_id);
"""

# user_version reached -> the script that brings a store from the version before to it.
MIGRATIONS: dict[int, str] = {1: _SCHEMA_V1}
