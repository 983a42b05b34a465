"""Where each backend service lives and how requests to it are signed.

An :class:`Endpoint` names one service's base URL, its SigV4 signing name and signing region. An
:class:`Endpoints` bundle holds the three services the app talks to (cognito-identity, STS, IAM),
built either for real AWS in one region (:func:`aws_endpoints`: regional hosts, the partition's DNS
suffix, IAM's global endpoint signed for the partition's home region) or for one custom base URL that
serves all three (:func:`custom_endpoints`: the embedded service, moto server, LocalStack), signed for
the region the user chose.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

COGNITO_IDENTITY = "cognito-identity"
STS = "sts"
IAM = "iam"
COGNITO_IDP = "cognito-idp"

_REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")


@dataclass(frozen=True)
class Endpoint:
    """One service's base URL (requests go to its path ``/``), SigV4 signing region and name."""

    url: str
    signing_region: str
    service: str


@dataclass(frozen=True)
class Endpoints:
    """The endpoints of one backend connection."""

    cognito_identity: Endpoint
    sts: Endpoint
    iam: Endpoint
    #: The user-pool API (``cognito-idp``); None where the connection has none (a Local profile without a
    #: user pool endpoint).
    cognito_idp: Endpoint | None = None


@dataclass(frozen=True)
class _Partition:
    dns_suffix: str
    iam_host: str
    iam_region: str


def _partition(region: str) -> _Partition:
    if region.startswith("cn-"):
        return _Partition("amazonaws.com.cn", "iam.cn-north-1.amazonaws.com.cn", "cn-north-1")
    if region.startswith("us-gov-"):
        return _Partition("amazonaws.com", "iam.us-gov.amazonaws.com", "us-gov-west-1")
    return _Partition("amazonaws.com", "iam.amazonaws.com", "us-east-1")


def _check_region(region: str) -> str:
    if not _REGION.match(region):
        raise ValueError(f"not an AWS region name: {region!r}")
    return region


def aws_endpoints(region: str) -> Endpoints:
    """Real AWS in ``region``: regional cognito-identity and STS hosts, the partition's IAM host."""
    _check_region(region)
    part = _partition(region)
    return Endpoints(
        cognito_identity=Endpoint(
            f"https://{COGNITO_IDENTITY}.{region}.{part.dns_suffix}", region, COGNITO_IDENTITY
        ),
        sts=Endpoint(f"https://{STS}.{region}.{part.dns_suffix}", region, STS),
        iam=Endpoint(f"https://{part.iam_host}", part.iam_region, IAM),
        cognito_idp=Endpoint(f"https://{COGNITO_IDP}.{region}.{part.dns_suffix}", region, COGNITO_IDP),
    )


def custom_endpoints(url: str, region: str) -> Endpoints:
    """One base URL serving every service (the embedded service, moto, LocalStack), signed for ``region``."""
    _check_region(region)
    if not url.startswith(("http://", "https://")):
        raise ValueError(f"endpoint URL must start with http:// or https://: {url!r}")
    base = url.rstrip("/")
    return Endpoints(
        cognito_identity=Endpoint(base, region, COGNITO_IDENTITY),
        sts=Endpoint(base, region, STS),
        iam=Endpoint(base, region, IAM),
        cognito_idp=Endpoint(base, region, COGNITO_IDP),
    )
