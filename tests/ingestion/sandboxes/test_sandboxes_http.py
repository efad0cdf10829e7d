"""The sandboxes speak each platform's shapes over real HTTP (no leadsync code involved)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests

from leadsync.ingestion.sandboxes import google_ads as g
from leadsync.ingestion.sandboxes import linkedin as li
from leadsync.ingestion.sandboxes.meta import FORMS, VALID_TOKEN, start_meta_sandbox

ROOT = Path(__file__).resolve().parents[3]


def access_token(sb, platform) -> str:
    """A fresh access token from the sandbox's refresh-token grant (``platform``: its module)."""
    return requests.post(
        sb.token_url,
        data={
            "grant_type": "refresh_token",
            "refresh_token": platform.REFRESH_TOKEN,
            "client_id": platform.CLIENT_ID,
            "client_secret": platform.CLIENT_SECRET,
        },
        timeout=5,
    ).json()["access_token"]


def test_meta_pages_with_cursors_and_reports_errors_like_the_graph_api():
    with start_meta_sandbox(port=0) as sb:
        form = next(iter(FORMS))
        auth = {"Authorization": f"Bearer {VALID_TOKEN}"}
        first = requests.get(f"{sb.url}/{form}/leads", params={"limit": 5}, headers=auth, timeout=5).json()
        assert len(first["data"]) == 5 and "next" in first["paging"]
        last = requests.get(
            f"{sb.url}/{form}/leads", params={"limit": 5, "after": "eyJpIjogMTB9"}, headers=auth, timeout=5
        ).json()
        assert len(last["data"]) == 2 and "next" not in last["paging"]
        sb.inject_error("rate_limit")
        limited = requests.get(f"{sb.url}/{form}/leads", headers=auth, timeout=5)
        assert limited.status_code == 400 and limited.json()["error"]["code"] == 80005
        assert "estimated_time_to_regain_access" in limited.headers["X-Business-Use-Case-Usage"]
        sb.expire_token()
        expired = requests.get(f"{sb.url}/{form}/leads", headers=auth, timeout=5).json()["error"]
        assert expired["code"] == 190 and expired["fbtrace_id"]


def test_linkedin_requires_restli_encoding_version_header_and_a_valid_token():
    with li.start_linkedin_sandbox(port=0) as sb:
        token = access_token(sb, li)
        headers = {
            "Authorization": f"Bearer {token}",
            "LinkedIn-Version": li.VERSIONS.active(sb.current_date())[-1],
            "X-Restli-Protocol-Version": "2.0.0",
        }
        good = (
            f"{sb.url}/rest/leadFormResponses?q=owner&owner=(sponsoredAccount:urn%3Ali%3AsponsoredAccount%3A"
            f"{li.ACCOUNT_ID})&leadType=(leadType:SPONSORED)&start=0&count=3"
        )
        page = requests.get(good, headers=headers, timeout=5).json()
        assert len(page["elements"]) == 3 and page["paging"]["total"] == 14
        # requests' default encoding of the whole Rest.li value is what the real API rejects too
        bad = requests.get(
            f"{sb.url}/rest/leadFormResponses",
            headers=headers,
            timeout=5,
            params={"q": "owner", "owner": f"(sponsoredAccount:urn:li:sponsoredAccount:{li.ACCOUNT_ID})"},
        )
        assert bad.status_code == 400
        no_version = requests.get(good, headers={**headers, "LinkedIn-Version": ""}, timeout=5)
        assert no_version.status_code == 426
        sb.expire_token()
        assert requests.get(good, headers=headers, timeout=5).json()["serviceErrorCode"] == 65601


def test_google_ads_streams_batches_and_checks_the_developer_token():
    with g.start_google_ads_sandbox(port=0) as sb:
        token = access_token(sb, g)
        newest = g.VERSIONS.active(sb.current_date())[-1]
        url = f"{sb.url}/{newest}/customers/{g.CUSTOMER_ID}/googleAds:searchStream"
        body = {"query": "SELECT lead_form_submission_data.id FROM lead_form_submission_data"}
        headers = {
            "Authorization": f"Bearer {token}",
            "developer-token": g.DEVELOPER_TOKEN,
            "login-customer-id": g.LOGIN_CUSTOMER_ID,
        }
        batches = requests.post(url, json=body, headers=headers, timeout=5).json()
        assert isinstance(batches, list) and sum(len(b["results"]) for b in batches) == 10
        assert all("fieldMask" in b and "requestId" in b for b in batches)
        assert "queryResourceConsumption" in batches[-1]
        assert all("queryResourceConsumption" not in b for b in batches[:-1])
        no_manager = {k: v for k, v in headers.items() if k != "login-customer-id"}
        denied_manager = requests.post(url, json=body, headers=no_manager, timeout=5)
        assert denied_manager.status_code == 403
        assert "login-customer-id" in denied_manager.json()["error"]["details"][0]["errors"][0]["message"]
        sunset = requests.post(url.replace(f"/{newest}/", "/v21/"), json=body, headers=headers, timeout=5)
        assert sunset.status_code == 501 and sunset.json()["error"]["status"] == "UNIMPLEMENTED"
        denied = requests.post(url, json=body, headers={**headers, "developer-token": "x"}, timeout=5).json()
        assert denied["error"]["status"] == "UNAUTHENTICATED"
        sb.inject_error("rate_limit", retry_delay=7)
        err = requests.post(url, json=body, headers=headers, timeout=5).json()["error"]
        assert err["status"] == "RESOURCE_EXHAUSTED"
        assert err["details"][0]["errors"][0]["details"]["quotaErrorDetails"]["retryDelay"] == "7s"


def test_runner_serves_one_platform_standalone():
    proc = subprocess.Popen(
        [sys.executable, "-m", "leadsync.ingestion.sandboxes", "meta", "--port", "0"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        line = proc.stdout.readline()
        url = line.rsplit(" ", 1)[-1].strip()
        assert line.startswith("meta sandbox: base_url http://127.0.0.1:")
        reply = requests.get(
            f"{url}/{next(iter(FORMS))}/leads", params={"access_token": VALID_TOKEN}, timeout=5
        )
        assert reply.status_code == 200 and reply.json()["data"]
    finally:
        proc.terminate()
        proc.wait(timeout=10)
