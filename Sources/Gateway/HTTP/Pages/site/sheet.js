// The monthly sheet (月度考勤汇总) of a month: on screen and printed on A4 (the inspection office's 公示 on the LAN),
// exported as CSV or XLSX, published (frozen) by the inspection office. A published month shows its frozen figures and,
// below them, every later change as an amendment.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const states = { "in-progress": "本月尚未结束,数字仍会变化", pending: "尚有考勤机未读取,部分日期未判定(不计旷工)", final: "已全部判定,尚未公示", published: "已公示" };
  const figures = {
    daysDue: "应出勤", daysPresent: "出勤", lateCount: "迟到次数", lateMinutes: "迟到分钟", earlyCount: "早退次数", earlyMinutes: "早退分钟",
    missingPunches: "缺卡", outingShifts: "外出", absentDays: "旷工", pendingDays: "未判定", corrections: "补卡",
    minutesWorked: "工作时长(分钟)", onSheet: "在名单中", unmatchedPunches: "未匹配的打卡记录",
    "leaveShifts.sick": "病假", "leaveShifts.personal": "事假", "leaveShifts.business-outing": "因公外出", "leaveShifts.meeting": "开会",
    "leaveShifts.training": "学习培训", "leaveShifts.late-on-business": "因公推迟到岗", "leaveShifts.early-on-business": "因公提前离岗",
    "window.absentDays": "窗口旷工", "window.coverGaps": "窗口无人在岗", "window.leaveShifts": "窗口请假", "window.missingPunches": "窗口缺卡",
  };
  let caller = null;

  CG.start({
    needs: "督查室(角色 inspection)、值班长、分管领导、运维或只读",
    accepts: (role) => ["inspection", "duty-chief", "leader", "ops", "read-only"].includes(role),
    ready: ready,
  });

  function ready(who) {
    caller = who;
    const params = new URLSearchParams(location.search);
    const now = new Date(Date.now() + 8 * 3600 * 1000);
    const previous = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
    $("month").value = params.get("month") || previous.toISOString().slice(0, 7);
    $("publish").hidden = caller.role !== "inspection";
    $("show").addEventListener("click", load);
    $("print").addEventListener("click", () => window.print());
    $("csv").addEventListener("click", () => download("csv"));
    $("xlsx").addEventListener("click", () => download("xlsx"));
    $("publish").addEventListener("click", publish);
    load();
  }

  async function load() {
    const month = $("month").value;
    let sheet;
    try {
      sheet = await CG.api("GET", "/attendance/sheet?month=" + encodeURIComponent(month));
    } catch (error) {
      CG.say("status", "无法读取 " + month + " 的汇总:" + error.message, "error", error);
      return;
    }
    render(sheet);
    CG.say("status", "", "info");
  }

  function render(sheet) {
    const [year, month] = sheet.month.split("-");
    $("title").textContent = year + "年" + Number(month) + "月 考勤汇总";
    let state = states[sheet.state] || sheet.state;
    if (sheet.publication) state += "(" + CG.formatTime(sheet.publication.at) + ",公示人 " + sheet.publication.by + ")";
    if (sheet.unmatchedPunches) state += ";另有 " + sheet.unmatchedPunches + " 条打卡记录的考勤机用户号不在人员名单中,未计入任何人";
    $("state").textContent = state;
    document.body.dataset.state = sheet.state;
    $("people").tBodies[0].replaceChildren(...sheet.people.map((p) => CG.el("tr", { dataset: { staff: p.staffId } },
      CG.el("td", {}, p.staffId), CG.el("td", { class: "name" }, p.name), CG.el("td", {}, p.window == null ? "" : String(p.window)),
      CG.el("td", {}, String(p.daysDue)), CG.el("td", {}, String(p.daysPresent)),
      CG.el("td", {}, p.lateCount + "/" + p.lateMinutes), CG.el("td", {}, p.earlyCount + "/" + p.earlyMinutes),
      CG.el("td", {}, String(p.missingPunches)), CG.el("td", {}, String(p.leaveShifts.sick || 0)),
      CG.el("td", {}, String(p.leaveShifts.personal || 0)), CG.el("td", {}, String(p.outingShifts)),
      CG.el("td", { class: p.absentDays > 0 ? "bad" : "" }, String(p.absentDays)), CG.el("td", {}, String(p.corrections)),
      CG.el("td", {}, String(p.pendingDays)))));
    $("windows").tBodies[0].replaceChildren(...sheet.windows.map((w) => CG.el("tr", { dataset: { window: String(w.window) } },
      CG.el("td", {}, String(w.window)), CG.el("td", { class: "name" }, w.name), CG.el("td", {}, String(w.people)),
      CG.el("td", {}, String(w.lateCount)), CG.el("td", {}, String(w.earlyCount)), CG.el("td", {}, String(w.missingPunches)),
      CG.el("td", {}, String(w.leaveShifts)), CG.el("td", {}, String(w.outingShifts)), CG.el("td", {}, String(w.absentDays)),
      CG.el("td", { class: w.coverGaps > 0 ? "bad" : "" }, String(w.coverGaps)))));
    if (sheet.amendmentsUnavailable) $("state").textContent += ";现无法核对公示后的更正:" + sheet.amendmentsUnavailable;
    $("amendments").hidden = !sheet.amendments.length;
    $("amendments").querySelector("tbody").replaceChildren(...sheet.amendments.map((a) => CG.el("tr", {},
      CG.el("td", {}, a.staffId), CG.el("td", {}, a.name), CG.el("td", {}, figures[a.figure] || a.figure),
      CG.el("td", {}, String(a.published)), CG.el("td", {}, String(a.now)))));
    $("publish").disabled = sheet.state !== "final";
  }

  async function download(kind) {
    const month = $("month").value;
    try {
      const response = await fetch("/api/v1/attendance/sheet." + kind + "?month=" + encodeURIComponent(month), {
        headers: { Authorization: "Bearer " + CG.token() }, cache: "no-store",
      });
      if (!response.ok) throw new Error("HTTP " + response.status);
      const url = URL.createObjectURL(await response.blob());
      const link = CG.el("a", { href: url, download: "考勤汇总-" + month + "." + kind });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (error) {
      CG.say("status", "导出失败:" + error.message, "error");
    }
  }

  async function publish() {
    const month = $("month").value;
    if (!window.confirm("公示后本月数字冻结,之后的更正将单独列出。确定公示 " + month + "?")) return;
    try {
      render(await CG.api("POST", "/attendance/sheet/publish?month=" + encodeURIComponent(month)));
      CG.say("status", month + " 已公示", "ok");
    } catch (error) {
      CG.say("status", "未能公示:" + error.message, "error", error);
    }
  }
})();
