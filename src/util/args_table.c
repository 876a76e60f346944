/*
 * The option registry: every option bitrootd accepts, with Bitcoin Core's
 * names, grouped as Core's -help groups them. The table drives parsing
 * (unknown names are refused), -help, the example config and the
 * network-only rule. Options that Core has and bitrootd does not implement
 * are here too, each with a note saying why and what to use instead, and
 * one of three flags the args module acts on by itself at start-up:
 *   X  ARG_IGNORED  a warning whenever it is set (wallet, GUI, tuning of
 *                   machinery bitrootd does not have);
 *   U  ARG_UNSUPP   refused with exit status 1 unless it asks for "off",
 *                   where its silent absence would mislead (a proxy or an
 *                   index that is not there, a network restriction);
 *   W  ARG_WARN_ON  a warning unless it asks for "off" (Core's default is
 *                   on, bitrootd cannot do it, nothing depends on it).
 * Every other option is read by the module it configures: the test
 * feature_options.py runs contrib/devtools/check_options.py to keep it so.
 * Options flagged C (ARG_CLIENT) are bitroot-cli's, which reads its config
 * through this module too (args_new_client): the daemon treats them as
 * unknown names.
 *
 * The table is in the order of the help output's groups; lookups go
 * through a sorted index built once.
 */
#include "config.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/args_int.h"
#include "util/log.h"
#include "util/xmalloc.h"

#define B ARG_BOOL
#define I ARG_INT
#define M ARG_MULTI
#define N ARG_NET
#define D ARG_DEBUG
#define X ARG_IGNORED
#define U ARG_UNSUPP
#define S ARG_SENSITIVE
#define H ARG_HIDDEN
#define E ARG_NOELIDE
#define G ARG_NONEG
#define W ARG_WARN_ON
#define Z ARG_EMPTY_ON
#define C ARG_CLIENT

#define NOWALLET "bitrootd has no wallet"
#define NOGUI "bitrootd has no GUI"

#define GO ARG_GRP_OPTIONS
#define GC ARG_GRP_CONNECTION
#define GW ARG_GRP_WALLET
#define GWD ARG_GRP_WALLET_DEBUG
#define GZ ARG_GRP_ZMQ
#define GD ARG_GRP_DEBUG
#define GCH ARG_GRP_CHAIN
#define GR ARG_GRP_RELAY
#define GB ARG_GRP_BLOCK
#define GRPC ARG_GRP_RPC

