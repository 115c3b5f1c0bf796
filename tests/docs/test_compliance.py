"""The compliance matrix's script (ops/compliance.py): how it reads IDs, and that its check fails.

- Mentions resolve as REQUIREMENTS.md writes IDs: R-K2.2.3-4 is one ID, R-N12(1) is R-N12, a
  range or an article names each row in it, a paragraph its row, a test name with underscores
  its ID; R-TEST is no mention at all, and an ID the table lacks is unknown.
- On a copy of this project: --check passes; it fails naming the file, line and ID when a test
  names an unknown ID, and fails printing the command to regenerate when a test names a known
  ID the committed matrix does not list; writing the matrix again makes it pass. Without
  ../shared/REQUIREMENTS.md it still checks, against the rows the matrix carries; writing the
  matrix without it fails and says which file is missing.
"""
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SCRIPT = os.path.join(ROOT, "ops", "compliance.py")
spec = importlib.util.spec_from_file_location("compliance", SCRIPT)
C = importlib.util.module_from_spec(spec)
spec.loader.exec_module(C)

# Built from parts so that no scanner ever reads these as the project's own mentions.
R = "R-"
TABLE = "\n".join([
    "| ID | rule | what |",
    "|---|---|---|",
    f"| {R}K2.1.3b | five years | install date |",
    f"| {R}K2.1.3c | consensus | consensus date |",
    f"| {R}K2.2.3-4 | no leaks | roles |",
    f"| {R}K2.2.6a | 24 hours | uptime |",
    f"| {R}K2.2.6b | 7 days | retention |",
    f"| {R}N2.3 | displayed images | live |",
    f"| {R}N3 | minimum | coverage |",
    f"| {R}N4.1 | standards | config |",
    f"| {R}N4.2 | filing | filings |",
    f"| {R}N5.1-3 | purpose | purpose |",
    f"| {R}N5.4 | sign | sign |",
    f"| {R}N10.1 | report | report |",
    f"| {R}N10.2 | guidance | guidance |",
    f"| {R}N11 | publication | hearing |",
    f"| {R}N12 | complaints | complaints |",
    f"| {R}N-T | transition | deadlines |",
    "",
])


def rows():
    with tempfile.NamedTemporaryFile("w", suffix=".md", delete=False) as f:
        f.write(TABLE)
    try:
        return C.read_requirements(f.name)
    finally:
        os.unlink(f.name)


def resolved(text):
    """[(as written, [ids])] for each mention in text."""
    table = rows()
    out = []
    for _, written, cands in C.mentions(text):
        out.append(C.resolve_mention(written, cands, table))
    return out


class Forms(unittest.TestCase):
    def one(self, text, want):
        got = resolved(text)
        self.assertEqual(len(got), 1, f"{text!r}: {got}")
        self.assertEqual(got[0][1], want, f"{text!r}")

    def test_an_id_with_a_hyphen_is_one_id(self):
        self.one(f"/* {R}K2.2.3-4 */", [f"{R}K2.2.3-4"])
        self.one(f"({R}N-T).", [f"{R}N-T"])

    def test_a_paragraph_in_parentheses_is_its_id(self):
        self.one(f"({R}N12(1))", [f"{R}N12"])

    def test_a_member_of_a_table_range_is_the_range(self):
        self.one(f"{R}N5.2,", [f"{R}N5.1-3"])
        self.one(f"{R}K2.2.3 ", [f"{R}K2.2.3-4"])

    def test_a_range_names_each_row_in_it(self):
        self.one(f"{R}N4.1-2)", [f"{R}N4.1", f"{R}N4.2"])
        self.one(f"{R}K2.1.3b-c", [f"{R}K2.1.3b", f"{R}K2.1.3c"])
        self.one(f"{R}N10-12).", [f"{R}N10.1", f"{R}N10.2", f"{R}N11", f"{R}N12"])
        self.one(f"{R}N5.2-4", [f"{R}N5.1-3", f"{R}N5.4"])

    def test_an_article_names_its_rows_and_a_paragraph_its_row(self):
        self.one(f"{R}N5)", [f"{R}N5.1-3", f"{R}N5.4"])
        self.one(f"{R}N11.2:", [f"{R}N11"])
        self.one(f"{R}N12.1", [f"{R}N12"])

    def test_a_test_name_with_underscores_is_its_id(self):
        self.one("static void R_N10_1_report_is_answered(void **s)", [f"{R}N10.1"])
        self.one("cmocka_unit_test(R_N12_complaint_logged_once)", [f"{R}N12"])
        self.one("def test_R_K2_2_6b_hold(self):", [f"{R}K2.2.6b"])
        self.one("R_K2_2_3_4_roles", [f"{R}K2.2.3-4"])
        self.assertEqual(resolved("R_N10_1_report")[0][0], f"{R}N10.1", "shown as its ID")

    def test_unknown_ids_resolve_to_nothing(self):
        for text in (f"{R}N99", f"{R}K2.2.6e", f"{R}N4.3", f"{R}N10-13", "R_N13_x", f"{R}N7",
                     f"{R}N3x", f"{R}K2(5)"):
            self.one(text, [])

    def test_other_strings_are_not_mentions(self):
        self.assertEqual(resolved('strcpy(c->rule, "R-TEST"); "R-X" R-Nine xR-N3'), [])

    def test_ids_sort_naturally(self):
        ids = [f"{R}N-T", f"{R}N10.1", f"{R}N3", f"{R}N2.3", f"{R}K3", f"{R}K2.2.6b",
               f"{R}K2.2.3-4", f"{R}N5.1-3", f"{R}N5.4"]
        self.assertEqual(sorted(ids, key=C.natural_key),
                         [f"{R}K2.2.3-4", f"{R}K2.2.6b", f"{R}K3", f"{R}N2.3", f"{R}N3",
                          f"{R}N5.1-3", f"{R}N5.4", f"{R}N10.1", f"{R}N-T"])

    def test_a_note_for_an_unknown_id_is_refused(self):
        with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
            f.write(f"# reasons\n{R}N3: a principle\n  continued\n{R}N77: nothing\n")
        try:
            with self.assertRaisesRegex(C.Failure, f":4: .*{R}N77"):
                C.read_notes(f.name, rows())
            with open(f.name, "w") as g:
                g.write(f"{R}N3: a principle\n  continued\n")
            self.assertEqual(C.read_notes(f.name, rows()), {f"{R}N3": "a principle continued"})
        finally:
            os.unlink(f.name)


