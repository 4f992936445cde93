// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IMatchproof} from "./interfaces/IMatchproof.sol";
import {IGroth16BatchVerifier} from "./interfaces/IGroth16BatchVerifier.sol";
import {IPoseidon2, IPoseidon4, IPoseidon5, IPoseidon7, IPoseidon9, IPoseidon15} from "./interfaces/IPoseidon.sol";
import {AccountRegistry} from "./libraries/AccountRegistry.sol";
import {BabyJubJub} from "./libraries/BabyJubJub.sol";
import {BatchLog} from "./libraries/BatchLog.sol";
import {Exodus} from "./libraries/Exodus.sol";
import {Field} from "./libraries/Field.sol";
import {L1Queue} from "./libraries/L1Queue.sol";
import {L1Requests} from "./libraries/L1Requests.sol";
import {PerpExodus} from "./libraries/PerpExodus.sol";
import {PublicData} from "./libraries/PublicData.sol";
import {PublicDataLayout} from "./libraries/PublicDataLayout.sol";
import {TokenVault} from "./libraries/TokenVault.sol";

/// @title Matchproof rollup contract
/// @notice The entry point: deposits and forced requests into the L1 request queue, batch
///         verification, claims of proven withdrawals, and the way out of a frozen rollup
///         (exits by Merkle proof, refunds of unconsumed deposits). The logic lives in the
///         libraries; see IMatchproof for the behaviour of each function and docs/DESIGN.md
///         for the encodings.
contract Matchproof is IMatchproof, ReentrancyGuardTransient {
    using AccountRegistry for AccountRegistry.Registry;
    using BatchLog for BatchLog.Log;
    using L1Queue for L1Queue.Queue;
    using PerpExodus for PerpExodus.State;
    using TokenVault for TokenVault.Vault;

    uint256 internal constant MAX_ACCOUNT_DEPTH = PublicDataLayout.ACCOUNT_A_BITS; // published accounts fit
    uint256 internal constant MAX_BALANCE_DEPTH = PublicDataLayout.TOKEN_1_BITS; // published tokens fit (16: ExitProof)
    uint256 internal constant MAX_N_TX = 4096; // far above what a circuit holds; bounds calldata loops
    uint256 internal constant MAX_REQUEST_DEADLINE_BLOCKS = 1 << 20; // about 145 days of 12 s blocks
    uint256 internal constant MAX_TIMESTAMP_LAG = 1 days;
    uint256 internal constant MAX_FEE = 1 ether;
    uint256 internal constant MAX_BATCHES_PER_CALL = 128; // the verifier's MAX_PROOFS

    IGroth16BatchVerifier internal immutable _verifier;
    IPoseidon2 internal immutable _poseidon2;
    IPoseidon4 internal immutable _poseidon4;
    IPoseidon5 internal immutable _poseidon5;
    IPoseidon7 internal immutable _poseidon7;
    IPoseidon9 internal immutable _poseidon9;
    IPoseidon15 internal immutable _poseidon15;
    uint256 internal immutable _nTx;
    uint256 internal immutable _accountDepth;
    uint256 internal immutable _balanceDepth;
    uint256 internal immutable _genesisRoot;
    uint256 internal immutable _requestDeadlineBlocks;
    uint256 internal immutable _maxTimestampLag;
    uint256 internal immutable _deploymentBlock;
    uint256 internal immutable _requestFee;
    uint256 internal immutable _registrationFee;
    uint256 internal immutable _maxRequestsPerBlock;
    uint256 internal immutable _collateralToken;
    address internal immutable _insuranceFund;
    uint32 internal immutable _insuranceFundIndex;
    uint256 internal immutable _quantum0;
    uint256 internal immutable _quantum1;
    uint256 internal immutable _quantum2;
    uint256 internal immutable _quantum3;
    uint256 internal immutable _claimWindowBlocks;
    uint256 internal immutable _perpConfigHash;
    uint256 internal immutable _perpSlots;

    BatchLog.Log internal _batches;
    L1Queue.Queue internal _queue;
    AccountRegistry.Registry internal _accounts;
    TokenVault.Vault internal _vault;
    Exodus.State internal _exodus;
    PerpExodus.State internal _perpExodus;
    /// @dev The only address that may submit batches (see setSubmitter).
    address internal _submitter;
    /// @dev Users' requests, in one slot: the fees not yet claimed (see claimFees), the block
    ///      of the latest request and how many were queued in it.
    RequestMeter internal _meter;

    struct RequestMeter {
        uint128 collectedFees;
        uint64 blockNumber;
        uint64 inBlock;
    }

    /// @notice Its ABI encoding equals that of the flat argument list (verifier, poseidon2,
    ///         poseidon4, poseidon5, poseidon7, poseidon9, poseidon15, genesisRoot, tokens, nTx,
    ///         accountDepth, balanceDepth, requestDeadlineBlocks, maxTimestampLag, requestFee,
    ///         registrationFee, maxRequestsPerBlock, operator, operatorAx, operatorAy,
    ///         collateralToken, insuranceFund, quanta[4], claimWindowBlocks, configHash, slots,
    ///         insuranceFundIndex,
    ///         perpParameters): the four structs are static.
    /// @param verifier_ The Groth16 verifier of the batch circuit.
    /// @param hashers_ The Poseidon contracts for 2, 4, 5, 7, 9 and 15 inputs.
    /// @param genesisRoot The state root before the first batch (of the empty account tree, the
    ///        unpriced markets and an empty collateral pool).
    /// @param tokenList The ERC-20 tokens; token id = index; 1 to 2^balanceDepth of them.
    /// @param config The batch size, the tree depths, the L1 request deadline, the most a
    ///        batch's timestamp may lag L1's, and the price and rate bound of users' requests.
    /// @param operator The operator: registered as account 0, and its deposit of 0 of token 0
    ///        is the first L1 request.
    /// @param perpetuals_ The collateral token, the insurance fund, the markets' quanta and the
    ///        claim window of perpetual claims after a freeze, the parameters' hash and the
    ///        perpetual slots per batch.
    /// @param perpParameters The perpetual parameters, ABI-encoded (emitted in
    ///        PerpetualParameters; empty without perpetual markets).
    constructor(
        IGroth16BatchVerifier verifier_,
        Hashers memory hashers_,
        uint256 genesisRoot,
        address[] memory tokenList,
        Config memory config,
        Operator memory operator,
        Perpetuals memory perpetuals_,
        bytes memory perpParameters
    ) {
        _requireCode(address(verifier_));
        _requireCode(address(hashers_.poseidon2));
        _requireCode(address(hashers_.poseidon4));
        _requireCode(address(hashers_.poseidon5));
        _requireCode(address(hashers_.poseidon7));
        _requireCode(address(hashers_.poseidon9));
        _requireCode(address(hashers_.poseidon15));
        if (
            config.accountDepth == 0 || config.accountDepth > MAX_ACCOUNT_DEPTH || config.accountDepth % 2 != 0
                || config.balanceDepth == 0 || config.balanceDepth > MAX_BALANCE_DEPTH
        ) {
            revert InvalidTreeDepths(config.accountDepth, config.balanceDepth);
        }
        if (config.nTx == 0 || config.nTx > MAX_N_TX) revert InvalidBatchSize(config.nTx);
        if (config.requestDeadlineBlocks == 0 || config.requestDeadlineBlocks > MAX_REQUEST_DEADLINE_BLOCKS) {
            revert InvalidRequestDeadline(config.requestDeadlineBlocks);
        }
        if (config.maxTimestampLag == 0 || config.maxTimestampLag > MAX_TIMESTAMP_LAG) {
            revert InvalidTimestampLag(config.maxTimestampLag);
        }
        if (config.requestFee > MAX_FEE || config.registrationFee > MAX_FEE) {
            revert InvalidFees(config.requestFee, config.registrationFee);
        }
        if (config.maxRequestsPerBlock == 0 || config.maxRequestsPerBlock > MAX_N_TX) {
            revert InvalidRequestRate(config.maxRequestsPerBlock);
        }
        if (!Field.contains(genesisRoot)) revert ValueNotInField(genesisRoot);
        if (operator.ethAddr == address(0)) revert InvalidOperator();

        _verifier = verifier_;
        _poseidon2 = hashers_.poseidon2;
        _poseidon4 = hashers_.poseidon4;
        _poseidon5 = hashers_.poseidon5;
        _poseidon7 = hashers_.poseidon7;
        _poseidon9 = hashers_.poseidon9;
        _poseidon15 = hashers_.poseidon15;
        _nTx = config.nTx;
        _accountDepth = config.accountDepth;
        _balanceDepth = config.balanceDepth;
        _genesisRoot = genesisRoot;
        _requestDeadlineBlocks = config.requestDeadlineBlocks;
        _maxTimestampLag = config.maxTimestampLag;
        _deploymentBlock = block.number;
        _requestFee = config.requestFee;
        _registrationFee = config.registrationFee;
        _maxRequestsPerBlock = config.maxRequestsPerBlock;
        _collateralToken = perpetuals_.collateralToken;
        _insuranceFund = perpetuals_.insuranceFund;
        _insuranceFundIndex = perpetuals_.insuranceFundIndex;
        _quantum0 = perpetuals_.quanta[0];
        _quantum1 = perpetuals_.quanta[1];
        _quantum2 = perpetuals_.quanta[2];
        _quantum3 = perpetuals_.quanta[3];
        _claimWindowBlocks = perpetuals_.claimWindowBlocks;
        _perpConfigHash = perpetuals_.configHash;
        _perpSlots = perpetuals_.slots;

        _submitter = operator.ethAddr;
        _batches.stateRoot = genesisRoot;
        _vault.initialize(tokenList, 2 ** config.balanceDepth);
        if (
            perpetuals_.collateralToken >= tokenList.length || perpetuals_.insuranceFund == operator.ethAddr
                || perpetuals_.claimWindowBlocks == 0 || perpetuals_.claimWindowBlocks > MAX_REQUEST_DEADLINE_BLOCKS
        ) {
            revert InvalidPerpetuals();
        }
        bool anyMarket;
        for (uint256 i = 0; i < 4; ++i) {
            if (perpetuals_.quanta[i] >> PerpExodus.QUANTUM_BITS != 0) revert InvalidPerpetuals();
            anyMarket = anyMarket || perpetuals_.quanta[i] != 0;
        }
        if (
            !Field.contains(perpetuals_.configHash) || anyMarket != (perpetuals_.configHash != 0)
                || perpetuals_.slots > MAX_N_TX || (!anyMarket && perpetuals_.slots != 0)
                || anyMarket != (perpParameters.length != 0)
                || (perpetuals_.insuranceFund != address(0) && anyMarket) != (perpetuals_.insuranceFundIndex != 0)
                || perpetuals_.insuranceFundIndex >= 2 ** config.accountDepth
        ) {
            revert InvalidPerpetuals();
        }
        if (anyMarket) emit PerpetualParameters(perpetuals_.configHash, perpParameters);
        // Immutables cannot be read during construction: the hashers and the deadline are
        // passed along.
        uint32 operatorIndex = _register(operator.ethAddr, operator.ax, operator.ay, 2 ** config.accountDepth);
        _queueRequest(
            L1Requests.Request({
                txType: L1Requests.DEPOSIT,
                accountIndex: operatorIndex,
                ethAddr: operator.ethAddr,
                ax: operator.ax,
                ay: operator.ay,
                tokenId: 0,
                amount: 0
            }),
            block.number + config.requestDeadlineBlocks,
            hashers_.poseidon2,
            hashers_.poseidon7
        );
    }

    // ---------------------------------------------------------------- user functions

    /// @inheritdoc IMatchproof
    function deposit(uint16 tokenId, uint96 amount, uint256 ax, uint256 ay)
        external
        payable
        nonReentrant
        returns (uint256 requestIndex)
    {
        _requireNotFrozen();
        (bool registered, uint32 accountIndex) = _accounts.find(msg.sender);
        _takeRequestFee(registered ? _requestFee : _requestFee + _registrationFee);
        uint256 keyX;
        uint256 keyY;
        if (!registered) {
            accountIndex = _register(msg.sender, ax, ay, 2 ** _accountDepth);
            if (_perpConfigHash != 0 && (accountIndex == _insuranceFundIndex) != (msg.sender == _insuranceFund)) {
                revert InsuranceFundAccountReserved(accountIndex, msg.sender);
            }
            (keyX, keyY) = (ax, ay);
        }
        uint96 received = _vault.pull(tokenId, msg.sender, amount);
        requestIndex = _queueFromSender(L1Requests.DEPOSIT, accountIndex, keyX, keyY, tokenId, received);
    }

    /// @inheritdoc IMatchproof
    function requestForcedWithdrawal(uint16 tokenId) external payable returns (uint256 requestIndex) {
        _requireNotFrozen();
        _takeRequestFee(_requestFee);
        uint32 accountIndex = _accountOfSender();
        _vault.token(tokenId);
        requestIndex = _queueFromSender(L1Requests.FORCED_WITHDRAW, accountIndex, 0, 0, tokenId, 0);
    }

    /// @inheritdoc IMatchproof
    function requestForcedCancelAll(uint48 minOrderId) external payable returns (uint256 requestIndex) {
        _requireNotFrozen();
        _takeRequestFee(_requestFee);
        uint32 accountIndex = _accountOfSender();
        requestIndex = _queueFromSender(L1Requests.FORCED_CANCEL_ALL, accountIndex, 0, 0, 0, minOrderId);
    }

    /// @inheritdoc IMatchproof
    function freeze() external {
        _requireNotFrozen();
        (bool waiting, uint256 requestIndex, uint256 deadline) = _queue.oldestPending();
        if (!waiting) revert NothingToFreeze();
        if (block.number <= deadline) revert DeadlineNotPassed(requestIndex, deadline, block.number);
        _exodus.frozen = true;
        _exodus.frozenBlock = uint64(block.number);
        emit Frozen(requestIndex, deadline, _batches.stateRoot, _batches.lastBatch);
    }

    /// @inheritdoc IMatchproof
    function exit(uint16 tokenId, ExitProof calldata proof, address recipient)
        external
        nonReentrant
        returns (uint256 amount)
    {
        if (!_exodus.frozen) revert NotFrozen();
        if (recipient == address(0)) revert InvalidRecipient();
        uint32 accountIndex = _accountOfSender();
        _vault.token(tokenId);
        if (_exodus.exited[accountIndex][tokenId]) revert AlreadyExited(accountIndex, tokenId);
        amount = proof.balances[tokenId];
        if (amount == 0) revert NothingToExit(accountIndex, tokenId);
        uint256 root = Exodus.stateRoot(proof, msg.sender, accountIndex, _accountDepth, _poseidon2, _poseidon4, _poseidon15);
        if (root != _batches.stateRoot) revert InvalidExitProof(root, _batches.stateRoot);

        _exodus.exited[accountIndex][tokenId] = true;
        _vault.send(tokenId, recipient, amount);
        emit Exited(accountIndex, msg.sender, tokenId, amount, recipient);
    }

    /// @inheritdoc IMatchproof
    function claimPerpetual(
        ExitProof calldata proof,
        PerpSide calldata side,
        PerpMarket[4] calldata markets,
        uint256 collateralPool
    ) external returns (uint256 amount) {
        if (!_exodus.frozen) revert NotFrozen();
        uint256 deadline = _claimDeadline();
        if (block.number > deadline) revert ClaimWindowClosed(deadline, block.number);
        uint32 accountIndex = _accountOfSender();
        uint256 root = Exodus.stateRoot(proof, msg.sender, accountIndex, _accountDepth, _poseidon2, _poseidon4, _poseidon15);
        if (root != _batches.stateRoot) revert InvalidExitProof(root, _batches.stateRoot);
        amount = _perpExodus.record(
            accountIndex,
            msg.sender == _insuranceFund,
            proof,
            side,
            markets,
            collateralPool,
            PerpExodus.Parameters(_quanta(), _perpConfigHash),
            PerpExodus.Hashers(_poseidon2, _poseidon5, _poseidon9)
        );
        emit PerpetualClaimed(accountIndex, msg.sender, amount, collateralPool);
    }

    /// @inheritdoc IMatchproof
    function payPerpetualClaim(address recipient) external nonReentrant returns (uint256 amount) {
        if (!_exodus.frozen) revert NotFrozen();
        uint256 deadline = _claimDeadline();
        if (block.number <= deadline) revert ClaimWindowOpen(deadline, block.number);
        if (recipient == address(0)) revert InvalidRecipient();
        uint32 accountIndex = _accountOfSender();
        amount = _perpExodus.pay(accountIndex, msg.sender == _insuranceFund);
        _vault.send(_collateralToken, recipient, amount);
        emit PerpetualClaimPaid(accountIndex, msg.sender, amount, recipient);
    }

    /// @inheritdoc IMatchproof
    function perpetualClaims()
        external
        view
        returns (uint256 collateralPool, uint256 tradersOwed, uint256 fundClaim, uint256 deadline)
    {
        deadline = _exodus.frozen ? _claimDeadline() : 0;
        return (_perpExodus.pool, _perpExodus.tradersOwed, _perpExodus.fundClaim, deadline);
    }

    /// @inheritdoc IMatchproof
    function perpetualClaimOf(uint256 accountIndex) external view returns (uint256 amount, bool paid) {
        return (_perpExodus.claims[accountIndex], _perpExodus.paid[accountIndex]);
    }

    /// @inheritdoc IMatchproof
    function refundDeposit(uint256 requestIndex, DepositRequest calldata request)
        external
        nonReentrant
        returns (uint256 amount)
    {
        if (!_exodus.frozen) revert NotFrozen();
        if (requestIndex < _queue.processed || requestIndex >= _queue.length) {
            revert RequestNotPending(requestIndex, _queue.processed, _queue.length);
        }
        if (_exodus.refunded[requestIndex]) revert AlreadyRefunded(requestIndex);
        if (!Field.contains(request.ax)) revert ValueNotInField(request.ax);
        if (!Field.contains(request.ay)) revert ValueNotInField(request.ay);
        uint256 requestHash = L1Requests.hash(
            L1Requests.Request({
                txType: L1Requests.DEPOSIT,
                accountIndex: request.accountIndex,
                ethAddr: request.owner,
                ax: request.ax,
                ay: request.ay,
                tokenId: request.tokenId,
                amount: request.amount
            }),
            _poseidon7
        );
        uint256 chained = _poseidon2.poseidon([_queue.chainAt(requestIndex), requestHash]);
        if (chained != _queue.chainAt(requestIndex + 1)) revert RequestMismatch(requestIndex);

        _exodus.refunded[requestIndex] = true;
        amount = request.amount;
        _vault.send(request.tokenId, request.owner, amount);
        emit DepositRefunded(requestIndex, request.owner, request.tokenId, amount);
    }

    /// @inheritdoc IMatchproof
    function submitBatch(
        uint256 batchNumber,
        uint256 newRoot,
        uint64 timestamp,
        uint256 l1Count,
        bytes calldata publicData,
        uint256[8] calldata proof
    ) external {
        _requireSubmitter();
        _requireNotFrozen();
        uint256[] memory inputs = new uint256[](1);
        inputs[0] = _applyBatch(batchNumber, newRoot, timestamp, l1Count, publicData);
        uint256[8][] memory proofs = new uint256[8][](1);
        proofs[0] = proof;
        if (!_verifier.verifyProofs(proofs, inputs)) revert InvalidProof();
    }

    /// @inheritdoc IMatchproof
    function submitBatches(BatchSubmission[] calldata batches) external {
        _requireSubmitter();
        _requireNotFrozen();
        uint256 count = batches.length;
        if (count == 0 || count > MAX_BATCHES_PER_CALL) revert InvalidBatchCount(count, MAX_BATCHES_PER_CALL);
        uint256[] memory inputs = new uint256[](count);
        uint256[8][] memory proofs = new uint256[8][](count);
        for (uint256 i = 0; i < count; ++i) {
            BatchSubmission calldata batch = batches[i];
            inputs[i] = _applyBatch(batch.batchNumber, batch.newRoot, batch.timestamp, batch.l1Count, batch.publicData);
            proofs[i] = batch.proof;
        }
        if (!_verifier.verifyProofs(proofs, inputs)) revert InvalidProof();
    }

    /// @inheritdoc IMatchproof
    function setSubmitter(address next) external {
        _requireSubmitter();
        if (next == address(0)) revert InvalidSubmitter();
        emit SubmitterChanged(_submitter, next);
        _submitter = next;
    }

    /// @inheritdoc IMatchproof
    function claimFees(address recipient) external nonReentrant returns (uint256 amount) {
        _requireSubmitter();
        if (recipient == address(0)) revert InvalidRecipient();
        amount = _meter.collectedFees;
        if (amount == 0) revert NoFees();
        _meter.collectedFees = 0;
        emit FeesClaimed(recipient, amount);
        (bool paid,) = recipient.call{value: amount}("");
        if (!paid) revert FeeTransferFailed(recipient);
    }

    /// @inheritdoc IMatchproof
    function claim(address owner, uint16 tokenId) external nonReentrant returns (uint256 amount) {
        amount = _vault.payOut(owner, tokenId);
        emit Claimed(owner, tokenId, amount, msg.sender);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IMatchproof
    function outstanding(uint256 tokenId) external view returns (uint256) {
        return _vault.outstanding[tokenId];
    }

    /// @inheritdoc IMatchproof
    function requestFee() external view returns (uint256) {
        return _requestFee;
    }

    /// @inheritdoc IMatchproof
    function registrationFee() external view returns (uint256) {
        return _registrationFee;
    }

    /// @inheritdoc IMatchproof
    function maxRequestsPerBlock() external view returns (uint256) {
        return _maxRequestsPerBlock;
    }

    /// @inheritdoc IMatchproof
    function collectedFees() external view returns (uint256) {
        return _meter.collectedFees;
    }

    /// @inheritdoc IMatchproof
    function maxTimestampLag() external view returns (uint256) {
        return _maxTimestampLag;
    }

    /// @inheritdoc IMatchproof
    function submitter() external view returns (address) {
        return _submitter;
    }

    /// @inheritdoc IMatchproof
    function stateRoot() external view returns (uint256) {
        return _batches.stateRoot;
    }

    /// @inheritdoc IMatchproof
    function lastBatch() external view returns (uint256) {
        return _batches.lastBatch;
    }

    /// @inheritdoc IMatchproof
    function lastBatchTimestamp() external view returns (uint64) {
        return _batches.lastTimestamp;
    }

    /// @inheritdoc IMatchproof
    function l1RequestCount() external view returns (uint256) {
        return _queue.length;
    }

    /// @inheritdoc IMatchproof
    function l1Processed() external view returns (uint256) {
        return _queue.processed;
    }

    /// @inheritdoc IMatchproof
    function l1Chain(uint256 index) external view returns (uint256) {
        return _queue.chainAt(index);
    }

    /// @inheritdoc IMatchproof
    function accountOf(address owner) external view returns (bool registered, uint256 accountIndex) {
        return _accounts.find(owner);
    }

    /// @inheritdoc IMatchproof
    function ownerOfAccount(uint256 accountIndex) external view returns (address) {
        return _accounts.ownerOf(accountIndex);
    }

    /// @inheritdoc IMatchproof
    function accountCount() external view returns (uint256) {
        return _accounts.count;
    }

    /// @inheritdoc IMatchproof
    function tokens(uint256 tokenId) external view returns (address) {
        return address(_vault.token(tokenId));
    }

    /// @inheritdoc IMatchproof
    function tokenCount() external view returns (uint256) {
        return _vault.tokens.length;
    }

    /// @inheritdoc IMatchproof
    function totalDeposited(uint256 tokenId) external view returns (uint256) {
        return _vault.totalDeposited[tokenId];
    }

    /// @inheritdoc IMatchproof
    function claimable(address owner, uint256 tokenId) external view returns (uint256) {
        return _vault.claimable[owner][tokenId];
    }

    /// @inheritdoc IMatchproof
    function nTx() external view returns (uint256) {
        return _nTx;
    }

    /// @inheritdoc IMatchproof
    function accountDepth() external view returns (uint256) {
        return _accountDepth;
    }

    /// @inheritdoc IMatchproof
    function balanceDepth() external view returns (uint256) {
        return _balanceDepth;
    }

    /// @inheritdoc IMatchproof
    function verifier() external view returns (address) {
        return address(_verifier);
    }

    /// @inheritdoc IMatchproof
    function hashers() external view returns (address, address, address, address, address, address) {
        return (
            address(_poseidon2),
            address(_poseidon4),
            address(_poseidon5),
            address(_poseidon7),
            address(_poseidon9),
            address(_poseidon15)
        );
    }

    /// @inheritdoc IMatchproof
    function perpetuals() external view returns (Perpetuals memory) {
        return Perpetuals(
            _collateralToken, _insuranceFund, _quanta(), _claimWindowBlocks, _perpConfigHash, _perpSlots, _insuranceFundIndex
        );
    }

    /// @inheritdoc IMatchproof
    function genesisRoot() external view returns (uint256) {
        return _genesisRoot;
    }

    /// @inheritdoc IMatchproof
    function deploymentBlock() external view returns (uint256) {
        return _deploymentBlock;
    }

    /// @inheritdoc IMatchproof
    function requestDeadlineBlocks() external view returns (uint256) {
        return _requestDeadlineBlocks;
    }

    /// @inheritdoc IMatchproof
    function l1RequestDeadline(uint256 index) external view returns (uint256) {
        if (index >= _queue.length) revert L1ChainIndexOutOfRange(index, _queue.length);
        return _queue.deadline[index];
    }

    /// @inheritdoc IMatchproof
    function frozen() external view returns (bool) {
        return _exodus.frozen;
    }

    /// @inheritdoc IMatchproof
    function exited(uint256 accountIndex, uint256 tokenId) external view returns (bool) {
        return _exodus.exited[accountIndex][tokenId];
    }

    /// @inheritdoc IMatchproof
    function refunded(uint256 requestIndex) external view returns (bool) {
        return _exodus.refunded[requestIndex];
    }

    // ---------------------------------------------------------------- internals

    /// @dev Gives `owner` (which has no account) the next account index, with key (ax, ay).
    function _register(address owner, uint256 ax, uint256 ay, uint256 capacity) internal returns (uint32 accountIndex) {
        if (!BabyJubJub.isValidKey(ax, ay)) revert InvalidPublicKey(ax, ay);
        accountIndex = _accounts.register(owner, capacity);
        emit AccountRegistered(accountIndex, owner, ax, ay);
    }

    /// @dev The last block of the perpetual claim window (the rollup is frozen).
    function _claimDeadline() internal view returns (uint256) {
        return _exodus.frozenBlock + _claimWindowBlocks;
    }

    /// @dev The perpetual markets' quanta.
    function _quanta() internal view returns (uint256[4] memory) {
        return [_quantum0, _quantum1, _quantum2, _quantum3];
    }

    /// @dev The sender's account index. Reverts NotRegistered.
    function _accountOfSender() internal view returns (uint32 accountIndex) {
        bool registered;
        (registered, accountIndex) = _accounts.find(msg.sender);
        if (!registered) revert NotRegistered(msg.sender);
    }

    function _requireSubmitter() internal view {
        if (msg.sender != _submitter) revert NotSubmitter(msg.sender, _submitter);
    }

    function _requireNotFrozen() internal view {
        if (_exodus.frozen) revert RollupFrozen();
    }

    /// @dev A user's L1 request: checks it pays exactly `fee` and that this block still takes
    ///      requests (at most maxRequestsPerBlock), then counts it and collects the fee.
    function _takeRequestFee(uint256 fee) internal {
        if (msg.value != fee) revert WrongFee(fee, msg.value);
        RequestMeter memory meter = _meter;
        uint64 inBlock = meter.blockNumber == block.number ? meter.inBlock : 0;
        if (inBlock >= _maxRequestsPerBlock) revert RequestRateExceeded(block.number, _maxRequestsPerBlock);
        // Fees are at most 2 ether a request: 2^128 wei is out of reach.
        _meter = RequestMeter(meter.collectedFees + uint128(fee), uint64(block.number), inBlock + 1);
    }

    /// @dev Queues a request of the sender, due within the request deadline. For a deposit
    ///      the key is non-zero only on an account's first deposit.
    function _queueFromSender(uint8 txType, uint32 accountIndex, uint256 ax, uint256 ay, uint16 tokenId, uint96 amount)
        internal
        returns (uint256 requestIndex)
    {
        L1Requests.Request memory request = L1Requests.Request({
            txType: txType,
            accountIndex: accountIndex,
            ethAddr: msg.sender,
            ax: ax,
            ay: ay,
            tokenId: tokenId,
            amount: amount
        });
        return _queueRequest(request, block.number + _requestDeadlineBlocks, _poseidon2, _poseidon7);
    }

    /// @dev Hashes a request, appends it to the chain with its deadline and emits it.
    function _queueRequest(
        L1Requests.Request memory request,
        uint256 deadline,
        IPoseidon2 poseidon2,
        IPoseidon7 poseidon7
    ) internal returns (uint256 requestIndex) {
        uint256 requestHash = L1Requests.hash(request, poseidon7);
        uint256 chainValue;
        (requestIndex, chainValue) = _queue.push(requestHash, deadline, poseidon2);
        _emitRequest(requestIndex, request, requestHash, chainValue);
    }

    function _emitRequest(
        uint256 requestIndex,
        L1Requests.Request memory request,
        uint256 requestHash,
        uint256 chainValue
    ) internal {
        emit L1RequestQueued(
            requestIndex,
            request.txType,
            request.accountIndex,
            request.ethAddr,
            request.ax,
            request.ay,
            request.tokenId,
            request.amount,
            requestHash,
            chainValue
        );
    }

    /// @dev Checks batch `batchNumber`'s header and public data against the log and the L1
    ///      queue and applies its effects: the new root, the consumed L1 requests, the credited
    ///      withdrawals. The caller reverts all of it unless the batch's proof verifies.
    /// @return inputHash The batch's public input, for the verifier.
    function _applyBatch(
        uint256 batchNumber,
        uint256 newRoot,
        uint64 timestamp,
        uint256 l1Count,
        bytes calldata publicData
    ) internal returns (uint256 inputHash) {
        _batches.checkHeader(batchNumber, newRoot, timestamp, _maxTimestampLag);
        (uint256 chainStart, uint256 chainEnd) = _queue.peek(l1Count);
        PublicData.check(publicData, _nTx, _perpSlots);

        uint256 oldRoot = _batches.stateRoot;
        inputHash = PublicData.publicInputHash(oldRoot, newRoot, timestamp, chainStart, chainEnd, publicData);
        _batches.append(batchNumber, newRoot, timestamp);
        _queue.consume(l1Count);
        _creditWithdrawals(publicData);
        emit BatchVerified(batchNumber, oldRoot, newRoot, inputHash, l1Count, timestamp, publicData);
    }

    /// @dev Credits every WITHDRAW and FORCED_WITHDRAW slot's amount to the claim of its account's
    ///      registered address (the L2 account's ethAddr: both come from its first deposit).
    function _creditWithdrawals(bytes calldata publicData) internal {
        uint256 slots = _nTx;
        for (uint256 slot = 0; slot < slots; ++slot) {
            (bool isWithdrawal, uint256 accountIndex, uint256 tokenId, uint256 amount) =
                PublicData.withdrawalAt(publicData, slot);
            if (isWithdrawal && amount != 0) _vault.credit(_accounts.ownerOf(accountIndex), tokenId, amount);
        }
    }

    function _requireCode(address account) private view {
        if (account.code.length == 0) revert NotAContract(account);
    }
}
