"""Print the accessibility figure: participant pages × viewports × languages checked by axe-core, violations.

Runs tests/browser/test_accessibility.py (axe-core's WCAG 2.1 A and AA rules on every participant
page, phone and desktop, bokmål and English; it writes var/a11y.txt) and the keyboard-only consent
signing test, then prints the figure. Needs Chromium (/usr/bin/chromium).
"""
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "var" / "a11y.txt"
KEYBOARD = "tests/browser/test_consent_keyboard.py"


def pytest(*args, **env):
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=ROOT, capture_output=True, text=True,
        env={**os.environ, "RECRUIT_REQUIRE_BROWSER": "1", **env},
    )


if __name__ == "__main__":
    REPORT.unlink(missing_ok=True)
    pages = pytest("tests/browser/test_accessibility.py", RECRUIT_A11Y_REPORT=str(REPORT))
    keyboard = pytest(KEYBOARD)
    print(REPORT.read_text().strip() if REPORT.exists() else "no figure written")
    print(f"Keyboard-only consent signing (Tab, Shift+Tab, Space, Enter, typing; typed-name signature; "
          f"visible focus at every step): {'passed' if keyboard.returncode == 0 else 'FAILED'}")
    for result in (pages, keyboard):
        if result.returncode != 0:
            print(result.stdout[-4000:])
    sys.exit(pages.returncode or keyboard.returncode)
