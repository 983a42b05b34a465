"""The embedded Cognito Identity-compatible service (Starlette app + uvicorn)."""
