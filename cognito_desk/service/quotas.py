"""Request-rate quotas of the embedded service: token buckets per operation, refused as AWS refuses them.

Owns :class:`QuotaTable` (the rates and bursts in force: AWS's defaults from ``core.quotas``, or a lab's own
from a TOML file), :func:`quota_table` (reads the ``--quotas aws|off|FILE`` value of ``cognito-desk serve``
and of a Local connection), and :class:`RateLimiter`, the token buckets ``app.py`` asks before a
cognito-identity operation runs. A service instance is one AWS account in one Region, as AWS's quotas are,
so there is one bucket per operation. A bucket holds ``burst`` tokens (default: one second's worth of the
rate, at least 1) and refills continuously at ``rate`` per second; a request takes one token, and a request
finding none is answered as AWS answers it: HTTP 400, ``{"__type": "TooManyRequestsException", "message":
"Rate exceeded"}`` with ``x-amzn-ErrorType: TooManyRequestsException:`` (429 with ``--model-status-codes``),
before its body is even decoded. STS and IAM are not limited.

Quota file (TOML), every part optional::

    start = "aws"          # "aws" (default): AWS's defaults, changed by [operations]; "none": only what is listed
    [operations]
    GetId = 50                                  # requests per second; burst = one second's worth
    ListIdentities = { rate = 1, burst = 5 }    # a bucket of 5, refilled at 1 per second
    DescribeIdentityPool = "off"                # not limited
    TagResource = { rate = 0, burst = 0 }       # every request refused (to see how a client copes)
"""

from __future__ import annotations

import difflib
import time
import tomllib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from ..core import errors
from ..core.quotas import AWS_REQUEST_QUOTAS

#: AWS's message for a throttled cognito-identity request.
RATE_EXCEEDED = "Rate exceeded"


class QuotaFileError(ValueError):
    """A quota file that cannot be used; the message names the file, the entry and what is wrong."""


@dataclass(frozen=True)
class Quota:
    rate: float
    burst: float

    @classmethod
    def per_second(cls, rate: float) -> Quota:
        return cls(rate, max(rate, 1.0))


@dataclass(frozen=True)
class QuotaTable:
    """The quotas in force, operation → :class:`Quota`; operations not listed are not limited."""

    quotas: Mapping[str, Quota]
    #: Where the values come from: ``aws`` or the quota file's path (for the log and the serve banner).
    source: str = "aws"

    @classmethod
    def aws(cls) -> QuotaTable:
        return cls({operation: Quota.per_second(rate) for operation, rate in AWS_REQUEST_QUOTAS.items()})


def quota_table(spec: str) -> QuotaTable | None:
    """The table ``spec`` names: ``off`` (or empty) → None, ``aws`` → AWS's defaults, else a quota file's path."""
    value = spec.strip()
    if value in ("", "off"):
        return None
    if value == "aws":
        return QuotaTable.aws()
    return read_quota_file(Path(value).expanduser())


def _number(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise QuotaFileError(f"{where}: must be a number of requests per second, 0 or more, not {value!r}")
    return float(value)


def _quota(value: object, where: str) -> Quota | None:
    if value == "off":
        return None
    if isinstance(value, dict):
        unknown = sorted(set(value) - {"rate", "burst"})
        if unknown or "rate" not in value:
            raise QuotaFileError(f"{where}: a table takes 'rate' (required) and 'burst'"
                                 + (f"; unknown: {', '.join(unknown)}" if unknown else ""))
        rate = _number(value["rate"], f"{where}.rate")
        return Quota(rate, _number(value["burst"], f"{where}.burst")) if "burst" in value else Quota.per_second(rate)
    return Quota.per_second(_number(value, where))


def read_quota_file(path: Path) -> QuotaTable:
    """The table a quota file describes (format in the module docstring); raises :class:`QuotaFileError`."""
    try:
        document = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise QuotaFileError(f"{path}: cannot be read ({exc.strerror or exc})") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise QuotaFileError(f"{path}: not a TOML file ({exc})") from None
    unknown = sorted(set(document) - {"start", "operations"})
    if unknown:
        raise QuotaFileError(f"{path}: unknown setting {unknown[0]!r} (a quota file has 'start' and [operations])")
    start = document.get("start", "aws")
    if start not in ("aws", "none"):
        raise QuotaFileError(f"{path}: start must be \"aws\" or \"none\", not {start!r}")
    operations = document.get("operations", {})
    if not isinstance(operations, dict):
        raise QuotaFileError(f"{path}: operations must be a table ([operations])")
    quotas = dict(QuotaTable.aws().quotas) if start == "aws" else {}
    for operation, value in operations.items():
        where = f"{path}: operations.{operation}"
        if operation not in AWS_REQUEST_QUOTAS:
            close = difflib.get_close_matches(operation, AWS_REQUEST_QUOTAS, n=1)
            hint = f" (did you mean {close[0]}?)" if close else ""
            raise QuotaFileError(f"{where}: not a Cognito Identity operation{hint}")
        quota = _quota(value, where)
        if quota is None:
            quotas.pop(operation, None)
        else:
            quotas[operation] = quota
    return QuotaTable(quotas, str(path))


class _Bucket:
    __slots__ = ("quota", "tokens", "updated")

    def __init__(self, quota: Quota, now: float) -> None:
        self.quota, self.tokens, self.updated = quota, quota.burst, now

    def take(self, now: float) -> bool:
        self.tokens = min(self.quota.burst, self.tokens + (now - self.updated) * self.quota.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


class RateLimiter:
    """One token bucket per limited operation; :meth:`check` admits a request or raises AWS's throttling error.

    Used from the service's one event loop only (no locking needed).
    """

    def __init__(self, table: QuotaTable, clock: Callable[[], float] = time.monotonic) -> None:
        self.table = table
        self._clock = clock
        self._buckets: dict[str, _Bucket] = {}

    def check(self, operation: str) -> None:
        quota = self.table.quotas.get(operation)
        if quota is None:
            return
        now = self._clock()
        bucket = self._buckets.get(operation)
        if bucket is None:
            bucket = self._buckets[operation] = _Bucket(quota, now)
        if not bucket.take(now):
            raise errors.TooManyRequestsException(RATE_EXCEEDED, notes=(
                f"throttled: {operation} is limited to {quota.rate:g} requests per second "
                f"(burst {quota.burst:g}; quotas: {self.table.source})",))
