#!/usr/bin/env python3
"""Drives CounterGate's pages in headless Chromium (Debian's chromium and chromedriver, through selenium) against a
running `countergate demo`, the way people at the hall use them.

Run by Tests/EndToEndTests/PagesBrowserEndToEndTests.swift, or by hand against a demo started with --punch-every 0:
    pages_check.py --base http://127.0.0.1:PORT --control http://127.0.0.1:PORT2 --data DEMO_DATA_DIR \
        --artifacts .build/test-artifacts/pages
The demo's tokens and staff PINs are read from DEMO_DATA_DIR/demo-tokens.txt; the control is the demo's simulator
control (test fake) that stops simulated devices. Every wait is an explicit Selenium wait on what the page shows.
A screenshot of each step goes to --artifacts (NN-step.png); on a failure, failed-*.png of every open tab, and the
page's console log, are saved there too. Exits 0 when every step passed, 1 with the step that failed.
"""
import argparse
import base64
import json
import os
import sys
import tempfile
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

IGNORED = (NoSuchElementException, StaleElementReferenceException)


class Check:
    def __init__(self, driver, artifacts):
        self.driver = driver
        self.artifacts = artifacts
        self.shots = 0
        self.tabs = {}

    def wait(self, what, condition, timeout=20):
        """Waits until condition(driver) is truthy; fails the step with `what`."""
        try:
            return WebDriverWait(self.driver, timeout, poll_frequency=0.2, ignored_exceptions=IGNORED).until(condition, what)
        except TimeoutException:
            raise AssertionError(f"timed out after {timeout} s waiting for: {what}")

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def text(self, selector):
        return self.js("const n = document.querySelector(arguments[0]); return n ? n.textContent : null;", selector)

    def data(self, selector, key):
        return self.js("const n = document.querySelector(arguments[0]); return n ? (n.dataset[arguments[1]] ?? null) : null;", selector, key)

    def click(self, what, selector, timeout=20):
        """Clicks the element matching selector (found afresh: the pages re-render their tables)."""
        def attempt(driver):
            element = driver.find_element(By.CSS_SELECTOR, selector)
            if not element.is_displayed() or not element.is_enabled():
                return False
            element.click()
            return True
        self.wait(what, attempt, timeout)

    def select(self, what, element_id, value, timeout=20):
        """Chooses value in a select (found afresh: the pages refill their selects when data arrives)."""
        def attempt(driver):
            Select(driver.find_element(By.ID, element_id)).select_by_value(value)
            return driver.find_element(By.ID, element_id).get_attribute("value") == value
        self.wait(what, attempt, timeout)

    def type(self, element_id, text):
        element = self.driver.find_element(By.ID, element_id)
        element.clear()
        element.send_keys(text)

    def shot(self, name):
        self.shots += 1
        path = os.path.join(self.artifacts, f"{self.shots:02d}-{name}.png")
        self.driver.save_screenshot(path)
        print(f"screenshot {path}", flush=True)

    def open_tab(self, name, url):
        if self.tabs:
            self.driver.switch_to.new_window("tab")
        self.tabs[name] = self.driver.current_window_handle
        self.driver.get(url)

    def to_tab(self, name):
        self.driver.switch_to.window(self.tabs[name])


def read_demo_access(data):
    tokens, pins = {}, {}
    with open(os.path.join(data, "demo-tokens.txt"), encoding="utf-8") as file:
        for line in file:
            fields = line.split()
            if len(fields) >= 3 and fields[0] == "token":
                tokens[fields[1]] = fields[2]
            elif len(fields) >= 3 and fields[0] == "pin":
                pins[fields[1]] = fields[2]
    return tokens, pins


def control(base, method, path):
    request = urllib.request.Request(base + path, method=method)
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read().decode("utf-8"))


