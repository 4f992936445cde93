// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IPoseidon2, IPoseidon4, IPoseidon5, IPoseidon7, IPoseidon9, IPoseidon15} from "./IPoseidon.sol";

/// @title Matchproof: a ZK order-book rollup
/// @notice Users deposit ERC-20 tokens on L1 (each deposit becomes an L1 request in a
///         hash chain), an operator submits batches with a Groth16 proof of the state
///         transition, and withdrawals proven in a batch become claimable on L1.
///         The way out needs no operator: a forced withdrawal or cancel-all joins the same
///         queue; a request left unprocessed past its deadline lets anyone freeze the
///         rollup, after which each account exits with a Merkle proof against the last
///         proven root and unprocessed deposits are refunded.
///         Encodings (request hash, public data, public input hash): docs/DESIGN.md.
interface IMatchproof {
    // ---------------------------------------------------------------- constructor arguments

    /// @notice The Poseidon hash contracts (both structs are static, so the constructor's
    ///         ABI encoding equals that of the flat list of their fields).
    struct Hashers {
        /// @dev Request chain: Poseidon([chain, requestHash]); the state root over the account
        ///      root and the perpetual commitment (exit proofs).
        IPoseidon2 poseidon2;
        /// @dev Internal nodes of the quaternary account tree (exit proofs).
        IPoseidon4 poseidon4;
        /// @dev A perpetual market's state, and the perpetual commitment over the four
        ///      markets and the collateral pool (perpetual claims).
        IPoseidon5 poseidon5;
        /// @dev Request hash.
        IPoseidon7 poseidon7;
        /// @dev An account's perpetual side (perpetual claims).
        IPoseidon9 poseidon9;
        /// @dev Account leaf (exit proofs).
        IPoseidon15 poseidon15;
    }

    /// @notice The perpetual futures the rollup settles after a freeze (static, like Config).
    struct Perpetuals {
        /// @dev The collateral's token id: a spot token, so spot and perpetuals share the vault.
        uint256 collateralToken;
        /// @dev The insurance fund's L1 address, whose account's claim is paid only from what
        ///      the traders' claims leave (address(0): no fund; never the operator, whose account
        ///      is the fee account). Its account is the one at insuranceFundIndex, which no
        ///      other address may register.
        address insuranceFund;
        /// @dev Each market's quantum, collateral units per lot per tick of price, below 2^32
        ///      (0 for a market the deployment does not configure, whose state is never priced).
        uint256[4] quanta;
        /// @dev Blocks after the freeze during which accounts prove their perpetual claims
        ///      (1..2^20); the claims are paid after it, when their total is known.
        uint256 claimWindowBlocks;
        /// @dev The hash of the deployment's perpetual parameters, which the state root commits
        ///      to from genesis (perpCommitment = Poseidon([markets, configHash]); 0 exactly when
        ///      no market is configured): a claim's markets are checked against it, and the
        ///      deployment derives it and the quanta from one configuration (docs/DESIGN.md,
        ///      "Perpetual futures", "Commitment").
        uint256 configHash;
        /// @dev Perpetual slots per batch, after the nTx spot slots (0..4096; 0 without
        ///      perpetual markets): each publishes PerpPublicDataLayout.SLOT_BYTES bytes, which
        ///      the public input hashes and the contract reads no further (a perpetual slot has
        ///      no L1 effect).
        uint256 slots;
        /// @dev The account index the perpetual parameters name as the insurance fund
        ///      (PerpConfig.insurance_fund): reserved for insuranceFund, which registers there
        ///      and nowhere else (indices go to whoever registers first, so a stranger could
        ///      otherwise take the fund's account). Not 0 (the operator's) with markets
        ///      configured and a fund, 0 without.
        uint32 insuranceFundIndex;
    }

    /// @notice An account's perpetual side as its leaf's perpHash hashes it (docs/DESIGN.md,
    ///         "Perpetual futures", "Commitment"): signed collateral (collateral token units,
    ///         below 2^96 in magnitude), and per market a signed size (lots, below 2^40) and
    ///         the funding index it last settled at (below 2^128).
    struct PerpSide {
        int256 collateral;
        int256[4] sizes;
        int256[4] settledIndex;
    }

    /// @notice A perpetual market as the state root's perpCommitment hashes it: its oracle
    ///         price (ticks, below 2^40) and the latest signed time behind it, its funding index
    ///         (signed, below 2^128) and the time of its last funding tick, its open interest.
    struct PerpMarket {
        uint256 oraclePrice;
        uint256 oracleTime;
        int256 fundingIndex;
        uint256 fundingTime;
        uint256 openInterest;
    }

