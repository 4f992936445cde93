// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Matchproof} from "../src/Matchproof.sol";
import {IMatchproof} from "../src/interfaces/IMatchproof.sol";
import {IPoseidon2, IPoseidon4, IPoseidon5, IPoseidon7, IPoseidon9, IPoseidon15} from "../src/interfaces/IPoseidon.sol";
import {TestToken} from "../src/test/TestToken.sol";
import {TestBase} from "./utils/TestBase.sol";
import {AcceptingVerifier} from "./mocks/AcceptingVerifier.sol";
import {Slots} from "./utils/Slots.sol";

/// @title A model of the rollup that drives it with batches a sound circuit would prove
/// @notice Keeps the L2 state of four accounts (the operator and three traders) of a rollup
///         with 2^2 accounts and 2^1 tokens, mirrors the L1 queue, and submits batches that
///         consume requests in order (deposits credit, forced withdrawals take the whole
///         balance) plus at most one L2 withdrawal, with the state root computed by the
///         rollup's own Poseidon contracts. Every action is one the fuzzer may call in any
///         order; actions that do not apply return without doing anything. Requests pay the
///         rollup's fees and at most MAX_PER_BLOCK fit in a block. Adversarial actions (exits
///         of inflated, foreign or repeated balances or of value moved between the two
///         balances of a leaf word, exits and refunds at the wrong time,
///         refunds of consumed, tampered or repaid deposits, early freezes, strangers taking
///         the fees) must all be refused: each one that succeeds is counted as a breach.
contract RollupModel is TestBase {
    uint256 internal constant P = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant B8X = 5299619240641551281634865583518297030282874472190772894086521144482721001553;
    uint256 internal constant B8Y = 16950150798460657717958625567821834550301663161624707787222815936182638968203;
    uint256 internal constant N_TX = 8;
    uint256 internal constant ACCOUNTS = 4;
    uint256 internal constant TOKENS = 2;
    uint256 internal constant DEADLINE_BLOCKS = 5;
    uint256 internal constant MAX_DEPOSIT = 1e24;
    uint8 internal constant DEPOSIT = 1;
    uint8 internal constant WITHDRAW = 3;
    uint8 internal constant FORCED_WITHDRAW = 4;
    uint8 internal constant FORCED_CANCEL_ALL = 5;
    uint256 internal constant REQUEST_FEE = 1 gwei;
    /// @dev Every account's perpetual hash and the markets' commitment: opaque to spot exits.
    uint256 internal constant PERP_HASH = 5;
    uint256 internal constant PERP_COMMITMENT = 6;
    uint256 internal constant REGISTRATION_FEE = 3 gwei;
    uint256 internal constant MAX_PER_BLOCK = 3;

    /// @dev A queued L1 request, as the contract hashed it.
    struct Request {
        uint8 txType;
        uint32 accountIndex;
        address owner;
        uint256 ax;
        uint256 ay;
        uint16 tokenId;
        uint96 amount;
    }

    /// @dev An account's leaf as of the last submitted batch (order root: 0 throughout).
    struct Account {
        address owner;
        uint256 ax;
        uint256 ay;
        uint256 nonce;
        uint256 minOrderId;
        uint256[TOKENS] balances;
        bool[TOKENS] exited;
    }

    Matchproof public immutable rollup;
    IPoseidon2 internal immutable poseidon2;
    IPoseidon4 internal immutable poseidon4;
    IPoseidon15 internal immutable poseidon15;
    TestToken[TOKENS] public tokens;
    address[ACCOUNTS] public actors;
    uint256[2][ACCOUNTS] internal keys;

    Request[] internal requests;
    Account[ACCOUNTS] internal accounts;
    uint256 public provenRoot;
    /// @dev Batches a non-submitter got accepted: must stay 0.
    uint256 public strangerBatches;
    uint256[TOKENS] public deposited;
    uint256[TOKENS] public claimed;
    uint256[TOKENS] public exitedTotal;
    uint256[TOKENS] public refundedTotal;
    /// @dev Adversarial actions the rollup accepted: must stay 0.
    uint256 public breaches;
    /// @dev Ether paid in request fees, and what the submitter claimed of it.
    uint256 public feesPaid;
    uint256 public feesClaimed;
    /// @dev Users' requests queued in the current block.
    uint256 internal requestBlock;
    uint256 internal requestsInBlock;

    constructor(IMatchproof.Hashers memory hashers) {
        (IPoseidon2 poseidon2_, IPoseidon4 poseidon4_, IPoseidon15 poseidon15_) =
            (hashers.poseidon2, hashers.poseidon4, hashers.poseidon15);
        poseidon2 = poseidon2_;
        poseidon4 = poseidon4_;
        poseidon15 = poseidon15_;
        address[] memory tokenList = new address[](TOKENS);
        for (uint256 t = 0; t < TOKENS; ++t) {
            tokens[t] = new TestToken("Model token", "MOD", 18);
            tokenList[t] = address(tokens[t]);
        }
        actors = [address(0x0FE), address(0xA11CE), address(0xB0B), address(0xCA201)];
        keys = [[B8X, B8Y], [P - B8X, B8Y], [B8X, P - B8Y], [P - B8X, P - B8Y]];
        provenRoot = _root();
        rollup = new Matchproof(
            new AcceptingVerifier(),
            hashers,
            provenRoot,
            tokenList,
            IMatchproof.Config({
                nTx: N_TX,
                accountDepth: 2,
                balanceDepth: 1,
                requestDeadlineBlocks: DEADLINE_BLOCKS,
                maxTimestampLag: 1 days,
                requestFee: REQUEST_FEE,
                registrationFee: REGISTRATION_FEE,
                maxRequestsPerBlock: MAX_PER_BLOCK
            }),
            IMatchproof.Operator({ethAddr: actors[0], ax: keys[0][0], ay: keys[0][1]}),
            IMatchproof.Perpetuals({
                collateralToken: 0,
                insuranceFund: address(0),
                quanta: [uint256(1), 0, 0, 0],
                claimWindowBlocks: 10,
                configHash: 1,
                slots: 0,
                insuranceFundIndex: 0 // no fund
            }),
            hex"01"
        );
        requests.push(Request(DEPOSIT, 0, actors[0], keys[0][0], keys[0][1], 0, 0));
        vm.prank(actors[0]);
        rollup.setSubmitter(address(this));
    }

    // ------------------------------------------------------------------ actions

    /// @notice A trader deposits (registering on its first deposit).
    function deposit(uint256 actorSeed, uint256 tokenSeed, uint256 amount) external {
        if (rollup.frozen()) return;
        uint256 actor = 1 + actorSeed % (ACCOUNTS - 1);
        uint16 tokenId = uint16(tokenSeed % TOKENS);
        amount = bound(amount, 1, MAX_DEPOSIT);
        (bool registered,) = rollup.accountOf(actors[actor]);
        uint256 fee = registered ? REQUEST_FEE : REQUEST_FEE + REGISTRATION_FEE;
        tokens[tokenId].mint(actors[actor], amount);
        vm.prank(actors[actor]);
        tokens[tokenId].approve(address(rollup), amount);
        bytes memory call =
            abi.encodeCall(IMatchproof.deposit, (tokenId, uint96(amount), keys[actor][0], keys[actor][1]));
        if (!_request(actors[actor], fee, call)) return;
        (, uint256 index) = rollup.accountOf(actors[actor]);
        (uint256 ax, uint256 ay) = registered ? (0, 0) : (keys[actor][0], keys[actor][1]);
        requests.push(Request(DEPOSIT, uint32(index), actors[actor], ax, ay, tokenId, uint96(amount)));
        deposited[tokenId] += amount;
    }

    /// @notice A registered actor requests a forced withdrawal.
    function requestForcedWithdrawal(uint256 actorSeed, uint256 tokenSeed) external {
        (bool registered, uint256 index, address actor) = _registered(actorSeed);
        if (rollup.frozen() || !registered) return;
        uint16 tokenId = uint16(tokenSeed % TOKENS);
        if (!_request(actor, REQUEST_FEE, abi.encodeCall(IMatchproof.requestForcedWithdrawal, (tokenId)))) return;
        requests.push(Request(FORCED_WITHDRAW, uint32(index), actor, 0, 0, tokenId, 0));
    }

    /// @notice A registered actor requests a forced cancel-all.
    function requestForcedCancelAll(uint256 actorSeed, uint48 minOrderId) external {
        (bool registered, uint256 index, address actor) = _registered(actorSeed);
        if (rollup.frozen() || !registered) return;
        if (!_request(actor, REQUEST_FEE, abi.encodeCall(IMatchproof.requestForcedCancelAll, (minOrderId)))) return;
        requests.push(Request(FORCED_CANCEL_ALL, uint32(index), actor, 0, 0, 0, minOrderId));
    }

    /// @notice The operator submits a batch: some waiting requests, then maybe a withdrawal.
    function submitBatch(uint256 countSeed, uint256 withdrawSeed, uint256 withdrawAmount) external {
        if (rollup.frozen()) return;
        uint256 processed = rollup.l1Processed();
        uint256 waiting = requests.length - processed;
        uint256 count = bound(countSeed, 0, waiting < N_TX - 1 ? waiting : N_TX - 1);
        bytes memory slots = Slots.empty(N_TX);
        for (uint256 i = 0; i < count; ++i) {
            _applyRequest(requests[processed + i], slots, i);
        }
        _applyWithdrawal(withdrawSeed, withdrawAmount, slots, count);
        provenRoot = _root();
        uint256[8] memory proof;
        rollup.submitBatch(rollup.lastBatch() + 1, provenRoot, uint64(block.timestamp), count, slots, proof);
    }

    /// @notice A trader who is not the submitter tries to submit a batch the model would
    ///         accept from the submitter (the verifier accepts any proof here).
    function strangerSubmitsBatch(uint256 actorSeed) external {
        address stranger = actors[actorSeed % actors.length];
        bytes memory slots = Slots.empty(N_TX);
        uint256[8] memory proof;
        uint256 next = rollup.lastBatch() + 1;
        vm.prank(stranger);
        try rollup.submitBatch(next, provenRoot, uint64(block.timestamp), 0, slots, proof) {
            strangerBatches += 1;
        } catch {}
    }

    /// @notice Time passes.
    function mine(uint256 blocks) external {
        vm.roll(block.number + bound(blocks, 1, 3));
    }

    /// @notice Anyone tries to freeze: it must succeed exactly when the oldest request no batch
    ///         consumed is past its deadline.
    function freeze() external {
        if (rollup.frozen()) return;
        uint256 processed = rollup.l1Processed();
        bool due = processed < rollup.l1RequestCount() && block.number > rollup.l1RequestDeadline(processed);
        try rollup.freeze() {
            if (!due) breaches += 1;
        } catch {
            if (due) breaches += 1;
        }
    }

    /// @notice An actor exits a token from the frozen rollup.
    function exit(uint256 actorSeed, uint256 tokenSeed) external {
        (bool registered, uint256 index, address actor) = _registered(actorSeed);
        uint16 tokenId = uint16(tokenSeed % TOKENS);
        if (!rollup.frozen() || !registered) return;
        Account storage account = accounts[index];
        uint256 balance = account.balances[tokenId];
        if (account.exited[tokenId] || balance == 0) return;
        IMatchproof.ExitProof memory proof = exitProof(index);
        vm.prank(actor);
        rollup.exit(tokenId, proof, actor);
        account.exited[tokenId] = true;
        exitedTotal[tokenId] += balance;
        vm.prank(actor); // at once again, with the same valid proof
        try rollup.exit(tokenId, proof, actor) {
            breaches += 1;
        } catch {}
    }

    /// @notice Anyone refunds a deposit no batch consumed.
    function refund(uint256 requestSeed) external {
        uint256 processed = rollup.l1Processed();
        if (!rollup.frozen() || processed == requests.length) return;
        uint256 index = processed + requestSeed % (requests.length - processed);
        Request memory request = requests[index];
        if (request.txType != DEPOSIT || rollup.refunded(index)) return;
        IMatchproof.DepositRequest memory fields = IMatchproof.DepositRequest(
            request.accountIndex, request.owner, request.ax, request.ay, request.tokenId, request.amount
        );
        rollup.refundDeposit(index, fields);
        refundedTotal[request.tokenId] += request.amount;
        try rollup.refundDeposit(index, fields) { // at once again
            breaches += 1;
        } catch {}
    }

    /// @notice Anyone pays out an actor's claimable withdrawals (also when frozen).
    function claim(uint256 actorSeed, uint256 tokenSeed) external {
        address actor = actors[actorSeed % ACCOUNTS];
        uint16 tokenId = uint16(tokenSeed % TOKENS);
        if (rollup.claimable(actor, tokenId) == 0) return;
        claimed[tokenId] += rollup.claim(actor, tokenId);
    }

    /// @notice The submitter takes the collected fees.
    function claimFees() external {
        uint256 collected = rollup.collectedFees();
        if (collected == 0) return;
        feesClaimed += rollup.claimFees(address(0xFEE5));
    }

    // ------------------------------------------------------------------ adversarial actions

    /// @notice An actor tries to exit what it does not own: a balance inflated by one, value
    ///         moved into it from the other balance of its leaf word (which keeps the word),
    ///         another account's leaf, or its own balance before the freeze or a second time.
    function attackExit(uint256 actorSeed, uint256 tokenSeed, uint256 mode) external {
        (bool registered, uint256 index, address actor) = _registered(actorSeed);
        if (!registered) return;
        uint16 tokenId = uint16(tokenSeed % TOKENS);
        IMatchproof.ExitProof memory proof = exitProof(index);
        mode %= 4;
        if (mode == 0) {
            proof.balances[tokenId] += 1;
        } else if (mode == 1) {
            uint256 victim = (index + 1) % ACCOUNTS;
            if (accounts[victim].owner == address(0) || accounts[victim].owner == actor) return;
            proof = exitProof(victim);
        } else if (mode == 2) {
            // Token 0 is the word's low half: 2^96 more of it for one less of token 1. Token 1
            // is the high half: 2^160 more of it shifts out of the 256-bit word.
            if (tokenId == 0) {
                if (proof.balances[1] == 0) return;
                proof.balances[0] += 1 << 96;
                proof.balances[1] -= 1;
            } else {
                proof.balances[1] += 1 << 160;
            }
        } else if (rollup.frozen()) {
            (bool found, uint256 exitedIndex, uint16 exitedToken) = _anExit(actorSeed);
            if (!found) return; // nothing exited yet: an honest exit is the exit action's
            (index, tokenId, actor) = (exitedIndex, exitedToken, accounts[exitedIndex].owner);
            proof = exitProof(index); // the same, valid proof again
        }
        vm.prank(actor);
        try rollup.exit(tokenId, proof, actor) {
            breaches += 1;
        } catch {}
    }

    /// @notice Anyone tries to refund a consumed request, a deposit with a field changed, a
    ///         deposit already refunded, or a waiting deposit before the freeze.
    function attackRefund(uint256 requestSeed, uint256 mode) external {
        uint256 index = requestSeed % requests.length;
        Request memory request = requests[index];
        IMatchproof.DepositRequest memory fields =
            IMatchproof.DepositRequest(request.accountIndex, request.owner, request.ax, request.ay, request.tokenId, request.amount);
        bool waiting = index >= rollup.l1Processed();
        mode %= 3;
        if (mode == 0) {
            fields.amount += 1;
        } else if (mode == 1) {
            fields.owner = address(0xBAD);
        } else if (waiting && request.txType == DEPOSIT && rollup.frozen() && !rollup.refunded(index)) {
            return; // the honest refund: the refund action takes it
        }
        try rollup.refundDeposit(index, fields) {
            breaches += 1;
        } catch {}
    }

    /// @notice Someone other than the submitter tries to take the collected fees.
    function strangerClaimsFees(uint256 actorSeed) external {
        address stranger = actors[actorSeed % actors.length];
        vm.prank(stranger);
        try rollup.claimFees(stranger) {
            breaches += 1;
        } catch {}
    }

    // ------------------------------------------------------------------ views for the invariants

    /// @notice What the model says the rollup must hold of a token: every claim, every balance
    ///         not exited, every deposit neither consumed nor refunded.
    function owed(uint256 tokenId) external view returns (uint256 total) {
        for (uint256 a = 0; a < ACCOUNTS; ++a) {
            total += rollup.claimable(actors[a], tokenId);
            if (!accounts[a].exited[tokenId]) total += accounts[a].balances[tokenId];
        }
        for (uint256 r = rollup.l1Processed(); r < requests.length; ++r) {
            Request memory request = requests[r];
            if (request.txType == DEPOSIT && request.tokenId == tokenId && !rollup.refunded(r)) {
                total += request.amount;
            }
        }
    }

    /// @notice Everything claimable of a token, over every actor.
    function totalClaimable(uint256 tokenId) external view returns (uint256 total) {
        for (uint256 a = 0; a < ACCOUNTS; ++a) {
            total += rollup.claimable(actors[a], tokenId);
        }
    }

    /// @notice The exit proof of account `index` in the model's state (`exit` pays the balance
    ///         of whichever token it names).
    function exitProof(uint256 index) public view returns (IMatchproof.ExitProof memory proof) {
        Account storage account = accounts[index];
        // The account tree has one level: its leaves are the ACCOUNTS leaves, the siblings the
        // other three, in order.
        uint256[16] memory balances;
        for (uint256 t = 0; t < TOKENS; ++t) {
            balances[t] = account.balances[t];
        }
        uint256[] memory accountSiblings = new uint256[](3);
        uint256 next = 0;
        for (uint256 other = 0; other < ACCOUNTS; ++other) {
            if (other != index) accountSiblings[next++] = _leaf(other);
        }
        proof = IMatchproof.ExitProof({
            ax: account.ax,
            ay: account.ay,
            nonce: account.nonce,
            minOrderId: account.minOrderId,
            orderRoot: 0,
            balances: balances,
            perpHash: PERP_HASH,
            accountSiblings: accountSiblings,
            perpCommitment: PERP_COMMITMENT
        });
    }

    // ------------------------------------------------------------------ the model

    /// @dev Some (account, token) that already exited, searched from `seed` on.
    function _anExit(uint256 seed) internal view returns (bool found, uint256 index, uint16 tokenId) {
        uint256 start = seed % (ACCOUNTS * TOKENS);
        for (uint256 i = 0; i < ACCOUNTS * TOKENS; ++i) {
            uint256 k = (start + i) % (ACCOUNTS * TOKENS);
            (index, tokenId) = (k / TOKENS, uint16(k % TOKENS));
            if (accounts[index].exited[tokenId]) return (true, index, tokenId);
        }
    }

    /// @dev `actor` sends a user's L1 request (`call` to the rollup, paying `fee`). While this
    ///      block already holds MAX_PER_BLOCK of them it must be refused (a breach if not);
    ///      otherwise it must go through (its revert fails the run), and it and its fee are
    ///      counted. Whether the request was queued.
    function _request(address actor, uint256 fee, bytes memory call) internal returns (bool queued) {
        if (requestBlock != block.number) (requestBlock, requestsInBlock) = (block.number, 0);
        bool full = requestsInBlock >= MAX_PER_BLOCK;
        vm.deal(actor, fee);
        vm.prank(actor);
        (bool ok, bytes memory reason) = address(rollup).call{value: fee}(call);
        if (full) {
            if (ok) breaches += 1;
            return false;
        }
        if (!ok) {
            assembly {
                revert(add(reason, 32), mload(reason))
            }
        }
        requestsInBlock += 1;
        feesPaid += fee;
        return true;
    }

    function _registered(uint256 actorSeed) internal view returns (bool registered, uint256 index, address actor) {
        actor = actors[actorSeed % ACCOUNTS];
        (registered, index) = rollup.accountOf(actor);
    }

    /// @dev Applies an L1 request as the spec does and writes its slot.
    function _applyRequest(Request memory request, bytes memory slots, uint256 slot) internal {
        Account storage account = accounts[request.accountIndex];
        bool owned = account.owner != address(0) && account.owner == request.owner;
        Slots.request(slots, slot, request.txType, request.accountIndex);
        if (request.txType == DEPOSIT) {
            if (account.owner == address(0)) {
                (account.owner, account.ax, account.ay) = (request.owner, request.ax, request.ay);
            }
            account.balances[request.tokenId] += request.amount;
        } else if (request.txType == FORCED_WITHDRAW) {
            uint256 amount = owned ? account.balances[request.tokenId] : 0;
            account.balances[request.tokenId] -= amount;
            Slots.withdrawal(slots, slot, FORCED_WITHDRAW, request.accountIndex, request.tokenId, amount);
        } else if (owned && request.amount > account.minOrderId) {
            account.minOrderId = request.amount;
        }
    }

    /// @dev Maybe withdraws part of an account's balance (a signed L2 withdrawal) in `slot`.
    function _applyWithdrawal(uint256 seed, uint256 amount, bytes memory slots, uint256 slot) internal {
        uint256 index = seed % ACCOUNTS;
        uint256 tokenId = (seed / ACCOUNTS) % TOKENS;
        Account storage account = accounts[index];
        if (account.owner == address(0) || account.balances[tokenId] == 0) return;
        amount = bound(amount, 1, account.balances[tokenId]);
        account.balances[tokenId] -= amount;
        account.nonce += 1;
        Slots.withdrawal(slots, slot, WITHDRAW, index, tokenId, amount);
    }

    /// @dev The account's leaf: its balances are the first word's two halves; the order root
    ///      and the other seven words are 0, the perpetual hash PERP_HASH.
    function _leaf(uint256 index) internal view returns (uint256) {
        Account storage account = accounts[index];
        uint256 word = account.balances[0] + (account.balances[1] << 96);
        return poseidon15.poseidon(
            [
                account.ax,
                account.ay,
                uint256(uint160(account.owner)),
                account.nonce,
                account.minOrderId,
                0,
                word,
                0,
                0,
                0,
                0,
                0,
                0,
                0,
                PERP_HASH
            ]
        );
    }

    /// @dev The state root: Poseidon([accountRoot, PERP_COMMITMENT]).
    function _root() internal view returns (uint256) {
        return poseidon2.poseidon([poseidon4.poseidon([_leaf(0), _leaf(1), _leaf(2), _leaf(3)]), PERP_COMMITMENT]);
    }
}

