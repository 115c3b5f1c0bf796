#!/usr/bin/python3
"""compliance.py: the compliance matrix, docs/compliance.md, generated from the tests.

    /usr/bin/python3 ops/compliance.py            write docs/compliance.md
    /usr/bin/python3 ops/compliance.py --check    fail if a test names an unknown requirement ID,
                                                  or if docs/compliance.md is not what this
                                                  script writes now (ctest: docs.compliance)

The requirements are the table rows of ../shared/REQUIREMENTS.md (relative to the project root;
--requirements names another file). For each ID the matrix gives its text, the source files under
common/, edge/ and hub/ that name it in a comment (where the code enforces it), and the test files
under tests/unit, tests/integration, tests/browser and tests/fuzz that name it (in a comment, a
docstring or a test name); then the IDs no test names, each with the reason recorded for it in
ops/compliance-notes.txt, if any. Everything is sorted, so a change in the file is a change in
what the tests or the code say.

How a mention is read. IDs are written as REQUIREMENTS.md writes them: "R-K2.2.3-4" and
"R-N5.1-3" are single IDs, "R-N-T" is one. Around them the code and tests also write:
  - a paragraph in parentheses, "R-N12(1)": the ID before it (R-N12), which must be a row or
    a paragraph of one ("R-K2(5)" is unknown: write R-K2.2.5);
  - a range the table does not have, "R-N4.1-2", "R-K2.1.3b-c", "R-N10-12": each ID in it;
  - a number inside a table range, "R-N5.2" or "R-K2.2.3": that range (R-N5.1-3, R-K2.2.3-4);
  - an article whose parts are rows, "R-N5": every row under it (shown as "as R-N5");
  - a paragraph under a row, "R-N11.2", "R-N12.1": that row (R-N11, R-N12);
  - a test name, "R_N10_1_report_...": R-N10.1 (underscores for dots; the last one may be the
    hyphen of a range, as in R_K2_2_3_4).
A mention that resolves to no row is unknown; in a test that fails --check. A matrix entry whose
mention was not the ID itself says how the test wrote it ("as R-N12(1)").

When ../shared/REQUIREMENTS.md is absent (a clean checkout of the project alone, as CI has),
--check reads the requirement texts back from the committed docs/compliance.md, which carries
every row in full, and still checks the test IDs and the code and test lists; it says so.
Writing the matrix always needs REQUIREMENTS.md itself.
"""
import argparse
import difflib
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_REQUIREMENTS = os.path.join("..", "shared", "REQUIREMENTS.md")
DEFAULT_NOTES = os.path.join("ops", "compliance-notes.txt")
DEFAULT_OUT = os.path.join("docs", "compliance.md")
REGENERATE = "/usr/bin/python3 ops/compliance.py"

TEST_DIRS = ("tests/unit", "tests/integration", "tests/browser", "tests/fuzz", "tests/chaos")
CODE_DIRS = ("common", "edge", "hub")
TEXT_EXTS = (".c", ".h", ".py", ".js", ".html", ".sh")
SKIP_DIRS = ("node_modules", "corpus", "__pycache__")
SERIES = {"K": "Kawaguchi standard (K)", "N": "Naha ordinance (N)"}

# An ID as the table writes it, plus an optional paragraph in parentheses.
ID_BODY = r"[KN](?:-T|\d+(?:\.\d+)*[a-z]?(?:-(?:\d+|[a-z]))?)"
MENTION = re.compile(r"(?<![A-Za-z0-9_])R-(" + ID_BODY + r")((?:\(\d+\))?)(?![A-Za-z0-9])")
TEST_NAME = re.compile(r"(?<![A-Za-z0-9])R_([KN])(\d+(?:_\d+)*)([a-z]?)(?![a-z0-9])")
ROW_ID = re.compile(r"^R-" + ID_BODY + r"$")
RANGE = re.compile(r"^(.*?)(\d+|[a-z])-(\d+|[a-z])$")


class Failure(Exception):
    """A problem the user must fix; its text says what and where."""


