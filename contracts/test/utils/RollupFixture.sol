// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Matchproof} from "../../src/Matchproof.sol";
import {IMatchproof} from "../../src/interfaces/IMatchproof.sol";
import {IGroth16BatchVerifier} from "../../src/interfaces/IGroth16BatchVerifier.sol";
import {IPoseidon2, IPoseidon4, IPoseidon5, IPoseidon7, IPoseidon9, IPoseidon15} from "../../src/interfaces/IPoseidon.sol";
import {TestToken} from "../../src/test/TestToken.sol";
import {TestBase} from "./TestBase.sol";
import {Slots} from "./Slots.sol";
import {RejectingVerifier} from "../mocks/RejectingVerifier.sol";

/// @title A rollup on a fresh chain: Poseidon contracts, two tokens, funded traders
/// @notice The verifier rejects every proof: tests that need accepted batches use the real
///         verifier on anvil, or a model whose batches a sound circuit would accept.
abstract contract RollupFixture is TestBase {
    uint256 internal constant P = 21888242871839275222246405745257275088548364400416034343698204186575808495617;
    uint256 internal constant CAP = 1 << 96;
    uint256 internal constant N_TX = 4;
    uint256 internal constant ACCOUNT_DEPTH = 4;
    uint256 internal constant BALANCE_DEPTH = 2;
    uint256 internal constant DEADLINE_BLOCKS = 10;
    uint256 internal constant GENESIS_ROOT = 123456789;
    /// @dev The perpetual markets' quanta (two markets configured) and the claim window.
    uint256 internal constant QUANTUM_0 = 1;
    uint256 internal constant QUANTUM_1 = 1000;
    /// @dev Stands for the hash of the perpetual parameters the state root commits to (the
    ///      spec computes it, sequencer/spec/perpetual/commitment.py; any field element here).
    uint256 internal constant PERP_CONFIG_HASH = 0x5eed;
    /// @dev Stands for the parameters' ABI encoding, which the constructor emits without reading.
    bytes internal constant PERP_PARAMETERS = hex"0badc0de";
    uint256 internal constant CLAIM_WINDOW_BLOCKS = 20;
    /// @dev The insurance fund's L1 address, and its account index: the third to register
    ///      after the operator.
    address internal constant INSURANCE_FUND = address(0xF00D);
    uint32 internal constant INSURANCE_FUND_INDEX = 3;
    uint8 internal constant DEPOSIT = 1;
    uint8 internal constant FORCED_WITHDRAW = 4;
    uint8 internal constant FORCED_CANCEL_ALL = 5;

    // BabyJubJub Base8 and its sign flips: four distinct points on the curve.
    uint256 internal constant B8X = 5299619240641551281634865583518297030282874472190772894086521144482721001553;
    uint256 internal constant B8Y = 16950150798460657717958625567821834550301663161624707787222815936182638968203;
    uint256 internal constant OPERATOR_AX = B8X;
    uint256 internal constant OPERATOR_AY = B8Y;
    uint256 internal constant ALICE_AX = P - B8X;
    uint256 internal constant ALICE_AY = B8Y;
    uint256 internal constant BOB_AX = B8X;
    uint256 internal constant BOB_AY = P - B8Y;

    // Storage slots of Matchproof (forge inspect Matchproof storage): BatchLog.Log first,
    // then L1Queue.Queue.
    bytes32 internal constant SLOT_STATE_ROOT = bytes32(uint256(0));
    bytes32 internal constant SLOT_LAST_BATCH = bytes32(uint256(1));
    bytes32 internal constant SLOT_LAST_TIMESTAMP = bytes32(uint256(2));
    bytes32 internal constant SLOT_L1_PROCESSED = bytes32(uint256(4));

    address internal constant OPERATOR = address(0x0FE);
    uint256 internal constant MAX_LAG = 30 minutes;
    address internal constant ALICE = address(0xA11CE);
    address internal constant BOB = address(0xB0B);

    IPoseidon2 internal poseidon2;
    IPoseidon4 internal poseidon4;
    IPoseidon7 internal poseidon7;
    IPoseidon15 internal poseidon15;
    IPoseidon5 internal poseidon5;
    IPoseidon9 internal poseidon9;
    IGroth16BatchVerifier internal verifier;
    TestToken internal tokenA;
    TestToken internal tokenB;
    Matchproof internal rollup;

    function setUp() public virtual {
        string memory json = vm.readFile("../build/contracts/poseidon.json");
        poseidon2 = IPoseidon2(deployPoseidon(json, 2));
        poseidon4 = IPoseidon4(deployPoseidon(json, 4));
        poseidon7 = IPoseidon7(deployPoseidon(json, 7));
        poseidon15 = IPoseidon15(deployPoseidon(json, 15));
        poseidon5 = IPoseidon5(deployPoseidon(json, 5));
        poseidon9 = IPoseidon9(deployPoseidon(json, 9));
        verifier = new RejectingVerifier();
        tokenA = new TestToken("Token A", "A", 18);
        tokenB = new TestToken("Token B", "B", 6);
        rollup = _deploy(_tokens(address(tokenA), address(tokenB)), ACCOUNT_DEPTH, OPERATOR_AX, OPERATOR_AY);
        // The operator hands batch submission to the test contract, as it would to a multisig.
        vm.prank(OPERATOR);
        rollup.setSubmitter(address(this));

        _fund(tokenA, ALICE, CAP);
        _fund(tokenB, ALICE, CAP);
        _fund(tokenA, BOB, CAP);
        vm.warp(1_700_000_000);
    }

    // ------------------------------------------------------------------ helpers

    function _tokens(address a, address b) internal pure returns (address[] memory list) {
        list = new address[](2);
        list[0] = a;
        list[1] = b;
    }

    function _hashers() internal view returns (IMatchproof.Hashers memory) {
        return IMatchproof.Hashers({
            poseidon2: poseidon2,
            poseidon4: poseidon4,
            poseidon7: poseidon7,
            poseidon15: poseidon15,
            poseidon5: poseidon5,
            poseidon9: poseidon9
        });
    }

    /// @dev Perpetuals on token 0 (token A), two markets configured.
    function _perpetuals() internal pure returns (IMatchproof.Perpetuals memory) {
        return IMatchproof.Perpetuals({
            collateralToken: 0,
            insuranceFund: INSURANCE_FUND,
            quanta: [QUANTUM_0, QUANTUM_1, 0, 0],
            claimWindowBlocks: CLAIM_WINDOW_BLOCKS,
            configHash: PERP_CONFIG_HASH,
            slots: 0,
            insuranceFundIndex: INSURANCE_FUND_INDEX
        });
    }

    function _config(uint256 accountDepth) internal pure returns (IMatchproof.Config memory) {
        return IMatchproof.Config({
            nTx: N_TX,
            accountDepth: accountDepth,
            balanceDepth: BALANCE_DEPTH,
            requestDeadlineBlocks: DEADLINE_BLOCKS,
            maxTimestampLag: MAX_LAG,
            requestFee: 0, // the fees and the rate bound have their own tests (RequestFees.t.sol)
            registrationFee: 0,
            maxRequestsPerBlock: 4096
        });
    }

    /// @dev The fixture's rollup (tokens A and B, the operator's key) with another configuration.
    function _deployWith(IMatchproof.Config memory config) internal returns (Matchproof) {
        return new Matchproof(
            verifier,
            _hashers(),
            GENESIS_ROOT,
            _tokens(address(tokenA), address(tokenB)),
            config,
            IMatchproof.Operator({ethAddr: OPERATOR, ax: OPERATOR_AX, ay: OPERATOR_AY}),
            _perpetuals(),
            PERP_PARAMETERS
        );
    }

    function _deploy(address[] memory tokenList, uint256 accountDepth, uint256 ax, uint256 ay)
        internal
        returns (Matchproof)
    {
        return new Matchproof(
            verifier,
            _hashers(),
            GENESIS_ROOT,
            tokenList,
            _config(accountDepth),
            IMatchproof.Operator({ethAddr: OPERATOR, ax: ax, ay: ay}),
            _perpetuals(),
            PERP_PARAMETERS
        );
    }

    function _fund(TestToken token, address owner, uint256 amount) internal {
        token.mint(owner, amount);
        vm.prank(owner);
        token.approve(address(rollup), type(uint256).max);
    }

    function _requestHash(
        uint256 accountIndex,
        address ethAddr,
        uint256 ax,
        uint256 ay,
        uint256 tokenId,
        uint256 amount
    ) internal view returns (uint256) {
        return poseidon7.poseidon([uint256(DEPOSIT), accountIndex, uint256(uint160(ethAddr)), ax, ay, tokenId, amount]);
    }

    function _forcedRequestHash(uint8 txType, uint256 accountIndex, address ethAddr, uint256 tokenId, uint256 amount)
        internal
        view
        returns (uint256)
    {
        return poseidon7.poseidon([uint256(txType), accountIndex, uint256(uint160(ethAddr)), 0, 0, tokenId, amount]);
    }

    function _next(uint256 chain, uint256 requestHash) internal view returns (uint256) {
        return poseidon2.poseidon([chain, requestHash]);
    }

    function _deposit(address from, uint16 tokenId, uint96 amount, uint256 ax, uint256 ay)
        internal
        returns (uint256 requestIndex)
    {
        vm.prank(from);
        return rollup.deposit(tokenId, amount, ax, ay);
    }

    function _emptySlots() internal pure returns (bytes memory) {
        return Slots.empty(N_TX);
    }

    function _proof() internal pure returns (uint256[8] memory proof) {
        for (uint256 i = 0; i < 8; ++i) {
            proof[i] = i + 1;
        }
    }

    function _expectRevert(bytes memory revertData) internal {
        vm.expectRevert(revertData);
    }
}
