"""How a rank script hands its results to the test: one JSON file per rank in $REPORT_DIR."""

import json
import os


def save(report: dict) -> None:
    path = os.path.join(os.environ["REPORT_DIR"], f"rank{report['rank']}.json")
    with open(path + ".tmp", "w") as f:
        json.dump(report, f)
    os.replace(path + ".tmp", path)
