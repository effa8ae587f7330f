"""Images as the lifecycle simulator sees them: ECR's ``imageDetails``, typed and validated.

Pure Python. :func:`parse_images` accepts what ``aws ecr describe-images`` and boto3's
``describe_images`` return (the whole response or its ``imageDetails`` list), with
timestamps as datetimes (boto3), ISO 8601 strings (AWS CLI v2) or epoch seconds (AWS CLI
v1), and :class:`Image` objects for Python users. Every problem is reported at once, each
named by its index and field (``imageDetails[3].imagePushedAt``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import InitVar, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from operator import attrgetter
from typing import Any

from ..errors import EcrConstructsError, Path, Problem, Where
from .locations import base, located, shown

_TIMESTAMP = "a datetime, an ISO 8601 string or epoch seconds"


class ImageDataError(EcrConstructsError):
    """Image data the simulator can't use: a missing or malformed field, a duplicate digest."""


class ImageStatus(StrEnum):
    """ECR's ``imageStatus``: which storage class an image is in."""

    ACTIVE = "ACTIVE"
    """Standard storage class: pullable."""
    ARCHIVED = "ARCHIVED"
    """Archive storage class: listed, not pullable until restored."""
    ACTIVATING = "ACTIVATING"
    """Being restored from the archive."""


@dataclass(frozen=True, kw_only=True, slots=True)
class Image:
    """One image of a repository, with the ``imageDetails`` fields lifecycle rules read.

    Field <- ``imageDetails`` key: ``digest`` <- imageDigest, ``tags`` <- imageTags,
    ``pushed_at`` <- imagePushedAt, ``last_pulled_at`` <- lastRecordedPullTime, ``status`` <-
    imageStatus, ``archived_at`` <- lastArchivedAt, ``activated_at`` <- lastActivatedAt,
    ``size_bytes`` <- imageSizeInBytes, ``manifest_media_type`` <- imageManifestMediaType,
    ``artifact_media_type`` <- artifactMediaType, ``subject_digest`` <- subjectManifestDigest.
    ``manifest_digests`` <- manifestDigests is not part of describe-images: the digests a
    manifest list (image index) references, when you know them.

    Naive datetimes are read as UTC; a list of tags becomes a tuple; statuses accept their
    strings. Default: untagged, never pulled, ``ACTIVE``, size unknown, no references.
    An ``ARCHIVED`` image needs ``archived_at``.
    """

    digest: str
    pushed_at: datetime
    tags: tuple[str, ...] = ()
    last_pulled_at: datetime | None = None
    status: ImageStatus = ImageStatus.ACTIVE
    archived_at: datetime | None = None
    activated_at: datetime | None = None
    size_bytes: int | None = None
    manifest_media_type: str | None = None
    artifact_media_type: str | None = None
    subject_digest: str | None = None
    manifest_digests: tuple[str, ...] = ()
    where: InitVar[Where] = "image"

    def __post_init__(self, where: Where) -> None:
        if _already_normal(self):
            return
        at = base(where)
        problems: list[Problem] = []
        if not isinstance(self.digest, str) or not self.digest:
            problems.append(
                located(
                    (*at, "imageDigest"),
                    "must be a non-empty string",
                    self.digest,
                    "an image digest such as sha256:<64 hex digits>",
                )
            )
        for attr, key in _TIME_FIELDS:
            value = getattr(self, attr)
            if value is None:
                if attr == "pushed_at":
                    problems.append(located((*at, key), "is required", None, _TIMESTAMP))
            elif not isinstance(value, datetime):
                problems.append(located((*at, key), "must be a datetime", value, "datetime"))
            elif value.tzinfo is None:
                object.__setattr__(self, attr, value.replace(tzinfo=UTC))
        for attr, key in (("tags", "imageTags"), ("manifest_digests", "manifestDigests")):
            value = getattr(self, attr)
            if (
                isinstance(value, str)
                or not isinstance(value, Sequence)
                or not all(isinstance(entry, str) for entry in value)
            ):
                shown = list(value) if isinstance(value, tuple) else value
                problems.append(
                    located((*at, key), "must be a list of strings", shown, "[str, ...]")
                )
            elif not isinstance(value, tuple):
                object.__setattr__(self, attr, tuple(value))
        status = self.status
        if not isinstance(status, ImageStatus):
            try:
                object.__setattr__(self, "status", ImageStatus(status))
            except ValueError:
                problems.append(
                    located(
                        (*at, "imageStatus"),
                        "is not a valid image status",
                        status,
                        " | ".join(member.value for member in ImageStatus),
                    )
                )
        if self.status is ImageStatus.ARCHIVED and self.archived_at is None:
            problems.append(
                located(
                    (*at, "lastArchivedAt"), "is required for an ARCHIVED image", None, _TIMESTAMP
                )
            )
        size = self.size_bytes
        if size is not None and (isinstance(size, bool) or not isinstance(size, int) or size < 0):
            problems.append(
                located(
                    (*at, "imageSizeInBytes"),
                    "must be a whole number of bytes",
                    size,
                    "an integer >= 0",
                )
            )
        for attr, key in _TEXT_FIELDS:
            value = getattr(self, attr)
            if value is not None and not isinstance(value, str):
                problems.append(located((*at, key), "must be a string", value, "a string"))
        if problems:
            raise ImageDataError.from_problems(problems)

    @property
    def storage_class(self) -> str | None:
        """``standard`` (ACTIVE), ``archive`` (ARCHIVED), or None while ACTIVATING."""
        return _STORAGE_CLASS[self.status]

    @classmethod
    def from_dict(cls, data: Any, *, where: Where = "image") -> Image:
        """One ``imageDetails`` object; unknown keys (registryId, imageScanStatus...) are
        ignored. Raises :class:`ImageDataError` listing every problem."""
        problems: list[Problem] = []
        image = _from_detail(data, base(where), problems)
        if image is None:
            raise ImageDataError.from_problems(problems)
        return image


