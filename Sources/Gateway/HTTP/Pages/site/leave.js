// Leave and outings (请假, 因公外出): file a request (for oneself, or as the duty chief, the inspection office or the
// leader for anyone), the window lead's opinion, approve or refuse (the gateway checks the seed's chain and the duty
// roster against the token's person), withdraw one's own.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const states = { "awaiting-lead": "待窗口负责人意见", "awaiting-approval": "待审批", approved: "已批准", refused: "未批准", withdrawn: "已撤回" };
  const approvers = { "duty-chief": "当日值班长", "duty-chief-or-inspection": "当日值班长或督查室", leader: "中心分管领导" };
  let me = null;

  CG.start({
    needs: "本人(窗口、值班长、督查室或分管领导)",
    accepts: (role) => /^clerk:\d+$/.test(role) || ["duty-chief", "inspection", "leader"].includes(role),
    ready: ready,
  });

  function ready(caller) {
    me = caller;
    if (!caller.staffId) CG.say("request-status", "此令牌未绑定本人工号,不能提交或审批;请运维人员用 --staff 生成本人的令牌", "error");
    const now = new Date();
    // The fields hold the hall's time (UTC+8), whatever zone the browser is set to.
    const local = (d) => new Date(d.getTime() + 8 * 3600 * 1000).toISOString().slice(0, 16);
    $("start").value = local(now);
    $("end").value = local(new Date(now.getTime() + 2 * 3600 * 1000));
    $("request-form").addEventListener("submit", (event) => { event.preventDefault(); file(); });
    load();
  }

  function hallTime(value) {
    // datetime-local gives "2026-12-07T08:30": the hall's own time.
    return value.replace("T", " ");
  }

  async function file() {
    const body = { kind: $("kind").value, start: hallTime($("start").value), end: hallTime($("end").value), reason: $("reason").value.trim() };
    if ($("staff").value.trim()) body.staffId = $("staff").value.trim();
    if (!body.reason) { CG.say("request-status", "请填写事由", "error"); return; }
    try {
      const made = await CG.api("POST", "/attendance/leave", body);
      CG.say("request-status", "已提交,编号 " + made.id + (made.madeUp ? "(补办)" : "") + ",审批人:" + approvers[made.approver], "ok");
      $("reason").value = "";
      load();
    } catch (error) {
      CG.say("request-status", "未能提交:" + error.message, "error", error);
    }
  }

  async function act(id, verb) {
    const body = verb === "opinion" ? { opinion: $("opinion").value.trim() } : undefined;
    if (verb === "opinion" && !body.opinion) { CG.say("act-status", "请先填写意见", "error"); return; }
    try {
      const done = await CG.api("POST", "/attendance/leave/" + id + "/" + verb, body);
      CG.say("act-status", "编号 " + id + ":" + states[done.state], "ok");
      load();
    } catch (error) {
      CG.say("act-status", "编号 " + id + " 未能办理:" + error.message, "error", error);
    }
  }

  async function load() {
    let list = [];
    try {
      list = await CG.api("GET", "/attendance/leave");
    } catch (error) {
      CG.say("act-status", "无法读取请假记录:" + error.message, "error", error);
      return;
    }
    $("count").textContent = list.filter((r) => r.state.startsWith("awaiting")).length + " 条待办";
    const decider = ["duty-chief", "inspection", "leader"].includes(me.role);
    $("requests").tBodies[0].replaceChildren(...list.map((r) => {
      const buttons = [];
      if (r.state === "awaiting-lead" && me.staffId && r.staffId !== me.staffId) {
        buttons.push(CG.el("button", { type: "button", onclick: () => act(r.id, "opinion") }, "签署意见"));
      }
      if (r.state === "awaiting-approval" && decider && r.staffId !== me.staffId) {
        buttons.push(CG.el("button", { type: "button", class: "primary", onclick: () => act(r.id, "approve") }, "批准"));
        buttons.push(CG.el("button", { type: "button", class: "danger", onclick: () => act(r.id, "refuse") }, "不批准"));
      }
      if (r.state.startsWith("awaiting") && r.staffId === me.staffId) {
        buttons.push(CG.el("button", { type: "button", onclick: () => act(r.id, "withdraw") }, "撤回"));
      }
      return CG.el("tr", { dataset: { id: String(r.id), state: r.state } },
        CG.el("td", {}, String(r.id)), CG.el("td", {}, r.staffId), CG.el("td", {}, r.name || ""),
        CG.el("td", {}, r.kindChinese + (r.madeUp ? "(补办)" : "")),
        CG.el("td", {}, CG.formatTime(r.start) + " – " + CG.formatTime(r.end)), CG.el("td", {}, r.reason),
        CG.el("td", {}, approvers[r.approver] || r.approver), CG.el("td", {}, states[r.state] + (r.decidedBy ? "(" + r.decidedBy + ")" : "")),
        CG.el("td", {}, r.leadOpinion || ""), CG.el("td", {}, ...buttons));
    }));
  }
})();