def read_requirements(path):
    """The rows of REQUIREMENTS.md's tables: {id: (rule, what the software does)}."""
    rows = {}
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.startswith("| R-"):
                continue
            cells = [c.strip() for c in line.strip().strip("|").split("|")]
            if len(cells) != 3 or not ROW_ID.match(cells[0]):
                raise Failure(f"{path}:{n}: a requirement row this script cannot read "
                              f"(want '| R-ID | rule | what the software does |'): {line.strip()}")
            if cells[0] in rows:
                raise Failure(f"{path}:{n}: {cells[0]} is defined twice")
            rows[cells[0]] = (cells[1], cells[2])
    if not rows:
        raise Failure(f"{path}: no requirement rows found")
    return rows


def read_matrix_rows(path):
    """The rows as a previously written matrix carries them (the fallback of --check)."""
    rows, current, rule = {}, None, None
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("### R-"):
                current, rule = line[4:].strip(), None
            elif current and line.startswith("Rule: "):
                rule = line[len("Rule: "):]
            elif current and rule is not None and line.startswith("Software: "):
                rows[current] = (rule, line[len("Software: "):])
                current = None
    if not rows:
        raise Failure(f"{path}: no requirements found in the matrix")
    return rows


def read_notes(path, rows):
    """ops/compliance-notes.txt: 'R-ID: reason' entries, continued on indented lines."""
    notes, current = {}, None
    if not os.path.exists(path):
        return notes
    with open(path, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            text = line.rstrip()
            if not text or text.startswith("#"):
                continue
            if line[0].isspace():
                if current is None:
                    raise Failure(f"{path}:{n}: a continuation line with no entry above it")
                notes[current] += " " + text.strip()
                continue
            key, sep, reason = text.partition(":")
            if not sep or key not in rows:
                raise Failure(f"{path}:{n}: want 'R-ID: reason' with an ID of the requirements; "
                              f"got {text!r}")
            current = key
            notes[key] = reason.strip()
    return notes


def natural_key(ident):
    """R-K2.1.3a < R-K2.2.1 < R-K2.2.3-4 < R-K3; R-N-T last of its series."""
    body = ident[2:]
    if body.endswith("-T"):
        return (body[0], 1, ())
    parts = re.findall(r"\d+|[a-z]+", body[1:])
    return (body[0], 0, tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in parts))


def span(lo, hi):
    """The members of a range 'lo-hi' of numbers or of letters, or None."""
    if lo.isdigit() and hi.isdigit() and int(lo) <= int(hi):
        return [str(i) for i in range(int(lo), int(hi) + 1)]
    if lo.isalpha() and hi.isalpha() and lo <= hi:
        return [chr(c) for c in range(ord(lo), ord(hi) + 1)]
    return None


def resolve(ident, rows, articles=True):
    """The table IDs a mention (without its parenthesis) refers to, sorted; [] when unknown.
    articles=False: an article does not stand for its rows (a mention with a parenthesis)."""
    if ident in rows:
        return [ident]
    for row in rows:  # a member of a table range: R-N5.2 in R-N5.1-3
        m = RANGE.match(row)
        if m and ident.startswith(m.group(1)):
            members = span(m.group(2), m.group(3))
            if members and ident[len(m.group(1)):] in members:
                return [row]
    m = RANGE.match(ident)
    if m and not ident.endswith("-T"):  # a range of its own: R-N4.1-2, R-N10-12
        members = span(m.group(2), m.group(3))
        if not members:
            return []
        found = set()
        for member in members:
            got = resolve(m.group(1) + member, rows)
            if not got:
                return []
            found.update(got)
        return sorted(found, key=natural_key)
    children = [r for r in rows
                if r.startswith(ident) and len(r) > len(ident) and r[len(ident)] in ".abcdefgh"]
    if children and articles:  # an article: R-N5
        return sorted(children, key=natural_key)
    parent = re.sub(r"\.\d+$", "", ident)
    if parent != ident and parent in rows:  # a paragraph of a row: R-N11.2
        return [parent]
    return []


