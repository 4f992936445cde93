// Reference values from circomlibjs, blake-hash and ethers, for the Python
// crypto tests. Reads one JSON request on stdin and writes one JSON answer on
// stdout; every big number travels as a decimal string, bytes as hex.
//
// Request fields (all optional lists):
//   blake512: ["hex", ...]                        -> BLAKE-512 (native and pure-JS builds)
//   poseidon: [["dec", ...], ...]                 -> Poseidon
//   prv2pub:  ["hex", ...]                        -> public key [ax, ay]
//   sign:     [{prv: "hex", msg: "dec"}, ...]     -> {r8x, r8y, s}
//   verify:   [{ax, ay, r8x, r8y, s, msg}, ...]   -> true / false
//   eip712:   [{ethKey: "hex", typedData}, ...]   -> 65-byte signature, hex
// The answer also carries the curve constants under "babyjub".
"use strict";

const fs = require("fs");
const createBlakeHash = require("blake-hash");
const createBlakeHashJs = require("blake-hash/js");
const { buildEddsa } = require("circomlibjs");
const { Wallet } = require("ethers");

function blake(create, hex) {
    return create("blake512").update(Buffer.from(hex, "hex")).digest("hex");
}

async function eip712Signature({ ethKey, typedData }) {
    const types = { ...typedData.types };
    delete types.EIP712Domain; // ethers derives the domain type itself
    return new Wallet("0x" + ethKey)._signTypedData(typedData.domain, types, typedData.message);
}

async function main() {
    const request = JSON.parse(fs.readFileSync(0, "utf8"));
    const eddsa = await buildEddsa();
    const babyJub = eddsa.babyJub;
    const F = eddsa.F;
    const str = (element) => F.toObject(element).toString();
    const el = (dec) => F.e(BigInt(dec));

    const answer = {
        babyjub: {
            a: str(babyJub.A),
            d: str(babyJub.D),
            base8: babyJub.Base8.map(str),
            subOrder: babyJub.subOrder.toString(),
            order: babyJub.order.toString(),
        },
        blake512: (request.blake512 || []).map((hex) => ({
            native: blake(createBlakeHash, hex),
            js: blake(createBlakeHashJs, hex),
        })),
        poseidon: (request.poseidon || []).map((inputs) => str(eddsa.poseidon(inputs.map(BigInt)))),
        prv2pub: (request.prv2pub || []).map((hex) => eddsa.prv2pub(Buffer.from(hex, "hex")).map(str)),
        sign: (request.sign || []).map(({ prv, msg }) => {
            const sig = eddsa.signPoseidon(Buffer.from(prv, "hex"), el(msg));
            return { r8x: str(sig.R8[0]), r8y: str(sig.R8[1]), s: sig.S.toString() };
        }),
        verify: (request.verify || []).map((v) => eddsa.verifyPoseidon(
            el(v.msg),
            { R8: [el(v.r8x), el(v.r8y)], S: BigInt(v.s) },
            [el(v.ax), el(v.ay)],
        )),
        eip712: await Promise.all((request.eip712 || []).map(eip712Signature)),
    };
    process.stdout.write(JSON.stringify(answer), () => process.exit(0));
}

main().catch((error) => {
    console.error(error);
    process.exit(1);
});
