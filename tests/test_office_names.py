"""The office a report names, through page furniture and short names, ends up as the registry's office."""
import os
import subprocess
import sys
from pathlib import Path

import duckdb

from devtools.report_fixtures import render_text

ROOT = Path(__file__).resolve().parents[1]


def _run(*args):
    subprocess.run([sys.executable, "-m", "etl", *args], check=True, cwd=ROOT, capture_output=True, timeout=600,
                   env={**os.environ, "GKJB_OCR": "0"})


def test_short_name_and_field_label_resolve_to_the_registry_office(tmp_path):
    reg = tmp_path / "offices.csv"
    reg.write_text("name,aliases,parent,region_path,unit_type,report_kind,expected_years\n"
                   "淮川市洪泽区人民政府,,淮川市人民政府,示例省/淮川市/洪泽区,government,gov_self,2023-2024\n"
                   "淮川市淮阴区人民政府,,淮川市人民政府,示例省/淮川市/淮阴区,government,gov_self,2023-2024\n",
                   encoding="utf-8")
    docs = tmp_path / "docs"
    docs.mkdir()
    # an archived page: a field label before the title, the office under its short name
    text = render_text("2021", "tsv", office="洪泽区人民政府", year=2023)
    first, rest = text.split("\n", 1)
    (docs / "a.txt").write_text("标题：" + first + "\n发布机构：\n" + rest, encoding="utf-8")
    db = tmp_path / "w.duckdb"
    _run("offices", "import", str(reg), "--db", str(db))
    _run("ingest", str(docs), "--db", str(db))
    con = duckdb.connect(str(db), read_only=True)
    row = con.execute("SELECT r.office_name, o.name, o.source FROM reports r JOIN offices o USING (office_id)").fetchall()
    assert row == [("洪泽区人民政府", "淮川市洪泽区人民政府", "registry")]
    # no office named after the label or a fragment was created
    assert con.execute("SELECT count(*) FROM offices WHERE name LIKE '%标题%' OR source = 'inferred'").fetchone()[0] == 0
