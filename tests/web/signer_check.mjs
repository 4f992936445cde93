// Runs the trading page's signer (sequencer/service/explorer/static/signer.mjs)
// under node on the cases tests/web/test_signer.py writes to stdin, and
// prints what it computes as JSON (big integers as decimal strings).
import { readFileSync } from "node:fs";
import { ethers } from "ethers";
import * as signer from "../../sequencer/service/explorer/static/signer.mjs";

const constants = new URL("../../node_modules/circomlibjs/src/poseidon_constants.json", import.meta.url);
signer.setPoseidonConstants(JSON.parse(readFileSync(constants)));
const cases = JSON.parse(readFileSync(0, "utf8"));
const bytes = (hex) => Uint8Array.from(Buffer.from(hex, "hex"));
const hex = (array) => Buffer.from(array).toString("hex");

const derived = [];
for (const key of cases.ethKeys) {
  derived.push(hex(await signer.deriveL2PrivateKey(ethers, new ethers.Wallet(key), cases.chainId, cases.rollup)));
}
const result = {
  poseidon: cases.poseidon.map((inputs) => signer.poseidon(inputs.map(BigInt))),
  blake512: cases.blake512.map((data) => hex(signer.blake512(bytes(data)))),
  publicKeys: cases.keys.map((key) => signer.publicKey(bytes(key))),
  signatures: cases.signatures.map(([key, message]) => signer.sign(bytes(key), BigInt(message))),
  orderMessages: cases.orders.map((order) => signer.orderMessage(order)),
  cancelMessages: cases.cancels.map(([account, id]) => signer.cancelMessage(account, id)),
  cancelAllMessages: cases.cancels.map(([account, id]) => signer.cancelAllMessage(account, id)),
  withdrawMessages: cases.withdrawals.map((w) => signer.withdrawMessage(...w)),
  derivedKeys: derived,
};
process.stdout.write(JSON.stringify(result, (_, value) => (typeof value === "bigint" ? value.toString() : value)));
