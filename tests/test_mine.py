"""`scout learn mine` on a small git repository built here, commit by commit."""

from __future__ import annotations

import json

import pytest
from conftest import git, run_scout

from scout.errors import ScoutError
from scout.index.tags import extract
from scout.learn.docquestions import docstring, question
from scout.learn.gitlog import parse_diff
from scout.learn.mine import MineOptions, check_allowed, clean_message, mine, split_for
from scout.learn.paraphrase import as_question

PRICING = '''"""Cart pricing."""


def apply_discount(total, percent):
    """Reduce a cart total by a percentage of its value."""
    if percent < 0:
        raise ValueError("negative discount")
    return total * (1 - percent / 100)


class Cart:
    def __init__(self):
        self.items = []

    def total(self):
        return sum(price for _, price in self.items)
'''


def write_commit(root, files: dict[str, str], message: str) -> str:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


@pytest.fixture
def history(tmp_path):
    """A repository whose commits cover each kind the miner keeps or skips."""
    root = tmp_path / "shop"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    shas = {
        "initial": write_commit(root, {"shop/pricing.py": PRICING, "README.md": "shop\n"}, "Initial import")
    }
    fixed = PRICING.replace("percent < 0", "percent < 0 or percent > 100")
    shas["fix"] = write_commit(
        root,
        {"shop/pricing.py": fixed, "tests/test_pricing.py": "def test_x():\n    pass\n"},
        "Fix crash when the discount is over 100 percent (#42)\n\n"
        "A discount above 100 made the total negative.\n\nSigned-off-by: A Dev <a@dev>\n",
    )
    shas["docs"] = write_commit(root, {"README.md": "shop, a tiny store\n"}, "Docs: describe the shop")
    shas["tests"] = write_commit(root, {"tests/test_pricing.py": "def test_y():\n    pass\n"}, "Add a test")
    shas["format"] = write_commit(
        root, {"shop/pricing.py": fixed.replace("sum(price for _, price", "sum( price for _, price")},
        "Make the code prettier and more consistent overall",
    )  # fmt: skip
    shas["bump"] = write_commit(root, {"shop/__init__.py": '__version__ = "1.1"\n'}, "Bump version to 1.1")
    return root, shas


def test_a_fix_commit_becomes_a_task_with_pre_image_gold(history):
    root, shas = history
    tasks = [
        t for t in mine(root / ".git", "acme/shop", MineOptions(max_doc_tasks=0)) if t["source"] == "commit"
    ]
    assert [t["commit"] for t in tasks] == [shas["fix"]]
    task = tasks[0]
    assert task["base_commit"] == shas["initial"]
    assert (
        task["query"]
        == "Fix crash when the discount is over 100 percent\n\nA discount above 100 made the total negative."
    )
    assert task["gold_files"] == ["shop/pricing.py"]
    assert task["gold_ranges"] == [["shop/pricing.py", 3, 9]]  # line 6 changed, 3 context lines each side
    assert task["gold_functions"] == {"shop/pricing.py": ["apply_discount"]}
    assert task["split"] == split_for("acme/shop")
    assert task["language"] == "Python"
    assert "tests/test_pricing.py" in task["patch"]


def test_docstrings_become_questions_without_the_definitions_name(history):
    root, _ = history
    tasks = [t for t in mine(root / ".git", "acme/shop", MineOptions()) if t["source"] == "docstring"]
    assert len(tasks) == 1
    assert tasks[0]["query"] == "Reduce a cart total by a percentage of its value."
    assert tasks[0]["gold_ranges"] == [["shop/pricing.py", 4, 8]]
    assert tasks[0]["gold_functions"] == {"shop/pricing.py": ["apply_discount"]}


def test_trailers_issue_numbers_and_squash_noise_are_removed():
    message = (
        "Handle empty carts (#7)\n\n* add tests\n* Cart.total returns zero with no items\n\n"
        "Closes #7\nCo-authored-by: B <b@c>"
    )
    assert clean_message(message) == "Handle empty carts\n\n* Cart.total returns zero with no items"


