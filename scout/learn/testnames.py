"""Tasks from test names: a test says in words what the code it exercises does.

`test_password_is_rehashed_when_iterations_change` is a sentence about behaviour ("password is
rehashed when iterations change"), and the definitions the test calls are where that behaviour
lives. A test also calls helpers, fixtures and assertions, so its gold is only the non-test
definitions it calls whose names share a word with the test's name; a test is kept when one or two
definitions qualify. Tests are test functions by name (`test_*`, Go's `TestXxx`, PHP's
`testXxx`), by annotation (`#[test]`, `@Test`, `[Fact]`), or `it("...")`/`test("...")` blocks
whose description is the sentence (JavaScript, TypeScript, Ruby).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass

from tree_sitter import Node, Parser

from scout.index.files import is_vendored_path
from scout.index.languages import grammar, language_for
from scout.index.records import Definition, Reference
from scout.learn.headtree import HeadTree, is_test_file
from scout.learn.tasks import definition_task

MIN_WORDS = 3  # "parse header" is a symbol lookup, not a sentence
MAX_GOLD = 2
NAMED_TEST = re.compile(r"^[Tt]est(?:_|[A-Z0-9])")
TEST_MARK = re.compile(
    r"@(?:\w+\.)*\w*Test\b|#\[(?:\w+::)*test\b|\[(?:Fact|Theory|Test|TestMethod|TestCase)\b"
)
ANNOTATION_LINE = re.compile(r"^\s*(?:#\[|@|\[|//|/\*|\*|$)")
DESCRIBED = ("javascript", "typescript", "tsx", "ruby")
DESCRIBING_CALLS = frozenset(("it", "test", "specify"))
CALL_LIKE = re.compile(r"\b([A-Za-z_]\w*)\s*(?:::<[^>]*>)?\s*\(")  # calls inside Rust macro arguments
WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
STOP = frozenset(
    """test tests a an the is are be been it its to of in on for and or not no with when should does do
    can get set new from by as at into that this than then if""".split()
)


@dataclass(frozen=True)
class TestCase:
    path: str
    name: str  # the function's name, or the description of an it("...") block
    start_line: int
    end_line: int
    described: bool = False

    def sentence(self) -> str:
        """The test's name as plain words: 'test_cart_is_empty' → 'cart is empty'."""
        if self.described:
            return " ".join(self.name.split())
        words = [w.lower() for w in WORD.findall(self.name)]
        while words and words[0] in ("test", "tests"):
            words.pop(0)
        while words and words[-1] in ("test", "tests"):  # Rust's `fn parses_exponent_test`
            words.pop()
        return " ".join(words)


def test_tasks(tree: HeadTree, repo: str) -> Iterator[dict]:
    """Every test with one or two named definitions under test, in a stable pseudo-random order."""
    found: list[tuple[TestCase, list[Definition]]] = []
    for path in _test_candidates(tree):
        defs, refs = tree.parse(path)
        data = tree.read(path) or b""
        lines = data.decode("utf-8", "replace").splitlines()
        for test in tests_in(path, data, defs, lines):
            gold = code_under_test(tree, test, refs, lines)
            if gold and len(test.sentence().split()) >= MIN_WORDS:
                found.append((test, gold))
    found.sort(key=lambda tg: hashlib.sha1(f"{tg[0].path}:{tg[0].start_line}".encode()).hexdigest())
    for test, gold in found:
        yield definition_task(repo, tree.commit, "test", test.sentence(), gold)


def _test_candidates(tree: HeadTree) -> Iterator[str]:
    # Rust keeps unit tests next to the code (`#[cfg(test)] mod tests`), so its source files count.
    for path in tree.paths:
        lang = language_for(path)
        if not lang or is_vendored_path(path):
            continue
        if is_test_file(path) or (lang == "rust" and b"#[test]" in (tree.read(path) or b"")):
            yield path


def tests_in(path: str, source: bytes, defs: list[Definition], lines: list[str]) -> list[TestCase]:
    """The tests a file defines: test functions by name or mark, and described blocks."""
    lang = language_for(path) or ""
    in_test_file = is_test_file(path)
    found = [
        TestCase(path, d.name, d.start_line, d.end_line)
        for d in defs
        if d.kind in ("function", "method")
        and ((in_test_file and NAMED_TEST.match(d.name)) or TEST_MARK.search(_header(d, lines)))
    ]
    if lang in DESCRIBED and in_test_file:
        found += described_tests(path, lang, source)
    return found


