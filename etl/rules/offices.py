"""Office registry: CSV import (upsert into ``offices``, merging inferred offices whose names are aliases),
re-linking reports to offices, inference of unit type / region for offices without a registry row, and
the ``office_dim`` view (level, is_region_summary, is_district …)."""
from __future__ import annotations

import csv
import re
from pathlib import Path

from . import naming

CSV_COLUMNS = ("name", "aliases", "parent", "region_path", "unit_type", "report_kind", "expected_years")

VIEWS = """
CREATE OR REPLACE VIEW office_dim AS
SELECT o.*,
  CASE WHEN o.unit_type = 'township' THEN 'township'
       WHEN o.district IS NOT NULL THEN 'county'
       WHEN o.city IS NOT NULL THEN 'city'
       WHEN o.province IS NOT NULL THEN 'province' END AS level,
  coalesce(o.report_kind = 'region_summary', false) AS is_region_summary,
  -- a district/county is a county-level government (its own report or its region summary);
  -- departments, townships and development zones never count as districts
  coalesce(o.unit_type = 'government' AND o.district IS NOT NULL, false) AS is_district,
  coalesce(o.unit_type IN ('department', 'general_office'), false) AS is_department,
  coalesce(o.unit_type = 'township', false) AS is_township,
  coalesce(o.unit_type = 'dev_zone', false) AS is_dev_zone
FROM offices o;

-- a region summary is never added to its parts: dashboard.filters.Filters.sum_ok is that rule, once
DROP VIEW IF EXISTS report_dim;
"""


def ensure_views(con) -> None:
    con.execute(VIEWS)


def parse_years(spec: str | None) -> list[int]:
    """'2019-2025' / '2019,2021' / '2019-2020;2022' -> years."""
    out: list[int] = []
    for part in re.split(r"[;,，、\s]+", spec or ""):
        if not part:
            continue
        m = re.fullmatch(r"(\d{4})\s*[-–~至]\s*(\d{4})", part)
        if m:
            out.extend(range(int(m.group(1)), int(m.group(2)) + 1))
        elif re.fullmatch(r"\d{4}", part):
            out.append(int(part))
    return sorted(set(out))


def _region_cols(region_path: str | None, unit_type: str | None):
    parts = [p for p in (region_path or "").split("/") if p]
    prov = parts[0] if parts else None
    city = parts[1] if len(parts) > 1 else None
    district = parts[2] if len(parts) > 2 else None
    if unit_type == "dev_zone" and len(parts) > 2 and not re.search(r"(区|县|旗|市)$", parts[2]) or \
            (unit_type == "dev_zone" and district and naming.unit_type_of(district)[0] == "dev_zone"):
        district = None
    return prov, city, district


