"""Qt-free login scenarios: files, expectations, run history and reports."""
