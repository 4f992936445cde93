#!/usr/bin/env node
// Writes build/contracts/poseidon.json: creation bytecode and ABI of circomlib's
// Poseidon hash contracts for the arities the rollup contract uses. Each contract
// exposes `poseidon(uint256[n]) returns (uint256)` (and the same over bytes32[n]).
//
//   node scripts/gen_poseidon.js [--yul=2]
//
// --yul=LIST builds the listed arities (<= 6) with the Yul generator below
// instead of circomlibjs (every arity above 6 always uses it). The default list
// is empty: Poseidon2 costs the same ~28k either way (anvil, osaka, execution
// gas of one call) and stays circomlibjs's. (The Yul form pays off from 4
// inputs: Poseidon6 ~67k instead of ~132k.)
//
// Output: { "poseidon2": { "nInputs": 2, "generator": "...", "abi": [...],
//           "constants": ["0x...", ...], "bytecode": "0x..." }, ... }
//
// Deploying an entry: deploy each creation code of `constants` first, in order
// (data-only contracts), then `bytecode` with their addresses appended, ABI-encoded
// (32 bytes each), as its constructor's arguments. `constants` is empty for the
// contracts that hold all their constants.
//
// Arities 2 and 4 come from circomlibjs `poseidon_gencontract` (createCode /
// generateABI). That generator keeps the whole Poseidon state on the EVM stack and
// fails for 7 or more inputs (it needs DUP17). For those, `yulPoseidon` below
// writes a Yul contract over circomlibjs's optimised constants (the same hash:
// sparse partial-round matrices, as circomlib's Poseidon circuit uses) with the
// state in memory. Its constants (about 35 KB for 7 inputs, about 65 KB for 15) do not
// fit in one contract next to the code (EIP-170: 24,576 bytes), so what does not
// fit is split over data-only contracts that the hash contract reads with
// EXTCODECOPY. They are deployed on their own: 15 inputs need three, more than
// one creation transaction may carry (EIP-3860: 49,152 bytes of initcode). The
// hash contract's constructor checks each one's code hash, so a wrong or
// misordered address fails the deployment instead of giving wrong hashes.
"use strict";

const fs = require("fs");
const path = require("path");
const { pathToFileURL } = require("url");

const repoRoot = path.resolve(__dirname, "..");
const nodeModules = path.join(repoRoot, "node_modules");
const solc = require(path.join(nodeModules, "solc"));
const { keccak256 } = require(path.join(nodeModules, "ethers")).utils;
const generatorPath = path.join(nodeModules, "circomlibjs", "src", "poseidon_gencontract.js");
const optConstants = require(path.join(nodeModules, "circomlibjs", "src", "poseidon_constants_opt.json"));
const outDir = path.join(repoRoot, "build", "contracts");
const outFile = path.join(outDir, "poseidon.json");

const ARITIES = [2, 4, 5, 7, 9, 15];
const CIRCOMLIBJS_MAX_INPUTS = 6;
const Q = "0x30644e72e131a029b85045b68181585d2833e84879b9709143e1f593f0000001";
const N_ROUNDS_F = 8;
const N_ROUNDS_P = [56, 57, 56, 60, 60, 63, 64, 63, 60, 66, 60, 65, 70, 60, 64, 68];
const MAX_RUNTIME = 24576; // EIP-170
// A data contract's code is a STOP, then its share of the constants.
const CHUNK_BYTES = MAX_RUNTIME - 1;
// Each product is < q and 5q < 2^256: up to this many products can be summed with ADD.
const LAZY_GROUP = 4;

const word = (value) => BigInt(value).toString(16).padStart(64, "0");
const hex32 = (value) => "0x" + word(value);
const addr = (n) => "0x" + n.toString(16);

function compileStandardJson(input) {
  const output = JSON.parse(solc.compile(JSON.stringify(input)));
  const errors = (output.errors || []).filter((e) => e.severity === "error");
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join("\n"));
  return output;
}

/** The 4-byte selectors of poseidon(uint256[n]) and poseidon(bytes32[n]), from solc. */
function selectors(n) {
  const source = `// SPDX-License-Identifier: MIT
pragma solidity ^0.8.0;
interface I {
    function poseidon(uint256[${n}] calldata input) external pure returns (uint256);
    function poseidon(bytes32[${n}] calldata input) external pure returns (bytes32);
}`;
  const out = compileStandardJson({
    language: "Solidity",
    sources: { "I.sol": { content: source } },
    settings: { outputSelection: { "*": { "*": ["evm.methodIdentifiers"] } } },
  });
  const ids = out.contracts["I.sol"].I.evm.methodIdentifiers;
  return [ids[`poseidon(uint256[${n}])`], ids[`poseidon(bytes32[${n}])`]];
}

