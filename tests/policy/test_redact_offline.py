"""Redaction never reaches for the network (nothing may download at run time).

Presidio's e-mail and URL recognisers use tldextract, which fetches the public-suffix list
unless told not to before it is first imported. Redacting a whole value first imports
Presidio on a path that used to run before the sensitivity package had a chance to say so,
and the next e-mail found went looking for publicsuffix.org. Run in a fresh interpreter
(import order is the bug) with every outbound connection refused and recorded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

_SCRIPT = r"""
import json, socket
attempts = []
real_connect = socket.socket.connect
def connect(self, address):
    attempts.append(repr(address))
    raise OSError("network disabled for this test")
socket.socket.connect = connect
real_getaddrinfo = socket.getaddrinfo
def getaddrinfo(host, *args, **kwargs):
    attempts.append(str(host))
    raise socket.gaierror("network disabled for this test")
socket.getaddrinfo = getaddrinfo

from lineage.policy.redact import Redactor
redactor = Redactor()
whole = redactor.redact("078-05-1120", whole="US_SSN")
found = redactor.redact("mail ann@example.com or see https://example.com/docs")
print(json.dumps({
    "attempts": attempts,
    "whole": whole.text,
    "entities": sorted(i.entity_type for i in found.items),
}))
"""


def test_redaction_finds_emails_and_urls_without_touching_the_network(tmp_path: Path) -> None:
    # not inherited from this process, where another import may already have set it; a cold
    # cache, or an earlier run's cached suffix list hides the fetch
    env = {k: v for k, v in os.environ.items() if not k.startswith("TLDEXTRACT_")}
    env["TLDEXTRACT_CACHE"] = str(tmp_path / "tldextract")
    done = subprocess.run(
        [sys.executable, "-c", _SCRIPT],
        capture_output=True, text=True, timeout=300, check=False, env=env,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    out = json.loads(done.stdout.strip().splitlines()[-1])
    assert out["attempts"] == []
    assert out["whole"] == "<US_SSN>"
    assert out["entities"] == ["EMAIL_ADDRESS", "URL"]
