"""The model client and the LLM explorers, over real HTTP against loopback fakes (tests/llm_fakes.py)
and, for hf:PATH, a tiny random-weight transformers model built on disk by the test."""

from __future__ import annotations

import json
import os
import re
import socket
import time

import pytest
from conftest import run_scout
from llm_fakes import Calls, Error, FakeModel, Text, calls

from scout.explorer.replies import parse_citations, parse_text_tool_calls, tool_arguments
from scout.llm import ChatClient, LLMError, RequestedCall, ResponseCache, parse_model
from scout.repo import Repo

QUERY = "where is the csrf token checked"
FINAL = "Found it.\n<final_answer>\nshop/auth/tokens.py:19-27 (compares the tokens)\n</final_answer>"


def ask(repo, explorer: str, *extra: str, env: dict | None = None):
    result = run_scout("ask", QUERY, "--repo", str(repo), "--json", "--explorer", explorer, *extra, env=env)
    assert result.returncode in (0, 1), result.stderr
    return result, json.loads(result.stdout)


def spans(bundle: dict) -> list[tuple[str, int, int]]:
    return [(s["path"], s["start_line"], s["end_line"]) for s in bundle["answer"]]


def tool_messages(body: dict) -> dict[str, str]:
    """Each tool result's text, without the fence around it (tests/test_untrusted.py checks that)."""
    return {m["tool_call_id"]: unfenced(m["content"]) for m in body["messages"] if m["role"] == "tool"}


def unfenced(text: str) -> str:
    return re.sub(
        r'^<untrusted-[0-9a-f]{16} source="[^"]*">\n(.*)\n</untrusted-[0-9a-f]{16}>$', r"\1", text, flags=re.S
    )


# --- the OpenAI-compatible explorer -------------------------------------------------------------


def test_openai_explorer_runs_parallel_tool_calls_then_reads_the_final_answer(sample_repo):
    script = [
        calls(("symbols", {"name": "check_csrf_token"}), ("grep", {"pattern": "X-CSRF-Token"})),
        Text(FINAL),
    ]
    with FakeModel(script) as fake:
        _, bundle = ask(sample_repo, f"openai:fake-4b@{fake.url}")
    assert spans(bundle) == [("shop/auth/tokens.py", 19, 27)]
    assert bundle["explorer"] == "openai:fake-4b" and not bundle["fallback"]
    assert bundle["answer"][0]["why"] == "cited by the explorer: compares the tokens"
    assert bundle["stats"]["tool_calls"] == 2 and bundle["stats"]["turns"] == 1
    first, second = fake.bodies
    names = sorted(t["function"]["name"] for t in first["tools"])
    assert names == ["bm25", "glob", "grep", "outline", "read", "related", "semantic", "symbols"]
    assert first["temperature"] == 0 and first["model"] == "fake-4b"
    assert QUERY in first["messages"][1]["content"] and "shop/auth/ (3)" in first["messages"][1]["content"]
    results = tool_messages(second)
    assert "shop/auth/tokens.py:19-27 function check_csrf_token" in results["call_0"]
    assert "shop/auth/middleware.py:15" in results["call_1"]


def test_streamed_replies_assemble_tool_calls_from_their_fragments(sample_repo):
    script = [
        calls(("symbols", {"name": "check_csrf_token"}), ("glob", {"pattern": "*middleware*"})),
        Text(FINAL),
    ]
    with FakeModel(script) as fake:
        _, bundle = ask(sample_repo, f"openai:fake@{fake.url}", env={"SCOUT_LLM_STREAM": "1"})
    assert all(b["stream"] is True for b in fake.bodies)
    assert spans(bundle) == [("shop/auth/tokens.py", 19, 27)]
    results = tool_messages(fake.bodies[1])
    assert "check_csrf_token" in results["call_0"] and "shop/auth/middleware.py" in results["call_1"]


