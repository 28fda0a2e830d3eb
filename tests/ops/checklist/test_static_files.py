"""The `static_files` item: a release whose static files were not collected fails before the deploy."""
import json

import pytest
from django.core.management import call_command

from ops.checklist.base import run_checklist
from ops.checklist.predeploy import StaticFilesCollected

MANIFEST = {"staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}


def result():
    return run_checklist([StaticFilesCollected()])[0]


@pytest.fixture
def manifest_root(settings, tmp_path):
    settings.STORAGES = {**settings.STORAGES, **MANIFEST}
    settings.STATIC_ROOT = str(tmp_path / "static")
    return tmp_path / "static"


def test_not_collected_fails_and_says_what_to_run(manifest_root):
    found = result()

    assert not found.ok
    assert found.detail == f"no staticfiles.json in {manifest_root}: run manage.py collectstatic for this release"


def test_collected_passes_and_counts_the_files(manifest_root):
    call_command("collectstatic", "--noinput", "-v0")
    listed = json.loads((manifest_root / "staticfiles.json").read_text())["paths"]

    found = result()

    assert found.ok, found.detail
    assert found.detail == f"{manifest_root}: {len(listed)} files in staticfiles.json, {len(set(listed.values()))} present"
    assert len(listed) > 10  # the admin's files at least: not an empty manifest passing


def test_a_file_the_manifest_names_but_the_disk_lacks_fails(manifest_root):
    call_command("collectstatic", "--noinput", "-v0")
    hashed = json.loads((manifest_root / "staticfiles.json").read_text())["paths"]["admin/css/base.css"]
    (manifest_root / hashed).unlink()

    found = result()

    assert not found.ok
    assert f"1 missing: {hashed}" in found.detail and "run manage.py collectstatic" in found.detail


def test_an_unreadable_manifest_fails(manifest_root):
    manifest_root.mkdir()
    (manifest_root / "staticfiles.json").write_text("{not json")

    found = result()

    assert not found.ok and found.detail.startswith("the static files' manifest is unreadable: ")
    assert "staticfiles.json" in found.detail


def test_a_storage_without_a_manifest_passes_and_says_so(settings):
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}

    found = result()

    assert found.ok and found.detail == "StaticFilesStorage keeps no manifest (static names are not hashed)"
