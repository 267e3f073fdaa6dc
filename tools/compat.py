"""Odoo's own test suites, with and without the addon (used by `make compat`).

Principle 6: installing the addon changes no standard flow. Odoo's own tests of
the modules the addon extends are the judge. This script:

1. installs, without demo data, the addon's dependencies and the modules whose
   suites run into a throwaway database (*without*);
2. copies it (database and filestore) and installs the addon into the copy
   (*with*), as an administrator would install it into a running Odoo;
3. runs each suite with pytest-odoo against both, the two databases side by
   side, one process each;
4. runs again, on both databases, every test that failed only with the addon, so
   that a test which fails at random under load is told apart (reported as
   such, not counted);
5. prints, per suite, the tests and the failures with and without the addon,
   writes the same table to ``<results>/summary.md`` with the JUnit XML of each
   run, and exits 1 if any test fails only with the addon.

The databases are dropped at the end unless ``--keep`` is given.
"""

import argparse
import ast
import os
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from pathlib import Path

# The modules the addon extends, in the order their suites run.
ALL_SUITES = (
    "sale",
    "sale_management",
    "sale_stock",
    "sale_mrp",
    "stock",
    "stock_account",
    "stock_delivery",
    "stock_picking_batch",
    "mrp",
)

SIDES = ("without", "with")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--module", required=True, help="the addon to judge")
    parser.add_argument("--module-path", required=True, help="its directory")
    parser.add_argument("--odoo-addons", required=True, help="Odoo's addons directory")
    parser.add_argument("--addons-path", required=True, help="Odoo's addons path")
    parser.add_argument(
        "--suites",
        default=" ".join(ALL_SUITES),
        help="modules whose suites run, separated by spaces or commas "
        "(default: all of %(default)s)",
    )
    parser.add_argument("--db-prefix", default="sale_fulfillment_compat")
    parser.add_argument("--results", default="build/compat-results")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--keep", action="store_true", help="keep the databases")
    args = parser.parse_args(argv)
    args.suites = [s for s in args.suites.replace(",", " ").split() if s]
    unknown = [
        s for s in args.suites if not (Path(args.odoo_addons) / s / "tests").is_dir()
    ]
    if unknown:
        parser.error(f"no Odoo test suite for: {', '.join(unknown)}")
    return args


def check_browser_tests_can_run():
    """Without websocket-client or Chromium, Odoo skips every browser tour on
    both sides, which would hide a broken screen: refuse to judge then."""
    problems = []
    try:
        import websocket  # noqa: F401
    except ImportError:
        problems.append("the Python package websocket-client is missing")
    if not any(
        shutil.which(b) for b in ("chromium", "chromium-browser", "google-chrome")
    ):
        problems.append("Chromium is missing")
    if problems:
        sys.exit(
            f"ERROR: {' and '.join(problems)}: Odoo would skip its browser tours. "
            "Install them (README.md, Prerequisites)."
        )


def manifest_depends(module_path):
    manifest = ast.literal_eval((Path(module_path) / "__manifest__.py").read_text())
    return manifest.get("depends", [])


def run(cmd, log_path=None):
    """Run a command; its output goes to log_path when given."""
    if log_path:
        with open(log_path, "w") as log:
            return subprocess.run(
                cmd, stdout=log, stderr=subprocess.STDOUT, check=False
            )
    return subprocess.run(cmd, check=False)


