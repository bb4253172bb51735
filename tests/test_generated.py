"""A generated file's grammar as a lead (`scout.explorer.generated`): a real index over a small
calculator whose parser, as Bison projects commit it, sits beside the grammar it was made from."""

from __future__ import annotations

from scout.api import ask
from scout.explorer.generated import candidates

GRAMMAR = """%{
#include <stdio.h>
int yylex(void);
void yyerror(const char *message);
%}
%token NUMBER
%left '+' '-'
%left '*' '/'
%%
input: %empty | input line ;
line: '\\n' | expr '\\n' { printf("%d\\n", $1); } ;
expr: NUMBER
    | expr '+' expr { $$ = $1 + $3; }
    | expr '/' expr { $$ = $1 / $3; }
    ;
%%
"""

PARSER = """/* The calculator's parser, generated from calc.y: do not edit. */
#include <stdio.h>

static int calc_stack[200];
static int calc_depth;

static int calc_reduce_division(int left, int right)
{
    return left / right;
}

static int calc_reduce_sum(int left, int right)
{
    return left + right;
}

int calc_parse_expression(const int *tokens, int count)
{
    calc_depth = 0;
    for (int i = 0; i < count; i++) {
        if (tokens[i] == '/') {
            int top = calc_stack[--calc_depth];
            calc_stack[calc_depth - 1] = calc_reduce_division(calc_stack[calc_depth - 1], top);
        } else {
            calc_stack[calc_depth++] = tokens[i];
        }
    }
    return calc_stack[0];
}
"""

SHELL = """#include <stdio.h>

int calc_prompt(char *line, int size)
{
    fputs("> ", stdout);
    return fgets(line, size, stdin) != NULL;
}
"""

ISSUE = (
    "Division by zero crashes the calculator. Typing `4 / 0` at the prompt kills the process with "
    "SIGFPE in calc_reduce_division instead of printing an error; the parser should reject a zero "
    "divisor when it reduces the division and report it like any other syntax error."
)


def test_a_cited_generated_parser_brings_its_grammar_at_its_rules(tmp_path):
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "calc.y").write_text(GRAMMAR)
    (tmp_path / "src" / "calc.c").write_text(PARSER)
    (tmp_path / "src" / "shell.c").write_text(SHELL)
    bundle = ask(ISSUE, tmp_path)
    assert bundle.spans[0].path == "src/calc.c"
    grammar = [lead for lead in bundle.leads if lead.path == "src/calc.y"]
    assert len(grammar) == 1 and bundle.leads[0] is grammar[0]  # right after the answer, once
    rules = GRAMMAR.splitlines().index("%%") + 2  # the line after the first `%%`
    assert (grammar[0].start_line, grammar[0].end_line) == (rules, rules)
    assert grammar[0].why == "grammar: src/calc.c is generated from it"
    # without the grammar beside it the same parser is answered alone; a link in its place,
    # which may lead out of the repository, is not listed either
    (tmp_path / "src" / "calc.y").unlink()
    assert all(not lead.path.endswith(".y") for lead in ask(ISSUE, tmp_path).leads)
    outside = tmp_path.parent / "outside.y"
    outside.write_text(GRAMMAR)
    (tmp_path / "src" / "calc.y").symlink_to(outside)
    assert all(not lead.path.endswith(".y") for lead in ask(ISSUE, tmp_path).leads)


def test_the_grammar_of_a_generated_file_is_looked_for_beside_it():
    assert "src/parser.y" in candidates("src/parser.c")
    assert "src/lexer.l" in candidates("src/lexer.h")
    assert candidates("promql/parser/generated_parser.y.go") == ["promql/parser/generated_parser.y"]
    assert candidates("src/parser.y") == []  # a grammar is no grammar's output
