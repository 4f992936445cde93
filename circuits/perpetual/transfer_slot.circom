pragma circom 2.1.0;

// The part of a perpetual slot that is a collateral transfer: an account
// moves some of the collateral token between its spot balance and its
// collateral, mirroring sequencer/spec/perpetual/rules.py's
// process_collateral_transfer: the account exists, signs the transfer at
// its nonce (a wrong nonce is a wrong signature), has its funding settled,
// and, taking collateral out, still meets its initial margin at fresh
// prices; the spot balance, the nonce, the perpetual side and the
// collateral pool follow, which never falls below zero.

include "circomlib/circuits/comparators.circom";
include "circomlib/circuits/eddsaposeidon.circom";
include "circomlib/circuits/poseidon.circom";
include "../lib/checks.circom";
include "../lib/constants.circom";
include "../lib/perp_public_data_layout.circom";
include "../account.circom";
include "account_update.circom";
include "commitment.circom";
include "margin.circom";
include "trade.circom";
include "trade_slot.circom";

// PerpTransferSlot(accountDepth, balanceDepth): when enabled, the account
// tree and the collateral pool after a collateral transfer, and the fields
// it publishes; disabled, both stay (the witness proves an existing leaf,
// the fee account's, unchanged).
//
//   enabled                        bit     the slot is a collateral transfer
//   oldRoot, timestamp             field   the account tree before this part; the batch's time
//   oraclePrice[i], oracleTime[i], fundingIndex[i]   field   the markets before (range-checked by the batch)
//   quantum[i], initialMargin[i], maintenanceMargin[i], maxPriceAge, collateralToken   field   the deployment's parameters
//   collateralPool                 field   the pool before (< 2^COLLATERAL_BITS: range-checked by the batch)
//   toCollateral, amount           field   the transfer (a bit; < 2^AMOUNT_BITS, checked here)
//   sigR8x, sigR8y, sigS           field   the account's signature
//   account, ax .. orderRoot, balances[], perpHash, siblingsAccount[]   field   the leaf before and its path
//   collateral, size[], settledIndex[], payment[], remainder[]   field   its perpetual side and its funding settlement's divisions
//   newRoot, collateralPoolAfter   field   outputs
//   published[3]                   field   outputs, 0 unless enabled: toCollateral (the flag), account, amount
template PerpTransferSlot(accountDepth, balanceDepth) {
    var markets = MAX_PERP_MARKETS();
    var tokens = 1 << balanceDepth;
    assert(accountDepth <= PPD_ACCOUNT_A_BITS());

    signal input enabled;
    signal input oldRoot;
    signal input timestamp;
    signal input oraclePrice[markets];
    signal input oracleTime[markets];
    signal input fundingIndex[markets];
    signal input quantum[markets];
    signal input initialMargin[markets];
    signal input maintenanceMargin[markets];
    signal input maxPriceAge;
    signal input collateralToken;
    signal input collateralPool;

    signal input toCollateral;
    signal input amount;
    signal input sigR8x;
    signal input sigR8y;
    signal input sigS;

    signal input account;
    signal input ax;
    signal input ay;
    signal input ethAddr;
    signal input nonce;
    signal input minOrderId;
    signal input orderRoot;
    signal input balances[tokens];
    signal input perpHash;
    signal input siblingsAccount[3 * accountDepth \ 2];
    signal input collateral;
    signal input size[markets];
    signal input settledIndex[markets];
    signal input payment[markets];
    signal input remainder[markets];

    signal output newRoot;
    signal output collateralPoolAfter;
    signal output published[3];

    // --- AccountNotFound; InvalidSignature (and InvalidNonce: the account
    // signs [MSG_COLLATERAL_TRANSFER, account, amount, toCollateral, nonce],
    // collateral_transfer_message, at its current nonce). ---
    component empty = IsZero();
    empty.in <== ethAddr;
    enabled * empty.out === 0;
    assert(MESSAGE_INPUTS() == 11);
    component message = Poseidon(MESSAGE_INPUTS());
    message.inputs <== [MSG_COLLATERAL_TRANSFER(), account, amount, toCollateral, nonce, 0, 0, 0, 0, 0, 0];
    component signature = EdDSAPoseidonVerifier();
    signature.enabled <== enabled;
    signature.Ax <== ax;
    signature.Ay <== ay;
    signature.S <== sigS;
    signature.R8x <== sigR8x;
    signature.R8y <== sigR8y;
    signature.M <== message.out;

    // --- The perpetual side, funding settled (CollateralOutOfRange). ---
    component read = PerpSideRead();
    read.perpHash <== perpHash;
    read.collateral <== collateral;
    read.size <== size;
    read.settledIndex <== settledIndex;
    read.fundingIndex <== fundingIndex;
    read.quantum <== quantum;
    read.payment <== payment;
    read.remainder <== remainder;
    signal settled <== enabled * read.settled;
    component settledRange = SignedRange(COLLATERAL_BITS());
    settledRange.in <== settled;

    // --- The move (InsufficientBalance, BalanceOverflow,
    // CollateralOutOfRange: CollateralTransfer leaves no witness), on the
    // spot balance of the collateral token (token 0 outside a transfer). ---
    // The amount is masked: a part that is not enabled moves nothing, whatever the witness
    // (the spot balance follows `leaving`, the pool `moved`).
    signal moving <== enabled * amount;
    signal leaving <== (1 - 2 * toCollateral) * moving;
    component spot = BalanceChange(tokens);
    spot.before <== balances;
    spot.token <== enabled * collateralToken;
    spot.delta <== leaving;
    // circomspect: CS0018 the spot balance after is BalanceChange's (the same value, range-checked there and here).
    component move = CollateralTransfer();
    move.toCollateral <== toCollateral;
    move.amount <== moving;
    move.spotBalance <== enabled * spot.read;
    move.collateral <== settled;
    signal moved <== move.collateralAfter - settled;
    collateralPoolAfter <== collateralPool + moved;
    // CollateralPoolShort, and the pool's width (ValueOutOfRange): never
    // below zero, below 2^COLLATERAL_BITS.
    component poolRange = RangeCheck(COLLATERAL_BITS());
    poolRange.in <== collateralPoolAfter;

    // --- Out of collateral: fresh prices (OraclePriceTooOld) and the
    // initial margin after (MarginInsufficient). ---
    signal out <== enabled * (1 - toCollateral);
    component fresh = PricesFresh(markets);
    fresh.enabled <== out;
    fresh.price <== oraclePrice;
    fresh.oracleTime <== oracleTime;
    fresh.timestamp <== timestamp;
    fresh.maxAge <== maxPriceAge;
    signal held[markets];
    for (var i = 0; i < markets; i++) {
        held[i] <== enabled * size[i];
    }
    // circomspect: CS0018 the initial margin rule reads the value and the initial requirement only.
    component after = PerpHealth(markets);
    after.collateral <== move.collateralAfter;
    after.size <== held;
    after.price <== oraclePrice;
    after.quantum <== quantum;
    after.initialMargin <== initialMargin;
    after.maintenanceMargin <== maintenanceMargin;
    component margin = MeetsInitial();
    margin.enabled <== out;
    margin.value <== after.value;
    margin.initial <== after.initial;

    // --- The leaf: the spot balance, the nonce (+1), the perpetual side at
    // the markets' indices. ---
    component wordsBefore = BalanceWords(tokens);
    wordsBefore.balances <== balances;
    component wordsAfter = BalanceWords(tokens);
    wordsAfter.balances <== spot.after;
    component sideAfter = PerpAccountHash();
    sideAfter.collateral <== move.collateralAfter;
    sideAfter.size <== size;
    sideAfter.settledIndex <== fundingIndex;
    component update = PerpLeafUpdate(accountDepth, 0);
    update.oldRoot <== oldRoot;
    update.accountIndex <== account;
    update.ax <== ax;
    update.ay <== ay;
    update.ethAddr <== ethAddr;
    update.nonce <== nonce;
    update.minOrderId <== minOrderId;
    update.orderRoot <== orderRoot;
    update.words <== wordsBefore.words;
    update.perpHash <== perpHash;
    update.siblingsAccount <== siblingsAccount;
    update.newWords <== wordsAfter.words;
    update.newNonce <== nonce + enabled;
    update.newPerpHash <== perpHash + enabled * (sideAfter.out - perpHash);
    newRoot <== update.newRoot;

    published[0] <== enabled * toCollateral;
    published[1] <== enabled * account;
    published[2] <== enabled * amount;
}
