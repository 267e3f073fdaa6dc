"""pytest plugin loaded by `make test`: a skipped test fails the run.

A skipped test proves nothing: a browser tour skipped for want of Chromium or
websocket-client would hide a broken screen. Any skip fails the run.
"""


def pytest_sessionfinish(session, exitstatus):
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped and exitstatus == 0:
        reporter.write_line(
            f"FAILED: {len(skipped)} test(s) were skipped; every test must run.",
            red=True,
        )
        session.exitstatus = 1
