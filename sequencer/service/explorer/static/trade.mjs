// The trading page (/explorer/trade): a trader's key, balances and open
// orders; place, cancel and cancel-all orders of every kind, withdraw; and,
// through a browser wallet or the L1 node the sequencer names for browsers
// (data-node), deposit and claim on L1. Every request is signed here, in the
// browser, with the L2 key derived from the trader's Ethereum key exactly as
// the command line derives it (signer.mjs); the key never leaves the page.
// Amounts and prices are typed in tokens (decimals from the page's data
// attributes) and sent in base units.
import { priceText as priceIn, tokenAmount } from "./format.mjs";
import * as signer from "./signer.mjs";

const page = document.getElementById("trade");
const ethers = window.ethers;
const labels = JSON.parse(page.dataset.tokens);  // token id -> {symbol, decimals}
const markets = JSON.parse(page.dataset.markets);  // name -> MarketOut
const EXPIRY_S = 86_400n;  // a resting order's life (client/cli.py DEFAULT_LIFETIME_S)
const IMMEDIATE_EXPIRY_S = 60n;  // an order that never rests: its expiry bounds how long an operator could hold it back
const IMMEDIATE_KINDS = new Set(["ioc", "fok", "market"]);
const REFRESH_MS = 2000;  // how often a connected page shows the account (and L1) again
const ROLLUP_ABI = [
  "function deposit(uint16 tokenId, uint96 amount, uint256 ax, uint256 ay) payable returns (uint256)",
  "function requestFee() view returns (uint256)",
  "function registrationFee() view returns (uint256)",
  "function accountOf(address owner) view returns (bool registered, uint256 accountIndex)",
  "function tokens(uint256 tokenId) view returns (address)",
  "function claimable(address owner, uint256 tokenId) view returns (uint256)",
  "function claim(address owner, uint16 tokenId) returns (uint256)",
];
const ERC20_ABI = [
  "function balanceOf(address owner) view returns (uint256)",
  "function allowance(address owner, address spender) view returns (uint256)",
  "function approve(address spender, uint256 amount) returns (bool)",
];

let info = null;
let busy = false;  // an action is running: the periodic refresh waits
let trader = null;  // {address, l2, account, rollup (with an L1 node)}

const $ = (id) => document.getElementById(id);

function say(text, isError = false) {
  const out = $("message");
  out.textContent = text;
  out.className = isError ? "alert" : "meta";
}

async function api(path, body) {
  const response = await fetch(path, body === undefined ? {} : {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body),
  });
  const document_ = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = new Error(`${document_.code || response.status}: ${document_.message || response.statusText}`);
    error.code = document_.code;
    error.status = response.status;
    throw error;
  }
  return document_;
}

// ------------------------------------------------------------------ numbers

function label(token) {
  return labels[token] || { symbol: `token ${token}`, decimals: 18 };
}

/** "1,234.5" with `decimals` places -> base units; refuses more places than the token has. */
function toUnits(text, decimals) {
  const clean = text.trim().replace(/,/g, "");
  const match = /^(\d+)(?:\.(\d*))?$/.exec(clean);
  if (!match) throw new Error(`not a number: ${text}`);
  const fraction = match[2] || "";
  if (fraction.length > decimals) throw new Error(`${text} has more than ${decimals} decimal places`);
  return BigInt(match[1] + fraction.padEnd(decimals, "0"));
}

/** Base units in tokens, every decimal the token has. */
function fromUnits(value, decimals) {
  return tokenAmount(value, decimals, decimals);
}

/** A price typed in quote tokens per base token -> the protocol's fixed point (quote units per base unit, times 10^18). */
function toPrice(text, market) {
  const base = label(market.base_token).decimals;
  const quote = label(market.quote_token).decimals;
  const scaled = toUnits(text, 18 + quote);  // price * 10^(18 + quote); the protocol's is that / 10^base
  if (scaled % 10n ** BigInt(base) !== 0n) throw new Error(`price ${text} is finer than the protocol's`);
  return scaled / 10n ** BigInt(base);
}