/* Options that Core's and bitrootd's behaviour agree on leave .note NULL. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
static const struct arg_def table[] = {
	/* Options */
	{ "?", "", 0, GO, "Print this help message and exit" },
	{ "h", "", H, GO, "" },
	{ "help", "", H, GO, "" },
	{ "version", "", B, GO, "Print version and exit" },
	{ "alertnotify", "=<cmd>", 0, GO,
	    "Run a shell command when an alert is raised (%s in cmd becomes "
	    "the message)" },
	{ "allowignoredconf", "", B | X, GO,
	    "Treat an unused bitroot.conf in the datadir as a warning rather "
	    "than an error",
	    "bitrootd reads one config file and never refuses an unused one" },
	{ "assumevalid", "=<hex>", 0, GO,
	    "If this block is in the chain assume that it and its ancestors "
	    "are valid and potentially skip their script verification (0 to "
	    "verify all; default: Core 28's block for main, testnet3, "
	    "testnet4 and signet, none on regtest). Only scripts are skipped, "
	    "and only for its ancestors in the best header chain that lie "
	    "more than two weeks of work below a best header with the minimum "
	    "chain work; every other rule is still checked" },
	{ "blockfilterindex", "=<type>", M, GO,
	    "Keep an index of compact block filters (default: 0, values: "
	    "basic). If <type> is not given or is 1, every known type is "
	    "indexed." },
	{ "blocknotify", "=<cmd>", 0, GO,
	    "Run a shell command when the best block changes (%s in cmd "
	    "becomes the block hash)" },
	{ "blockreconstructionextratxn", "=<n>", I, GO,
	    "Extra transactions to keep in memory for compact block "
	    "reconstructions (default: 100)" },
	{ "blocksdir", "=<dir>", E, GO,
	    "Specify directory to hold blocks subdirectory for *.dat files "
	    "(default: <datadir>)" },
	{ "blocksonly", "", B, GO,
	    "Refuse transactions from network peers; transactions from RPC "
	    "are not affected (default: 0)" },
	{ "blocksxor", "", B | X, GO,
	    "Whether block files are XOR-obfuscated (default: 1)",
	    "blocks are kept in LMDB, not in XOR-obfuscated blk files" },
	{ "coinstatsindex", "", B | U, GO,
	    "Keep a coinstats index for the gettxoutsetinfo RPC (default: 0)",
	    "there is no coinstats index; gettxoutsetinfo walks the UTXO set "
	    "instead" },
	{ "conf", "=<file>", ARG_CMDLINE | E, GO,
	    "Configuration file to read; relative paths are taken from the "
	    "datadir; command line only (default: bitroot.conf, or "
	    "bitcoin.conf where bitroot.conf is absent)" },
	{ "daemon", "", B, GO,
	    "Run in the background as a daemon (default: 0)" },
	{ "daemonwait", "", B, GO,
	    "Like -daemon, but the starting process exits only once start-up "
	    "has finished, with its result (default: 0)" },
	{ "datadir", "=<dir>", G | E, GO,
	    "Data directory (default: ~/.bitroot); it must exist if given" },
	{ "dbbatchsize", "=<n>", I | D | X, GO,
	    "Largest database write batch in bytes",
	    "a sync batch is one LMDB transaction, bounded by -dbcache; "
	    "there is no separate write batch to size" },
	{ "dbcache", "=<n>", I, GO,
	    "Maximum database cache size <n> MiB (minimum 4, maximum 16384, "
	    "default: 450). During initial sync, blocks are connected in "
	    "shared store transactions until their estimated changed pages "
	    "reach the part Core gives its coins cache; reads are cached by "
	    "the operating system's page cache" },
	{ "debuglogfile", "=<file>", E, GO,
	    "Log file; relative paths are taken from the chain directory; "
	    "-nodebuglogfile writes no file (default: debug.log)" },
	{ "includeconf", "=<file>", ARG_CONFONLY | M, GO,
	    "Read another configuration file, relative to the datadir; "
	    "config files only, not the command line" },
	{ "loadblock", "=<file>", M | E, GO,
	    "Import blocks from an external blk*.dat file at start-up; can be "
	    "given more than once" },
	{ "maxmempool", "=<n>", I, GO,
	    "Keep the transaction memory pool below <n> megabytes (default: "
	    "300)" },
	{ "maxorphantx", "=<n>", I, GO,
	    "Keep at most <n> transactions with missing inputs in memory "
	    "(default: 100)" },
	{ "mempoolexpiry", "=<n>", I, GO,
	    "Drop transactions that have been in the mempool longer than <n> "
	    "hours (default: 336)" },
	{ "minimumchainwork", "=<hex>", D, GO,
	    "Least total work a chain needs before it is trusted for "
	    "initial block download (hex)" },
	{ "par", "=<n>", I, GO,
	    "Script verification threads (0 = automatic, <0 = leave that "
	    "many cores free, default: 0)" },
	{ "persistmempool", "", B, GO,
	    "Save the mempool at shutdown and load it at start-up (default: "
	    "1)" },
	{ "persistmempoolv1", "", B, GO,
	    "Write mempool.dat in the legacy version 1 format (default: 0)" },
	{ "pid", "=<file>", E, GO,
	    "Pid file; relative paths are taken from the chain directory; "
	    "-nopid writes none (default: bitrootd.pid)" },
	{ "prune", "=<n>", I, GO,
	    "Reduce storage requirements by enabling pruning (deleting) of "
	    "old blocks. This allows the pruneblockchain RPC to be called to "
	    "delete specific blocks and enables automatic pruning of old "
	    "blocks if a target size in MiB is provided. This mode is "
	    "incompatible with -txindex. Warning: Reverting this setting "
	    "requires re-downloading the entire blockchain. (default: 0 = "
	    "disable pruning blocks, 1 = allow manual pruning via RPC, >=550 = "
	    "automatically prune block files to stay under the specified "
	    "target size in MiB)" },
	{ "reindex", "", B, GO,
	    "Rebuild the chain state and block index from the block files "
	    "on disk" },
	{ "reindex-chainstate", "", B, GO,
	    "Rebuild the chain state from the block files on disk" },
	{ "settings", "=<file>", X, GO,
	    "Dynamic settings file; bitrootd has none, so it is ignored",
	    "bitrootd has no dynamic settings file" },
	{ "shutdownnotify", "=<cmd>", M, GO,
	    "Run a shell command as shutdown begins; keep it short" },
	{ "startupnotify", "=<cmd>", 0, GO,
	    "Run a shell command once start-up has finished" },
	{ "txindex", "", B, GO,
	    "Keep a full transaction index for getrawtransaction (default: "
	    "0)" },
	/* GUI and removed options, accepted silently as Core does */
	{ "choosedatadir", "", H | X, GO, "", NOGUI },
	{ "dbcrashratio", "", H | X, GO, "",
	    "a LevelDB test option; bitrootd uses LMDB" },
	{ "forcecompactdb", "", H | X, GO, "",
	    "a LevelDB option; bitrootd uses LMDB" },
	{ "lang", "=<lang>", H | X, GO, "", NOGUI },
	{ "min", "", H | X, GO, "", NOGUI },
	{ "resetguisettings", "", H | X, GO, "", NOGUI },
	{ "splash", "", H | X, GO, "", NOGUI },
	{ "uiplatform", "", H | X, GO, "", NOGUI },
	{ "ipcbind", "=<address>", H | X | M, GO, "",
	    "bitrootd has no IPC interface" },

	/* Connection options */
	{ "addnode", "=<ip>", M | N, GC,
	    "Add a node to connect to and keep connected; can be given more "
	    "than once" },
	{ "asmap", "=<file>", X, GC, "ASN map for bucketing peers",
	    "peers are bucketed by network group, not by ASN" },
	{ "bantime", "=<n>", I, GC,
	    "Default length of a manual ban in seconds (default: 86400)" },
	{ "bind", "=<addr>[:<port>][=onion]", M | N, GC,
	    "Bind to this address and always listen on it; use [host]:port "
	    "for IPv6; can be given more than once (default: 0.0.0.0)" },
	{ "cjdnsreachable", "", B | X, GC,
	    "This host can reach the CJDNS network (default: 0)",
	    "bitrootd has no CJDNS support" },
	{ "connect", "=<ip>", M | N, GC,
	    "Connect only to these nodes; -noconnect or -connect=0 turns "
	    "automatic connections off; can be given more than once" },
	{ "discover", "", B, GC,
	    "Discover own IP addresses (default: 1 when listening and no "
	    "-externalip or -proxy)" },
	{ "dns", "", B, GC,
	    "Allow DNS lookups for -addnode, -seednode and -connect "
	    "(default: 1)" },
	{ "dnsseed", "", B, GC,
	    "Query for peer addresses via DNS lookup, if low on addresses "
	    "(default: 1 unless -connect used or -maxconnections=0)" },
	{ "externalip", "=<ip>", M, GC,
	    "Specify your own public address (an IP address, onion or I2P "
	    "name, or a host name resolved at start-up unless -dns=0, "
	    "[:port]); can be given more than once" },
	{ "fixedseeds", "", B, GC,
	    "Allow fixed seeds if DNS seeds don't provide peers (default: 1)" },
	{ "forcednsseed", "", B, GC,
	    "Always query for peer addresses via DNS lookup (default: 0)" },
	{ "i2pacceptincoming", "", B | X, GC,
	    "Accept inbound I2P connections (default: 1)",
	    "bitrootd has no I2P support" },
	{ "i2psam", "=<ip:port>", U, GC,
	    "I2P SAM proxy; not supported by bitrootd",
	    "bitrootd has no I2P support; remove it" },
	{ "listen", "", B, GC,
	    "Accept connections from outside (default: 1 if no -proxy, "
	    "-connect or -maxconnections=0)" },
	{ "listenonion", "", B | U, GC,
	    "Create a Tor onion service (default: 0 in bitrootd)",
	    "bitrootd has no Tor support; set up the onion service in Tor "
	    "itself" },
	{ "maxconnections", "=<n>", I, GC,
	    "Keep at most <n> automatic connections to peers (default: "
	    "125); lowered to fit the open-file limit" },
	{ "maxreceivebuffer", "=<n>", I, GC,
	    "Largest receive buffer per connection, <n>*1000 bytes "
	    "(default: 5000)" },
	{ "maxsendbuffer", "=<n>", I, GC,
	    "Largest send buffer per connection, <n>*1000 bytes (default: "
	    "1000)" },
	{ "maxuploadtarget", "=<n>", U, GC,
	    "Try to keep outbound traffic under this many MiB per 24h; 0 is "
	    "no limit; suffixes k, m, g, t (1000) and K, M, G, T (1024) "
	    "(default: 0)",
	    "bitrootd cannot limit upload traffic yet; limit it outside the "
	    "node (tc, a firewall)" },
	{ "natpmp", "", B | U, GC,
	    "Map the listening port with PCP or NAT-PMP (default: 0)",
	    "bitrootd does not map ports; forward the port on the router" },
	{ "networkactive", "", B, GC,
	    "Enable all P2P network activity; setnetworkactive changes it "
	    "(default: 1)" },
	{ "onion", "=<ip:port>", 0, GC,
	    "Use separate SOCKS5 proxy to reach peers via Tor onion services, "
	    "set -noonion to disable (default: -proxy). Unix sockets are not "
	    "supported by bitrootd" },
	{ "onlynet", "=<net>", M, GC,
	    "Make automatic outbound connections only to network <net> "
	    "(ipv4, ipv6 or onion; i2p and cjdns are refused, bitrootd cannot "
	    "reach them). Inbound and manual connections are not affected by "
	    "this option. It can be specified multiple times to allow "
	    "multiple networks" },
	{ "peerblockfilters", "", B, GC,
	    "Serve compact block filters to peers, BIP 157 (default: 0)" },
	{ "peerbloomfilters", "", B | U, GC,
	    "Support bloom filters for blocks and transactions (default: 0)",
	    "BIP 37 bloom filters are not supported; remove it" },
	{ "peertimeout", "=<n>", I | D, GC,
	    "Seconds after connecting before a peer may be dropped for "
	    "inactivity (minimum: 1, default: 60)" },
	{ "port", "=<port>", I | N, GC,
	    "Listen for connections on <port> (default: 8333, testnet3: "
	    "18333, testnet4: 48333, signet: 38333, regtest: 18444)" },
	{ "proxy", "=<ip:port>", E, GC,
	    "Connect through SOCKS5 proxy, set -noproxy to disable (default: "
	    "disabled). Local and unroutable addresses are dialled directly, "
	    "as Core does; host names are not resolved (give addresses). Unix "
	    "sockets are not supported by bitrootd" },
	{ "proxyrandomize", "", B, GC,
	    "Randomize credentials for every proxy connection. This enables "
	    "Tor stream isolation (default: 1)" },
	{ "seednode", "=<ip>", M, GC,
	    "Connect to a node to get peer addresses, then disconnect; can be "
	    "given more than once" },
	{ "timeout", "=<n>", I, GC,
	    "Connection attempt timeout in milliseconds (minimum: 1, "
	    "default: 5000)" },
	{ "torcontrol", "=<ip>:<port>", X, GC, "Tor control address",
	    "bitrootd has no Tor support" },
	{ "torpassword", "=<pass>", S | X, GC, "Tor control password",
	    "bitrootd has no Tor support" },
	{ "txreconciliation", "", B | D | U, GC,
	    "Transaction reconciliation, BIP 330 (default: 0)",
	    "Erlay (BIP 330) is not implemented; remove it" },
	{ "upnp", "", B | H | U, GC, "",
	    "UPnP is gone from Core too; forward the port on the router" },
	{ "v2transport", "", B, GC, "Support v2 transport (default: 1)" },
	{ "whitebind", "=<[permissions@]addr>", M, GC,
	    "Bind to an address and give its peers these permissions "
	    "(bloomfilter, noban, forcerelay, relay, mempool, download, "
	    "addr; default: download,noban,mempool,relay); can be given "
	    "more than once" },
	{ "whitelist", "=<[permissions@]IP address or network>", M, GC,
	    "Give peers from this address or CIDR network the permissions "
	    "of -whitebind; can be given more than once" },

	/* Wallet options: bitrootd has no wallet */
	{ "addresstype", "=<type>", X, GW, "Wallet address type", NOWALLET },
	{ "avoidpartialspends", "", B | X, GW, "Group outputs by address",
	    NOWALLET },
	{ "changetype", "=<type>", X, GW, "Wallet change address type",
	    NOWALLET },
	{ "consolidatefeerate", "=<amt>", X, GW,
	    "Fee rate below which the wallet consolidates inputs", NOWALLET },
	{ "disablewallet", "", B | X, GW,
	    "Do not load a wallet (bitrootd never has one)", NOWALLET },
	{ "discardfee", "=<amt>", X, GW, "Wallet change discard fee rate",
	    NOWALLET },
	{ "fallbackfee", "=<amt>", X, GW, "Wallet fallback fee rate",
	    NOWALLET },
	{ "keypool", "=<n>", I | X, GW, "Wallet key pool size", NOWALLET },
	{ "maxapsfee", "=<n>", X, GW, "Wallet partial-spend-avoidance fee",
	    NOWALLET },
	{ "mintxfee", "=<amt>", X, GW, "Wallet minimum fee rate", NOWALLET },
	{ "paytxfee", "=<amt>", X, GW, "Wallet fee rate", NOWALLET },
	{ "signer", "=<cmd>", 0, GW,
	    "External signing tool, listed by enumeratesigners (bitrootd has "
	    "no wallet to sign with it)" },
	{ "spendzeroconfchange", "", B | X, GW,
	    "Wallet spends unconfirmed change", NOWALLET },
	{ "txconfirmtarget", "=<n>", I | X, GW, "Wallet confirmation target",
	    NOWALLET },
	{ "wallet", "=<path>", M | N | X, GW, "Wallet to load", NOWALLET },
	{ "walletbroadcast", "", B | X, GW, "Wallet broadcasts transactions",
	    NOWALLET },
	{ "walletdir", "=<dir>", N | X, GW, "Wallet directory", NOWALLET },
	{ "walletnotify", "=<cmd>", X, GW, "Command on wallet transactions",
	    NOWALLET },
	{ "walletrbf", "", B | X, GW, "Wallet opts in to RBF", NOWALLET },

	/* Wallet debugging/testing options */
	{ "dblogsize", "=<n>", I | D | X, GWD, "Wallet database log size",
	    NOWALLET },
	{ "flushwallet", "", B | D | X, GWD, "Flush the wallet periodically",
	    NOWALLET },
	{ "maxtxfee", "=<amt>", D | X, GWD, "Wallet maximum total fee",
	    NOWALLET },
	{ "privdb", "", B | D | X, GWD, "Private wallet database environment",
	    NOWALLET },
	{ "unsafesqlitesync", "", B | D | X, GWD,
	    "SQLite synchronous=OFF for wallet tests", NOWALLET },
	{ "walletcrosschain", "", B | D | X, GWD, "Allow cross-chain wallets",
	    NOWALLET },
	{ "walletrejectlongchains", "", B | D | X, GWD,
	    "Wallet respects mempool chain limits", NOWALLET },

	/* ZeroMQ notification options (src/zmq, doc/zmq.md) */
	{ "zmqpubhashblock", "=<address>", M, GZ,
	    "Enable publish hash block in <address>" },
	{ "zmqpubhashblockhwm", "=<n>", I, GZ,
	    "Set publish hash block outbound message high water mark "
	    "(default: 1000)" },
	{ "zmqpubhashtx", "=<address>", M, GZ,
	    "Enable publish hash transaction in <address>" },
	{ "zmqpubhashtxhwm", "=<n>", I, GZ,
	    "Set publish hash transaction outbound message high water mark "
	    "(default: 1000)" },
	{ "zmqpubrawblock", "=<address>", M, GZ,
	    "Enable publish raw block in <address>" },
	{ "zmqpubrawblockhwm", "=<n>", I, GZ,
	    "Set publish raw block outbound message high water mark "
	    "(default: 1000)" },
	{ "zmqpubrawtx", "=<address>", M, GZ,
	    "Enable publish raw transaction in <address>" },
	{ "zmqpubrawtxhwm", "=<n>", I, GZ,
	    "Set publish raw transaction outbound message high water mark "
	    "(default: 1000)" },
	{ "zmqpubsequence", "=<address>", M, GZ,
	    "Enable publish hash block and tx sequence in <address>" },
	{ "zmqpubsequencehwm", "=<n>", I, GZ,
	    "Set publish hash sequence message high water mark "
	    "(default: 1000)" },

	/* Debugging/Testing options */
	{ "acceptstalefeeestimates", "", B | D, GD,
	    "Read fee estimates even if they are stale (default: 0) fee "
	    "estimates are considered stale if they are more than 60 hours "
	    "old (regtest only)" },
	{ "capturemessages", "", B | D | X, GD,
	    "Capture all P2P messages to disk",
	    "message capture is not implemented" },
	{ "checkaddrman", "=<n>", I | D | X, GD,
	    "Check the address manager every <n> operations (0: never, "
	    "default: 0)",
	    "the address manager has no consistency check" },
	{ "checkblockindex", "=<n>", I | D | X, GD,
	    "Check the block tree every <n> operations (0: never, default: "
	    "0, regtest: 1)",
	    "the block index has no consistency check" },
	{ "checkblocks", "=<n>", I | D, GD,
	    "How many blocks to check at start-up (default: 6, 0 = all)" },
	{ "checklevel", "=<n>", I | D, GD,
	    "How thorough the -checkblocks check is (0-4, default: 3): level "
	    "0 reads the blocks from disk, 1 verifies block validity, 2 "
	    "verifies undo data, 3 checks disconnection of tip blocks, 4 tries "
	    "to reconnect the blocks; each level includes the checks of the "
	    "previous levels" },
	{ "checkmempool", "=<n>", I | D | X, GD,
	    "Check the mempool every <n> transactions (0: never, default: "
	    "0, regtest: 1)",
	    "the mempool has no consistency check" },
	{ "checkpoints", "", B | H | X, GD, "",
	    "checkpoints are gone from Core too" },
	{ "debug", "=<category>", M, GD,
	    "Write debug lines (default: -nodebug). With no <category>, or 1 "
	    "or all, every category; 0 or none ignores the categories given "
	    "before it. Categories: net, mempool, rpc, http, validation, "
	    "store, addrman, bench, script, reindex, cmpctblock, lock, "
	    "config, and Core's other names (accepted). Can be given more "
	    "than once." },
	{ "debugexclude", "=<category>", M, GD,
	    "Leave a category out of -debug; can be given more than once and "
	    "wins over -debug" },
	{ "deprecatedrpc", "=<method>", M | D, GD,
	    "Allow a deprecated RPC method or field" },
	{ "dnsseednameserver", "=<ip:port>", D, GD,
	    "Send every DNS lookup of the net thread (DNS seeds, -addnode, "
	    "-seednode and -connect names) to this name server only, with no "
	    "hosts file or search domains (for tests; default: the system's "
	    "resolver)" },
	{ "fastprune", "", B | D, GD,
	    "Use smaller block files (64 KiB instead of 128 MiB), for tests" },
	{ "help-debug", "", 0, GD,
	    "Print this help message with the debugging options and exit" },
	{ "limitancestorcount", "=<n>", I | D, GD,
	    "Refuse transactions with <n> or more in-mempool ancestors "
	    "(default: 25)" },
	{ "limitancestorsize", "=<n>", I | D, GD,
	    "Refuse transactions whose in-mempool ancestors exceed <n> kvB "
	    "(default: 101)" },
	{ "limitdescendantcount", "=<n>", I | D, GD,
	    "Refuse transactions that would give an ancestor <n> or more "
	    "in-mempool descendants (default: 25)" },
	{ "limitdescendantsize", "=<n>", I | D, GD,
	    "Refuse transactions that would give an ancestor more than <n> "
	    "kvB of in-mempool descendants (default: 101)" },
	{ "logips", "", B, GD,
	    "Include IP addresses in debug lines (default: 0)" },
	{ "loglevel", "=<level>|<category>:<level>", M | G | E | D, GD,
	    "Level of debug lines for the categories of -debug: info, debug "
	    "or trace (default: debug); errors, warnings and info are always "
	    "written. <category>:<level> sets one category; can be given "
	    "more than once." },
	{ "loglevelalways", "", B, GD,
	    "Always write the category and level (default: 0)" },
	{ "logratelimit", "", B | W, GD,
	    "Rate-limit log lines (bitrootd does not; default: 0)",
	    "bitrootd does not rate-limit log lines" },
	{ "logsourcelocations", "", B, GD,
	    "Start debug lines with their source file and line (default: "
	    "0)" },
	{ "logthreadnames", "", B, GD,
	    "Start log lines with the name of the thread (default: 0)" },
	{ "logtimemicros", "", B | D, GD,
	    "Timestamps with microseconds (default: 0)" },
	{ "logtimestamps", "", B, GD,
	    "Start log lines with a timestamp (default: 1)" },
	{ "maxsigcachesize", "=<n>", I | D, GD,
	    "Signature and script cache size in MiB (default: 32)" },
	{ "maxtipage", "=<n>", I | D, GD,
	    "Tip age in seconds beyond which the node is in initial block "
	    "download (default: 86400)" },
	{ "mocktime", "=<n>", I | D, GD,
	    "Use this UNIX time (seconds) instead of the clock (default: 0)" },
	{ "printpriority", "", B | D, GD,
	    "Log the fee rate of transactions put in new blocks (default: 0)" },
	{ "printtoconsole", "", B, GD,
	    "Also write the log to standard output (default: 1 without "
	    "-daemon; -nodebuglogfile stops the file)" },
	{ "shrinkdebugfile", "", B, GD,
	    "Cut debug.log to its last 10 MB at start-up when larger than "
	    "11 MB (default: 1 without -debug)" },
	{ "stopafterblockimport", "", B | D, GD,
	    "Stop after importing the -loadblock files (default: 0)" },
	{ "stopatheight", "=<n>", I | D, GD,
	    "Stop once the active chain reaches this height (default: 0, "
	    "never)" },
	{ "test", "=<option>", M | D, GD,
	    "A test-only option: addrman (a fixed address-manager key and "
	    "generator, as Core's, so bucket collisions repeat), nopublicdial "
	    "(automatic outbound and feeler connections dial no address at "
	    "all, so a test's gossiped addresses never leave the machine)" },
	{ "uacomment", "=<cmt>", M, GD,
	    "Append a comment to the user agent; can be given more than "
	    "once" },

	/* Chain selection options */
	{ "chain", "=<chain>", E, GCH,
	    "The chain: main, test (testnet3), testnet4, signet or regtest "
	    "(default: main)" },
	{ "regtest", "", B | D, GCH,
	    "The regression test chain, where blocks can be made at will; "
	    "same as -chain=regtest" },
	{ "signet", "", B, GCH, "The signet chain; same as -chain=signet" },
	{ "signetchallenge", "=<hex>", G, GCH,
	    "The script signet blocks must satisfy; a different one makes "
	    "a custom signet with its own message start (signet only; "
	    "default: the global signet's 1-of-2 multisig)" },
	{ "signetseednode", "=<ip>", M, GCH,
	    "A DNS seed for signet, host[:port], in place of the default "
	    "signet's; a name is looked up, an address (or a name that gives "
	    "none) becomes an addr-fetch connection; can be given more than "
	    "once (signet only)" },
	{ "regtestdnsseed", "=<host>", M | D, GCH,
	    "A DNS seed for regtest (which has none), host[:port], for "
	    "tests; can be given more than once (regtest only)" },
	{ "testactivationheight", "=name@height", M | D, GCH,
	    "Activation height of a soft fork, regtest only (segwit, bip34, "
	    "dersig, cltv, csv); can be given more than once" },
	{ "testnet", "", B, GCH, "The testnet3 chain; same as -chain=test" },
	{ "testnet4", "", B, GCH,
	    "The testnet4 chain; same as -chain=testnet4" },
	{ "testsnapshot", "=<height>:<blockhash>:<hash>:<nchaintx>", M | D,
	    GCH,
	    "A UTXO snapshot loadtxoutset accepts besides the chain's "
	    "assumeutxo table: the block at height with blockhash, whose UTXO "
	    "set has hash_serialized_3 hash and nchaintx transactions up to "
	    "it (regtest only; bitrootd's, for tests); can be given more than "
	    "once" },
	{ "vbparams", "=deployment:start:end[:min_activation_height]",
	    M | D | U, GCH, "Version bits deployment parameters, regtest only",
	    "version bits parameters cannot be changed; use "
	    "-testactivationheight for buried deployments" },

	/* Node relay options */
	{ "acceptnonstdtxn", "", B | D, GR,
	    "Relay and mine non-standard transactions (test chains only, "
	    "default: 0)" },
	{ "bytespersigop", "=<n>", I, GR,
	    "Bytes per sigop for relay and mining (default: 20)" },
	{ "datacarrier", "", B, GR,
	    "Relay and mine data carrier (OP_RETURN) transactions (default: "
	    "1)" },
	{ "datacarriersize", "=<n>", I, GR,
	    "Largest data carrier output script relayed and mined, in bytes "
	    "(default: 100000)" },
	{ "dustrelayfee", "=<amt>", D, GR,
	    "Fee rate (BTC/kvB) that defines dust (default: 0.00003)" },
	{ "incrementalrelayfee", "=<amt>", D, GR,
	    "Fee rate (BTC/kvB) increment for mempool limiting and "
	    "replacement (default: 0.000001)" },
	{ "minrelaytxfee", "=<amt>", 0, GR,
	    "Fee rates (BTC/kvB) below this count as zero for relay and "
	    "mining (default: 0.000001)" },
	{ "permitbaremultisig", "", B, GR,
	    "Relay transactions with bare multisig outputs (default: 1)" },
	{ "whitelistforcerelay", "", B, GR,
	    "Give whitelisted peers with default permissions 'forcerelay' "
	    "(default: 0)" },
	{ "whitelistrelay", "", B, GR,
	    "Give whitelisted peers with default permissions 'relay' "
	    "(default: 1)" },

	/* Block creation options */
	{ "blockmaxweight", "=<n>", I, GB,
	    "Largest block weight to create (default: 4000000)" },
	{ "blockmintxfee", "=<amt>", 0, GB,
	    "Lowest fee rate (BTC/kvB) of transactions put in new blocks "
	    "(default: 0.000001)" },
	{ "blockreservedweight", "=<n>", I, GB,
	    "Weight reserved for the header and coinbase (default: 8000)" },
	{ "blockversion", "=<n>", I | D, GB,
	    "Version of created blocks, for fork tests" },

	/* RPC server options */
	{ "metricsallowip", "=<ip>", M, GRPC,
	    "Allow the metrics listener's clients from this source: an IP, a "
	    "network/netmask or network/CIDR; can be given more than once "
	    "(default: 127.0.0.0/8 and ::1; when given, only those listed)" },
	{ "metricsbind", "=[addr:]port", M | N, GRPC,
	    "Serve Prometheus /metrics and the status page at / on this "
	    "address; a bare port or no value binds 127.0.0.1 (default port: "
	    "the RPC port plus 1000; default: off); can be given more than "
	    "once" },
	{ "rest", "", B, GRPC, "Accept public REST requests (default: 0)" },
	{ "rpcallowip", "=<ip>", M, GRPC,
	    "Allow JSON-RPC from this source: an IP, a network/netmask or "
	    "network/CIDR, 0.0.0.0/0 or ::/0; can be given more than once" },
	{ "rpcauth", "=<userpw>", M | S, GRPC,
	    "User name and salted HMAC-SHA-256 password for JSON-RPC, as "
	    "<USERNAME>:<SALT>$<HASH>; can be given more than once" },
	{ "rpcbind", "=<addr>[:port]", M | N, GRPC,
	    "Listen for JSON-RPC on this address (only with -rpcallowip; "
	    "default: 127.0.0.1 and ::1); can be given more than once" },
	{ "rpcconnect", "=<ip>", C | N, GRPC,
	    "bitroot-cli: send commands to the node at <ip> (default: "
	    "127.0.0.1)" },
	{ "rpccookiefile", "=<loc>", 0, GRPC,
	    "Auth cookie location; relative paths are taken from the chain "
	    "directory (default: .cookie)" },
	{ "rpccookieperms", "=<readable-by>", 0, GRPC,
	    "Who may read the auth cookie: owner, group or all (default: "
	    "owner)" },
	{ "rpcdoccheck", "", B | D | X, GRPC,
	    "Check RPC documentation at run time (default: 0)",
	    "RPC help is static text; there is nothing to check" },
	{ "rpcpassword", "=<pw>", S, GRPC, "Password for JSON-RPC" },
	{ "rpcport", "=<port>", I | N, GRPC,
	    "Listen for JSON-RPC on <port> (default: 8332, testnet3: 18332, "
	    "testnet4: 48332, signet: 38332, regtest: 18443)" },
	{ "rpcservertimeout", "=<n>", I | D, GRPC,
	    "HTTP request timeout in seconds (default: 30)" },
	{ "rpcthreads", "=<n>", I, GRPC,
	    "Threads serving RPC calls (default: 16)" },
	{ "rpcuser", "=<user>", S, GRPC, "User name for JSON-RPC" },
	{ "rpcwhitelist", "=<whitelist>", M, GRPC,
	    "RPC methods a user may call, as <USERNAME>:<rpc 1>,<rpc 2>,...; "
	    "can be given more than once" },
	{ "rpcwhitelistdefault", "", B, GRPC,
	    "Whether users without a -rpcwhitelist get an empty one" },
	{ "rpcworkqueue", "=<n>", I | D, GRPC,
	    "Depth of the RPC work queue (default: 64)" },
	{ "server", "", B, GRPC, "Accept JSON-RPC commands (default: 1)" },
};
#pragma GCC diagnostic pop

