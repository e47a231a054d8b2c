"""Data governance: credentialed MIMIC data goes only to local endpoints or hosts the user allowed, and never
through a proxy that is neither.

`route` is the one rule for where a request may go: the endpoint's host, then the proxy the environment routes
it through (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`, `NO_PROXY`, read as curl reads them). A local endpoint is
never reached through a proxy. `generator.endpoint` builds every LLM client's transport from its answer.
"""

import ipaddress
import os
import urllib.request
from collections.abc import Iterable
from urllib.parse import urlsplit

ALLOWED_ENDPOINTS_ENV = "MIMICBENCH_ALLOWED_ENDPOINTS"
LOCAL_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


class EndpointNotAllowed(Exception):
    """A non-local endpoint (or proxy) was given for non-synthetic data; the message says how to allow one."""


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
    """Refuse to send non-synthetic data to a host, or through a proxy, that is neither local nor allowed."""
    route(base_url, data_origin, allowed)


def route(base_url: str, data_origin: str, allowed: Iterable[str]) -> str | None:
    """The proxy URL requests to `base_url` go through (None: straight to the host), once governance allows
    `data_origin` data to go to the host and to that proxy; else `EndpointNotAllowed`."""
    allowed = set(allowed)
    host = (urlsplit(base_url).hostname or "").lower()
    if not _may_receive(host, data_origin, allowed):
        raise EndpointNotAllowed(
            f"Refusing to send {data_origin} MIMIC data to {host or base_url!r}: the PhysioNet data use agreement "
            "forbids sharing credentialed data with third parties, including online services that may retain it, "
            "so use a local model server (e.g. vLLM or llama.cpp on 127.0.0.1) or, for a service whose terms "
            f"allow it (e.g. Azure OpenAI with data retention disabled), pass --allow-remote-endpoint {host} "
            f"or list it in {ALLOWED_ENDPOINTS_ENV}."
        )
    proxy, variable = environment_proxy(base_url)
    proxy_host = (urlsplit(proxy).hostname or "").lower() if proxy else ""
    if proxy and not _may_receive(proxy_host, data_origin, allowed):
        raise EndpointNotAllowed(
            f"Refusing to send {data_origin} MIMIC data to {host} through the proxy {proxy_host} named "
            f"by the environment variable {variable}: a proxy sees what passes through it. Add {host} to NO_PROXY "
            "to connect directly, or, if the proxy may receive credentialed data, pass "
            f"--allow-remote-endpoint {proxy_host} or list it in {ALLOWED_ENDPOINTS_ENV}."
        )
    return proxy


def environment_proxy(base_url: str) -> tuple[str | None, str | None]:
    """The proxy the environment names for `base_url` and the variable that names it; (None, None) for a local
    host, a host that NO_PROXY exempts, or when no proxy variable is set."""
    url = urlsplit(base_url)
    host = url.hostname or ""
    if is_local(host):
        return None, None
    proxies = urllib.request.getproxies_environment()
    scheme = url.scheme.lower()
    key = scheme if proxies.get(scheme) else "all"
    proxy = proxies.get(key)
    if not proxy or urllib.request.proxy_bypass_environment(url.netloc.rpartition("@")[2], proxies):
        return None, None
    return (proxy if "://" in proxy else f"http://{proxy}"), f"{key.upper()}_PROXY"


def _may_receive(host: str, data_origin: str, allowed: set[str]) -> bool:
    return data_origin == "synthetic" or is_local(host) or host in allowed
