"""Qt-free backend connections: the clients of one connection profile, and the embedded service it may need."""
