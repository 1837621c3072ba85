// The sign-in kiosk: shows whether the hall is in sign-in mode, takes a staff id and PIN (keypad for tablets), and
// shows the gateway's Chinese answer in large type.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  let inSignInMode = false;
  let typingInto = "pin";
  let resetTimer = null;

  CG.start({ needs: "签到机(角色 kiosk)", accepts: (role) => role === "kiosk", ready: ready });

  function ready() {
    $("staff-id").addEventListener("focus", () => { typingInto = "staff-id"; });
    $("pin").addEventListener("focus", () => { typingInto = "pin"; });
    $("keypad").addEventListener("click", (event) => {
      const key = event.target.dataset && event.target.dataset.key;
      if (!key) return;
      const field = $(typingInto);
      if (key === "clear") field.value = "";
      else if (key === "back") field.value = field.value.slice(0, -1);
      else if (field.value.length < Number(field.getAttribute("maxlength") || 32)) field.value += key;
    });
    $("signin-form").addEventListener("submit", signIn);
    watchMode();
  }

  /** The kiosk's token may read the mode, not follow events: it asks every few seconds. */
  async function watchMode() {
    for (;;) {
      await showMode();
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }

  async function showMode() {
    const banner = $("mode");
    try {
      const mode = await CG.api("GET", "/mode");
      inSignInMode = mode.signInMode;
      banner.dataset.mode = mode.signInMode ? "sign-in" : "normal";
      if (mode.signInMode) {
        const since = mode.roles.filter((r) => r.mode === "sign-in").map((r) => r.since).filter((s) => s).sort()[0];
        banner.className = "banner signin";
        banner.textContent = "考勤机暂停使用,现为签到考勤" + (since ? "(自 " + CG.formatTime(since) + " 起)" : "") + ":请输入工号和密码签到";
      } else {
        banner.className = "banner normal";
        banner.textContent = "考勤机工作正常,请按指纹考勤";
      }
    } catch (error) {
      banner.className = "banner error";
      banner.dataset.mode = "unknown";
      banner.textContent = "无法查询考勤方式:" + error.message;
    }
    $("submit").disabled = !inSignInMode;
  }

  function show(text, kind) {
    const message = $("message");
    message.className = "kiosk-message " + kind;
    message.dataset.kind = kind;
    message.textContent = text;
    clearTimeout(resetTimer);
    // The answer stays long enough to read, then the kiosk is ready for the next person.
    if (kind !== "idle") resetTimer = setTimeout(() => show("请输入工号和密码签到", "idle"), 12000);
  }

  async function signIn(event) {
    event.preventDefault();
    const staffId = $("staff-id").value.trim();
    const pin = $("pin").value;
    if (!staffId) { show("请输入工号", "error"); $("staff-id").focus(); return; }
    if (!pin) { show("请输入密码", "error"); $("pin").focus(); return; }
    $("submit").disabled = true;
    try {
      const answer = await CG.api("POST", "/signin", { staffId, pin });
      const who = answer.signIn.name ? answer.signIn.name + "," : "";
      show(who + answer.message + "(" + CG.formatTime(answer.signIn.at) + ")", "ok");
      $("staff-id").value = "";
    } catch (error) {
      show(error.message, "error");
    } finally {
      // A PIN never stays on the screen.
      $("pin").value = "";
      $("submit").disabled = !inSignInMode;
      typingInto = "pin";
    }
  }
})();
