#!/usr/bin/env python3
"""Differential data: real Google RE2's verdicts on seeded random patterns.

meshc's regex checker (src/check/re2.rs) must accept exactly what both Istio's
webhook (Go regexp, at most 1024 bytes) and Envoy (RE2, program size at most
32768 under Istio's bootstrap) accept, refusing more only for documented
reasons.  This script asks real RE2 (pip `google-re2`, default options as in
Envoy) about pinned and random patterns and writes one JSON object per line:

  {"pattern": P, "re2": true|false, "size": RE2 ProgramSize() or null,
   "go_only": [kinds]}

where go_only lists the constructs in P that Go's regexp (so Istio's webhook)
refuses although RE2 accepts them, found by a scan independent of the Rust
checker.  tests/suite/regex.rs then checks meshc against every line:

  - a pattern RE2 refuses, or that is too large or too long, meshc refuses;
  - a pattern RE2 accepts, meshc accepts, unless its message names one of the
    pattern's go_only kinds, or says the program is too complex while RE2's
    real size is within the limit (the estimate is an upper bound);
  - meshc's size estimate is never below RE2's real program size.

Usage (regenerates tests/data/re2/cases.jsonl):
  pip install google-re2
  python3 tests/re2/differential.py --seed 1 --count 5000 > tests/data/re2/cases.jsonl
"""

import argparse
import json
import random
import sys

import re2  # pip install google-re2


# ---------------------------------------------------------------------------
# Pattern generator: random combinations of RE2 pieces, valid and invalid.
# ---------------------------------------------------------------------------

LITERALS = list("abcxyzKkSs019_-/ ,:;=&%@#~'\"<>") + [
    "é", "ß", "Δ", "ж", "中", "ſ", "K", "€", "😀", "\t", "\n", "{", "}", "]",
]
SIMPLE_ESCAPES = [
    r"\.", r"\-", r"\_", r"\ ", r"\/", r"\*", r"\(", r"\)", r"\[", r"\]", r"\{", r"\}",
    r"\|", r"\\", r"\^", r"\$", r"\?", r"\+", r"\#", r"\<", r"\>", r"\~",
    r"\n", r"\t", r"\r", r"\a", r"\f", r"\v",
    r"\d", r"\D", r"\s", r"\S", r"\w", r"\W", r"\b", r"\B", r"\A", r"\z",
    r"\x41", r"\x7e", r"\x{263a}", r"\x{10FFFF}", r"\x{D800}", r"\x{0041}", r"\x{1F600}",
    r"\0", r"\012", r"\101", r"\777", r"\08", r"\10",
    r"\pL", r"\pN", r"\p{Greek}", r"\P{Lu}", r"\p{^Han}", r"\P{^Latin}", r"\p{Any}",
    r"\p{Nd}", r"\pZ", r"\p{Common}", r"\p{Cyrillic}",
]
BAD_ESCAPES = [
    r"\C", r"\Z", r"\u0041", r"\e", r"\1", r"\7", r"\8", r"\18", r"\x{110000}", r"\x{}",
    r"\x4", r"\xZZ", r"\x{12", r"\é", r"\q", r"\p{greek}", r"\p{Letter}", r"\p{Old_Italic}",
    r"\p{Kawi}", r"\p{SignWriting}", r"\p{}", r"\pX", r"\p{Greek", r"\N{DIGIT ONE}", r"\G",
    r"\p{Canadian_Aboriginal}", r"\P{Toto}", r"\p{LC}", r"\p{Cn}", r"\p{ASCII}",
]
CLASS_ITEMS = [
    "a", "b", "z", "A", "Z", "0", "9", "-", "_", "/", ".", "é", "中", "K", "ſ",
    "a-z", "A-Z", "0-9", "a-f", "k-s", "\\x{100}-\\x{17F}", "\\x{370}-\\x{3FF}", "é-ü",
    "\\x{80}-\\x{10FFFF}", "\\x00-\\x{10FFFF}", "\\x{10000}-\\x{1FFFF}", "\\x{800}-\\x{FFFF}",
    "\\d", "\\D", "\\s", "\\S", "\\w", "\\W", "\\n", "\\-", "\\]", "\\[", "\\\\", "\\x41",
    "[:alpha:]", "[:^digit:]", "[:word:]", "[:xdigit:]", "[:punct:]", "[:^space:]",
    "\\pL", "\\p{Greek}", "\\P{Lu}", "\\pN", "\\p{Han}", "\\p{^Cyrillic}",
]
BAD_CLASS_ITEMS = [
    "z-a", "[:foo:]", "\\b", "a-\\d", "\\Q", "\\C", "\\p{Foo}", "9-0", "\\p{Old_Italic}",
]
FLAGS = ["(?i)", "(?s)", "(?m)", "(?U)", "(?-i)", "(?i-s)", "(?ims)", "(?)", "(?sU)"]
BAD_FLAGS = ["(?x)", "(?-)", "(?i-)", "(?-i-s)", "(?#c)", "(?P=n)", "(?'n'a)", "(?J)"]
NAMES = ["n", "name", "x_1", "A9", "_"]
BAD_NAMES = ["", "é", "a-b", "a b", "1?"]
COUNTS = [0, 1, 2, 3, 5, 10, 20, 50, 100, 143, 333, 500, 999, 1000, 1001, 5000]
ODD_BRACES = [
    "{,5}", "{01}", "{2,1}", "{1234567890}", "{2,1234567890}", "{ 2}", "{2", "{}", "{,}",
    "{123456789}", "{99999999999", "{a}", "{2,x}",
]
BIG_ATOMS = [
    r"\pL", r"\p{Greek}", r"[^a]", ".", r"\w", r"(?i)[\x{100}-\x{17F}]", r"[\x{80}-\x{10FFFF}]",
    r"\p{Lu}", r"[\pL\pN]", r"[^\pL]", r"(?i)\p{Ll}", r"[\p{Greek}\p{Cyrillic}a-z]", r"\PN",
    r"(?i)[a-zé-ü]", r"(?s).", r"[[:^alpha:]é]", r"\p{Han}", r"(?i)K", r"(?i)é",
    r"(a|b)", r"(?:ab|cd)*", r"[\x{10000}-\x{10FFFF}]", r"\p{Common}",
]


