// Matchproof's signing, in the browser: Poseidon, Baby JubJub, BLAKE-512 and
// EdDSA-Poseidon exactly as sequencer/crypto computes them (circomlib's
// definitions), the messages of sequencer/spec/transactions.py, and the L2
// key derived from an Ethereum key as sequencer/crypto/keys.py derives it.
// tests/web/test_signer.py runs this module under node against the Python
// on shared inputs. Plain BigInt arithmetic: a signature takes a few
// milliseconds, which a trader clicking a button does not notice.

export const FIELD = 21888242871839275222246405745257275088548364400416034343698204186575808495617n;

const mod = (a, m = FIELD) => ((a % m) + m) % m;

function power(base, exponent, modulus) {
  let result = 1n;
  base = mod(base, modulus);
  while (exponent > 0n) {
    if (exponent & 1n) result = (result * base) % modulus;
    base = (base * base) % modulus;
    exponent >>= 1n;
  }
  return result;
}

// ---------------------------------------------------------------- Poseidon

const PARTIAL_ROUNDS = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];
const FULL_ROUNDS = 8;
let poseidonConstants = null;

/** Takes circomlib's round constants and matrices ({C, M}, hex strings), as poseidon_constants.json holds them. */
export function setPoseidonConstants(json) {
  poseidonConstants = {
    C: json.C.map((row) => row.map(BigInt)),
    M: json.M.map((matrix) => matrix.map((row) => row.map(BigInt))),
  };
}

const pow5 = (a) => {
  const square = (a * a) % FIELD;
  return (((square * square) % FIELD) * a) % FIELD;
};

/** circomlib's Poseidon of 1 to 16 field elements. */
export function poseidon(inputs) {
  if (poseidonConstants === null) throw new Error("Poseidon constants not loaded");
  const t = inputs.length + 1;
  const C = poseidonConstants.C[t - 2];
  const M = poseidonConstants.M[t - 2];
  const partial = PARTIAL_ROUNDS[t - 2];
  let state = [0n, ...inputs.map((value) => {
    const element = BigInt(value);
    if (element < 0n || element >= FIELD) throw new Error(`not a field element: ${value}`);
    return element;
  })];
  for (let round = 0; round < FULL_ROUNDS + partial; round++) {
    state = state.map((a, i) => (a + C[round * t + i]) % FIELD);
    if (round < FULL_ROUNDS / 2 || round >= FULL_ROUNDS / 2 + partial) {
      state = state.map(pow5);
    } else {
      state[0] = pow5(state[0]);
    }
    state = state.map((_, i) => state.reduce((sum, a, j) => sum + M[i][j] * a, 0n) % FIELD);
  }
  return state[0];
}

// ---------------------------------------------------------------- BLAKE-512 (the SHA-3 finalist, not BLAKE2)

const MASK64 = (1n << 64n) - 1n;
const IV = [
  0x6a09e667f3bcc908n, 0xbb67ae8584caa73bn, 0x3c6ef372fe94f82bn, 0xa54ff53a5f1d36f1n,
  0x510e527fade682d1n, 0x9b05688c2b3e6c1fn, 0x1f83d9abfb41bd6bn, 0x5be0cd19137e2179n,
];
const PI = [
  0x243f6a8885a308d3n, 0x13198a2e03707344n, 0xa4093822299f31d0n, 0x082efa98ec4e6c89n,
  0x452821e638d01377n, 0xbe5466cf34e90c6cn, 0xc0ac29b7c97c50ddn, 0x3f84d5b5b5470917n,
  0x9216d5d98979fb1bn, 0xd1310ba698dfb5acn, 0x2ffd72dbd01adfb7n, 0xb8e1afed6a267e96n,
  0xba7c9045f12c7f99n, 0x24a19947b3916cf7n, 0x0801f2e2858efc16n, 0x636920d871574e69n,
];
const SIGMA = [
  [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15],
  [14, 10, 4, 8, 9, 15, 13, 6, 1, 12, 0, 2, 11, 7, 5, 3],
  [11, 8, 12, 0, 5, 2, 15, 13, 10, 14, 3, 6, 7, 1, 9, 4],
  [7, 9, 3, 1, 13, 12, 11, 14, 2, 6, 5, 10, 4, 0, 15, 8],
  [9, 0, 5, 7, 2, 4, 10, 15, 14, 1, 11, 12, 6, 8, 3, 13],
  [2, 12, 6, 10, 0, 11, 8, 3, 4, 13, 7, 5, 15, 14, 1, 9],
  [12, 5, 1, 15, 14, 13, 4, 10, 0, 7, 6, 3, 9, 2, 8, 11],
  [13, 11, 7, 14, 12, 1, 3, 9, 5, 0, 15, 4, 8, 6, 2, 10],
  [6, 15, 14, 9, 11, 3, 0, 8, 12, 2, 13, 7, 1, 4, 10, 5],
  [10, 2, 8, 4, 7, 6, 1, 5, 15, 11, 9, 14, 3, 12, 13, 0],
];
const G_WORDS = [[0, 4, 8, 12], [1, 5, 9, 13], [2, 6, 10, 14], [3, 7, 11, 15],
  [0, 5, 10, 15], [1, 6, 11, 12], [2, 7, 8, 13], [3, 4, 9, 14]];

