// A frozen rollup's way-out page: sends, from the browser's wallet, the
// transactions `matchproof exit` would send (the page lists them in
// #leave's data-calls: each exit with the account's exit proof, its leaf
// and Merkle path rebuilt from L1 by the server; each refund; each claim;
// the perpetual claim with its proof, or its payout). The contract checks every proof, so
// the page need not be trusted with anything but showing them.
const section = document.getElementById("leave");
const ethers = window.ethers;

const EXIT_PROOF = "tuple(uint256 ax, uint256 ay, uint256 nonce, uint256 minOrderId, uint256 orderRoot, "
  + "uint256[16] balances, uint256 perpHash, uint256[] accountSiblings, uint256 perpCommitment)";

const ROLLUP_ABI = [
  `function exit(uint16 tokenId, ${EXIT_PROOF} proof, address recipient) returns (uint256)`,
  `function claimPerpetual(${EXIT_PROOF} proof, tuple(int256 collateral, int256[4] sizes, int256[4] settledIndex) side, `
    + "tuple(uint256 oraclePrice, uint256 oracleTime, int256 fundingIndex, uint256 fundingTime, uint256 openInterest)[4] "
    + "markets, uint256 collateralPool) returns (uint256)",
  "function payPerpetualClaim(address recipient) returns (uint256)",
  "function refundDeposit(uint256 requestIndex, tuple(uint32 accountIndex, address owner, uint256 ax, uint256 ay, "
    + "uint16 tokenId, uint96 amount) request) returns (uint256)",
  "function claim(address owner, uint16 tokenId) returns (uint256)",
];

function say(text, isError = false) {
  const out = document.getElementById("leave-message");
  out.textContent = text;
  out.className = isError ? "alert" : "meta";
}

async function leave() {
  const provider = new ethers.providers.Web3Provider(window.ethereum);
  await provider.send("eth_requestAccounts", []);
  const wallet = provider.getSigner();
  const address = (await wallet.getAddress()).toLowerCase();
  if (address !== section.dataset.owner.toLowerCase()) {
    throw new Error(`the wallet holds ${address}; this page is the way out of ${section.dataset.owner}`);
  }
  const rollup = new ethers.Contract(section.dataset.rollup, ROLLUP_ABI, wallet);
  const calls = JSON.parse(section.dataset.calls);
  for (const [done, call] of calls.entries()) {
    let sent;
    if (call.kind === "exit") sent = await rollup.exit(call.token, call.proof, address);
    else if (call.kind === "refund") sent = await rollup.refundDeposit(call.request, call.fields);
    else if (call.kind === "perpetual-claim") sent = await rollup.claimPerpetual(...call.arguments);
    else if (call.kind === "perpetual-payout") sent = await rollup.payPerpetualClaim(address);
    else sent = await rollup.claim(address, call.token);
    const receipt = await sent.wait();
    say(`Sent ${done + 1} of ${calls.length}: ${call.kind} (transaction ${receipt.transactionHash}).`);
  }
  say(`Done: ${calls.length} transaction(s) sent; everything listed above is in your wallet's address.`);
}

if (section && ethers && window.ethereum) {
  section.hidden = false;
  document.getElementById("leave-button").addEventListener("click", () => {
    leave().catch((error) => say(error.reason || (error.error && error.error.message) || error.message, true));
  });
}