#undef B
#undef I
#undef M
#undef N
#undef D
#undef X
#undef U
#undef S
#undef H
#undef E
#undef G
#undef W
#undef Z
#undef NOWALLET
#undef NOGUI

static const char *const group_title[ARG_GRP_COUNT] = {
	"Options:",
	"Connection options:",
	"Wallet options:",
	"Wallet debugging/testing options:",
	"ZeroMQ notification options:",
	"Debugging/Testing options:",
	"Chain selection options:",
	"Node relay options:",
	"Block creation options:",
	"RPC server options:",
};

#define TABLE_LEN (sizeof(table) / sizeof(table[0]))

/* Registry indexes sorted by name, built once. */
static int sorted[TABLE_LEN];
static pthread_once_t sorted_once = PTHREAD_ONCE_INIT;

static int
cmp_idx(const void *x, const void *y)
{
	return strcmp(table[*(const int *)x].name,
	    table[*(const int *)y].name);
}

static void
sort_table(void)
{
	size_t i;

	for (i = 0; i < TABLE_LEN; i++)
		sorted[i] = (int)i;
	qsort(sorted, TABLE_LEN, sizeof(sorted[0]), cmp_idx);
	for (i = 1; i < TABLE_LEN; i++)
		if (strcmp(table[sorted[i - 1]].name, table[sorted[i]].name) ==
		    0)
			fatalx("arg table: -%s registered twice",
			    table[sorted[i]].name);
}

