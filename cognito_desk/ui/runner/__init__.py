"""The headless scenario runner (``cognito-desk scenarios run``): scenarios driven in offscreen QtWebEngine."""
