"""Members' credentials: a kubeconfig kept in a Secret on the host, turned into an `ApiClient`
for the controller. TLS is verified unless the member was joined with
`--insecure-skip-tls-verify` (recorded on its Cluster); no value from the Secret is ever
logged or reported, only the Secret's name."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import yaml

KUBECONFIG_KEY = "kubeconfig"
INSECURE_ANNOTATION = "kfed.io/insecure-skip-tls-verify"


class CredentialsError(ValueError):
    """A member's Secret is missing, unreadable, or asks for what is not allowed."""


@dataclass(frozen=True)
class MemberCredentials:
    cluster: str
    kubeconfig: Mapping[str, Any]  # one context, data embedded
    version: str  # the Secret's resourceVersion: a change means new credentials

    def client(self) -> Any:
        """A fresh ApiClient (no urllib3 retries: a failing member shows at once)."""
        from kubernetes import client, config

        configuration = type.__call__(client.Configuration)
        configuration.retries = 0
        return config.new_client_from_config_dict(  # type: ignore[no-untyped-call]
            config_dict=dict(self.kubeconfig),
            persist_config=False,
            client_configuration=configuration,
        )


def from_secret(
    cluster: str, secret: Mapping[str, Any] | None, *, insecure_allowed: bool
) -> MemberCredentials:
    """The credentials in a member's Secret; CredentialsError saying what is wrong (never
    quoting the Secret)."""
    if secret is None:
        raise CredentialsError("its credentials Secret does not exist")
    meta = secret["metadata"]
    where = f"Secret {meta.get('namespace')}/{meta.get('name')}"
    raw = (secret.get("data") or {}).get(KUBECONFIG_KEY)
    if not raw:
        raise CredentialsError(f"{where} has no key {KUBECONFIG_KEY!r}")
    try:
        doc = yaml.safe_load(base64.b64decode(raw))
        clusters = doc["clusters"]
        contexts = doc["contexts"]
    except Exception:
        raise CredentialsError(f"{where}: key {KUBECONFIG_KEY!r} is not a kubeconfig") from None
    if not clusters or not contexts:
        raise CredentialsError(f"{where}: the kubeconfig has no cluster or context")
    for c in clusters:
        if (c.get("cluster") or {}).get("insecure-skip-tls-verify") and not insecure_allowed:
            raise CredentialsError(
                f"{where}: the kubeconfig turns TLS verification off; join the member with "
                "--insecure-skip-tls-verify to allow that"
            )
    return MemberCredentials(cluster, doc, str(meta.get("resourceVersion", "")))


def kubeconfig(
    name: str,
    server: str,
    *,
    ca_data: str = "",
    token: str = "",
    cert_data: str = "",
    key_data: str = "",
    insecure: bool = False,
) -> dict[str, Any]:
    """A one-context kubeconfig with everything embedded (base64 data, as kubectl writes)."""
    cluster: dict[str, Any] = {"server": server}
    if ca_data:
        cluster["certificate-authority-data"] = ca_data
    if insecure:
        cluster["insecure-skip-tls-verify"] = True
    user: dict[str, Any] = {}
    if token:
        user["token"] = token
    if cert_data:
        user["client-certificate-data"] = cert_data
        user["client-key-data"] = key_data
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": name, "cluster": cluster}],
        "users": [{"name": name, "user": user}],
        "contexts": [{"name": name, "context": {"cluster": name, "user": name}}],
        "current-context": name,
    }


def flatten(path: str, context: str | None) -> tuple[dict[str, Any], str]:
    """(a one-context kubeconfig with file references embedded, its server) from a kubeconfig
    file, as `kubectl config view --flatten --minify` would."""
    from pathlib import Path

    doc = yaml.safe_load(Path(path).expanduser().read_text())
    ctx_name = context or doc.get("current-context")
    ctx = next(c["context"] for c in doc["contexts"] if c["name"] == ctx_name)
    cluster = dict(next(c["cluster"] for c in doc["clusters"] if c["name"] == ctx["cluster"]))
    user = dict(next(u["user"] for u in doc["users"] if u["name"] == ctx["user"]))

    def embed(d: dict[str, Any], key: str) -> None:
        if key in d:
            d[f"{key}-data"] = base64.b64encode(Path(d.pop(key)).read_bytes()).decode()

    embed(cluster, "certificate-authority")
    embed(user, "client-certificate")
    embed(user, "client-key")
    return (
        kubeconfig(
            ctx_name,
            cluster["server"],
            ca_data=cluster.get("certificate-authority-data", ""),
            token=user.get("token", ""),
            cert_data=user.get("client-certificate-data", ""),
            key_data=user.get("client-key-data", ""),
            insecure=bool(cluster.get("insecure-skip-tls-verify")),
        ),
        cluster["server"],
    )