def test_evaluation_repositories_are_refused():
    with pytest.raises(ScoutError):
        check_allowed("pallets/flask", set())
    with pytest.raises(ScoutError):
        check_allowed("swe-bench/django__django", set())
    with pytest.raises(ScoutError):
        check_allowed("acme/shop", {"acme/shop"})
    check_allowed("python-attrs/attrs", set())


def test_plain_question_repositories_are_refused_by_owner_and_name():
    for repo in (
        "httpie/cli",
        "HTTPie/CLI",
        "sharkdp/fd",
        "slimphp/Slim",
        "DaveGamble/cJSON",
        "x/httpie__cli",
    ):
        with pytest.raises(ScoutError):
            check_allowed(repo, set())
    for repo in ("urfave/cli", "cli/cli", "someone/fd", "acme/koa-helpers"):
        check_allowed(repo, set())


def test_insertions_belong_to_the_line_above():
    diff = ["diff --git a/m.py b/m.py", "--- a/m.py", "+++ b/m.py", "@@ -10,6 +10,7 @@ def f():",
            "     a", "     b", "     c", "+    d", "     e", "     f", "     g"]  # fmt: skip
    (hunk,) = parse_diff(diff)[0].hunks
    assert hunk.old_range == (10, 15)
    assert hunk.changed == [12]


def test_the_command_writes_json_lines(history, tmp_path):
    root, _ = history
    out = tmp_path / "tasks.jsonl"
    done = run_scout("learn", "mine", str(root), "--name", "acme/shop", "--out", str(out), timeout=60)
    assert done.returncode == 0, done.stderr
    tasks = [json.loads(line) for line in out.read_text().splitlines()]
    assert {t["source"] for t in tasks} == {"commit", "docstring", "docquestion"}
    assert "acme/shop (" in done.stderr and "1 commit, 0 issue, 1 docstring, 1 docquestion" in done.stderr


def test_a_commit_body_that_describes_behaviour_is_an_issue(history):
    root, shas = history
    pricing = (root / "shop/pricing.py").read_text()
    sha = write_commit(
        root, {"shop/pricing.py": pricing.replace("return sum(", "return 0 if not self.items else sum(")},
        "Return zero for an empty cart\n\nThe total of a cart with no items raised an error when it was "
        "printed. It should be zero instead.\n\nCloses #9\n",
    )  # fmt: skip
    tasks = list(mine(root / ".git", "acme/shop", MineOptions(max_doc_tasks=0)))
    (issue,) = [t for t in tasks if t["source"] == "issue"]
    (commit,) = [t for t in tasks if t["source"] == "commit" and t["commit"] == sha]
    assert issue["query"] == (
        "The total of a cart with no items raised an error when it was printed. It should be zero instead."
    )
    assert issue["commit"] == commit["commit"] == sha and issue["id"] == f"{commit['id']}-issue"
    assert issue["gold_functions"] == {"shop/pricing.py": ["Cart.total"]}
    assert issue["base_commit"] == commit["base_commit"]


HASHERS = '''"""Password hashing."""


class PBKDF2PasswordHasher:
    iterations = 100

    def encode(self, password, salt):
        """Hash a password with a salt."""
        return f"{salt}${password}"

    def must_update(self, encoded):
        """Check whether the encoded password uses fewer iterations than configured."""
        return True


def identify_hasher(encoded):
    """Return the hasher for an encoded password."""
    return PBKDF2PasswordHasher()


def check_password(password, encoded, setter=None):
    """Check a password against its encoded form and rehash it when the hasher changed."""
    hasher = identify_hasher(encoded)
    if hasher.must_update(encoded) and setter:
        setter(password)
    return True


def parse_salt(encoded):
    """Parse the salt out of an encoded password string."""
    return encoded.split("$")[0]


def render_form(hasher, value):
    """Render a form field for the hasher's settings."""
    return value
'''

