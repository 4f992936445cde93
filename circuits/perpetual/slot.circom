pragma circom 2.1.0;

// One perpetual slot of a batch, mirroring
// sequencer/spec/perpetual/rules.py's apply_perp_transaction: its type
// enables the part that carries it, PerpMarketMoves (market_slot.circom:
// an oracle price update, a funding tick), PerpTradeSlot
// (trade_slot.circom: a perpetual trade) or PerpTransferSlot
// (transfer_slot.circom: a collateral transfer) or PerpCloseSlot
// (close_slot.circom: a liquidation, a deleveraging), and its bytes are
// laid out as sequencer/spec/perpetual/public_data.py lays them out. The batch (batch.circom) wires each slot's parts and threads the
// account tree, the markets and the previous taker from slot to slot.

include "circomlib/circuits/comparators.circom";
include "../lib/perp_public_data_layout.circom";
include "market_slot.circom";
include "public_data.circom";
include "trade_slot.circom";
include "transfer_slot.circom";
include "close_slot.circom";

// PerpSlotType(): which part a slot's type enables; exactly one of the
// seven types (any other is refused), and the slot's market is 0 unless an
// oracle update, a trade or a close names one.
//
//   txType, market                                   field
//   isOracle .. isDeleverage                         bit   outputs
template PerpSlotType() {
    signal input txType;
    signal input market;
    signal output isOracle;
    signal output isFunding;
    signal output isTrade;
    signal output isTransfer;
    signal output isLiquidation;
    signal output isDeleverage;

    component isNoop = IsEqual();
    isNoop.in <== [txType, PPD_TX_NOOP()];
    component oracle = IsEqual();
    oracle.in <== [txType, PPD_TX_ORACLE_UPDATE()];
    component funding = IsEqual();
    funding.in <== [txType, PPD_TX_FUNDING_TICK()];
    component trade = IsEqual();
    trade.in <== [txType, PPD_TX_PERP_TRADE()];
    component transfer = IsEqual();
    transfer.in <== [txType, PPD_TX_COLLATERAL_TRANSFER()];
    component liquidation = IsEqual();
    liquidation.in <== [txType, PPD_TX_LIQUIDATION()];
    component deleverage = IsEqual();
    deleverage.in <== [txType, PPD_TX_DELEVERAGE()];
    isNoop.out + oracle.out + funding.out + trade.out + transfer.out + liquidation.out + deleverage.out === 1;
    isOracle <== oracle.out;
    isFunding <== funding.out;
    isTrade <== trade.out;
    isTransfer <== transfer.out;
    isLiquidation <== liquidation.out;
    isDeleverage <== deleverage.out;
    market * (1 - isOracle - isTrade - isLiquidation - isDeleverage) === 0;
}

// PerpSlotBits(): a slot's public data from what its parts publish (each
// zero unless its part is enabled), in the manifest's order.
//
//   txType, market                                   field   the slot's
//   publishedPrice, publishedTime, publishedRate[4]  field   PerpMarketMoves'
//   traded[9]                                        field   PerpTradeSlot's published
//   transferred[3]                                   field   PerpTransferSlot's published
//   closed[7]                                        field   PerpCloseSlot's published
//   bits                                             output
template PerpSlotBits() {
    signal input txType;
    signal input market;
    signal input publishedPrice;
    signal input publishedTime;
    signal input publishedRate[4];
    signal input traded[9];
    signal input transferred[3];
    signal input closed[7];
    signal output bits[8 * PPD_SLOT_BYTES()];

    component publicData = PerpSlotPublicData();
    publicData.values <== [
        txType, traded[0], transferred[0] + closed[0], market, traded[1] + transferred[1] + closed[1],
        traded[2] + closed[2], traded[3], traded[4] + closed[3], traded[5] + closed[4],
        publishedPrice + traded[6], traded[7], traded[8], publishedTime, closed[5], closed[6], transferred[2],
        publishedRate[0], publishedRate[1], publishedRate[2], publishedRate[3]
    ];
    bits <== publicData.bits;
}
