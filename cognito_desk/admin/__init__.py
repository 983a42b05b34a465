"""Qt-free administration logic behind the desktop screens: what a form holds, whether it is valid, what a save sends."""