class Compat:
    def __init__(self, args):
        self.args = args
        self.results = Path(args.results).resolve()
        self.data_dir = self.results / "data"
        self.db = {side: f"{args.db_prefix}_{side}" for side in SIDES}
        self.odoo = [args.python, "-m", "odoo", f"--addons-path={args.addons_path}"]

    # -- databases ---------------------------------------------------------
    def drop_databases(self):
        for name in self.db.values():
            subprocess.run(
                ["dropdb", "--if-exists", name], capture_output=True, check=False
            )
        shutil.rmtree(self.data_dir, ignore_errors=True)

    def odoo_install(self, db, modules, log_name):
        log = self.results / log_name
        cmd = [
            *self.odoo,
            "-d",
            db,
            "-i",
            ",".join(modules),
            "--without-demo=all",
            f"--data-dir={self.data_dir}",
            "--stop-after-init",
            "--log-level=warn",
            f"--logfile={log}",
        ]
        if run(cmd).returncode:
            sys.exit(
                f"ERROR: installing {', '.join(modules)} into {db} failed (see {log})."
            )

    def create_databases(self):
        modules = list(
            dict.fromkeys([*manifest_depends(self.args.module_path), *self.args.suites])
        )
        without, with_ = self.db["without"], self.db["with"]
        print(f"Installing {', '.join(modules)} into {without} (no demo data)...")
        self.odoo_install(self.db["without"], modules, "install-without.log")
        print(f"Copying it to {with_} and installing {self.args.module} there...")
        if run(["createdb", "-T", self.db["without"], self.db["with"]]).returncode:
            sys.exit(
                f"ERROR: could not copy {self.db['without']} to {self.db['with']}."
            )
        filestore = self.data_dir / "filestore"
        if (filestore / self.db["without"]).is_dir():
            shutil.copytree(filestore / self.db["without"], filestore / self.db["with"])
        self.odoo_install(self.db["with"], [self.args.module], "install-with.log")

    # -- suites ------------------------------------------------------------
    def pytest_cmd(self, side, targets, junit):
        return [
            self.args.python,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            *targets,
            f"--odoo-database={self.db[side]}",
            f"--odoo-addons-path={self.args.addons_path}",
            f"--odoo-extra=data-dir={self.data_dir}",
            "--odoo-log-level=warn",
            "--odoo-extra=log-handler=odoo.tests.common:CRITICAL",
            "--odoo-http",
            f"--junitxml={junit}",
        ]

    def run_both(self, targets, name):
        """Run the same tests against both databases at once; return the
        JUnit outcome of each side and the wall time."""
        started = time.monotonic()
        procs, junits = {}, {}
        for side in SIDES:
            junits[side] = self.results / f"{name}-{side}.xml"
            junits[side].unlink(missing_ok=True)
            log = open(self.results / f"{name}-{side}.log", "w")
            procs[side] = (
                subprocess.Popen(
                    self.pytest_cmd(side, targets, junits[side]),
                    stdout=log,
                    stderr=subprocess.STDOUT,
                ),
                log,
            )
        outcome = {}
        for side, (proc, log) in procs.items():
            proc.wait()
            log.close()
            if not junits[side].exists():
                sys.exit(
                    f"ERROR: pytest wrote no result for {name} {side} the addon "
                    f"(exit {proc.returncode}, see {self.results}/{name}-{side}.log)."
                )
            outcome[side] = read_junit(junits[side])
        return outcome, time.monotonic() - started

    def node_id(self, test_id):
        """pytest node id of a JUnit ``classname::name`` id (odoo.addons.<mod>....)."""
        classname, name = test_id.rsplit("::", 1)
        parts = classname.split(".")[2:]  # drop "odoo.addons"
        root = Path(self.args.odoo_addons)
        for cut in range(len(parts), 0, -1):
            path = root.joinpath(*parts[:cut]).with_suffix(".py")
            if path.is_file():
                return "::".join([str(path), *parts[cut:], name])
        return None

    def judge(self):
        self.results.mkdir(parents=True, exist_ok=True)
        rows, only_with, flaky = [], {}, {}
        for suite in self.args.suites:
            print(
                f"Running Odoo's {suite} suite with and without {self.args.module}...",
                flush=True,
            )
            outcome, seconds = self.run_both(
                [str(Path(self.args.odoo_addons) / suite / "tests")], suite
            )
            failed = {side: outcome[side]["failed"] for side in SIDES}
            suspects = sorted(failed["with"] - failed["without"])
            confirmed = suspects
            if suspects:
                nodes = {t: self.node_id(t) for t in suspects}
                again, _ = self.run_both(
                    sorted(filter(None, nodes.values())), f"{suite}-again"
                )
                # Failing with the addon again while passing without it again.
                confirmed = [
                    t
                    for t in suspects
                    if not nodes[t]
                    or t not in again["with"]["ran"]
                    or (
                        t in again["with"]["failed"]
                        and t not in again["without"]["failed"]
                    )
                ]
                flaky[suite] = [t for t in suspects if t not in confirmed]
            only_with[suite] = confirmed
            rows.append(
                {
                    "suite": suite,
                    "tests": len(outcome["with"]["ran"]),
                    "skipped": len(outcome["with"]["skipped"]),
                    "without": len(failed["without"]),
                    "with": len(failed["with"]),
                    "only": len(confirmed),
                    "flaky": len(flaky.get(suite, [])),
                    "minutes": seconds / 60,
                }
            )
            print(format_row(rows[-1]), flush=True)
        return rows, only_with, flaky

    def report(self, rows, only_with, flaky):
        header = (
            "| Odoo suite | tests | skipped | fail without the addon | fail with it "
            "| fail only with it | flaky | minutes |"
        )
        lines = [header, "|---|---|---|---|---|---|---|---|"]
        lines += [
            "| {suite} | {tests} | {skipped} | {without} | {with} | {only} | {flaky} "
            "| {minutes:.1f} |".format(**row)
            for row in rows
        ]
        total_only = sum(row["only"] for row in rows)
        total_tests = sum(row["tests"] for row in rows)
        total_minutes = sum(row["minutes"] for row in rows)
        lines.append(
            f"| **all** | {total_tests} | | | | **{total_only}** | "
            f"| {total_minutes:.1f} |"
        )
        for title, tests in (
            ("Fail only with the addon", only_with),
            ("Failed once only with the addon, passed again", flaky),
        ):
            listed = [t for suite in self.args.suites for t in tests.get(suite, [])]
            if listed:
                lines += ["", f"{title}:", *(f"- {t}" for t in listed)]
        text = "\n".join(lines) + "\n"
        (self.results / "summary.md").write_text(text)
        print("\n" + text)
        return total_only


