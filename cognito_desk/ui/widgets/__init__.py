"""Small shared widgets: the error banner, the busy overlay."""
