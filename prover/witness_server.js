// Computes witnesses of one circom circuit for many inputs in one node process.
//
// Usage: node witness_server.js <build>/main_js/main.wasm
//
// Starting node and compiling the circuit's WebAssembly costs far more than computing a
// witness, and the circuit tests compute hundreds, so prover/witness.py keeps this
// process running. It reads one JSON request per line on stdin,
//   {"input": {signal: value, ...}, "wtns": "/path/out.wtns" or null}
// (values as decimal strings, since JSON numbers lose precision above 2^53), and writes
// one JSON reply per line on stdout:
//   {"ok": true, "logs": [...]} or {"ok": false, "error": "<circom's message>", "logs": [...]}
// where logs are the lines the circuit printed with log(). Requests run one at a time.
"use strict";

const fs = require("fs");
const path = require("path");
const readline = require("readline");

const wasmPath = process.argv[2];
// circom writes its JS witness calculator next to the wasm.
const buildCalculator = require(path.join(path.dirname(path.resolve(wasmPath)), "witness_calculator.js"));
const wasmCode = fs.readFileSync(wasmPath);

// The calculator prints the circuit's log() lines with console.log: collect them per
// request, and keep stdout for replies only.
const writeReply = (reply) => process.stdout.write(JSON.stringify(reply) + "\n");
let logs = [];
console.log = (...parts) => logs.push(parts.join(" "));
console.error = console.log;
console.warn = console.log;

async function compute(calculator, request) {
  if (request.wtns) {
    fs.writeFileSync(request.wtns, await calculator.calculateWTNSBin(request.input, 0));
  } else {
    await calculator.calculateBinWitness(request.input, 0);
  }
}

async function main() {
  let calculator = null;
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const line of lines) {
    logs = [];
    try {
      calculator = calculator || (await buildCalculator(wasmCode));
      await compute(calculator, JSON.parse(line));
      writeReply({ ok: true, logs });
    } catch (error) {
      // The calculator keeps earlier error text in a closure buffer, so a failed one is
      // replaced rather than reused.
      calculator = null;
      const message = error instanceof Error ? error.message : String(error);
      writeReply({ ok: false, error: message.trim(), logs });
    }
  }
}

main();