/** Sum of `terms` (each an expression < q) mod q, adding LAZY_GROUP at a time without reduction. */
function sumMod(terms, q = "q") {
  const groups = [];
  for (let i = 0; i < terms.length; i += LAZY_GROUP) {
    groups.push(terms.slice(i, i + LAZY_GROUP).reduce((acc, term) => (acc === null ? term : `add(${acc}, ${term})`), null));
  }
  if (groups.length === 1) return `mod(${groups[0]}, ${q})`;
  return groups.slice(1).reduce((acc, g) => `addmod(${acc}, ${g}, ${q})`, groups[0]);
}

/**
 * The Yul source of a Poseidon contract for `n` inputs, and of its runtime object alone
 * (`runtime`: compiled on its own, its size is the deployed code's). `inlineBytes` of the
 * constants blob stay in the contract's own code; the rest is split into `chunks` (hex,
 * at most CHUNK_BYTES each), the data contracts' shares, whose addresses the constructor
 * takes.
 *
 * Memory: A = words [0, t), B = words [t, 2t), then the constants blob:
 *   full-round constants, 8 rows of t words (row 0 is added to the initial state),
 *   then per partial round r: [C_r, S_r (2t - 1 words)].
 * Full rounds read B, apply S-box and constants into A, then mix A into B.
 */