def api(base, token, method, path):
    """The gateway's API with a page's token: what a page should show, read on the side."""
    request = urllib.request.Request(base + "/api/v1" + path, method=method, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(request, timeout=10) as answer:
        return json.loads(answer.read().decode("utf-8"))


def copies(transcript, number):
    """How many copies of the notice numbered `number` the simulated printer printed (each copy is headed 编号:…)."""
    if not os.path.exists(transcript):
        return 0
    with open(transcript, encoding="utf-8") as file:
        return file.read().count("编号:" + number)


def wrong_pin(pin):
    return pin[:-1] + str((int(pin[-1]) + 1) % 10)


def token_problems(c, base, tokens):
    """401: an unknown token; a token of another role: the page says so in Chinese and asks again."""
    c.open_tab("clerk", f"{base}/pages/clerk#token=cg_{'x' * 43}")
    c.wait("the clerk page to refuse an unknown token", lambda d: "令牌无效" in (c.text("#token-status") or ""))
    assert c.js("return document.getElementById('app').hidden"), "the page must not show the form with a refused token"
    assert "#token=" not in c.driver.current_url, "the token must be taken out of the address bar"
    c.shot("token-refused")
    c.driver.get(f"{base}/pages/clerk#token={tokens['kiosk']}")
    c.wait("the clerk page to refuse the kiosk's token", lambda d: "不能用于本页面" in (c.text("#token-status") or ""))
    c.shot("token-wrong-role")
    print("ok: unknown token and wrong role refused with a Chinese message", flush=True)


def clerk_prints(c, base, tokens, data):
    """(a) The clerk of window 1 fills in an acceptance notice, sees the preview, prints, sees the number and the job
    printed; the notice is in the simulated printer's transcript; a reprint follows."""
    c.driver.get(f"{base}/pages/clerk#token={tokens['clerk:1']}")
    c.wait("the clerk's form", lambda d: d.find_element(By.ID, "notice-form").is_displayed())
    c.wait("the clerks of window 1 in the list", lambda d: len(Select(d.find_element(By.ID, "clerk")).options) > 0)
    c.select("the acceptance notice", "kind", "acceptance")
    c.type("applicant", "张喆")
    c.type("item", "食品经营许可")
    c.select("D001 as the clerk", "clerk", "D001")
    for material in ["营业执照副本", "食品安全管理制度", "经营场所证明"]:
        c.type("new-material", material)
        c.driver.find_element(By.ID, "add-material").click()
    c.wait("three materials in the checklist", lambda d: len(d.find_elements(By.CSS_SELECTOR, "#materials li")) == 3)
    c.type("promisedWorkingDays", "5")
    c.wait("a preview with the applicant, ready to print",
           lambda d: "张喆" in (c.text("#preview") or "") and c.data("#preview", "ready") == "yes")
    preview = c.text("#preview")
    assert "食品经营许可" in preview and "经营场所证明" in preview and "(预览)" in preview, preview
    c.shot("clerk-form-preview")
    c.click("the print button", "#print")
    number = c.wait("the notice's number", lambda d: c.data("#issued-number", "number"))
    c.wait("the print job to be printed", lambda d: c.data("#job-status", "state") == "printed", timeout=30)
    c.wait("the notice in today's list", lambda d: d.find_elements(By.CSS_SELECTOR, f'#issued tr[data-number="{number}"]'))
    # The A4 PDF of the notice, linked after printing: fetched with the page's token and saved.
    c.click("the 下载 A4 PDF link", "#pdf-link")
    size = c.wait("the A4 PDF downloaded", lambda d: c.data("#pdf-link", "downloaded"))
    assert int(size) > 5000, f"the PDF is {size} bytes"
    assert "已下载" in (c.text("#pdf-status") or ""), c.text("#pdf-status")
    assert c.text("#pdf-link") == "下载 A4 PDF", c.text("#pdf-link")
    c.shot("clerk-printed")
    transcript = os.path.join(data, "printed", "window-1-printer.txt")
    # Two copies (第一联, 第二联), each headed with the number.
    c.wait(f"both copies of {number} in {transcript}", lambda _: copies(transcript, number) >= 2, timeout=30)
    assert copies(transcript, number) == 2, f"{copies(transcript, number)} copies of {number}"
    print(f"ok: clerk printed {number}; it is in {transcript}", flush=True)

    c.click("the reprint button", f'#issued tr[data-number="{number}"] button')
    c.wait("the reprint job to be printed", lambda d: c.data("#reprint-status", "state") == "printed", timeout=30)
    c.wait(f"the reprint (补打) of {number} in {transcript}", lambda _: copies(transcript, number) >= 4, timeout=30)
    with open(transcript, encoding="utf-8") as file:
        assert file.read().count("【补打】") == 2, "a reprint is marked 补打 on both copies"
    c.shot("clerk-reprinted")
    print(f"ok: clerk reprinted {number}", flush=True)
    clerk_retries_after_a_lost_answer(c, transcript)
    return number


# Lets the first POST /api/v1/notices reach the gateway and then loses its answer, as a network that drops the
# connection would: the page cannot know whether the notice was issued.
LOSE_FIRST_ANSWER = """
const realFetch = window.fetch;
let lost = false;
window.fetch = async function (input, init) {
  const response = await realFetch(input, init);
  if (!lost && String(input).endsWith("/api/v1/notices") && init && init.method === "POST") {
    lost = true;
    throw new TypeError("the answer was lost (simulated by the test)");
  }
  return response;
};
"""


def clerk_retries_after_a_lost_answer(c, transcript):
    """A supplementary-materials notice whose first answer is lost: the page says it is unsure, the clerk clicks print
    again, the page sends the same Idempotency-Key, and the notice is issued and printed once."""
    c.click("新建通知书", "#new-notice")
    c.select("the supplementary-materials notice", "kind", "supplementary-materials")
    c.type("applicant", "李堃")
    c.type("item", "个体工商户设立登记")
    for material in ["身份证复印件", "经营场所证明", "授权委托书"]:
        c.type("new-material", material)
        c.driver.find_element(By.ID, "add-material").click()
    c.wait("three materials, all missing by default on this kind", lambda d: len(d.find_elements(By.CSS_SELECTOR, "#materials li.missing")) == 3)
    c.click("tick 身份证复印件 as received", '#materials li[data-name="身份证复印件"] input')
    c.wait("a preview listing what is missing", lambda d: c.data("#preview", "ready") == "yes" and "授权委托书" in (c.text("#preview") or "")
           and "李堃" in (c.text("#preview") or ""))
    c.js(LOSE_FIRST_ANSWER)
    c.click("the print button", "#print")
    c.wait("the page unsure whether the notice was issued", lambda d: "不确定是否已开具" in (c.text("#print-status") or ""))
    assert c.js("return document.getElementById('issued-number').hidden"), "no number is shown while unsure"
    c.shot("clerk-answer-lost")
    c.click("the print button again", "#print")
    number = c.wait("the notice's number", lambda d: c.data("#issued-number", "number"))
    assert "未重复打印" in c.text("#print-status"), c.text("#print-status")
    c.wait("the print job to be printed", lambda d: c.data("#job-status", "state") == "printed", timeout=30)
    c.wait("the notice in today's list once", lambda d: len(d.find_elements(By.CSS_SELECTOR, f'#issued tr[data-number="{number}"]')) == 1)
    assert len(c.driver.find_elements(By.XPATH, "//table[@id='issued']//td[text()='李堃']")) == 1, "one notice for 李堃"
    c.wait(f"both copies of {number} in {transcript}", lambda _: copies(transcript, number) >= 2, timeout=30)
    assert copies(transcript, number) == 2, f"{copies(transcript, number)} copies of {number}: printed more than once"
    c.shot("clerk-printed-once")
    print(f"ok: clerk's second click after a lost answer issued {number} once, printed once", flush=True)


def kiosk_and_duty_chief(c, base, control_base, tokens, pins):
    """(b) The terminal fails: the kiosk shows sign-in mode; a wrong PIN is refused in Chinese, the right one signs in.
    (c) The duty chief, whose page is open, sees each sign-in appear live; confirms one; a rejection needs a reason."""
    c.open_tab("duty", f"{base}/pages/duty#token={tokens['duty-chief']}")
    c.wait("the duty chief's page connected to the live events", lambda d: "open" in (d.find_element(By.ID, "live").get_attribute("class") or ""))
    c.wait("the duty chief preselected", lambda d: Select(d.find_element(By.ID, "chief")).first_selected_option.get_attribute("value") == "D007")
    c.open_tab("kiosk", f"{base}/pages/kiosk#token={tokens['kiosk']}")
    c.wait("the kiosk showing normal attendance", lambda d: c.data("#mode", "mode") == "normal")
    c.shot("kiosk-normal")
    stopped = control(control_base, "POST", "/simulators/entrance-terminal/stop")
    assert stopped["running"] is False, stopped
    c.wait("the kiosk showing sign-in mode after the terminal stopped", lambda d: c.data("#mode", "mode") == "sign-in", timeout=40)
    c.shot("kiosk-sign-in-mode")

    c.type("staff-id", "D001")
    c.driver.find_element(By.ID, "pin").click()
    for digit in wrong_pin(pins["D001"]):
        c.driver.find_element(By.CSS_SELECTOR, f'#keypad button[data-key="{digit}"]').click()
    c.click("the sign-in button", "#submit")
    c.wait("the Chinese refusal of a wrong PIN", lambda d: c.data("#message", "kind") == "error" and "密码错误" in (c.text("#message") or ""))
    assert c.js("return document.getElementById('pin').value") == "", "the PIN is cleared after each attempt"
    c.shot("kiosk-wrong-pin")
    print(f"ok: kiosk refused a wrong PIN: {c.text('#message')}", flush=True)

    c.driver.find_element(By.ID, "pin").click()
    for digit in pins["D001"]:
        c.driver.find_element(By.CSS_SELECTOR, f'#keypad button[data-key="{digit}"]').click()
    c.click("the sign-in button", "#submit")
    c.wait("the Chinese success message", lambda d: c.data("#message", "kind") == "ok" and "签到成功" in (c.text("#message") or ""))
    c.shot("kiosk-signed-in")
    print(f"ok: kiosk signed D001 in: {c.text('#message')}", flush=True)

    c.to_tab("duty")
    c.wait("D001's sign-in to appear live on the duty chief's page", lambda d: d.find_elements(By.CSS_SELECTOR, '#pending tr[data-staff="D001"]'))
    c.shot("duty-pending")
    c.click("confirm on D001's row", '#pending tr[data-staff="D001"] button[data-action="confirm"]')
    c.wait("the confirmation", lambda d: "已确认 1 条" in (c.text("#review-status") or ""))
    c.wait("D001 gone from the pending list", lambda d: not d.find_elements(By.CSS_SELECTOR, '#pending tr[data-staff="D001"]'))
    c.shot("duty-confirmed")
    print("ok: the duty chief saw D001 live and confirmed", flush=True)

    c.to_tab("kiosk")
    c.type("staff-id", "D002")
    c.type("pin", pins["D002"])
    c.click("the sign-in button", "#submit")
    c.wait("D002 signed in", lambda d: c.data("#message", "kind") == "ok" and "签到成功" in (c.text("#message") or ""))
    c.to_tab("duty")
    c.wait("D002's sign-in to appear live", lambda d: d.find_elements(By.CSS_SELECTOR, '#pending tr[data-staff="D002"]'))
    c.click("reject on D002's row", '#pending tr[data-staff="D002"] button[data-action="reject"]')
    c.click("reject without a reason", '#pending tr[data-staff="D002"] button[data-action="reject-confirm"]')
    c.wait("a rejection without a reason refused", lambda d: "驳回须填写理由" in (c.text("#review-status") or ""))
    assert c.driver.find_elements(By.CSS_SELECTOR, '#pending tr[data-staff="D002"]'), "nothing was rejected"
    c.driver.find_element(By.CSS_SELECTOR, '#pending tr[data-staff="D002"] input[aria-label="驳回理由"]').send_keys("不在岗")
    c.click("reject with a reason", '#pending tr[data-staff="D002"] button[data-action="reject-confirm"]')
    c.wait("the rejection", lambda d: "已驳回 1 条" in (c.text("#review-status") or ""))
    c.wait("D002 gone from the pending list", lambda d: not d.find_elements(By.CSS_SELECTOR, '#pending tr[data-staff="D002"]'))
    c.shot("duty-rejected-with-reason")
    print("ok: the duty chief rejected D002 only with a reason", flush=True)
    duty_chief_orders_and_resolves(c, base, control_base, tokens, pins)


def duty_chief_orders_and_resolves(c, base, control_base, tokens, pins):
    """(c, continued) The terminal is still down. D003 signs in and nobody confirms it. The outage cannot be lifted by
    hand (the page offers no button); the duty chief orders sign-in mode for the push terminal and lifts it, only with a
    reason. The entrance terminal comes back: the hall leaves sign-in mode on its own and reconciles; D003's unreviewed
    sign-in is listed (the demo runs with --punch-every 0, so no punch backs it), the page shows the conflicts the API
    lists, and D003's is resolved only with a note."""
    c.to_tab("kiosk")
    c.type("staff-id", "D003")
    c.type("pin", pins["D003"])
    c.click("the sign-in button", "#submit")
    c.wait("D003 signed in", lambda d: c.data("#message", "kind") == "ok" and "签到成功" in (c.text("#message") or ""))
    c.to_tab("duty")
    c.wait("D003's sign-in to appear live", lambda d: d.find_elements(By.CSS_SELECTOR, '#pending tr[data-staff="D003"]'))

    entrance = '#roles tr[data-role="entrance-terminal"]'
    c.wait("entrance-terminal in sign-in mode by its failure", lambda d: c.data(entrance, "mode") == "sign-in" and c.data(entrance, "byDutyChief") == "false")
    assert not c.driver.find_elements(By.CSS_SELECTOR, entrance + ' button[data-action="leave"]'), "an outage is not lifted by hand"
    assert c.driver.find_elements(By.CSS_SELECTOR, entrance + ' [data-action="automatic"]'), "the page says the terminal's return ends it"

    push = '#roles tr[data-role="push-terminal"]'
    c.wait("the push terminal in fingerprint attendance", lambda d: c.data(push, "mode") == "normal")
    c.click("order sign-in mode without a reason", push + ' button[data-action="enter"]')
    c.wait("a reason asked for", lambda d: "请填写原因" in (c.text("#order-status") or ""))
    assert c.data(push, "mode") == "normal", "nothing changed without a reason"
    c.type("order-note", "演示:指纹头失灵")
    c.click("order sign-in mode with a reason", push + ' button[data-action="enter"]')
    c.wait("the push terminal in sign-in mode by order", lambda d: c.data(push, "mode") == "sign-in" and c.data(push, "byDutyChief") == "true")
    c.type("order-note", "演示:指纹头已更换")
    c.click("lift the order", push + ' button[data-action="leave"]')
    c.wait("fingerprint attendance again, reconciled", lambda d: c.data(push, "mode") == "normal" and "已恢复指纹考勤" in (c.text("#order-status") or ""))
    c.shot("duty-mode-ordered-and-lifted")
    print("ok: the duty chief ordered sign-in mode and lifted it, only with a reason; an outage offers no lift", flush=True)

    started = control(control_base, "POST", "/simulators/entrance-terminal/start")
    assert started["running"] is True, started
    c.wait("entrance-terminal back to fingerprint attendance on its own", lambda d: c.data(entrance, "mode") == "normal", timeout=60)

    c.wait("D003's unreviewed sign-in among the conflicts the API lists",
           lambda d: any(item["staffId"] == "D003" and item["kind"] == "unreviewed"
                         for item in api(base, tokens["duty-chief"], "GET", "/attendance/conflicts")), timeout=30)
    listed = api(base, tokens["duty-chief"], "GET", "/attendance/conflicts")
    c.wait(f"the {len(listed)} conflict(s) the API lists on the page",
           lambda d: sorted(tr.get_attribute("data-id") for tr in d.find_elements(By.CSS_SELECTOR, "#conflicts tbody tr[data-id]"))
           == sorted(str(item["id"]) for item in listed))
    for item in listed:
        cell = c.text(f'#conflicts tr[data-id="{item["id"]}"] td:nth-child(3)') or ""
        assert cell and not cell.isascii(), f"conflict {item['id']} ({item['kind']}) is not named in Chinese: {cell!r}"
    mine = next(item for item in listed if item["staffId"] == "D003")
    row = f'#conflicts tr[data-id="{mine["id"]}"]'
    c.click("resolve without a note", row + ' button[data-action="resolve"]')
    c.wait("a note asked for", lambda d: "请填写处理意见" in (c.text("#conflict-status") or ""))
    c.driver.find_element(By.CSS_SELECTOR, row + ' input[aria-label="处理意见"]').send_keys("演示:已电话核实")
    c.click("resolve with a note", row + ' button[data-action="resolve"]')
    c.wait("D003's conflict resolved and gone", lambda d: "已处理" in (c.text("#conflict-status") or "") and not d.find_elements(By.CSS_SELECTOR, row))
    left = api(base, tokens["duty-chief"], "GET", "/attendance/conflicts")
    assert all(item["id"] != mine["id"] for item in left), left
    c.shot("duty-conflicts")
    print(f"ok: the terminal's return reconciled the outage; the duty chief saw the {len(listed)} conflict(s) and resolved D003's with a note",
          flush=True)


def ops_replaces_printer(c, base, control_base, tokens):
    """(d) Ops see window-2-printer go red when it stops, replace it with the spare printer's address, follow the
    progress, and see the role served again, green."""
    spare = next(s for s in control(control_base, "GET", "/simulators") if s["name"] == "spare-printer")["address"]
    row = '#devices tr[data-role="window-2-printer"]'
    c.open_tab("ops", f"{base}/pages/ops#token={tokens['ops']}")
    c.wait("the ops page connected to the live events", lambda d: "open" in (d.find_element(By.ID, "live").get_attribute("class") or ""))
    c.wait("window-2-printer green", lambda d: c.data(row, "power") == "online", timeout=30)
    old = c.data(row, "deviceId")
    c.shot("ops-devices")
    stopped = control(control_base, "POST", "/simulators/window-2-printer/stop")
    assert stopped["running"] is False, stopped
    c.wait("window-2-printer red after it stopped", lambda d: c.data(row, "power") == "offline", timeout=30)
    assert "power-offline" in c.js("return document.querySelector(arguments[0]).className", row)
    c.shot("ops-printer-red")
    print(f"ok: ops saw window-2-printer ({old}) go red: {c.text(row + ' td.reason')}", flush=True)

    c.select("window-2-printer as the role to replace", "replace-role", "window-2-printer")
    c.type("replace-address", spare)
    c.click("the replace button", "#replace-button")
    c.wait("the replacement done", lambda d: c.data("#replace-status", "state") in ("done", "problem", "failed"), timeout=30)
    steps = c.js("return Array.from(document.querySelectorAll('#replace-progress li')).map(li => li.textContent)")
    assert c.data("#replace-status", "state") == "done", f"{c.text('#replace-status')}; progress: {steps}"
    assert len(steps) >= 3 and "已更换" in steps[-1], steps
    c.shot("ops-replaced")
    c.wait("window-2-printer bound to the spare printer", lambda d: c.js(
        "const r = document.querySelector(arguments[0]); return r && r.dataset.deviceId !== arguments[1] && r.textContent.includes(arguments[2]);",
        row, old, spare))
    c.wait("window-2-printer green again on the spare printer", lambda d: c.data(row, "power") == "online", timeout=30)
    c.wait(f"the old printer {old} unbound", lambda d: c.data(f'#devices tr[data-device-id="{old}"]', "role") == "")
    c.shot("ops-back-green")
    print(f"ok: ops replaced window-2-printer with {spare}; progress: {' / '.join(steps)}", flush=True)


def sheet_published_on_a4(c, base, tokens):
    """The monthly sheet (公示): refused to a clerk's token, shown to the inspection office, laid out on A4 for printing."""
    c.open_tab("sheet", f"{base}/pages/sheet#token={tokens['clerk:1']}")
    c.wait("the sheet page to refuse a clerk's token", lambda d: "不能用于本页面" in (c.text("#token-status") or ""))
    assert c.js("return document.getElementById('app').hidden"), "the sheet must not show with a clerk's token"
    try:
        api(base, tokens["clerk:1"], "GET", "/attendance/sheet")
        raise AssertionError("the API gave a clerk's token the monthly sheet")
    except urllib.error.HTTPError as error:
        assert error.code == 403, f"a clerk's token asking for the sheet: {error.code}, expected 403"
    c.shot("sheet-clerk-refused")
    c.driver.get(f"{base}/pages/sheet#token={tokens['inspection']}")
    c.wait("the sheet's people", lambda d: c.js("return document.querySelectorAll('#people tbody tr').length") > 0)
    c.wait("the sheet's title", lambda d: "考勤汇总" in (c.text("#title") or ""))
    people = len(api(base, tokens["inspection"], "GET", "/attendance/sheet?month=" + c.js("return document.getElementById('month').value"))["people"])
    rows = c.js("return document.querySelectorAll('#people tbody tr').length")
    assert rows == people, f"the page shows {rows} people, the API {people}"
    # As printed: the print stylesheet on an A4 landscape page (297 x 210 mm at 96 dpi), then the PDF Chromium prints.
    c.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    c.driver.set_window_size(1123, 794)
    assert c.js("return getComputedStyle(document.querySelector('header.bar')).display") == "none", "the page's bar must not print"
    c.shot("sheet-a4")
    pdf = base64.b64decode(c.driver.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})["data"])
    assert pdf.startswith(b"%PDF") and len(pdf) > 2000, "Chromium printed no PDF of the sheet"
    with open(os.path.join(c.artifacts, "sheet-a4.pdf"), "wb") as file:
        file.write(pdf)
    c.driver.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    c.driver.set_window_size(1280, 1100)
    print("ok: the sheet refused to a clerk, shown to the inspection office, printed on A4", flush=True)


