#!/usr/bin/env python3
"""Drives the web console in headless Chromium over the DevTools protocol
(on a pipe: no port, no extra package): opens URL, waits until the page has
taken live samples with traffic in them, checks that the charts moved
between two moments (their pixels differ), takes a screenshot, and, with
--click-stop INSTANCE, presses that NF's stop button. Prints one JSON object.
Usage: drive-console.py URL SCREENSHOT.png [--click-stop N] [--timeout S]"""
import base64, json, os, shutil, subprocess, sys, tempfile, time

def main():
    args = sys.argv[1:]
    url, shot = args[0], args[1]
    click = int(args[args.index("--click-stop") + 1]) if "--click-stop" in args else None
    timeout = float(args[args.index("--timeout") + 1]) if "--timeout" in args else 30.0
    browser = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
    if not browser:
        sys.exit("drive-console: no Chromium: apt-get install chromium (scripts/setup.sh does)")
    to_browser_r, to_browser_w = os.pipe()
    from_browser_r, from_browser_w = os.pipe()
    profile = tempfile.mkdtemp(prefix="nfv-console-")

    def wire():
        os.dup2(to_browser_r, 3)
        os.dup2(from_browser_w, 4)
    proc = subprocess.Popen([browser, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
                             "--user-data-dir=" + profile, "--window-size=1400,1100", "--no-first-run", "about:blank"],
                            preexec_fn=wire, pass_fds=(3, 4),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    os.close(to_browser_r); os.close(from_browser_w)
    out = os.fdopen(to_browser_w, "wb", buffering=0)
    inp = os.fdopen(from_browser_r, "rb", buffering=0)
    pending = b""
    next_id = [0]

    def call(method, params=None, session=None):
        next_id[0] += 1
        msg = {"id": next_id[0], "method": method, "params": params or {}}
        if session: msg["sessionId"] = session
        out.write(json.dumps(msg).encode() + b"\0")
        nonlocal pending
        while True:
            while b"\0" not in pending:
                chunk = inp.read(65536)
                if not chunk: raise RuntimeError("Chromium closed the pipe")
                pending += chunk
            raw, pending = pending.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == next_id[0]:
                if "error" in reply: raise RuntimeError(f"{method}: {reply['error']}")
                return reply["result"]

    result = {"ok": False}
    try:
        target = call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        call("Page.enable", session=session)
        call("Page.navigate", {"url": url}, session=session)

        def js(expr):
            r = call("Runtime.evaluate", {"expression": expr, "returnByValue": True}, session=session)
            return r["result"].get("value")

        def wait(expr, what):
            deadline = time.time() + timeout
            while time.time() < deadline:
                if js(expr): return
                time.sleep(0.1)
            raise RuntimeError(f"timed out waiting for {what}; page state: {js('JSON.stringify(window.nfvConsole || null)')}")

        # Live numbers: three samples, and a port whose rate is above 0.
        wait("window.nfvConsole && nfvConsole.samples >= 3 && Object.values(nfvConsole.series.port).some(s => s.some(v => v > 0))",
             "live port rates")
        charts = "['portChart','nfChart','queueChart'].map(id => document.getElementById(id).toDataURL())"
        before = js(charts)
        seen = js("nfvConsole.samples")
        wait(f"nfvConsole.samples >= {seen + 2}", "two more samples")
        after = js(charts)
        result["moved"] = [a != b for a, b in zip(before, after)]
        result["samples"] = js("nfvConsole.samples")
        result["errors"] = js("nfvConsole.errors")
        result["portRates"] = js("Object.fromEntries(Object.entries(nfvConsole.series.port).map(([k, v]) => [k, v.slice(-3)]))")
        result["nfRows"] = js("document.querySelectorAll('#nfs tbody tr').length")
        result["nfHeader"] = js("[...document.querySelectorAll('#nfs thead th')].map(c => c.textContent)")
        result["nfCells"] = js("[...(document.querySelector('#nfs tbody tr')?.cells ?? [])].map(c => c.textContent)")
        result["topology"] = js("document.getElementById('topology').textContent")
        result["events"] = js("document.querySelectorAll('#events div').length")
        png = call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=session)["data"]
        with open(shot, "wb") as f: f.write(base64.b64decode(png))
        result["screenshot"] = shot
        if click is not None:
            clicked = js(f"""(() => {{ for (const row of document.querySelectorAll('#nfs tbody tr'))
                if (row.cells[0].textContent === '{click}') {{ row.querySelector('button.stop').click(); return true; }}
                return false; }})()""")
            result["clicked"] = clicked
        result["ok"] = True
    except Exception as e:
        result["error"] = str(e)
    finally:
        try: call("Browser.close")
        except Exception: pass
        try: proc.wait(timeout=10)
        except Exception: proc.kill()
        shutil.rmtree(profile, ignore_errors=True)
    print(json.dumps(result))

main()
