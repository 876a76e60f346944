/*
 * Where a node of each chain first looks for peers: the DNS seed host
 * names (Core 28.1's chainparams lists) and the fixed seeds (Core 28.1's
 * node lists, chainseeds_data.h). Both are data: the net module decides
 * when to use them (src/net/seeds.c).
 */
#include <stddef.h>
#include <stdint.h>

#include "chain/chainparams.h"
#include "chain/chainseeds_data.h"

static const char *const dns_main[] = {
	"seed.bitcoin.sipa.be.",
	"dnsseed.bluematt.me.",
	"dnsseed.bitcoin.dashjr-list-of-p2p-nodes.us.",
	"seed.bitcoin.jonasschnelli.ch.",
	"seed.btc.petertodd.net.",
	"seed.bitcoin.sprovoost.nl.",
	"dnsseed.emzy.de.",
	"seed.bitcoin.wiz.biz.",
	"seed.mainnet.achownodes.xyz.",
};

static const char *const dns_testnet3[] = {
	"testnet-seed.bitcoin.jonasschnelli.ch.",
	"seed.tbtc.petertodd.net.",
	"seed.testnet.bitcoin.sprovoost.nl.",
	"testnet-seed.bluematt.me.",
	"seed.testnet.achownodes.xyz.",
};

static const char *const dns_testnet4[] = {
	"seed.testnet4.bitcoin.sprovoost.nl.",
	"seed.testnet4.wiz.biz.",
};

/* The default signet's only: a custom challenge drops them (chainparams.c). */
static const char *const dns_signet[] = {
	"seed.signet.bitcoin.sprovoost.nl.",
	"seed.signet.achownodes.xyz.",
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

void
chainparams_set_seeds(struct chainparams *p)
{
	p->dns_seeds = NULL;
	p->n_dns_seeds = 0;
	p->fixed_seeds = NULL;
	p->fixed_seeds_len = 0;
	switch (p->id) {
	case CHAIN_MAIN:
		p->dns_seeds = dns_main;
		p->n_dns_seeds = N(dns_main);
		p->fixed_seeds = fixed_seeds_main;
		p->fixed_seeds_len = sizeof(fixed_seeds_main);
		break;
	case CHAIN_TESTNET3:
		p->dns_seeds = dns_testnet3;
		p->n_dns_seeds = N(dns_testnet3);
		p->fixed_seeds = fixed_seeds_test;
		p->fixed_seeds_len = sizeof(fixed_seeds_test);
		break;
	case CHAIN_TESTNET4:
		p->dns_seeds = dns_testnet4;
		p->n_dns_seeds = N(dns_testnet4);
		p->fixed_seeds = fixed_seeds_testnet4;
		p->fixed_seeds_len = sizeof(fixed_seeds_testnet4);
		break;
	case CHAIN_SIGNET:
		p->dns_seeds = dns_signet;
		p->n_dns_seeds = N(dns_signet);
		break;
	case CHAIN_REGTEST: break;
	}
}
