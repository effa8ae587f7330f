"""What a repository's images cost to store per month, in the standard and archive storage
classes, before and after a lifecycle policy acts: estimates. Pure Python.

Prices are US dollars per GB-month, a GB being 2^30 bytes as AWS bills storage. The defaults
are us-east-1's on the Amazon ECR pricing page (https://aws.amazon.com/ecr/pricing/, as listed
in March 2026): standard $0.10; archive $0.10 for the first 150 TB a month and $0.07 beyond.
Prices change and differ by region: the figures are estimates. An image's
``imageSizeInBytes`` counts every layer it uses, while ECR stores a layer shared by several
images once, so byte counts (and savings) are upper bounds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import EcrConstructsError
from ..lifecycle.images import ImageStatus
from ..lifecycle.model import MIN_ARCHIVE_DAYS
from ..lifecycle.simulate import Decision, ImageAction

STANDARD_PRICE = 0.10
"""USD per GB-month in the standard storage class (us-east-1)."""
ARCHIVE_PRICE = 0.10
"""USD per GB-month in the archive storage class (us-east-1, the first 150 TB a month;
$0.07 beyond)."""
GB = 2**30
"""Bytes in a GB, as AWS bills storage."""
DAYS_PER_MONTH = 30
"""Days in the month the archive's minimum storage duration is counted in."""
ARCHIVE_MINIMUM_MONTHS = MIN_ARCHIVE_DAYS / DAYS_PER_MONTH
"""An archived image is billed for at least 90 days: 3 months."""


@dataclass(frozen=True)
class StoragePrices:
    """USD per GB-month. Default: us-east-1's, standard $0.10 and archive $0.10 (an account
    storing more than 150 TB in the archive pays $0.07 a GB-month beyond that: give it)."""

    standard: float = STANDARD_PRICE
    archive: float = ARCHIVE_PRICE

    def __post_init__(self) -> None:
        for name in ("standard", "archive"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < 0
            ):
                raise EcrConstructsError(
                    f"{name}_price",
                    "is not a price",
                    given=value,
                    allowed="US dollars per GB-month, >= 0",
                )


@dataclass(frozen=True)
class Storage:
    """Bytes stored in each storage class."""

    standard: int = 0
    archive: int = 0

    def __add__(self, other: Storage) -> Storage:
        return Storage(self.standard + other.standard, self.archive + other.archive)

    def monthly_cost(self, prices: StoragePrices) -> StorageCost:
        """What these bytes cost a month at ``prices``."""
        return StorageCost(self.standard / GB * prices.standard, self.archive / GB * prices.archive)

    @staticmethod
    def before(decisions: Iterable[Decision]) -> Storage:
        """The images as they are: ARCHIVED in the archive, the rest (ACTIVE, and ACTIVATING
        images on their way back) in the standard class. An unknown size counts 0."""
        standard = archive = 0
        for decision in decisions:
            size = decision.image.size_bytes or 0
            if decision.image.status is ImageStatus.ARCHIVED:
                archive += size
            else:
                standard += size
        return Storage(standard, archive)

    @staticmethod
    def after(decisions: Iterable[Decision]) -> Storage:
        """The images once the decisions are carried out: expired images gone, transitioned
        images in the archive."""
        standard = archive = 0
        for decision in decisions:
            size = decision.image.size_bytes or 0
            if decision.action is ImageAction.EXPIRE:
                continue
            if (
                decision.action is ImageAction.TRANSITION
                or decision.image.status is ImageStatus.ARCHIVED
            ):
                archive += size
            else:
                standard += size
        return Storage(standard, archive)


@dataclass(frozen=True)
class StorageCost:
    """USD a month in each storage class."""

    standard: float
    archive: float

    @property
    def total(self) -> float:
        return self.standard + self.archive

    def to_dict(self) -> dict[str, float]:
        return {
            "standard": round(self.standard, 4),
            "archive": round(self.archive, 4),
            "total": round(self.total, 4),
        }


def archive_minimum(archived_bytes: int, prices: StoragePrices) -> float:
    """The least that archiving ``archived_bytes`` now costs, in USD: 90 days (3 months of 30
    days) of archive storage, since an image deleted sooner is billed for the rest of them.
    (Archive rules expire images 90 days or more after they were archived, so the policies
    simulated never incur that charge on images already archived.)"""
    return archived_bytes / GB * prices.archive * ARCHIVE_MINIMUM_MONTHS
