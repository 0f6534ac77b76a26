"""Every dbt test is an asset check on one asset: none is logged as an AssetObservation (with
a dagster-dbt warning in every run) for want of a `meta.dagster.ref`."""

from __future__ import annotations

import json

from dagster_project.assets.dbt import dbt_project


def test_every_singular_test_reading_several_relations_names_its_asset():
    manifest = json.loads(dbt_project.manifest_path.read_text())
    unattached = [
        node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and not node.get("attached_node")
        and len(set(node["depends_on"]["nodes"])) > 1
        and not node["config"].get("meta", {}).get("dagster", {}).get("ref")
    ]
    assert unattached == [], "add them to dbt_project/tests/dagster_asset_checks.yml"
