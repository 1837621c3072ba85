// The duty chief's list: sign-ins awaiting confirmation, live as people sign in; confirm or reject (with a reason)
// one by one, the selected ones, or all. Below: the conflicts the reconciliation found, resolved with a note, and each
// terminal role's mode, which the duty chief can switch by hand.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const chiefStorage = "countergate.duty.chief";
  const methods = { pin: "密码", badge: "工牌" };
  const conflictKinds = { "times-disagree": "签到与指纹时间不符", "rejected-but-punched": "签到被驳回,但有指纹记录", unreviewed: "签到未经确认" };
  let fresh = new Set();
  let loading = null;
  let loadingConflicts = null;

  CG.start({ needs: "值班长(角色 duty-chief)", accepts: (role) => role === "duty-chief", ready: ready });

  async function ready(caller) {
    let staff = [];
    try {
      staff = await CG.api("GET", "/staff");
    } catch (error) {
      CG.say("review-status", "无法读取工作人员名单:" + error.message, "error", error);
    }
    const chiefs = staff.filter((p) => (p.roles || []).includes("duty-chief"));
    $("chief").replaceChildren(CG.el("option", { value: "" }, "请选择"), ...chiefs.map((p) => CG.el("option", { value: p.id }, p.name + "(" + p.id + ")")));
    const remembered = localStorage.getItem(chiefStorage);
    // The token's own person first (a token given to a duty chief, token create --staff), then the one chosen last time.
    if (caller && chiefs.some((p) => p.id === caller.staffId)) $("chief").value = caller.staffId;
    else if (chiefs.some((p) => p.id === remembered)) $("chief").value = remembered;
    else if (chiefs.length === 1) $("chief").value = chiefs[0].id;
    $("chief").addEventListener("change", () => localStorage.setItem(chiefStorage, $("chief").value));
    $("select-all").addEventListener("change", () => {
      for (const box of document.querySelectorAll("#pending tbody input[type=checkbox]")) box.checked = $("select-all").checked;
    });
    $("confirm-all").addEventListener("click", () => review("confirm", { all: true }));
    $("confirm-selected").addEventListener("click", () => {
      const ids = selected();
      if (!ids.length) { CG.say("review-status", "请先勾选要确认的签到", "error"); return; }
      review("confirm", { ids });
    });
    $("reject-selected").addEventListener("click", () => {
      const ids = selected();
      if (!ids.length) { CG.say("review-status", "请先勾选要驳回的签到", "error"); return; }
      review("reject", { ids }, $("reject-reason").value.trim());
    });
    CG.events(onEvent, (state, message) => {
      CG.liveState("live")(state, message);
      if (state === "open") { loadPending(); showMode(); loadConflicts(); }
    });
    loadPending();
    showMode();
    loadConflicts();
    loadCover();
    setInterval(loadCover, 60000);
    showCalendar();
    // Sign-ins made on the command line (another process) send no event: the lists are read again now and then.
    setInterval(() => { loadPending(); loadConflicts(); }, 30000);
    // Notices issued on other windows send no event the page follows: the provisional dates are read again now and then.
    setInterval(showCalendar, 60000);
    loadWaits();
    setInterval(loadWaits, 60000);
  }

  /** This month's supplementary-materials notices and the acceptances that followed them (GET /notices/waits). */
  async function loadWaits() {
    let waits = [];
    try {
      waits = await CG.api("GET", "/notices/waits");
    } catch (error) {
      CG.say("waits-status", "无法读取补办情况:" + error.message, "error", error);
      return;
    }
    CG.say("waits-status", waits.length ? "" : "本月尚未出具补办材料通知书", "info");
    const closed = waits.filter((w) => !w.open && w.workingDays != null);
    const average = closed.length ? closed.reduce((sum, w) => sum + w.workingDays, 0) / closed.length : null;
    $("waits-summary").textContent = waits.length ? waits.filter((w) => w.open).length + " 件待补齐"
      + (average !== null ? ",已受理的平均等候 " + average.toFixed(1) + " 个工作日" : "") : "";
    $("waits").tBodies[0].replaceChildren(...waits.map((w) => CG.el("tr", { class: w.open ? "open" : "", dataset: { number: w.supplementary } },
      CG.el("td", {}, w.supplementary), CG.el("td", {}, w.window + "号窗口"), CG.el("td", {}, w.applicant), CG.el("td", {}, w.item),
      CG.el("td", {}, w.receivedOn), CG.el("td", {}, w.acceptance || "(尚未受理)"), CG.el("td", {}, w.acceptedOn || ""),
      CG.el("td", {}, w.days + " 天" + (w.workingDays != null ? " / " + w.workingDays + " 个工作日" : "")))));
  }

  function showCalendar() {
    return CG.showCalendar({ banner: "calendar-warnings", table: "provisional", status: "calendar-status" });
  }

  async function loadCover() {
    let covers = [];
    try {
      covers = await CG.api("GET", "/attendance/cover");
    } catch (error) {
      $("cover-alerts").textContent = "无法读取在岗情况:" + error.message;
      return;
    }
    const alerts = covers.filter((c) => c.alert);
    $("cover-alerts").textContent = alerts.length ? alerts.length + " 个窗口无人在岗" : "";
    $("cover").tBodies[0].replaceChildren(...covers.map((c) => CG.el("tr", { class: c.alert ? "alert" : "", dataset: { window: String(c.window), state: c.state } },
      CG.el("td", {}, c.window + "号窗口"), CG.el("td", {}, c.stateChinese),
      CG.el("td", {}, c.people.map((p) => (p.post ? p.post + "岗 " : "") + p.name + (p.onPost ? "(在岗)" : p.away ? "(" + p.away + ")" : "(未到)")).join(";")),
      CG.el("td", {}, c.alert || ""))));
  }

  function onEvent(name, event) {
    if (name === "cover") {
      loadCover();
    } else if (name === "signin") {
      fresh.add(String(event.id));
      loadPending();
    } else if (name === "mode") {
      showMode();
      // Leaving sign-in mode reconciles: conflicts may have been found.
      loadConflicts();
    }
  }

  function selected() {
    return Array.from(document.querySelectorAll("#pending tbody input[type=checkbox]:checked")).map((box) => Number(box.value));
  }

  async function showMode() {
    const banner = $("mode");
    try {
      const mode = await CG.api("GET", "/mode");
      banner.dataset.mode = mode.signInMode ? "sign-in" : "normal";
      if (mode.signInMode) {
        const roles = mode.roles.filter((r) => r.mode === "sign-in");
        banner.className = "banner signin";
        banner.textContent = "签到考勤中:" + roles.map((r) => r.role + (r.since ? "(自 " + CG.formatTime(r.since) + " 起)" : "")).join(";")
          + "。考勤机恢复后,签到与指纹记录自动核对。";
      } else {
        banner.className = "banner normal";
        banner.textContent = "考勤机工作正常(指纹考勤);仍有待确认的签到时请在下方处理";
      }
      showRoles(mode.roles);
    } catch (error) {
      banner.className = "banner error";
      banner.textContent = "无法查询考勤方式:" + error.message;
    }
  }

  /** Each terminal role with its mode and the duty chief's switch. */
  function showRoles(roles) {
    const body = $("roles").tBodies[0];
    if (!roles.length) {
      body.replaceChildren(CG.el("tr", {}, CG.el("td", { colspan: 4, class: "empty" }, "未配置考勤机")));
      return;
    }
    body.replaceChildren(...roles.map((r) => {
      const signIn = r.mode === "sign-in";
      // A mode the terminal's failure started ends when the terminal answers again; only an order is lifted by hand.
      const action = !signIn
        ? CG.el("button", { type: "button", class: "small danger", "data-action": "enter", onclick: () => order(r.role, true) }, "转为签到考勤")
        : r.byDutyChief
          ? CG.el("button", { type: "button", class: "small primary", "data-action": "leave", onclick: () => order(r.role, false) }, "恢复指纹考勤")
          : CG.el("span", { class: "hint", "data-action": "automatic" }, "考勤机恢复后自动恢复指纹考勤");
      return CG.el("tr", { dataset: { role: r.role, mode: r.mode, byDutyChief: String(!!r.byDutyChief) } },
        CG.el("td", {}, r.role),
        CG.el("td", {}, signIn ? "签到考勤" + (r.since ? "(自 " + CG.formatTime(r.since) + " 起)" : "") : "指纹考勤"),
        CG.el("td", {}, signIn ? reasonText(r.reason || "") : ""),
        CG.el("td", { class: "row-actions" }, action));
    }));
  }

  function reasonText(reason) {
    const ordered = /^ordered by duty chief (\S*?)(?:: (.*))?$/.exec(reason);
    if (ordered) return "值班长" + (ordered[1] ? " " + ordered[1] : "") + " 手动转入" + (ordered[2] ? ":" + ordered[2] : "");
    const down = /^terminal down: (.*)$/.exec(reason);
    if (down) return "考勤机无法使用:" + down[1];
    return reason;
  }

  async function order(role, enter) {
    const by = $("chief").value;
    if (!by) { CG.say("order-status", "请先选择今日值班长(确认人)", "error"); $("chief").focus(); return; }
    const note = $("order-note").value.trim();
    if (!note) { CG.say("order-status", "请填写原因", "error"); $("order-note").focus(); return; }
    const verb = enter ? "转为签到考勤" : "恢复指纹考勤";
    try {
      const answer = await CG.api("POST", "/mode/" + encodeURIComponent(role), { signInMode: enter, by, note });
      const reconciled = answer.reconciled;
      if (reconciled && reconciled.problem) {
        CG.say("order-status", role + " 已" + verb + ",但签到与指纹记录未能核对:" + reconciled.problem, "error");
      } else if (reconciled) {
        CG.say("order-status", role + " 已" + verb + ",签到与指纹记录已核对:" + reconciled.records + " 条考勤记录,"
          + reconciled.conflicts + " 条需核对", "ok");
      } else {
        CG.say("order-status", role + " 已" + verb, "ok");
      }
      $("order-note").value = "";
    } catch (error) {
      CG.say("order-status", "未能" + verb + ":" + error.message, "error", error);
    }
    showMode();
    loadConflicts();
  }

  /** Reloads the conflicts; a reload asked for while one runs waits for it and runs once more (the newest answer wins). */
  async function loadConflicts() {
    if (loadingConflicts) { loadingConflicts.again = true; return; }
    loadingConflicts = { again: false };
    try {
      do {
        loadingConflicts.again = false;
        await renderConflicts();
      } while (loadingConflicts.again);
    } finally {
      loadingConflicts = null;
    }
  }

  async function renderConflicts() {
    let items;
    try {
      items = await CG.api("GET", "/attendance/conflicts");
    } catch (error) {
      CG.say("conflict-status", "无法读取需核对的记录:" + error.message, "error", error);
      return;
    }
    $("conflict-count").textContent = items.length ? "共 " + items.length + " 条" : "";
    const body = $("conflicts").tBodies[0];
    // Unchanged: leave the table (and a note being typed, and the focus) alone.
    const shown = JSON.stringify(items);
    if (shown === body.dataset.shown) return;
    body.dataset.shown = shown;
    const typed = new Map(Array.from(body.querySelectorAll("tr[data-id]")).map((tr) => [tr.dataset.id, tr.querySelector("input").value]));
    if (!items.length) {
      body.replaceChildren(CG.el("tr", {}, CG.el("td", { colspan: 6, class: "empty" }, "没有需要核对的记录")));
      return;
    }
    body.replaceChildren(...items.map((item) => {
      const note = CG.el("input", { maxlength: 200, placeholder: "处理意见(必填)", "aria-label": "处理意见" });
      note.value = typed.get(String(item.id)) || "";
      return CG.el("tr", { dataset: { id: item.id, staff: item.staffId, kind: item.kind } },
        CG.el("td", {}, item.staffId),
        CG.el("td", {}, item.name || ""),
        CG.el("td", { title: item.description }, conflictKinds[item.kind] || item.kind),
        CG.el("td", {}, item.terminalRole),
        CG.el("td", {}, CG.formatTime(item.foundAt)),
        CG.el("td", { class: "row-actions" }, note, " ",
          CG.el("button", { type: "button", class: "small primary", "data-action": "resolve", onclick: () => resolve(item, note.value.trim()) }, "处理")));
    }));
  }

  async function resolve(item, note) {
    const by = $("chief").value;
    if (!by) { CG.say("conflict-status", "请先选择今日值班长(确认人)", "error"); $("chief").focus(); return; }
    if (!note) { CG.say("conflict-status", "请填写处理意见", "error"); return; }
    try {
      await CG.api("POST", "/attendance/conflicts/" + item.id + "/resolve", { by, note });
      CG.say("conflict-status", "已处理 " + item.staffId + (item.name ? " " + item.name : "") + " 的记录", "ok");
    } catch (error) {
      CG.say("conflict-status", "未能处理:" + error.message, "error", error);
    }
    loadConflicts();
  }

  /** Reloads the list; a reload asked for while one runs waits for it and runs once more. */
  async function loadPending() {
    if (loading) { loading.again = true; return; }
    loading = { again: false };
    try {
      do {
        loading.again = false;
        await render();
      } while (loading.again);
    } finally {
      loading = null;
    }
  }

  async function render() {
    let items;
    try {
      items = await CG.api("GET", "/signin/pending");
    } catch (error) {
      CG.say("review-status", "无法读取待确认的签到:" + error.message, "error", error);
      return;
    }
    $("count").textContent = items.length ? "共 " + items.length + " 条" : "";
    const body = $("pending").tBodies[0];
    if (!items.length) {
      body.replaceChildren(CG.el("tr", {}, CG.el("td", { colspan: 7, class: "empty" }, "没有待确认的签到")));
      return;
    }
    const checked = new Set(selected().map(String));
    body.replaceChildren(...items.map((item) => {
      const row = CG.el("tr", { dataset: { id: item.id, staff: item.staffId }, class: fresh.has(String(item.id)) ? "fresh" : "" },
        CG.el("td", {}, CG.el("input", { type: "checkbox", value: item.id, checked: checked.has(String(item.id)), "aria-label": "选择 " + item.staffId })),
        CG.el("td", {}, item.staffId),
        CG.el("td", {}, item.name || ""),
        CG.el("td", {}, CG.formatTime(item.at)),
        CG.el("td", {}, methods[item.method] || item.method),
        CG.el("td", {}, item.terminalRole),
        actions(item));
      return row;
    }));
    fresh = new Set();
  }

  function actions(item) {
    const cell = CG.el("td", { class: "row-actions" });
    const normal = () => cell.replaceChildren(
      CG.el("button", { type: "button", class: "small primary", "data-action": "confirm", onclick: () => review("confirm", { ids: [item.id] }) }, "确认"),
      " ",
      CG.el("button", { type: "button", class: "small danger", "data-action": "reject", onclick: askReason }, "驳回"));
    function askReason() {
      const reason = CG.el("input", { maxlength: 200, placeholder: "驳回理由(必填)", "aria-label": "驳回理由" });
      cell.replaceChildren(reason, " ",
        CG.el("button", { type: "button", class: "small danger", "data-action": "reject-confirm",
          onclick: () => review("reject", { ids: [item.id] }, reason.value.trim()) }, "确定驳回"),
        " ",
        CG.el("button", { type: "button", class: "small", onclick: normal }, "取消"));
      reason.focus();
    }
    normal();
    return cell;
  }

  async function review(action, which, reason) {
    const by = $("chief").value;
    if (!by) { CG.say("review-status", "请先选择今日值班长(确认人)", "error"); $("chief").focus(); return; }
    if (action === "reject" && !reason) { CG.say("review-status", "驳回须填写理由", "error"); return; }
    const body = Object.assign({ action, by }, which);
    if (action === "reject") body.reason = reason;
    const verb = action === "confirm" ? "确认" : "驳回";
    try {
      const answer = await CG.api("POST", "/signin/review", body);
      const parts = [];
      if (answer.done.length) parts.push("已" + verb + " " + answer.done.length + " 条");
      if (!answer.done.length && !answer.refused.length) parts.push("没有可" + verb + "的签到");
      for (const refused of answer.refused) parts.push("第 " + refused.id + " 条未能" + verb + ":" + refused.detail);
      CG.say("review-status", parts.join(";"), answer.refused.length ? "error" : "ok");
      if (action === "reject") $("reject-reason").value = "";
      $("select-all").checked = false;
    } catch (error) {
      CG.say("review-status", "未能" + verb + ":" + error.message, "error", error);
    }
    loadPending();
  }
})();