function priceText(price, market) {
  return priceIn(price, label(market.base_token).decimals, label(market.quote_token).decimals);
}

// ------------------------------------------------------------------ account

/** An order id the sequencer takes, as the account document suggests it (engine/checks.py next_order_id). */
function nextOrderId(account) {
  if (account.next_order_id === null) {
    throw new Error("no order slot is free: every one holds an open order or has used its ids up; cancel first");
  }
  return BigInt(account.next_order_id);
}

async function refresh() {
  if (trader.rollup) await refreshL1();
  const address = trader.address;
  try {
    trader.account = await api(`/v1/accounts/by-address/${address}`);
  } catch (error) {
    if (error.status !== 404) throw error;
    trader.account = null;
    $("account").textContent = `${address} has no account yet: deposit on L1 first.`;
    $("balances").replaceChildren();
    $("orders").replaceChildren();
    return;
  }
  const account = trader.account;
  $("account").textContent = `Account ${account.account_index} · ${address} · nonce ${account.nonce}`;
  $("balances").replaceChildren(...account.balances.map((balance) => row([
    label(balance.token).symbol,
    fromUnits(balance.balance, label(balance.token).decimals),
    fromUnits(balance.locked, label(balance.token).decimals),
    fromUnits(balance.available, label(balance.token).decimals),
  ])));
  const orders = await api(`/v1/accounts/${account.account_index}/orders?status=open`);
  $("orders").replaceChildren(...orders.map((order) => {
    const market = markets[order.market];
    const tr = row([
      String(order.order_id), order.market, order.side, order.kind.replace("_", "-"),
      priceText(order.price, market),
      fromUnits(order.amount, label(market.base_token).decimals),
      fromUnits(order.filled, label(market.base_token).decimals),
    ]);
    const cell = document.createElement("td");
    const button = document.createElement("button");
    button.textContent = "Cancel";
    button.setAttribute("aria-label", `Cancel order ${order.order_id}`);
    button.addEventListener("click", () => act(() => cancel(order.order_id)));
    cell.appendChild(button);
    tr.appendChild(cell);
    return tr;
  }));
  if (!orders.length) $("orders").replaceChildren(emptyRow("No open orders.", 8));
}

function row(cells) {
  const tr = document.createElement("tr");
  for (const text of cells) {
    const td = document.createElement("td");
    td.textContent = text;
    tr.appendChild(td);
  }
  return tr;
}

function emptyRow(text, span) {
  const tr = document.createElement("tr");
  tr.className = "empty";
  const td = document.createElement("td");
  td.colSpan = span;
  td.textContent = text;
  tr.appendChild(td);
  return tr;
}

// ------------------------------------------------------------------ requests

const signature = (sig) => ({ r8x: sig.r8x.toString(), r8y: sig.r8y.toString(), s: sig.s.toString() });

async function placeOrder() {
  const market = markets[$("market").value];
  const base = label(market.base_token).decimals;
  const account = trader.account;
  const order = {
    account_index: account.account_index,
    order_id: nextOrderId(account).toString(),
    base_token: market.base_token,
    quote_token: market.quote_token,
    side: $("side").value,
    price: toPrice($("price").value, market).toString(),
    amount: toUnits($("amount").value, base).toString(),
    max_fee_bps: Math.max(market.maker_fee_bps, market.taker_fee_bps),
    expiry: (BigInt(Math.floor(Date.now() / 1000))
      + (IMMEDIATE_KINDS.has($("kind").value) ? IMMEDIATE_EXPIRY_S : EXPIRY_S)).toString(),
    kind: $("kind").value,
  };
  const signed = signer.sign(trader.l2, signer.orderMessage(order));
  const { base_token, quote_token, ...fields } = order;
  const placed = await api("/v1/orders", { market: market.name, order: fields, signature: signature(signed) });
  const traded = placed.trades.length ? `, ${placed.trades.length} trade(s)` : "";
  say(`Order ${placed.order.order_id} ${placed.order.status}${traded}.`);
}