    /// @notice The rollup's shape (the circuit's configuration) and its request deadline.
    struct Config {
        /// @dev Transaction slots per batch.
        uint256 nTx;
        /// @dev Account tree depth (2..24, even).
        uint256 accountDepth;
        /// @dev Token id bits (1..4): 2^balanceDepth tokens at most.
        uint256 balanceDepth;
        /// @dev Blocks a batch has to consume an L1 request before anyone may freeze (1..2^20).
        uint256 requestDeadlineBlocks;
        /// @dev Seconds a batch's timestamp may lag the block that verifies it (1..1 day).
        ///      Order expiry is checked against the batch's timestamp: a bound from below by
        ///      L1 time means no order fills in a block later than its expiry + this lag.
        uint256 maxTimestampLag;
        /// @dev Wei every L1 request from a user (deposit, forced withdrawal, forced cancel-all)
        ///      pays (0..1 ether): each costs the operator a batch slot's proving and L1 gas, so
        ///      a flood costs its sender at least what it costs the operator.
        uint256 requestFee;
        /// @dev Wei the deposit that registers an account pays on top (0..1 ether): accounts are
        ///      never recycled, so filling the account tree must cost 2^accountDepth times this.
        uint256 registrationFee;
        /// @dev The most L1 requests users may queue in one block (1..4096): the operator must
        ///      be able to consume them before their deadline, whatever a flood sends.
        uint256 maxRequestsPerBlock;
    }

    /// @notice The operator, registered as account 0 (the fee account) at deployment.
    struct Operator {
        /// @dev Its L1 address.
        address ethAddr;
        /// @dev Its BabyJubJub public key, x.
        uint256 ax;
        /// @dev Its BabyJubJub public key, y.
        uint256 ay;
    }

    /// @notice An account's leaf and its Merkle path, as of the last proven state root: what
    ///         `exit` needs to pay out one balance. The leaf's address is the caller's.
    struct ExitProof {
        /// @dev The account's BabyJubJub public key, x.
        uint256 ax;
        /// @dev The account's BabyJubJub public key, y.
        uint256 ay;
        /// @dev The account's nonce.
        uint256 nonce;
        /// @dev The account's minOrderId.
        uint256 minOrderId;
        /// @dev The root of the account's order tree.
        uint256 orderRoot;
        /// @dev The account's balance of every token id the public data can name (16, whatever
        ///      balanceDepth; ids the rollup does not have hold 0), each below 2^96: the leaf
        ///      hashes them two to a word, balances[2i] + balances[2i + 1] * 2^96. `exit` pays
        ///      balances[tokenId].
        uint256[16] balances;
        /// @dev The hash of the account's collateral and positions (docs/DESIGN.md, "Perpetual
        ///      futures", "Commitment"), the leaf's last input.
        uint256 perpHash;
        /// @dev The account leaf's siblings, leaf level first, three per level (3 * accountDepth / 2).
        uint256[] accountSiblings;
        /// @dev The perpetual markets' and the collateral pool's commitment: the state root is
        ///      Poseidon([accountRoot, perpCommitment]).
        uint256 perpCommitment;
    }

    /// @notice A queued deposit's fields, as its L1RequestQueued event reported them.
    struct DepositRequest {
        /// @dev The account deposited to.
        uint32 accountIndex;
        /// @dev The depositor (paid back by a refund).
        address owner;
        /// @dev The key hashed with the request (non-zero on an account's first deposit).
        uint256 ax;
        /// @dev The key hashed with the request, y.
        uint256 ay;
        /// @dev The token.
        uint16 tokenId;
        /// @dev The amount the rollup received.
        uint96 amount;
    }

    /// @notice One batch of a submitBatches call: submitBatch's arguments.
    struct BatchSubmission {
        /// @dev lastBatch() + 1 for the first batch, then consecutive.
        uint256 batchNumber;
        /// @dev The state root after the batch.
        uint256 newRoot;
        /// @dev The batch's timestamp.
        uint64 timestamp;
        /// @dev The number of L1 requests the batch consumes.
        uint256 l1Count;
        /// @dev The public data, PublicDataLayout.SLOT_BYTES per slot.
        bytes publicData;
        /// @dev The batch's Groth16 proof, as submitBatch takes it.
        uint256[8] proof;
    }

    // ---------------------------------------------------------------- errors: construction

    /// @notice A depth is out of range: the account tree's must be even (the tree is
    ///         quaternary: two index bits per level) and 2 <= accountDepth <= 24 (published
    ///         account indices fit); the token ids' 1 <= balanceDepth <= 4 (published token
    ///         ids fit).
    /// @param accountDepth The account tree depth given.
    /// @param balanceDepth The token id bits given.
    error InvalidTreeDepths(uint256 accountDepth, uint256 balanceDepth);

    /// @notice The request deadline is zero blocks or above 2^20.
    /// @param blocks The deadline given.
    error InvalidRequestDeadline(uint256 blocks);

    /// @notice The batch size is zero or above 4096.
    /// @param nTx The number of transaction slots per batch given.
    error InvalidBatchSize(uint256 nTx);

    /// @notice The token list is empty or has more than 2^balanceDepth tokens.
    /// @param count The number of tokens given.
    /// @param max The most tokens an account holds, 2^balanceDepth.
    error InvalidTokenCount(uint256 count, uint256 max);

    /// @notice A token address is zero, holds no code, or repeats an earlier one.
    /// @param tokenId The token's index in the list.
    /// @param token The address.
    error InvalidToken(uint256 tokenId, address token);

    /// @notice A contract the rollup depends on (verifier, Poseidon hasher) has no code.
    /// @param account The address given.
    error NotAContract(address account);

    /// @notice The maximum lag of a batch's timestamp is 0 or above one day.
    /// @param lag The lag given, in seconds.
    error InvalidTimestampLag(uint256 lag);

