"""Data governance: credentialed MIMIC data goes only to local endpoints or hosts the user allowed."""

import ipaddress
import os
from collections.abc import Iterable
from urllib.parse import urlsplit

ALLOWED_ENDPOINTS_ENV = "MIMICBENCH_ALLOWED_ENDPOINTS"
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class EndpointNotAllowed(Exception):
    """A non-local endpoint was given for non-synthetic data; the message says how to allow one."""


def allowed_hosts(from_cli: Iterable[str], environ: dict[str, str] | None = None) -> tuple[str, ...]:
    """Hosts from `--allow-remote-endpoint` plus the comma-separated `MIMICBENCH_ALLOWED_ENDPOINTS`."""
    env = (environ if environ is not None else os.environ).get(ALLOWED_ENDPOINTS_ENV, "")
    hosts = [*from_cli, *env.split(",")]
    return tuple(sorted({h.strip().lower() for h in hosts if h.strip()}))


def is_local(host: str) -> bool:
    """True for loopback addresses and localhost names."""
    if host.lower() in LOCAL_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_endpoint(base_url: str, data_origin: str, allowed: Iterable[str]) -> None:
    """Refuse to send non-synthetic data to a host that is neither local nor explicitly allowed."""
    host = (urlsplit(base_url).hostname or "").lower()
    if data_origin == "synthetic" or is_local(host) or host in set(allowed):
        return
    raise EndpointNotAllowed(
        f"Refusing to send {data_origin} MIMIC data to {host or base_url!r}: the PhysioNet data use agreement "
        "forbids sharing credentialed data with third parties, including online services that may retain it, "
        "so use a local model server (e.g. vLLM or llama.cpp on 127.0.0.1) or, for a service whose terms "
        f"allow it (e.g. Azure OpenAI with data retention disabled), pass --allow-remote-endpoint {host} "
        f"or list it in {ALLOWED_ENDPOINTS_ENV}."
    )
