"""Exemptions: a repository kept as deployed, each waived rule visible as a warning; and
custom policy statements in the registry file (``access.statements``)."""

from __future__ import annotations

import json
import textwrap
import warnings

import pytest

from ecr_constructs.errors import ConfigError, PolicyDocumentError, RepositoryPropsError
from ecr_constructs.policy import RepositoryAccess
from ecr_constructs.settings import Exemption, RepositorySettings
from ecr_constructs.standards.registry_file.loading import LoadedRegistry, parse_registry
from ecr_constructs.standards.registry_file.schema import registry_json_schema

OPEN_STATEMENT = {
    "Sid": "Anyone",
    "Effect": "Allow",
    "Principal": "*",
    "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
}


def load(text: str) -> LoadedRegistry:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return parse_registry(textwrap.dedent(text))


def test_an_empty_lifecycle_list_needs_the_exemption() -> None:
    with pytest.raises(RepositoryPropsError) as raised:
        RepositorySettings(name="legacy", lifecycle=[])
    (problem,) = raised.value.problems
    assert problem.path == ("lifecycle",)
    assert "no_lifecycle_policy" in str(problem.allowed)


def test_an_exempt_repository_has_no_lifecycle_policy_and_says_so() -> None:
    settings = RepositorySettings(
        name="legacy", lifecycle=[], exemptions=[Exemption.NO_LIFECYCLE_POLICY]
    )
    assert settings.lifecycle is None
    assert settings.repository_properties("aws")["lifecycle_policy"] is None
    (waived,) = settings.waived
    assert waived.path == ("lifecycle",)
    assert "exempted: no_lifecycle_policy" in waived.message


def test_the_exemption_waives_nothing_when_the_repository_has_a_policy() -> None:
    settings = RepositorySettings(name="kept", exemptions=["no_lifecycle_policy"])
    assert settings.lifecycle is not None
    assert settings.waived == ()


def test_a_statement_the_library_refuses_is_kept_verbatim_when_exempt() -> None:
    grant = RepositoryAccess.custom(OPEN_STATEMENT)
    with pytest.raises(PolicyDocumentError):
        RepositorySettings(name="public-pulls", access=[grant])
    settings = RepositorySettings(
        name="public-pulls",
        access=[grant],
        exemptions=[Exemption.UNCHECKED_POLICY_STATEMENTS],
    )
    document = settings.policy_document("aws")
    assert document is not None
    assert document["Statement"] == [OPEN_STATEMENT]
    assert [p.where for p in settings.waived] == ["access[0].Principal"]


def test_an_exemption_does_not_waive_ecr_s_own_length_limit() -> None:
    long_statement = {**OPEN_STATEMENT, "Condition": {"StringLike": {"aws:x": ["v" * 11_000]}}}
    with pytest.raises(PolicyDocumentError, match="too long for ECR"):
        RepositorySettings(
            name="long",
            access=[RepositoryAccess.custom(long_statement)],
            exemptions=[Exemption.UNCHECKED_POLICY_STATEMENTS],
        )


def test_an_unknown_exemption_is_refused_with_the_allowed_values() -> None:
    with pytest.raises(RepositoryPropsError) as raised:
        RepositorySettings(name="x1", exemptions=["no_scanning"])
    assert "no_lifecycle_policy" in str(raised.value)


def test_the_file_reports_each_waived_rule_once_as_a_warning_at_its_key() -> None:
    loaded = load(
        f"""
        version: 1
        standards:
          legacy:
            lifecycle: []
            exemptions: [no_lifecycle_policy, unchecked_policy_statements]
            access:
              pull_accounts: ["111111111111"]
              statements:
                - {json.dumps(OPEN_STATEMENT)}
        repositories:
          - {{name: one, standard: legacy}}
          - {{name: two, standard: legacy}}
        """
    )
    assert [warning.where for warning in loaded.warnings] == [
        "registry.yaml:5: standards.legacy.lifecycle",
        "registry.yaml:10: standards.legacy.access.statements[0].Principal",
    ]
    assert all("exempted:" in warning.message for warning in loaded.warnings)
    for repository in loaded.repositories:
        assert repository.settings.lifecycle is None
        document = repository.settings.policy_document("aws")
        assert document is not None
        assert document["Statement"][1] == OPEN_STATEMENT


def test_without_the_exemption_a_bad_statement_is_an_error_at_the_statement() -> None:
    with pytest.raises(ConfigError) as raised:
        load(
            f"""
            version: 1
            repositories:
              - name: one
                access:
                  push_accounts: ["111111111111"]
                  statements:
                    - {{Sid: Fine, Effect: Allow, Principal: {{AWS: "222222222222"}},
                        Action: "ecr:BatchGetImage"}}
                    - {json.dumps(OPEN_STATEMENT)}
            """
        )
    assert [p.where for p in raised.value.problems] == [
        "registry.yaml:10: repositories[0].access.statements[1].Principal"
    ]


def test_statements_replace_inherited_statements_like_every_access_list() -> None:
    loaded = load(
        """
        version: 1
        standards:
          base:
            access:
              statements:
                - {Sid: Base, Effect: Allow, Principal: {AWS: "111111111111"},
                   Action: "ecr:BatchGetImage"}
        defaults: {standard: base}
        repositories:
          - name: inherits
          - name: replaces
            access:
              statements:
                - {Sid: Own, Effect: Allow, Principal: {AWS: "222222222222"},
                   Action: "ecr:BatchGetImage"}
          - name: drops
            access: {statements: []}
        """
    )
    sids = {
        r.name: [s["Sid"] for s in (r.settings.policy_document("aws") or {}).get("Statement", [])]
        for r in loaded.repositories
    }
    assert sids == {"inherits": ["Base"], "replaces": ["Own"], "drops": []}


def test_the_schema_lists_the_exemptions() -> None:
    definitions = registry_json_schema()["$defs"]
    exemptions = definitions["RepositoryConfig"]["properties"]["exemptions"]
    assert exemptions["items"] == {"$ref": "#/$defs/Exemption"}
    assert definitions["Exemption"]["enum"] == [member.value for member in Exemption]
    statements = definitions["AccessConfig"]["properties"]["statements"]
    assert statements["items"]["type"] == "object"
