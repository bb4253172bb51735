"""`scout plan` / `scout patch`: explore, then a frontier model (a scripted loopback fake) plans or
patches; patches are checked with `git apply --check` and repaired when they do not apply."""

from __future__ import annotations

import json
import socket

from conftest import git, run_scout
from llm_fakes import Error, FakeModel, Text, calls

ISSUE = """Discount codes are case-sensitive

Customers typing `save10` instead of `SAVE10` get no discount: PriceCalculator.apply_discount
looks the code up exactly as typed. Codes should match regardless of case.
"""

GOOD_DIFF = '''```diff
--- a/shop/cart/pricing.py
+++ b/shop/cart/pricing.py
@@ -16,6 +16,8 @@ class PriceCalculator:
     def apply_discount(self, code, amount):
         """Apply a discount code; unknown codes leave the amount unchanged."""
+        if code is not None:
+            code = code.upper()
         percent = self.discounts.get(code)
         if percent is None:
             return amount
```
'''
# The model misremembers a context line: git refuses the hunk.
BAD_DIFF = GOOD_DIFF.replace('        """Apply a discount code;', '        """Apply the discount code;')
PLAN = "## Plan\n\n1. **Cause**: `shop/cart/pricing.py:18` looks codes up as typed.\n2. Upper-case them.\n"


def model_env(url: str, model: str = "fake-frontier") -> dict[str, str]:
    return {"SCOUT_MODEL": f"openai:{model}@{url}", "SCOUT_API_KEY": "sk-test"}


def issue_file(tmp_path):
    path = tmp_path / "issue.md"
    path.write_text(ISSUE, encoding="utf-8")
    return str(path)


def test_explore_plan_and_patch_on_a_repository_whose_patch_applies(sample_repo, tmp_path):
    explorer_turns = [
        calls(
            ("symbols", {"name": "apply_discount"}), ("grep", {"pattern": "discount", "ignore_case": True})
        ),
        Text("<final_answer>\nshop/cart/pricing.py:16-21 (looks the code up)\n</final_answer>"),
    ]
    issue = issue_file(tmp_path)
    with FakeModel([*explorer_turns, Text(PLAN), Text(GOOD_DIFF)]) as fake:
        env = model_env(fake.url)
        planned = run_scout("plan", issue, "--repo", str(sample_repo), "--explorer", "llm", env=env)
        assert planned.returncode == 0, planned.stderr
        assert planned.stdout == PLAN
        patched = run_scout(
            "patch", issue, "--repo", str(sample_repo), "--explorer", "llm", "--apply", env=env
        )
        assert patched.returncode == 0, patched.stderr
        # The explorer's two requests were repeated word for word: the second run read them from cache.
        assert len(fake.requests) == 4
    plan_request = fake.bodies[2]
    assert "tools" not in plan_request
    assert "implementation plan" in plan_request["messages"][0]["content"]
    prompt = plan_request["messages"][1]["content"]
    assert "Discount codes are case-sensitive" in prompt and "### shop/cart/pricing.py:16-21" in prompt
    assert "def apply_discount(self, code, amount):" in prompt
    # The explorer's reason for its citation is for people; the model is sent the citation and code.
    assert "looks the code up" not in prompt.split("## Evidence", 1)[1]
    assert "## scout:" not in prompt  # nor a heading that repeats the issue's title
    assert (
        patched.stdout.startswith("--- a/shop/cart/pricing.py")
        and "+            code = code.upper()" in patched.stdout
    )
    assert "code = code.upper()" in (sample_repo / "shop/cart/pricing.py").read_text()
    assert "patch applies (0 repairs)" in patched.stderr
    assert "sent" in planned.stderr and "for the full text of the 1 cited files" in planned.stderr