function yulPoseidon(n, inlineBytes) {
  const t = n + 1;
  const nRoundsP = N_ROUNDS_P[t - 2];
  const C = optConstants.C[t - 2];
  const S = optConstants.S[t - 2];
  const M = optConstants.M[t - 2];
  const P = optConstants.P[t - 2];
  const halfF = N_ROUNDS_F / 2;
  if (C.length !== t * N_ROUNDS_F + nRoundsP || S.length !== (2 * t - 1) * nRoundsP) throw new Error("unexpected constants");

  // Constants blob.
  const blob = [];
  const fullRow = (offset) => C.slice(offset, offset + t);
  for (let r = 0; r <= halfF; r++) blob.push(...fullRow(r * t)); // rows 0..halfF
  for (let r = 0; r < halfF - 1; r++) blob.push(...fullRow((halfF + 1) * t + nRoundsP + r * t));
  const fullRows = 2 * halfF; // halfF + 1 + (halfF - 1)
  for (let r = 0; r < nRoundsP; r++) blob.push(C[(halfF + 1) * t + r], ...S.slice((2 * t - 1) * r, (2 * t - 1) * (r + 1)));
  const blobHex = blob.map(word).join("");
  const blobBytes = blobHex.length / 2;
  const inline = Math.min(inlineBytes, blobBytes);
  const chunks = [];
  for (let at = inline; at < blobBytes; at += CHUNK_BYTES) chunks.push(blobHex.slice(2 * at, 2 * Math.min(at + CHUNK_BYTES, blobBytes)));

  const A = (i) => addr(32 * i);
  const B = (i) => addr(32 * (t + i));
  const base = 64 * t;
  const fullRowAt = (row) => base + 32 * t * row;
  const partialBase = fullRowAt(fullRows);
  const partialStride = 32 * 2 * t;
  const [selUint, selBytes] = selectors(n);

  const mix = (matrix, i) => sumMod([...Array(t).keys()].map((j) => `mulmod(${hex32(matrix[j][i])}, mload(${A(j)}), q)`));
  const mixFn = (name, matrix) =>
    `      function ${name}(q) {\n` +
    [...Array(t).keys()].map((i) => `        mstore(${B(i)}, ${mix(matrix, i)})`).join("\n") +
    "\n      }";

  const lines = [];
  lines.push(`// Poseidon hash (circomlib-compatible), ${n} inputs. Generated by scripts/gen_poseidon.js: do not edit.`);
  lines.push(`object "Poseidon${n}" {`);
  lines.push("  code {");
  if (chunks.length > 0) {
    lines.push(`    // Constructor arguments: the data contracts' addresses, ABI-encoded, in order.`);
    lines.push(`    codecopy(0, sub(codesize(), ${addr(32 * chunks.length)}), ${addr(32 * chunks.length)})`);
    chunks.forEach((chunk, i) => {
      lines.push(`    let constants${i} := mload(${addr(32 * i)})`);
      lines.push(`    if iszero(eq(extcodehash(constants${i}), ${keccak256("0x00" + chunk)})) { revert(0, 0) }`);
    });
  }
  lines.push('    datacopy(0, dataoffset("runtime"), datasize("runtime"))');
  chunks.forEach((_, i) => lines.push(`    setimmutable(0, "constants${i}", constants${i})`));
  lines.push('    return(0, datasize("runtime"))');
  lines.push("  }");
  const runtimeStart = lines.length;
  lines.push('  object "runtime" {');
  lines.push("    code {");
  lines.push("      if callvalue() { revert(0, 0) }");
  lines.push(`      if lt(calldatasize(), ${4 + 32 * n}) { revert(0, 0) }`);
  lines.push("      let selector := shr(224, calldataload(0))");
  lines.push(`      if iszero(or(eq(selector, 0x${selUint}), eq(selector, 0x${selBytes}))) { revert(0, 0) }`);
  if (inline > 0) lines.push(`      codecopy(${addr(base)}, dataoffset("constants"), datasize("constants"))`);
  chunks.forEach((chunk, i) =>
    lines.push(`      extcodecopy(loadimmutable("constants${i}"), ${addr(base + inline + CHUNK_BYTES * i)}, 1, ${addr(chunk.length / 2)})`),
  );
  lines.push(`      let field := ${Q}`);
  lines.push(`      mstore(${B(0)}, mload(${addr(base)}))`);
  for (let i = 1; i < t; i++) lines.push(`      mstore(${B(i)}, addmod(calldataload(${4 + 32 * (i - 1)}), mload(${addr(base + 32 * i)}), field))`);
  lines.push(`      for { let row := ${addr(fullRowAt(1))} } lt(row, ${addr(fullRowAt(halfF))}) { row := add(row, ${addr(32 * t)}) } {`);
  lines.push("        arkSbox(row, field)");
  lines.push("        mixM(field)");
  lines.push("      }");
  lines.push(`      arkSbox(${addr(fullRowAt(halfF))}, field)`);
  lines.push("      mixP(field)");
  lines.push(`      for { let p := ${addr(partialBase)} } lt(p, ${addr(partialBase + partialStride * nRoundsP)}) { p := add(p, ${addr(partialStride)}) } {`);
  lines.push("        partialRound(p, field)");
  lines.push("      }");
  lines.push(`      for { let row := ${addr(fullRowAt(halfF + 1))} } lt(row, ${addr(fullRowAt(fullRows))}) { row := add(row, ${addr(32 * t)}) } {`);
  lines.push("        arkSbox(row, field)");
  lines.push("        mixM(field)");
  lines.push("      }");
  lines.push(`      mstore(0, ${sumMod([...Array(t).keys()].map((j) => `mulmod(${hex32(M[j][0])}, pow5(mload(${B(j)}), field), field)`), "field")})`);
  lines.push("      return(0, 32)");
  lines.push("");
  lines.push("      function pow5(x, q) -> y {");
  lines.push("        let x2 := mulmod(x, x, q)");
  lines.push("        y := mulmod(mulmod(x2, x2, q), x, q)");
  lines.push("      }");
  lines.push("      function arkSbox(row, q) {");
  for (let i = 0; i < t; i++) lines.push(`        mstore(${A(i)}, addmod(pow5(mload(${B(i)}), q), mload(add(row, ${addr(32 * i)})), q))`);
  lines.push("      }");
  lines.push(mixFn("mixM", M));
  lines.push(mixFn("mixP", P));
  lines.push("      function partialRound(p, q) {");
  lines.push(`        let s0 := addmod(pow5(mload(${B(0)}), q), mload(p), q)`);
  const sTerms = [`mulmod(s0, mload(add(p, 0x20)), q)`];
  for (let j = 1; j < t; j++) sTerms.push(`mulmod(mload(${B(j)}), mload(add(p, ${addr(32 * (1 + j))})), q)`);
  lines.push(`        let n0 := ${sumMod(sTerms)}`);
  for (let k = 1; k < t; k++) lines.push(`        mstore(${B(k)}, addmod(mload(${B(k)}), mulmod(s0, mload(add(p, ${addr(32 * (t + k))})), q), q))`);
  lines.push(`        mstore(${B(0)}, n0)`);
  lines.push("      }");
  lines.push("    }");
  if (inline > 0) lines.push(`    data "constants" hex"${blobHex.slice(0, 2 * inline)}"`);
  lines.push("  }");
  // On its own, the runtime has no constructor to set its immutables: a PUSH32 stands
  // in for each (what loadimmutable assembles to), so the size is the deployed code's. Its
  // value has no shorter form (solc assembles 2^256 - 1 as PUSH0 NOT).
  const runtime = lines
    .slice(runtimeStart)
    .join("\n")
    .split("\n")
    .map((line) => line.replace(/^  /, "").replace(/loadimmutable\("constants\d+"\)/g, "0x" + "a5".repeat(32)));
  lines.push("}");
  return { source: lines.join("\n") + "\n", runtime: runtime.join("\n") + "\n", chunks };
}

