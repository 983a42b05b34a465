"""The one IAM policy evaluator (identity-based and session policies) shared by the service and the app.

:mod:`.patterns` wildcards and ARNs, :mod:`.conditions` the condition operators (also used by
``core.policy`` for trust policies), :mod:`.variables` policy-variable substitution, :mod:`.document`
parsing, :mod:`.evaluate` the decision and its explanation, :mod:`.identity` the request context of a
Cognito identity's credentials.
"""

from .evaluate import ALLOWED, EXPLICIT_DENY, IMPLICIT_DENY, Evaluation, Policy, Request, evaluate

__all__ = ["ALLOWED", "EXPLICIT_DENY", "IMPLICIT_DENY", "Evaluation", "Policy", "Request", "evaluate"]
