"""A scripted validating admission webhook on a real API server: it answers the admission of
labelled objects with the HTTP codes the test queues (429, 500, 503...), then allows. The API
server itself then returns those codes to its client, so kfed's writers meet real throttling
and server errors, not a mock of them."""

from __future__ import annotations

import base64
import contextlib
import datetime
import ipaddress
import json
import ssl
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from kubernetes import client

LABEL = "kfed-test/admission"


def _self_signed(directory: Path) -> tuple[Path, Path, bytes]:
    """A key and a certificate for 127.0.0.1 that is its own CA: (cert file, key file, PEM)."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "kfed-test-webhook")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(hours=2))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    pem = cert.public_bytes(serialization.Encoding.PEM)
    cert_file, key_file = directory / "webhook.crt", directory / "webhook.key"
    cert_file.write_bytes(pem)
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_file, key_file, pem


class Script:
    """The codes still to answer, in order (then: allow), and what was asked."""

    def __init__(self) -> None:
        self.codes: list[int] = []
        self.seen: list[tuple[str, str, int]] = []  # (operation, name, code or 200 for allowed)
        self.lock = threading.Lock()

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            code = self.codes.pop(0) if self.codes else 200
            self.seen.append((request.get("operation", ""), request.get("name", ""), code))
        out: dict[str, Any] = {"uid": request.get("uid", ""), "allowed": code == 200}
        if code != 200:
            out["status"] = {"code": code, "message": f"scripted answer {code}"}
        return out

    def queue(self, *codes: int) -> None:
        with self.lock:
            self.codes = list(codes)
            self.seen = []


def _handler(script: Script) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            review = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            body = json.dumps(
                {
                    "apiVersion": "admission.k8s.io/v1",
                    "kind": "AdmissionReview",
                    "response": script.answer(review.get("request") or {}),
                }
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    return Handler


def _wait_until_called(api: client.ApiClient, script: Script, timeout: float = 30.0) -> None:
    """The API server picks a new webhook configuration up a moment later: dry-run a labelled
    ConfigMap until the webhook is asked (a dry run calls webhooks without side effects)."""
    core = client.CoreV1Api(api)
    probe = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "kfed-webhook-probe", "labels": {LABEL: "yes"}},
    }
    deadline = time.monotonic() + timeout
    while not script.seen:
        if time.monotonic() > deadline:
            raise TimeoutError(f"the API server never called the webhook in {timeout:.0f}s")
        core.create_namespaced_config_map("default", probe, dry_run="All")
        time.sleep(0.2)
    script.queue()


@contextlib.contextmanager
def scripted_webhook(api: client.ApiClient, directory: Path, name: str) -> Iterator[Script]:
    """Serve the webhook and register it on the server behind `api` for ConfigMaps labelled
    LABEL; unregister and stop on exit."""
    cert_file, key_file, pem = _self_signed(directory)
    script = Script()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(script))
    tls = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    tls.load_cert_chain(cert_file, key_file)
    server.socket = tls.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    hooks = client.AdmissionregistrationV1Api(api)
    config = {
        "apiVersion": "admissionregistration.k8s.io/v1",
        "kind": "ValidatingWebhookConfiguration",
        "metadata": {"name": name},
        "webhooks": [
            {
                "name": f"{name}.kfed.test",
                "clientConfig": {
                    "url": f"https://127.0.0.1:{server.server_address[1]}/validate",
                    "caBundle": base64.b64encode(pem).decode(),
                },
                "rules": [
                    {
                        "apiGroups": [""],
                        "apiVersions": ["v1"],
                        "operations": ["CREATE", "UPDATE"],
                        "resources": ["configmaps"],
                    }
                ],
                "objectSelector": {"matchLabels": {LABEL: "yes"}},
                "failurePolicy": "Fail",
                "sideEffects": "None",
                "admissionReviewVersions": ["v1"],
                "timeoutSeconds": 5,
            }
        ],
    }
    hooks.create_validating_webhook_configuration(config)
    try:
        _wait_until_called(api, script)
        yield script
    finally:
        hooks.delete_validating_webhook_configuration(name)
        server.shutdown()
        server.server_close()
