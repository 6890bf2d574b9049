'use strict';
// Load driver for server.js. Runs in its own process and starts the server as a
// child, so it can read the server's RSS and CPU from /proc/<pid>.
//
//   node load.js --sweep 1000,2000,3000,4000,6000 --seconds 20
//   node load.js --idle 10000
//
// Rate run: 5 staff + 50 customers (websocket transport only). An open-loop
// clock hands message k (due at start + k/R s) to customer k % 50 and never
// waits for acks. 5 s warm-up, S s measured window, drain capped at 5 s.

const { spawn, execSync } = require('child_process');
const fs = require('fs');
const path = require('path');
const { io } = require('socket.io-client');
const { Client } = require('pg');

const CUSTOMERS = 50;
const STAFF = 5;
const WARMUP_S = 5;
const DRAIN_MS = 5000;
const IDLE_WAIT_MS = 25000;
const CLK_TCK = Number(execSync('getconf CLK_TCK').toString().trim()) || 100;

// ---------- small helpers ----------
const T0 = process.hrtime.bigint();
const now = () => Number(process.hrtime.bigint() - T0); // ns since driver start
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function arg(name, def) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : def;
}

function pct(sorted, p) {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}
const f = (x, d = 2) => (Number.isFinite(x) ? x.toFixed(d) : '-');

function rssBytes(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : NaN;
  } catch { return NaN; }
}

function cpuTicks(pid) { // utime + stime
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
}

function machineTicks() { // [busy, total] over all CPUs, from /proc/stat
  const v = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1, 9).map(Number);
  const total = v.reduce((a, b) => a + b, 0);
  return [total - v[3] - v[4] - v[7], total]; // minus idle, iowait, steal
}

function pollRss(pid) {
  const s = { peak: 0 };
  const tick = () => { const r = rssBytes(pid); if (r > s.peak) s.peak = r; };
  tick();
  const t = setInterval(tick, 200);
  s.stop = () => clearInterval(t);
  return s;
}

// ---------- server child process ----------
let server = null;

function startServer() {
  const child = spawn(process.execPath, [path.join(__dirname, 'server.js'), '0'],
    { stdio: ['ignore', 'pipe', 'inherit'] });
  server = child;
  return new Promise((resolve, reject) => {
    const to = setTimeout(() => reject(new Error('server did not start in 15 s')), 15000);
    let buf = '';
    child.stdout.on('data', (d) => {
      buf += d;
      const m = /listening on (\d+)/.exec(buf);
      if (m) { clearTimeout(to); resolve({ child, pid: child.pid, port: Number(m[1]) }); }
    });
    child.on('exit', (code) => { clearTimeout(to); reject(new Error(`server exited ${code}`)); });
  });
}

async function stopServer(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 3000);
  await exited;
  clearTimeout(t);
}

process.on('exit', () => { if (server && server.exitCode === null) server.kill('SIGKILL'); });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => process.exit(130));

// ---------- clients ----------
function connect(port, auth) {
  return new Promise((resolve, reject) => {
    const s = io(`http://127.0.0.1:${port}`, {
      transports: ['websocket'], auth, forceNew: true, reconnection: false, timeout: 20000,
    });
    s.once('connect', () => resolve(s));
    s.once('connect_error', (e) => { s.close(); reject(e); });
  });
}

async function truncate() {
  const c = new Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'storechat_reference' });
  await c.connect();
  await c.query('TRUNCATE ref_messages RESTART IDENTITY');
  await c.end();
}

