"""Deterministic demo corpus: a fictional province (示例省) whose offices publish 政府信息公开工作年度报告
in every input format the ETL accepts, with ground truth for every document.

Everything here is invented (示例数据). Entry points: ``python -m etl demo --out DIR`` and
``python -m etl eval DIR`` (see :mod:`etl.demo.cli`).
"""
