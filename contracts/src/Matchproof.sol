// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IMatchproof} from "./interfaces/IMatchproof.sol";
import {IGroth16Verifier} from "./interfaces/IGroth16Verifier.sol";
import {IPoseidon2, IPoseidon4, IPoseidon6, IPoseidon7} from "./interfaces/IPoseidon.sol";
import {AccountRegistry} from "./libraries/AccountRegistry.sol";
import {BabyJubJub} from "./libraries/BabyJubJub.sol";
import {BatchLog} from "./libraries/BatchLog.sol";
import {Field} from "./libraries/Field.sol";
import {L1Queue} from "./libraries/L1Queue.sol";
import {L1Requests} from "./libraries/L1Requests.sol";
import {PublicData} from "./libraries/PublicData.sol";
import {TokenVault} from "./libraries/TokenVault.sol";

/// @title Matchproof rollup contract
/// @notice The entry point: deposits into the L1 request queue, batch verification, and
///         claims of proven withdrawals. The logic lives in the libraries; see IMatchproof
///         for the behaviour of each function and docs/DESIGN.md for the encodings.
contract Matchproof is IMatchproof, ReentrancyGuardTransient {
    using AccountRegistry for AccountRegistry.Registry;
    using BatchLog for BatchLog.Log;
    using L1Queue for L1Queue.Queue;
    using TokenVault for TokenVault.Vault;

    uint256 internal constant MAX_ACCOUNT_DEPTH = 32; // accountA/accountB are 32-bit fields
    uint256 internal constant MAX_BALANCE_DEPTH = 16; // token1/token2 are 16-bit fields

    IGroth16Verifier internal immutable _verifier;
    IPoseidon2 internal immutable _poseidon2;
    IPoseidon4 internal immutable _poseidon4;
    IPoseidon6 internal immutable _poseidon6;
    IPoseidon7 internal immutable _poseidon7;
    uint256 internal immutable _nTx;
    uint256 internal immutable _accountDepth;
    uint256 internal immutable _balanceDepth;

    BatchLog.Log internal _batches;
    L1Queue.Queue internal _queue;
    AccountRegistry.Registry internal _accounts;
    TokenVault.Vault internal _vault;

    /// @notice Its ABI encoding equals that of the flat argument list (verifier, poseidon2,
    ///         poseidon4, poseidon6, poseidon7, genesisRoot, tokens, nTx, accountDepth,
    ///         balanceDepth, operator, operatorAx, operatorAy): both structs are static.
    /// @param verifier_ The Groth16 verifier of the batch circuit.
    /// @param hashers_ The Poseidon contracts for 2, 4, 6 and 7 inputs.
    /// @param genesisRoot The state root before the first batch (the empty account tree's root).
    /// @param tokenList The ERC-20 tokens; token id = index; 1 to 2^balanceDepth of them.
    /// @param nTx_ Transaction slots per batch.
    /// @param accountDepth_ Account tree depth (1..32).
    /// @param balanceDepth_ Balance tree depth (0..16).
    /// @param operator The operator: registered as account 0, and its deposit of 0 of token 0
    ///        is the first L1 request.
    constructor(
        IGroth16Verifier verifier_,
        Hashers memory hashers_,
        uint256 genesisRoot,
        address[] memory tokenList,
        uint256 nTx_,
        uint256 accountDepth_,
        uint256 balanceDepth_,
        Operator memory operator
    ) {
        _requireCode(address(verifier_));
        _requireCode(address(hashers_.poseidon2));
        _requireCode(address(hashers_.poseidon4));
        _requireCode(address(hashers_.poseidon6));
        _requireCode(address(hashers_.poseidon7));
        if (accountDepth_ == 0 || accountDepth_ > MAX_ACCOUNT_DEPTH || balanceDepth_ > MAX_BALANCE_DEPTH) {
            revert InvalidTreeDepths(accountDepth_, balanceDepth_);
        }
        if (nTx_ == 0) revert InvalidBatchSize(nTx_);
        if (!Field.contains(genesisRoot)) revert ValueNotInField(genesisRoot);
        if (operator.ethAddr == address(0)) revert InvalidOperator();

        _verifier = verifier_;
        _poseidon2 = hashers_.poseidon2;
        _poseidon4 = hashers_.poseidon4;
        _poseidon6 = hashers_.poseidon6;
        _poseidon7 = hashers_.poseidon7;
        _nTx = nTx_;
        _accountDepth = accountDepth_;
        _balanceDepth = balanceDepth_;

        _batches.stateRoot = genesisRoot;
        _vault.initialize(tokenList, 2 ** balanceDepth_);
        // Immutables cannot be read during construction: the hashers are passed along.
        uint32 operatorIndex = _register(operator.ethAddr, operator.ax, operator.ay, 2 ** accountDepth_);
        _queueDeposit(
            operatorIndex, operator.ethAddr, operator.ax, operator.ay, 0, 0, hashers_.poseidon2, hashers_.poseidon7
        );
    }

    // ---------------------------------------------------------------- user functions

    /// @inheritdoc IMatchproof
    function deposit(uint16 tokenId, uint96 amount, uint256 ax, uint256 ay)
        external
        nonReentrant
        returns (uint256 requestIndex)
    {
        (bool registered, uint32 accountIndex) = _accounts.find(msg.sender);
        uint256 keyX;
        uint256 keyY;
        if (!registered) {
            accountIndex = _register(msg.sender, ax, ay, 2 ** _accountDepth);
            (keyX, keyY) = (ax, ay);
        }
        uint96 received = _vault.pull(tokenId, msg.sender, amount);
        requestIndex = _queueDeposit(accountIndex, msg.sender, keyX, keyY, tokenId, received, _poseidon2, _poseidon7);
    }

    /// @inheritdoc IMatchproof
    function submitBatch(
        uint256 batchNumber,
        uint256 newRoot,
        uint64 timestamp,
        uint256 l1Count,
        uint256[] calldata slotData,
        uint256[8] calldata proof
    ) external {
        _batches.checkHeader(batchNumber, newRoot, timestamp);
        (uint256 chainStart, uint256 chainEnd) = _queue.peek(l1Count);
        PublicData.check(slotData, _nTx);

        uint256 oldRoot = _batches.stateRoot;
        uint256 inputHash = PublicData.publicInputHash(
            _poseidon6, oldRoot, newRoot, timestamp, chainStart, chainEnd, PublicData.dataHash(slotData, _poseidon4)
        );
        if (!_verify(proof, inputHash)) revert InvalidProof();

        _batches.append(batchNumber, newRoot, timestamp, inputHash);
        _queue.consume(l1Count);
        _creditWithdrawals(slotData);
        emit BatchVerified(batchNumber, oldRoot, newRoot, inputHash, l1Count);
    }

    /// @inheritdoc IMatchproof
    function claim(address owner, uint16 tokenId) external nonReentrant returns (uint256 amount) {
        amount = _vault.payOut(owner, tokenId);
        emit Claimed(owner, tokenId, amount, msg.sender);
    }

    // ---------------------------------------------------------------- views

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
    function batchHashes(uint256 batchNumber) external view returns (uint256) {
        return _batches.publicInputHashes[batchNumber];
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
    function hashers() external view returns (address, address, address, address) {
        return (address(_poseidon2), address(_poseidon4), address(_poseidon6), address(_poseidon7));
    }

    // ---------------------------------------------------------------- internals

    /// @dev Gives `owner` (which has no account) the next account index, with key (ax, ay).
    function _register(address owner, uint256 ax, uint256 ay, uint256 capacity) internal returns (uint32 accountIndex) {
        if (!BabyJubJub.isValidKey(ax, ay)) revert InvalidPublicKey(ax, ay);
        accountIndex = _accounts.register(owner, capacity);
        emit AccountRegistered(accountIndex, owner, ax, ay);
    }

    /// @dev Hashes a deposit request, appends it to the chain and emits it. The key is
    ///      non-zero only on an account's first deposit.
    function _queueDeposit(
        uint32 accountIndex,
        address owner,
        uint256 ax,
        uint256 ay,
        uint16 tokenId,
        uint96 amount,
        IPoseidon2 poseidon2,
        IPoseidon7 poseidon7
    ) internal returns (uint256 requestIndex) {
        L1Requests.Request memory request = L1Requests.Request({
            txType: L1Requests.DEPOSIT,
            accountIndex: accountIndex,
            ethAddr: owner,
            ax: ax,
            ay: ay,
            tokenId: tokenId,
            amount: amount
        });
        uint256 requestHash = L1Requests.hash(request, poseidon7);
        uint256 chainValue;
        (requestIndex, chainValue) = _queue.push(requestHash, poseidon2);
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

    /// @dev Calls the verifier with proof = [A.x, A.y, B.x1, B.x0, B.y1, B.y0, C.x, C.y]
    ///      (B's coordinates already ordered as the verifier expects).
    function _verify(uint256[8] calldata proof, uint256 inputHash) internal view returns (bool) {
        return _verifier.verifyProof(
            [proof[0], proof[1]], [[proof[2], proof[3]], [proof[4], proof[5]]], [proof[6], proof[7]], [inputHash]
        );
    }

    /// @dev Credits every WITHDRAW slot's amount to its recipient's claim.
    function _creditWithdrawals(uint256[] calldata slotData) internal {
        uint256 slots = _nTx;
        for (uint256 slot = 0; slot < slots; ++slot) {
            (bool isWithdrawal, address recipient, uint256 tokenId, uint256 amount) =
                PublicData.withdrawalAt(slotData, slot);
            if (isWithdrawal) _vault.credit(recipient, tokenId, amount);
        }
    }

    function _requireCode(address account) private view {
        if (account.code.length == 0) revert NotAContract(account);
    }
}