TEST_HASHERS = """from auth.hashers import check_password, identify_hasher


def helper():
    return True


def test_password_is_rehashed_when_iterations_change():
    calls = []
    assert check_password("secret", "salt$secret", calls.append)
    assert calls == ["secret"]


def test_hasher_is_identified_from_the_encoded_form():
    assert identify_hasher("salt$x")


def test_helper_says_yes():
    assert helper()
"""

README = """# auth

Password hashing for small services.

## Upgrading stored passwords

When a user logs in, `check_password()` compares the password with the stored hash and
calls the setter if the iteration count changed, so the stored hash is upgraded
without a migration.

```python
check_password("secret", encoded)
```

## `identify_hasher()`

Finds which hasher produced an encoded password by looking at its prefix.

## Configuration

Set `AUTH_ROUNDS` in the environment to change how many rounds new hashes use.
"""

SALTS_RST = """Salts
=====

The salt is stored in front of the digest; :func:`auth.hashers.parse_salt` reads it back
from an encoded password string.

.. code-block:: python

    parse_salt(encoded)
"""


POLYGLOT_TESTS = {
    "hash/hash.go": """package hash

func ParseRounds(encoded string) int {
    return 0
}
""",
    "hash/hash_test.go": """package hash

import "testing"

func TestParseRoundsRejectsNegativeValues(t *testing.T) {
    if ParseRounds("-1") != 0 {
        t.Fatal("negative rounds accepted")
    }
}
""",
    "src/lib.rs": """pub fn split_salt(encoded: &str) -> (&str, &str) {
    encoded.split_once('$').unwrap()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salt_is_split_from_the_digest() {
        assert_eq!(split_salt("a$b"), ("a", "b"));
    }
}
""",
    "lib/cookies.js": """function serializeCookie(name, value) {
  return name;
}
module.exports = { serializeCookie };
""",
    "test/cookies.test.js": """const { serializeCookie } = require("../lib/cookies");

describe("cookies", () => {
  it("serializes a cookie with its value", () => {
    expect(serializeCookie("a", "b")).toBe("a=b");
  });
});
""",
    "src/addDays/index.ts": """export function addDays(date: Date, amount: number): Date {
  return date;
}
""",
    "src/fp/addDays/index.ts": """export const addDays = convertToFP(addDaysOriginal, 2);
export function addDays(date: Date): Date {
  return date;
}
""",
    "src/addDays/test.ts": """import { addDays } from "./index";

describe("addDays", () => {
  it("adds the given number of days", () => {
    expect(addDays(new Date(2014, 8, 1), 10)).toEqual(new Date(2014, 8, 11));
  });
});
""",
    "src/main/java/shop/Money.java": """package shop;

public class Money {
    /**
     * Rounds an amount of {@code double} money to whole cents, <b>half up</b>.
     *
     * @param amount the amount
     */
    public static long roundCents(double amount) {
        return Math.round(amount * 100);
    }
}
""",
    "src/test/java/shop/MoneyTest.java": """package shop;

import org.junit.jupiter.api.Test;

class MoneyTest {
    @Test
    void roundsHalfCentsUp() {
        assertEquals(101, Money.roundCents(1.005));
    }
}
""",
    "lib/slug.rb": """module Slug
  def self.slug_for(title)
    title.downcase
  end
end
""",
    "spec/slug_spec.rb": """describe Slug do
  it "makes a slug from a title" do
    expect(Slug.slug_for("A b")).to eq("a-b")
  end
end
""",
    "src/Pricing.php": """<?php
class Pricing {
    public function applyDiscount($total, $percent) { return $total; }
}
""",
    "tests/PricingTest.php": """<?php
class PricingTest extends TestCase {
    public function testDiscountIsAppliedToTotal(): void {
        $p = new Pricing();
        $this->assertSame(90, $p->applyDiscount(100, 10));
    }
}
""",
}


@pytest.fixture
def auth(tmp_path):
    """A repository with docstrings, a README, RST docs and tests in several languages."""
    root = tmp_path / "auth"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    files = {
        "auth/hashers.py": HASHERS,
        "tests/test_hashers.py": TEST_HASHERS,
        "README.md": README,
        "docs/salts.rst": SALTS_RST,
        **POLYGLOT_TESTS,
    }
    return root, write_commit(root, files, "Initial import")


