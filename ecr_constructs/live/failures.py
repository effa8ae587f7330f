"""AWS failures as one-line errors that name the API call: credentials, region, endpoint,
access. Nothing here calls AWS."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TypeVar

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
)

NO_CREDENTIALS = (
    "no AWS credentials found: use a profile (--profile), environment variables or an instance role"
)
NO_REGION = "no AWS region: give one (--region) or set AWS_REGION"
_CREDENTIAL_CODES = frozenset(
    {
        "UnrecognizedClientException",
        "InvalidSignatureException",
        "ExpiredTokenException",
        "InvalidClientTokenId",
        "ExpiredToken",
    }
)
_DENIED_CODES = frozenset({"AccessDeniedException", "AccessDenied"})
T = TypeVar("T")


class LiveRegistryError(RuntimeError):
    """The registry could not be read: credentials, region, access, a missing repository or
    lifecycle policy, the network. The message is one line."""


class CallFailed(LiveRegistryError):
    """One API call failed, or was refused, for its own reasons (not for want of
    credentials or of the network): what it reads can be recorded as unreadable."""


@dataclass(frozen=True)
class Unreadable:
    """Something that could not be read: which call, about what, and why (one line)."""

    call: str
    subject: str
    message: str

    def __str__(self) -> str:
        return self.message


def error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "Unknown"))


@contextmanager
def aws_call(
    operation: str, subject: str, region: str, *, action_prefix: str = "ecr"
) -> Iterator[None]:
    """Translate what the call ``operation`` on ``subject`` raises into a one-line
    ``LiveRegistryError`` (``CallFailed`` when the call itself was refused)."""
    try:
        yield
    except (NoCredentialsError, PartialCredentialsError):
        raise LiveRegistryError(NO_CREDENTIALS) from None
    except NoRegionError:
        raise LiveRegistryError(NO_REGION) from None
    except EndpointConnectionError as error:
        raise LiveRegistryError(
            f"cannot reach {action_prefix.upper()} in {region} (is the region right?): {error}"
        ) from None
    except ClientError as error:
        code = error_code(error)
        message = " ".join(str(error.response.get("Error", {}).get("Message", "")).split())
        if code in _CREDENTIAL_CODES:
            raise LiveRegistryError(f"AWS rejected the credentials ({code}): {message}") from None
        if code in _DENIED_CODES:
            text = (
                f"access denied: {operation} on {subject} in {region} needs "
                f"{action_prefix}:{operation} ({message})"
            )
        else:
            text = f"{operation} on {subject} in {region} failed: {code}: {message}"
        raise CallFailed(text) from None
    except BotoCoreError as error:
        detail = " ".join(str(error).split())  # validation errors come a line per problem
        raise CallFailed(f"{operation} on {subject} failed: {detail}") from None


@dataclass
class Reads:
    """Calls about one subject whose refusals are recorded, not raised: the subject's other
    calls go on. Failures that stop every call (credentials, the network) still raise."""

    name: str
    """What is read (a repository's name)."""
    label: str
    """How messages name it: ``repository 'app'``."""
    region: str
    action_prefix: str = "ecr"
    unreadable: list[Unreadable] = field(default_factory=list)

    def call(self, operation: str, read: Callable[[], T], *, missing: str = "") -> T | None:
        """``read()``; None when it raised the ``missing`` error code (nothing there) or was
        refused (recorded in ``unreadable``)."""
        try:
            with aws_call(operation, self.label, self.region, action_prefix=self.action_prefix):
                try:
                    return read()
                except ClientError as error:
                    if missing and error_code(error) == missing:
                        return None
                    raise
        except CallFailed as failure:
            self.unreadable.append(Unreadable(operation, self.name, str(failure)))
            return None
