"""Chinese labels of data codes that the ETL's own outputs (the 通报) print as well as the dashboard.
Defined here, below both; dashboard/fmt.py re-exports them with the rest of the interface's labels."""
from __future__ import annotations

UNIT_TYPES = {"government": "人民政府", "general_office": "政府办公室", "department": "政府部门",
              "township": "乡镇/街道", "dev_zone": "开发区", "other": "其他"}
SEVERITY = {"E": "错误", "W": "警告"}