def import_registry(con, csv_path: str | Path) -> dict:
    """Upsert the registry CSV into ``offices`` (source='registry') and re-link reports."""
    with open(csv_path, encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    if rows and "name" not in rows[0]:
        raise ValueError(f"{csv_path}: missing column 'name' (columns: {', '.join(CSV_COLUMNS)})")
    stats = {"rows": 0, "inserted": 0, "updated": 0, "merged": 0}
    con.execute("BEGIN TRANSACTION")
    try:
        for row in rows:
            name = (row.get("name") or "").strip()
            if not name:
                continue
            stats["rows"] += 1
            aliases = [a.strip() for a in re.split(r"[;；]", row.get("aliases") or "") if a.strip() and a.strip() != name]
            unit_type = (row.get("unit_type") or "").strip() or naming.unit_type_of(name)[0]
            prov, city, district = _region_cols(row.get("region_path"), unit_type)
            fields = dict(parent=(row.get("parent") or "").strip() or None,
                          region_path=(row.get("region_path") or "").strip() or None,
                          province=prov, city=city, district=district, unit_type=unit_type,
                          report_kind=(row.get("report_kind") or "").strip() or None,
                          expected_years=(row.get("expected_years") or "").strip() or None)
            names = [name] + aliases
            found = con.execute(
                "SELECT office_id, name, coalesce(aliases, []), source FROM offices "
                "WHERE list_contains(?, name) OR len(list_intersect(coalesce(aliases, []), ?)) > 0 ORDER BY office_id",
                [names, names]).fetchall()
            # never merge two registry offices; inferred ones whose names match are folded in
            same = [f for f in found if f[1] == name]
            others = [f for f in found if f[1] != name and f[3] != "registry"]
            keep = same[0] if same else (others.pop(0) if others else None)
            all_alias = set(aliases)
            for f in ([keep] if keep else []) + others:
                all_alias.update([f[1]] + list(f[2]))
            all_alias.discard(name)
            if keep is None:
                con.execute(
                    "INSERT INTO offices (name, aliases, parent, region_path, province, city, district, unit_type, "
                    "report_kind, expected_years, source, confidence) VALUES (?,?,?,?,?,?,?,?,?,?, 'registry', 1.0)",
                    [name, sorted(all_alias), *fields.values()])
                stats["inserted"] += 1
                continue
            oid = keep[0]
            for f in others:
                con.execute("UPDATE reports SET office_id = ? WHERE office_id = ?", [oid, f[0]])
                con.execute("DELETE FROM offices WHERE office_id = ?", [f[0]])
                for t in ("findings", "report_scores", "office_scores"):
                    if _has_table(con, t):
                        con.execute(f"UPDATE {t} SET office_id = ? WHERE office_id = ?", [oid, f[0]])
                stats["merged"] += 1
            con.execute(
                "UPDATE offices SET name = ?, aliases = ?, parent = ?, region_path = ?, province = ?, city = ?, "
                "district = ?, unit_type = ?, report_kind = ?, expected_years = ?, source = 'registry', "
                "confidence = 1.0 WHERE office_id = ?", [name, sorted(all_alias), *fields.values(), oid])
            stats["updated"] += 1
        stats["relinked"] = relink_reports(con)
        con.execute("COMMIT")
    except BaseException:
        from ..warehouse import rollback
        rollback(con)  # keep the real error (a failed write may have ended the transaction)
        raise
    ensure_views(con)
    return stats


def _has_table(con, name: str) -> bool:
    return con.execute("SELECT 1 FROM information_schema.tables WHERE table_name = ?", [name]).fetchone() is not None


def name_map(con) -> dict[str, int]:
    """Printed name -> office id: registry names, then registry aliases, then inferred names/aliases."""
    out: dict[str, int] = {}
    rows = con.execute("SELECT office_id, name, coalesce(aliases, []), source FROM offices "
                       "ORDER BY source <> 'registry', office_id").fetchall()
    for oid, name, _, _ in rows:
        out.setdefault(name, oid)
    for oid, _, aliases, _ in rows:
        for a in aliases:
            out.setdefault(a, oid)
    return out


def registry_map(con) -> dict[str, int]:
    """Registry names and aliases -> office id (names win over aliases)."""
    out: dict[str, int] = {}
    rows = con.execute("SELECT office_id, name, coalesce(aliases, []) FROM offices WHERE source = 'registry' "
                       "ORDER BY office_id").fetchall()
    for oid, name, _ in rows:
        out.setdefault(name, oid)
    for oid, _, aliases in rows:
        for a in aliases:
            out.setdefault(a, oid)
    return out


def resolve(name: str | None, nm: dict[str, int], reg: dict[str, int]) -> int | None:
    """Office id for a printed name: exact name/alias; else the longest registry name or alias the printed
    name ends with (page furniture such as breadcrumbs or page numbers glued before the name); else the one
    registry name that ends with the printed short name; else the longest registry name (>= 4 characters)
    it contains."""
    if not name:
        return None
    n = re.sub(r"\s+", "", name)
    if n in reg:
        return reg[n]
    for i in range(len(n) - 1):
        if n[i:] in reg:
            return reg[n[i:]]
    if len(n) >= 4:
        # a short name the office uses for itself (洪泽区人民政府 for 淮安市洪泽区人民政府): the one registry
        # name it ends, when only one office's names end with it
        owners = {oid for full, oid in reg.items() if full.endswith(n)}
        if len(owners) == 1:
            return owners.pop()
    best = None
    for i in range(len(n)):
        for j in range(len(n), i + 3, -1):
            if n[i:j] in reg and (best is None or j - i > best[0]):
                best = (j - i, reg[n[i:j]])
                break
    if best:
        return best[1]
    return nm.get(name)


def relink_reports(con, report_ids=None) -> int:
    """Point reports at the office their printed name resolves to (registry first); returns #changed.
    A report whose printed name is missing or unknown is tried by its title, then by its file name, against
    the registry."""
    nm = name_map(con)
    reg = registry_map(con)
    if report_ids is None:
        rows = con.execute("SELECT report_id, office_name, office_id, title, source_path FROM reports").fetchall()
    else:
        rows = con.execute("SELECT report_id, office_name, office_id, title, source_path FROM reports "
                           "WHERE report_id IN (SELECT unnest($ids))", {"ids": list(report_ids)}).fetchall()
    changes = []
    for rid, n, oid, title, path in rows:
        new = None
        if reg:
            if n and (n in reg or n not in nm or nm.get(n) not in set(reg.values())):
                new = resolve(n, {}, reg)
            elif n:
                new = nm.get(n)
            if new is None and (n is None or n not in nm or oid is None or oid not in set(reg.values())):
                stem = Path(path or "").stem
                new = resolve(title, {}, reg) if title else None
                new = new if new is not None else (resolve(stem, {}, reg) if stem else None)
        if new is None and n:
            new = nm.get(n)
        if new is not None and new != oid:
            changes.append((new, rid))
    if changes:
        con.executemany("UPDATE reports SET office_id = ? WHERE report_id = ?", changes)
    # inferred offices left without reports are dropped (they were variants now resolved)
    con.execute("DELETE FROM offices WHERE source = 'inferred' AND office_id NOT IN "
                "(SELECT DISTINCT office_id FROM reports WHERE office_id IS NOT NULL)")
    return len(changes)


def fill_inferred(con) -> int:
    """Infer unit type and region for offices that have none (no registry row)."""
    rows = con.execute(
        "SELECT o.office_id, o.name, any_value(r.title) FROM offices o LEFT JOIN reports r USING (office_id) "
        "WHERE o.unit_type IS NULL GROUP BY o.office_id, o.name").fetchall()
    for oid, name, title in rows:
        inf = naming.infer(name, title)
        con.execute("UPDATE offices SET unit_type = ?, province = coalesce(province, ?), city = coalesce(city, ?), "
                    "district = coalesce(district, ?), region_path = coalesce(region_path, ?), confidence = ? "
                    "WHERE office_id = ?",
                    [inf.unit_type, inf.province, inf.city, inf.district if inf.unit_type != "dev_zone" else None,
                     inf.region_path, inf.confidence, oid])
    return len(rows)


def office_contexts(con) -> dict[int, dict]:
    """office_id -> facts the rules use (unit_type, level, province, report_kind, ...)."""
    ensure_views(con)
    cols = ["office_id", "name", "unit_type", "level", "province", "report_kind", "expected_years", "source",
            "confidence"]
    return {r[0]: dict(zip(cols, r)) for r in con.execute(f"SELECT {', '.join(cols)} FROM office_dim").fetchall()}
