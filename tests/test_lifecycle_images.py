"""Images for the simulator: describe-images output in every shape, and clear errors."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from dateutil.tz import tzutc

from ecr_constructs.lifecycle import Image, ImageDataError, ImageStatus, parse_images

PUSHED = datetime(2025, 11, 20, 8, 30, tzinfo=UTC)
PULLED = datetime(2026, 1, 2, 9, 0, 0, 250_000, tzinfo=UTC)


def detail(**changes: Any) -> dict[str, Any]:
    """One describe-images imageDetails entry as the AWS CLI v2 prints it."""
    data: dict[str, Any] = {
        "registryId": "123456789012",
        "repositoryName": "app",
        "imageDigest": "sha256:" + "a" * 64,
        "imageTags": ["v1", "prod"],
        "imageSizeInBytes": 1234,
        "imagePushedAt": "2025-11-20T09:30:00+01:00",
        "imageManifestMediaType": "application/vnd.oci.image.manifest.v1+json",
        "artifactMediaType": "application/vnd.oci.image.config.v1+json",
        "lastRecordedPullTime": "2026-01-02T09:00:00.250000Z",
        "imageStatus": "ACTIVE",
        "imageScanStatus": {"status": "COMPLETE"},
    }
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def test_cli_v2_response_with_iso_timestamps() -> None:
    (image,) = parse_images({"imageDetails": [detail()]})
    assert image == Image(
        digest="sha256:" + "a" * 64,
        tags=("v1", "prod"),
        pushed_at=PUSHED,
        last_pulled_at=PULLED,
        status=ImageStatus.ACTIVE,
        size_bytes=1234,
        manifest_media_type="application/vnd.oci.image.manifest.v1+json",
        artifact_media_type="application/vnd.oci.image.config.v1+json",
    )
    assert image.storage_class == "standard"


def test_cli_v1_epoch_seconds_and_boto3_datetimes_give_the_same_image() -> None:
    epoch = detail(imagePushedAt=PUSHED.timestamp(), lastRecordedPullTime=PULLED.timestamp())
    boto3 = detail(
        imagePushedAt=PUSHED.replace(tzinfo=tzutc()),
        lastRecordedPullTime=PULLED.astimezone(timezone(timedelta(hours=-5))),
    )
    assert parse_images([epoch]) == parse_images([boto3]) == parse_images([detail()])


def test_archived_image_and_the_extension_fields() -> None:
    (image,) = parse_images(
        [
            detail(
                imageStatus="ARCHIVED",
                lastArchivedAt="2025-12-01T00:00:00Z",
                lastActivatedAt="2025-11-25T00:00:00Z",
                subjectManifestDigest="sha256:subject",
                manifestDigests=["sha256:c1", "sha256:c2"],
                imageTags=None,
            )
        ]
    )
    assert image.status is ImageStatus.ARCHIVED and image.storage_class == "archive"
    assert image.archived_at == datetime(2025, 12, 1, tzinfo=UTC)
    assert image.activated_at == datetime(2025, 11, 25, tzinfo=UTC)
    assert image.subject_digest == "sha256:subject"
    assert image.manifest_digests == ("sha256:c1", "sha256:c2")
    assert image.tags == ()


def test_images_and_details_mix_in_one_list() -> None:
    typed = Image(digest="sha256:b", pushed_at=PUSHED)
    assert parse_images([typed, detail()])[0] is typed


def test_image_normalises_python_input_and_is_frozen() -> None:
    image = Image(
        digest="d",
        tags=["a", "b"],  # type: ignore[arg-type]
        pushed_at=datetime(2025, 1, 1),
        status="ACTIVATING",  # type: ignore[arg-type]
    )
    assert image.tags == ("a", "b")
    assert image.pushed_at.tzinfo is UTC
    assert image.status is ImageStatus.ACTIVATING and image.storage_class is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        image.digest = "other"  # type: ignore[misc]


@pytest.mark.parametrize(
    ("changes", "fragment"),
    [
        (
            {"imagePushedAt": None},
            "imageDetails[0].imagePushedAt: is required (given None; allowed: a datetime, "
            "an ISO 8601 string or epoch seconds)",
        ),
        ({"imageDigest": None}, "imageDetails[0].imageDigest: is required"),
        (
            {"imagePushedAt": "yesterday"},
            "imageDetails[0].imagePushedAt: is not an ISO 8601 timestamp (given 'yesterday'",
        ),
        ({"imagePushedAt": True}, "imageDetails[0].imagePushedAt: is not a timestamp (given True"),
        ({"imagePushedAt": 1e300}, "imageDetails[0].imagePushedAt: is out of range"),
        (
            {"lastRecordedPullTime": [1]},
            "imageDetails[0].lastRecordedPullTime: is not a timestamp (given [1]",
        ),
        (
            {"imageStatus": "GONE"},
            "imageDetails[0].imageStatus: is not a valid image status (given 'GONE'; "
            "allowed: ACTIVE | ARCHIVED | ACTIVATING)",
        ),
        (
            {"imageStatus": "ARCHIVED"},
            "imageDetails[0].lastArchivedAt: is required for an ARCHIVED image",
        ),
        ({"imageTags": "v1"}, "imageDetails[0].imageTags: must be a list of strings (given 'v1'"),
        ({"imageTags": [1]}, "imageDetails[0].imageTags: must be a list of strings (given [1]"),
        (
            {"imageSizeInBytes": -1},
            "imageDetails[0].imageSizeInBytes: must be a whole number of bytes (given -1; "
            "allowed: an integer >= 0)",
        ),
        ({"imageDigest": ""}, "imageDetails[0].imageDigest: must be a non-empty string"),
        (
            {"subjectManifestDigest": 5},
            "imageDetails[0].subjectManifestDigest: must be a string (given 5",
        ),
    ],
)
def test_bad_image_fields_name_index_field_given_and_allowed(
    changes: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(ImageDataError) as caught:
        parse_images({"imageDetails": [detail(**changes)]})
    assert fragment in str(caught.value)
    (problem,) = caught.value.problems
    assert problem.path is not None
    assert problem.path[:2] == ("imageDetails", 0)
    assert fragment.startswith(f"imageDetails[0].{problem.path[2]}: ")


def test_every_problem_is_reported_at_once_with_its_index() -> None:
    data = [detail(), detail(imageDigest="sha256:2", imagePushedAt=None, imageTags=[3]), "x"]
    with pytest.raises(ImageDataError) as caught:
        parse_images(data)
    assert [p.where for p in caught.value.problems] == [
        "images[1].imagePushedAt",
        "images[1].imageTags",
        "images[2]",
    ]
    assert "images[2]: must be an imageDetails object" in str(caught.value)
    assert [p.path for p in caught.value.problems] == [
        ("images", 1, "imagePushedAt"),
        ("images", 1, "imageTags"),
        ("images", 2),
    ]


def test_duplicate_digests_are_refused() -> None:
    with pytest.raises(ImageDataError, match=r"images\[1\].imageDigest: duplicates images\[0\]"):
        parse_images([detail(), detail()])


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"images": []}, "images: is not a describe-images response (given ['images']"),
        ("imageDetails", "images: must be a list of images (given 'str'"),
        ({"imageDetails": {}}, "imageDetails: must be a list of images (given 'dict'"),
    ],
)
def test_wrong_containers_are_refused(data: Any, fragment: str) -> None:
    with pytest.raises(ImageDataError) as caught:
        parse_images(data)
    assert fragment in str(caught.value)


def test_typed_image_errors_name_the_field() -> None:
    with pytest.raises(ImageDataError) as caught:
        Image(digest="d", pushed_at="2025-01-01")  # type: ignore[arg-type]
    assert str(caught.value) == (
        "image.imagePushedAt: must be a datetime (given '2025-01-01'; allowed: datetime)"
    )
