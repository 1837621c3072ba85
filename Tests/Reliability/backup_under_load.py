"""Backups taken under load, restored on a fresh data folder, with every record they must hold.

The crash suite's hall (push uploads, a pull terminal punching, kiosk sign-ins, notices through the API, a printer) runs
under `countergate serve` while `countergate backup` is taken from a second process, several times. Before each backup
starts, what the clients have been acknowledged so far is noted. Then the gateway stops, and each backup is restored
(`countergate restore`) into a data folder of its own: SQLite's integrity check passes, and everything acknowledged
before that backup started is in it exactly once, with notice numbers 1..n and one print job per notice (the crash
suite's checks, on the backup's database). Then a restore onto the hall's own data folder while the gateway runs is
refused, and the database is untouched.

    python3 Tests/Reliability/backup_under_load.py --bin .build/debug/countergate --backups 5
"""
import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from harness import read, wait_for  # noqa: E402
import crash_suite  # noqa: E402


class Frozen:
    """What the clients had been acknowledged at one moment (the crash suite's checks take it as their load)."""

    def __init__(self, snapshot):
        self.captured = snapshot

    def snapshot(self):
        return self.captured


class Folder:
    """A data folder to check (the crash suite's checks read `data`)."""

    def __init__(self, data):
        self.data = data


def main():
    root = os.path.dirname(os.path.dirname(here))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bin", default=os.path.join(root, ".build", "debug", "countergate"), help="the countergate binary")
    parser.add_argument("--backups", type=int, default=5, help="how many backups are taken under load (5)")
    parser.add_argument("--signins", type=int, default=3, help="how many people sign in at the kiosk (3)")
    parser.add_argument("--seed", type=int, default=None, help="the random seed (printed; to repeat a run)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    parser.add_argument("--json", action="store_true", help="print the result as JSON on the last line")
    args = parser.parse_args()
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    random.seed(seed)
    work = tempfile.mkdtemp(prefix="cg-backup-")
    started = time.monotonic()
    hall = crash_suite.Hall(args.bin, root, work, max(args.signins, 1))
    load = crash_suite.Load(hall, args.signins)
    checks = crash_suite.Checks()
    gateway_out = os.path.join(work, "gateway.out")
    folder = os.path.join(work, "backups")
    taken = []          # (file, what was acknowledged before it started, seconds it took)
    results = []
    refused_while_running = None
    try:
        gateway = subprocess.Popen([args.bin, "serve", "--config", hall.config], stdout=open(gateway_out, "a"),
                                   stderr=subprocess.STDOUT, cwd=work, env=hall.env)
        wait_for("the gateway to listen", lambda: "listening on http://" in read(gateway_out), 60, gateway, gateway_out)
        load.up.set()
        for n in range(args.backups):
            # Let the load add to the store first, so each backup holds more than the one before.
            before = sum(len(x) for x in load.snapshot()[:3])
            wait_for("the clients to be acknowledged something new", lambda: sum(len(x) for x in load.snapshot()[:3]) > before + 20,
                     60, gateway, gateway_out)
            acknowledged = load.snapshot()
            t0 = time.monotonic()
            out = hall.cli(["backup", "take", "--folder", folder, "--keep-all"])
            path = re.search(r"backup written: (\S+)", out).group(1)
            taken.append((path, acknowledged, time.monotonic() - t0))
            print(f"backup {n + 1}/{args.backups}: {os.path.basename(path)} in {taken[-1][2]:.2f} s, after "
                  f"{len(acknowledged[0])} push punches, {len(acknowledged[1])} notices, {len(acknowledged[2])} sign-ins "
                  "acknowledged", flush=True)
        # A restore onto the running gateway's own data folder: refused, nothing replaced.
        database = os.path.join(hall.data, "countergate.sqlite")
        inode = os.stat(database).st_ino
        refused = subprocess.run([args.bin, "restore", taken[-1][0], "--config", hall.config], capture_output=True, text=True,
                                 cwd=work, env=hall.env, timeout=60)
        refused_while_running = refused.returncode != 0 and "running" in (refused.stderr + refused.stdout) \
            and os.stat(database).st_ino == inode
        if not refused_while_running:
            checks.fail(f"a restore while the gateway runs was not refused: exit {refused.returncode}: {refused.stderr.strip()}")
        load.stop.set()
        gateway.send_signal(signal.SIGTERM)
        gateway.wait(timeout=60)

        # Each backup on a fresh data folder.
        for index, (path, acknowledged, seconds) in enumerate(taken, 1):
            fresh = os.path.join(work, f"restored-{index}")
            config = os.path.join(work, f"restored-{index}.toml")
            with open(hall.config, encoding="utf-8") as f:
                text = f.read().replace('data_dir = "data"', f'data_dir = "{fresh}"', 1)
            with open(config, "w", encoding="utf-8") as f:
                f.write(text)
            os.makedirs(fresh)
            done = subprocess.run([args.bin, "restore", path, "--config", config], capture_output=True, text=True,
                                  cwd=work, env=hall.env, timeout=120)
            if done.returncode != 0:
                checks.fail(f"restoring {os.path.basename(path)} failed: {done.stderr.strip()}")
                continue
            figures = crash_suite.check_store(Folder(fresh), Frozen(acknowledged), checks)
            results.append((os.path.basename(path), seconds, figures))
    finally:
        load.stop.set()
        hall.close()
    for failure in load.crashed:
        checks.fail(f"a client of the test stopped: {failure}")
    print(f"backups under load: {len(taken)} taken while the gateway ran, {len(results)} restored on fresh data folders, "
          f"{time.monotonic() - started:.0f} s, seed {seed}")
    print(f"  {'backup':48}{'seconds':>8}{'push':>14}{'notices':>14}{'sign-ins':>14}   (found of acknowledged before it)")
    lost = 0
    for name, seconds, figures in results:
        cells = [f"{figures[k][1]}/{figures[k][0]}" for k in ("push", "notices", "sign-ins")]
        lost += sum(figures[k][2] for k in figures) + sum(figures[k][3] for k in figures)
        print(f"  {name:48}{seconds:>8.2f}{cells[0]:>14}{cells[1]:>14}{cells[2]:>14}")
    print(f"  restore while the gateway runs: {'refused, database untouched' if refused_while_running else 'NOT refused'}")
    verdict = "passed" if not checks.failures and lost == 0 and len(results) == args.backups else "FAILED"
    for failure in checks.failures:
        print(f"  problem: {failure}")
    print(f"backups under load {verdict}")
    if args.keep or verdict != "passed":
        print(f"  work folder kept: {work}")
    else:
        shutil.rmtree(work, ignore_errors=True)
    if args.json:
        print(json.dumps({"backups": len(taken), "restored": len(results), "lost": lost, "refusedWhileRunning": refused_while_running,
                          "problems": checks.failures, "passed": verdict == "passed"}, ensure_ascii=False))
    sys.exit(0 if verdict == "passed" else 1)


if __name__ == "__main__":
    main()