// ---------- one rate ----------
async function runRate(R, S) {
  const srv = await startServer();
  const rss = pollRss(srv.pid);
  await truncate();

  let errors = 0;
  const staff = [];
  for (let j = 0; j < STAFF; j++) staff.push(await connect(srv.port, { role: 'staff', id: j + 1 }));
  const customers = await Promise.all(Array.from({ length: CUSTOMERS },
    (_, i) => connect(srv.port, { role: 'customer', id: i + 1 })));
  for (const s of [...staff, ...customers]) s.on('disconnect', () => { errors++; });

  const total = Math.round(R * (WARMUP_S + S));
  const first = Math.round(R * WARMUP_S); // first measured message
  const sent = new Float64Array(total).fill(NaN);
  const acked = new Float64Array(total).fill(NaN);
  const firstStaff = new Float64Array(total).fill(NaN);
  const late = new Float64Array(total);
  const recv = new Uint16Array(total * STAFF);
  const failed = new Uint8Array(total);
  const prefix = `r${R}-`;

  staff.forEach((s, j) => s.on('message', (m) => {
    const t = now();
    const k = Number(String(m.clientMsgId).slice(prefix.length));
    if (!(k >= 0 && k < total)) return;
    recv[k * STAFF + j]++;
    if (Number.isNaN(firstStaff[k])) firstStaff[k] = t;
  }));

  const t0 = now() + 10e6;
  const winStart = t0 + WARMUP_S * 1e9;
  const winEnd = t0 + (WARMUP_S + S) * 1e9;
  const due = (k) => t0 + (k * 1e9) / R;
  const ackTimes = [];

  function send(k) {
    const c = customers[k % CUSTOMERS];
    const conversationId = (k % CUSTOMERS) + 1;
    const clientMsgId = prefix + k;
    const body = `message ${k} `.padEnd(100, 'x');
    const ts = now();
    sent[k] = ts;
    late[k] = ts - due(k);
    c.emit('send', { conversationId, clientMsgId, body }, (res) => {
      const ta = now();
      ackTimes.push(ta);
      if (!res || res.error) { failed[k] = 1; if (k >= first) errors++; } else acked[k] = ta;
    });
  }

  // CPU samples at window start/end (server via /proc, driver via cpuUsage).
  const cpu = {};
  const sampleCpu = (tag) => { cpu[tag] = { t: now(), srv: cpuTicks(srv.pid), drv: process.cpuUsage(), sys: machineTicks() }; };
  setTimeout(() => sampleCpu('a'), (winStart - now()) / 1e6);
  const windowDone = new Promise((r) => setTimeout(() => { sampleCpu('b'); r(); }, (winEnd - now()) / 1e6));

  // Open-loop clock: send every message that is due, catching up by the clock.
  await new Promise((resolve) => {
    let k = 0;
    const tick = () => {
      const t = now();
      while (k < total && due(k) <= t) send(k++);
      if (k >= total) return resolve();
      setTimeout(tick, Math.max(0, (due(k) - now()) / 1e6));
    };
    setTimeout(tick, Math.max(0, (t0 - now()) / 1e6));
  });
  await windowDone;

  // Drain: until every measured message is acked (or failed) and seen by every staff socket.
  const settled = () => {
    for (let k = first; k < total; k++) {
      if (failed[k]) continue;
      if (Number.isNaN(acked[k])) return false;
      for (let j = 0; j < STAFF; j++) if (!recv[k * STAFF + j]) return false;
    }
    return true;
  };
  const drainStart = now();
  while (!settled() && now() - drainStart < DRAIN_MS * 1e6) await sleep(50);
  const drainMs = (now() - drainStart) / 1e6;

  // ---- results ----
  const lat = [], lateMs = [];
  let lost = 0, dup = 0, unacked = 0;
  for (let k = first; k < total; k++) {
    lateMs.push(late[k] / 1e6);
    if (!Number.isNaN(firstStaff[k])) lat.push((firstStaff[k] - sent[k]) / 1e6);
    if (Number.isNaN(acked[k]) && !failed[k]) unacked++;
    let missing = false, twice = false;
    for (let j = 0; j < STAFF; j++) {
      const n = recv[k * STAFF + j];
      if (n === 0) missing = true;
      if (n > 1) twice = true;
    }
    if (!Number.isNaN(acked[k]) && missing) lost++;
    if (twice) dup++;
  }
  lat.sort((a, b) => a - b);
  lateMs.sort((a, b) => a - b);
  const ackedInWindow = ackTimes.filter((t) => t >= cpu.a.t && t < cpu.b.t).length;
  const winSec = (cpu.b.t - cpu.a.t) / 1e9;
  const srvCores = (cpu.b.srv - cpu.a.srv) / CLK_TCK / winSec;
  const du = cpu.b.drv, da = cpu.a.drv;
  const drvCores = ((du.user - da.user) + (du.system - da.system)) / 1e6 / winSec;
  const sysCores = (cpu.b.sys[0] - cpu.a.sys[0]) / CLK_TCK / winSec; // whole machine

  for (const s of [...staff, ...customers]) { s.removeAllListeners('disconnect'); s.close(); }
  rss.stop();
  await stopServer(srv.child);

  return `| ${R} | ${f(ackedInWindow / winSec, 0)} | ${f(pct(lat, 50))} | ${f(pct(lat, 95))} | ` +
    `${f(pct(lat, 99))} | ${f(pct(lat, 99.9))} | ${f(lat[lat.length - 1])} | ${errors} | ${unacked} | ` +
    `${lost} | ${dup} | ${f(rss.peak / 1e6, 1)} | ${f(srvCores)} | ${f(drvCores)} | ${f(sysCores)} | ` +
    `${f(pct(lateMs, 99))} | ${f(drainMs, 0)} |`;
}

