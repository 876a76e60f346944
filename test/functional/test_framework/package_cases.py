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


def parent_replacing_other_parents_parent(wallet, send, coin1, coin2, seq, fee):
    """Two parents and a child, where one parent replaces the pool parent of the other.

    In the pool: g (spending coin1) and x (spending coin2, 50 sat/vB). p1
    spends g and conflicts with x at a lower rate; p2 replaces g at a lower
    fee; neither gets in alone. seq() gives fresh sequence numbers; fee is
    g's. Returns the package's hexes [p1, p2, child].
    """
    g = wallet.create_self_transfer(fee=fee, utxo_to_spend=coin1, sequence=seq())
    x = wallet.create_self_transfer(fee_rate=50000, utxo_to_spend=coin2, sequence=seq())
    send(g, x)
    p1 = wallet.create_self_transfer_multi(utxos_to_spend=[g["new_utxo"], coin2], fee_per_output=2000,
                                           sequence=seq())
    p2 = wallet.create_self_transfer(fee=fee // 2, utxo_to_spend=coin1, sequence=seq())
    k = wallet.create_self_transfer_multi(utxos_to_spend=[p1["new_utxos"][0], p2["new_utxo"]],
                                          fee_per_output=fee * 5, sequence=seq())
    return [p1["hex"], p2["hex"], k["hex"]]
