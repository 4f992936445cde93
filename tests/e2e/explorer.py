"""A sequencer serving the explorer for a devnet's rollup, for the end-to-end browser tests."""

from pathlib import Path

from eth_account.signers.local import LocalAccount

from prover import CircuitArtifacts
from sequencer.devnet import TEST_TOKENS, Devnet, devnet_market
from sequencer.service.config import ServiceConfig
from sequencer.service.core import SequencerService
from sequencer.service.explorer.units import TokenLabel
from sequencer.service.l1 import ChainRequests
from sequencer.spec.constants import TreeConfig
from sequencer.spec.types import TokenId


def explorer_service(devnet: Devnet, circuit: CircuitArtifacts, operator: LocalAccount, data_dir: Path) -> SequencerService:
    """
    A sequencer reading ``devnet``'s L1 queue with no settlement (it consumes
    nothing on L1), its tokens labelled as the devnet's.
    """
    params = dict(circuit.config.params)
    config = ServiceConfig(
        data_dir=data_dir,
        tree=TreeConfig.from_circuit_params(params),
        slots=params["nTx"],
        markets=(devnet_market(),),
        chain_id=devnet.w3.eth.chain_id,
        rollup=devnet.deployment.rollup,
        poll_interval_s=0.1,
        token_count=len(devnet.deployment.tokens),
        token_labels=tuple((TokenId(t), TokenLabel(spec.symbol, spec.decimals)) for t, spec in enumerate(TEST_TOKENS)),
        public_rpc=devnet.w3.provider.endpoint_uri,  # type: ignore[attr-defined]
    )
    return SequencerService(config, operator, l1=ChainRequests(devnet.rollup))
