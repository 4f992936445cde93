// Keeps a market page's book and trades live over the market's WebSocket
// feed (GET /v1/markets/{market}/feed: a "book" snapshot on connecting, then
// "trade" messages and a "book" snapshot after each committed group).
// Numbers are formatted exactly as sequencer/service/explorer/units.py does (format.mjs).
import { priceText as priceIn, tokenAmount } from "./format.mjs";

const KEPT_TRADES = 50;

/** Follows the market page `root` (the #market element) over its feed. */
function follow(root) {
  const baseDecimals = root.dataset.baseDecimals;
  const quoteDecimals = root.dataset.quoteDecimals;
  const baseAmount = (value) => tokenAmount(value, baseDecimals);
  const quoteAmount = (value) => tokenAmount(value, quoteDecimals);
  const priceText = (value) => priceIn(value, baseDecimals, quoteDecimals);

  function cell(text, className) {
    const td = document.createElement("td");
    if (className) {
      const span = document.createElement("span");
      span.className = className;
      span.textContent = text;
      td.appendChild(span);
    } else {
      td.textContent = text;
    }
    return td;
  }

  function emptyRow(body, columns, text) {
    const row = document.createElement("tr");
    row.className = "empty";
    const td = cell(text);
    td.colSpan = columns;
    row.appendChild(td);
    body.appendChild(row);
  }

  function renderSide(side, levels) {
    const body = document.getElementById("book-" + side);
    body.replaceChildren();
    if (levels.length === 0) return emptyRow(body, 4, "No orders.");
    const largest = levels.reduce((most, level) => (BigInt(level.amount) > most ? BigInt(level.amount) : most), 0n);
    for (const level of levels) {
      const row = document.createElement("tr");
      row.append(cell(priceText(level.price)), cell(baseAmount(level.amount)), cell(String(level.orders)));
      const bar = document.createElement("span");
      bar.className = "bar " + side;
      bar.style.width = String((100n * BigInt(level.amount)) / largest) + "%";
      const depth = document.createElement("td");
      depth.appendChild(bar);
      row.appendChild(depth);
      body.appendChild(row);
    }
  }

  function addTrade(trade) {
    const body = document.getElementById("trades");
    const placeholder = body.querySelector("tr.empty");
    if (placeholder) placeholder.remove();
    const row = document.createElement("tr");
    const time = new Date(Number(trade.time) * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC");
    row.append(
      cell(time),
      cell(trade.taker_side, trade.taker_side),
      cell(priceText(trade.price)),
      cell(baseAmount(trade.base)),
      cell(quoteAmount(trade.quote)),
    );
    body.prepend(row);
    while (body.rows.length > KEPT_TRADES) body.deleteRow(-1);
  }

  function connect(delay) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const feed = new WebSocket(scheme + "//" + location.host + "/v1/markets/" + encodeURIComponent(root.dataset.market) + "/feed");
    const state = document.getElementById("live-state");
    feed.onmessage = (event) => {
      const message = JSON.parse(event.data);
      if (message.type === "book") {
        renderSide("bids", message.bids);
        renderSide("asks", message.asks);
        root.dataset.live = String(message.sequence);
        state.textContent = "Live: log entry " + message.sequence + ".";
      } else if (message.type === "trade") {
        addTrade(message);
      }
    };
    feed.onclose = () => {
      root.dataset.live = "closed";
      state.textContent = "The feed closed; reconnecting…";
      setTimeout(() => connect(Math.min(delay * 2, 30000)), delay);
    };
  }
  connect(1000);
}

const market = document.getElementById("market");
if (market) follow(market);