// ---------- idle connections ----------
async function runIdle(N) {
  const srv = await startServer();
  const rss = pollRss(srv.pid);
  await sleep(2000);
  const base = rssBytes(srv.pid);

  const sockets = [];
  let failures = 0, next = 0, dropped = 0;
  const t = now();
  const worker = async () => {
    while (next < N) {
      const id = ++next;
      try {
        const s = await connect(srv.port, { role: 'customer', id });
        s.on('disconnect', () => { dropped++; });
        sockets.push(s);
      } catch { failures++; }
    }
  };
  await Promise.all(Array.from({ length: 100 }, worker));
  const connectSec = (now() - t) / 1e9;

  await sleep(IDLE_WAIT_MS);
  const after = rssBytes(srv.pid);
  const open = sockets.length - dropped;
  for (const s of sockets) { s.removeAllListeners('disconnect'); s.close(); }
  rss.stop();
  await stopServer(srv.child);

  return `| ${N} | ${open} | ${failures} | ${f(connectSec, 1)} | ${f(base / 1e6, 1)} | ` +
    `${f(after / 1e6, 1)} | ${f(rss.peak / 1e6, 1)} | ${f((after - base) / open / 1000, 1)} |`;
}

async function main() {
  const seconds = Number(arg('seconds', 20));
  const idle = arg('idle');
  const sweep = arg('sweep', idle ? null : '1000');
  if (sweep) {
    console.log('| offered msg/s | acked msg/s | p50 ms | p95 ms | p99 ms | p99.9 ms | max ms | errors | unacked | lost | duplicated | server peak RSS MB | server CPU cores | driver CPU cores | machine CPU cores | driver clock late p99 ms | drain ms |');
    console.log('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
    for (const R of sweep.split(',').map(Number)) {
      console.log(await runRate(R, seconds));
      await sleep(2000);
    }
  }
  if (idle) {
    console.log('| connections | open after 25 s | connect failures | connect time s | server RSS before MB | server RSS after MB | server peak RSS MB | RSS growth per connection KB |');
    console.log('|---|---|---|---|---|---|---|---|');
    console.log(await runIdle(Number(idle)));
  }
}

// Hard cap so a run can never hang.
const cap = setTimeout(() => { console.error('load.js: hard time limit reached'); process.exit(2); },
  15 * 60 * 1000);
main().then(() => { clearTimeout(cap); process.exit(0); })
  .catch((err) => { console.error(err); process.exit(1); });