def mentions(text):
    """(line, as written, id to resolve or candidates) for each ID-like token in text."""
    out = []
    for n, line in enumerate(text.splitlines(), 1):
        for m in MENTION.finditer(line):
            out.append((n, "R-" + m.group(1) + m.group(2), ["R-" + m.group(1)]))
        for m in TEST_NAME.finditer(line):
            nums = m.group(2).split("_")
            dotted = "R-" + m.group(1) + ".".join(nums) + m.group(3)
            cands = [dotted]
            if len(nums) > 1:
                cands.append("R-" + m.group(1) + ".".join(nums[:-1]) + "-" + nums[-1] +
                             m.group(3))
            out.append((n, m.group(0), cands))
    return out


def resolve_mention(written, cands, rows):
    """(the form to show, the table IDs) of one mention; a test name is shown as its ID."""
    for cand in cands:
        ids = resolve(cand, rows, articles="(" not in written)
        if ids:
            return (written if written.startswith("R-") else cand), ids
    return written, []


def source_files(root, dirs):
    """Text source files under dirs, relative to root, sorted."""
    files = []
    for d in dirs:
        for base, subdirs, names in os.walk(os.path.join(root, d)):
            subdirs[:] = sorted(s for s in subdirs if s not in SKIP_DIRS)
            for name in names:
                if name.endswith(TEXT_EXTS):
                    files.append(os.path.relpath(os.path.join(base, name), root))
    return sorted(files)


def scan(root, dirs, rows):
    """({id: {file: set of forms written}}, [(file, line, as written)] unknown)."""
    found, unknown = {}, []
    for rel in source_files(root, dirs):
        with open(os.path.join(root, rel), encoding="utf-8", errors="replace") as f:
            text = f.read()
        for line, written, cands in mentions(text):
            written, ids = resolve_mention(written, cands, rows)
            if not ids:
                unknown.append((rel, line, written))
            for ident in ids:
                found.setdefault(ident, {}).setdefault(rel, set()).add(written)
    return found, unknown


def file_list(by_file, ident):
    """`path` (as R-…, …) for each file, the forms shown only where one is not the ID itself."""
    items = []
    for rel in sorted(by_file):
        forms = sorted(by_file[rel] - {ident})
        if ident in by_file[rel] or not forms:
            items.append(f"`{rel}`")
        else:
            items.append(f"`{rel}` (as {', '.join(forms)})")
    return ", ".join(items)


def render(rows, notes, tests, code):
    """The matrix as Markdown, deterministic for the same inputs."""
    ids = sorted(rows, key=natural_key)
    untested = [i for i in ids if i not in tests]
    out = [
        "# Compliance matrix",
        "",
        "Generated by `ops/compliance.py` from `../shared/REQUIREMENTS.md` and the requirement IDs "
        "that the tests name (tests/unit, tests/integration, tests/browser, tests/fuzz: comments, "
        "docstrings, test names). Do not edit by hand: regenerate it with",
        "`" + REGENERATE + "`; ctest's `docs.compliance` fails when it is out of date or when a "
        "test names an ID the requirements do not have. Reasons for untested IDs are in "
        "`ops/compliance-notes.txt`.",
        "",
        f"{len(ids)} requirements; {len(ids) - len(untested)} named by at least one test, "
        f"{len(untested)} by none.",
        "",
        "| ID | test files | code files |",
        "|---|---|---|",
    ]
    for i in ids:
        out.append(f"| {i} | {len(tests.get(i, {}))} | {len(code.get(i, {}))} |")
    for letter in sorted(SERIES):
        out += ["", "## " + SERIES[letter]]
        for i in (x for x in ids if x[2] == letter):
            rule, does = rows[i]
            out += ["", "### " + i, "", "Rule: " + rule, "", "Software: " + does, ""]
            out.append("- Code: " + (file_list(code[i], i) if i in code else "none names it"))
            out.append("- Tests: " + (file_list(tests[i], i) if i in tests else "**none**"))
            if i in notes:
                out.append("- Note: " + notes[i])
    out += ["", "## Requirements no test names", ""]
    if not untested:
        out.append("None.")
    for i in untested:
        out.append(f"- {i}: " + notes.get(i, "no reason recorded."))
    return "\n".join(out) + "\n"


