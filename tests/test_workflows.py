"""GitHub files checked offline: schemas (vendored in check-jsonschema), zizmor, and the
properties the publishing and preview workflows must keep."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import yaml
from conftest import ROOT

BIN = Path(sys.executable).parent
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(a) for a in args], cwd=ROOT, capture_output=True, text=True, timeout=120)


def test_workflows_match_the_github_schema():
    result = run(BIN / "check-jsonschema", "--builtin-schema", "vendor.github-workflows", *WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_issue_form_matches_the_github_schema():
    result = run(BIN / "check-jsonschema", "--builtin-schema", "vendor.github-issue-forms",
                 ROOT / ".github" / "ISSUE_TEMPLATE" / "nouvelle-pratique.yml")
    assert result.returncode == 0, result.stdout + result.stderr


def test_zizmor_finds_nothing():
    result = run(BIN / "zizmor", "--offline", "--no-progress", "--strict-collection", "--config",
                 ROOT / "zizmor.yml", ROOT / ".github" / "workflows")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No findings to report" in result.stdout


def load(name: str) -> dict:
    return yaml.safe_load((ROOT / ".github" / "workflows" / name).read_text(encoding="utf-8"))


def test_pages_workflow_builds_read_only_and_deploys_with_pages_rights_only():
    workflow = load("pages.yml")
    assert workflow["permissions"] == {}
    build, deploy = workflow["jobs"]["construire"], workflow["jobs"]["publier"]
    assert build["permissions"] == {"contents": "read"}
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert workflow["concurrency"]["group"] == "pages"
    uses = [step.get("uses", "") for job in (build, deploy) for step in job["steps"]]
    assert any(u.startswith("actions/upload-pages-artifact@") for u in uses)
    assert any(u.startswith("actions/deploy-pages@") for u in uses)


def test_ci_checks_content_with_annotations_then_runs_the_suite():
    workflow = load("ci.yml")
    assert set(workflow[True]) == {"pull_request", "push", "workflow_dispatch"}  # YAML 1.1 reads `on` as True
    assert workflow["permissions"] == {"contents": "read"}
    runs = [step.get("run", "") for step in workflow["jobs"]["verification"]["steps"]]
    assert "make check FORMAT=github" in runs and "bash .ci/run" in runs


def test_untrusted_text_reaches_scripts_only_through_the_environment():
    for path in WORKFLOWS:
        for job in yaml.safe_load(path.read_text(encoding="utf-8"))["jobs"].values():
            for step in job["steps"]:
                assert "github.event.issue.body" not in step.get("run", ""), path
                assert "github.event.pull_request.title" not in step.get("run", ""), path


def test_pull_requests_opened_from_an_issue_get_the_checks():
    # A pull request created with the workflow's own token starts no workflow: it starts ci.yml itself.
    job = load("depuis-ticket.yml")["jobs"]["proposer"]
    assert job["permissions"]["actions"] == "write"
    assert any('gh workflow run ci.yml --ref "$branche"' in step.get("run", "") for step in job["steps"])


def test_publishing_checks_out_the_whole_history_for_the_feed_dates():
    steps = load("pages.yml")["jobs"]["construire"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert checkout["with"]["fetch-depth"] == 0
