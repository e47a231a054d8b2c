"""Read the dbt marts (`marts.*`) into `Packet`s: one read-only DuckDB handle, a cursor per call."""

import json
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

import duckdb
from pydantic import BaseModel, ConfigDict

from generator.origin import Origin, checked_origin
from generator.packet import SECTIONS, Packet, Section
from generator.sections import PACKET_SECTIONS, SECTION_BY_NAME, PacketSection

PATIENT_COLUMNS = ("gender", "anchor_age", "anchor_year", "anchor_year_group", "age_at_admission", "age_deidentified")
ADMISSION_COLUMNS = (
    "admittime",
    "dischtime",
    "deathtime",
    "admission_type",
    "admit_provider_id",
    "admission_location",
    "discharge_location",
    "insurance",
    "language",
    "marital_status",
    "race",
    "edregtime",
    "edouttime",
    "hospital_expire_flag",
    "n_discharge_notes",
)
HEADER_COLUMNS = ", ".join(
    ("subject_id", "hadm_id", "patient_eid", "admission_eid", "has_discharge_note")
    + PATIENT_COLUMNS
    + ADMISSION_COLUMNS
)


class WarehouseError(Exception):
    """The warehouse is missing or does not hold what was asked for; the message says what to do."""


class AdmissionRef(BaseModel):
    """One admission of a patient, as listed by `Warehouse.admissions`."""

    model_config = ConfigDict(frozen=True)

    hadm_id: int
    admittime: datetime
    dischtime: datetime | None
    has_discharge_note: bool