def run(root, *args):
    p = subprocess.run([sys.executable, os.path.join(root, "ops", "compliance.py"), *args],
                       capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout + p.stderr


class OnACopy(unittest.TestCase):
    """The script run on a copy of this project, with the requirements beside it as ../shared."""

    @classmethod
    def setUpClass(cls):
        cls.top = tempfile.mkdtemp(prefix="mm-compliance-")
        cls.root = os.path.join(cls.top, "project")
        skip = shutil.ignore_patterns("node_modules", "corpus", "__pycache__", "build*")
        for d in C.TEST_DIRS + C.CODE_DIRS + ("ops", "docs"):
            shutil.copytree(os.path.join(ROOT, d), os.path.join(cls.root, d), ignore=skip)
        shared = os.path.join(ROOT, C.DEFAULT_REQUIREMENTS)
        cls.have_requirements = os.path.exists(shared)
        os.makedirs(os.path.join(cls.top, "shared"))
        cls.requirements = os.path.join(cls.top, "shared", "REQUIREMENTS.md")
        if cls.have_requirements:
            shutil.copy(shared, cls.requirements)
        cls.test_file = os.path.join(cls.root, "tests", "unit", "edge", "test_zz_matrix.c")
        cls.matrix = os.path.join(cls.root, "docs", "compliance.md")

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.top)

    def tearDown(self):
        if os.path.exists(self.test_file):
            os.unlink(self.test_file)
        self.assertEqual(run(self.root, "--check")[0], 0, "the copy was left failing")

    def write_test(self, text):
        with open(self.test_file, "w") as f:
            f.write(text)

    def test_check_passes_on_the_project_as_committed(self):
        rc, out = run(self.root, "--check")
        self.assertEqual(rc, 0, out)
        self.assertIn("is current", out)

    def test_an_unknown_id_in_a_test_fails_naming_file_line_and_id(self):
        self.write_test(f"/* proves nothing */\n/* {R}N7.3, {R}N99.1 */\n")
        rc, out = run(self.root, "--check")
        self.assertEqual(rc, 1, out)
        self.assertIn(f"tests/unit/edge/test_zz_matrix.c:2: {R}N99.1 is not a requirement ID",
                      out)

    def test_a_stale_matrix_fails_with_the_command_to_regenerate(self):
        # A known ID, in a file the committed matrix does not list.
        self.write_test(f"/* {R}N7.2 */\n")
        rc, out = run(self.root, "--check")
        self.assertEqual(rc, 1, out)
        self.assertIn("docs/compliance.md is out of date; regenerate it with: "
                      "/usr/bin/python3 ops/compliance.py", out)
        self.assertIn("test_zz_matrix.c", out)  # the diff shows what changed
        with open(self.matrix) as f:
            before = f.read()
        try:
            if self.have_requirements:
                rc, out = run(self.root)
                self.assertEqual(rc, 0, out)
                self.assertEqual(run(self.root, "--check")[0], 0)
                with open(self.matrix) as f:
                    after = f.read()
                self.assertIn("`tests/unit/edge/test_zz_matrix.c`", after)
                rc, _ = run(self.root)
                with open(self.matrix) as f:
                    self.assertEqual(f.read(), after, "a second run wrote something else")
        finally:
            with open(self.matrix, "w") as f:
                f.write(before)

    def test_without_the_requirements_check_uses_the_matrix_and_writing_fails(self):
        moved = self.requirements + ".away"
        if self.have_requirements:
            os.rename(self.requirements, moved)
        try:
            rc, out = run(self.root, "--check")
            self.assertEqual(rc, 0, out)
            self.assertIn("not found; checking against the requirements recorded in "
                          "docs/compliance.md", out)
            self.write_test(f"/* {R}N99 */\n")
            rc, out = run(self.root, "--check")
            self.assertEqual(rc, 1, out)
            self.assertIn(f"test_zz_matrix.c:1: {R}N99 is not a requirement ID", out)
            os.unlink(self.test_file)
            rc, out = run(self.root)
            self.assertEqual(rc, 2, out)
            self.assertIn("REQUIREMENTS.md: no such file", out)
            rc, out = run(self.root, "--check", "--requirements", "/nonexistent/REQ.md")
            self.assertEqual(rc, 2, out)
            self.assertIn("/nonexistent/REQ.md: no such file", out)
        finally:
            if self.have_requirements:
                os.rename(moved, self.requirements)


if __name__ == "__main__":
    unittest.main(verbosity=2)