const rotr = (x, n) => ((x >> n) | (x << (64n - n))) & MASK64;

function compress(chain, block, counter) {
  const m = [];
  for (let i = 0; i < 128; i += 8) m.push(bytesToBig(block.subarray(i, i + 8)));
  const t0 = counter & MASK64;
  const t1 = counter >> 64n;
  const v = [...chain, PI[0], PI[1], PI[2], PI[3], t0 ^ PI[4], t0 ^ PI[5], t1 ^ PI[6], t1 ^ PI[7]];
  for (let round = 0; round < 16; round++) {
    const sigma = SIGMA[round % 10];
    G_WORDS.forEach(([a, b, c, d], i) => {
      const j = sigma[2 * i];
      const k = sigma[2 * i + 1];
      v[a] = (v[a] + v[b] + (m[j] ^ PI[k])) & MASK64;
      v[d] = rotr(v[d] ^ v[a], 32n);
      v[c] = (v[c] + v[d]) & MASK64;
      v[b] = rotr(v[b] ^ v[c], 25n);
      v[a] = (v[a] + v[b] + (m[k] ^ PI[j])) & MASK64;
      v[d] = rotr(v[d] ^ v[a], 16n);
      v[c] = (v[c] + v[d]) & MASK64;
      v[b] = rotr(v[b] ^ v[c], 11n);
    });
  }
  return chain.map((word, i) => word ^ v[i] ^ v[i + 8]);
}

/** The 64-byte BLAKE-512 digest of a Uint8Array (the salt zero, as npm blake-hash). */
export function blake512(data) {
  const zeros = (((128 - 16 - 1 - data.length) % 128) + 128) % 128;
  const padded = new Uint8Array(data.length + 1 + zeros + 16);
  padded.set(data);
  padded[data.length] = 0x80;
  padded[data.length + zeros] |= 0x01;
  const bitLength = BigInt(data.length) * 8n;
  padded.set(bigToBytes(bitLength, 16), data.length + 1 + zeros);
  let chain = [...IV];
  for (let start = 0; start < padded.length; start += 128) {
    let counter = 0n;
    if (start < data.length) {
      const end = BigInt(start + 128) * 8n;
      counter = bitLength < end ? bitLength : end;
    }
    chain = compress(chain, padded.subarray(start, start + 128), counter);
  }
  const digest = new Uint8Array(64);
  chain.forEach((word, i) => digest.set(bigToBytes(word, 8), 8 * i));
  return digest;
}

// ---------------------------------------------------------------- Baby JubJub

const A = 168700n;
const D = 168696n;
export const SUBGROUP_ORDER = 2736030358979909402780800718157159386076813972158567259200215660948447373041n;
const BASE8 = [
  5299619240641551281634865583518297030282874472190772894086521144482721001553n,
  16950150798460657717958625567821834550301663161624707787222815936182638968203n,
];

function add([x1, y1], [x2, y2]) {
  const dxy = (D * x1 * x2 % FIELD) * y1 * y2 % FIELD;
  const x = (x1 * y2 + y1 * x2) % FIELD * power(1n + dxy, FIELD - 2n, FIELD) % FIELD;
  const y = mod(y1 * y2 - A * x1 * x2) * power(mod(1n - dxy), FIELD - 2n, FIELD) % FIELD;
  return [x, y];
}