/// @notice Invariants of the rollup's token accounting, whatever the order of deposits,
///         forced requests, batches, freezing, exits, refunds and claims.
contract ExodusInvariantTest is TestBase {
    /// @dev forge-std's StdInvariant.FuzzSelector: which functions of which contract to call.
    struct FuzzSelector {
        address addr;
        bytes4[] selectors;
    }

    RollupModel internal model;

    function setUp() public {
        string memory json = vm.readFile("../build/contracts/poseidon.json");
        model = new RollupModel(
            IMatchproof.Hashers({
                poseidon2: IPoseidon2(deployPoseidon(json, 2)),
                poseidon4: IPoseidon4(deployPoseidon(json, 4)),
                poseidon7: IPoseidon7(deployPoseidon(json, 7)),
                poseidon15: IPoseidon15(deployPoseidon(json, 15)),
                poseidon5: IPoseidon5(deployPoseidon(json, 5)),
                poseidon9: IPoseidon9(deployPoseidon(json, 9))
            })
        );
    }

    /// @notice The fuzzer calls the model only, never the contracts it deployed directly.
    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(model);
    }

    /// @notice The model's actions (not its views).
    function targetSelectors() public view returns (FuzzSelector[] memory targets) {
        bytes4[] memory selectors = new bytes4[](15);
        selectors[0] = RollupModel.deposit.selector;
        selectors[1] = RollupModel.requestForcedWithdrawal.selector;
        selectors[2] = RollupModel.requestForcedCancelAll.selector;
        selectors[3] = RollupModel.submitBatch.selector;
        selectors[4] = RollupModel.mine.selector;
        selectors[5] = RollupModel.mine.selector; // time passes twice as often
        selectors[6] = RollupModel.freeze.selector;
        selectors[7] = RollupModel.exit.selector;
        selectors[8] = RollupModel.refund.selector;
        selectors[9] = RollupModel.claim.selector;
        selectors[10] = RollupModel.strangerSubmitsBatch.selector;
        selectors[11] = RollupModel.claimFees.selector;
        selectors[12] = RollupModel.attackExit.selector;
        selectors[13] = RollupModel.attackRefund.selector;
        selectors[14] = RollupModel.strangerClaimsFees.selector;
        targets = new FuzzSelector[](1);
        targets[0] = FuzzSelector(address(model), selectors);
    }

    /// forge-config: default.invariant.runs = 128
    /// forge-config: default.invariant.depth = 64
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_onlyTheSubmitterMovesTheRoot() public view {
        assertEq(model.strangerBatches(), 0, "a stranger's batch was accepted");
    }

    /// forge-config: default.invariant.runs = 128
    /// forge-config: default.invariant.depth = 64
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_holdingsCoverEveryClaim() public view {
        Matchproof rollup = model.rollup();
        for (uint256 t = 0; t < 2; ++t) {
            uint256 held = model.tokens(t).balanceOf(address(rollup));
            if (held < model.totalClaimable(t)) revert AssertionFailed("holdings below claims", held, t);
        }
    }

    /// forge-config: default.invariant.runs = 128
    /// forge-config: default.invariant.depth = 64
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_holdingsAreExactlyWhatIsOwed() public view {
        Matchproof rollup = model.rollup();
        for (uint256 t = 0; t < 2; ++t) {
            uint256 held = model.tokens(t).balanceOf(address(rollup));
            assertEq(held, model.owed(t), "held = claimable + balances not exited + deposits pending");
            assertEq(rollup.outstanding(t), held, "the deposit cap counts exactly what is held");
            uint256 out = model.claimed(t) + model.exitedTotal(t) + model.refundedTotal(t);
            assertEq(held + out, model.deposited(t), "deposited = held + withdrawn + exited + refunded");
        }
    }

    /// forge-config: default.invariant.runs = 128
    /// forge-config: default.invariant.depth = 64
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_provenRootIsTheModels() public view {
        assertEq(model.rollup().stateRoot(), model.provenRoot(), "state root");
    }

    /// forge-config: default.invariant.runs = 128
    /// forge-config: default.invariant.depth = 64
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_everyAttackIsRefused() public view {
        assertEq(model.breaches(), 0, "an adversarial action was accepted, or an honest freeze refused");
    }

    /// forge-config: default.invariant.runs = 128
    /// forge-config: default.invariant.depth = 64
    /// forge-config: default.invariant.fail-on-revert = true
    function invariant_feesAreHeldUntilTheSubmitterClaimsThem() public view {
        Matchproof rollup = model.rollup();
        assertEq(address(rollup).balance, rollup.collectedFees(), "the rollup holds exactly the unclaimed fees");
        assertEq(model.feesPaid(), rollup.collectedFees() + model.feesClaimed(), "paid = held + claimed");
        assertEq(address(0xFEE5).balance, model.feesClaimed(), "the submitter's recipient got what it claimed");
    }
}
