"""A boto3 session for reading one account and region, configured for large accounts.

boto3's own conventions apply: the standard credential chain, ``AWS_PROFILE``,
``AWS_ENDPOINT_URL``, ``AWS_DEFAULT_REGION``; and ``AWS_REGION``, which the AWS SDKs read
and botocore doesn't. Clients retry in boto3's adaptive mode (throttling
slows the run down instead of failing it) and keep a connection per worker thread.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import ProfileNotFound

from ..errors import EcrConstructsError
from ..naming import REGION, partition_of
from .failures import LiveRegistryError
from .limits import DEFAULT_WORKERS, MAX_ATTEMPTS

_USER_AGENT = "ecr-constructs"


def aws_session(*, region: str | None = None, profile: str | None = None) -> boto3.Session:
    """A session for ``profile`` (default: the standard credential chain) in ``region``
    (default: ``AWS_REGION``, else boto3's: ``AWS_DEFAULT_REGION`` or the profile's);
    ``LiveRegistryError`` when the profile is unknown or no region is set."""
    region = region or os.environ.get("AWS_REGION") or None
    try:
        session = boto3.session.Session(profile_name=profile, region_name=region)
    except ProfileNotFound:
        raise LiveRegistryError(
            f"AWS profile {profile!r} is not in the AWS config or credentials files"
        ) from None
    if not session.region_name:
        raise LiveRegistryError(
            "no AWS region: give one (--region) or set AWS_REGION, or use a profile with a region"
        )
    return session


@dataclass
class Connection:
    """Clients of one session, shared by the reading threads (boto3 clients are
    thread-safe; sessions are not, so every client is made here, up front or under a lock)."""

    session: boto3.Session
    workers: int = DEFAULT_WORKERS
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def region(self) -> str:
        region: str = self.session.region_name
        return region

    @property
    def partition(self) -> str:
        return partition_of(self.region) or "aws"

    def client(self, service: str, region: str | None = None) -> Any:
        """The client of ``service`` (in ``region``; default: the session's), made once."""
        key = f"{service}@{region or self.region}"
        with self._lock:
            if key not in self._clients:
                config = Config(
                    retries={"mode": "adaptive", "max_attempts": MAX_ATTEMPTS},
                    max_pool_connections=self.workers + 2,
                    user_agent_extra=_USER_AGENT,
                )
                make: Any = self.session.client  # any service, by name
                self._clients[key] = make(service, region_name=region or self.region, config=config)
            return self._clients[key]


def connect(
    *, region: str | None = None, profile: str | None = None, workers: int = DEFAULT_WORKERS
) -> Connection:
    """A connection for reading an account with ``workers`` threads: ``EcrConstructsError``
    for a malformed region, ``LiveRegistryError`` for an unknown profile or no region."""
    if region is not None:
        REGION.check(region, "--region", EcrConstructsError)
    return Connection(aws_session(region=region, profile=profile), workers)
