// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {Matchproof} from "../src/Matchproof.sol";
import {IMatchproof} from "../src/interfaces/IMatchproof.sol";
import {IGroth16BatchVerifier} from "../src/interfaces/IGroth16BatchVerifier.sol";
import {IPoseidon15} from "../src/interfaces/IPoseidon.sol";
import {RollupFixture} from "./utils/RollupFixture.sol";
import {Slots} from "./utils/Slots.sol";
import {PublicDataLayout as L} from "../src/libraries/PublicDataLayout.sol";
import {FeeOnTransferToken} from "./mocks/FeeOnTransferToken.sol";
import {ReentrantToken} from "./mocks/ReentrantToken.sol";

/// @notice Tests of Matchproof up to proof verification. The verifier here rejects every
///         proof; accepted batches are tested on anvil with the real verifier.
contract MatchproofTest is RollupFixture {
    // ------------------------------------------------------------------ Poseidon contracts

    function test_poseidon_knownAnswers() public view {
        assertEq(
            poseidon2.poseidon([uint256(1), 2]),
            7853200120776062878684798364095072458815029376092732009249414926327459813530,
            "Poseidon([1, 2])"
        );
        // Poseidon([1, ..., 7]) (light-poseidon and circomlibjs agree on it).
        assertEq(
            poseidon7.poseidon([uint256(1), 2, 3, 4, 5, 6, 7]),
            0x1c2f3482dbb140c4ebb9ada49abdbc374a9a85fcfc6533ec2e9df45b4921c318,
            "Poseidon([1..7])"
        );
        // Poseidon([1, ..., 15]) (circomlibjs and the Python spec's agree on it).
        assertEq(
            poseidon15.poseidon([uint256(1), 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15]),
            0x094ae33b67a845998abb55e917642d4022d078d96f7c36ea11da4273ecf20f50,
            "Poseidon([1..15])"
        );
    }

    function test_poseidon15_refusesItsConstantsInAnotherOrder() public {
        // Its constructor checks each data contract's code hash: a misordered list would hash wrong.
        string memory json = vm.readFile("../build/contracts/poseidon.json");
        bytes[] memory constants = vm.parseJsonBytesArray(json, ".poseidon15.constants");
        address[] memory parts = new address[](constants.length);
        for (uint256 i = 0; i < constants.length; ++i) {
            parts[(i + 1) % constants.length] = deployCode(constants[i], "Poseidon15 constants");
        }
        bytes memory creationCode = bytes.concat(vm.parseJsonBytes(json, ".poseidon15.bytecode"), abi.encodePacked(parts));
        address deployed;
        assembly ("memory-safe") {
            deployed := create(0, add(creationCode, 0x20), mload(creationCode))
        }
        assertEq(deployed, address(0), "deployed with rotated constants");
    }

    // ------------------------------------------------------------------ constructor

    function test_constructor_registersOperatorAsAccountZero() public view {
        (bool registered, uint256 index) = rollup.accountOf(OPERATOR);
        assertTrue(registered, "operator registered");
        assertEq(index, 0, "operator index");
        assertEq(rollup.ownerOfAccount(0), OPERATOR, "account 0's owner");
        assertEq(rollup.accountCount(), 1, "account count");
    }

    function test_constructor_queuesOperatorCreation() public view {
        assertEq(rollup.l1RequestCount(), 1, "request count");
        assertEq(rollup.l1Processed(), 0, "processed");
        assertEq(rollup.l1Chain(0), 0, "chain[0]");
        uint256 expected = _next(0, _requestHash(0, OPERATOR, OPERATOR_AX, OPERATOR_AY, 0, 0));
        assertEq(rollup.l1Chain(1), expected, "chain[1]");
    }

    function test_constructor_setsConfiguration() public view {
        assertEq(rollup.stateRoot(), GENESIS_ROOT, "state root");
        assertEq(rollup.lastBatch(), 0, "last batch");
        assertEq(rollup.lastBatchTimestamp(), 0, "last timestamp");
        assertEq(rollup.nTx(), N_TX, "nTx");
        assertEq(rollup.accountDepth(), ACCOUNT_DEPTH, "account depth");
        assertEq(rollup.balanceDepth(), BALANCE_DEPTH, "balance depth");
        assertEq(rollup.genesisRoot(), GENESIS_ROOT, "genesis root");
        assertEq(rollup.requestDeadlineBlocks(), DEADLINE_BLOCKS, "request deadline");
        assertEq(rollup.deploymentBlock(), block.number, "deployment block");
        assertEq(rollup.l1RequestDeadline(0), block.number + DEADLINE_BLOCKS, "operator request deadline");
        assertTrue(!rollup.frozen(), "not frozen");
        assertEq(rollup.tokenCount(), 2, "token count");
        assertEq(rollup.tokens(0), address(tokenA), "token 0");
        assertEq(rollup.tokens(1), address(tokenB), "token 1");
        assertEq(rollup.verifier(), address(verifier), "verifier");
        (address p2, address p4, address p5, address p7, address p9, address p15) = rollup.hashers();
        assertEq(p2, address(poseidon2), "poseidon2");
        assertEq(p4, address(poseidon4), "poseidon4");
        assertEq(p7, address(poseidon7), "poseidon7");
        assertEq(p15, address(poseidon15), "poseidon15");
        assertEq(p5, address(poseidon5), "poseidon5");
        assertEq(p9, address(poseidon9), "poseidon9");
        IMatchproof.Perpetuals memory perpetuals = rollup.perpetuals();
        assertEq(perpetuals.collateralToken, 0, "collateral token");
        assertEq(perpetuals.insuranceFund, INSURANCE_FUND, "insurance fund");
        assertEq(perpetuals.quanta[1], QUANTUM_1, "quantum 1");
        assertEq(perpetuals.claimWindowBlocks, CLAIM_WINDOW_BLOCKS, "claim window");
        assertEq(perpetuals.configHash, PERP_CONFIG_HASH, "parameters' hash");
    }

    function test_constructor_revertsOnInvalidOperatorKey() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidPublicKey.selector, 1, 2));
        _deploy(_tokens(address(tokenA), address(tokenB)), ACCOUNT_DEPTH, 1, 2);
    }

    function test_constructor_revertsOnDuplicateToken() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidToken.selector, 1, address(tokenA)));
        _deploy(_tokens(address(tokenA), address(tokenA)), ACCOUNT_DEPTH, OPERATOR_AX, OPERATOR_AY);
    }

    function test_constructor_revertsOnTokenWithoutCode() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidToken.selector, 1, address(0xdead)));
        _deploy(_tokens(address(tokenA), address(0xdead)), ACCOUNT_DEPTH, OPERATOR_AX, OPERATOR_AY);
    }

    function test_constructor_revertsOnTooManyTokens() public {
        address[] memory list = new address[](5); // 2^BALANCE_DEPTH = 4
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidTokenCount.selector, 5, 4));
        _deploy(list, ACCOUNT_DEPTH, OPERATOR_AX, OPERATOR_AY);
    }

    function test_constructor_revertsOnNoTokens() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidTokenCount.selector, 0, 4));
        _deploy(new address[](0), ACCOUNT_DEPTH, OPERATOR_AX, OPERATOR_AY);
    }

    function test_constructor_revertsOnAccountDepthOutOfRange() public {
        address[] memory list = _tokens(address(tokenA), address(tokenB));
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidTreeDepths.selector, 0, BALANCE_DEPTH));
        _deploy(list, 0, OPERATOR_AX, OPERATOR_AY);
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidTreeDepths.selector, 33, BALANCE_DEPTH));
        _deploy(list, 33, OPERATOR_AX, OPERATOR_AY);
    }

    function test_constructor_revertsOnAnOddAccountDepth() public {
        // The account tree is quaternary: a level takes two index bits.
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidTreeDepths.selector, 5, BALANCE_DEPTH));
        _deploy(_tokens(address(tokenA), address(tokenB)), 5, OPERATOR_AX, OPERATOR_AY);
    }

    function test_constructor_takesEveryBalanceDepthFromOneToFour() public {
        // The balances are words of the account leaf, not a tree: an odd depth is fine.
        IMatchproof.Config memory config = _config(ACCOUNT_DEPTH);
        for (uint256 depth = 1; depth <= 4; ++depth) {
            config.balanceDepth = depth;
            assertEq(_deployWith(config).balanceDepth(), depth, "balance depth");
        }
    }

    function test_constructor_revertsOnBalanceDepthOutOfRange() public {
        // Published token ids have 4 bits, and an exit proof holds 16 balances.
        IMatchproof.Config memory config = _config(ACCOUNT_DEPTH);
        config.balanceDepth = 0;
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidTreeDepths.selector, ACCOUNT_DEPTH, 0));
        _deployWith(config);
        config.balanceDepth = 5;
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidTreeDepths.selector, ACCOUNT_DEPTH, 5));
        _deployWith(config);
    }

    function test_constructor_revertsOnZeroRequestDeadline() public {
        IMatchproof.Config memory config = _config(ACCOUNT_DEPTH);
        config.requestDeadlineBlocks = 0;
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidRequestDeadline.selector, 0));
        _deployWith(config);
    }

    function test_constructor_revertsOnVerifierWithoutCode() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.NotAContract.selector, address(0x1234)));
        new Matchproof(
            IGroth16BatchVerifier(address(0x1234)),
            _hashers(),
            GENESIS_ROOT,
            _tokens(address(tokenA), address(tokenB)),
            _config(ACCOUNT_DEPTH),
            IMatchproof.Operator({ethAddr: OPERATOR, ax: OPERATOR_AX, ay: OPERATOR_AY}),
            _perpetuals(),
            PERP_PARAMETERS
        );
    }

    function test_constructor_revertsOnAHasherWithoutCode() public {
        IMatchproof.Hashers memory hashers = _hashers();
        hashers.poseidon15 = IPoseidon15(address(0x1414));
        _expectRevert(abi.encodeWithSelector(IMatchproof.NotAContract.selector, address(0x1414)));
        new Matchproof(
            verifier,
            hashers,
            GENESIS_ROOT,
            _tokens(address(tokenA), address(tokenB)),
            _config(ACCOUNT_DEPTH),
            IMatchproof.Operator({ethAddr: OPERATOR, ax: OPERATOR_AX, ay: OPERATOR_AY}),
            _perpetuals(),
            PERP_PARAMETERS
        );
    }

    function test_constructor_revertsOnGenesisRootOutOfField() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.ValueNotInField.selector, P));
        new Matchproof(
            verifier,
            _hashers(),
            P,
            _tokens(address(tokenA), address(tokenB)),
            _config(ACCOUNT_DEPTH),
            IMatchproof.Operator({ethAddr: OPERATOR, ax: OPERATOR_AX, ay: OPERATOR_AY}),
            _perpetuals(),
            PERP_PARAMETERS
        );
    }

    // ------------------------------------------------------------------ deposit

    function test_deposit_registersFirstDepositor() public {
        vm.expectEmit(true, true, false, true, address(rollup));
        emit IMatchproof.AccountRegistered(1, ALICE, ALICE_AX, ALICE_AY);
        uint256 requestIndex = _deposit(ALICE, 0, 1000, ALICE_AX, ALICE_AY);
        assertEq(requestIndex, 1, "request index");
        (bool registered, uint256 index) = rollup.accountOf(ALICE);
        assertTrue(registered, "alice registered");
        assertEq(index, 1, "alice index");
        (registered, index) = rollup.accountOf(BOB);
        assertTrue(!registered, "bob not registered");
        assertEq(index, 0, "bob index");
    }

    function test_deposit_reservesTheInsuranceFundsAccount() public {
        address carol = address(0xCA201);
        _fund(tokenA, carol, 10);
        _fund(tokenA, INSURANCE_FUND, 10);
        _deposit(ALICE, 0, 10, ALICE_AX, ALICE_AY); // account 1
        // The fund may not register before its index comes up...
        _expectRevert(abi.encodeWithSelector(IMatchproof.InsuranceFundAccountReserved.selector, 2, INSURANCE_FUND));
        _deposit(INSURANCE_FUND, 0, 10, BOB_AX, BOB_AY);
        _deposit(BOB, 0, 10, BOB_AX, BOB_AY); // account 2
        // ...and no one else may take its index.
        _expectRevert(abi.encodeWithSelector(IMatchproof.InsuranceFundAccountReserved.selector, INSURANCE_FUND_INDEX, carol));
        _deposit(carol, 0, 10, P - BOB_AX, BOB_AY);
        _deposit(INSURANCE_FUND, 0, 10, P - BOB_AX, BOB_AY);
        (bool registered, uint256 index) = rollup.accountOf(INSURANCE_FUND);
        assertTrue(registered && index == INSURANCE_FUND_INDEX, "the fund at its index");
        assertEq(rollup.perpetuals().insuranceFundIndex, INSURANCE_FUND_INDEX, "the reserved index");
    }

    function test_deposit_assignsIndicesInOrder() public {
        _deposit(ALICE, 0, 10, ALICE_AX, ALICE_AY);
        _deposit(BOB, 0, 20, BOB_AX, BOB_AY);
        _deposit(ALICE, 1, 30, 0, 0);
        (, uint256 alice) = rollup.accountOf(ALICE);
        (, uint256 bob) = rollup.accountOf(BOB);
        assertEq(alice, 1, "alice index");
        assertEq(bob, 2, "bob index");
        assertEq(rollup.ownerOfAccount(1), ALICE, "account 1's owner");
        assertEq(rollup.ownerOfAccount(2), BOB, "account 2's owner");
        assertEq(rollup.ownerOfAccount(3), address(0), "no account 3 yet");
        assertEq(rollup.accountCount(), 3, "account count");
        assertEq(rollup.l1RequestCount(), 4, "request count");
    }

    function test_deposit_chainsRequestHashes() public {
        _deposit(ALICE, 0, 1000, ALICE_AX, ALICE_AY);
        _deposit(BOB, 0, 2000, BOB_AX, BOB_AY);
        _deposit(ALICE, 1, 3000, 7, 8); // a later deposit: the key arguments are ignored

        uint256 chain = rollup.l1Chain(1);
        chain = _next(chain, _requestHash(1, ALICE, ALICE_AX, ALICE_AY, 0, 1000));
        assertEq(rollup.l1Chain(2), chain, "chain[2]");
        chain = _next(chain, _requestHash(2, BOB, BOB_AX, BOB_AY, 0, 2000));
        assertEq(rollup.l1Chain(3), chain, "chain[3]");
        chain = _next(chain, _requestHash(1, ALICE, 0, 0, 1, 3000));
        assertEq(rollup.l1Chain(4), chain, "chain[4]");
    }

    function test_deposit_emitsRequestWithEveryField() public {
        _deposit(ALICE, 0, 1000, ALICE_AX, ALICE_AY);
        uint256 requestHash = _requestHash(1, ALICE, 0, 0, 1, 5);
        uint256 chain = _next(rollup.l1Chain(2), requestHash);
        vm.expectEmit(true, true, true, true, address(rollup));
        emit IMatchproof.L1RequestQueued(2, DEPOSIT, 1, ALICE, 0, 0, 1, 5, requestHash, chain);
        _deposit(ALICE, 1, 5, ALICE_AX, ALICE_AY);
    }

    function test_deposit_movesTokens() public {
        uint256 before = tokenA.balanceOf(ALICE);
        _deposit(ALICE, 0, 1000, ALICE_AX, ALICE_AY);
        assertEq(tokenA.balanceOf(ALICE), before - 1000, "alice balance");
        assertEq(tokenA.balanceOf(address(rollup)), 1000, "rollup balance");
        assertEq(rollup.totalDeposited(0), 1000, "total deposited");
    }

    function test_deposit_creditsAmountReceived() public {
        FeeOnTransferToken fot = new FeeOnTransferToken(100); // 1 % burnt per transfer
        Matchproof r = _deploy(_tokens(address(tokenA), address(fot)), ACCOUNT_DEPTH, OPERATOR_AX, OPERATOR_AY);
        fot.mint(ALICE, 10_000);
        vm.startPrank(ALICE);
        fot.approve(address(r), type(uint256).max);
        r.deposit(1, 10_000, ALICE_AX, ALICE_AY);
        vm.stopPrank();
        assertEq(r.totalDeposited(1), 9_900, "total deposited");
        uint256 expected = _next(r.l1Chain(1), _requestHash(1, ALICE, ALICE_AX, ALICE_AY, 1, 9_900));
        assertEq(r.l1Chain(2), expected, "chain carries the received amount");
    }

    function test_deposit_revertsWhenNothingArrives() public {
        FeeOnTransferToken fot = new FeeOnTransferToken(10_000); // everything burnt
        Matchproof r = _deploy(_tokens(address(tokenA), address(fot)), ACCOUNT_DEPTH, OPERATOR_AX, OPERATOR_AY);
        fot.mint(ALICE, 10_000);
        vm.prank(ALICE);
        fot.approve(address(r), type(uint256).max);
        vm.prank(ALICE);
        _expectRevert(abi.encodeWithSelector(IMatchproof.ZeroDeposit.selector, 1));
        r.deposit(1, 10_000, ALICE_AX, ALICE_AY);
    }

    function test_deposit_revertsOnZeroAmount() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.ZeroDeposit.selector, 0));
        _deposit(ALICE, 0, 0, ALICE_AX, ALICE_AY);
    }

    function test_deposit_revertsOnUnknownToken() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.UnknownToken.selector, 2, 2));
        _deposit(ALICE, 2, 1, ALICE_AX, ALICE_AY);
    }

    function test_deposit_revertsOnZeroKey() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidPublicKey.selector, 0, 0));
        _deposit(ALICE, 0, 1, 0, 0);
    }

    function test_deposit_revertsOnKeyOutOfField() public {
        // (x + p, y) is the same point modulo p, but not a canonical encoding.
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidPublicKey.selector, B8X + P, B8Y));
        _deposit(ALICE, 0, 1, B8X + P, B8Y);
    }

    function test_deposit_revertsOnKeyOffCurve() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidPublicKey.selector, B8X, B8Y + 1));
        _deposit(ALICE, 0, 1, B8X, B8Y + 1);
    }

    function test_deposit_revertsWhenAccountTreeFull() public {
        // Depth 2: four accounts, the operator's and three more.
        Matchproof small = _deploy(_tokens(address(tokenA), address(tokenB)), 2, OPERATOR_AX, OPERATOR_AY);
        address[3] memory owners = [ALICE, BOB, INSURANCE_FUND]; // the third is the fund's reserved account
        for (uint256 i = 0; i < owners.length; ++i) {
            tokenA.mint(owners[i], 2);
            vm.prank(owners[i]);
            tokenA.approve(address(small), type(uint256).max);
            vm.prank(owners[i]);
            small.deposit(0, 1, ALICE_AX, ALICE_AY); // account i + 1 of 4
        }
        address dave = address(0xDA7E);
        vm.prank(dave);
        tokenA.approve(address(small), type(uint256).max);
        vm.prank(dave);
        _expectRevert(abi.encodeWithSelector(IMatchproof.AccountTreeFull.selector, 4));
        small.deposit(0, 1, BOB_AX, BOB_AY);
        vm.prank(ALICE);
        small.deposit(0, 1, 0, 0); // existing accounts still deposit
    }

    function test_deposit_revertsAtCap() public {
        _deposit(ALICE, 0, uint96(CAP - 2), ALICE_AX, ALICE_AY);
        _deposit(BOB, 0, 1, BOB_AX, BOB_AY); // total 2^96 - 1: the largest allowed
        _expectRevert(abi.encodeWithSelector(IMatchproof.DepositCapExceeded.selector, 0, CAP - 1, 1));
        _deposit(ALICE, 0, 1, 0, 0);
        _deposit(ALICE, 1, 1, 0, 0); // the cap is per token
    }

    function test_deposit_fuzzTotalStaysBelowCap(uint96 first, uint96 second) public {
        vm.assume(first > 0 && second > 0);
        _deposit(ALICE, 0, first, ALICE_AX, ALICE_AY);
        if (uint256(first) + second >= CAP) {
            _expectRevert(abi.encodeWithSelector(IMatchproof.DepositCapExceeded.selector, 0, first, second));
            _deposit(BOB, 0, second, BOB_AX, BOB_AY);
            assertEq(rollup.totalDeposited(0), first, "total after a refused deposit");
            assertEq(rollup.l1RequestCount(), 2, "no request queued");
        } else {
            _deposit(BOB, 0, second, BOB_AX, BOB_AY);
            assertEq(rollup.totalDeposited(0), uint256(first) + second, "total");
            assertEq(tokenA.balanceOf(address(rollup)), uint256(first) + second, "rollup balance");
            uint256 expected = _next(rollup.l1Chain(2), _requestHash(2, BOB, BOB_AX, BOB_AY, 0, second));
            assertEq(rollup.l1Chain(3), expected, "chain[3]");
        }
    }

    function test_deposit_revertsOnReentry() public {
        ReentrantToken evil = new ReentrantToken();
        Matchproof r = _deploy(_tokens(address(evil), address(tokenA)), ACCOUNT_DEPTH, OPERATOR_AX, OPERATOR_AY);
        evil.mint(ALICE, 100);
        vm.prank(ALICE);
        evil.approve(address(r), type(uint256).max);
        evil.arm(r, BOB_AX, BOB_AY);
        vm.prank(ALICE);
        _expectRevert(abi.encodeWithSelector(ReentrancyGuardTransient.ReentrancyGuardReentrantCall.selector));
        r.deposit(0, 10, ALICE_AX, ALICE_AY);
    }

    // ------------------------------------------------------------------ submitBatch (before verification)

    function test_submitBatch_revertsForAnyoneButTheSubmitter() public {
        for (uint256 i = 0; i < 3; ++i) {
            address caller = [ALICE, BOB, OPERATOR][i]; // the operator handed the role to this contract
            vm.prank(caller);
            _expectRevert(abi.encodeWithSelector(IMatchproof.NotSubmitter.selector, caller, address(this)));
            rollup.submitBatch(1, 1, uint64(block.timestamp), 0, _emptySlots(), _proof());
        }
    }

    function test_submitBatch_revertsOnATimestampLaggingL1TooFar() public {
        uint64 stamp = uint64(block.timestamp);
        vm.warp(block.timestamp + MAX_LAG + 1);
        _expectRevert(
            abi.encodeWithSelector(IMatchproof.TimestampTooOld.selector, block.timestamp, stamp, MAX_LAG)
        );
        rollup.submitBatch(1, 1, stamp, 0, _emptySlots(), _proof());
        // Exactly MAX_LAG behind passes the header (and reaches the verifier, which says no here).
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidProof.selector));
        rollup.submitBatch(1, 1, stamp + 1, 0, _emptySlots(), _proof());
    }

    function test_constructor_revertsOnParametersOutOfBounds() public {
        address[] memory list = _tokens(address(tokenA), address(tokenB));
        IMatchproof.Hashers memory hashers = _hashers();
        IMatchproof.Operator memory op = IMatchproof.Operator({ethAddr: OPERATOR, ax: OPERATOR_AX, ay: OPERATOR_AY});
        IMatchproof.Config memory config = _config(ACCOUNT_DEPTH);
        config.maxTimestampLag = 0;
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidTimestampLag.selector, 0));
        new Matchproof(verifier, hashers, GENESIS_ROOT, list, config, op, _perpetuals(), PERP_PARAMETERS);
        config.maxTimestampLag = 1 days + 1;
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidTimestampLag.selector, 1 days + 1));
        new Matchproof(verifier, hashers, GENESIS_ROOT, list, config, op, _perpetuals(), PERP_PARAMETERS);
        config = _config(ACCOUNT_DEPTH);
        config.requestDeadlineBlocks = (1 << 20) + 1;
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidRequestDeadline.selector, (1 << 20) + 1));
        new Matchproof(verifier, hashers, GENESIS_ROOT, list, config, op, _perpetuals(), PERP_PARAMETERS);
        config = _config(ACCOUNT_DEPTH);
        config.nTx = 4097;
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidBatchSize.selector, 4097));
        new Matchproof(verifier, hashers, GENESIS_ROOT, list, config, op, _perpetuals(), PERP_PARAMETERS);
    }

    function test_constructor_revertsOnPerpetualsItCannotSettle() public {
        address[] memory list = _tokens(address(tokenA), address(tokenB));
        IMatchproof.Hashers memory hashers = _hashers();
        IMatchproof.Operator memory op = IMatchproof.Operator({ethAddr: OPERATOR, ax: OPERATOR_AX, ay: OPERATOR_AY});
        IMatchproof.Config memory config = _config(ACCOUNT_DEPTH);
        IMatchproof.Perpetuals[13] memory bad;
        for (uint256 i = 0; i < bad.length; ++i) {
            bad[i] = _perpetuals();
        }
        bad[0].collateralToken = 2; // two tokens listed
        bad[1].insuranceFund = OPERATOR; // the fee account's owner
        bad[2].quanta[3] = 1 << 32;
        bad[3].claimWindowBlocks = 0;
        bad[4].claimWindowBlocks = (1 << 20) + 1;
        bad[5].configHash = 0; // markets configured, no parameters
        bad[6].quanta = [uint256(0), 0, 0, 0]; // parameters, no market
        bad[7].configHash = P; // not a field element
        bad[8].configHash = type(uint256).max;
        bad[9].slots = 4097;
        bad[10].quanta = [uint256(0), 0, 0, 0]; // perpetual slots, no market
        bad[10].configHash = 0;
        bad[10].slots = 1;
        bad[11].insuranceFundIndex = 0; // the operator's account
        bad[12].insuranceFundIndex = uint32(2 ** ACCOUNT_DEPTH); // outside the account tree
        for (uint256 i = 0; i < bad.length; ++i) {
            bool anyMarket = bad[i].quanta[0] != 0 || bad[i].quanta[1] != 0;
            _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidPerpetuals.selector));
            new Matchproof(verifier, hashers, GENESIS_ROOT, list, config, op, bad[i], anyMarket ? PERP_PARAMETERS : bytes(""));
        }
        // Markets without their parameters on L1, or parameters without a market.
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidPerpetuals.selector));
        new Matchproof(verifier, hashers, GENESIS_ROOT, list, config, op, _perpetuals(), "");
        IMatchproof.Perpetuals memory none = _perpetuals();
        (none.quanta, none.configHash, none.insuranceFundIndex) = ([uint256(0), 0, 0, 0], 0, 0);
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidPerpetuals.selector));
        new Matchproof(verifier, hashers, GENESIS_ROOT, list, config, op, none, PERP_PARAMETERS);
        new Matchproof(verifier, hashers, GENESIS_ROOT, list, config, op, none, "");
    }

    function test_constructor_emitsThePerpetualParameters() public {
        IMatchproof.Perpetuals memory perpetuals = _perpetuals();
        perpetuals.slots = 2;
        vm.expectEmit(true, false, false, true);
        emit IMatchproof.PerpetualParameters(PERP_CONFIG_HASH, PERP_PARAMETERS);
        Matchproof deployed = new Matchproof(
            verifier,
            _hashers(),
            GENESIS_ROOT,
            _tokens(address(tokenA), address(tokenB)),
            _config(ACCOUNT_DEPTH),
            IMatchproof.Operator({ethAddr: OPERATOR, ax: OPERATOR_AX, ay: OPERATOR_AY}),
            perpetuals,
            PERP_PARAMETERS
        );
        assertEq(deployed.perpetuals().slots, 2, "perpetual slots");
    }

    function test_setSubmitter_handsTheRoleOverOnlyFromTheSubmitter() public {
        vm.prank(ALICE);
        _expectRevert(abi.encodeWithSelector(IMatchproof.NotSubmitter.selector, ALICE, address(this)));
        rollup.setSubmitter(ALICE);
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidSubmitter.selector));
        rollup.setSubmitter(address(0));

        vm.expectEmit(true, true, false, true, address(rollup));
        emit IMatchproof.SubmitterChanged(address(this), BOB);
        rollup.setSubmitter(BOB);
        assertEq(rollup.submitter(), BOB, "submitter");
        _expectRevert(abi.encodeWithSelector(IMatchproof.NotSubmitter.selector, address(this), BOB));
        rollup.submitBatch(1, 1, uint64(block.timestamp), 0, _emptySlots(), _proof());
    }

    function test_submitBatch_revertsOutOfOrder() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.BatchOutOfOrder.selector, 1, 2));
        rollup.submitBatch(2, 1, 0, 0, _emptySlots(), _proof());
        _expectRevert(abi.encodeWithSelector(IMatchproof.BatchOutOfOrder.selector, 1, 0));
        rollup.submitBatch(0, 1, 0, 0, _emptySlots(), _proof());
    }

    function test_submitBatch_revertsOutOfOrderAfterBatches() public {
        vm.store(address(rollup), SLOT_LAST_BATCH, bytes32(uint256(41)));
        assertEq(rollup.lastBatch(), 41, "storage slot of lastBatch");
        _expectRevert(abi.encodeWithSelector(IMatchproof.BatchOutOfOrder.selector, 42, 41));
        rollup.submitBatch(41, 1, 0, 0, _emptySlots(), _proof());
    }

    function test_submitBatch_revertsOnTimestampInFuture() public {
        _expectRevert(
            abi.encodeWithSelector(IMatchproof.TimestampInFuture.selector, block.timestamp, block.timestamp + 1)
        );
        rollup.submitBatch(1, 1, uint64(block.timestamp + 1), 0, _emptySlots(), _proof());
    }

    function test_submitBatch_revertsOnTimestampBeforeLastBatch() public {
        vm.store(address(rollup), SLOT_LAST_TIMESTAMP, bytes32(uint256(1_600_000_000)));
        assertEq(rollup.lastBatchTimestamp(), 1_600_000_000, "storage slot of lastTimestamp");
        _expectRevert(
            abi.encodeWithSelector(IMatchproof.TimestampBeforeLastBatch.selector, 1_600_000_000, 1_599_999_999)
        );
        rollup.submitBatch(1, 1, 1_599_999_999, 0, _emptySlots(), _proof());
    }

    function test_submitBatch_revertsOnNewRootOutOfField() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.ValueNotInField.selector, P));
        rollup.submitBatch(1, P, uint64(block.timestamp), 0, _emptySlots(), _proof());
    }

    function test_submitBatch_revertsOnTooManyL1Requests() public {
        _deposit(ALICE, 0, 1, ALICE_AX, ALICE_AY);
        _expectRevert(abi.encodeWithSelector(IMatchproof.TooManyL1Requests.selector, 2, 3));
        rollup.submitBatch(1, 1, uint64(block.timestamp), 3, _emptySlots(), _proof());
    }

    function test_submitBatch_revertsOnBadPublicDataLength() public {
        uint256 expected = L.SLOT_BYTES * N_TX;
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidPublicDataLength.selector, expected, expected - 1));
        rollup.submitBatch(1, 1, uint64(block.timestamp), 0, new bytes(expected - 1), _proof());
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidPublicDataLength.selector, expected, expected + 1));
        rollup.submitBatch(1, 1, uint64(block.timestamp), 0, new bytes(expected + 1), _proof());
    }

    function test_submitBatch_revertsOnRejectedProof() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidProof.selector));
        rollup.submitBatch(1, 1, uint64(block.timestamp), 1, _emptySlots(), _proof());
    }

    function test_submitBatch_passesPublicInputHashToVerifier() public {
        _deposit(ALICE, 0, 1000, ALICE_AX, ALICE_AY);
        bytes memory slots = _emptySlots();
        Slots.request(slots, 0, L.TX_DEPOSIT, 1);
        Slots.withdrawal(slots, 1, L.TX_WITHDRAW, 1, 1, 77);
        uint256 newRoot = 987654321;
        uint64 timestamp = uint64(block.timestamp - 5);

        // Each header value big-endian: 32, 32, 8, 32, 32 bytes, then the slots.
        bytes memory preimage =
            bytes.concat(bytes32(GENESIS_ROOT), bytes32(newRoot), bytes8(timestamp), bytes32(rollup.l1Chain(0)));
        preimage = bytes.concat(preimage, bytes32(rollup.l1Chain(2)), slots);
        assertEq(preimage.length, L.HEADER_BYTES + slots.length, "preimage length");
        uint256 inputHash = uint256(sha256(preimage)) % (uint256(1) << 253);
        uint256[8][] memory proofs = new uint256[8][](1);
        proofs[0] = _proof();
        uint256[] memory inputs = new uint256[](1);
        inputs[0] = inputHash;
        vm.expectCall(address(verifier), abi.encodeCall(IGroth16BatchVerifier.verifyProofs, (proofs, inputs)));
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidProof.selector));
        rollup.submitBatch(1, newRoot, timestamp, 2, slots, proofs[0]);
    }

    // ------------------------------------------------------------------ submitBatches (before verification)

    function test_submitBatches_revertsForAnyoneButTheSubmitter() public {
        vm.prank(ALICE);
        _expectRevert(abi.encodeWithSelector(IMatchproof.NotSubmitter.selector, ALICE, address(this)));
        rollup.submitBatches(_submissions(1, 2));
    }

    function test_submitBatches_revertsOnNoBatchOrTooMany() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidBatchCount.selector, 0, 128));
        rollup.submitBatches(new IMatchproof.BatchSubmission[](0));
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidBatchCount.selector, 129, 128));
        rollup.submitBatches(_submissions(1, 129));
    }

    function test_submitBatches_revertsOnBatchesOutOfOrder() public {
        IMatchproof.BatchSubmission[] memory batches = _submissions(1, 3);
        batches[2].batchNumber = 4; // 1, 2, 4
        _expectRevert(abi.encodeWithSelector(IMatchproof.BatchOutOfOrder.selector, 3, 4));
        rollup.submitBatches(batches);
        batches = _submissions(1, 2);
        batches[1].batchNumber = 1; // the same batch twice
        _expectRevert(abi.encodeWithSelector(IMatchproof.BatchOutOfOrder.selector, 2, 1));
        rollup.submitBatches(batches);
    }

    function test_submitBatches_checksEachBatchAfterThePreviousOne() public {
        _deposit(ALICE, 0, 1000, ALICE_AX, ALICE_AY);
        IMatchproof.BatchSubmission[] memory batches = _submissions(1, 2);
        batches[0].timestamp = uint64(block.timestamp);
        batches[1].timestamp = uint64(block.timestamp - 1); // before the first batch's
        _expectRevert(
            abi.encodeWithSelector(
                IMatchproof.TimestampBeforeLastBatch.selector, block.timestamp, block.timestamp - 1
            )
        );
        rollup.submitBatches(batches);
        // Two requests are queued (the operator's and Alice's deposit): 2 + 1 is one too many.
        batches = _submissions(1, 2);
        (batches[0].l1Count, batches[1].l1Count) = (2, 1);
        _expectRevert(abi.encodeWithSelector(IMatchproof.TooManyL1Requests.selector, 0, 1));
        rollup.submitBatches(batches);
        batches = _submissions(1, 2);
        batches[1].publicData = new bytes(1);
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidPublicDataLength.selector, L.SLOT_BYTES * N_TX, 1));
        rollup.submitBatches(batches);
    }

    /// @dev The second batch's public input starts from the first's new root and L1 chain end.
    function test_submitBatches_passesEveryPublicInputHashToTheVerifierAtOnce() public {
        _deposit(ALICE, 0, 1000, ALICE_AX, ALICE_AY);
        IMatchproof.BatchSubmission[] memory batches = _submissions(1, 2);
        (batches[0].l1Count, batches[1].l1Count) = (1, 1);
        Slots.request(batches[0].publicData, 0, L.TX_DEPOSIT, 0);
        Slots.request(batches[1].publicData, 0, L.TX_DEPOSIT, 1);
        uint256[] memory inputs = new uint256[](2);
        inputs[0] = _inputHash(GENESIS_ROOT, batches[0], rollup.l1Chain(0), rollup.l1Chain(1));
        inputs[1] = _inputHash(batches[0].newRoot, batches[1], rollup.l1Chain(1), rollup.l1Chain(2));
        uint256[8][] memory proofs = new uint256[8][](2);
        (proofs[0], proofs[1]) = (batches[0].proof, batches[1].proof);
        vm.expectCall(address(verifier), abi.encodeCall(IGroth16BatchVerifier.verifyProofs, (proofs, inputs)));
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidProof.selector));
        rollup.submitBatches(batches);
        assertEq(rollup.lastBatch(), 0, "nothing applied");
    }

    /// @dev `count` consecutive batches from `first`: empty slots, distinct roots, this block's time.
    function _submissions(uint256 first, uint256 count)
        internal
        view
        returns (IMatchproof.BatchSubmission[] memory batches)
    {
        batches = new IMatchproof.BatchSubmission[](count);
        for (uint256 i = 0; i < count; ++i) {
            uint256[8] memory proof = _proof();
            proof[0] += i;
            batches[i] = IMatchproof.BatchSubmission({
                batchNumber: first + i,
                newRoot: 1000 + i,
                timestamp: uint64(block.timestamp),
                l1Count: 0,
                publicData: _emptySlots(),
                proof: proof
            });
        }
    }

    function _inputHash(uint256 oldRoot, IMatchproof.BatchSubmission memory batch, uint256 chainStart, uint256 chainEnd)
        internal
        pure
        returns (uint256)
    {
        bytes memory preimage = abi.encodePacked(oldRoot, batch.newRoot, batch.timestamp, chainStart, chainEnd);
        return uint256(sha256(bytes.concat(preimage, batch.publicData))) % (uint256(1) << 253);
    }

    // ------------------------------------------------------------------ claim

    function test_claim_revertsWhenNothingToClaim() public {
        assertEq(rollup.claimable(ALICE, 0), 0, "claimable");
        _expectRevert(abi.encodeWithSelector(IMatchproof.NothingToClaim.selector, ALICE, 0));
        rollup.claim(ALICE, 0);
    }

    function test_claim_revertsOnUnknownToken() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.UnknownToken.selector, 9, 2));
        rollup.claim(ALICE, 9);
    }

    // ------------------------------------------------------------------ views

    function test_l1Chain_revertsOutOfRange() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.L1ChainIndexOutOfRange.selector, 2, 1));
        rollup.l1Chain(2);
    }

    function test_tokens_revertsOnUnknownToken() public {
        _expectRevert(abi.encodeWithSelector(IMatchproof.UnknownToken.selector, 2, 2));
        rollup.tokens(2);
    }
}
