"""ETL for 政府信息公开工作年度报告: extract → parse → warehouse (DuckDB) → compliance → marts."""
PARSER_VERSION = "0.1.0"
