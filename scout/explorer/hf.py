"""`--explorer hf:PATH`: a local causal language model (transformers, on the CPU) drives the tools.

It is the LLM explorer with a different `Chat`: the same prompt, the same reply parsing. The
conversation is rendered with the tokenizer's chat template (tools passed to it, as Qwen-style
templates expect) or, for a tokenizer without one, with a plain template that lists the tools and
asks for `<tool_call>` blocks. Generation is greedy, so a run is repeatable.

transformers and torch are imported only here, and only when such an explorer is made:
`pip install 'scout-context[llm-local]'`.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from scout.errors import ScoutError
from scout.explorer.llm import LLMPolicy
from scout.explorer.replies import parse_text_tool_calls, remove_tool_calls
from scout.llm import Message, Reply, Usage

log = logging.getLogger("scout.explorer.hf")

MAX_NEW_TOKENS = 512
TOOLS_HEADER = (
    "# Tools\n\nYou may call these functions. To call one, write\n"
    '<tool_call>{"name": NAME, "arguments": {...}}</tool_call>\n'
    "once per call; several calls in one reply run in parallel.\n"
)


class LocalChat:
    """`Chat` over a model directory on disk (config, weights, tokenizer); never downloads."""

    def __init__(self, path: str | Path, max_new_tokens: int = MAX_NEW_TOKENS) -> None:
        torch, transformers = _imports()
        folder = Path(path).expanduser()
        if not folder.is_dir():
            raise ScoutError(f"no model directory at {path}", hint="hf:PATH takes a local directory")
        self.name = f"hf:{folder.name}"
        self.usage = Usage()
        self.max_new_tokens = max_new_tokens
        self._torch, self._transformers = torch, transformers
        try:
            self.tokenizer = transformers.AutoTokenizer.from_pretrained(folder, local_files_only=True)
            self.model = transformers.AutoModelForCausalLM.from_pretrained(folder, local_files_only=True)
        except (OSError, ValueError) as exc:
            raise ScoutError(f"cannot load a causal LM from {path}: {exc}") from None
        self.model.eval()

    def chat(
        self,
        messages: list[Message],
        tools: list[dict[str, Any]] | None = None,
        tool_choice: str = "auto",
        max_tokens: int | None = None,
    ) -> Reply:
        prompt = self.render(messages, tools if tool_choice != "none" else None)
        inputs = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False)
        prompt_len = inputs["input_ids"].shape[1]
        with self._torch.no_grad():
            output = self.model.generate(
                **inputs,
                max_new_tokens=max_tokens or self.max_new_tokens,
                do_sample=False,
                pad_token_id=self.tokenizer.pad_token_id or self.tokenizer.eos_token_id or 0,
                stopping_criteria=[self._stop_when_done(prompt_len)],
            )
        new = output[0, prompt_len:]
        text = self.tokenizer.decode(new, skip_special_tokens=True)
        usage = Usage(prompt_len, int(new.shape[0]), requests=1)
        self.usage.add(usage)
        log.info("%s: %d prompt + %d generated tokens", self.name, prompt_len, usage.completion_tokens)
        return Reply(remove_tool_calls(text), parse_text_tool_calls(text), "stop", usage)

    def _stop_when_done(self, prompt_len: int) -> Any:
        """Stop at a closed final answer, or when the model repeats a tool call it already made in
        this reply: small models loop, and every further token only costs time."""
        base = self._transformers.StoppingCriteria
        decode = self.tokenizer.decode
        torch = self._torch

        class Done(base):  # type: ignore[misc, valid-type]
            def __call__(self, input_ids: Any, scores: Any, **kwargs: Any) -> Any:
                text = decode(input_ids[0, prompt_len:], skip_special_tokens=True)
                repeated = text.count("</tool_call>") > len(parse_text_tool_calls(text))
                done = repeated or "</final_answer>" in text
                return torch.full((input_ids.shape[0],), done, dtype=torch.bool)

        return Done()

    def render(self, messages: list[Message], tools: list[dict[str, Any]] | None) -> str:
        if getattr(self.tokenizer, "chat_template", None):
            wrapped = [{"type": "function", "function": t} for t in tools] if tools else None
            try:
                return self.tokenizer.apply_chat_template(
                    messages, tools=wrapped, add_generation_prompt=True, tokenize=False
                )
            except Exception as exc:  # a template is the model's own code: any failure means "use ours"
                log.warning("%s: chat template failed (%s); using a plain one", self.name, exc)
        return plain_template(messages, tools)


def plain_template(messages: list[Message], tools: list[dict[str, Any]] | None) -> str:
    """A chat rendering for tokenizers that ship no template."""
    parts = []
    for m in messages:
        content = m.get("content") or ""
        if m["role"] == "system" and tools:
            content += "\n\n" + TOOLS_HEADER + "\n".join(json.dumps(t) for t in tools)
        for call in m.get("tool_calls") or []:
            fn = call["function"]
            content += f'\n<tool_call>{{"name": "{fn["name"]}", "arguments": {fn["arguments"]}}}</tool_call>'
        parts.append(f"<|{m['role']}|>\n{content.strip()}\n")
    return "".join(parts) + "<|assistant|>\n"


def explorer(arg: str) -> LLMPolicy:
    """`hf:PATH`: a local transformers checkpoint drives the tools (needs the llm-local extra)."""
    if not arg:
        raise ScoutError("hf needs a checkpoint directory: hf:PATH")
    return local_policy(arg)


def local_policy(path: str) -> LLMPolicy:
    chat = LocalChat(path)
    return LLMPolicy(client=chat, name=chat.name)


def _imports() -> tuple[Any, Any]:
    try:
        import torch
        import transformers
    except ImportError:
        raise ScoutError(
            "hf: explorers need torch and transformers",
            hint="pip install 'scout-context[llm-local]'",
        ) from None
    # Their progress bars and advice would land on our stderr, between scout's own lines.
    transformers.logging.set_verbosity_error()
    transformers.logging.disable_progress_bar()
    return torch, transformers