def pick(rng, items):
    return items[rng.randrange(len(items))]


def gen_count(rng):
    r = rng.random()
    if r < 0.55:
        return rng.randint(0, 12)
    if r < 0.85:
        return pick(rng, COUNTS)
    return rng.randint(0, 1100)


def gen_rep(rng):
    r = rng.random()
    if r < 0.45:
        op = pick(rng, ["*", "+", "?"])
    elif r < 0.9:
        n = gen_count(rng)
        kind = rng.randrange(3)
        if kind == 0:
            op = "{%d}" % n
        elif kind == 1:
            op = "{%d,}" % n
        else:
            op = "{%d,%d}" % (n, n + pick(rng, [0, 1, 2, 5, 10, 100, 500]))
    else:
        return pick(rng, ODD_BRACES)
    if rng.random() < 0.15:
        op += "?"
    return op


def gen_class(rng):
    bad = rng.random() < 0.08
    items = [pick(rng, CLASS_ITEMS) for _ in range(rng.randint(1, 4))]
    if bad:
        items.insert(rng.randrange(len(items) + 1), pick(rng, BAD_CLASS_ITEMS))
    body = "".join(items)
    if rng.random() < 0.05:
        body = "]" + body
    if rng.random() < 0.05:
        body = body + "-"
    neg = "^" if rng.random() < 0.3 else ""
    close = "]" if rng.random() > 0.03 else ""
    return "[" + neg + body + close


def gen_group(rng, depth):
    inner = gen_alt(rng, depth - 1)
    r = rng.random()
    if r < 0.35:
        return "(" + inner + ")"
    if r < 0.6:
        return "(?:" + inner + ")"
    if r < 0.72:
        return "(?" + pick(rng, ["i", "s", "-i", "i-s", "U", "m"]) + ":" + inner + ")"
    if r < 0.82:
        return "(?P<" + pick(rng, NAMES) + ">" + inner + ")"
    if r < 0.85:
        return "(?P<" + pick(rng, BAD_NAMES) + ">" + inner + ")"
    if r < 0.89:
        return "(?<" + pick(rng, NAMES) + ">" + inner + ")"
    if r < 0.93:
        return pick(rng, ["(?=", "(?!", "(?<=", "(?<!"]) + inner + ")"
    if r < 0.97:
        return "(" + inner  # unclosed
    return "(" + inner + "))"  # stray