    /// @notice The operator address is zero.
    error InvalidOperator();

    /// @notice A fee is out of range (each at most 1 ether).
    /// @param requestFee The request fee given.
    /// @param registrationFee The registration fee given.
    error InvalidFees(uint256 requestFee, uint256 registrationFee);

    /// @notice The per-block request bound is out of range (1..4096).
    /// @param maxRequestsPerBlock The bound given.
    error InvalidRequestRate(uint256 maxRequestsPerBlock);

    /// @notice Only the batch submitter may submit batches or hand the role over.
    /// @param caller The address that called.
    /// @param submitter The address allowed to.
    error NotSubmitter(address caller, address submitter);

    /// @notice A new batch submitter must be a non-zero address.
    error InvalidSubmitter();

    /// @notice An exit must pay a non-zero address.
    error InvalidRecipient();

    // ---------------------------------------------------------------- errors: deposits

    /// @notice There is no token with this id.
    /// @param tokenId The id given.
    /// @param tokenCount The number of registered tokens (valid ids are below it).
    error UnknownToken(uint256 tokenId, uint256 tokenCount);

    /// @notice A first deposit's public key is not a usable BabyJubJub point: a coordinate
    ///         is zero or not below the field order, or the point is not on the curve.
    /// @param ax The key's x coordinate.
    /// @param ay The key's y coordinate.
    error InvalidPublicKey(uint256 ax, uint256 ay);

    /// @notice Every leaf of the account tree is taken.
    /// @param capacity The number of accounts, 2^accountDepth.
    error AccountTreeFull(uint256 capacity);

    /// @notice The rollup received nothing from the token transfer.
    /// @param tokenId The token deposited.
    error ZeroDeposit(uint256 tokenId);

    /// @notice The ether sent is not the request's fee (requestFee, plus registrationFee for
    ///         the deposit that registers an account).
    /// @param required The fee due.
    /// @param sent The ether sent.
    error WrongFee(uint256 required, uint256 sent);

    /// @notice This block already holds maxRequestsPerBlock users' L1 requests: try the next.
    /// @param blockNumber The block.
    /// @param maxRequestsPerBlock The bound.
    error RequestRateExceeded(uint256 blockNumber, uint256 maxRequestsPerBlock);

    /// @notice There are no collected fees to pay out.
    error NoFees();

    /// @notice Sending the collected fees to `recipient` failed.
    /// @param recipient The address that refused them.
    error FeeTransferFailed(address recipient);

    /// @notice The deposit would bring what the rollup owes of the token (deposited less paid
    ///         out) to 2^96 or more.
    /// @param tokenId The token deposited.
    /// @param outstanding What the rollup owed of it before this deposit.
    /// @param amount The amount this deposit received.
    error DepositCapExceeded(uint256 tokenId, uint256 outstanding, uint256 amount);

    // ---------------------------------------------------------------- errors: batches

    /// @notice Batches must be submitted in order.
    /// @param expected The next batch number, lastBatch + 1.
    /// @param got The batch number submitted.
    error BatchOutOfOrder(uint256 expected, uint256 got);

    /// @notice A batch's timestamp is before the previous batch's.
    /// @param last The previous batch's timestamp.
    /// @param got The timestamp submitted.
    error TimestampBeforeLastBatch(uint256 last, uint256 got);

    /// @notice A batch's timestamp is after the current block's.
    /// @param blockTimestamp The current block's timestamp.
    /// @param got The timestamp submitted.
    error TimestampInFuture(uint256 blockTimestamp, uint256 got);

    /// @notice The batch's timestamp lags the block by more than the deployment allows: its
    ///         orders' expiry would be checked against a clock far behind L1's.
    /// @param blockTimestamp The block's timestamp.
    /// @param got The batch's timestamp.
    /// @param maxLag The most seconds it may lag.
    error TimestampTooOld(uint256 blockTimestamp, uint256 got, uint256 maxLag);

    /// @notice A batch claims to consume more L1 requests than are waiting.
    /// @param pending The number of L1 requests not yet consumed.
    /// @param requested The number the batch claims to consume.
    error TooManyL1Requests(uint256 pending, uint256 requested);

    /// @notice The public data is not SLOT_BYTES bytes per transaction slot.
    /// @param expected PublicDataLayout.SLOT_BYTES * nTx.
    /// @param got The number of bytes submitted.
    error InvalidPublicDataLength(uint256 expected, uint256 got);

    /// @notice A value that must be a field element (a state root) is not below the field order.
    /// @param value The value.
    error ValueNotInField(uint256 value);

    /// @notice The verifier rejected the batch's proof (of a submitBatches call: at least one
    ///         of its proofs).
    error InvalidProof();

    /// @notice A submitBatches call holds no batch or more than the verifier checks at once.
    /// @param count The number of batches submitted.
    /// @param max The most one call takes.
    error InvalidBatchCount(uint256 count, uint256 max);

    // ---------------------------------------------------------------- errors: forced requests and freezing

    /// @notice The rollup is frozen: no more deposits, requests or batches.
    error RollupFrozen();

    /// @notice The L1 address has no account: only an account's address may send its forced
    ///         requests, and only its address may exit it.
    /// @param owner The sender.
    error NotRegistered(address owner);