class Warehouse:
    """The marts of one warehouse file, opened read-only on first use; safe to share between threads.

    Opening the file costs about 25 ms, a packet read a few ms, so the handle stays open until `close()` (or
    the end of a `with` block). A build swaps in a new file by rename; an open handle keeps reading the old one.
    """

    def __init__(self, db_path: Path):
        self.db_path = Path(db_path)
        self._database: duckdb.DuckDBPyConnection | None = None
        self._opening = threading.Lock()

    def __enter__(self) -> "Warehouse":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        with self._opening:
            if self._database is not None:
                self._database.close()
                self._database = None

    def data_origin(self) -> str:
        return self.origin().data_origin

    def origin(self) -> Origin:
        """The build's data origin checked against the content (`generator.origin`): 'synthetic' only when the
        build says so and the lowest and highest patient and admission ids (so all) are synthetic ones."""
        with self._connect() as con:
            label = self._build_info(con)["data_origin"]
            low_subject, high_subject, low_hadm, high_hadm = con.execute(
                "select min(subject_id), max(subject_id), min(hadm_id), max(hadm_id) from marts.mart_admissions"
            ).fetchone()
        return checked_origin(
            label,
            subject_ids=[i for i in (low_subject, high_subject) if i is not None],
            hadm_ids=[i for i in (low_hadm, high_hadm) if i is not None],
        )

    def build_info(self) -> dict:
        """The build's data origin, versions, caps (section -> cap) and vars, and build time."""
        with self._connect() as con:
            return self._build_info(con)

    def _build_info(self, con: duckdb.DuckDBPyConnection) -> dict:
        rows = _fetch(con, "select * from marts.mart_build_info")
        if len(rows) != 1:
            raise WarehouseError(f"{self.db_path} has no build record: rebuild it with `mimicbench build`.")
        info = dict(rows[0])
        info["caps"] = json.loads(info.pop("caps_json"))
        info["vars"] = json.loads(info.pop("vars_json"))
        return info

    def admissions(self, subject_id: int) -> list[AdmissionRef]:
        """The patient's admissions ordered by (admittime, hadm_id)."""
        rows = self._query(
            "select hadm_id, admittime, dischtime, has_discharge_note from marts.mart_admissions"
            " where subject_id = ? order by admittime, hadm_id",
            [subject_id],
        )
        if not rows:
            raise WarehouseError(
                f"subject_id {subject_id} has no admission in {self.db_path}: pick one from the cohort."
            )
        return [AdmissionRef(**row) for row in rows]

    def packet(self, hadm_id: int, caps: Mapping[str, int | None] | None = None) -> Packet:
        """The admission's packet; `caps` (section -> cap, None = uncapped) override the build's caps.

        Reads the long `marts.mart_packet_<section>` tables (sorted by hadm_id, so a read stays in milliseconds)
        and keeps the rows that the build's cap rule, the warehouse's SQL macro `marts.cap_keeps`
        (macros/caps.sql), keeps under the effective caps (see `_rows_sql`); rows stay in `seq` (time) order. So a
        packet read with caps C equals the packet of a build run with caps C (tests/test_warehouse.py proves it).

        Two things halve the read's CPU time (19 statements per packet): the rows are put in `seq` order here
        (unique per admission, a data test checks it) because an `order by` costs DuckDB about 0.4 ms per
        statement, more than sorting in Python; and hadm_id and the caps are written into the SQL as whole numbers
        because a bound parameter makes DuckDB try to import pandas on every statement.
        """
        hadm = f"{hadm_id:d}"
        with self._connect() as con:
            info = self._build_info(con)
            effective = {**info["caps"], **self._checked_caps(caps)}
            header = _fetch(con, f"select {HEADER_COLUMNS} from marts.mart_admissions where hadm_id = {hadm}")
            if not header:
                raise WarehouseError(
                    f"hadm_id {hadm_id} is not in {self.db_path}: list admissions with `admissions()`."
                )
            every_row = {
                section.name: sorted(
                    _fetch(con, _rows_sql(section, effective, info["caps"], hadm)), key=itemgetter("seq")
                )
                for section in PACKET_SECTIONS
            }
        record = header[0]
        sections = {name: _capped_section(rows, effective[name]) for name, rows in every_row.items()}
        return Packet(
            subject_id=record["subject_id"],
            hadm_id=record["hadm_id"],
            admittime=record["admittime"],
            dischtime=record["dischtime"],
            data_origin=checked_origin(
                info["data_origin"], subject_ids=[record["subject_id"]], hadm_ids=[record["hadm_id"]]
            ).data_origin,
            has_discharge_note=record["has_discharge_note"],
            patient={"eid": record["patient_eid"], **{c: record[c] for c in PATIENT_COLUMNS}},
            admission={"eid": record["admission_eid"], **{c: record[c] for c in ADMISSION_COLUMNS}},
            sections=sections,
        )

    def recapped(self, packet: Packet, caps: Mapping[str, int | None]) -> Packet:
        """`packet` under `caps` (section -> cap; missing = the packet's): what `packet(hadm_id, caps)` reads, for
        caps that keep no row the packet lacks (tighter ones, as fitting sets them), without reading rows again.

        One statement asks the cap rule (`marts.cap_keeps`, as in `_kept_sql`) which rows `caps` keep in the
        sections whose cap, or a parent section's, differs from the packet's; those sections keep those of their
        rows, in order, the others stay as they are. About a tenth of a packet read (one statement, not 20).
        """
        effective = {name: section.cap for name, section in packet.sections.items()} | self._checked_caps(caps)
        changed = [
            section
            for section in PACKET_SECTIONS
            if any(effective[member.name] != packet.sections[member.name].cap for member in _lineage(section))
        ]
        if not changed:
            return packet
        hadm = f"{packet.hadm_id:d}"
        selects = []
        for section in changed:
            joins, kept = _kept_sql(section, effective, hadm)
            selects.append(
                f"select '{section.name}' as section, s0.eid from marts.mart_packet_{section.name} as s0{joins}"
                f" where s0.hadm_id = {hadm} and {kept}"
            )
        with self._connect() as con:
            kept_rows = con.execute(" union all ".join(selects)).fetchall()
        kept_eids: dict[str, set[str]] = {section.name: set() for section in changed}
        for name, eid in kept_rows:
            kept_eids[name].add(eid)
        sections = dict(packet.sections)
        for section in changed:
            held = packet.sections[section.name]
            rows = [row for row in held.rows if row["eid"] in kept_eids[section.name]]
            if len(rows) < len(kept_eids[section.name]):
                raise WarehouseError(
                    f"caps {dict(caps)} keep {section.name} rows that the packet of hadm_id {packet.hadm_id} lacks: "
                    "read it with `packet(hadm_id, caps)` instead."
                )
            sections[section.name] = Section(
                rows_seen=held.rows_seen,
                rows_kept=len(rows),
                truncated=len(rows) < held.rows_seen,
                cap=effective[section.name],
                rows=rows,
            )
        return packet.model_copy(update={"sections": sections})

    def unlinked_notes(self, hadm_id: int) -> list[dict]:
        """Notes without a hadm_id that the admission's padded window holds, by (charttime, note_id)."""
        self._require_admission(hadm_id)
        return self._query(
            "select * from marts.mart_notes_unlinked where hadm_id = ? order by charttime, note_id", [hadm_id]
        )

    def cohort(self, limit: int | None = None) -> list[dict]:
        """mart_cohort rows by rank (most admissions first, ties by subject_id)."""
        sql = "select * from marts.mart_cohort order by cohort_rank"
        return self._query(sql + " limit ?", [limit]) if limit is not None else self._query(sql)

    @staticmethod
    def _checked_caps(caps: Mapping[str, int | None] | None) -> dict[str, int | None]:
        for section, cap in (caps or {}).items():
            if section not in SECTIONS:
                raise WarehouseError(f"unknown packet section {section!r}: use one of {', '.join(SECTIONS)}.")
            if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 0):
                raise WarehouseError(f"cap for {section} is {cap!r}: give a whole number >= 0, or None for no cap.")
        return dict(caps or {})

    def _require_admission(self, hadm_id: int) -> None:
        if not self._query("select 1 from marts.mart_admissions where hadm_id = ?", [hadm_id]):
            raise self._unknown_admission(hadm_id)

    def _unknown_admission(self, hadm_id: int) -> WarehouseError:
        return WarehouseError(
            f"hadm_id {hadm_id} is not in {self.db_path}: pick one from `admissions(subject_id)` or the cohort."
        )

    def _query(self, sql: str, params: list[Any] | None = None) -> list[dict]:
        with self._connect() as con:
            return _fetch(con, sql, params)

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        """A cursor on the shared read-only handle, closed afterwards; DuckDB errors become WarehouseError."""
        try:
            cursor = self._open().cursor()
            try:
                yield cursor
            finally:
                cursor.close()
        except duckdb.CatalogException as error:
            raise WarehouseError(
                f"{self.db_path} lacks the marts ({error}): rebuild it with `mimicbench build`."
            ) from error

    def _open(self) -> duckdb.DuckDBPyConnection:
        with self._opening:
            if self._database is None:
                if not self.db_path.is_file():
                    raise WarehouseError(f"no warehouse at {self.db_path}: run `mimicbench build` first.")
                try:
                    self._database = duckdb.connect(str(self.db_path), read_only=True)
                except duckdb.Error as error:
                    raise WarehouseError(
                        f"cannot open {self.db_path} ({error}): wait for a running build to finish, or rebuild it."
                    ) from error
                self._database.execute("set threads = 1")  # point reads: one thread beats the hand-off cost
            return self._database


