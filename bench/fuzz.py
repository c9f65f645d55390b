"""Print the API fuzzing figure: cases generated, failures.

Runs tests/test_api_fuzz.py (schemathesis against the drf-spectacular schema: every operation with
valid and invalid requests, then sequences along the inferred links; checks: no server error,
response conforms to the schema, authentication not ignored, use after free, resource
availability). Generation is derandomised, so the figure is the same on every run. Each test
writes its counts to var/fuzz/; this script adds them up.

    python bench/fuzz.py
"""
import json
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "var" / "fuzz"

if __name__ == "__main__":
    shutil.rmtree(REPORT, ignore_errors=True)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_api_fuzz.py"],
        cwd=ROOT, capture_output=True, text=True,
    )
    rows = [json.loads(path.read_text()) for path in sorted(REPORT.glob("*.json"))]
    stateful = [row for row in rows if row["name"].startswith("stateful")]
    operations = [row for row in rows if row not in stateful]
    cases = sum(row["cases"] for row in rows)
    answered = sum(row["answered_2xx"] for row in rows)
    failures = sum(row["failures"] for row in rows)
    print(f"API fuzzing: {len(operations)} operations, {cases} cases generated "
          f"({sum(r['cases'] for r in stateful)} of them in linked sequences; {answered} answered 2xx), "
          f"{failures} failures")
    for row in rows:
        if row["failures"]:
            print(f"  {row['name']}: {row['failures']} failures")
    if result.returncode != 0:
        print(result.stdout[-4000:])
    sys.exit(result.returncode)