    /// @notice No L1 request is waiting, so none can be overdue.
    error NothingToFreeze();

    /// @notice The oldest waiting L1 request is not past its deadline yet.
    /// @param requestIndex The oldest waiting request.
    /// @param deadline The last block in which a batch may still consume it.
    /// @param blockNumber The current block.
    error DeadlineNotPassed(uint256 requestIndex, uint256 deadline, uint256 blockNumber);

    // ---------------------------------------------------------------- errors: exits and refunds

    /// @notice Exits and refunds need a frozen rollup.
    error NotFrozen();

    /// @notice The account already exited this token.
    /// @param accountIndex The account.
    /// @param tokenId The token.
    error AlreadyExited(uint256 accountIndex, uint256 tokenId);

    /// @notice The exit proof's balance of the token is zero: there is nothing to pay.
    /// @param accountIndex The account.
    /// @param tokenId The token.
    error NothingToExit(uint256 accountIndex, uint256 tokenId);

    /// @notice A Merkle path has the wrong number of siblings.
    /// @param expected The siblings the tree asks for: three per level, 3 * depth / 2.
    /// @param got The number of siblings given.
    error InvalidProofLength(uint256 expected, uint256 got);

    /// @notice An exit proof's balance is not below 2^96, as every L2 balance is. Two balances
    ///         share a word of the account leaf, balances[2i] + balances[2i + 1] * 2^96: a
    ///         larger one could move value between the two (lo + 2^96 with hi - 1 makes the
    ///         same word as lo with hi).
    /// @param tokenId The token whose balance it is.
    /// @param balance The balance given.
    error BalanceOutOfRange(uint256 tokenId, uint256 balance);

    /// @notice The exit proof does not lead to the last proven state root.
    /// @param root The root the proof leads to.
    /// @param stateRoot The last proven state root.
    error InvalidExitProof(uint256 root, uint256 stateRoot);

    /// @notice The request is not a queued request that no batch consumed.
    /// @param requestIndex The request asked for.
    /// @param processed The number of requests batches consumed.
    /// @param length The number of requests queued.
    error RequestNotPending(uint256 requestIndex, uint256 processed, uint256 length);

    /// @notice The deposit was already refunded.
    /// @param requestIndex The request.
    error AlreadyRefunded(uint256 requestIndex);

    /// @notice The fields given are not those of the deposit queued at this index (or the
    ///         request is not a deposit).
    /// @param requestIndex The request.
    error RequestMismatch(uint256 requestIndex);

    // ---------------------------------------------------------------- errors: claims and views

    /// @notice The owner has nothing claimable of this token.
    /// @param owner The L1 address the withdrawal pays.
    /// @param tokenId The token.
    error NothingToClaim(address owner, uint256 tokenId);

    /// @notice There is no chain value at this index (valid: 0 to l1RequestCount()).
    /// @param index The index asked for.
    /// @param count The number of L1 requests.
    error L1ChainIndexOutOfRange(uint256 index, uint256 count);

    /// @notice The perpetual parameters cannot be used: the collateral is not a listed token,
    ///         the insurance fund is the operator (or its index is 0 or outside the account
    ///         tree with markets and a fund configured, or not 0 without), a quantum is 2^32 or
    ///         more, the claim window
    ///         is 0 or above 2^20 blocks, the parameters' hash is not a field element, or 0
    ///         with a market configured, or not 0 with none, perpetual slots are above 4096 or
    ///         given without a market, or the parameters are missing with markets configured
    ///         or given without one.
    error InvalidPerpetuals();

    /// @notice A registration would give the insurance fund's account to another address, or
    ///         the insurance fund an account other than its own (Perpetuals.insuranceFundIndex).
    /// @param accountIndex The index the registration would take.
    /// @param owner The registering address.
    error InsuranceFundAccountReserved(uint256 accountIndex, address owner);

    /// @notice A perpetual claim came after the claim window closed (block `deadline`).
    error ClaimWindowClosed(uint256 deadline, uint256 blockNumber);

    /// @notice A perpetual claim is paid only once the claim window closed (after block `deadline`).
    error ClaimWindowOpen(uint256 deadline, uint256 blockNumber);

    /// @notice The account already proved its perpetual claim.
    error AlreadyClaimedPerpetual(uint256 accountIndex);

    /// @notice The account proved no claim (or a claim of nothing: its value was not positive).
    error NoPerpetualClaim(uint256 accountIndex);

    /// @notice The account's perpetual claim was already paid.
    error PerpetualClaimAlreadyPaid(uint256 accountIndex);

    /// @notice A signed value of a perpetual claim is outside its width: |value| < 2^bits
    ///         (a proven state holds no other, and wider ones could overflow the claim).
    error PerpValueOutOfRange(int256 value, uint256 bits);

    /// @notice The perpetual side does not hash to the leaf's perpHash.
    error InvalidPerpSide(uint256 hash, uint256 perpHash);

    /// @notice The markets and the pool do not hash to the proof's perpCommitment.
    error InvalidPerpCommitment(uint256 commitment, uint256 perpCommitment);

    // ---------------------------------------------------------------- events

