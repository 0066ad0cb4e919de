"""Issue 16.3: `make run` tells the app its own address, so the QR code and
the printed verification address on documents point to the server that
made them."""
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_make_run_sets_public_base_url_from_host_and_port():
    out = subprocess.run(["make", "-n", "run", "HOST=10.1.2.3", "PORT=8123"], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout
    serve = next(line for line in out.splitlines() if "gunicorn" in line)
    assert "PUBLIC_BASE_URL=http://10.1.2.3:8123" in serve and "--bind 10.1.2.3:8123" in serve


@pytest.mark.skipif(shutil.which("make") is None, reason="make not installed")
def test_an_explicit_public_base_url_wins():
    out = subprocess.run(["make", "-n", "run", "PUBLIC_BASE_URL=https://casesys.example"], cwd=ROOT,
                         capture_output=True, text=True, check=True).stdout
    assert "PUBLIC_BASE_URL=https://casesys.example" in next(line for line in out.splitlines() if "gunicorn" in line)