def gen_atom(rng, depth):
    r = rng.random()
    if r < 0.30:
        return pick(rng, LITERALS)
    if r < 0.45:
        return pick(rng, SIMPLE_ESCAPES)
    if r < 0.49:
        return pick(rng, BAD_ESCAPES)
    if r < 0.62:
        return gen_class(rng)
    if r < 0.78 and depth > 0:
        return gen_group(rng, depth)
    if r < 0.83:
        return pick(rng, FLAGS)
    if r < 0.845:
        return pick(rng, BAD_FLAGS)
    if r < 0.90:
        return pick(rng, ["^", "$", ".", "."])
    if r < 0.94:
        body = "".join(pick(rng, LITERALS + ["*", "(", "[", "\\"]) for _ in range(rng.randint(0, 4)))
        return "\\Q" + body + ("\\E" if rng.random() < 0.8 else "")
    if r < 0.97:
        return pick(rng, ["*", "+", "?", "{2}", ")", "|"])  # likely misplaced
    return pick(rng, ["\\", "(", "[", "{"])


def gen_piece(rng, depth):
    atom = gen_atom(rng, depth)
    if rng.random() < 0.35:
        atom += gen_rep(rng)
        if rng.random() < 0.06:
            atom += gen_rep(rng)  # doubled operator
    return atom


def gen_concat(rng, depth):
    return "".join(gen_piece(rng, depth) for _ in range(rng.randint(0, 5)))


def gen_alt(rng, depth):
    n = pick(rng, [1, 1, 1, 2, 3])
    return "|".join(gen_concat(rng, depth) for _ in range(n))


def gen_big(rng):
    """Patterns that probe the 32768 program-size and 1024-byte limits."""
    r = rng.random()
    atom = pick(rng, BIG_ATOMS)
    if r < 0.5:
        return atom + "{%d}" % rng.randint(1, 1000)
    if r < 0.7:
        a, b = rng.randint(1, 40), rng.randint(1, 25)
        return "(?:%s{%d}){%d}" % (atom, a, b)
    if r < 0.85:
        return atom + "{%d,%d}" % (rng.randint(0, 300), rng.randint(300, 1000))
    # long patterns around the 1024-byte limit
    n = rng.randint(1000, 1030)
    body = "".join(pick(rng, ["a", "b", "/", "-"]) for _ in range(n))
    return body if rng.random() < 0.7 else "(?:" + body[: n - 4] + ")"


LOOP_ATOMS = [
    "a", ".", "[ab]", r"\pL", "(?i)k", "é", "^", r"\b", "()", "(?:)", "[^a]", r"\p{Greek}",
    "x?", "(?:a|)", "(?:|b)", "(?:a|b*)", r"\w", "(?s:.)", "[^\\x00-\\x{10FFFF}]",
]
LOOP_OPS = ["*", "+", "?", "*?", "+?", "{0,2}", "{1,}", "{2,}", "{0,}", "{2}", "{1,3}", "{0}"]


def gen_structural(rng, depth):
    """Valid, loop-heavy nesting: the shapes where Prog::Flatten duplicates leaders."""
    r = rng.random()
    if depth <= 0 or r < 0.25:
        s = pick(rng, LOOP_ATOMS)
    elif r < 0.45:
        s = "".join(gen_structural(rng, depth - 1) for _ in range(rng.randint(2, 3)))
    elif r < 0.6:
        s = "|".join(gen_structural(rng, depth - 1) for _ in range(rng.randint(2, 3)))
    else:
        s = gen_structural(rng, depth - 1)
    if rng.random() < 0.7:
        s = pick(rng, ["(", "(?:"]) + s + ")" + pick(rng, LOOP_OPS)
    return s


def generate(rng):
    if rng.random() < 0.12:
        return gen_big(rng)
    if rng.random() < 0.15:
        return gen_structural(rng, rng.randint(2, 6))
    p = gen_alt(rng, 3)
    if rng.random() < 0.05:
        p = "(?:" + p + "){%d}" % gen_count(rng)
    return p