    /// @notice An L1 address was given an account (its tree leaf) with a public key.
    /// @param accountIndex The account's leaf index (0 is the operator).
    /// @param owner The L1 address (the account's ethAddr).
    /// @param ax The BabyJubJub public key's x coordinate.
    /// @param ay The BabyJubJub public key's y coordinate.
    event AccountRegistered(uint256 indexed accountIndex, address indexed owner, uint256 ax, uint256 ay);

    /// @notice An L1 request joined the queue. Carries every hashed field, so that the
    ///         L2 state can be rebuilt from L1 alone.
    /// @param requestIndex The request's position in the queue (0-based).
    /// @param txType The request type (1 = deposit); the first hashed field.
    /// @param accountIndex The account the request is for.
    /// @param ethAddr The account's L1 address.
    /// @param ax The public key's x coordinate on the account's first deposit, else 0.
    /// @param ay The public key's y coordinate on the account's first deposit, else 0.
    /// @param tokenId The token.
    /// @param amount The amount (for a deposit: what the rollup received).
    /// @param requestHash Poseidon([txType, accountIndex, ethAddr, ax, ay, tokenId, amount]).
    /// @param chain The chain value after this request, l1Chain(requestIndex + 1).
    event L1RequestQueued(
        uint256 indexed requestIndex,
        uint256 indexed txType,
        uint256 indexed accountIndex,
        address ethAddr,
        uint256 ax,
        uint256 ay,
        uint256 tokenId,
        uint256 amount,
        uint256 requestHash,
        uint256 chain
    );

    /// @notice A batch's proof was verified and the state root advanced. The event carries
    ///         everything the batch published (its timestamp and slot data), so the state can
    ///         be rebuilt from the rollup's events alone, whoever sent the transaction and
    ///         however it reached the rollup (a multisig, a relayer, a smart account).
    /// @param batchNumber The batch's number (the first is 1).
    /// @param oldRoot The state root before the batch.
    /// @param newRoot The state root after the batch.
    /// @param publicInputHash The batch's single public input: the record of what was verified
    ///        (the contract stores only the last root, batch number and timestamp).
    /// @param l1Count The number of L1 requests the batch consumed.
    /// @param timestamp The batch's timestamp.
    /// @param publicData The batch's public data, as submitted (PublicDataLayout.SLOT_BYTES per slot).
    event BatchVerified(
        uint256 indexed batchNumber,
        uint256 oldRoot,
        uint256 newRoot,
        uint256 publicInputHash,
        uint256 l1Count,
        uint64 timestamp,
        bytes publicData
    );

    /// @notice The batch submitter handed its role to another address.
    /// @param previous The submitter until now.
    /// @param next The submitter from now on.
    event SubmitterChanged(address indexed previous, address indexed next);

    /// @notice The submitter took the collected request and registration fees.
    /// @param recipient Who was paid.
    /// @param amount The wei paid.
    event FeesClaimed(address indexed recipient, uint256 amount);

    /// @notice Anyone froze the rollup because an L1 request was left past its deadline.
    /// @param requestIndex The oldest request no batch consumed.
    /// @param deadline Its deadline (a block number).
    /// @param stateRoot The last proven state root, against which accounts exit.
    /// @param lastBatch The last verified batch.
    event Frozen(uint256 indexed requestIndex, uint256 deadline, uint256 stateRoot, uint256 lastBatch);

    /// @notice An account exited one token's balance from a frozen rollup.
    /// @param accountIndex The account.
    /// @param owner Its L1 address, which asked.
    /// @param tokenId The token.
    /// @param amount The balance paid.
    /// @param recipient Where the owner had it paid.
    event Exited(
        uint256 indexed accountIndex, address indexed owner, uint256 indexed tokenId, uint256 amount, address recipient
    );

    /// @notice A deposit no batch consumed was paid back to its depositor.
    /// @param requestIndex The deposit's request index.
    /// @param owner The depositor, paid.
    /// @param tokenId The token.
    /// @param amount The amount paid back.
    event DepositRefunded(uint256 indexed requestIndex, address indexed owner, uint256 indexed tokenId, uint256 amount);

    /// @notice The deployment's perpetual parameters, whose hash is `configHash` (emitted by the
    ///         constructor when perpetual markets are configured): what a replay of perpetual
    ///         slots from L1 needs (which markets, their quanta). The contract cannot hash them
    ///         itself; every reader checks them against `configHash`, which the state root
    ///         commits to (sequencer/l1/perp_parameters.py).
    /// @param configHash The parameters' hash (Perpetuals.configHash).
    /// @param parameters Their ABI encoding.
    event PerpetualParameters(uint256 indexed configHash, bytes parameters);

    /// @notice An account proved its perpetual claim in a frozen rollup.
    /// @param accountIndex The account.
    /// @param owner Its L1 address, which proved it.
    /// @param claim Its value at the last proven prices, funding settled, at least 1.
    /// @param collateralPool The collateral pool the claims share.
    event PerpetualClaimed(uint256 indexed accountIndex, address indexed owner, uint256 claim, uint256 collateralPool);

    /// @notice An account's perpetual claim was paid after the claim window.
    /// @param accountIndex The account.
    /// @param owner Its L1 address, which asked.
    /// @param amount What it was paid of the collateral token.
    /// @param recipient Where the owner had it paid.
    event PerpetualClaimPaid(uint256 indexed accountIndex, address indexed owner, uint256 amount, address recipient);

