// The centre's one page: each hall's lag and last contact, the county's notice register and the month's attendance,
// read from the API with the viewers' token (given after # in the address, never sent in it).
enum CentrePage {
    static let html = """
    <!doctype html>
    <html lang="zh-CN"><head><meta charset="utf-8"><title>县政务服务中心 · 全县汇总</title>
    <style>body{font-family:sans-serif;margin:1.5em}table{border-collapse:collapse;margin-bottom:2em}td,th{border:1px solid #bbb;padding:.3em .6em}
    .late{color:#b00}</style></head><body>
    <h1>全县汇总 (county view)</h1>
    <p id="status">读取中… (open this page as /#token=THE-VIEWERS-TOKEN)</p>
    <h2>各中心上报情况 (halls: lag and last contact)</h2>
    <table id="halls"><tr><th>中心 hall</th><th>已收至序号 committed</th><th>数据截至 watermark</th><th>待传 waiting</th><th>最后联系 last contact</th><th>时钟偏差 skew (s)</th></tr></table>
    <h2>通知书登记 (notice register)</h2>
    <p>月份 month <input id="month" type="month"> <a id="csv-notices" href="#">CSV</a> <a id="csv-attendance" href="#">考勤 CSV</a></p>
    <table id="notices"><tr><th>中心</th><th>编号</th><th>类别</th><th>窗口</th><th>经办人</th><th>申请人</th><th>事项</th><th>受理日期</th><th>承诺办结</th><th></th></tr></table>
    <h2>月度考勤汇总 (the county's monthly sheet: each hall's published sheet) <a id="csv-sheet" href="#">CSV</a> <a id="xlsx-sheet" href="#">XLSX</a></h2>
    <p id="sheet-state"></p>
    <table id="sheet"><tr><th>中心</th><th>人员</th><th>窗口</th><th>应出勤</th><th>实出勤</th><th>迟到</th><th>早退</th><th>缺卡</th><th>请假(班次)</th><th>外出(班次)</th><th>旷工(天)</th></tr></table>
    <h2>考勤 (attendance)</h2>
    <table id="attendance"><tr><th>中心</th><th>人员</th><th>日期</th><th>首次</th><th>末次</th><th>次数</th><th>可评定 judged</th></tr></table>
    <script>
    const token = new URLSearchParams(location.hash.slice(1)).get('token') || '';
    const get = (path) => fetch(path, {headers: {Authorization: 'Bearer ' + token}}).then(r => { if (!r.ok) throw new Error(r.status + ''); return r.json(); });
    const t = (s) => s == null ? '—' : new Date(s * 1000).toLocaleString('zh-CN', {timeZone: 'Asia/Shanghai'});
    const row = (table, cells) => { const tr = table.insertRow(); for (const c of cells) tr.insertCell().textContent = c; return tr; };
    const month = document.getElementById('month');
    month.value = new Date().toISOString().slice(0, 7);
    async function load() {
      try {
        const halls = await get('/api/v1/halls');
        const ht = document.getElementById('halls'); while (ht.rows.length > 1) ht.deleteRow(1);
        for (const h of halls) row(ht, [h.name + ' (' + h.id + ')', h.committed ?? '—', t(h.watermark), h.waiting ?? '—', t(h.lastContact), h.clockSkew ?? '—']);
        const notices = await get('/api/v1/notices?month=' + month.value);
        const nt = document.getElementById('notices'); while (nt.rows.length > 1) nt.deleteRow(1);
        for (const n of notices) row(nt, [n.hall, n.number, n.kind, n.window, n.clerk, n.applicant, n.item, n.receivedOn, n.promisedCompletion ?? '', n.voided ? '已作废' : '']);
        const sheet = await get('/api/v1/monthly-sheet?month=' + month.value);
        const st = document.getElementById('sheet'); while (st.rows.length > 1) st.deleteRow(1);
        const waiting = sheet.halls.filter(h => h.publishedAt == null).map(h => h.name);
        document.getElementById('sheet-state').textContent = sheet.complete ? '全部中心已公布' : '尚未公布: ' + waiting.join('、');
        for (const h of sheet.halls) for (const p of h.people) {
          const leave = Object.values(p.leaveShifts).reduce((a, b) => a + b, 0);
          row(st, [h.name, p.name + ' (' + p.staffId + ')', p.window ?? '', p.daysDue, p.daysPresent, p.lateCount, p.earlyCount, p.missingPunches, leave, p.outingShifts, p.absentDays]);
        }
        const days = await get('/api/v1/attendance?month=' + month.value);
        const at = document.getElementById('attendance'); while (at.rows.length > 1) at.deleteRow(1);
        for (const d of days) row(at, [d.hall, d.person, d.day, t(d.first), t(d.last), d.times, d.judged ? '是' : '待各中心上报']);
        document.getElementById('status').textContent = '更新于 ' + new Date().toLocaleTimeString('zh-CN');
      } catch (e) { document.getElementById('status').textContent = '读取失败 (' + e.message + '): 检查地址中的 #token='; }
    }
    // The exports: fetched with the token, saved as a file.
    const exports = {'csv-notices': ['notices', 'csv'], 'csv-attendance': ['attendance', 'csv'], 'csv-sheet': ['monthly-sheet', 'csv'],
                     'xlsx-sheet': ['monthly-sheet', 'xlsx']};
    for (const [id, [path, format]] of Object.entries(exports)) {
      document.getElementById(id).onclick = async (event) => {
        event.preventDefault();
        const answer = await fetch('/api/v1/' + path + '?format=' + format + '&month=' + month.value, {headers: {Authorization: 'Bearer ' + token}});
        if (!answer.ok) { document.getElementById('status').textContent = '导出失败 (' + answer.status + ')'; return; }
        const link = document.createElement('a');
        link.href = URL.createObjectURL(await answer.blob());
        link.download = path + '-' + month.value + '.' + format;
        link.click();
      };
    }
    month.onchange = load; load(); setInterval(load, 30000);
    </script></body></html>
    """
}
