/// The web console (`GET /console`): one page, no build step, nothing
/// fetched from elsewhere. It polls the API once a second with the bearer
/// token from its address's fragment (`/console#token=...`): the topology
/// (ports, chains, services, instances), per-port and per-NF rates and
/// queue depths as charts, events, and buttons to stop an NF or scale its
/// service. `window.nfvConsole` holds what it sampled (the console test reads it).
enum ConsolePage {
    static let html = #"""
<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>SwiftNFV console</title>
<style>
  body { font: 14px system-ui, sans-serif; margin: 0; background: #f4f5f7; color: #1d2430; }
  header { background: #1d2430; color: #fff; padding: 10px 18px; display: flex; gap: 24px; align-items: baseline; }
  header h1 { font-size: 18px; margin: 0; }
  #status.bad { color: #ff8a80; }
  main { display: grid; grid-template-columns: 1fr 1fr; gap: 14px; padding: 14px; }
  section { background: #fff; border-radius: 6px; padding: 10px 14px; box-shadow: 0 1px 2px rgba(0,0,0,.08); }
  section.wide { grid-column: 1 / 3; }
  h2 { font-size: 14px; margin: 0 0 8px; color: #4a5568; text-transform: uppercase; letter-spacing: .04em; }
  table { border-collapse: collapse; width: 100%; }
  th, td { text-align: left; padding: 3px 8px; border-bottom: 1px solid #eef0f3; font-variant-numeric: tabular-nums; }
  th { color: #718096; font-weight: 600; }
  canvas { width: 100%; height: 180px; display: block; }
  button { font: inherit; padding: 1px 8px; margin-right: 4px; border: 1px solid #cbd2dc; background: #fff; border-radius: 4px; cursor: pointer; }
  button:hover { background: #edf2f7; }
  #topology { font-family: ui-monospace, monospace; white-space: pre-wrap; line-height: 1.6; }
  .chip { display: inline-block; padding: 0 6px; margin: 0 2px; border-radius: 3px; background: #e2e8f0; }
  .chip.up { background: #c6f6d5; } .chip.down { background: #fed7d7; }
  #events { font-family: ui-monospace, monospace; font-size: 12px; max-height: 180px; overflow-y: auto; }
  .legend span { margin-right: 12px; font-size: 12px; }
</style>
</head>
<body>
<header><h1>SwiftNFV</h1><span id="platform">…</span><span id="status">connecting</span></header>
<main>
  <section class="wide"><h2>Topology</h2><div id="topology"></div></section>
  <section><h2>Port rates (Mpps received)</h2><canvas id="portChart" width="600" height="180"></canvas><div class="legend" id="portLegend"></div></section>
  <section><h2>NF rates (Mpps received)</h2><canvas id="nfChart" width="600" height="180"></canvas><div class="legend" id="nfLegend"></div></section>
  <section><h2>Queue depth (descriptors in RX rings)</h2><canvas id="queueChart" width="600" height="180"></canvas><div class="legend" id="queueLegend"></div></section>
  <section><h2>Ports</h2><table id="ports"><thead><tr><th>port</th><th>device</th><th>chain</th><th>rx</th><th>tx</th><th>dropped</th><th>rx Mpps</th></tr></thead><tbody></tbody></table></section>
  <section class="wide"><h2>NF instances</h2><table id="nfs"><thead><tr><th>instance</th><th>service</th><th>name</th><th>group</th><th>pid</th><th>state</th><th>restarts</th><th>rx</th><th>rx Mpps</th><th>queue</th><th>cpu % (entitled)</th><th></th></tr></thead><tbody></tbody></table></section>
  <section class="wide"><h2>Events</h2><div id="events"></div></section>
</main>
<script>
"use strict";
// The token comes in the address's fragment (#token=...), which the browser never sends to a server.
const token = new URLSearchParams(location.hash.slice(1)).get("token") || "";
const colours = ["#3182ce", "#e53e3e", "#38a169", "#d69e2e", "#805ad5", "#dd6b20", "#319795", "#d53f8c"];
const history = 60;
// What the page shows, for a reader (and the console's test): samples taken, series per chart.
const state = window.nfvConsole = { samples: 0, errors: 0, lastEvent: 0, series: { port: {}, nf: {}, queue: {} } };

async function api(method, path, body) {
  const r = await fetch(path, { method, headers: { "Authorization": "Bearer " + token, "Content-Type": "application/json" },
                                body: body === undefined ? undefined : JSON.stringify(body) });
  const data = await r.json();
  if (!r.ok) throw new Error(data.message || r.status);
  return data;
}

function push(chart, key, value) {
  const s = state.series[chart][key] || (state.series[chart][key] = []);
  s.push(value);
  if (s.length > history) s.shift();
}

function draw(id, chart, legendId) {
  const c = document.getElementById(id), g = c.getContext("2d");
  g.clearRect(0, 0, c.width, c.height);
  const series = Object.entries(state.series[chart]);
  const max = Math.max(1e-9, ...series.flatMap(([, v]) => v)) * 1.1;
  g.strokeStyle = "#e2e8f0"; g.fillStyle = "#718096"; g.font = "11px system-ui";
  for (let i = 0; i <= 4; i++) {
    const y = 10 + (c.height - 20) * i / 4;
    g.beginPath(); g.moveTo(40, y); g.lineTo(c.width, y); g.stroke();
    g.fillText((max * (4 - i) / 4).toPrecision(3), 2, y + 4);
  }
  series.forEach(([key, values], n) => {
    g.strokeStyle = colours[n % colours.length]; g.lineWidth = 2; g.beginPath();
    values.forEach((v, i) => {
      const x = 40 + (c.width - 40) * (i + history - values.length) / (history - 1);
      const y = 10 + (c.height - 20) * (1 - v / max);
      i ? g.lineTo(x, y) : g.moveTo(x, y);
    });
    g.stroke();
  });
  document.getElementById(legendId).innerHTML = series.map(([k], n) =>
    `<span style="color:${colours[n % colours.length]}">■ ${k}</span>`).join("");
}

function cell(row, text) { const td = row.insertCell(); td.textContent = text; return td; }

function render(stats, nfs, chains, ports, services) {
  document.getElementById("platform").textContent = stats.name + " · up " + Math.round(stats.uptimeSeconds) + " s · pool " + stats.poolInUse + "/" + stats.poolSize;
  const topo = [];
  for (const p of ports) topo.push(`port ${p.port} (${p.device}) → chain ${p.defaultChain || "none"}`);
  for (const ch of chains) {
    const steps = ch.steps.map(s => {
      const inst = nfs.filter(n => n.service === s && n.state === "running").map(n => n.instance);
      return `<span class="chip ${inst.length ? "up" : "down"}">service ${s}: ${inst.length ? "instances " + inst.join(",") : "no instance"}</span>`;
    });
    topo.push(`chain ${ch.name}: ${steps.join(" → ")} → exit ${ch.exit}`);
  }
  const loose = services.filter(s => !chains.some(c => c.steps.includes(s.service)));
  for (const s of loose) topo.push(`service ${s.service}: instances ${s.instances.join(",") || "none"}`);
  document.getElementById("topology").innerHTML = topo.join("\n") || "nothing yet";

  const pt = document.querySelector("#ports tbody"); pt.innerHTML = "";
  for (const p of ports) {
    const r = pt.insertRow();
    [p.port, p.device, p.defaultChain || "-", p.rx, p.tx, p.dropped, p.rxMpps.toFixed(3)].forEach(v => cell(r, v));
  }
  const nt = document.querySelector("#nfs tbody"); nt.innerHTML = "";
  const rates = Object.fromEntries(stats.nfs.map(n => [n.instance, n]));
  for (const n of nfs) {
    const r = nt.insertRow();
    [n.instance, n.service, n.name, n.launch?.group ?? "-", n.pid, n.state, n.restarts, n.rx, (rates[n.instance]?.rxMpps ?? 0).toFixed(3), n.rxRing,
     n.cpuPercent == null ? "-" : `${n.cpuPercent.toFixed(1)} (${n.cpuEntitledPercent == null ? "-" : n.cpuEntitledPercent.toFixed(1)})`].forEach(v => cell(r, v));
    const actions = r.insertCell();
    const stop = document.createElement("button"); stop.textContent = "stop"; stop.className = "stop";
    stop.onclick = () => api("DELETE", "/v1/nfs/" + n.instance).then(refresh, alert);
    actions.appendChild(stop);
    if (n.supervised) {
      const svc = services.find(s => s.service === n.service);
      for (const [label, delta] of [["+1", 1], ["−1", -1]]) {
        const b = document.createElement("button"); b.textContent = label; b.className = delta > 0 ? "scale-up" : "scale-down";
        b.onclick = () => api("POST", `/v1/services/${n.service}/scale`, { instances: Math.max(0, svc.supervised.length + delta) }).then(refresh, alert);
        actions.appendChild(b);
      }
    }
  }
}

async function refresh() {
  try {
    const [stats, nfs, chains, ports, services, events] = await Promise.all([
      api("GET", "/v1/stats"), api("GET", "/v1/nfs"), api("GET", "/v1/chains"), api("GET", "/v1/ports"),
      api("GET", "/v1/services"), api("GET", "/v1/events?since=" + state.lastEvent)]);
    for (const p of stats.ports) push("port", "port " + p.port, p.rxMpps);
    for (const n of stats.nfs) { push("nf", "instance " + n.instance, n.rxMpps); push("queue", "instance " + n.instance, n.rxRing); }
    state.samples++;
    render(stats, nfs, chains, ports, services);
    draw("portChart", "port", "portLegend"); draw("nfChart", "nf", "nfLegend"); draw("queueChart", "queue", "queueLegend");
    const log = document.getElementById("events");
    for (const e of events) {
      const line = document.createElement("div");
      line.textContent = new Date(e.time * 1000).toLocaleTimeString() + "  " + e.kind + "  " + e.message;
      log.prepend(line);
      state.lastEvent = e.seq;
    }
    const s = document.getElementById("status"); s.textContent = "live"; s.className = "";
  } catch (err) {
    state.errors++;
    const s = document.getElementById("status"); s.textContent = "error: " + err.message; s.className = "bad";
  }
}
refresh();
setInterval(refresh, 1000);
</script>
</body>
</html>
"""#
}
