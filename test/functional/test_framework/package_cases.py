"""Package scenarios shared by mempool_package_rbf.py and interop_package_rbf.py."""


def chain_end_package(wallet, send, coin_chain, coin_blocker, sequence):
    """A parent at the end of a pool chain of 24 with its child, over the limits only as a package.

    The parent also conflicts with a pool transaction of a higher rate
    (sent with send), so that alone it is refused for its fee
    ("insufficient fee") and the pair is evaluated as a package. Returns
    (chain, parent, child).
    """
    chain = wallet.create_self_transfer_chain(chain_length=24, utxo_to_spend=coin_chain)
    send(*chain)
    blocker = wallet.create_self_transfer(fee_rate=50000, utxo_to_spend=coin_blocker, sequence=sequence - 1)
    send(blocker)
    parent = wallet.create_self_transfer_multi(utxos_to_spend=[chain[-1]["new_utxo"], coin_blocker],
                                               fee_per_output=2000, sequence=sequence)
    child = wallet.create_self_transfer(fee_rate=100000, utxo_to_spend=parent["new_utxos"][0])
    return chain, parent, child