_STR = {str}


def _aware(value: object) -> bool:
    return type(value) is datetime and value.tzinfo is not None


def _already_normal(image: Image) -> bool:
    """A fast check that ``image`` needs no normalising and has nothing wrong (the usual
    case); anything else goes through the full check in ``__post_init__``."""
    size = image.size_bytes
    return (
        type(image.digest) is str
        and image.digest != ""
        and type(image.tags) is tuple
        and set(map(type, image.tags)) <= _STR
        and _aware(image.pushed_at)
        and (image.last_pulled_at is None or _aware(image.last_pulled_at))
        and (image.activated_at is None or _aware(image.activated_at))
        and (
            image.status is ImageStatus.ACTIVE
            or image.status is ImageStatus.ACTIVATING
            or (image.status is ImageStatus.ARCHIVED and _aware(image.archived_at))
        )
        and (image.archived_at is None or _aware(image.archived_at))
        and (size is None or (type(size) is int and size >= 0))
        and type(image.manifest_digests) is tuple
        and set(map(type, image.manifest_digests)) <= _STR
        and (image.manifest_media_type is None or type(image.manifest_media_type) is str)
        and (image.artifact_media_type is None or type(image.artifact_media_type) is str)
        and (image.subject_digest is None or type(image.subject_digest) is str)
    )


_IMAGE_TYPE = {Image}
_DIGEST = attrgetter("digest")
_STATUSES: dict[str, Any] = {member.value: member for member in ImageStatus}
_TIME_FIELDS = (
    ("pushed_at", "imagePushedAt"),
    ("last_pulled_at", "lastRecordedPullTime"),
    ("archived_at", "lastArchivedAt"),
    ("activated_at", "lastActivatedAt"),
)
_TEXT_FIELDS = (
    ("manifest_media_type", "imageManifestMediaType"),
    ("artifact_media_type", "artifactMediaType"),
    ("subject_digest", "subjectManifestDigest"),
)
_STORAGE_CLASS = {
    ImageStatus.ACTIVE: "standard",
    ImageStatus.ARCHIVED: "archive",
    ImageStatus.ACTIVATING: None,
}


def read_timestamp(value: Any, at: Path, key: str, problems: list[Problem]) -> Any:
    """A datetime from a datetime, an ISO 8601 string or epoch seconds (None stays None);
    otherwise a problem at ``(*at, key)`` and None. A string without a zone stays naive."""
    if type(value) is str:
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            message = "is not an ISO 8601 timestamp"
    elif value is None or isinstance(value, datetime):
        return value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, UTC)
        except (OverflowError, OSError, ValueError):  # NaN, infinities, out of range
            message = "is out of range for a timestamp"
    else:
        message = "is not a timestamp"
    problems.append(located((*at, key), message, value, _TIMESTAMP))
    return None


