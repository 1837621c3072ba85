// What every page shares: its token (asked once, kept in this browser), API calls with it, problems turned into
// Chinese messages, and the live event stream (read with fetch: EventSource cannot send the Authorization header).
"use strict";

(function () {
  const page = document.body.dataset.page;
  const storageKey = "countergate.token." + page;

  const roleNames = { "duty-chief": "值班长", inspection: "督查室", leader: "分管领导", ops: "运维", kiosk: "签到机", "read-only": "只读" };

  /** The Chinese name of a role: clerk:3 -> 3号窗口. */
  function roleName(role) {
    const clerk = /^clerk:(\d+)$/.exec(role || "");
    if (clerk) return clerk[1] + "号窗口";
    return roleNames[role] || role;
  }

  /** An error of an API call: the HTTP status (0 when the gateway could not be reached), the problem+json answer,
   *  and the message for the person using the page. */
  class APIError extends Error {
    constructor(status, problem, message) {
      super(message);
      this.status = status;
      this.problem = problem;
    }
    /** The request may have reached the gateway or not: sending the same request again is the way to find out. */
    get uncertain() { return this.status === 0 || this.status >= 500; }
    /** The gateway's own words (English, for ops), when they add to the Chinese message. */
    get detail() { return this.problem && this.problem.detail && !this.problem.chinese ? this.problem.detail : ""; }
  }

  function chineseMessage(status, problem) {
    if (problem && problem.chinese) return problem.chinese;
    switch (status) {
      case 0: return "无法连接网关,请检查网络后重试";
      case 400: return "请求有误";
      case 401: return "接口令牌无效或已被吊销,请向运维人员索取新的令牌";
      case 403: return "无权限:本页面的令牌不能执行此操作,请向运维人员索取相应角色的令牌";
      case 404: return "未找到";
      case 409: return "与已有记录冲突";
      case 413: return "内容过大";
      case 415: case 422: return "填写的内容有误";
      case 423: return "已锁定";
      case 429: return "操作过于频繁,请稍后再试";
      case 503: return "网关暂不可用,请稍后再试";
      default: return status >= 500 ? "网关出错,请稍后再试;如仍不行请联系运维人员" : "请求未成功(" + status + ")";
    }
  }

  function token() { return localStorage.getItem(storageKey) || ""; }

  /** A demo link carries the token in the fragment (#token=…): keep it, then take it out of the address bar. */
  function takeTokenFromFragment() {
    const match = /(?:^#|&)token=([^&]+)/.exec(location.hash);
    if (!match) return;
    localStorage.setItem(storageKey, decodeURIComponent(match[1]));
    history.replaceState(null, "", location.pathname + location.search);
  }

  /** Calls the API with the page's token; answers {status, data}. Throws APIError. */
  async function request(method, path, body, extraHeaders) {
    const headers = Object.assign({ Authorization: "Bearer " + token(), Accept: "application/json" }, extraHeaders || {});
    if (body !== undefined) headers["Content-Type"] = "application/json";
    let response;
    try {
      response = await fetch("/api/v1" + path, {
        method, headers, cache: "no-store", body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      throw new APIError(0, null, chineseMessage(0));
    }
    let data = null;
    if ((response.headers.get("Content-Type") || "").includes("json")) {
      try { data = await response.json(); } catch (e) { data = null; }
    }
    if (!response.ok) {
      const error = new APIError(response.status, data, chineseMessage(response.status, data));
      if (response.status === 401) askForToken(error.message);
      throw error;
    }
    return { status: response.status, data };
  }

  /**
   * Downloads a file from the API with the page's token (a plain link cannot send it): fetches it, then saves it
   * under `filename` through a temporary object URL. Answers the number of bytes saved. Throws APIError.
   */
  async function download(path, filename) {
    let response;
    try {
      response = await fetch("/api/v1" + path, { headers: { Authorization: "Bearer " + token() }, cache: "no-store" });
    } catch (e) {
      throw new APIError(0, null, chineseMessage(0));
    }
    if (!response.ok) {
      let data = null;
      try { data = await response.json(); } catch (e) { data = null; }
      const error = new APIError(response.status, data, chineseMessage(response.status, data));
      if (response.status === 401) askForToken(error.message);
      throw error;
    }
    const blob = await response.blob();
    const url = URL.createObjectURL(blob);
    const link = el("a", { href: url, download: filename, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    return blob.size;
  }

  async function api(method, path, body, extraHeaders) {
    return (await request(method, path, body, extraHeaders)).data;
  }

  /** Builds an element; children are nodes or text (never parsed as HTML). */
  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (key === "class") node.className = value;
      else if (key === "dataset") Object.assign(node.dataset, value);
      else if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  /** Shows a message in a status line: kind ok, error or info; an APIError adds the gateway's detail. */
  function say(target, message, kind, error) {
    const node = typeof target === "string" ? document.getElementById(target) : target;
    node.className = "status " + (kind || "info");
    node.replaceChildren(document.createTextNode(message));
    if (error && error.detail) node.append(el("span", { class: "detail" }, "详情:" + error.detail));
  }

  /** Today in the hall (China Standard Time), YYYY-MM-DD. */
  function today() {
    return new Date(Date.now() + 8 * 3600 * 1000).toISOString().slice(0, 10);
  }

  /** An ISO 8601 time as the hall reads it: 11月26日 08:31:05 (or only the time when it is today). */
  function formatTime(iso) {
    if (!iso) return "";
    const date = new Date(iso);
    if (isNaN(date)) return iso;
    const hall = new Date(date.getTime() + 8 * 3600 * 1000).toISOString();
    const day = hall.slice(0, 10), time = hall.slice(11, 19);
    if (day === today()) return time;
    return Number(hall.slice(5, 7)) + "月" + Number(hall.slice(8, 10)) + "日 " + time;
  }

  /** A random key (Idempotency-Key): crypto.getRandomValues works on plain HTTP too, randomUUID does not. */
  function randomKey(prefix) {
    const bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return prefix + "-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  let startOptions = null;

  function askForToken(message) {
    document.getElementById("app").hidden = true;
    document.getElementById("token-panel").hidden = false;
    const status = document.getElementById("token-status");
    if (message) say(status, message, "error"); else say(status, "", "info");
    document.getElementById("token-input").focus();
  }

  /** Checks the token with the gateway and that its role suits the page, then shows the page. */
  async function verify() {
    if (!token()) { askForToken(""); return; }
    let caller;
    try {
      caller = await api("GET", "/whoami");
    } catch (error) {
      if (error.status !== 401) askForToken(error.message);
      return;
    }
    if (!startOptions.accepts(caller.role)) {
      askForToken("此令牌属于“" + caller.name + "”(" + roleName(caller.role) + "),不能用于本页面;本页面需要" + startOptions.needs + "的令牌");
      return;
    }
    document.getElementById("caller").textContent = caller.name + " · " + roleName(caller.role);
    document.getElementById("token-panel").hidden = true;
    document.getElementById("app").hidden = false;
    startOptions.ready(caller);
  }

  /**
   * Starts a page: takes a #token= fragment, asks for the token when there is none, checks its role.
   * @param {{accepts: function(string): boolean, needs: string, ready: function({name: string, role: string})}} options
   */
  function start(options) {
    startOptions = options;
    takeTokenFromFragment();
    // A demo link opened in a tab already showing the page changes only the fragment: start again with its token.
    window.addEventListener("hashchange", () => {
      if (/(?:^#|&)token=/.test(location.hash)) { takeTokenFromFragment(); location.reload(); }
    });
    document.getElementById("token-form").addEventListener("submit", (event) => {
      event.preventDefault();
      const value = document.getElementById("token-input").value.trim();
      if (!value) { say("token-status", "请输入接口令牌", "error"); return; }
      localStorage.setItem(storageKey, value);
      document.getElementById("token-input").value = "";
      verify();
    });
    document.getElementById("change-token").addEventListener("click", () => {
      localStorage.removeItem(storageKey);
      location.reload();
    });
    verify();
  }

  /**
   * Follows GET /api/v1/events: calls onEvent(name, object) for each event and onState("open" | "closed", message).
   * Reconnects after a pause that grows to 15 s; on each (re)connection the page reloads what it shows, so nothing
   * missed while the stream was down stays missing.
   */
  function events(onEvent, onState) {
    let pause = 1000;
    function dispatch(block) {
      let name = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (!line || line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon < 0 ? line : line.slice(0, colon);
        let value = colon < 0 ? "" : line.slice(colon + 1);
        if (value.startsWith(" ")) value = value.slice(1);
        if (field === "event") name = value;
        else if (field === "data") data.push(value);
      }
      if (!data.length) return;
      let object;
      try { object = JSON.parse(data.join("\n")); } catch (e) { return; }
      onEvent(name, object);
    }
    async function follow() {
      for (;;) {
        try {
          const response = await fetch("/api/v1/events", {
            headers: { Authorization: "Bearer " + token(), Accept: "text/event-stream" }, cache: "no-store",
          });
          if (response.status === 401) { askForToken(chineseMessage(401)); return; }
          if (response.status === 403) { onState("closed", chineseMessage(403)); return; }
          if (!response.ok || !response.body) throw new Error("HTTP " + response.status);
          pause = 1000;
          onState("open", "实时更新中");
          const reader = response.body.getReader();
          const decoder = new TextDecoder();
          let buffer = "";
          for (;;) {
            const { value, done } = await reader.read();
            if (done) break;
            buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
            let end;
            while ((end = buffer.indexOf("\n\n")) >= 0) {
              dispatch(buffer.slice(0, end));
              buffer = buffer.slice(end + 2);
            }
          }
        } catch (e) {
          // The stream broke (gateway restarted, network): try again below.
        }
        onState("closed", "实时连接已断开,正在重新连接…");
        await new Promise((resolve) => setTimeout(resolve, pause));
        pause = Math.min(pause * 2, 15000);
      }
    }
    follow();
  }

  /** Shows the live stream's state in an element. */
  function liveState(target) {
    const node = document.getElementById(target);
    return (state, message) => {
      node.className = "live " + state;
      node.textContent = message || "";
    };
  }

  /**
   * The calendar panel of the duty chief's and ops pages (GET /calendar): a warning for each holiday year that is due
   * and not loaded, with the command that loads it, and the notices whose promised date is provisional (暂定),
   * counted on weekends alone for want of the year's arrangement. `ids`: { banner, table, status }.
   */
  async function showCalendar(ids) {
    const banner = document.getElementById(ids.banner);
    const body = document.getElementById(ids.table).tBodies[0];
    let calendar;
    try {
      calendar = await api("GET", "/calendar");
    } catch (error) {
      say(ids.status, "无法读取节假日安排:" + error.message, "error", error);
      return;
    }
    banner.hidden = calendar.warnings.length === 0;
    banner.replaceChildren(...calendar.warnings.map((w) => el("p", { dataset: { year: String(w.year) } },
      w.chinese, el("br"), "载入方法(运维):", el("code", {}, w.command), ",然后重启网关。")));
    const rows = calendar.provisionalNotices;
    if (!rows.length) {
      body.replaceChildren(el("tr", {}, el("td", { colspan: 6, class: "empty" }, "没有暂定的承诺办结日期")));
    } else {
      body.replaceChildren(...rows.map((p) => {
        const n = p.notice;
        const now = p.countedNow
          ? (p.changed ? "已载入节假日安排,应为 " + p.countedNow + ",请通知申请人" : "已载入节假日安排,日期不变")
          : "待载入" + p.missingYears.join("、") + "年节假日安排后核对";
        return el("tr", { dataset: { number: n.number, changed: String(p.changed) }, class: p.changed ? "changed" : "" },
          el("td", { class: "nowrap" }, n.number),
          el("td", {}, n.window + "号窗口"),
          el("td", {}, n.applicant),
          el("td", {}, n.item),
          el("td", { class: "nowrap" }, n.promisedCompletion, " ", el("span", { class: "provisional", title: "暂按双休日计算" }, "暂定")),
          el("td", {}, now));
      }));
    }
    const missing = calendar.missingInNextTwelveMonths;
    say(ids.status, missing.length
      ? "未载入" + missing.join("、") + "年节假日安排:落在这些年份的承诺办结日期暂按双休日计算,标为“暂定”;请运维人员用 countergate calendar import 载入。"
      : "未来12个月的节假日安排均已载入。", missing.length ? "error" : "ok");
  }

  window.CG = { api, request, download, token, el, say, today, formatTime, randomKey, roleName, start, events, liveState, APIError, showCalendar };
})();
