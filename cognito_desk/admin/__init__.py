"""Qt-free administration logic behind the desktop screens.

What a form holds, whether it is valid and what a save would send live here, testable without a
QApplication; the widgets in ``cognito_desk.ui`` only show and forward.
"""
