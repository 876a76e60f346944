/*
 * Rules about a transaction in a given block (Core's consensus/tx_verify):
 * absolute lock time (IsFinalTx), BIP68 relative lock time
 * (CalculateSequenceLocks, EvaluateSequenceLocks), the spent coins
 * (CheckTxInputs) and signature operation counts.
 */
#include "consensus/consensus.h"
#include "script/script.h"

int
consensus_tx_is_final(const struct tx *tx, int32_t height, int64_t time)
{
	int64_t limit;
	size_t i;

	if (tx->locktime == 0)
		return 1;
	limit = tx->locktime < LOCKTIME_THRESHOLD ? (int64_t)height : time;
	if ((int64_t)tx->locktime < limit)
		return 1;
	/* Every input final: the lock time is switched off. */
	for (i = 0; i < tx->vin_count; i++)
		if (tx->vin[i].sequence != SEQUENCE_FINAL)
			return 0;
	return 1;
}

int
consensus_sequence_locks(const struct tx *tx, int enforce,
    const struct consensus_coin *coins, consensus_mtp_fn mtp_at, void *arg,
    struct consensus_seqlock *out)
{
	int64_t lock, coin_mtp;
	int32_t coin_height;
	uint32_t seq;
	size_t i;

	out->min_height = -1;
	out->min_time = -1;
	/*
	 * nVersion is signed in the serialization but BIP68 reads it as
	 * unsigned: 0x80000000..0xffffffff are large versions, and locked.
	 * Comparing the int32_t would exempt them (issue 14).
	 */
	if (!enforce || (uint32_t)tx->version < 2)
		return 0;
	for (i = 0; i < tx->vin_count; i++) {
		seq = tx->vin[i].sequence;
		if (seq & SEQUENCE_LOCKTIME_DISABLE_FLAG)
			continue;
		coin_height = coins[i].height;
		if (seq & SEQUENCE_LOCKTIME_TYPE_FLAG) {
			/*
			 * Time counts from the MTP of the block before the
			 * coin's, the newest time the coin could not yet
			 * have been spent at.
			 */
			if (mtp_at(arg, coin_height > 0 ? coin_height - 1 : 0,
				&coin_mtp) != 0)
				return -1;
			lock = coin_mtp +
			    ((int64_t)(seq & SEQUENCE_LOCKTIME_MASK)
				<< SEQUENCE_LOCKTIME_GRANULARITY) -
			    1;
			if (lock > out->min_time)
				out->min_time = lock;
		} else {
			lock = (int64_t)coin_height +
			    (int64_t)(seq & SEQUENCE_LOCKTIME_MASK) - 1;
			if (lock > out->min_height)
				out->min_height = lock;
		}
	}
	return 0;
}

int
consensus_sequence_locks_met(const struct consensus_seqlock *lock,
    int32_t height, int64_t prev_mtp)
{
	return lock->min_height < (int64_t)height && lock->min_time < prev_mtp;
}

int
consensus_check_sequence_locks(const struct tx *tx, int enforce,
    const struct consensus_coin *coins, int32_t height,
    consensus_mtp_fn mtp_at, void *arg)
{
	struct consensus_seqlock lock;
	int64_t prev_mtp;

	if (consensus_sequence_locks(tx, enforce, coins, mtp_at, arg, &lock) !=
	    0)
		return -1;
	/* Nothing locked: no need to ask for the parent's MTP. */
	if (lock.min_height < 0 && lock.min_time < 0)
		return 1;
	if (mtp_at(arg, height - 1, &prev_mtp) != 0)
		return -1;
	return consensus_sequence_locks_met(&lock, height, prev_mtp);
}

int
consensus_coinbase_mature(int32_t coin_height, int32_t spend_height)
{
	return (int64_t)spend_height - coin_height >=
	    CONSENSUS_COINBASE_MATURITY;
}

int
consensus_check_tx_inputs(const struct tx *tx,
    const struct consensus_coin *coins, int32_t spend_height,
    struct consensus_inputs *res)
{
	size_t i;

	res->reason = NULL;
	res->depth = 0;
	res->value_in = 0;
	res->value_out = 0;
	res->fee = 0;
	for (i = 0; i < tx->vin_count; i++) {
		const struct consensus_coin *c = &coins[i];

		if (c->coinbase &&
		    !consensus_coinbase_mature(c->height, spend_height)) {
			res->depth = spend_height - c->height;
			res->reason = "bad-txns-premature-spend-of-coinbase";
			return -1;
		}
		/* Checked before adding, so the sum never overflows. */
		if (!consensus_money_range(c->out.value) ||
		    !consensus_money_range(res->value_in + c->out.value)) {
			res->reason = "bad-txns-inputvalues-outofrange";
			return -1;
		}
		res->value_in += c->out.value;
	}
	/* CheckTransaction bounded every output and their sum. */
	for (i = 0; i < tx->vout_count; i++)
		res->value_out += tx->vout[i].value;
	if (res->value_in < res->value_out) {
		res->reason = "bad-txns-in-belowout";
		return -1;
	}
	res->fee = res->value_in - res->value_out;
	if (!consensus_money_range(res->fee)) {
		res->reason = "bad-txns-fee-outofrange";
		return -1;
	}
	return 0;
}

unsigned
consensus_legacy_sigops(const struct tx *tx)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < tx->vin_count; i++)
		n += script_sigops(tx->vin[i].script, tx->vin[i].script_len,
		    0);
	for (i = 0; i < tx->vout_count; i++)
		n += script_sigops(tx->vout[i].script, tx->vout[i].script_len,
		    0);
	return n;
}

int64_t
consensus_tx_sigop_cost(const struct tx *tx, const struct txout *spent,
    uint32_t flags)
{
	int64_t cost = (int64_t)consensus_legacy_sigops(tx) *
	    WITNESS_SCALE_FACTOR;
	size_t i;

	if (tx_is_coinbase(tx) || spent == NULL)
		return cost;
	for (i = 0; i < tx->vin_count; i++) {
		const struct txin *in = &tx->vin[i];

		/* script_p2sh_sigops counts only when spent[i] is P2SH. */
		if (flags & SCRIPT_VERIFY_P2SH)
			cost += (int64_t)script_p2sh_sigops(spent[i].script,
				    spent[i].script_len, in->script,
				    in->script_len) *
			    WITNESS_SCALE_FACTOR;
		cost += script_witness_sigops(in->script, in->script_len,
		    spent[i].script, spent[i].script_len, in->wit,
		    in->wit_count, flags);
	}
	return cost;
}