async function cancel(orderId) {
  const index = trader.account.account_index;
  const signed = signer.sign(trader.l2, signer.cancelMessage(index, orderId));
  await api("/v1/orders/cancel", { account_index: index, order_id: orderId, signature: signature(signed) });
  say(`Order ${orderId} cancelled.`);
}

async function cancelAll() {
  const account = trader.account;
  const minOrderId = BigInt(account.highest_order_id) + 1n;
  const signed = signer.sign(trader.l2, signer.cancelAllMessage(account.account_index, minOrderId));
  const done = await api("/v1/orders/cancel-all", {
    account_index: account.account_index, min_order_id: minOrderId.toString(), signature: signature(signed),
  });
  say(`Cancelled ${done.cancelled.length} order(s).`);
}

async function withdraw() {
  const account = trader.account;
  const token = Number($("withdraw-token").value);
  const amount = toUnits($("withdraw-amount").value, label(token).decimals);
  const signed = signer.sign(trader.l2, signer.withdrawMessage(account.account_index, token, amount, account.nonce));
  const done = await api("/v1/withdrawals", {
    account_index: account.account_index, token, amount: amount.toString(), nonce: account.nonce,
    signature: signature(signed),
  });
  const where = done.withdrawal.batch === null ? "the next batch" : `batch ${done.withdrawal.batch}`;
  say(`Withdrawal of ${fromUnits(amount, label(token).decimals)} ${label(token).symbol} accepted for ${where}: `
    + "claim it on L1 once that batch is verified (matchproof claim).");
}

// ------------------------------------------------------------------ L1: deposits and claims

async function refreshL1() {
  const owner = trader.address;
  const rows = [];
  for (const [token, tokenLabel] of Object.entries(labels)) {
    const erc20 = new ethers.Contract(await trader.rollup.tokens(token), ERC20_ABI, trader.rollup.signer);
    const held = (await erc20.balanceOf(owner)).toBigInt();
    const claimable = (await trader.rollup.claimable(owner, token)).toBigInt();
    const tr = row([tokenLabel.symbol, fromUnits(held, tokenLabel.decimals), fromUnits(claimable, tokenLabel.decimals)]);
    const cell = document.createElement("td");
    if (claimable > 0n) {
      const button = document.createElement("button");
      button.textContent = "Claim";
      button.setAttribute("aria-label", `Claim ${tokenLabel.symbol}`);
      button.addEventListener("click", () => act(() => claim(Number(token))));
      cell.appendChild(button);
    }
    tr.appendChild(cell);
    rows.push(tr);
  }
  $("l1-balances").replaceChildren(...rows);
}

async function deposit() {
  const rollup = trader.rollup;
  const owner = trader.address;
  const token = Number($("deposit-token").value);
  const amount = toUnits($("deposit-amount").value, label(token).decimals);
  const erc20 = new ethers.Contract(await rollup.tokens(token), ERC20_ABI, rollup.signer);
  if ((await erc20.allowance(owner, rollup.address)).toBigInt() < amount) {
    say(`Approving the rollup to take ${fromUnits(amount, label(token).decimals)} ${label(token).symbol}...`);
    await (await erc20.approve(rollup.address, amount)).wait();
  }
  const [registered] = await rollup.accountOf(owner);
  let fee = (await rollup.requestFee()).toBigInt();
  if (!registered) fee += (await rollup.registrationFee()).toBigInt();
  const [ax, ay] = registered ? [0n, 0n] : signer.publicKey(trader.l2);
  say("Sending the deposit...");
  const sent = await rollup.deposit(token, amount, ax, ay, { value: fee });
  const receipt = await sent.wait();
  say(`Deposit of ${fromUnits(amount, label(token).decimals)} ${label(token).symbol} queued on L1 (transaction `
    + `${receipt.transactionHash}): the sequencer credits it as it reads the request, a batch consumes it.`);
}