def read_junit(path):
    """The ids (``classname::name``) of the tests a JUnit file ran, failed
    and skipped."""
    ran, failed, skipped = set(), set(), set()
    for case in ET.parse(path).getroot().iter("testcase"):
        test_id = f"{case.get('classname')}::{case.get('name')}"
        if case.find("skipped") is not None:
            skipped.add(test_id)
            continue
        ran.add(test_id)
        if case.find("failure") is not None or case.find("error") is not None:
            failed.add(test_id)
    return {"ran": ran, "failed": failed, "skipped": skipped}


def format_row(row):
    text = (
        "  {suite}: {tests} tests ({skipped} skipped), {without} fail without the "
        "addon, {with} with it, {only} only with it".format(**row)
    )
    if row["flaky"]:
        text += f" ({row['flaky']} failed once only with it, passed again)"
    return text + f" — {row['minutes']:.1f} min"


def main(argv=None):
    args = parse_args(argv)
    check_browser_tests_can_run()
    compat = Compat(args)
    shutil.rmtree(compat.results, ignore_errors=True)
    compat.results.mkdir(parents=True)
    compat.drop_databases()
    try:
        compat.create_databases()
        total_only = compat.report(*compat.judge())
    finally:
        if not args.keep:
            compat.drop_databases()
    if total_only:
        print(f"FAILED: {total_only} test(s) of Odoo fail only with {args.module}.")
        return 1
    print(f"OK: Odoo's suites fail exactly as they fail without {args.module}.")
    return 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONUNBUFFERED", "1")
    sys.exit(main())