def test_a_patch_that_does_not_apply_is_repaired_once(sample_repo, tmp_path):
    out = tmp_path / "fix.diff"
    with FakeModel([Text(BAD_DIFF), Text(GOOD_DIFF)]) as fake:
        result = run_scout(
            "patch", issue_file(tmp_path), "--repo", str(sample_repo), "--explorer", "heuristic",
            "--output", str(out), env=model_env(fake.url),
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(fake.requests) == 2
    repair = fake.bodies[1]["messages"][-1]["content"]
    assert "git apply --check` rejected that diff" in repair and "patch does not apply" in repair
    assert '   17          """Apply a discount code; unknown codes leave the amount unchanged."""' in repair
    assert out.read_text() == result.stdout and "code = code.upper()" in result.stdout
    assert "patch applies (1 repairs)" in result.stderr
    assert git(sample_repo, "status", "--porcelain") == ""  # no --apply: the work tree is untouched


def test_a_patch_that_never_applies_is_neither_printed_nor_written(sample_repo, tmp_path):
    out = tmp_path / "fix.diff"
    with FakeModel([Text(BAD_DIFF), Text("Sorry, here is the fix: just upper-case it.")]) as fake:
        result = run_scout(
            "patch", issue_file(tmp_path), "--repo", str(sample_repo), "--explorer", "heuristic",
            "--max-repairs", "1", "--output", str(out), "--json", env=model_env(fake.url),
        )  # fmt: skip
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert report["ok"] is False and report["text"] == "" and report["attempts"] == 2
    assert "patch does not apply" in report["errors"][0]
    assert report["errors"][1] == "the reply holds no unified diff"
    assert not out.exists() and report["output"] is None
    assert git(sample_repo, "status", "--porcelain") == ""


def test_an_unreachable_model_exits_2_with_one_line(sample_repo, tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{s.getsockname()[1]}/v1"
    result = run_scout(
        "plan", ISSUE, "--repo", str(sample_repo), "--explorer", "heuristic", env=model_env(url)
    )
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"scout: error: cannot reach the model endpoint {url}")


def test_no_configured_model_is_one_line_before_any_work(sample_repo):
    result = run_scout("plan", ISSUE, "--repo", str(sample_repo), env={"SCOUT_MODEL": None})
    assert result.returncode == 2
    assert result.stderr.startswith("scout: error: no model configured (set SCOUT_MODEL")


def test_a_second_identical_plan_is_served_from_the_cache(sample_repo, tmp_path):
    issue = issue_file(tmp_path)
    args = ("plan", issue, "--repo", str(sample_repo), "--explorer", "heuristic")
    with FakeModel([Text(PLAN), Text("a different plan")]) as fake:
        first = run_scout(*args, env=model_env(fake.url))
        second = run_scout(*args, env=model_env(fake.url))
        assert len(fake.requests) == 1
        assert second.stdout == first.stdout == PLAN
        assert "0 requests (1 more from cache)" in second.stderr
        fresh = run_scout(*args, "--no-cache", env=model_env(fake.url))
    assert len(fake.requests) == 2 and fresh.stdout == "a different plan\n"


def test_429_then_success_through_the_cli(sample_repo):
    script = [Error(429, "rate limited", {"Retry-After": "0"}), Text(PLAN)]
    with FakeModel(script) as fake:
        result = run_scout("plan", ISSUE, "--repo", str(sample_repo), "--explorer", "heuristic",
                           env=model_env(fake.url))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == PLAN and len(fake.requests) == 2


def test_plan_through_anthropic_reports_tokens_against_the_naive_baseline(sample_repo, tmp_path):
    env = {"SCOUT_MODEL": None, "ANTHROPIC_API_KEY": "sk-ant", "SCOUT_API_KEY": None}
    with FakeModel([Text(PLAN)], protocol="anthropic") as fake:
        result = run_scout(
            "plan", issue_file(tmp_path), "--repo", str(sample_repo), "--explorer", "heuristic",
            "--model", f"anthropic:claude-test@{fake.url}", "--json", env=env,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["text"] == PLAN.strip() and report["prompt"] == "plan-v2"
    assert report["model"] == "anthropic:claude-test"
    tokens = report["tokens"]
    cited = sorted({s["path"] for s in report["bundle"]["answer"]})
    assert sorted(tokens["files"]) == cited and "shop/cart/pricing.py" in cited
    assert 0 < tokens["sent"] < tokens["baseline"] and tokens["saved"] > 0
    assert report["usage"]["frontier"]["requests"] == 1 and report["usage"]["frontier"]["prompt_tokens"] > 0
    body = fake.requests[0]["body"]
    assert body["system"].startswith("You are a senior software engineer") and "tools" not in body
    assert fake.requests[0]["headers"]["x-api-key"] == "sk-ant"