async function claim(token) {
  const sent = await trader.rollup.claim(trader.address, token);
  const receipt = await sent.wait();
  say(`Claimed ${label(token).symbol} on L1 (transaction ${receipt.transactionHash}).`);
}

/** An L1 node's error in words: the reverted call's reason or custom error, else its message. */
function l1Error(error) {
  return error.reason || (error.error && error.error.message) || error.message;
}

/**
 * Connects as the owner of `ethSigner` (an ethers Wallet or a browser wallet's signer): its
 * EIP-712 signature derives the L2 key; `l1Signer`, if any, sends its deposits and claims.
 */
async function connectWith(ethSigner, l1Signer) {
  const address = await ethSigner.getAddress();
  const l2 = await signer.deriveL2PrivateKey(ethers, ethSigner, info.chain_id, info.rollup);
  const first = trader === null;
  trader = { address, l2, account: null, rollup: null };
  if (l1Signer) {
    trader.rollup = new ethers.Contract(info.rollup, ROLLUP_ABI, l1Signer);
    $("l1").hidden = false;
    $("no-l1").hidden = true;
  }
  for (const section of document.querySelectorAll(".needs-key")) section.hidden = false;
  await refresh();
  say("Connected: the L2 key is derived from your Ethereum key in this page and stays here.");
  if (first) {
    setInterval(() => {
      if (!busy) refresh().catch((error) => say(error.message, true));
    }, REFRESH_MS);
  }
}

/** Connects with a private key typed in (a development chain's), through the sequencer's node for browsers. */
async function connectKey() {
  const typed = $("eth-key").value.trim();
  const wallet = new ethers.Wallet(typed.startsWith("0x") ? typed : `0x${typed}`);
  $("eth-key").value = "";
  const node = page.dataset.node;
  await connectWith(wallet, node ? wallet.connect(new ethers.providers.JsonRpcProvider(node)) : null);
}

/** Connects with the browser's wallet (EIP-1193 `window.ethereum`), which signs and sends on its own chain. */
async function connectWallet() {
  const provider = new ethers.providers.Web3Provider(window.ethereum);
  await provider.send("eth_requestAccounts", []);
  const { chainId } = await provider.getNetwork();
  if (chainId !== info.chain_id) throw new Error(`the wallet is on chain ${chainId}; this rollup is on chain ${info.chain_id}`);
  const walletSigner = provider.getSigner();
  await connectWith(walletSigner, walletSigner);
}

/** Runs one action, shows its error in words with the server's code, then shows the account again. */
async function act(action) {
  busy = true;
  try {
    await action();
  } catch (error) {
    say(error.code && !error.reason ? error.message : l1Error(error), true);
  }
  if (trader) await refresh().catch((error) => say(error.message, true));
  busy = false;
}

async function start() {
  const constants = await fetch("/explorer/vendor/poseidon_constants.json");
  if (!constants.ok || !ethers) {
    say("The signing libraries are missing on this server (run scripts/bootstrap).", true);
    return;
  }
  signer.setPoseidonConstants(await constants.json());
  info = await api("/v1/info");
  for (const [form, action] of [
    ["connect-form", connectKey], ["order-form", placeOrder], ["withdraw-form", withdraw], ["deposit-form", deposit],
  ]) {
    $(form).addEventListener("submit", (event) => {
      event.preventDefault();
      act(action);
    });
  }
  $("cancel-all").addEventListener("click", () => act(cancelAll));
  if (window.ethereum) {
    $("wallet-row").hidden = false;
    $("connect-wallet").addEventListener("click", () => act(connectWallet));
  }
  page.dataset.ready = "true";
}

start().catch((error) => say(error.message, true));
