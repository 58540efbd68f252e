// ops.js: the operator page (GET /ops). Every 2 s it reads /readyz and this process's /metrics
// (Prometheus text), turns counters into rates and histograms into percentiles between two
// reads, and draws the last 5 minutes as SVG; every 30 s it reads /admin/analytics (over
// millions of carts that query takes seconds of PostgreSQL's time, so one runs at a time).
"use strict";

const SAMPLES = 150;
const COLORS = ["#0b5fff", "#d6336c", "#2b8a3e", "#e8590c", "#7048e8", "#1098ad", "#5c940d", "#862e9c"];

/** An SVG element with attributes. */
function svgElement(tag, attributes) {
  const made = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) made.setAttribute(name, String(value));
  return made;
}

/** Prometheus text as [{name, labels, value}]. */
function parseMetrics(text) {
  const samples = [];
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)/.exec(line);
    if (!match) continue;
    const labels = {};
    for (const pair of (match[3] || "").matchAll(/([a-zA-Z_]+)="((?:[^"\\]|\\.)*)"/g)) labels[pair[1]] = pair[2];
    samples.push({ name: match[1], labels, value: Number(match[4]) });
  }
  return samples;
}

/** Sums of `name` grouped by the key `key(labels)` makes. */
function sumBy(samples, name, key) {
  const sums = new Map();
  for (const sample of samples) {
    if (sample.name !== name) continue;
    const group = key(sample.labels);
    sums.set(group, (sums.get(group) || 0) + sample.value);
  }
  return sums;
}

/** The `quantile` of a histogram from bucket counts {le: count} (cumulative), or null. */
function quantile(buckets, quantile) {
  const bounds = [...buckets.keys()].map((le) => [le === "+Inf" ? Infinity : Number(le), buckets.get(le)])
    .sort((a, b) => a[0] - b[0]);
  const total = bounds.length ? bounds[bounds.length - 1][1] : 0;
  if (total <= 0) return null;
  const rank = quantile * total;
  let previous = [0, 0];
  for (const [bound, count] of bounds) {
    if (count >= rank) {
      if (bound === Infinity) return previous[0];
      const share = count === previous[1] ? 1 : (rank - previous[1]) / (count - previous[1]);
      return previous[0] + (bound - previous[0]) * share;
    }
    previous = [bound, count];
  }
  return previous[0];
}

