"""Developer tools, outside the product package: benchmarks, synthetic warehouses, parse-result factories
for tests, and the rules' measurement scripts. Nothing under etl/, dashboard/ or pages/ imports this."""