def _fetch(con: duckdb.DuckDBPyConnection, sql: str, params: list[Any] | None = None) -> list[dict]:
    """Run one query and fetch every row as a dict."""
    cursor = con.execute(sql, params or [])
    names = [column[0] for column in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def _lineage(section: PacketSection) -> list[PacketSection]:
    """The section and its chain of parents, the section first."""
    lineage = [section]
    while lineage[-1].parent is not None:
        lineage.append(SECTION_BY_NAME[lineage[-1].parent])
    return lineage


def _kept_sql(section: PacketSection, caps: Mapping[str, int | None], hadm: str) -> tuple[str, str]:
    """The joins onto the section's parents (`s1`, `s2`, ...) and the expression that says whether a row (`s0`) is
    kept: `marts.cap_keeps` under `caps`, down the chain of parents (a row is kept only when its parent row is
    kept), as the build evaluates it for `is_kept`."""
    lineage = _lineage(section)
    kept = "true"
    for depth in reversed(range(len(lineage))):
        cap = caps[lineage[depth].name]
        kept = f"marts.cap_keeps(s{depth}.keep_priority, {'null' if cap is None else f'{cap:d}'}, {kept})"
    joins = "".join(
        f" inner join marts.mart_packet_{lineage[depth].name} as s{depth}"
        f" on s{depth}.hadm_id = {hadm} and s{depth}.eid = s{depth - 1}.parent_eid"
        for depth in range(1, len(lineage))
    )
    return joins, kept


def _rows_sql(section: PacketSection, caps: Mapping[str, int | None], built_caps: Mapping[str, int], hadm: str) -> str:
    """The admission's rows of a section, each with `kept` (`_kept_sql`).

    Where every cap on the section's chain of parents is the build's, the build's result (`is_kept`) is read
    instead: evaluating the rule again would cost a join per parent (about 2 ms each) for the same answer.
    """
    if all(caps[member.name] == built_caps[member.name] for member in _lineage(section)):
        joins, kept = "", "s0.is_kept"
    else:
        joins, kept = _kept_sql(section, caps, hadm)
    return (
        f"select s0.* exclude (subject_id, hadm_id, is_kept), {kept} as kept"
        f" from marts.mart_packet_{section.name} as s0{joins} where s0.hadm_id = {hadm}"
    )


def _capped_section(rows: list[dict], cap: int | None) -> Section:
    """A Section of the rows whose `kept` flag is set (the flag is dropped), counting every row as seen."""
    kept = [row for row in rows if row.pop("kept")]
    return Section(rows_seen=len(rows), rows_kept=len(kept), truncated=len(kept) < len(rows), cap=cap, rows=kept)
