// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IMatchproof} from "../src/interfaces/IMatchproof.sol";
import {RollupFixture} from "./utils/RollupFixture.sol";

/// @notice Perpetual claims after a freeze: each account proves its collateral and positions and
///         the markets against the last proven root within the claim window, and is paid after
///         it (docs/DESIGN.md, "Exit with open positions"). The proven state is written into the
///         root's storage slot: a tree whose first four leaves are the fee account, Alice, Bob
///         and the insurance fund, every other node EMPTY.
contract PerpExodusTest is RollupFixture {
    uint256 internal constant ALICE_INDEX = 1;
    uint256 internal constant BOB_INDEX = 2;
    address internal constant FUND = INSURANCE_FUND;
    uint256 internal constant EMPTY = 42;
    /// @dev Market 0 at 100 ticks, funding index 3e12 (3 collateral units per lot, quantum 1);
    ///      market 1 at 7 ticks, index 0 (quantum 1000).
    uint256 internal constant PRICE_0 = 100;
    int256 internal constant INDEX_0 = 3e12;
    uint256 internal constant PRICE_1 = 7;

    IMatchproof.PerpSide[4] internal sides;
    IMatchproof.PerpMarket[4] internal markets;
    uint256 internal pool;
    /// @dev The parameters' hash the proven state commits to (the deployment's unless a test changes it).
    uint256 internal provenConfigHash = PERP_CONFIG_HASH;

    function setUp() public override {
        super.setUp();
        _deposit(ALICE, 0, 10_000, ALICE_AX, ALICE_AY); // account 1
        _deposit(BOB, 0, 10_000, BOB_AX, BOB_AY); // account 2
        _fund(tokenA, FUND, CAP);
        _deposit(FUND, 0, 10_000, P - BOB_AX, BOB_AY); // account 3, the insurance fund
        markets[0] = IMatchproof.PerpMarket(PRICE_0, 1_000, INDEX_0, 990, 20);
        markets[1] = IMatchproof.PerpMarket(PRICE_1, 1_000, 0, 990, 0);
        // Alice: long 20 lots of market 0 settled at index 0, 500 collateral: funding owes
        // 20 * 3 = 60, so 500 - 60 + 20 * 100 = 2,440. Bob: short 20, -1,000 collateral:
        // funding earns 60, so -1,000 + 60 - 2,000 = -2,940 (no claim). Fund: 1,500.
        sides[ALICE_INDEX].collateral = 500;
        sides[ALICE_INDEX].sizes[0] = 20;
        sides[BOB_INDEX].collateral = -1_000;
        sides[BOB_INDEX].sizes[0] = -20;
        sides[3].collateral = 1_500;
    }

    // ------------------------------------------------------------------ helpers

    function _sideHash(IMatchproof.PerpSide memory side) internal view returns (uint256) {
        uint256[9] memory inputs;
        inputs[0] = _field(side.collateral);
        for (uint256 i = 0; i < 4; ++i) {
            inputs[1 + 2 * i] = _field(side.sizes[i]);
            inputs[2 + 2 * i] = _field(side.settledIndex[i]);
        }
        return poseidon9.poseidon(inputs);
    }

    function _commitment() internal view returns (uint256) {
        uint256[5] memory hashes;
        for (uint256 i = 0; i < 4; ++i) {
            IMatchproof.PerpMarket memory market = markets[i];
            hashes[i] = poseidon5.poseidon(
                [market.oraclePrice, market.oracleTime, _field(market.fundingIndex), market.fundingTime, market.openInterest]
            );
        }
        hashes[4] = pool;
        return poseidon2.poseidon([poseidon5.poseidon(hashes), provenConfigHash]);
    }

    function _field(int256 value) internal pure returns (uint256) {
        return value < 0 ? P - uint256(-value) : uint256(value);
    }

    /// @dev Account `index`'s exit proof: nothing but its key and its perpetual side.
    function _proof(uint256 index) internal view returns (IMatchproof.ExitProof memory proof) {
        uint256[16] memory balances;
        uint256[] memory siblings = new uint256[](6);
        uint256 next = 0;
        for (uint256 other = 0; other < 4; ++other) {
            if (other != index) siblings[next++] = _leaf(other);
        }
        (siblings[3], siblings[4], siblings[5]) = (EMPTY, EMPTY, EMPTY);
        (uint256 ax, uint256 ay) = _key(index);
        proof = IMatchproof.ExitProof({
            ax: ax,
            ay: ay,
            nonce: 0,
            minOrderId: 0,
            orderRoot: 0,
            balances: balances,
            perpHash: _sideHash(sides[index]),
            accountSiblings: siblings,
            perpCommitment: _commitment()
        });
    }

    function _key(uint256 index) internal pure returns (uint256, uint256) {
        if (index == ALICE_INDEX) return (ALICE_AX, ALICE_AY);
        if (index == BOB_INDEX) return (BOB_AX, BOB_AY);
        if (index == 3) return (P - BOB_AX, BOB_AY);
        return (OPERATOR_AX, OPERATOR_AY);
    }

    function _owner(uint256 index) internal pure returns (address) {
        return [OPERATOR, ALICE, BOB, FUND][index];
    }

    function _leaf(uint256 index) internal view returns (uint256) {
        (uint256 ax, uint256 ay) = _key(index);
        uint256[15] memory inputs;
        (inputs[0], inputs[1], inputs[2]) = (ax, ay, uint256(uint160(_owner(index))));
        inputs[14] = _sideHash(sides[index]);
        return poseidon15.poseidon(inputs);
    }

    /// @dev Writes the state of `sides`, `markets` and `pool` as the last proven one and freezes.
    function _proveAndFreeze(uint256 collateralPool) internal {
        pool = collateralPool;
        vm.store(address(rollup), SLOT_STATE_ROOT, bytes32(_stateRoot()));
        vm.roll(rollup.l1RequestDeadline(rollup.l1Processed()) + 1);
        rollup.freeze();
    }

    /// @dev The state root of `sides`, `markets` and `pool`.
    function _stateRoot() internal view returns (uint256) {
        uint256 accountRoot = poseidon4.poseidon(
            [poseidon4.poseidon([_leaf(0), _leaf(1), _leaf(2), _leaf(3)]), EMPTY, EMPTY, EMPTY]
        );
        return poseidon2.poseidon([accountRoot, _commitment()]);
    }

    function _claim(uint256 index) internal returns (uint256) {
        return _claimWith(index, _proof(index), sides[index], markets, pool);
    }

    /// @dev Claims as account `index`'s owner (the arguments are computed before: computing them
    ///      calls the Poseidon contracts, which would take the prank and the expected revert).
    function _claimWith(
        uint256 index,
        IMatchproof.ExitProof memory proof,
        IMatchproof.PerpSide memory side,
        IMatchproof.PerpMarket[4] memory states,
        uint256 collateralPool
    ) internal returns (uint256) {
        vm.prank(_owner(index));
        return rollup.claimPerpetual(proof, side, states, collateralPool);
    }

    function _pay(uint256 index) internal returns (uint256) {
        vm.prank(_owner(index));
        return rollup.payPerpetualClaim(_owner(index));
    }

    function _afterWindow() internal {
        (,,, uint256 deadline) = rollup.perpetualClaims();
        vm.roll(deadline + 1);
    }

    // ------------------------------------------------------------------ claims

    function test_claims_arePaidInFullWhileTheyFit_theFundTakesTheRest() public {
        _proveAndFreeze(3_000); // 500 + (-1,000) + 1,500 + Bob's 2,000 lost to Alice
        vm.expectEmit(true, true, true, true, address(rollup));
        emit IMatchproof.PerpetualClaimed(ALICE_INDEX, ALICE, 2_440, 3_000);
        assertEq(_claim(ALICE_INDEX), 2_440, "Alice's claim");
        assertEq(_claim(3), 1_500, "the fund's claim");
        (uint256 proven, uint256 owed, uint256 fundClaim,) = rollup.perpetualClaims();
        assertEq(proven, 3_000, "pool");
        assertEq(owed, 2_440, "traders owed");
        assertEq(fundClaim, 1_500, "fund claim");

        _afterWindow();
        uint256 vault = tokenA.balanceOf(address(rollup));
        assertEq(_pay(ALICE_INDEX), 2_440, "Alice paid in full");
        assertEq(_pay(3), 560, "the fund: what is left, covering Bob's deficit");
        assertEq(tokenA.balanceOf(ALICE), CAP - 10_000 + 2_440, "Alice's tokens");
        assertEq(vault - tokenA.balanceOf(address(rollup)), 3_000, "the pool paid out, no more");
        (uint256 claim, bool paid) = rollup.perpetualClaimOf(ALICE_INDEX);
        assertEq(claim, 2_440, "recorded claim");
        assertTrue(paid, "paid");
    }

    function test_claims_sharePro_rataWhenTheTradersAloneExceedThePool() public {
        _proveAndFreeze(1_220); // half of Alice's claim
        _claim(ALICE_INDEX);
        _claim(3);
        _afterWindow();
        assertEq(_pay(ALICE_INDEX), 1_220, "2,440 * 1,220 / 2,440");
        assertEq(_pay(3), 0, "the fund gets nothing");
    }

    function test_claims_settleUnsettledFundingAtTheProvenIndex() public {
        sides[ALICE_INDEX].settledIndex[0] = INDEX_0; // settled already: no funding owed
        sides[ALICE_INDEX].sizes[1] = 3; // 3 lots of market 1: 3 * 7 * 1000
        _proveAndFreeze(1_000_000);
        assertEq(_claim(ALICE_INDEX), 500 + 2_000 + 21_000, "collateral and both positions");
    }

    /// @notice Whatever the proven values, the payouts never exceed the pool, and the traders are
    ///         paid in full whenever their claims together fit in it.
    /// forge-config: default.fuzz.runs = 256
    function testFuzz_payoutsNeverExceedThePool(
        int96 aliceCollateral,
        int40 aliceSize,
        int96 bobCollateral,
        uint96 fundCollateral,
        uint40 price,
        uint96 collateralPool
    ) public {
        sides[ALICE_INDEX].collateral = aliceCollateral;
        sides[ALICE_INDEX].sizes[0] = aliceSize;
        sides[BOB_INDEX].collateral = bobCollateral;
        sides[BOB_INDEX].sizes[0] = -int256(aliceSize);
        sides[3].collateral = int256(uint256(fundCollateral));
        markets[0].oraclePrice = price;
        collateralPool = uint96(collateralPool % (1 << 95)); // within the vault's deposit cap
        _fund(tokenA, address(this), collateralPool);
        if (collateralPool > 0) rollup.deposit(0, collateralPool, P - ALICE_AX, P - ALICE_AY); // the vault holds the pool
        _proveAndFreeze(collateralPool);
        uint256[4] memory claimed;
        for (uint256 index = 1; index < 4; ++index) {
            IMatchproof.ExitProof memory proof = _proof(index);
            IMatchproof.PerpSide memory side = sides[index];
            vm.prank(_owner(index));
            try rollup.claimPerpetual(proof, side, markets, collateralPool) returns (uint256 amount) {
                claimed[index] = amount;
            } catch (bytes memory reason) {
                bytes memory expected = abi.encodeWithSelector(IMatchproof.NoPerpetualClaim.selector, index);
                assertTrue(keccak256(reason) == keccak256(expected), "only a value not positive goes unclaimed");
            }
        }
        _afterWindow();
        uint256 paid;
        for (uint256 index = 1; index < 4; ++index) {
            if (claimed[index] == 0) continue;
            uint256 amount = _pay(index);
            paid += amount;
            if (index != 3 && claimed[1] + claimed[2] <= collateralPool) assertEq(amount, claimed[index], "paid in full");
        }
        assertTrue(paid <= collateralPool, "within the pool");
    }

    function test_claim_revertsWithoutPositiveValue() public {
        _proveAndFreeze(3_000);
        IMatchproof.ExitProof memory proof = _proof(BOB_INDEX);
        _expectRevert(abi.encodeWithSelector(IMatchproof.NoPerpetualClaim.selector, BOB_INDEX));
        _claimWith(BOB_INDEX, proof, sides[BOB_INDEX], markets, pool);
    }

    function test_claim_revertsOutsideTheWindowAndTwice() public {
        IMatchproof.ExitProof memory proof = _proof(ALICE_INDEX);
        _expectRevert(abi.encodeWithSelector(IMatchproof.NotFrozen.selector));
        _claimWith(ALICE_INDEX, proof, sides[ALICE_INDEX], markets, pool);
        _proveAndFreeze(3_000);
        proof = _proof(ALICE_INDEX);
        _claimWith(ALICE_INDEX, proof, sides[ALICE_INDEX], markets, pool);
        _expectRevert(abi.encodeWithSelector(IMatchproof.AlreadyClaimedPerpetual.selector, ALICE_INDEX));
        _claimWith(ALICE_INDEX, proof, sides[ALICE_INDEX], markets, pool);
        (,,, uint256 deadline) = rollup.perpetualClaims();
        _expectRevert(abi.encodeWithSelector(IMatchproof.ClaimWindowOpen.selector, deadline, block.number));
        _pay(ALICE_INDEX);
        vm.roll(deadline + 1);
        IMatchproof.ExitProof memory late = _proof(3);
        _expectRevert(abi.encodeWithSelector(IMatchproof.ClaimWindowClosed.selector, deadline, deadline + 1));
        _claimWith(3, late, sides[3], markets, pool);
        _pay(ALICE_INDEX);
        _expectRevert(abi.encodeWithSelector(IMatchproof.PerpetualClaimAlreadyPaid.selector, ALICE_INDEX));
        _pay(ALICE_INDEX);
        _expectRevert(abi.encodeWithSelector(IMatchproof.NoPerpetualClaim.selector, 3));
        _pay(3);
    }

    function test_claim_revertsOnAStateOfOtherParameters() public {
        // A state whose perpetual parameters are not the deployment's (its genesis was another
        // deployment's): no claim is valued at this deployment's quanta.
        provenConfigHash = PERP_CONFIG_HASH + 1;
        _proveAndFreeze(3_000);
        IMatchproof.ExitProof memory proof = _proof(ALICE_INDEX);
        provenConfigHash = PERP_CONFIG_HASH;
        uint256 expected = _commitment();
        vm.prank(ALICE);
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidPerpCommitment.selector, expected, proof.perpCommitment));
        rollup.claimPerpetual(proof, sides[ALICE_INDEX], markets, pool);
    }

    function test_claim_revertsOnAnotherSideOrOtherMarkets() public {
        _proveAndFreeze(3_000);
        IMatchproof.ExitProof memory proof = _proof(ALICE_INDEX);
        IMatchproof.PerpSide memory richer = sides[ALICE_INDEX];
        richer.collateral += 1;
        uint256 richerHash = _sideHash(richer);
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidPerpSide.selector, richerHash, proof.perpHash));
        _claimWith(ALICE_INDEX, proof, richer, markets, pool);

        IMatchproof.PerpMarket[4] memory higher = markets;
        higher[0].oraclePrice += 1;
        markets[0].oraclePrice += 1;
        uint256 otherCommitment = _commitment();
        markets[0].oraclePrice -= 1;
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidPerpCommitment.selector, otherCommitment, proof.perpCommitment));
        _claimWith(ALICE_INDEX, proof, sides[ALICE_INDEX], higher, pool);

        otherCommitment = _commitmentWithPool(3_001);
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidPerpCommitment.selector, otherCommitment, proof.perpCommitment));
        _claimWith(ALICE_INDEX, proof, sides[ALICE_INDEX], markets, 3_001);

        // A proof whose perpHash matches another side leads to another root.
        proof.perpHash = richerHash;
        IMatchproof.PerpSide memory proven = sides[ALICE_INDEX];
        sides[ALICE_INDEX] = richer;
        uint256 otherRoot = _stateRoot();
        sides[ALICE_INDEX] = proven;
        _expectRevert(abi.encodeWithSelector(IMatchproof.InvalidExitProof.selector, otherRoot, rollup.stateRoot()));
        _claimWith(ALICE_INDEX, proof, richer, markets, pool);
    }

    function test_claim_revertsOnValuesOutsideTheirWidths() public {
        _proveAndFreeze(3_000);
        IMatchproof.ExitProof memory proof = _proof(ALICE_INDEX);
        IMatchproof.PerpSide memory side = sides[ALICE_INDEX];
        side.sizes[2] = -(int256(1) << 40);
        _expectRevert(abi.encodeWithSelector(IMatchproof.PerpValueOutOfRange.selector, side.sizes[2], 40));
        _claimWith(ALICE_INDEX, proof, side, markets, pool);
        side = sides[ALICE_INDEX];
        side.collateral = type(int256).min;
        _expectRevert(abi.encodeWithSelector(IMatchproof.PerpValueOutOfRange.selector, side.collateral, 96));
        _claimWith(ALICE_INDEX, proof, side, markets, pool);
        IMatchproof.PerpMarket[4] memory wide = markets;
        wide[3].oracleTime = P;
        _expectRevert(abi.encodeWithSelector(IMatchproof.ValueNotInField.selector, P));
        _claimWith(ALICE_INDEX, proof, sides[ALICE_INDEX], wide, pool);
        _expectRevert(abi.encodeWithSelector(IMatchproof.PerpValueOutOfRange.selector, int256(1 << 96), 96));
        _claimWith(ALICE_INDEX, proof, sides[ALICE_INDEX], markets, 1 << 96);
    }

    function _commitmentWithPool(uint256 collateralPool) internal returns (uint256 commitment) {
        uint256 proven = pool;
        pool = collateralPool;
        commitment = _commitment();
        pool = proven;
    }
}