def _header(d: Definition, lines: list[str]) -> str:
    """The definition's first lines up to its name, and the attribute/annotation lines above it
    (Rust's `#[test]` is a sibling of the function, Java's `@Test` part of it)."""
    above: list[str] = []
    i = d.start_line - 2
    while i >= 0 and len(above) < 4 and ANNOTATION_LINE.match(lines[i]):
        above.append(lines[i])
        i -= 1
    return "\n".join(above + lines[d.start_line - 1 : d.name_line])


def described_tests(path: str, lang: str, source: bytes) -> list[TestCase]:
    """`it("does a thing", ...)` / `test("...")` (JS/TS) and `it "does a thing" do` (Ruby) blocks."""
    tree = Parser(grammar(lang)).parse(source)
    found = []
    stack = [tree.root_node]
    while stack:
        node = stack.pop()
        stack.extend(node.named_children)
        if node.type not in ("call_expression", "call"):
            continue
        description = _description(node)
        if description:
            found.append(TestCase(path, description, node.start_point[0] + 1, node.end_point[0] + 1, True))
    return found


def _description(call: Node) -> str | None:
    func = call.child_by_field_name("function") or call.child_by_field_name("method")
    if func is None or call.child_by_field_name("receiver") is not None:
        return None
    if func.type == "member_expression":  # it.only(...), test.skip(...)
        func = func.child_by_field_name("object")
    if func is None or (func.text or b"").decode() not in DESCRIBING_CALLS:
        return None
    args = call.child_by_field_name("arguments")
    first = args.named_children[0] if args is not None and args.named_children else None
    if first is None or first.type not in ("string", "template_string"):
        return None
    if any(c.type in ("interpolation", "template_substitution") for c in first.named_children):
        return None
    return (first.text or b"").decode("utf-8", "replace")[1:-1].strip() or None


def code_under_test(
    tree: HeadTree, test: TestCase, refs: list[Reference], lines: list[str]
) -> list[Definition]:
    """The non-test definitions the test calls whose names share a word with the test's name;
    empty unless there are one or two."""
    names = {r.name for r in refs if test.start_line <= r.line <= test.end_line}
    if language_for(test.path) == "rust":  # calls inside assert_eq!(...) are token trees, not calls
        names |= set(CALL_LIKE.findall("\n".join(lines[test.start_line - 1 : test.end_line])))
    wanted = stems(test.sentence())
    gold: list[Definition] = []
    for name in sorted(names - {test.name}):
        if not wanted & stems(name):
            continue
        d = resolve(tree, name, test.path)
        if d is not None and d not in gold:
            gold.append(d)
    return gold if 1 <= len(gold) <= MAX_GOLD else []


def resolve(tree: HeadTree, name: str, test_path: str) -> Definition | None:
    """The one non-test definition `name` means from `test_path`: the only one in the tree, else
    the only one in the test's own file (Rust unit tests), its folder (date-fns' src/addDays/test.ts
    next to index.ts) or the file the test is named after (test_cart.py → cart.py)."""
    candidates = [d for d in tree.named(name) if not _is_test_code(d)]
    subject = subject_stem(test_path)
    folder = test_path.rpartition("/")[0]
    for narrowed in (
        candidates,
        [d for d in candidates if d.path == test_path],
        [d for d in candidates if d.path.rpartition("/")[0] == folder],
        [d for d in candidates if _stem(d.path) == subject],
    ):
        if len(narrowed) == 1:
            return narrowed[0]
    return None


def _is_test_code(d: Definition) -> bool:
    return (
        is_test_file(d.path)
        or bool(NAMED_TEST.match(d.name))
        or any(p in ("test", "tests") for p in d.qualname.split(".")[:-1])
    )


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].split(".", 1)[0].lower()


def subject_stem(test_path: str) -> str:
    """The file a test file is named after: test_cart.py, cart_test.go, CartTest.java, cart.spec.ts → cart."""
    stem = _stem(test_path)
    stem = re.sub(r"^tests?_|_tests?$|_spec$|tests?$", "", stem)
    return stem or _stem(test_path)


def stems(text: str) -> set[str]:
    """Content words of a name or sentence, crudely stemmed ('rehashed', 'rehash' → 'rehash')."""
    return {_stem_word(w.lower()) for w in WORD.findall(text) if w.lower() not in STOP and len(w) > 2}


def _stem_word(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s", "e"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word
