"""Members' credentials: TLS verification stays on unless the member was joined with
--insecure-skip-tls-verify; an unusable Secret is reported without quoting it; the log
formatter never prints a registered secret value."""

from __future__ import annotations

import base64
import io
import logging
from pathlib import Path

import pytest
import yaml

from federation.controller import join, logs
from federation.controller.credentials import CredentialsError, from_secret, kubeconfig

TOKEN = "tok-0123456789abcdef"


def secret(doc: object) -> dict:
    raw = base64.b64encode(yaml.safe_dump(doc).encode()).decode()
    return {
        "metadata": {"name": "m1-kubeconfig", "namespace": "kfed-system", "resourceVersion": "3"},
        "data": {"kubeconfig": raw},
    }


def test_insecure_members_are_refused_unless_joined_so() -> None:
    insecure = kubeconfig("m1", "https://127.0.0.1:1", token=TOKEN, insecure=True)
    with pytest.raises(CredentialsError, match="--insecure-skip-tls-verify") as e:
        from_secret("m1", secret(insecure), insecure_allowed=False)
    assert TOKEN not in str(e.value)
    assert from_secret("m1", secret(insecure), insecure_allowed=True).version == "3"
    secure = kubeconfig("m1", "https://127.0.0.1:1", token=TOKEN, ca_data="Y2E=")
    assert from_secret("m1", secret(secure), insecure_allowed=False).cluster == "m1"


def test_broken_secrets_are_named_never_quoted() -> None:
    with pytest.raises(CredentialsError, match="does not exist"):
        from_secret("m1", None, insecure_allowed=False)
    bad = {
        "metadata": {"name": "s", "namespace": "kfed-system"},
        "data": {"kubeconfig": base64.b64encode(b"::" + TOKEN.encode()).decode()},
    }
    with pytest.raises(CredentialsError) as e:
        from_secret("m1", bad, insecure_allowed=False)
    assert "kfed-system/s" in str(e.value) and TOKEN not in str(e.value)


def test_join_refuses_an_insecure_kubeconfig(tmp_path: Path) -> None:
    path = tmp_path / "kc.yaml"
    path.write_text(
        yaml.safe_dump(kubeconfig("m1", "https://127.0.0.1:1", token=TOKEN, insecure=True))
    )
    with pytest.raises(ValueError, match="insecure-skip-tls-verify"):
        join.join(object(), "m1", str(path))


def test_log_lines_never_show_a_registered_secret() -> None:
    logs.REDACTOR.register(TOKEN)
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(logs.JsonFormatter("r1"))
    log = logging.getLogger("kfed.test-redaction")
    log.addHandler(handler)
    log.propagate = False
    log.warning("oops %s", TOKEN, extra={"detail": f"Bearer {TOKEN}"})
    text = out.getvalue()
    assert TOKEN not in text and text.count("[redacted]") == 2 and '"replica": "r1"' in text


def test_cli_refuses_bad_names_labels_and_timings(capsys: pytest.CaptureFixture[str]) -> None:
    from federation.cli import main

    host = ["--kubeconfig", "/nonexistent", "--member-kubeconfig", "/nonexistent"]
    assert main(["join", "Bad_Name", *host]) == 2
    assert "DNS label" in capsys.readouterr().err
    assert main(["join", "m1", *host, "--label", "novalue"]) == 2
    assert "KEY=VALUE" in capsys.readouterr().err
    run = ["controller", "run", "--kubeconfig", "/nonexistent", "--leader-elect"]
    assert main([*run, "--lease-duration", "10", "--renew-deadline", "10"]) == 2
    assert "--lease-duration must be greater than --renew-deadline" in capsys.readouterr().err
    assert main(["controlplane", "up", "--members", "0"]) == 2
