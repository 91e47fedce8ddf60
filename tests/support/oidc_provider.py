"""A real OpenID provider running locally (the ``oidc-provider`` npm package under node), for the
DfE Sign-in tests. The package is installed from npm on first use into ``.cache/oidc-provider``
(ignored by git); each test session starts one provider with the clients it needs."""
from __future__ import annotations

import json
import os
import re
import socket
import subprocess
import time
from contextlib import contextmanager
from html import unescape
from pathlib import Path
from typing import Iterator
from urllib.parse import urljoin

import httpx

ROOT = Path(__file__).resolve().parents[2]
CACHE = ROOT / ".cache" / "oidc-provider"
VERSION = "8.8.1"
SCRIPT = Path(__file__).resolve().parent / "oidc" / "provider.mjs"


def install() -> Path:
    modules = CACHE / "node_modules"
    if not (modules / "oidc-provider" / "package.json").exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", str(CACHE),
                        f"oidc-provider@{VERSION}"], check=True, timeout=600)
    return modules


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_provider(clients: list[dict]) -> Iterator[str]:
    """Start the provider with ``clients`` (oidc-provider client metadata); yields its issuer URL."""
    modules = install()
    port = _free_port()
    env = {**os.environ, "OIDC_PORT": str(port), "OIDC_CLIENTS": json.dumps(clients), "OIDC_MODULES": str(modules),
           "NODE_ENV": "development"}
    process = subprocess.Popen(["node", str(SCRIPT)], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                               text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            line = process.stdout.readline()
            if line.startswith("ready "):
                break
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"oidc-provider did not start: {line}{process.stdout.read() if process.poll() is not None else ''}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


def _form(html: str) -> tuple[str, dict[str, str]]:
    action = re.search(r'<form[^>]*action="([^"]+)"', html)
    fields = dict(re.findall(r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html))
    return unescape(action.group(1)) if action else "", {k: unescape(v) for k, v in fields.items()}


async def sign_in_at_provider(provider: httpx.AsyncClient, authorization_url: str, *, email: str,
                              redirect_prefix: str) -> str:
    """Act as the person at the provider: log in as ``email``, consent, and return the redirect
    back to the client (``redirect_prefix...?code=...&state=...``) without following it."""
    url = authorization_url
    for _ in range(12):
        r = await provider.get(url)
        while r.status_code in (302, 303):
            location = urljoin(str(r.url), r.headers["location"])
            if location.startswith(redirect_prefix):
                return location
            r = await provider.get(location)
        action, fields = _form(r.text)
        if 'name="login"' in r.text:
            fields.update({"login": email, "password": "any"})
        r = await provider.post(urljoin(str(r.url), action), data=fields)
        if r.status_code not in (302, 303):
            raise AssertionError(f"unexpected provider page {r.status_code}: {r.text[:500]}")
        url = urljoin(str(r.url), r.headers["location"])
        if url.startswith(redirect_prefix):
            return url
    raise AssertionError("the provider never redirected back")
