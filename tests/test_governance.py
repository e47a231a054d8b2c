"""Governance: credentialed data goes only to local endpoints or to hosts the user allowed."""

import pytest

from generator.governance import EndpointNotAllowed, allowed_hosts, check_endpoint


@pytest.mark.parametrize(
    ("url", "origin", "allowed", "refused"),
    [
        ("http://127.0.0.1:8000/v1", "credentialed", (), False),
        ("http://localhost:11434/v1", "credentialed", (), False),
        ("http://[::1]:8080/v1", "credentialed", (), False),
        ("https://api.openai.com/v1", "synthetic", (), False),
        ("https://api.openai.com/v1", "credentialed", (), True),
        ("https://myorg.openai.azure.com/openai/v1", "credentialed", ("myorg.openai.azure.com",), False),
        ("http://10.0.0.5:8000/v1", "credentialed", (), True),
    ],
)
def test_only_local_or_allowed_hosts_receive_credentialed_data(url, origin, allowed, refused):
    if refused:
        with pytest.raises(EndpointNotAllowed, match="--allow-remote-endpoint"):
            check_endpoint(url, origin, allowed)
    else:
        check_endpoint(url, origin, allowed)


def test_allowed_hosts_merge_cli_and_environment():
    env = {"MIMICBENCH_ALLOWED_ENDPOINTS": "a.example.org, B.example.org"}
    assert allowed_hosts(["c.example.org"], env) == ("a.example.org", "b.example.org", "c.example.org")