def by_source(root, source: str, **opts) -> list[dict]:
    return [t for t in mine(root / ".git", "acme/auth", MineOptions(**opts)) if t["source"] == source]


def test_half_of_the_docstrings_are_also_asked_as_questions(auth):
    root, sha = auth
    docs = {t["id"]: t for t in by_source(root, "docstring")}
    asked = by_source(root, "docquestion")
    assert len(docs) == 6 and 1 <= len(asked) < len(docs)  # "Hash a password with a salt." is too short
    java = [t for t in docs.values() if t["language"] == "Java"]
    assert [(t["query"], t["gold_functions"]) for t in java] == [
        (
            "Rounds an amount of double money to whole cents, half up.",
            {"src/main/java/shop/Money.java": ["Money.roundCents"]},
        )
    ]
    for task in asked:
        doc = docs[task["id"].replace("-docq-", "-doc-")]
        assert task["gold_functions"] == doc["gold_functions"] and task["base_commit"] == sha
        assert task["query"] == as_question(doc["query"], doc["id"])
    assert {t["query"]: t["gold_functions"]["auth/hashers.py"] for t in asked} == {
        "where is it checked whether the encoded password uses fewer iterations than configured": [
            "PBKDF2PasswordHasher.must_update"
        ],
        "where do we render a form field for the hasher's settings": ["render_form"],
        "where is the hasher for an encoded password returned": ["identify_hasher"],
        "where do we parse the salt out of an encoded password string": ["parse_salt"],
    }


def test_question_templates_follow_the_leading_verb():
    assert as_question("Return the hasher for an encoded password.", "k") in (
        "where do we get the hasher for an encoded password",
        "how is the hasher for an encoded password found",
        "where is the hasher for an encoded password returned",
    )
    assert as_question("Checks whether the cache is stale.", "k") in (
        "where is it checked whether the cache is stale",
        "how does the code decide whether the cache is stale",
    )
    assert as_question("Return True if the path is absolute.", "k").endswith("whether the path is absolute")
    parsed = (
        "how is the header line parsed",
        "where is the header line parsed",
        "where do we parse the header line",
    )
    assert as_question("Parses the header line.", "k") in parsed
    assert (
        as_question("Reduces a total by a percentage.", "k")
        == "where does the code reduce a total by a percentage"
    )
    assert (
        as_question("A cart line with its price.", "k") == "where is the code for a cart line with its price"
    )
    assert (
        as_question("Raised if a payload is invalid.", "k") == "which code is raised if a payload is invalid"
    )
    assert as_question("To split *items* by :class:`.Rule`.", "k") in (
        "where do we split items by Rule",
        "how does the code split items by Rule",
    )


def test_readme_and_docs_sections_point_at_the_definitions_they_name(auth):
    root, sha = auth
    tasks = {t["query"]: t["gold_functions"] for t in by_source(root, "readme")}
    upgrading = (
        "Upgrading stored passwords\nWhen a user logs in, it compares the password with the stored hash and "
        "calls the setter if the iteration count changed, so the stored hash is upgraded without a migration."
    )
    salts = (
        "Salts\nThe salt is stored in front of the digest; it reads it back from an encoded password string."
    )
    assert tasks == {
        upgrading: {"auth/hashers.py": ["check_password"]},
        # the heading was only the name, so it is dropped
        "Finds which hasher produced an encoded password by looking at its prefix.": {
            "auth/hashers.py": ["identify_hasher"]
        },
        salts: {"auth/hashers.py": ["parse_salt"]},
        # `AUTH_ROUNDS` names no definition: "Configuration" makes no task
    }
    task = by_source(root, "readme")[0]
    assert task["base_commit"] == sha and task["language"] == "Python"
    assert task["gold_ranges"][0][0] == "auth/hashers.py"