def test_invalid_tool_arguments_go_back_to_the_model_as_errors(sample_repo):
    bad = calls(
        ("read", '{"path": "shop/auth/tokens.py", '), ("read", {"path": "no/such.py"}), ("delete", {})
    )
    with FakeModel([bad, Text(FINAL)]) as fake:
        _, bundle = ask(sample_repo, f"openai:fake@{fake.url}")
    results = tool_messages(fake.bodies[1])
    assert results["call_0"].startswith("error: arguments are not valid JSON")
    assert results["call_1"] == "error: no such file: no/such.py"
    assert results["call_2"].startswith("error: unknown tool 'delete'")
    assert spans(bundle) == [("shop/auth/tokens.py", 19, 27)]


def test_tool_calls_written_as_text_in_foreign_spellings_are_run(sample_repo):
    args = {"file_path": "shop/auth/tokens.py", "offset": 19, "limit": 9}
    call = f'<tool_call>{{"name": "Read", "arguments": {json.dumps(args)}}}'
    with FakeModel([Text(f"Let me look.\n{call}</tool_call>"), Text(FINAL)]) as fake:
        _, bundle = ask(sample_repo, f"openai:fake@{fake.url}")
    assistant = fake.bodies[1]["messages"][2]
    assert assistant["content"] == "Let me look." and assistant["tool_calls"][0]["function"]["name"] == "Read"
    assert tool_messages(fake.bodies[1])["call_0"].startswith(
        "shop/auth/tokens.py:19-27\n19  def check_csrf_token"
    )
    assert spans(bundle) == [("shop/auth/tokens.py", 19, 27)]


def test_a_run_without_a_final_answer_falls_back_to_the_touched_spans(sample_repo):
    script = [calls(("symbols", {"name": "check_csrf_token"})), Text("I could not decide.")]
    with FakeModel(script) as fake:
        _, bundle = ask(sample_repo, f"openai:fake@{fake.url}", "--max-turns", "1")
    assert bundle["fallback"] is True
    assert spans(bundle) == [("shop/auth/tokens.py", 19, 27)]
    last = fake.bodies[-1]
    assert last["tool_choice"] == "none" and "no tool calls left" in last["messages"][-1]["content"]


def test_anthropic_explorer_speaks_the_messages_api(sample_repo):
    script = [Calls([("symbols", {"name": "check_csrf_token"})], text="Looking."), Text(FINAL)]
    env = {"ANTHROPIC_API_KEY": "sk-ant-test", "SCOUT_API_KEY": None}
    with FakeModel(script, protocol="anthropic") as fake:
        _, bundle = ask(sample_repo, f"anthropic:claude-test@{fake.url}", env=env)
    assert spans(bundle) == [("shop/auth/tokens.py", 19, 27)]
    first, second = fake.requests
    assert first["path"] == "/v1/messages"
    assert first["headers"]["x-api-key"] == "sk-ant-test" and first["headers"]["anthropic-version"]
    body = first["body"]
    assert body["system"].startswith("You are a code search agent") and body["max_tokens"] > 0
    assert body["tools"][0]["input_schema"]["type"] == "object"
    assert [m["role"] for m in second["body"]["messages"]] == ["user", "assistant", "user"]
    assistant, results = second["body"]["messages"][1:]
    assert assistant["content"][1] == {
        "type": "tool_use", "id": "toolu_0", "name": "symbols", "input": {"name": "check_csrf_token"}
    }  # fmt: skip
    assert results["content"][0]["tool_use_id"] == "toolu_0"
    assert "check_csrf_token" in results["content"][0]["content"]


# --- the client: retries, errors, cache ---------------------------------------------------------


def client(url: str, **kw) -> ChatClient:
    return ChatClient(parse_model(f"openai:fake@{url}", env={"SCOUT_API_KEY": "sk-test"}), **kw)


def test_429_is_retried_after_the_wait_retry_after_asks_for():
    with FakeModel([Error(429, "slow down", {"Retry-After": "1"}), Text("hello")]) as fake:
        c = client(fake.url)
        started = time.monotonic()
        reply = c.chat([{"role": "user", "content": "hi"}])
        c.close()
    assert reply.text == "hello"
    assert time.monotonic() - started >= 1.0
    assert len(fake.requests) == 2 and c.usage.requests == 1 and c.usage.prompt_tokens > 0
    assert fake.requests[0]["headers"]["authorization"] == "Bearer sk-test"