    /// @notice A claimable withdrawal was paid out.
    /// @param owner The L1 address paid.
    /// @param tokenId The token.
    /// @param amount The amount paid.
    /// @param caller Who triggered the claim.
    event Claimed(address indexed owner, uint256 indexed tokenId, uint256 amount, address caller);

    // ---------------------------------------------------------------- user functions

    /// @notice Deposits `amount` of token `tokenId` (pulled with transferFrom: approve first)
    ///         and queues a deposit request for the L2 account of msg.sender. The first
    ///         deposit of an address registers it as the next account with the public key
    ///         (ax, ay); later deposits ignore ax and ay and send zeros in the request.
    ///         The amount credited is what the rollup received (balance difference).
    ///         It pays requestFee() in ether, plus registrationFee() on the first deposit.
    /// @dev Reverts RollupFrozen, WrongFee, RequestRateExceeded, UnknownToken, InvalidPublicKey,
    ///      AccountTreeFull, ZeroDeposit, DepositCapExceeded, or the token's own error.
    /// @param tokenId The token id (its index in the token list).
    /// @param amount The amount to transfer.
    /// @param ax The BabyJubJub public key's x coordinate (first deposit only).
    /// @param ay The BabyJubJub public key's y coordinate (first deposit only).
    /// @return requestIndex The queued request's index.
    function deposit(uint16 tokenId, uint96 amount, uint256 ax, uint256 ay)
        external
        payable
        returns (uint256 requestIndex);

    /// @notice Queues a forced withdrawal of the whole balance of token `tokenId` of the
    ///         sender's account: a batch must process it within requestDeadlineBlocks() blocks,
    ///         making the balance claimable by the sender, or anyone may freeze the rollup.
    ///         No signature is needed: the sender is checked against the account's address.
    ///         It pays requestFee() in ether.
    /// @dev Reverts RollupFrozen, WrongFee, RequestRateExceeded, NotRegistered, UnknownToken.
    /// @param tokenId The token.
    /// @return requestIndex The queued request's index.
    function requestForcedWithdrawal(uint16 tokenId) external payable returns (uint256 requestIndex);

    /// @notice Queues a forced cancel-all: once processed (within the same deadline), no order
    ///         of the sender's account with an id below `minOrderId` can trade, so the
    ///         sequencer must release what they locked. The account's minimum never falls.
    ///         It pays requestFee() in ether.
    /// @dev Reverts RollupFrozen, WrongFee, RequestRateExceeded, NotRegistered.
    /// @param minOrderId The smallest order id the account may still trade.
    /// @return requestIndex The queued request's index.
    function requestForcedCancelAll(uint48 minOrderId) external payable returns (uint256 requestIndex);

    /// @notice Freezes the rollup for good when the oldest L1 request no batch consumed is past
    ///         its deadline. Anyone may call it. Afterwards no deposit, request or batch is
    ///         accepted; accounts exit against the last proven root, unconsumed deposits are
    ///         refunded, and claimable withdrawals stay claimable.
    /// @dev Reverts RollupFrozen, NothingToFreeze, DeadlineNotPassed.
    function freeze() external;

    /// @notice In a frozen rollup, pays the sender its account's balance of `tokenId` as of the
    ///         last proven state root, once per (account, token). The proof is the account's
    ///         leaf (with the sender as its address), every balance in it included, and its
    ///         Merkle path; the contract hashes them with its Poseidon contracts.
    ///         The balance goes to `recipient`, which the owner chooses (an address a token
    ///         refuses to pay, such as a blacklisted owner, can still have its funds sent elsewhere).
    /// @dev Reverts NotFrozen, InvalidRecipient, NotRegistered, UnknownToken, AlreadyExited,
    ///      NothingToExit, InvalidProofLength, ValueNotInField, BalanceOutOfRange, InvalidExitProof.
    /// @param tokenId The token.
    /// @param proof The account leaf, with its balances, and its path.
    /// @param recipient Who is paid.
    /// @return amount The balance paid.
    function exit(uint16 tokenId, ExitProof calldata proof, address recipient) external returns (uint256 amount);

    /// @notice In a frozen rollup, within the claim window, records the sender's account's claim
    ///         on the collateral pool: its collateral plus its positions at the last proven
    ///         oracle prices, the funding unsettled at the last proven indices settled first
    ///         (rounded down), if positive (docs/DESIGN.md, "Exit with open positions"). The
    ///         proof is the account's exit proof, whose perpHash must be `side`'s hash and whose
    ///         perpCommitment that of `markets` and `collateralPool`: everything comes from
    ///         the last proven state, no operator and no SNARK needed.
    /// @dev Reverts NotFrozen, ClaimWindowClosed, NotRegistered, AlreadyClaimedPerpetual,
    ///      PerpValueOutOfRange, ValueNotInField, InvalidPerpSide, InvalidPerpCommitment,
    ///      InvalidProofLength, BalanceOutOfRange, InvalidExitProof, NoPerpetualClaim.
    /// @param proof The account leaf and its path, with the perpetual commitment.
    /// @param side The account's perpetual side.
    /// @param markets The four markets' states (a market not configured: all zeros).
    /// @param collateralPool The collateral pool.
    /// @return amount The claim recorded.
    function claimPerpetual(
        ExitProof calldata proof,
        PerpSide calldata side,
        PerpMarket[4] calldata markets,
        uint256 collateralPool
    ) external returns (uint256 amount);