def on_a_tablet(c):
    """Each page at a tablet's width (820 px, portrait): one column, nothing wider than the screen."""
    c.driver.set_window_size(820, 1180)
    for name in ["clerk", "kiosk", "duty", "ops"]:
        c.to_tab(name)
        c.wait(f"the {name} page laid out for the narrow window", lambda d: c.js("return window.innerWidth") <= 820)
        overflow = c.js("return document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 0, f"the {name} page is {overflow} px wider than a tablet's screen"
        c.js("window.scrollTo(0, 0)")
        c.shot(f"tablet-{name}")
    print("ok: every page fits a tablet's width", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--base", required=True, help="the demo's URL, http://127.0.0.1:PORT")
    parser.add_argument("--control", required=True, help="the demo's simulator control (test fake), http://127.0.0.1:PORT")
    parser.add_argument("--data", required=True, help="the demo's data directory (demo-tokens.txt, printed/)")
    parser.add_argument("--artifacts", required=True, help="where the screenshots go")
    parser.add_argument("--chromium", default=os.environ.get("CHROMIUM", "/usr/bin/chromium"))
    parser.add_argument("--chromedriver", default=os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))
    args = parser.parse_args()
    os.makedirs(args.artifacts, exist_ok=True)
    for name in os.listdir(args.artifacts):
        if name.endswith(".png") or name.endswith(".log"):
            os.remove(os.path.join(args.artifacts, name))
    tokens, pins = read_demo_access(args.data)

    options = webdriver.ChromeOptions()
    options.binary_location = args.chromium
    profile = tempfile.mkdtemp(prefix="countergate-chromium-")
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1100",
                     "--lang=zh-CN", "--no-first-run", "--disable-extensions", "--disable-background-timer-throttling",
                     "--disable-renderer-backgrounding", "--disable-backgrounding-occluded-windows", f"--user-data-dir={profile}"]:
        options.add_argument(argument)
    options.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(executable_path=args.chromedriver, log_output=os.path.join(args.artifacts, "chromedriver.log"))
    driver = webdriver.Chrome(service=service, options=options)
    c = Check(driver, args.artifacts)
    try:
        token_problems(c, args.base, tokens)
        clerk_prints(c, args.base, tokens, args.data)
        kiosk_and_duty_chief(c, args.base, args.control, tokens, pins)
        ops_replaces_printer(c, args.base, args.control, tokens)
        sheet_published_on_a4(c, args.base, tokens)
        on_a_tablet(c)
        print(f"PASS: every page drove its flow; screenshots in {args.artifacts}", flush=True)
        return 0
    except Exception as error:  # noqa: BLE001 - every failure (a wait, an assertion, the driver) is reported with the pages' state
        print(f"FAIL: {type(error).__name__}: {error}", flush=True)
        for name, handle in c.tabs.items():
            try:
                driver.switch_to.window(handle)
                path = os.path.join(args.artifacts, f"failed-{name}.png")
                driver.save_screenshot(path)
                print(f"screenshot {path} ({driver.current_url})", flush=True)
                for entry in driver.get_log("browser"):
                    print(f"console [{name}] {entry.get('level')}: {entry.get('message')}", flush=True)
            except Exception as detail:  # noqa: BLE001
                print(f"(no screenshot of {name}: {detail})", flush=True)
        return 1
    finally:
        driver.quit()


if __name__ == "__main__":
    sys.exit(main())
