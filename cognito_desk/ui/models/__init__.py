"""Qt item models over plain Python rows (each checked with pytest-qt's qtmodeltester)."""