def _from_detail(data: Any, at: Path, problems: list[Problem]) -> Image | None:
    if not isinstance(data, Mapping):
        problems.append(
            located(
                at,
                "must be an imageDetails object",
                data,
                'an object with "imageDigest" and "imagePushedAt"',
            )
        )
        return None
    start = len(problems)
    get = data.get
    digest = get("imageDigest")
    if digest is None:
        problems.append(located((*at, "imageDigest"), "is required", None, "the image's digest"))
    pushed = get("imagePushedAt")
    if pushed is None:
        problems.append(located((*at, "imagePushedAt"), "is required", None, _TIMESTAMP))
    status = get("imageStatus") or ImageStatus.ACTIVE
    try:
        image = Image(
            digest=digest or "",
            tags=_tuple(get("imageTags")),
            pushed_at=read_timestamp(pushed, at, "imagePushedAt", problems),
            last_pulled_at=read_timestamp(
                get("lastRecordedPullTime"), at, "lastRecordedPullTime", problems
            ),
            status=_STATUSES.get(status, status) if type(status) is str else status,
            archived_at=read_timestamp(get("lastArchivedAt"), at, "lastArchivedAt", problems),
            activated_at=read_timestamp(get("lastActivatedAt"), at, "lastActivatedAt", problems),
            size_bytes=get("imageSizeInBytes"),
            manifest_media_type=get("imageManifestMediaType"),
            artifact_media_type=get("artifactMediaType"),
            subject_digest=get("subjectManifestDigest"),
            manifest_digests=_tuple(get("manifestDigests")),
            where=at,
        )
    except ImageDataError as error:
        reported = {problem.path for problem in problems[start:]}
        problems.extend(p for p in error.problems if p.path not in reported)
        return None
    return image if len(problems) == start else None


def _tuple(value: Any) -> Any:
    """A JSON list as a tuple (None: empty); anything else as given, for the checks."""
    if value is None:
        return ()
    return tuple(value) if type(value) is list else value


def parse_images(data: Any, *, where: Where = "images") -> tuple[Image, ...]:
    """Images from a describe-images response, its ``imageDetails`` list, or :class:`Image`
    objects (mixed lists allowed).

    Errors name each image by its index: ``imageDetails[3].imagePushedAt`` for a response,
    ``images[3].imagePushedAt`` (``where``) for a list. Digests must be unique.
    Raises :class:`ImageDataError` listing every problem.
    """
    problems: list[Problem] = []
    at = base(where)
    if isinstance(data, Mapping):
        if "imageDetails" not in data:
            raise ImageDataError.from_problems(
                [
                    located(
                        at,
                        "is not a describe-images response",
                        sorted(str(key) for key in data)[:5],
                        '{"imageDetails": [...]} or a list of imageDetails',
                    )
                ]
            )
        data = data["imageDetails"]
        at = ("imageDetails",)
    if isinstance(data, str | bytes) or not isinstance(data, Sequence):
        raise ImageDataError.from_problems(
            [
                located(
                    at,
                    "must be a list of images",
                    type(data).__name__,
                    "a list of imageDetails objects or Image",
                )
            ]
        )
    if set(map(type, data)) <= _IMAGE_TYPE and len(set(map(_DIGEST, data))) == len(data):
        return tuple(data)  # Image objects with unique digests: nothing to check
    images: list[Image] = []
    first_index: dict[str, int] = {}
    for index, item in enumerate(data):
        path = (*at, index)
        image = item if isinstance(item, Image) else _from_detail(item, path, problems)
        if image is None:
            continue
        first = first_index.setdefault(image.digest, index)
        if first != index:
            problems.append(
                located(
                    (*path, "imageDigest"),
                    f"duplicates {shown((*at, first))}",
                    image.digest,
                    "one entry per image digest",
                )
            )
            continue
        images.append(image)
    if problems:
        raise ImageDataError.from_problems(problems)
    return tuple(images)