int
arg_lookup(const char *name)
{
	size_t lo = 0, hi = TABLE_LEN, mid;
	int c;

	pthread_once(&sorted_once, sort_table);
	while (lo < hi) {
		mid = lo + (hi - lo) / 2;
		c = strcmp(name, table[sorted[mid]].name);
		if (c == 0)
			return sorted[mid];
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

const struct arg_def *
arg_def_at(int idx)
{
	return &table[idx];
}

size_t
arg_count(void)
{
	return TABLE_LEN;
}

int
args_is_known(const char *name)
{
	int idx = arg_lookup(name);

	return idx != -1 && !(table[idx].flags & ARG_CLIENT);
}

#define HELP_WIDTH 79
#define HELP_INDENT 7

/* Writes text wrapped at HELP_WIDTH, each line indented by HELP_INDENT. */
static void
print_wrapped(FILE *fp, const char *text)
{
	const char *p = text, *end, *brk;
	size_t room = HELP_WIDTH - HELP_INDENT;

	while (*p != '\0') {
		end = p + strlen(p);
		if ((size_t)(end - p) > room) {
			/* break at the last space that fits, or the next */
			for (brk = p + room; brk > p && *brk != ' '; brk--)
				;
			if (brk == p) {
				brk = strchr(p + room, ' ');
				if (brk == NULL)
					brk = end;
			}
			end = brk;
		}
		fprintf(fp, "%*s%.*s\n", HELP_INDENT, "", (int)(end - p), p);
		p = end;
		while (*p == ' ')
			p++;
	}
}

static int
by_name(const void *x, const void *y)
{
	return strcmp(table[*(const int *)x].name,
	    table[*(const int *)y].name);
}

void
args_print_help(FILE *fp, int debug)
{
	int idx[TABLE_LEN];
	size_t i, n;
	int g;
	char *text;
	const struct arg_def *d;

	for (g = 0; g < ARG_GRP_COUNT; g++) {
		n = 0;
		for (i = 0; i < TABLE_LEN; i++) {
			d = &table[i];
			if ((int)d->group != g ||
			    (d->flags & (ARG_HIDDEN | ARG_CLIENT)))
				continue;
			if ((d->flags & ARG_DEBUG) && !debug)
				continue;
			idx[n++] = (int)i;
		}
		if (n == 0)
			continue;
		qsort(idx, n, sizeof(idx[0]), by_name);
		fprintf(fp, "%s\n\n", group_title[g]);
		for (i = 0; i < n; i++) {
			d = &table[idx[i]];
			fprintf(fp, "  -%s%s\n", d->name, d->val);
			if (d->flags & ARG_IGNORED)
				text = xasprintf(
				    "%s (accepted for "
				    "compatibility; bitrootd ignores it: %s)",
				    d->help, d->note);
			else if (d->flags & ARG_UNSUPP)
				text = xasprintf("%s (a value other than "
						 "0 stops start-up: %s)",
				    d->help, d->note);
			else if (d->flags & ARG_WARN_ON)
				text = xasprintf(
				    "%s (a value other than "
				    "0 has no effect but a warning: %s)",
				    d->help, d->note);
			else
				text = xasprintf("%s", d->help);
			print_wrapped(fp, text);
			free(text);
			fputc('\n', fp);
		}
	}
}
