"""Print the per-study isolation figure: routes x roles tried, leaks found.

Runs tests/test_isolation_matrix.py (every URL pattern and OpenAPI route, tried with study A's
objects by B's owner, a viewer, an anonymous visitor and B's participant) and prints the line
it writes to var/isolation-matrix.txt.
"""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "var" / "isolation-matrix.txt"

if __name__ == "__main__":
    REPORT.unlink(missing_ok=True)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/test_isolation_matrix.py"],
        cwd=ROOT, capture_output=True, text=True,
    )
    print(REPORT.read_text().strip() if REPORT.exists() else "no figure written")
    if result.returncode != 0:
        print(result.stdout[-4000:])
    sys.exit(result.returncode)