def test_server_errors_are_retried_a_bounded_number_of_times():
    with FakeModel([Error(503, "overloaded", {"Retry-After": "0"})] * 3 + [Text("never")]) as fake:
        c = client(fake.url, retries=2)
        with pytest.raises(LLMError, match=r"failed 3 times; last: HTTP 503: overloaded"):
            c.chat([{"role": "user", "content": "hi"}])
        c.close()
    assert len(fake.requests) == 3


def test_an_unauthorised_request_is_one_clear_line_naming_the_key_variable():
    with FakeModel([Error(401, "invalid api key")]) as fake:
        c = client(fake.url)
        with pytest.raises(LLMError) as err:
            c.chat([{"role": "user", "content": "hi"}])
        c.close()
    line = err.value.one_line()
    assert "refused the API key (HTTP 401): invalid api key" in line and "OPENAI_API_KEY" in line
    assert "\n" not in line and len(fake.requests) == 1


def test_an_unreachable_endpoint_fails_at_once_without_retrying():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again before use: nothing listens there
    c = client(f"http://127.0.0.1:{port}/v1", retries=3)
    started = time.monotonic()
    with pytest.raises(LLMError, match="cannot reach the model endpoint"):
        c.chat([{"role": "user", "content": "hi"}])
    c.close()
    assert time.monotonic() - started < 5


def test_identical_deterministic_requests_are_served_from_the_disk_cache(tmp_path):
    messages = [{"role": "user", "content": "hi"}]
    with FakeModel([Text("first"), Text("second"), Text("third")]) as fake:
        for _ in range(2):
            c = client(fake.url, cache=ResponseCache(tmp_path))
            assert c.chat(messages).text == "first"
            c.close()
        assert c.usage.cache_hits == 1 and c.usage.requests == 0
        warm = client(fake.url, cache=ResponseCache(tmp_path), temperature=0.7)
        assert warm.chat(messages).text == "second"  # sampling: never cached
        warm.close()
    assert len(fake.requests) == 2


# --- reading model output -----------------------------------------------------------------------


def test_fastcontext_final_answer_blocks_with_absolute_and_repo_named_paths(sample_repo):
    text = (
        "Reasoning... shop/cart/cart.py:1-3 was a dead end.\n<final_answer>\n"
        f"{sample_repo}/shop/auth/tokens.py:19-27 (token check)\n"
        "/sample_repo/shop/auth/middleware.py:12-18 - calls the check\n"
        "shop/auth/missing.py:1-4\nshop/auth/tokens.py:19-27\n</final_answer>"
    )
    got = parse_citations(text, Repo.open(sample_repo))
    assert [(s.path, s.start_line, s.end_line) for s in got] == [
        ("shop/auth/tokens.py", 19, 27),
        ("shop/auth/middleware.py", 12, 18),
    ]
    assert got[0].why == "cited by the explorer: token check" and got[1].why.endswith("calls the check")


def test_plain_citations_outside_a_block_count_when_there_is_no_block(sample_repo):
    got = parse_citations("See shop/cart/pricing.py:16-21, and shop/cart/cart.py:22.", Repo.open(sample_repo))
    assert [(s.path, s.start_line, s.end_line) for s in got] == [
        ("shop/cart/pricing.py", 16, 21),
        ("shop/cart/cart.py", 22, 22),
    ]


def test_text_tool_calls_and_foreign_argument_spellings():
    text = (
        '<tool_call>{"name": "READ", "arguments": {"file_path": "a.py", "offset": "10", "limit": 5}}'
        "</tool_call>"
        '<tool_call>{"name": "grep", "arguments": {"pattern": "x", "fixed": "true"}}</tool_call>'
        '<tool_call>{"name": "grep", "arguments": {"pattern": "x", "fixed": "true"}}</tool_call>'
    )
    parsed = parse_text_tool_calls(text)
    assert len(parsed) == 2
    # spellings are mapped here; "10" and "true" are converted when the registry checks them
    assert tool_arguments(parsed[0]) == ("read", {"path": "a.py", "start_line": "10", "end_line": 14})
    assert tool_arguments(parsed[1]) == ("grep", {"pattern": "x", "fixed": "true"})
    with pytest.raises(ValueError, match="JSON object"):
        tool_arguments(RequestedCall("c", "grep", "[1, 2]"))


