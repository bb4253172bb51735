"""Secrets never leave scout unmasked: a corpus of fake credentials (tests/fixtures/secrets) is
cited, read, grepped, commented on and sent to a model, and not one value comes out, on any surface.

The corpus (`repo/`) holds real-format FAKE secrets in a dozen languages and config formats;
`manifest.json` lists every value (each line of each private key body included). Every value there
is made up: none was ever a live credential.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from conftest import FIXTURES, committed_copy, run_scout, scout_env
from llm_fakes import FakeModel, Text, calls
from mcp import Client

from scout.mcp.server import ServerConfig, build_server
from scout.redact import MARKER, inside_private_key, redact, redact_range, secrets_in

CORPUS = FIXTURES / "secrets"
SECRETS: dict[str, str] = json.loads((CORPUS / "manifest.json").read_text(encoding="utf-8"))
FILES = sorted(str(p.relative_to(CORPUS / "repo")) for p in (CORPUS / "repo").rglob("*") if p.is_file())
EVENTS = FIXTURES / "events"


def leaked(text: str) -> list[str]:
    """The names of the corpus secrets that appear in `text`."""
    return [name for name, value in SECRETS.items() if value in text]


@pytest.fixture
def secrets_repo(tmp_path) -> Path:
    return committed_copy(CORPUS / "repo", tmp_path / "billing")


def whole_files(tmp_path: Path, root: Path) -> Path:
    """A scripted explorer that cites every file of the corpus whole."""
    spans = [[f, 1, len((root / f).read_text().splitlines())] for f in FILES]
    script = tmp_path / "cite-all.json"
    script.write_text(json.dumps({"spans": spans}))
    return script


def test_the_corpus_has_twenty_kinds_of_secret_in_a_dozen_formats():
    kinds = {name.split("_private_key_line")[0] for name in SECRETS}
    assert len(kinds) >= 20 and len(FILES) >= 12
    assert {Path(f).suffix for f in FILES} >= {".py", ".yaml", ".env", ".js", ".json", ".java", ".go", ".pem"}


@pytest.mark.parametrize("path", FILES)
def test_every_secret_in_every_file_is_masked_with_or_without_the_file_type(path):
    text = (CORPUS / "repo" / path).read_text()
    for hint in (path, None):
        masked = redact(text, hint)
        assert leaked(masked.text) == []
        assert masked.text.count("\n") == text.count("\n")  # line numbering holds
        assert masked.lines >= 1 and MARKER in masked.text


def test_only_the_value_is_masked_not_the_line():
    line = 'STRIPE_SECRET_KEY = "' + SECRETS["stripe_live_secret"] + '"  # rotated monthly'
    assert redact(line).text == f'STRIPE_SECRET_KEY = "{MARKER}"  # rotated monthly'
    url = "DATABASE_URL: postgres://app:" + SECRETS["basic_auth_password"] + "@db:5432/app"
    assert redact(url).text == f"DATABASE_URL: postgres://app:{MARKER}@db:5432/app"


def test_a_range_that_starts_inside_a_private_key_is_masked_whole():
    lines = (CORPUS / "repo" / "keys" / "server.pem").read_text().splitlines()
    assert inside_private_key(lines, 4) and not inside_private_key(lines, 0)
    masked = redact_range(lines, 5, len(lines), "keys/server.pem")
    assert leaked(masked.text) == [] and masked.text.endswith("-----END RSA PRIVATE KEY-----")
    assert masked.lines == len(lines) - 5


def test_ordinary_code_is_left_alone():
    code = [
        "def check_password(password, encoded, setter=None, preferred='default'):",
        "    token = self.make_token(user)",
        '    password = request.POST["password"]',
        "SECRET_KEY = os.environ['DJANGO_SECRET_KEY']",
        "api_key = settings.API_KEY",
        "commit = 4c5f1c0e9a2b3d4e5f60718293a4b5c6d7e8f901  # hex in quotes is masked: a secret or a hash",
        "https://github.com/octo-org/shop/blob/4c5f1c0e9a2b3d4e5f60718293a4b5c6d7e8f901/shop/auth/tokens.py#L19",
        "class AbstractBaseUserManagerTestCase2(TestCase):",
        "    test_password_reset_confirm_view_with_custom_user_model_and_uuid4 = None",
        "stripe.api_key = 'sk_test_XXXXXXXXXXXXXXXXXXXXXXXX'",
        "http_proxy=http://username:password@proxyserver:proxyport",
        "hooks = load_entry_points_from_distributions(group='scout.explorers')",
    ]
    for line in code:
        assert secrets_in(line, "app.py") == [], line


def test_scout_ask_masks_every_secret_in_json_and_markdown(secrets_repo, tmp_path):
    script = whole_files(tmp_path, secrets_repo)
    base = ["ask", "--repo", str(secrets_repo), "--budget", "30000", "--max-spans", "50"]
    query = f"why is {SECRETS['github_pat_classic']} rejected by the deploy"  # echoed: excerpt, header
    cite_all = [*base, query, "--explorer", f"scripted:{script}"]
    as_json = run_scout(*cite_all, "--json")
    assert as_json.returncode == 0, as_json.stderr
    bundle = json.loads(as_json.stdout)
    assert {s["path"] for s in bundle["answer"]} == set(FILES) and not bundle["truncated"]
    assert bundle["redacted_lines"] >= len(SECRETS) - 10  # several secrets share a line, some repeat
    assert leaked(as_json.stdout) == []
    markdown = run_scout(*cite_all)
    assert markdown.returncode == 0 and MARKER in markdown.stdout
    assert leaked(markdown.stdout) == []
    for query in ("billing client stripe key", "notify slack discord webhook", "keystore password"):
        asked = run_scout(*base, query, "--explorer", "heuristic", "--json")
        assert asked.returncode == 0 and json.loads(asked.stdout)["answer"], asked.stderr
        assert leaked(asked.stdout) == [], query
    # The test can see a leak: with masking off, the secrets come out.
    plain = run_scout(*cite_all, "--json", "--no-redact")
    assert json.loads(plain.stdout)["redacted_lines"] == 0 and len(leaked(plain.stdout)) == len(SECRETS)


def test_tool_commands_mask_their_output(secrets_repo):
    pattern = "key|token|pass|secret|BEGIN|://|[A-Za-z0-9]{20}"
    for extra in ([], ["--json"]):
        out = run_scout("tools", "grep", pattern, "--repo", str(secrets_repo), "--max-matches", "500", *extra)
        assert out.returncode == 0, out.stderr
        assert leaked(out.stdout) == [] and MARKER in out.stdout
    read = run_scout("tools", "read", "settings.py", "--repo", str(secrets_repo))
    assert read.returncode == 0 and leaked(read.stdout) == []


def test_the_redact_setting_comes_from_the_user_never_from_the_repository(secrets_repo, tmp_path):
    (secrets_repo / "scout.toml").write_text("redact = false\n")
    script = whole_files(tmp_path, secrets_repo)
    args = [
        "ask",
        "keys",
        "--repo",
        str(secrets_repo),
        "--budget",
        "30000",
        "--explorer",
        f"scripted:{script}",
    ]
    out = run_scout(*args, "--json")
    assert out.returncode == 0 and leaked(out.stdout) == []
    assert "ignoring redact = ... in" in out.stderr
    off = run_scout(*args, "--json", env={"SCOUT_REDACT": "0"})
    assert len(leaked(off.stdout)) == len(SECRETS)


def test_mcp_find_context_read_range_and_grep_mask_every_secret(secrets_repo):
    async def main() -> list[str]:
        texts = []
        async with Client(build_server(ServerConfig(repos=(secrets_repo,)))) as client:
            for query in ("billing client stripe key", "slack discord webhook", "keystore password"):
                found = await client.call_tool("find_context", {"query": query, "budget_tokens": 8000})
                assert not found.is_error, found.content
                texts += [found.content[0].text, json.dumps(found.structured_content, ensure_ascii=False)]
            for path in FILES:
                for start in (1, 3) if len((secrets_repo / path).read_text().splitlines()) >= 3 else (1,):
                    read = await client.call_tool("read_range", {"path": path, "start_line": start})
                    assert not read.is_error, read.content
                    texts.append(read.content[0].text)
            grep = await client.call_tool("grep", {"pattern": ".", "max_matches": 500})
            texts.append(grep.content[0].text)
        return texts

    texts = anyio.run(main)
    everything = "\n".join(texts)
    assert leaked(everything) == [] and MARKER in everything
    assert all(path in everything for path in FILES)  # every file was read or matched


FAILING_LOG = """\
=================================== FAILURES ===================================
______________________________ test_billing_client _____________________________
Traceback (most recent call last):
  File "/home/runner/work/billing/billing/settings.py", line 27, in billing_client
    return {{"key": STRIPE_SECRET_KEY}}
