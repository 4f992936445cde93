pragma circom 2.1.0;

// Protocol constants shared with sequencer/spec/constants.py (docs/DESIGN.md).

function AMOUNT_BITS() { return 96; }
function PRICE_BITS() { return 96; }
function ORDER_ID_BITS() { return 48; }
function ORDER_REF_BITS() { return 16; }
function TIMESTAMP_BITS() { return 64; }
function FEE_BPS_BITS() { return 14; }
function TRADE_FEE_BPS_BITS() { return 8; }
function DECIMAL_MANTISSA_BITS() { return 35; }
function DECIMAL_EXPONENT_BITS() { return 5; }
function MAX_FEE_BPS() { return 10000; }
function BPS() { return 10000; }
function PRICE_SCALE() { return 1000000000000000000; }
// Words of balances in an account leaf, two balances each (sequencer/spec/constants.py BALANCE_WORDS).
function BALANCE_WORDS() { return 8; }

// Transaction types (sequencer/spec/constants.py TxType).
function TX_NOOP() { return 0; }
function TX_DEPOSIT() { return 1; }
function TX_TRADE() { return 2; }
function TX_WITHDRAW() { return 3; }
function TX_FORCED_WITHDRAW() { return 4; }
function TX_FORCED_CANCEL_ALL() { return 5; }
function TX_CANCEL() { return 6; }
function TX_CANCEL_ALL() { return 7; }

// The filled amount a cancel records (sequencer/spec/constants.py CANCELLED_FILL = 2^96 - 1).
function CANCELLED_FILL() { return 79228162514264337593543950335; }

// Order kinds, as signed (sequencer/spec/constants.py OrderKind.code).
function KIND_LIMIT() { return 0; }
function KIND_IOC() { return 1; }
function KIND_FOK() { return 2; }
function KIND_POST_ONLY() { return 3; }
function KIND_MARKET() { return 4; }

// Signed messages: Poseidon of MESSAGE_INPUTS() inputs, a domain tag first
// (sequencer/spec/constants.py MESSAGE_INPUTS and the tags).
function MESSAGE_INPUTS() { return 11; }
function MSG_ORDER() { return 1; }
function MSG_WITHDRAW() { return 2; }
function MSG_CANCEL() { return 16; }
function MSG_CANCEL_ALL() { return 17; }
function MSG_PERP_ORDER() { return 3; }
function MSG_COLLATERAL_TRANSFER() { return 5; }
// The account that collects the trading fees (sequencer/spec/constants.py FEE_ACCOUNT).
function FEE_ACCOUNT() { return 0; }

// Perpetual futures (sequencer/spec/perpetual/constants.py; docs/DESIGN.md "Perpetual futures").
function SIZE_BITS() { return 40; }
function PERP_PRICE_BITS() { return 40; }
function QUANTUM_BITS() { return 32; }
function COLLATERAL_BITS() { return 96; }
function FUNDING_RATE_SCALE() { return 1000000000000; }
function FUNDING_INDEX_BITS() { return 128; }
function FUNDING_PAYMENT_BITS() { return 162; }
function VALUE_BITS() { return 115; }
function REQUIREMENT_BITS() { return 135; }
function MARGIN_SCALE() { return 1000000; }
function MARGIN_FRACTION_BITS() { return 20; }
function FUNDING_RATE_BITS() { return 40; }
// An oracle window (seconds a signed price may be old when an update uses it) is below 2^ORACLE_WINDOW_BITS.
function ORACLE_WINDOW_BITS() { return 32; }
function MSG_ORACLE_PRICE() { return 4; }
function MAX_PERP_MARKETS() { return 4; }