def test_model_names_pick_provider_url_and_key():
    env = {"OPENAI_API_KEY": "sk-o", "ANTHROPIC_API_KEY": "sk-a"}
    spec = parse_model("openai:qwen3:4b@http://127.0.0.1:11434/v1/", env=env)
    assert (spec.provider, spec.model, spec.base_url, spec.api_key) == (
        "openai", "qwen3:4b", "http://127.0.0.1:11434/v1", "sk-o"
    )  # fmt: skip
    assert parse_model("claude-sonnet-4-5", env=env).base_url == "https://api.anthropic.com"
    assert parse_model("claude-x", base_url="http://127.0.0.1:4000", env=env).provider == "openai"
    assert parse_model("gpt-4o", env={"SCOUT_API_KEY": "sk-s", **env}).api_key == "sk-s"


# --- the local transformers explorer ------------------------------------------------------------

TOOL_CALL = '<tool_call>{"name": "symbols", "arguments": {"name": "check_csrf_token"}}</tool_call>'


def build_tiny_model(folder) -> None:
    """A one-layer Llama with random weights and a word-level tokenizer, saved to `folder`.

    Its final norm is zeroed, so every logit is 0 and greedy decoding picks token 0, which is a
    whole tool call: the model's output is fixed, and the test can follow the loop around it."""
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    from tokenizers import Tokenizer, models, pre_tokenizers

    words = "where is the csrf token checked shop auth".split()
    vocab = {TOOL_CALL: 0, "[UNK]": 1, "[PAD]": 2, "[EOS]": 3, **{w: i + 4 for i, w in enumerate(words)}}
    backend = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = transformers.PreTrainedTokenizerFast(
        tokenizer_object=backend, unk_token="[UNK]", pad_token="[PAD]", eos_token="[EOS]"
    )
    tokenizer.save_pretrained(folder)
    config = transformers.LlamaConfig(
        vocab_size=len(vocab), hidden_size=16, intermediate_size=32, num_hidden_layers=1,
        num_attention_heads=2, num_key_value_heads=2, max_position_embeddings=32768,
        pad_token_id=2, eos_token_id=3, bos_token_id=None,
    )  # fmt: skip
    torch.manual_seed(0)
    model = transformers.LlamaForCausalLM(config)
    with torch.no_grad():
        model.model.norm.weight.zero_()
    model.save_pretrained(folder)


def test_hf_explorer_drives_the_loop_with_a_local_model(sample_repo, tmp_path):
    folder = tmp_path / "tiny-llama"
    build_tiny_model(folder)
    trajectory = tmp_path / "run.jsonl"
    result, bundle = ask(sample_repo, f"hf:{folder}", "--max-turns", "1", "--trajectory", str(trajectory))
    records = [json.loads(line) for line in trajectory.read_text().splitlines()]
    # Turn 1: the model's text became one tool call (its repeats deduplicated), which ran.
    assert [(r["type"], r.get("tool"), r.get("args")) for r in records] == [
        ("tool_call", "symbols", {"name": "check_csrf_token"}),
        ("answer", None, None),
    ]
    assert records[0]["ok"] and records[0]["hits"] == 1
    # Then no turns were left and the model still cited nothing: the flagged fallback.
    assert bundle["explorer"] == "hf:tiny-llama" and bundle["fallback"] is True
    assert spans(bundle) == [("shop/auth/tokens.py", 19, 27)]
    assert result.stderr == ""


def test_a_hosted_model_without_a_key_is_a_one_line_error_before_any_request(sample_repo):
    env = {k: None for k in os.environ if "API_KEY" in k}
    out = run_scout("ask", "q", str(sample_repo), "--explorer", "anthropic:claude-x", env=env, timeout=60)
    assert out.returncode == 2 and "no API key for anthropic:claude-x" in out.stderr
    assert "ANTHROPIC_API_KEY" in out.stderr and "cannot reach" not in out.stderr