def build(root, requirements, notes_path, fallback=None):
    """(matrix text, unknown test mentions, unknown code mentions)."""
    if os.path.exists(requirements):
        rows = read_requirements(requirements)
    elif fallback:
        rows = read_matrix_rows(fallback)
    else:
        raise Failure(f"{requirements}: no such file (the requirements table; "
                      "name another with --requirements)")
    notes = read_notes(notes_path, rows)
    tests, unknown_tests = scan(root, TEST_DIRS, rows)
    code, unknown_code = scan(root, CODE_DIRS, rows)
    return render(rows, notes, tests, code), unknown_tests, unknown_code


def check(root, requirements, notes, out_path):
    """0 when every test's ID is known and the committed matrix is current; else 1."""
    if not os.path.exists(requirements):
        if not os.path.exists(out_path):
            raise Failure(f"{requirements} and {out_path} are both missing: nothing to check "
                          "the test IDs against")
        print(f"note: {requirements} not found; checking against the requirements recorded "
              f"in {os.path.relpath(out_path, root)}")
    text, unknown, unknown_code = build(root, requirements, notes, fallback=out_path)
    status = 0
    for rel, line, written in unknown:
        print(f"{rel}:{line}: {written} is not a requirement ID of REQUIREMENTS.md")
        status = 1
    for rel, line, written in unknown_code:
        print(f"warning: {rel}:{line}: {written} is not a requirement ID of REQUIREMENTS.md")
    current = open(out_path, encoding="utf-8").read() if os.path.exists(out_path) else ""
    if current != text:
        rel = os.path.relpath(out_path, root)
        diff = list(difflib.unified_diff(current.splitlines(), text.splitlines(),
                                         f"{rel} (committed)", f"{rel} (generated now)",
                                         lineterm="", n=1))
        print("\n".join(diff[:60]) + ("\n..." if len(diff) > 60 else ""))
        print(f"{rel} is out of date; regenerate it with: {REGENERATE}")
        status = 1
    if status == 0:
        print(f"{os.path.relpath(out_path, root)} is current; every test names known IDs")
    return status


def main(argv):
    ap = argparse.ArgumentParser(description="Write or check docs/compliance.md.")
    ap.add_argument("--root", default=ROOT, help="the project root (default: this checkout)")
    ap.add_argument("--requirements", help="REQUIREMENTS.md (default: <root>/" +
                    DEFAULT_REQUIREMENTS + ")")
    ap.add_argument("--notes", help="reasons for untested IDs (default: <root>/" +
                    DEFAULT_NOTES + ")")
    ap.add_argument("--out", help="the matrix (default: <root>/" + DEFAULT_OUT + ")")
    ap.add_argument("--check", action="store_true",
                    help="write nothing; fail on unknown test IDs or a stale matrix")
    args = ap.parse_args(argv)
    root = os.path.abspath(args.root)
    requirements = args.requirements or os.path.join(root, DEFAULT_REQUIREMENTS)
    notes = args.notes or os.path.join(root, DEFAULT_NOTES)
    out_path = args.out or os.path.join(root, DEFAULT_OUT)
    try:
        if args.check:
            if args.requirements and not os.path.exists(args.requirements):
                raise Failure(f"{args.requirements}: no such file")
            return check(root, requirements, notes, out_path)
        text, unknown, _ = build(root, requirements, notes)
        for rel, line, written in unknown:
            print(f"warning: {rel}:{line}: {written} is not a requirement ID of REQUIREMENTS.md")
        with open(out_path, "w", encoding="utf-8") as f:
            f.write(text)
        print(f"wrote {os.path.relpath(out_path, root)}")
        return 0
    except Failure as e:
        print(f"compliance.py: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
