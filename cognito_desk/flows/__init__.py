"""Qt-free sign-in flows: provider logins through a small user-agent protocol, then the Cognito exchange."""