    /// @notice After the claim window, pays the sender's account its perpetual claim, once,
    ///         in the collateral token: the whole claim while the traders' claims together fit
    ///         in the collateral pool (the insurance fund: what is left, up to its claim), else
    ///         every trader the same share, claim * pool / claims rounded down, and the fund
    ///         nothing. The payouts never sum to more than the pool.
    /// @dev Reverts NotFrozen, ClaimWindowOpen, InvalidRecipient, NotRegistered,
    ///      NoPerpetualClaim, PerpetualClaimAlreadyPaid.
    /// @param recipient Who is paid.
    /// @return amount What was paid (0 for the fund when the traders' claims exceed the pool).
    function payPerpetualClaim(address recipient) external returns (uint256 amount);

    /// @notice The perpetual claims so far: the collateral pool they share (0 until the first
    ///         claim), the traders' claims together, the insurance fund's claim, and the last
    ///         block of the claim window (0 before the freeze).
    function perpetualClaims()
        external
        view
        returns (uint256 collateralPool, uint256 tradersOwed, uint256 fundClaim, uint256 deadline);

    /// @notice Account `accountIndex`'s perpetual claim (0 if none) and whether it was paid.
    function perpetualClaimOf(uint256 accountIndex) external view returns (uint256 amount, bool paid);

    /// @notice In a frozen rollup, pays a deposit that no batch consumed back to its depositor,
    ///         once. Anyone may call it; the tokens always go to the depositor. The fields are
    ///         checked against the request chain.
    /// @dev Reverts NotFrozen, RequestNotPending, AlreadyRefunded, ValueNotInField,
    ///      RequestMismatch.
    /// @param requestIndex The deposit's request index.
    /// @param request The deposit's fields, as its L1RequestQueued event reported them.
    /// @return amount The amount paid back.
    function refundDeposit(uint256 requestIndex, DepositRequest calldata request) external returns (uint256 amount);

    /// @notice Submits batch `batchNumber` with its proof. On success, the state root
    ///         becomes newRoot, `l1Count` L1 requests are consumed, and every WITHDRAW and
    ///         FORCED_WITHDRAW slot credits its amount to claimable[ethAddr][token]. Only the
    ///         submitter may call it: a stranger holding a valid proof of another batch cannot
    ///         race the operator's own (the proof binds the data, not who sends it).
    /// @dev Reverts NotSubmitter, RollupFrozen, BatchOutOfOrder, TimestampBeforeLastBatch, TimestampInFuture,
    ///      TimestampTooOld,
    ///      TooManyL1Requests, InvalidPublicDataLength, ValueNotInField, then InvalidProof when the
    ///      verifier says no.
    /// @param batchNumber Must be lastBatch() + 1.
    /// @param newRoot The state root after the batch.
    /// @param timestamp The batch's timestamp: at least the previous batch's, at most the block's.
    /// @param l1Count The number of L1 requests the batch consumes, in queue order.
    /// @param publicData The public data, PublicDataLayout.SLOT_BYTES per slot (docs/DESIGN.md).
    /// @param proof The Groth16 proof: A (2), B (4, G2 coordinates as snarkjs's calldata orders them), C (2).
    function submitBatch(
        uint256 batchNumber,
        uint256 newRoot,
        uint64 timestamp,
        uint256 l1Count,
        bytes calldata publicData,
        uint256[8] calldata proof
    ) external;

    /// @notice Submits consecutive batches with their proofs in one transaction, as if by one
    ///         submitBatch call each, in order, and verifies all their proofs with one batched
    ///         pairing check (k + 3 pairings for k proofs, see Groth16BatchVerifier): the fixed
    ///         cost of a transaction and of the pairing check is shared by every batch in it.
    ///         All or nothing: one refused batch or proof reverts the whole call.
    /// @dev Reverts NotSubmitter, RollupFrozen, InvalidBatchCount, then what submitBatch reverts
    ///      with for the first batch that fails its checks, then InvalidProof.
    /// @param batches The batches, batches[0].batchNumber = lastBatch() + 1 and consecutive.
    function submitBatches(BatchSubmission[] calldata batches) external;

    /// @notice Pays `owner` everything claimable of token `tokenId`. Anyone may call it, also
    ///         in a frozen rollup; the tokens always go to `owner`.
    /// @dev Reverts UnknownToken, NothingToClaim.
    /// @param owner The L1 address a withdrawal credited.
    /// @param tokenId The token.
    /// @return amount The amount paid.
    function claim(address owner, uint16 tokenId) external returns (uint256 amount);

    /// @notice Hands the batch submitter role to `next` (a multisig, a smart account, later
    ///         the sequencer set's contract). Only the current submitter may call it.
    /// @dev Reverts NotSubmitter, InvalidSubmitter.
    /// @param next The new submitter.
    function setSubmitter(address next) external;