function multiply(point, scalar) {
  let result = [0n, 1n];
  let addend = point;
  while (scalar > 0n) {
    if (scalar & 1n) result = add(result, addend);
    addend = add(addend, addend);
    scalar >>= 1n;
  }
  return result;
}

// ---------------------------------------------------------------- EdDSA-Poseidon (circomlibjs prv2pub, signPoseidon)

function expand(privateKey) {
  const digest = blake512(privateKey);
  digest[0] &= 0xf8;
  digest[31] &= 0x7f;
  digest[31] |= 0x40;
  return { secret: littleToBig(digest.subarray(0, 32)), prefix: digest.slice(32) };
}

/** The public key [ax, ay] of a 32-byte private key. */
export function publicKey(privateKey) {
  return multiply(BASE8, expand(privateKey).secret >> 3n);
}

/** The signature {r8x, r8y, s} of a field element under a 32-byte private key. */
export function sign(privateKey, message) {
  const { secret, prefix } = expand(privateKey);
  const [ax, ay] = multiply(BASE8, secret >> 3n);
  const nonceInput = new Uint8Array(64);
  nonceInput.set(prefix);
  nonceInput.set(bigToBytes(message, 32).reverse(), 32);
  const nonce = littleToBig(blake512(nonceInput)) % SUBGROUP_ORDER;
  const [r8x, r8y] = multiply(BASE8, nonce);
  const challenge = poseidon([r8x, r8y, ax, ay, message]);
  return { r8x, r8y, s: (nonce + challenge * secret) % SUBGROUP_ORDER };
}

// ---------------------------------------------------------------- messages (sequencer/spec/transactions.py)

export const ORDER_KINDS = { limit: 0, ioc: 1, fok: 2, post_only: 3, market: 4 };

/** The message an order signs: Poseidon([1, account, id, base, quote, side (0 buy, 1 sell), price, amount, max fee, expiry, kind]). */
export function orderMessage(order) {
  return poseidon([1n, order.account_index, order.order_id, order.base_token, order.quote_token,
    order.side === "sell" ? 1n : 0n, order.price, order.amount, order.max_fee_bps, order.expiry,
    ORDER_KINDS[order.kind]].map(BigInt));
}

/** Every signed message hashes 11 inputs: a tag, its fields, zeros after them (MESSAGE_INPUTS). */
const MESSAGE_INPUTS = 11;
const signedMessage = (fields) =>
  poseidon([...fields.map(BigInt), ...Array(MESSAGE_INPUTS - fields.length).fill(0n)]);

export const cancelMessage = (account, orderId) => signedMessage([16n, account, orderId]);
export const cancelAllMessage = (account, minOrderId) => signedMessage([17n, account, minOrderId]);
export const withdrawMessage = (account, token, amount, nonce) => signedMessage([2n, account, token, amount, nonce]);

// ---------------------------------------------------------------- the L2 key (docs/DESIGN.md, key derivation)

/** The EIP-712 parts a wallet signs to derive its L2 key (sequencer/crypto/keys.py l2_key_typed_data). */
export function l2KeyTypedData(chainId, rollup) {
  return {
    domain: { name: "Matchproof", version: "1", chainId, verifyingContract: rollup },
    types: { MatchproofKey: [{ name: "purpose", type: "string" }] },
    message: { purpose: "Matchproof L2 key v1" },
  };
}

/** The 32-byte L2 private key: keccak256 of the 65-byte EIP-712 signature (ethers v5's Wallet or a wallet's signer). */
export async function deriveL2PrivateKey(ethers, signer, chainId, rollup) {
  const { domain, types, message } = l2KeyTypedData(chainId, rollup);
  const signature = await signer._signTypedData(domain, types, message);
  return ethers.utils.arrayify(ethers.utils.keccak256(signature));
}

// ---------------------------------------------------------------- bytes

function bytesToBig(bytes) {
  let value = 0n;
  for (const byte of bytes) value = (value << 8n) | BigInt(byte);
  return value;
}

function littleToBig(bytes) {
  return bytesToBig(Uint8Array.from(bytes).reverse());
}

function bigToBytes(value, length) {
  const bytes = new Uint8Array(length);
  for (let i = length - 1; i >= 0; i--) {
    bytes[i] = Number(value & 0xffn);
    value >>= 8n;
  }
  return bytes;
}
