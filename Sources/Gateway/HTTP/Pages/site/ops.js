// The ops dashboard: every device with its live power state (pushed by the gateway), candidates, replacing a role's
// device with its progress, terminal backups, the print queue with retry and cancel, and the holiday years due (日历).
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const powerText = { online: "在线 online", offline: "离线 offline", unknown: "未知 unknown" };
  const stateText = { idle: "空闲 idle", busy: "忙 busy", error: "故障 error" };
  const jobStateText = {
    queued: "排队 queued", printing: "打印中 printing", waiting: "等待打印机 waiting",
    done: "已打印 done", printed: "已打印 printed", failed: "失败 failed", cancelled: "已取消 cancelled",
  };
  const kindNames = { terminal: "考勤机", printer: "打印机", "badge-reader": "读卡器" };

  let canManage = false;
  let devices = [];
  let candidates = [];
  /** The role this page is replacing now, and the progress lines already shown. */
  let replacing = null;
  let shownSteps = new Set();
  const timers = {};

  CG.start({
    needs: "运维(角色 ops;值班长和只读令牌可查看)",
    accepts: (role) => ["ops", "duty-chief", "read-only"].includes(role),
    ready: ready,
  });

  function ready(caller) {
    canManage = caller.role === "ops";
    for (const node of document.querySelectorAll(".manage")) node.hidden = !canManage;
    $("read-only").hidden = canManage;
    $("replace-role").addEventListener("change", fillCandidates);
    $("replace-form").addEventListener("submit", replace);
    $("job-filter").addEventListener("change", loadJobs);
    CG.events(onEvent, (state, message) => {
      CG.liveState("live")(state, message);
      if (state === "open") loadAll();
    });
    loadAll();
    // A job queued by a clerk sends no event until it prints or waits: the queue is read again now and then.
    setInterval(loadJobs, 30000);
    setInterval(showCalendar, 60000);
    setInterval(showCentral, 15000);
  }

  function loadAll() {
    loadDevices().then(loadBackups);
    loadCandidates();
    loadJobs();
    showMode();
    showCalendar();
    showCentral();
  }

  /** Forwarding to the county's centre ([central]): what waits, since when, the last contact and error. */
  async function showCentral() {
    try {
      const central = await CG.api("GET", "/central");
      $("central-panel").hidden = !central.configured && central.acknowledged == null;
      if ($("central-panel").hidden) return;
      const waiting = central.waiting == null ? "尚未开始" : central.waiting + " 条待上报" +
        (central.oldestWaitingSeconds ? ",最早的已等 " + Math.round(central.oldestWaitingSeconds / 60) + " 分钟" : "");
      const contact = central.lastContact ? "最后联系 " + CG.formatTime(central.lastContact) : "尚未联系上县中心";
      const text = (central.hallId || "") + " → " + (central.url || "(配置中已无 [central],暂停上报)") + ":" + waiting + ";" + contact +
        (central.lastError ? ";最近错误:" + central.lastError : "");
      CG.say("central-status", text, central.lastError ? "error" : "info");
    } catch (error) {
      CG.say("central-status", "无法查询上报状态:" + error.message, "error");
    }
  }

  /** Holiday years due and missing (with the command that loads them), and the provisional promised dates. */
  function showCalendar() {
    return CG.showCalendar({ banner: "calendar-warnings", table: "provisional", status: "calendar-status" });
  }

  /** Runs `action` once after a burst of events rather than once per event. */
  function soon(name, action) {
    clearTimeout(timers[name]);
    timers[name] = setTimeout(action, 300);
  }

  function onEvent(name, event) {
    switch (name) {
      case "device": {
        const device = devices.find((d) => d.id === event.id);
        if (device) {
          device.power = event.power;
          if (event.role !== undefined) device.role = event.role;
          device.reason = event.reason || (event.power === "online" ? null : device.reason);
          if (event.power === "online" && device.state === "error") device.state = "idle";
          if (event.at) device.lastSeen = event.at;
          renderDevices();
        }
        // The full row (operational state, binding) from the gateway, once the burst is over.
        soon("devices", loadDevices);
        break;
      }
      case "mode": showMode(); break;
      case "job": soon("jobs", loadJobs); break;
      case "replace": progress(event.role, event.message); break;
      default: break;
    }
  }

  async function showMode() {
    const banner = $("mode");
    try {
      const mode = await CG.api("GET", "/mode");
      banner.dataset.mode = mode.signInMode ? "sign-in" : "normal";
      if (mode.signInMode) {
        banner.className = "banner signin";
        banner.textContent = "签到考勤中(sign-in mode):" + mode.roles.filter((r) => r.mode === "sign-in")
          .map((r) => r.role + (r.since ? " 自 " + CG.formatTime(r.since) : "") + (r.reason ? ",原因:" + r.reason : "")).join(";");
      } else {
        banner.className = "banner normal";
        banner.textContent = "考勤正常(指纹考勤)";
      }
    } catch (error) {
      banner.className = "banner error";
      banner.textContent = "无法查询考勤方式:" + error.message;
    }
  }

  async function loadDevices() {
    try {
      devices = await CG.api("GET", "/devices");
      CG.say("devices-status", "", "info");
    } catch (error) {
      CG.say("devices-status", "无法读取设备:" + error.message, "error", error);
      return;
    }
    renderDevices();
    fillRoles();
  }

  function renderDevices() {
    const sorted = devices.slice().sort((a, b) => {
      if (!!a.role !== !!b.role) return a.role ? -1 : 1;
      return (a.role || a.id) < (b.role || b.id) ? -1 : 1;
    });
    const body = $("devices").tBodies[0];
    if (!sorted.length) {
      body.replaceChildren(CG.el("tr", {}, CG.el("td", { colspan: 9, class: "empty" }, "未配置设备")));
      return;
    }
    body.replaceChildren(...sorted.map((d) => {
      const power = d.power || "unknown";
      const state = d.state === "error" || (power === "offline" && d.reason)
        ? "故障:" + (d.reason || "") : (stateText[d.state] || d.state || "");
      const buttons = [];
      if (canManage && d.role) {
        buttons.push(CG.el("button", { type: "button", class: "small", "data-action": "replace", onclick: () => chooseRole(d.role) }, "更换"));
        if (d.kind === "terminal") {
          buttons.push(" ", CG.el("button", { type: "button", class: "small", "data-action": "backup", onclick: () => backUp(d.role) }, "备份"));
        }
      }
      return CG.el("tr", { class: "power-" + power, dataset: { deviceId: d.id, role: d.role || "", power } },
        CG.el("td", {}, CG.el("span", { class: "dot", title: powerText[power] })),
        CG.el("td", { class: "nowrap" }, d.role || "(未绑定)"),
        CG.el("td", { class: "nowrap" }, d.kindName || kindNames[d.kind] || d.kind),
        CG.el("td", {}, d.id),
        CG.el("td", {}, d.address),
        CG.el("td", { class: "nowrap" }, CG.el("span", { class: "power-text" }, powerText[power] || power)),
        CG.el("td", { class: "reason" }, state),
        CG.el("td", { class: "nowrap" }, CG.formatTime(d.lastSeen)),
        CG.el("td", { class: "nowrap" }, buttons));
    }));
  }

  function fillRoles() {
    const select = $("replace-role");
    const current = select.value;
    const roles = devices.filter((d) => d.role).map((d) => d.role).sort();
    select.replaceChildren(...roles.map((role) => CG.el("option", { value: role }, role)));
    if (roles.includes(current)) select.value = current;
    fillCandidates();
  }

  function chooseRole(role) {
    $("replace-role").value = role;
    fillCandidates();
    $("replace-panel").scrollIntoView({ behavior: "smooth" });
    $("replace-address").focus();
  }

  function fillCandidates() {
    const role = $("replace-role").value;
    const bound = devices.find((d) => d.role === role);
    const kind = bound ? bound.kind : null;
    const suitable = candidates.filter((c) => !kind || c.kind === kind);
    const select = $("replace-candidate");
    select.replaceChildren(CG.el("option", { value: "" }, suitable.length ? "(不选,使用地址)" : "(没有候选设备,请填写地址)"),
      ...suitable.map((c) => CG.el("option", { value: c.id }, c.id + "(" + c.profile + (c.proposedFor === role ? ",建议" : "") + ")")));
    const proposed = suitable.find((c) => c.proposedFor === role);
    if (proposed) select.value = proposed.id;
    $("restore-label").hidden = kind !== "terminal";
  }

  async function loadCandidates() {
    try {
      candidates = await CG.api("GET", "/devices/candidates");
    } catch (error) {
      candidates = [];
    }
    const body = $("candidates").tBodies[0];
    body.replaceChildren(...(candidates.length ? candidates.map((c) => CG.el("tr", { dataset: { candidate: c.id } },
      CG.el("td", {}, c.id), CG.el("td", {}, kindNames[c.kind] || c.kind), CG.el("td", {}, c.profile),
      CG.el("td", {}, c.serialNumber || ""), CG.el("td", {}, c.address),
      CG.el("td", {}, c.present === null || c.present === undefined ? "" : (c.present ? "在位" : "已拔出")),
      CG.el("td", {}, c.proposedFor || ""), CG.el("td", {}, CG.formatTime(c.lastSeen))))
      : [CG.el("tr", {}, CG.el("td", { colspan: 8, class: "empty" }, "没有候选设备(网络设备无法自动发现,更换时请填写地址)"))]));
    fillCandidates();
  }

  /** Adds a progress line of a replacement (from a `replace` event or the answer), once. */
  function progress(role, message, kind) {
    if (!message) return;
    const key = role + "|" + message;
    if (shownSteps.has(key)) return;
    shownSteps.add(key);
    const list = $("replace-progress");
    list.hidden = false;
    list.append(CG.el("li", { class: kind || "" }, (role && role !== replacing ? role + ":" : "") + message));
  }

  async function replace(event) {
    event.preventDefault();
    const role = $("replace-role").value;
    const address = $("replace-address").value.trim();
    const target = address || $("replace-candidate").value;
    if (!role) { CG.say("replace-status", "请选择要更换设备的角色", "error"); return; }
    if (!target) { CG.say("replace-status", "请选择候选设备,或填写新设备的地址", "error"); return; }
    const bound = devices.find((d) => d.role === role);
    const body = { with: target };
    if (bound && bound.kind === "terminal") body.restore = $("replace-restore").checked;
    replacing = role;
    shownSteps = new Set();
    $("replace-progress").replaceChildren();
    progress(role, "开始更换 " + role + ":" + (bound ? bound.id : "?") + " → " + target);
    $("replace-button").disabled = true;
    const status = $("replace-status");
    CG.say(status, "正在更换…", "info");
    status.dataset.state = "running";
    try {
      const answer = await CG.api("POST", "/devices/" + encodeURIComponent(role) + "/replace", body);
      for (const step of answer.steps || []) progress(role, step);
      progress(role, "已更换:" + role + " 现由 " + answer.to + " 担任" + (answer.from ? "(原为 " + answer.from + ")" : ""), "done");
      if (answer.problem) {
        CG.say(status, "已绑定,但需要处理:" + answer.problem, "error");
        status.dataset.state = "problem";
      } else {
        CG.say(status, "更换完成:" + role + " → " + answer.to, "ok");
        status.dataset.state = "done";
      }
      $("replace-address").value = "";
    } catch (error) {
      progress(role, "未更换:" + error.message + (error.detail ? "(" + error.detail + ")" : ""), "problem");
      CG.say(status, "未更换:" + error.message, "error", error);
      status.dataset.state = "failed";
    } finally {
      replacing = null;
      $("replace-button").disabled = false;
      loadDevices();
      loadCandidates();
      loadJobs();
    }
  }

  async function loadBackups() {
    const roles = devices.filter((d) => d.kind === "terminal" && d.role).map((d) => d.role).sort();
    const container = $("backups");
    if (!roles.length) {
      container.replaceChildren(CG.el("p", { class: "empty" }, "没有考勤机角色"));
      return;
    }
    const blocks = [];
    for (const role of roles) {
      let backups = [];
      let problem = "";
      try {
        backups = await CG.api("GET", "/devices/" + encodeURIComponent(role) + "/backups");
      } catch (error) {
        problem = error.message;
      }
      blocks.push(CG.el("div", { dataset: { backupRole: role } },
        CG.el("div", { class: "row" }, CG.el("strong", {}, role),
          canManage ? CG.el("button", { type: "button", class: "small", onclick: () => backUp(role) }, "立即备份") : null),
        problem ? CG.el("p", { class: "status error" }, "无法读取备份:" + problem)
          : backups.length ? CG.el("table", {},
            CG.el("thead", {}, CG.el("tr", {}, ["备份", "时间", "考勤机", "序列号", "人员", "指纹模板", "操作人"].map((h) => CG.el("th", {}, h)))),
            CG.el("tbody", {}, backups.slice(0, 5).map((b) => CG.el("tr", {},
              CG.el("td", {}, b.id), CG.el("td", {}, CG.formatTime(b.takenAt)), CG.el("td", {}, b.deviceId),
              CG.el("td", {}, b.serialNumber), CG.el("td", {}, b.users), CG.el("td", {}, b.templates), CG.el("td", {}, b.takenBy)))))
            : CG.el("p", { class: "empty" }, "还没有备份:考勤机在线时请立即备份一次,更换考勤机时才能恢复人员和指纹")));
    }
    container.replaceChildren(...blocks);
  }

  async function backUp(role) {
    CG.say("backup-status", "正在备份 " + role + "(读取考勤机上的人员和指纹模板)…", "info");
    try {
      const backup = await CG.api("POST", "/devices/" + encodeURIComponent(role) + "/backup");
      CG.say("backup-status", "已备份 " + role + ":" + backup.users + " 名人员," + backup.templates + " 枚指纹模板(备份 " + backup.id + ")", "ok");
    } catch (error) {
      CG.say("backup-status", "未能备份 " + role + ":" + error.message, "error", error);
    }
    loadBackups();
  }

  async function loadJobs() {
    const state = $("job-filter").value;
    let jobs;
    try {
      jobs = await CG.api("GET", "/jobs" + (state ? "?state=" + state : ""));
    } catch (error) {
      CG.say("jobs-status", "无法读取打印任务:" + error.message, "error", error);
      return;
    }
    jobs.sort((a, b) => b.id - a.id);
    const shown = jobs.slice(0, 100);
    CG.say("jobs-status", jobs.length > shown.length ? "仅显示最近 " + shown.length + " 个,共 " + jobs.length + " 个" : "", "info");
    const body = $("jobs").tBodies[0];
    if (!shown.length) {
      body.replaceChildren(CG.el("tr", {}, CG.el("td", { colspan: 9, class: "empty" }, "没有打印任务")));
      return;
    }
    body.replaceChildren(...shown.map((job) => {
      const buttons = [];
      if (canManage && ["failed", "waiting"].includes(job.state)) {
        buttons.push(CG.el("button", { type: "button", class: "small", "data-action": "retry", onclick: () => jobAction(job.id, "retry") }, "重试"), " ");
      }
      if (canManage && ["queued", "waiting", "failed"].includes(job.state)) {
        buttons.push(CG.el("button", { type: "button", class: "small danger", "data-action": "cancel", onclick: () => jobAction(job.id, "cancel") }, "取消"));
      }
      return CG.el("tr", { dataset: { job: job.id, state: job.state } },
        CG.el("td", {}, job.id), CG.el("td", {}, job.printerRole),
        CG.el("td", {}, (job.kind === "test" ? "测试页" : "通知书") + (job.reprint ? "(补打)" : "")),
        CG.el("td", {}, jobStateText[job.state] || job.state), CG.el("td", {}, job.attempts),
        CG.el("td", {}, job.lastError || ""), CG.el("td", {}, CG.formatTime(job.createdAt)),
        CG.el("td", {}, job.printedOn ? job.printedOn + " " + CG.formatTime(job.printedAt) : ""), CG.el("td", {}, buttons));
    }));
  }

  async function jobAction(id, action) {
    const verb = action === "retry" ? "重试" : "取消";
    try {
      const job = await CG.api("POST", "/jobs/" + id + "/" + action);
      CG.say("jobs-status", "已" + verb + "打印任务 " + id + ",现为 " + (jobStateText[job.state] || job.state), "ok");
    } catch (error) {
      CG.say("jobs-status", "未能" + verb + "打印任务 " + id + ":" + error.message, "error", error);
    }
    loadJobs();
  }
})();
