"""Reports: time totals over members' local days, as JSON, CSV or XLSX."""
