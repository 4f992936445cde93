// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";

/// @title Benchmark baseline: an off-chain order book that settles every trade on L1
/// @notice BENCHMARK ONLY, not part of Matchproof. It is what an exchange without a rollup
///         does (the "relayer" model): traders deposit ERC-20 balances here and sign orders
///         off-chain (EIP-712, ECDSA); the relayer matches them and settles each trade with
///         one transaction, which checks both signatures and the orders' fill state and
///         moves the balances held here. The rules are Matchproof's (docs/DESIGN.md,
///         "Trade"): the trade is at the maker's price exactly, the fill of each order is
///         tracked (here by order hash), and each fee is charged on what its side receives
///         and never above the order's signed limit. `bench/` measures its gas per trade
///         against the rollup's.
contract RelayerSettlement is EIP712 {
    using SafeERC20 for IERC20;

    /// @notice A signed limit order. `side` 0 buys base, 1 sells base; `price` is quote per
    ///         base times 1e18; `amount` is in base; `expiry` in unix seconds.
    struct Order {
        address trader;
        uint64 orderId;
        address baseToken;
        address quoteToken;
        uint8 side;
        uint96 price;
        uint96 amount;
        uint16 maxFeeBps;
        uint64 expiry;
    }

    /// @notice An ECDSA signature in EIP-2098 compact form.
    struct Signature {
        bytes32 r;
        bytes32 vs;
    }

    bytes32 internal constant ORDER_TYPEHASH = keccak256(
        "Order(address trader,uint64 orderId,address baseToken,address quoteToken,uint8 side,uint96 price,uint96 amount,uint16 maxFeeBps,uint64 expiry)"
    );
    uint256 internal constant PRICE_SCALE = 1e18;
    uint256 internal constant BPS = 10_000;
    uint8 internal constant BUY = 0;

    /// @notice The relayer: the only sender of settlements, and the receiver of fees.
    address public immutable relayer;

    /// @notice trader => token => balance held here.
    mapping(address => mapping(address => uint256)) public balanceOf;

    /// @notice EIP-712 order hash => base amount filled so far.
    mapping(bytes32 => uint256) public filled;

    /// @notice A trade settled: `fillBase` of the maker's order at its price.
    event Settled(
        bytes32 indexed makerHash, bytes32 indexed takerHash, uint256 fillBase, uint256 fillQuote, uint256 makerFee, uint256 takerFee
    );

    /// @notice Only the relayer may settle.
    error NotRelayer(address sender);
    /// @notice Both orders belong to one trader.
    error SelfTrade(address trader);
    /// @notice The orders trade different markets, or a market of one token with itself.
    error MarketMismatch();
    /// @notice Both orders are on the same side.
    error SidesNotOpposite(uint8 side);
    /// @notice An order's signature does not recover its trader.
    error InvalidSignature(bytes32 orderHash, address recovered);
    /// @notice An order expired before this block.
    error OrderExpired(bytes32 orderHash, uint64 expiry);
    /// @notice An order's signed fee limit is above 100 %.
    error InvalidFeeLimit(bytes32 orderHash, uint16 maxFeeBps);
    /// @notice The maker's price is beyond the taker's limit.
    error PriceLimitViolated(uint96 makerPrice, uint96 takerLimit);
    /// @notice A trade of nothing.
    error ZeroFill();
    /// @notice fillBase at the maker's price is not a whole quote amount.
    error InexactFill(uint256 fillBase, uint96 price);
    /// @notice The fill would take an order beyond its amount.
    error OrderOverfilled(bytes32 orderHash, uint256 remaining, uint256 requested);
    /// @notice A fee above the order's signed limit on what its side receives.
    error FeeAboveLimit(bytes32 orderHash, uint256 fee, uint256 received);
    /// @notice A trader holds less than the trade takes from it.
    error InsufficientBalance(address trader, address token, uint256 balance, uint256 needed);
    /// @notice A deposit or withdrawal of nothing.
    error ZeroAmount();

    /// @param relayer_ The relayer, which settles trades and collects the fees.
    constructor(address relayer_) EIP712("RelayerSettlement", "1") {
        relayer = relayer_;
    }

    /// @notice Moves `amount` of `token` from the sender into its balance here.
    function deposit(address token, uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        IERC20(token).safeTransferFrom(msg.sender, address(this), amount);
        balanceOf[msg.sender][token] += amount;
    }

    /// @notice Pays `amount` of the sender's balance of `token` back to it.
    function withdraw(address token, uint256 amount) external {
        if (amount == 0) revert ZeroAmount();
        _debit(msg.sender, token, amount);
        IERC20(token).safeTransfer(msg.sender, amount);
    }

    /// @notice The EIP-712 digest a trader signs for `order`; also its key in `filled`.
    function orderHash(Order calldata order) public view returns (bytes32) {
        return _hashTypedDataV4(keccak256(abi.encode(ORDER_TYPEHASH, order)));
    }

    /// @notice Settles `fillBase` of the maker's order against the taker's at the maker's
    ///         price, charging the given fees (each on what its side receives).
    /// @dev Checks in docs/DESIGN.md's order; reverts with the error of the first that fails.
    function settle(
        Order calldata maker,
        Signature calldata makerSig,
        Order calldata taker,
        Signature calldata takerSig,
        uint256 fillBase,
        uint256 makerFee,
        uint256 takerFee
    ) external {
        if (msg.sender != relayer) revert NotRelayer(msg.sender);
        if (maker.trader == taker.trader) revert SelfTrade(maker.trader);
        if (
            maker.baseToken != taker.baseToken || maker.quoteToken != taker.quoteToken
                || maker.baseToken == maker.quoteToken
        ) revert MarketMismatch();
        if (maker.side == taker.side) revert SidesNotOpposite(maker.side);

        bytes32 makerHash = _checkSigned(maker, makerSig);
        bytes32 takerHash = _checkSigned(taker, takerSig);

        if (taker.side == BUY ? maker.price > taker.price : maker.price < taker.price) {
            revert PriceLimitViolated(maker.price, taker.price);
        }
        if (fillBase == 0) revert ZeroFill();
        uint256 product = fillBase * maker.price;
        if (product % PRICE_SCALE != 0) revert InexactFill(fillBase, maker.price);
        uint256 fillQuote = product / PRICE_SCALE;

        _fill(makerHash, maker.amount, fillBase);
        _fill(takerHash, taker.amount, fillBase);

        if (maker.side == BUY) {
            _checkFee(makerHash, maker.maxFeeBps, makerFee, fillBase);
            _checkFee(takerHash, taker.maxFeeBps, takerFee, fillQuote);
            _swap(maker.trader, taker.trader, maker.baseToken, maker.quoteToken, fillBase, fillQuote, makerFee, takerFee);
        } else {
            _checkFee(makerHash, maker.maxFeeBps, makerFee, fillQuote);
            _checkFee(takerHash, taker.maxFeeBps, takerFee, fillBase);
            _swap(taker.trader, maker.trader, maker.baseToken, maker.quoteToken, fillBase, fillQuote, takerFee, makerFee);
        }

        emit Settled(makerHash, takerHash, fillBase, fillQuote, makerFee, takerFee);
    }

    /// @dev The order's hash, after checking its signature, expiry and fee limit.
    function _checkSigned(Order calldata order, Signature calldata signature) internal view returns (bytes32 hash) {
        hash = orderHash(order);
        address recovered = ECDSA.recover(hash, signature.r, signature.vs);
        if (recovered != order.trader) revert InvalidSignature(hash, recovered);
        // forge-lint: disable-next-line(block-timestamp)
        if (block.timestamp > order.expiry) revert OrderExpired(hash, order.expiry);
        if (order.maxFeeBps > BPS) revert InvalidFeeLimit(hash, order.maxFeeBps);
    }

    /// @dev Adds `fillBase` to an order's fill, which may not exceed its amount.
    function _fill(bytes32 hash, uint96 amount, uint256 fillBase) internal {
        uint256 previous = filled[hash];
        uint256 remaining = amount - previous;
        if (fillBase > remaining) revert OrderOverfilled(hash, remaining, fillBase);
        filled[hash] = previous + fillBase;
    }

    /// @dev fee * BPS <= received * maxFeeBps, as the rollup's circuit checks it.
    function _checkFee(bytes32 hash, uint16 maxFeeBps, uint256 fee, uint256 received) internal pure {
        if (fee * BPS > received * maxFeeBps) revert FeeAboveLimit(hash, fee, received);
    }

    /// @dev The buyer pays `fillQuote` of quote and receives `fillBase` less its fee; the
    ///      seller pays `fillBase` of base and receives `fillQuote` less its fee; the
    ///      relayer collects both fees.
    function _swap(
        address buyer,
        address seller,
        address base,
        address quote,
        uint256 fillBase,
        uint256 fillQuote,
        uint256 buyerFee,
        uint256 sellerFee
    ) internal {
        _debit(buyer, quote, fillQuote);
        _debit(seller, base, fillBase);
        balanceOf[buyer][base] += fillBase - buyerFee;
        balanceOf[seller][quote] += fillQuote - sellerFee;
        if (buyerFee != 0) balanceOf[relayer][base] += buyerFee;
        if (sellerFee != 0) balanceOf[relayer][quote] += sellerFee;
    }

    /// @dev Takes `amount` of `token` from a trader's balance.
    function _debit(address trader, address token, uint256 amount) internal {
        uint256 balance = balanceOf[trader][token];
        if (balance < amount) revert InsufficientBalance(trader, token, balance, amount);
        unchecked {
            balanceOf[trader][token] = balance - amount;
        }
    }
}
