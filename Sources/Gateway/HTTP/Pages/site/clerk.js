// The clerk's notice form: fill in, see the paper as it will print, print (once, even when clicked again after a
// network error), follow the print job, reprint today's notices.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const pendingStorage = "countergate.clerk.pending";
  const clerkStorage = "countergate.clerk.who";
  const kindsWithPromise = ["acceptance", "joint-acceptance"];

  let fixedWindow = null;
  let staff = [];
  /** A print whose answer never came ({key, body}): clicking print again with the same form sends the same key. */
  let pending = null;
  /** The notice this form printed: the form stays locked until 新建通知书. */
  let issued = null;
  let previewTimer = null;
  let previewSerial = 0;
  /** The window's items from the catalogue (事项目录), by name; empty when none is imported. */
  let catalogue = new Map();
  let catalogueSerial = 0;
  /** The item picked from the catalogue; the notice says it came from the catalogue only while its fields are as filled. */
  let picked = null;

  CG.start({
    needs: "窗口(角色 clerk:窗口号)或运维",
    accepts: (role) => /^clerk:\d+$/.test(role) || role === "ops",
    ready: ready,
  });

  async function ready(caller) {
    const clerk = /^clerk:(\d+)$/.exec(caller.role);
    fixedWindow = clerk ? Number(clerk[1]) : null;
    try {
      staff = await CG.api("GET", "/staff");
    } catch (error) {
      CG.say("print-status", "无法读取工作人员名单:" + error.message, "error", error);
      staff = [];
    }
    const windows = fixedWindow ? [fixedWindow]
      : Array.from(new Set(staff.map((p) => p.window).filter((w) => w))).sort((a, b) => a - b);
    $("window").replaceChildren(...windows.map((w) => CG.el("option", { value: w }, w + "号窗口")));
    $("window").disabled = fixedWindow !== null;
    fillClerks();
    $("receivedOn").value = CG.today();
    try { pending = JSON.parse(sessionStorage.getItem(pendingStorage) || "null"); } catch (e) { pending = null; }

    $("kind").addEventListener("change", showKindFields);
    $("window").addEventListener("change", () => { fillClerks(); loadIssued(); loadCatalogue(); });
    $("catalogue-item").addEventListener("change", pickItem);
    $("clerk").addEventListener("change", () => localStorage.setItem(clerkStorage, $("clerk").value));
    $("notice-form").addEventListener("input", schedulePreview);
    $("notice-form").addEventListener("change", schedulePreview);
    $("notice-form").addEventListener("submit", print);
    $("pdf-link").addEventListener("click", downloadPDF);
    $("add-material").addEventListener("click", addMaterial);
    $("new-material").addEventListener("keydown", (event) => {
      if (event.key === "Enter") { event.preventDefault(); addMaterial(); }
    });
    $("new-notice").addEventListener("click", newNotice);
    showKindFields();
    loadIssued();
    loadCatalogue();
  }

  /** The window's items (GET /catalogue?window=N); without a catalogue the picker says so and the form is typed. */
  async function loadCatalogue() {
    const serial = ++catalogueSerial;
    catalogue = new Map();
    picked = null;
    const picker = $("catalogue-item");
    picker.replaceChildren(CG.el("option", { value: "" }, "(手工填写)"));
    try {
      const answer = await CG.api("GET", "/catalogue?window=" + Number($("window").value));
      if (serial !== catalogueSerial) return;  // the window changed meanwhile: a later answer fills the list
      for (const item of answer.items) {
        catalogue.set(item.name, item);
        picker.append(CG.el("option", { value: item.name }, item.name + "(" + item.promisedWorkingDays + "个工作日)"));
      }
      CG.say("catalogue-status", "事项目录第" + answer.version + "版,共" + answer.items.length + "项", "info");
    } catch (error) {
      if (serial !== catalogueSerial) return;
      CG.say("catalogue-status", error.status === 404 ? "尚未导入事项目录,请手工填写" : "无法读取事项目录:" + error.message, "info");
    }
  }

  /** Fills the form from the picked item: the name, the period, the materials (all received, but for a
   * supplementary-materials notice, where the clerk ticks what was brought), a joint item's departments. */
  function pickItem() {
    const item = catalogue.get($("catalogue-item").value);
    picked = item || null;
    if (!item) return;
    $("item").value = item.name;
    $("promisedWorkingDays").value = item.promisedWorkingDays;
    if (item.joint && $("kind").value === "acceptance") { $("kind").value = "joint-acceptance"; showKindFields(); }
    $("departments").value = item.departments.join("\n");
    $("materials").replaceChildren();
    for (const name of item.materials) { $("new-material").value = name; addMaterial(); }
    schedulePreview();
  }

  function fillClerks() {
    const window = Number($("window").value);
    let people = staff.filter((p) => p.window === window && (p.roles || []).includes("clerk"));
    if (!people.length) people = staff.filter((p) => p.window === window);
    if (!people.length) people = staff;
    $("clerk").replaceChildren(...people.map((p) => CG.el("option", { value: p.id }, p.name + "(" + p.id + ")")));
    const remembered = localStorage.getItem(clerkStorage);
    if (people.some((p) => p.id === remembered)) $("clerk").value = remembered;
  }

  function showKindFields() {
    const kind = $("kind").value;
    for (const node of document.querySelectorAll("[data-kinds]")) {
      node.hidden = !node.dataset.kinds.split(" ").includes(kind);
    }
    schedulePreview();
  }

  function addMaterial() {
    const name = $("new-material").value.trim();
    if (!name) { $("new-material").focus(); return; }
    const exists = Array.from(document.querySelectorAll("#materials li")).some((li) => li.dataset.name === name);
    if (!exists) {
      // New materials count as received; untick the ones the applicant still has to bring.
      const received = $("kind").value !== "supplementary-materials";
      const box = CG.el("input", { type: "checkbox", checked: received, "aria-label": "已收到 " + name });
      const item = CG.el("li", { dataset: { name } },
        CG.el("label", { class: "check" }, box, "已收到"),
        CG.el("span", { class: "name" }, name),
        CG.el("button", { type: "button", class: "small", onclick: () => { item.remove(); schedulePreview(); } }, "删除"));
      box.addEventListener("change", () => item.classList.toggle("missing", !box.checked));
      item.classList.toggle("missing", !received);
      $("materials").append(item);
    }
    $("new-material").value = "";
    $("new-material").focus();
    schedulePreview();
  }

  /** The notice request the form describes (POST /notices, POST /notices/preview). */
  function collect() {
    const value = (id) => $(id).value.trim();
    const kind = $("kind").value;
    const materials = Array.from(document.querySelectorAll("#materials li"))
      .map((li) => ({ name: li.dataset.name, received: li.querySelector("input").checked }));
    const body = {
      kind, applicant: value("applicant"), item: value("item"), window: Number($("window").value), clerk: $("clerk").value,
      materialsReceived: materials.filter((m) => m.received).map((m) => m.name),
      materialsMissing: materials.filter((m) => !m.received).map((m) => m.name),
    };
    if (value("receivedOn")) body.receivedOn = value("receivedOn");
    if (kindsWithPromise.includes(kind) && value("promisedWorkingDays")) body.promisedWorkingDays = Number(value("promisedWorkingDays"));
    if (kind === "rejection") { body.rejectionReason = value("rejectionReason"); body.rejectionBasis = value("rejectionBasis"); }
    if (kind === "joint-acceptance") body.departments = value("departments").split(/\n+/).map((s) => s.trim()).filter((s) => s);
    if (kind === "returned") body.redirectTo = value("redirectTo");
    if (value("nextStep")) body.nextStep = value("nextStep");
    // Filled from the catalogue while the picked item's name, period and departments are as the catalogue gave them:
    // the notice then records the catalogue's version. Changed by hand, the notice is the clerk's own.
    if (picked && body.item === picked.name
        && (!kindsWithPromise.includes(kind) || body.promisedWorkingDays === picked.promisedWorkingDays)
        && (kind !== "joint-acceptance" || body.departments.join("\n") === picked.departments.join("\n"))) {
      body.fromCatalogue = true;
    }
    if (kindsWithPromise.includes(kind) && value("follows")) body.follows = value("follows");
    return body;
  }

  function schedulePreview() {
    if (issued) return;
    clearTimeout(previewTimer);
    // Waits for a pause in typing, so the gateway is asked once per pause rather than per key.
    previewTimer = setTimeout(preview, 300);
  }

  async function preview() {
    if (issued) return;
    const serial = ++previewSerial;
    const state = $("preview-state");
    state.className = "live";
    state.textContent = "更新中…";
    try {
      const answer = await CG.api("POST", "/notices/preview", collect());
      if (serial !== previewSerial || issued) return;
      $("preview").textContent = answer.text;
      $("problems").replaceChildren(...answer.problems.map((p) => CG.el("li", { dataset: { field: p.field } }, p.message)));
      state.textContent = answer.problems.length ? "尚需填写 " + answer.problems.length + " 项" : "可以打印";
      $("preview").dataset.ready = answer.problems.length ? "no" : "yes";
    } catch (error) {
      if (serial !== previewSerial) return;
      state.className = "live closed";
      state.textContent = "预览暂不可用:" + error.message;
    }
  }

  async function print(event) {
    event.preventDefault();
    if (issued) {
      CG.say("print-status", "本通知书已开具。如需再打一份,请在下方列表中点击“补打”;开具新的通知书请点击“新建通知书”。", "info");
      return;
    }
    const body = collect();
    const text = JSON.stringify(body);
    if (!pending || pending.body !== text) pending = { key: CG.randomKey("page-w" + body.window), body: text };
    sessionStorage.setItem(pendingStorage, JSON.stringify(pending));
    $("print").disabled = true;
    CG.say("print-status", "正在开具并发送打印…", "info");
    try {
      const { status, data } = await CG.request("POST", "/notices", body, { "Idempotency-Key": pending.key });
      clearPending();
      issued = data.notice;
      clearTimeout(previewTimer);
      $("preview-state").textContent = "已开具:" + data.notice.number;
      lockForm(true);
      $("issued-number").hidden = false;
      $("issued-number").textContent = data.notice.title + " " + data.notice.number;
      $("issued-number").dataset.number = data.notice.number;
      showPDFLink(data.notice.number);
      CG.say("print-status", status === 200 ? "此前已开具(上次提交后网络中断),未重复开具,也未重复打印" : "已开具,编号如下", "ok");
      $("issued-number").scrollIntoView({ block: "center" });
      followJob(data.job, "job-status");
      loadIssued();
    } catch (error) {
      if (error.uncertain) {
        CG.say("print-status", error.message + "。不确定是否已开具:请再次点击“打印通知书”,同一份通知书不会重复开具或重复打印。", "error", error);
      } else {
        clearPending();
        CG.say("print-status", "未开具:" + error.message, "error", error);
      }
    } finally {
      $("print").disabled = issued !== null;
    }
  }

  /** The A4 PDF of the notice just issued (both copies), for the applicant's e-mail or an A4 printer at hand. */
  function showPDFLink(number) {
    const link = $("pdf-link");
    link.dataset.path = "/notices/" + encodeURIComponent(number) + "/pdf";
    link.dataset.filename = "通知书-" + number + ".pdf";
    $("pdf-download").hidden = false;
    CG.say("pdf-status", "", "info");
  }

  async function downloadPDF(event) {
    event.preventDefault();
    const link = $("pdf-link");
    if (!link.dataset.path) return;
    CG.say("pdf-status", "正在生成 PDF…", "info");
    try {
      const size = await CG.download(link.dataset.path, link.dataset.filename);
      link.dataset.downloaded = String(size);
      CG.say("pdf-status", "已下载(" + Math.round(size / 1024) + " KB)", "ok");
    } catch (error) {
      CG.say("pdf-status", "未能下载 PDF:" + error.message, "error", error);
    }
  }

  function clearPending() {
    pending = null;
    sessionStorage.removeItem(pendingStorage);
  }

  function lockForm(locked) {
    for (const node of $("notice-form").querySelectorAll("input, select, textarea, button")) {
      if (node.id === "new-notice") continue;
      if (node.id === "window" && fixedWindow !== null) continue;
      node.disabled = locked;
    }
  }

  function newNotice() {
    issued = null;
    clearPending();
    $("catalogue-item").value = "";
    picked = null;
    for (const id of ["applicant", "item", "follows", "promisedWorkingDays", "rejectionReason", "rejectionBasis", "departments", "redirectTo", "nextStep", "new-material"]) {
      $(id).value = "";
    }
    $("materials").replaceChildren();
    $("receivedOn").value = CG.today();
    lockForm(false);
    $("issued-number").hidden = true;
    $("issued-number").textContent = "";
    delete $("issued-number").dataset.number;
    $("pdf-download").hidden = true;
    delete $("pdf-link").dataset.path;
    CG.say("pdf-status", "", "info");
    CG.say("print-status", "", "info");
    CG.say("job-status", "", "info");
    $("job-status").dataset.job = "";
    $("applicant").focus();
    schedulePreview();
  }

  /** A job's state as the page says it: `done` (the store and the events) reads as printed. */
  function jobState(job) { return job.state === "done" ? "printed" : job.state; }

  function jobText(job) {
    switch (jobState(job)) {
      case "queued": return ["排队等候打印(" + job.printerRole + ")", "info"];
      case "printing": return ["正在打印…", "info"];
      case "waiting": return ["打印机暂不可用,任务在等候:" + (job.lastError || "") + "。打印机恢复后自动打印;如久未恢复请联系运维人员", "error"];
      case "printed": return ["已打印(" + (job.printedOn || job.printerRole) + "),一式两份,请加盖窗口印章", "ok"];
      case "failed": return ["打印失败:" + (job.lastError || "") + "。请联系运维人员", "error"];
      case "cancelled": return ["打印任务已取消", "info"];
      default: return ["打印任务状态:" + job.state, "info"];
    }
  }

  /** Shows a print job's state until it has printed, failed or been cancelled. */
  async function followJob(job, target) {
    const node = $(target);
    const started = Date.now();
    for (;;) {
      const [text, kind] = jobText(job);
      CG.say(node, "打印任务 " + job.id + ":" + text, kind);
      node.dataset.state = jobState(job);
      node.dataset.job = job.id;
      if (["printed", "failed", "cancelled"].includes(jobState(job)) || Date.now() - started > 180000) return;
      // The clerk's token does not follow the live events (ops and the duty chief do): ask again each second.
      await new Promise((resolve) => setTimeout(resolve, 1000));
      if (node.dataset.job !== String(job.id)) return;
      try {
        job = await CG.api("GET", "/jobs/" + job.id);
      } catch (error) {
        CG.say(node, "无法查询打印任务 " + job.id + ":" + error.message, "error", error);
        return;
      }
    }
  }

  async function loadIssued() {
    const window = Number($("window").value);
    const body = $("issued").tBodies[0];
    let notices;
    try {
      notices = await CG.api("GET", "/notices?window=" + window + "&date=" + CG.today());
    } catch (error) {
      CG.say("reprint-status", "无法读取今天的通知书:" + error.message, "error", error);
      return;
    }
    notices.sort((a, b) => (a.issuedAt < b.issuedAt ? 1 : -1));
    if (!notices.length) {
      body.replaceChildren(CG.el("tr", {}, CG.el("td", { colspan: 7, class: "empty" }, "今天还没有开具通知书")));
      return;
    }
    body.replaceChildren(...notices.map((n) => CG.el("tr", { dataset: { number: n.number } },
      CG.el("td", {}, n.number),
      CG.el("td", {}, n.title),
      CG.el("td", {}, n.applicant),
      CG.el("td", {}, n.item),
      CG.el("td", {}, CG.formatTime(n.issuedAt)),
      CG.el("td", {}, n.voided ? "已作废:" + (n.voidReason || "") : "有效"),
      CG.el("td", {}, CG.el("button", { type: "button", class: "small", disabled: n.voided, onclick: () => reprint(n.number) }, "补打"),
        " ", CG.el("button", { type: "button", class: "small pdf", onclick: () => downloadIssuedPDF(n.number) }, "A4 PDF")))));
  }

  /** The A4 PDF of one of today's notices, from the list. */
  async function downloadIssuedPDF(number) {
    CG.say("reprint-status", "正在生成 " + number + " 的 PDF…", "info");
    try {
      const size = await CG.download("/notices/" + encodeURIComponent(number) + "/pdf", "通知书-" + number + ".pdf");
      CG.say("reprint-status", "已下载 " + number + " 的 A4 PDF(" + Math.round(size / 1024) + " KB)", "ok");
    } catch (error) {
      CG.say("reprint-status", "未能下载 " + number + " 的 PDF:" + error.message, "error", error);
    }
  }

  async function reprint(number) {
    CG.say("reprint-status", "正在补打 " + number + "…", "info");
    $("reprint-status").scrollIntoView({ block: "center" });
    try {
      const answer = await CG.api("POST", "/notices/" + encodeURIComponent(number) + "/reprint");
      followJob(answer.job, "reprint-status");
    } catch (error) {
      CG.say("reprint-status", "未能补打 " + number + ":" + error.message, "error", error);
    }
  }
})();
