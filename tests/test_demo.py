"""dbnfer demo: both protocols on the demo's share of the synthetic faces, one report folder."""

import json

from dbnfer.demo import DEMO_DATA, N_SPLITS, PROTOCOLS, run_demo


def test_demo_reports_both_protocols_on_its_own_settings(tmp_path):
    path, results = run_demo(tmp_path / "demo", model="nn", verbose=False)
    metrics = json.loads((tmp_path / "demo" / "metrics.json").read_text())
    assert path == tmp_path / "demo" / "report.md" and list(results) == [("nn", p) for p in PROTOCOLS]
    assert metrics["n_images"] == DEMO_DATA["n_subjects"] * 8 * DEMO_DATA["per_class"]
    assert metrics["settings"]["folds"] == N_SPLITS and metrics["settings"]["seed"] == 0
    assert all(len(result["fold_accuracy"]) == N_SPLITS for result in metrics["results"])
