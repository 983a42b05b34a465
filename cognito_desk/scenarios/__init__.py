"""Qt-free login scenarios: files, expectations, run history and reports (issue 11).

Modules: :mod:`.model` (the TOML scenario file and its schema), :mod:`.references` (``env:`` / ``keyring:``
secret references; literal secrets refused), :mod:`.record` (what is kept of a run — never a secret),
:mod:`.history` (the SQLite run history), :mod:`.expectations` (checking a run against its scenario),
:mod:`.runner` (running scenarios on a connection through any user agent), :mod:`.reports` (JUnit XML, HTML,
JSON), :mod:`.compare` (two runs side by side) and :mod:`.cli` (``scenarios check`` and the run's output).
The headless browser that ``scenarios run`` drives lives in ``cognito_desk.ui.runner``.
"""