RuntimeError: rejected key {stripe} for {aws}
settings.py:27: RuntimeError
E   ValueError: token {github} was revoked; password={env_password}
FAILED tests/test_billing.py::test_client[{slack}] - ValueError: token {github} was revoked
"""


def test_the_ci_comment_masks_secrets_from_the_log_and_the_code(secrets_repo, tmp_path):
    log = tmp_path / "job.log"
    log.write_text(
        FAILING_LOG.format(
            stripe=SECRETS["stripe_live_secret"],
            aws=SECRETS["aws_access_key_id"],
            github=SECRETS["github_pat_classic"],
            env_password=SECRETS["env_password"],
            slack=SECRETS["slack_bot_token"],
        )
    )
    base = ["triage", "--repo", str(secrets_repo), "--dry-run"]
    failed = run_scout(*base, "--event", str(EVENTS / "workflow_run-failure.json"), "--log", str(log))
    assert failed.returncode == 0, failed.stderr
    assert "settings.py" in failed.stdout and MARKER in failed.stdout
    assert leaked(failed.stdout) == []
    issue = json.loads((EVENTS / "issues-opened.json").read_text())
    issue["issue"]["body"] = f"The billing client fails with {SECRETS['stripe_live_secret']} in settings.py"
    (tmp_path / "issue.json").write_text(json.dumps(issue))
    opened = run_scout(*base, "--event", str(tmp_path / "issue.json"), "--json")
    assert opened.returncode in (0, 1), opened.stderr
    assert leaked(opened.stdout) == []


PLAN = "## Plan\n\n1. Rotate the keys in `settings.py`.\n"
BAD_DIFF = """```diff
--- a/settings.py
+++ b/settings.py
@@ -5,3 +5,3 @@
-AWS_ACCESS_KEY_ID = "not what is there"
+AWS_ACCESS_KEY_ID = os.environ["AWS_ACCESS_KEY_ID"]
 AWS_SECRET_ACCESS_KEY = "also not what is there"
```
"""


def test_no_request_to_a_model_carries_a_secret(secrets_repo, tmp_path):
    """The LLM explorer's tool results and opening, the plan prompt, the patch prompt and the
    repair prompt (current file text around a rejected hunk): every request body the fake model
    server receives."""
    issue = tmp_path / "issue.md"
    issue.write_text(f"Rotate the billing keys\n\nThe log shows {SECRETS['github_pat_classic']} in use.\n")
    reads = [("read", {"path": f}) for f in FILES]
    answer = "<final_answer>\n" + "\n".join(f"{f}:1-40" for f in FILES) + "\n</final_answer>"
    script = [calls(*reads), Text(answer), Text(PLAN), calls(*reads), Text(answer), Text(BAD_DIFF), Text("")]
    with FakeModel(script) as fake:
        env = {"SCOUT_MODEL": f"openai:fake@{fake.url}", "SCOUT_API_KEY": "sk-test", "SCOUT_LLM_CACHE": "0"}
        common = ["--repo", str(secrets_repo), "--explorer", "llm", "--budget", "30000"]
        planned = run_scout("plan", str(issue), *common, env=env)
        assert planned.returncode == 0, planned.stderr
        patched = run_scout("patch", str(issue), *common, "--max-repairs", "1", env=env)
        assert patched.returncode == 1, patched.stderr
    bodies = json.dumps(fake.bodies, ensure_ascii=False)
    assert len(fake.bodies) == 7
    assert "rejected that diff" in fake.bodies[-1]["messages"][-1]["content"]  # the repair was sent
    assert "AWS_SECRET_ACCESS_KEY" in bodies and MARKER in bodies
    assert leaked(bodies) == []


def test_masking_a_key_block_leaves_its_markers_and_the_marker_alone():
    """Found by fuzzing (tests/test_fuzz.py): a value's growth ran into a key block's END marker, and
    a marker inside an open block was masked again («««redacted»»»)."""
    assert redact("0Private-MAC:0", inside_key=True).text == f"{MARKER}Private-MAC:0"
    assert redact(MARKER, inside_key=True).text == MARKER
    assert redact(f'  "{MARKER}\\n{MARKER}",', inside_key=True).lines == 0


def test_masking_never_imports_requests_and_leaves_the_real_one_for_anyone_else():
    """detect-secrets imports `requests` to verify secrets over the network, which scout never
    does; its import cost every `scout ask` ~110 ms (issue 21)."""
    code = (
        "import sys\n"
        "from scout.redact import redact\n"
        "print(redact('password = \"hunter2xyzABC123456789\"  # AKIAIOSFODNN7EXAMPLE', 'x.py').text)\n"
        "print('requests' in sys.modules, 'urllib3' in sys.modules)\n"
        "import requests\n"
        "print(requests.Session.__module__)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=scout_env(), timeout=60
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == [
        f'password = "{MARKER}"  # {MARKER}',
        "False False",
        "requests.sessions",
    ]