# Always-run cases from the brief and from reading the parsers.
PINNED = [
    "a{1001}", "(a{100}){100}", "a**", "x*+", "(?x)abc", "\\u0041", "(unclosed", "[z-a]",
    "(?=look)", "\\1", "", "\\Qa.b\\E", "a{,5}", "[[:alpha:]]", "\\pL", "\\p{Greek}",
    "(?i)abc", "(?P<n>x)", "^/api/v[0-9]+/.*", "\\C", "(?<n>x)", "(?P<é>x)", "a{1234567890}",
    "((a{1000}){0}){2}", "(?:a{7}){143}", "(?:a{3}){333}", "a(?i)*", "a*\\Q\\E*", "\\Q\\E*",
    "[[:alpha]", "[[:a]b:]]", "\\p{Old_Italic}", "\\pL{27}", "\\pL{26}", "[^/]{1000}",
    "(?i)\\x{100}{1000}", "(?s).{1000}", "\\x{D800}", "a" * 1024, "a" * 1025,
]

# ---------------------------------------------------------------------------
# Independent detectors for the documented Go-only refusals.
# ---------------------------------------------------------------------------

GO_UNKNOWN_UNICODE = {"SignWriting", "Kawi", "Tangsa", "Toto", "Vithkuqi"}


def top_level_tokens(p):
    """Yields (kind, text) for escapes and '(?' openers outside classes and \\Q..\\E."""
    i, n = 0, len(p)
    while i < n:
        c = p[i]
        if c == "\\":
            if p.startswith("\\Q", i):
                end = p.find("\\E", i + 2)
                i = n if end < 0 else end + 2
                continue
            if p.startswith("\\p{", i) or p.startswith("\\P{", i):
                end = p.find("}", i)
                yield ("unicode", p[i + 3:end] if end >= 0 else p[i + 3:])
                i = n if end < 0 else end + 1
                continue
            yield ("escape", p[i:i + 2])
            i += 2
            continue
        if c == "[":
            j = i + 1
            if j < n and p[j] == "^":
                j += 1
            if j < n and p[j] == "]":
                j += 1
            while j < n and p[j] != "]":
                if p[j] == "\\":
                    if p.startswith("\\p{", j) or p.startswith("\\P{", j):
                        end = p.find("}", j)
                        yield ("unicode", p[j + 3:end] if end >= 0 else p[j + 3:])
                        j = n if end < 0 else end + 1
                        continue
                    j += 2
                    continue
                if p.startswith("[:", j):
                    end = p.find(":]", j + 2)
                    if end >= 0:
                        j = end + 2
                        continue
                j += 1
            i = j + 1
            continue
        if c == "(" and p.startswith("(?", i):
            yield ("group", p[i:i + 4])
        if c == "{":
            j = i + 1
            k = j
            while k < n and p[k].isdigit():
                k += 1
            yield ("brace", p[i:p.find("}", i) + 1] if "}" in p[i:] else p[i:])
        i += 1


def go_only_kinds(p):
    kinds = set()
    for kind, text in top_level_tokens(p):
        if kind == "escape" and text == "\\C":
            kinds.add("backslash-C")
        elif kind == "group" and text.startswith("(?<") and text[3:4] not in ("=", "!"):
            kinds.add("angle-named-group")
        elif kind == "unicode":
            name = text[1:] if text.startswith("^") else text
            if "_" in name or name in GO_UNKNOWN_UNICODE:
                kinds.add("unicode-name")
        elif kind == "brace":
            nums = text.strip("{}").split(",")
            if all(x.isdigit() for x in nums if x != "") and any(len(x) >= 10 for x in nums):
                kinds.add("huge-count")
    # capture names Go does not accept
    i = 0
    while True:
        i = p.find("(?P<", i)
        if i < 0:
            break
        end = p.find(">", i)
        name = p[i + 4:end] if end >= 0 else ""
        if name and not all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in name):
            kinds.add("capture-name")
        i += 4
    return kinds


# ---------------------------------------------------------------------------


def re2_verdict(pattern):
    """Returns (ok, program_size or None, error text or None)."""
    opts = re2.Options()
    opts.log_errors = False
    try:
        r = re2.compile(pattern.encode("utf-8"), opts)
    except re2.error as e:
        return False, None, str(e)
    return True, r.programsize, None


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=5000)
    args = ap.parse_args()

    rng = random.Random(args.seed)
    patterns = list(PINNED)
    seen = set(patterns)
    while len(patterns) < len(PINNED) + args.count:
        p = generate(rng)
        if p not in seen:
            seen.add(p)
            patterns.append(p)
    out = sys.stdout
    for p in patterns:
        ok, size, _ = re2_verdict(p)
        case = {"pattern": p, "re2": ok, "size": size, "go_only": sorted(go_only_kinds(p))}
        out.write(json.dumps(case, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
