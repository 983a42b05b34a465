"""cognito-desk: a desktop app and embedded local service for Amazon Cognito identity pools."""

__version__ = "0.1.0"
__all__ = ["__version__"]