    /// @notice Pays every request and registration fee collected so far to `recipient`. Only
    ///         the submitter (who serves the requests) may call it. A fee is the price of a
    ///         request, not a bond: it is not paid back, also not after a freeze.
    /// @dev Reverts NotSubmitter, InvalidRecipient, NoFees, FeeTransferFailed.
    /// @param recipient Who is paid.
    /// @return amount The wei paid.
    function claimFees(address recipient) external returns (uint256 amount);

    /// @notice The wei every user's L1 request pays.
    function requestFee() external view returns (uint256);

    /// @notice The wei the deposit that registers an account pays on top of requestFee().
    function registrationFee() external view returns (uint256);

    /// @notice The most L1 requests users may queue in one block.
    function maxRequestsPerBlock() external view returns (uint256);

    /// @notice The fees collected and not yet claimed, in wei.
    function collectedFees() external view returns (uint256);

    // ---------------------------------------------------------------- views

    /// @notice What the rollup owes of a token: deposited less claimed, exited and refunded.
    ///         Deposits are capped on it (below 2^96).
    function outstanding(uint256 tokenId) external view returns (uint256);

    /// @notice The most seconds a batch's timestamp may lag the block that verifies it.
    function maxTimestampLag() external view returns (uint256);

    /// @notice The address allowed to submit batches (the operator's at deployment).
    function submitter() external view returns (address);

    /// @notice The current state root (the genesis root before the first batch).
    function stateRoot() external view returns (uint256);

    /// @notice The number of the last verified batch (0 before the first).
    function lastBatch() external view returns (uint256);

    /// @notice The timestamp of the last verified batch (0 before the first).
    function lastBatchTimestamp() external view returns (uint64);

    /// @notice The number of L1 requests ever queued.
    function l1RequestCount() external view returns (uint256);

    /// @notice The number of L1 requests consumed by verified batches.
    function l1Processed() external view returns (uint256);

    /// @notice The L1 request chain value after `index` requests (chain[0] = 0).
    /// @dev Reverts L1ChainIndexOutOfRange when index > l1RequestCount().
    function l1Chain(uint256 index) external view returns (uint256);

    /// @notice The account of an L1 address.
    /// @return registered Whether the address has an account.
    /// @return accountIndex Its leaf index (0 when not registered).
    function accountOf(address owner) external view returns (bool registered, uint256 accountIndex);

    /// @notice The L1 address of an account: the address its withdrawals pay.
    /// @return owner The address that registered it; address(0) when no address has.
    function ownerOfAccount(uint256 accountIndex) external view returns (address owner);

    /// @notice The number of registered accounts (the next account's index).
    function accountCount() external view returns (uint256);

    /// @notice The ERC-20 token with id `tokenId`.
    /// @dev Reverts UnknownToken.
    function tokens(uint256 tokenId) external view returns (address);

    /// @notice The number of registered tokens.
    function tokenCount() external view returns (uint256);

    /// @notice The total ever deposited of a token (capped below 2^96).
    function totalDeposited(uint256 tokenId) external view returns (uint256);

    /// @notice What `owner` can claim of token `tokenId`.
    function claimable(address owner, uint256 tokenId) external view returns (uint256);

    /// @notice The number of transaction slots per batch.
    function nTx() external view returns (uint256);

    /// @notice The account tree's depth (2^accountDepth accounts).
    function accountDepth() external view returns (uint256);

    /// @notice The token id bits (2^balanceDepth tokens at most).
    function balanceDepth() external view returns (uint256);

    /// @notice The Groth16 verifier of the batch circuit (an IGroth16BatchVerifier).
    function verifier() external view returns (address);

    /// @notice The Poseidon hash contracts for 2, 4, 5, 7, 9 and 15 inputs.
    function hashers()
        external
        view
        returns (
            address poseidon2,
            address poseidon4,
            address poseidon5,
            address poseidon7,
            address poseidon9,
            address poseidon15
        );

    /// @notice The perpetual futures the rollup settles after a freeze, as deployed.
    function perpetuals() external view returns (Perpetuals memory);

    /// @notice The state root before the first batch: Poseidon([accountRoot, perpCommitment])
    ///         of the empty account tree, the unpriced markets and an empty collateral pool,
    ///         which commits to every tree depth (the order tree's too), so that the state can be
    ///         rebuilt from L1 alone.
    function genesisRoot() external view returns (uint256);

    /// @notice The block that deployed the rollup: its events start there.
    function deploymentBlock() external view returns (uint256);

    /// @notice Blocks a batch has to consume an L1 request before anyone may freeze.
    function requestDeadlineBlocks() external view returns (uint256);

    /// @notice The deadline (last block) of L1 request `index`.
    /// @dev Reverts L1ChainIndexOutOfRange when index >= l1RequestCount().
    function l1RequestDeadline(uint256 index) external view returns (uint256);

    /// @notice Whether the rollup is frozen.
    function frozen() external view returns (bool);

    /// @notice Whether account `accountIndex` exited token `tokenId`.
    function exited(uint256 accountIndex, uint256 tokenId) external view returns (bool);

    /// @notice Whether the deposit at request index `requestIndex` was refunded.
    function refunded(uint256 requestIndex) external view returns (bool);
}