def test_test_names_point_at_the_code_under_test_in_every_language(auth):
    root, sha = auth
    tasks = {t["query"]: (t["gold_functions"], t["language"]) for t in by_source(root, "test")}
    assert tasks == {
        "password is rehashed when iterations change": ({"auth/hashers.py": ["check_password"]}, "Python"),
        "hasher is identified from the encoded form": ({"auth/hashers.py": ["identify_hasher"]}, "Python"),
        "parse rounds rejects negative values": ({"hash/hash.go": ["ParseRounds"]}, "Go"),
        "salt is split from the digest": ({"src/lib.rs": ["split_salt"]}, "Rust"),
        "serializes a cookie with its value": ({"lib/cookies.js": ["serializeCookie"]}, "JavaScript"),
        # two addDays: the one next to the test
        "adds the given number of days": ({"src/addDays/index.ts": ["addDays"]}, "TypeScript"),
        "rounds half cents up": ({"src/main/java/shop/Money.java": ["Money.roundCents"]}, "Java"),
        "makes a slug from a title": ({"lib/slug.rb": ["Slug.slug_for"]}, "Ruby"),
        "discount is applied to total": ({"src/Pricing.php": ["Pricing.applyDiscount"]}, "PHP"),
    }
    assert all(t["base_commit"] == sha for t in by_source(root, "test"))


def test_a_manifest_gives_the_split_and_refuses_benchmark_repositories(auth, tmp_path):
    root, _ = auth
    other = "dev" if split_for("acme/auth") == "train" else "train"
    mirrors = tmp_path / "mirrors"
    mirrors.mkdir()
    (mirrors / "acme+auth").symlink_to(root / ".git")  # found under --mirrors, as owner+name
    manifest = tmp_path / "repos.json"
    manifest.write_text(json.dumps([
        {"repo": "acme/auth", "split": other},
        {"repo": "koajs/koa", "git_dir": str(root / ".git"), "split": "train"},
        {"repo": "acme/excluded", "git_dir": str(root / ".git"), "split": "train"},
    ]))  # fmt: skip
    plain = tmp_path / "plain.jsonl"
    plain.write_text(json.dumps({"id": "plain-1", "repo": "acme/excluded", "query": "where?"}) + "\n")
    out = tmp_path / "tasks.jsonl"
    args = [
        "--manifest",
        str(manifest),
        "--mirrors",
        str(mirrors),
        "--exclude-from",
        str(plain),
        "--out",
        str(out),
    ]
    done = run_scout("learn", "mine", *args)
    assert done.returncode == 0, done.stderr
    tasks = [json.loads(line) for line in out.read_text().splitlines()]
    assert {t["repo"] for t in tasks} == {"acme/auth"}
    assert {t["split"] for t in tasks} == {other}
    assert "koajs/koa: refused" in done.stderr and "acme/excluded: refused" in done.stderr
    assert {"docstring", "docquestion", "readme", "test"} <= {t["source"] for t in tasks}


@pytest.mark.parametrize(
    ("lang", "source", "name", "expected"),
    [
        (
            "c_sharp",
            'class C {\n    /// <summary>\n    /// Creates a <see cref="JsonReader"/> for this token.\n'
            "    /// </summary>\n    [Obsolete]\n    public JsonReader CreateReader() { return null; }\n}\n",
            "CreateReader",
            "Creates a JsonReader for this token.",
        ),
        (
            "rust",
            "/// Splits the salt from the digest of an encoded string.\n#[inline]\npub fn split_salt() {}\n",
            "split_salt",
            "Splits the salt from the digest of an encoded string.",
        ),
        (
            "c",
            "#if FOO\nint counter_value_of_the_thing(void) { return 1; }\n",
            "counter_value_of_the_thing",
            None,
        ),
    ],
)
def test_doc_comments_skip_attributes_and_preprocessor_lines(lang, source, name, expected):
    defs, _ = extract(lang, source, "x")
    (d,) = [x for x in defs if x.name == name]
    assert question(docstring(source.splitlines(), d, lang), d) == expected