/** The Yul source of data contract `i` of Poseidon`n`, which holds `chunk` (hex). */
function yulConstants(n, i, chunk) {
  return [
    `// Constants of Poseidon${n}, part ${i}. Generated by scripts/gen_poseidon.js: do not edit.`,
    `object "Poseidon${n}Constants${i}" {`,
    "  code {",
    '    datacopy(0, dataoffset("blob"), datasize("blob"))',
    '    return(0, datasize("blob"))',
    "  }",
    "  // A leading STOP so that the data can never run as code.",
    `  data "blob" hex"00${chunk}"`,
    "}",
    "",
  ].join("\n");
}

function compileYul(name, source) {
  const out = compileStandardJson({
    language: "Yul",
    sources: { [`${name}.yul`]: { content: source } },
    settings: {
      // solc's optimiser makes this code slower (it re-materialises the modulus and
      // then loads every copy with CODECOPY): ~77k gas per Poseidon7 call without
      // it, ~147k with it.
      optimizer: { enabled: false },
      outputSelection: { "*": { "*": ["evm.bytecode.object"] } },
    },
  });
  return "0x" + out.contracts[`${name}.yul`][name].evm.bytecode.object;
}

const byteLength = (hexString) => (hexString.length - 2) / 2;

/**
 * A Poseidon contract from Yul, with as many constants inline as EIP-170 allows, and the
 * creation codes of its data contracts. The code's size first comes from a probe that keeps
 * every constant in data contracts; inline data can still lengthen the code a little (wider
 * offsets), so the room shrinks a word at a time until the contract fits.
 */
function yulContract(n) {
  const name = `Poseidon${n}`;
  const codeBytes = byteLength(compileYul("runtime", yulPoseidon(n, 0).runtime));
  if (codeBytes > MAX_RUNTIME) throw new Error(`${name}: code too large (EIP-170)`);
  let room = Math.floor((MAX_RUNTIME - codeBytes) / 32) * 32;
  while (byteLength(compileYul("runtime", yulPoseidon(n, room).runtime)) > MAX_RUNTIME) room -= 32;
  const { source, chunks } = yulPoseidon(n, room);
  const bytecode = compileYul(name, source);
  const constants = chunks.map((chunk, i) => compileYul(`${name}Constants${i}`, yulConstants(n, i, chunk)));
  return { source, bytecode, constants };
}

const DEFAULT_YUL_ARITIES = [];

async function main() {
  const args = process.argv.slice(2);
  const yulArities = new Set(args.length === 0 ? DEFAULT_YUL_ARITIES : []);
  for (const arg of args) {
    const match = /^--yul=([0-9,]*)$/.exec(arg);
    if (!match) {
      process.stderr.write("usage: node scripts/gen_poseidon.js [--yul=N,N,...]\n");
      process.exit(2);
    }
    for (const n of match[1].split(",").filter(Boolean)) yulArities.add(Number(n));
  }
  const { createCode, generateABI } = await import(pathToFileURL(generatorPath).href);
  fs.mkdirSync(outDir, { recursive: true });
  const out = {};
  for (const n of ARITIES) {
    const entry = { nInputs: n, abi: generateABI(n) };
    if (n <= CIRCOMLIBJS_MAX_INPUTS && !yulArities.has(n)) {
      entry.generator = "circomlibjs poseidon_gencontract";
      entry.constants = [];
      entry.bytecode = createCode(n);
    } else {
      const { source, bytecode, constants } = yulContract(n);
      const yulFile = path.join(outDir, `poseidon${n}.yul`);
      fs.writeFileSync(yulFile, source);
      entry.generator = `scripts/gen_poseidon.js (Yul, circomlibjs optimised constants; source ${path.relative(repoRoot, yulFile)})`;
      entry.constants = constants;
      entry.bytecode = bytecode;
    }
    out[`poseidon${n}`] = entry;
  }
  const tmp = `${outFile}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(out, null, 2) + "\n");
  fs.renameSync(tmp, outFile);
  process.stdout.write(`wrote ${path.relative(repoRoot, outFile)} (arities ${ARITIES.join(", ")})\n`);
}

module.exports = { yulContract };

if (require.main === module) {
  main().catch((err) => {
    process.stderr.write(`${err.stack || err}\n`);
    process.exit(1);
  });
}
