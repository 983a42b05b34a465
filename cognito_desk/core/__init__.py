"""Qt-free domain shared by the service, the client layer and the UI."""