const Ops = {
  previous: null,
  series: {},
  analyticsRunning: false,

  start() {
    document.getElementById("sign-in").addEventListener("submit", (event) => {
      event.preventDefault();
      this.signIn();
    });
    document.getElementById("sign-out-button").addEventListener("click", () => {
      Api.token = null;
      this.refreshAccount();
    });
    this.refreshAccount();
    this.poll();
    setInterval(() => this.poll(), 2000);
    setInterval(() => this.loadAnalytics(), 30000);
  },

  async signIn() {
    const email = document.getElementById("email").value.trim();
    const password = document.getElementById("password").value;
    await attempt("sign-in-error", async () => {
      await signIn(email, password);
      const me = await Api.request("GET", "/users/me");
      if (!me.is_superuser) {
        Api.token = null;
        throw new ApiError(403, { message: "This account is not an operator (superuser)." });
      }
    });
    this.refreshAccount();
  },

  async refreshAccount() {
    let operator = null;
    if (Api.token) {
      try {
        const me = await Api.request("GET", "/users/me");
        if (me.is_superuser) operator = me;
      } catch { operator = null; }
    }
    document.getElementById("sign-in").hidden = Boolean(operator);
    document.getElementById("signed-in").hidden = !operator;
    document.getElementById("dashboard").hidden = !operator;
    document.getElementById("who").textContent = operator ? operator.email : "";
    if (operator) this.loadAnalytics();
  },

  async poll() {
    let ready = false;
    let detail = "";
    try {
      const response = await fetch("/readyz");
      const body = await response.json();
      ready = response.ok;
      detail = Object.entries(body).filter(([key]) => key !== "status").map(([key, value]) => `${key} ${value}`).join(", ");
    } catch {
      detail = "the server does not answer";
    }
    const health = document.getElementById("health");
    health.textContent = ready ? `Ready (${detail})` : `NOT READY: ${detail}`;
    health.classList.toggle("ok", ready);
    health.setAttribute("role", ready ? "status" : "alert");
    document.body.classList.toggle("unhealthy", !ready);
    if (document.getElementById("dashboard").hidden) return;
    try {
      const text = await (await fetch("/metrics")).text();
      this.record(parseMetrics(text), performance.now() / 1000);
    } catch {
      // The next poll tries again; the health line already says what is down.
    }
  },

  record(samples, now) {
    const route = (labels) => `${labels.method} ${labels.route}`;
    const current = {
      at: now,
      requests: sumBy(samples, "hotcart_http_requests_total", route),
      buckets: sumBy(samples, "hotcart_http_request_duration_seconds_bucket", (l) => `${route(l)}|${l.le}`),
      redis: sumBy(samples, "hotcart_redis_call_duration_seconds_bucket", (l) => l.le),
    };
    const gauge = (name) => samples.filter((s) => s.name === name).reduce((sum, s) => sum + s.value, 0);
    this.push("flush", "backlog", gauge("hotcart_flush_backlog"));
    this.push("flush", "lag (s)", gauge("hotcart_flush_lag_current_seconds"));
    this.push("carts", "keys in Redis", gauge("hotcart_redis_keys"));
    this.push("carts", "live streams", gauge("hotcart_cart_event_streams"));
    document.getElementById("eviction-warning").hidden = gauge("hotcart_redis_eviction_possible") === 0;
    const previous = this.previous;
    this.previous = current;
    if (previous) {
      const seconds = Math.max(current.at - previous.at, 0.001);
      for (const [name, count] of current.requests) {
        if (name.includes("/metrics") || name.includes("/readyz")) continue;
        this.push("rate", name, (count - (previous.requests.get(name) || 0)) / seconds);
      }
      const perRoute = new Map();
      for (const [key, count] of current.buckets) {
        const [name, le] = key.split("|");
        if (name.includes("/metrics") || name.includes("/readyz")) continue;
        if (!perRoute.has(name)) perRoute.set(name, new Map());
        perRoute.get(name).set(le, count - (previous.buckets.get(key) || 0));
      }
      for (const [name, buckets] of perRoute) {
        const p99 = quantile(buckets, 0.99);
        if (p99 !== null) this.push("p99", name, p99 * 1000);
      }
      const redis = new Map([...current.redis].map(([le, count]) => [le, count - (previous.redis.get(le) || 0)]));
      const p50 = quantile(redis, 0.5);
      const p99 = quantile(redis, 0.99);
      if (p50 !== null) this.push("redis", "p50", p50 * 1000);
      if (p99 !== null) this.push("redis", "p99", p99 * 1000);
    }
    // Routes with no traffic in the window stay out of the per-route charts.
    for (const chart of ["rate", "p99"]) this.draw(chart, true);
    for (const chart of ["redis", "flush", "carts"]) this.draw(chart, false);
  },

  push(chart, name, value) {
    const lines = (this.series[chart] ||= new Map());
    if (!lines.has(name)) lines.set(name, []);
    const values = lines.get(name);
    values.push(Number.isFinite(value) ? value : 0);
    if (values.length > SAMPLES) values.shift();
  },

  draw(chart, hideIdle) {
    const lines = new Map([...(this.series[chart] || new Map())]
      .filter(([, values]) => !hideIdle || values.some((value) => value > 0)));
    const svg = document.getElementById(`${chart}-chart`);
    const width = 300;
    const height = 100;
    svg.setAttribute("viewBox", `0 0 ${width} ${height}`);
    svg.setAttribute("preserveAspectRatio", "none");
    const top = Math.max(1e-9, ...[...lines.values()].flat());
    const shapes = [svgElement("line", { x1: 0, y1: height, x2: width, y2: height, stroke: "#d8dde6" })];
    const legend = [];
    [...lines.entries()].forEach(([name, values], index) => {
      const color = COLORS[index % COLORS.length];
      // The newest sample at the right edge, older ones to its left.
      const offset = SAMPLES - values.length;
      const points = values.map((value, at) =>
        `${((offset + at) * width / (SAMPLES - 1)).toFixed(1)},${(height - (value / top) * (height - 4)).toFixed(1)}`)
        .join(" ");
      shapes.push(svgElement("polyline", {
        fill: "none", stroke: color, "stroke-width": 1.5, "vector-effect": "non-scaling-stroke", points,
      }));
      const last = values[values.length - 1] ?? 0;
      const item = element("li", `${name}: ${last.toFixed(last < 10 ? 2 : 0)}`);
      item.style.setProperty("--swatch", color);
      legend.push(item);
    });
    const label = svgElement("text", { x: 2, y: 10, "font-size": 8, fill: "#5d6678" });
    label.textContent = `max ${top.toFixed(top < 10 ? 2 : 0)}`;
    shapes.push(label);
    svg.replaceChildren(...shapes);
    document.getElementById(`${chart}-legend`).replaceChildren(...legend);
  },

  async loadAnalytics() {
    if (document.getElementById("dashboard").hidden || this.analyticsRunning) return;
    this.analyticsRunning = true;
    try {
      await this.showAnalytics();
    } finally {
      this.analyticsRunning = false;
    }
  },

  async showAnalytics() {
    await attempt("conversion-error", async () => {
      const figures = await Api.request("GET", "/admin/analytics");
      const rows = [
        ["Carts created", figures.carts_created],
        ["Converted", figures.carts_converted],
        ["Abandoned", figures.carts_abandoned],
        ["Expired", figures.carts_expired],
        ["Conversion rate", `${(figures.conversion_rate * 100).toFixed(1)} %`],
        ["Average cart", `$${Api.money(figures.average_cart_value)}`],
        ["Average order", `$${Api.money(figures.average_order_value)}`],
      ];
      document.getElementById("conversion").replaceChildren(
        ...rows.flatMap(([label, value]) => [element("dt", label), element("dd", String(value))]));
    });
  },
};

document.addEventListener("DOMContentLoaded", () => Ops.start());
