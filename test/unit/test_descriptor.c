/*
 * BIP32 derivation (the BIP's test vectors 1 and 2 and malformed
 * serialisations) and descriptors: canonical strings, checksums, flags and
 * addresses as Bitcoin Core 28.1 gives them for the same input (the table
 * was taken from Core's getdescriptorinfo and deriveaddresses), the
 * round trip of canonical strings, Core's errors, and expansion details
 * (combo's scripts, hardened steps without the private key).
 */
#include <stdlib.h>
#include <string.h>

#include "chain/address.h"
#include "chain/base58.h"
#include "chain/chainparams.h"
#include "chain/descriptor.h"
#include "crypto/bip32.h"
#include "unit.h"
#include "util/hex.h"

#define XPUB_VERSION 0x0488b21eU
#define XPRV_VERSION 0x0488ade4U

struct bip32_step {
	uint32_t index;
	const char *xpub, *xprv;
};

static const struct bip32_step vector1[] = {
	{ 0, "xpub661MyMwAqRbcFtXgS5sYJABqqG9YLmC4Q1Rdap9gSE8NqtwybGhePY2gZ29ESFjqJoCu1Rupje8YtGqsefD265TMg7usUDFdp6W1EGMcet8",
	    "xprv9s21ZrQH143K3QTDL4LXw2F7HEK3wJUD2nW2nRk4stbPy6cq3jPPqjiChkVvvNKmPGJxWUtg6LnF5kejMRNNU3TGtRBeJgk33yuGBxrMPHi" },
	{ BIP32_HARDENED | 0,
	    "xpub68Gmy5EdvgibQVfPdqkBBCHxA5htiqg55crXYuXoQRKfDBFA1WEjWgP6LHhwBZeNK1VTsfTFUHCdrfp1bgwQ9xv5ski8PX9rL2dZXvgGDnw",
	    "xprv9uHRZZhk6KAJC1avXpDAp4MDc3sQKNxDiPvvkX8Br5ngLNv1TxvUxt4cV1rGL5hj6KCesnDYUhd7oWgT11eZG7XnxHrnYeSvkzY7d2bhkJ7" },
	{ 1, "xpub6ASuArnXKPbfEwhqN6e3mwBcDTgzisQN1wXN9BJcM47sSikHjJf3UFHKkNAWbWMiGj7Wf5uMash7SyYq527Hqck2AxYysAA7xmALppuCkwQ",
	    "xprv9wTYmMFdV23N2TdNG573QoEsfRrWKQgWeibmLntzniatZvR9BmLnvSxqu53Kw1UmYPxLgboyZQaXwTCg8MSY3H2EU4pWcQDnRnrVA1xe8fs" },
	{ BIP32_HARDENED | 2,
	    "xpub6D4BDPcP2GT577Vvch3R8wDkScZWzQzMMUm3PWbmWvVJrZwQY4VUNgqFJPMM3No2dFDFGTsxxpG5uJh7n7epu4trkrX7x7DogT5Uv6fcLW5",
	    "xprv9z4pot5VBttmtdRTWfWQmoH1taj2axGVzFqSb8C9xaxKymcFzXBDptWmT7FwuEzG3ryjH4ktypQSAewRiNMjANTtpgP4mLTj34bhnZX7UiM" },
	{ 2, "xpub6FHa3pjLCk84BayeJxFW2SP4XRrFd1JYnxeLeU8EqN3vDfZmbqBqaGJAyiLjTAwm6ZLRQUMv1ZACTj37sR62cfN7fe5JnJ7dh8zL4fiyLHV",
	    "xprvA2JDeKCSNNZky6uBCviVfJSKyQ1mDYahRjijr5idH2WwLsEd4Hsb2Tyh8RfQMuPh7f7RtyzTtdrbdqqsunu5Mm3wDvUAKRHSC34sJ7in334" },
	{ 1000000000,
	    "xpub6H1LXWLaKsWFhvm6RVpEL9P4KfRZSW7abD2ttkWP3SSQvnyA8FSVqNTEcYFgJS2UaFcxupHiYkro49S8yGasTvXEYBVPamhGW6cFJodrTHy",
	    "xprvA41z7zogVVwxVSgdKUHDy1SKmdb533PjDz7J6N6mV6uS3ze1ai8FHa8kmHScGpWmj4WggLyQjgPie1rFSruoUihUZREPSL39UNdE3BBDu76" },
};

static const struct bip32_step vector2[] = {
	{ 0, "xpub661MyMwAqRbcFW31YEwpkMuc5THy2PSt5bDMsktWQcFF8syAmRUapSCGu8ED9W6oDMSgv6Zz8idoc4a6mr8BDzTJY47LJhkJ8UB7WEGuduB",
	    "xprv9s21ZrQH143K31xYSDQpPDxsXRTUcvj2iNHm5NUtrGiGG5e2DtALGdso3pGz6ssrdK4PFmM8NSpSBHNqPqm55Qn3LqFtT2emdEXVYsCzC2U" },
	{ 0, "xpub69H7F5d8KSRgmmdJg2KhpAK8SR3DjMwAdkxj3ZuxV27CprR9LgpeyGmXUbC6wb7ERfvrnKZjXoUmmDznezpbZb7ap6r1D3tgFxHmwMkQTPH",
	    "xprv9vHkqa6EV4sPZHYqZznhT2NPtPCjKuDKGY38FBWLvgaDx45zo9WQRUT3dKYnjwih2yJD9mkrocEZXo1ex8G81dwSM1fwqWpWkeS3v86pgKt" },
	{ BIP32_HARDENED | 2147483647,
	    "xpub6ASAVgeehLbnwdqV6UKMHVzgqAG8Gr6riv3Fxxpj8ksbH9ebxaEyBLZ85ySDhKiLDBrQSARLq1uNRts8RuJiHjaDMBU4Zn9h8LZNnBC5y4a",
	    "xprv9wSp6B7kry3Vj9m1zSnLvN3xH8RdsPP1Mh7fAaR7aRLcQMKTR2vidYEeEg2mUCTAwCd6vnxVrcjfy2kRgVsFawNzmjuHc2YmYRmagcEPdU9" },
	{ 1, "xpub6DF8uhdarytz3FWdA8TvFSvvAh8dP3283MY7p2V4SeE2wyWmG5mg5EwVvmdMVCQcoNJxGoWaU9DCWh89LojfZ537wTfunKau47EL2dhHKon",
	    "xprv9zFnWC6h2cLgpmSA46vutJzBcfJ8yaJGg8cX1e5StJh45BBciYTRXSd25UEPVuesF9yog62tGAQtHjXajPPdbRCHuWS6T8XA2ECKADdw4Ef" },
	{ BIP32_HARDENED | 2147483646,
	    "xpub6ERApfZwUNrhLCkDtcHTcxd75RbzS1ed54G1LkBUHQVHQKqhMkhgbmJbZRkrgZw4koxb5JaHWkY4ALHY2grBGRjaDMzQLcgJvLJuZZvRcEL",
	    "xprvA1RpRA33e1JQ7ifknakTFpgNXPmW2YvmhqLQYMmrj4xJXXWYpDPS3xz7iAxn8L39njGVyuoseXzU6rcxFLJ8HFsTjSyQbLYnMpCqE2VbFWc" },
	{ 2, "xpub6FnCn6nSzZAw5Tw7cgR9bi15UV96gLZhjDstkXXxvCLsUXBGXPdSnLFbdpq8p9HmGsApME5hQTZ3emM2rnY5agb9rXpVGyy3bdW6EEgAtqt",
	    "xprvA2nrNbFZABcdryreWet9Ea4LvTJcGsqrMzxHx98MMrotbir7yrKCEXw7nadnHM8Dq38EGfSh6dqA9QWTyefMLEcBYJUuekgW4BYPJcr9E7j" },
};

static char *
encode(const struct bip32_key *k, uint32_t version, int private)
{
	uint8_t ser[BIP32_EXTKEY_SIZE];

	bip32_serialize(k, version, private, ser);
	return base58check_encode(ser, sizeof(ser));
}

static void
run_vector(const char *seed_hex, const struct bip32_step *v, size_t n)
{
	struct bip32_key k, child, pub, pubchild;
	uint8_t seed[64];
	size_t i;
	int len = hex_decode(seed_hex, seed, sizeof(seed));
	char *s;

	CHECK(len > 0);
	CHECK(bip32_from_seed(seed, (size_t)len, &k) == 0);
	for (i = 0; i < n; i++) {
		if (i > 0) {
			CHECK(bip32_derive(&k, v[i].index, &child) == 0);
			/* Public derivation agrees where it is possible. */
			pub = k;
			bip32_neuter(&pub);
			if (v[i].index & BIP32_HARDENED)
				CHECK(bip32_derive(&pub, v[i].index,
					  &pubchild) == -1);
			else {
				CHECK(bip32_derive(&pub, v[i].index,
					  &pubchild) == 0);
				CHECK(memcmp(pubchild.pub, child.pub, 33) == 0);
				CHECK(memcmp(pubchild.chaincode,
					  child.chaincode, 32) == 0);
			}
			k = child;
		}
		s = encode(&k, XPUB_VERSION, 0);
		CHECK_EQ_STR(s, v[i].xpub);
		free(s);
		s = encode(&k, XPRV_VERSION, 1);
		CHECK_EQ_STR(s, v[i].xprv);
		free(s);
	}
	bip32_wipe(&k);
}

static void
test_bip32_vectors(void)
{
	run_vector("000102030405060708090a0b0c0d0e0f", vector1,
	    sizeof(vector1) / sizeof(vector1[0]));
	run_vector("fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeab"
		   "a8a5a29f9c999693908d8a8784817e7b7875726f6c696663605d5a5754"
		   "514e4b484542",
	    vector2, sizeof(vector2) / sizeof(vector2[0]));
}

static void
test_bip32_parse(void)
{
	struct bip32_key k, back;
	uint8_t seed[16] = { 0 }, ser[BIP32_EXTKEY_SIZE], bad[BIP32_EXTKEY_SIZE];

	CHECK(bip32_from_seed(seed, sizeof(seed), &k) == 0);
	bip32_serialize(&k, XPRV_VERSION, 1, ser);
	CHECK(bip32_parse(ser, 1, &back) == 0);
	CHECK(memcmp(back.secret, k.secret, 32) == 0);
	CHECK(memcmp(back.pub, k.pub, 33) == 0);
	/* Depth 0 with a child number or a parent fingerprint. */
	memcpy(bad, ser, sizeof(bad));
	bad[12] = 1;
	CHECK(bip32_parse(bad, 1, &back) == -1);
	memcpy(bad, ser, sizeof(bad));
	bad[5] = 1;
	CHECK(bip32_parse(bad, 1, &back) == -1);
	/* A private key without its zero byte, or zero. */
	memcpy(bad, ser, sizeof(bad));
	bad[45] = 1;
	CHECK(bip32_parse(bad, 1, &back) == -1);
	memcpy(bad, ser, sizeof(bad));
	memset(bad + 46, 0, 32);
	CHECK(bip32_parse(bad, 1, &back) == -1);
	/* A public key that is not a compressed point. */
	bip32_serialize(&k, XPUB_VERSION, 0, ser);
	CHECK(bip32_parse(ser, 0, &back) == 0);
	memcpy(bad, ser, sizeof(bad));
	bad[45] = 4;
	CHECK(bip32_parse(bad, 0, &back) == -1);
	memcpy(bad, ser, sizeof(bad));
	memset(bad + 46, 0xff, 32);
	CHECK(bip32_parse(bad, 0, &back) == -1);
	bip32_wipe(&k);
}

struct desc_case {
	const char *in, *canonical;
	int range, priv;
	const char *addr; /* the address at position 1 (or 0), or NULL */
};

/* From Core 28.1's getdescriptorinfo and deriveaddresses (regtest). */
static const struct desc_case desc_cases[] = {
	{ "pk(0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2)",
	    "pk(0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2)#z4s09j9j",
	    0, 0, NULL },
	{ "pk(93MWZE9VGpMDTpj6PyCYXX7V51iZkg9qjhMxCZKA1sNd5Zat7w2)",
	    "pk(0439a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c23cbe7ded0e7ce6a594896b8f62888fdbc5c8821305e2ea42bf01e37300116281)#8rc3awkj",
	    0, 1, NULL },
	{ "pkh(0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8)",
	    "pkh(0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8)#zvxck6mv",
	    0, 0, "mtoKs9V381UAhUia3d7Vb9GNak8Qvmcsme" },
	{ "sh(wpkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))",
	    "sh(wpkh(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))#0aua3a8r",
	    0, 0, "2N5LiC3CqzxDamRTPG1kiNv1FpNJQ7x28sb" },
	{ "combo(0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2)",
	    "combo(0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2)#4xlcgntu",
	    0, 0, "2NFNttcoWjE7WUcByBqpPKkcjg8wzgnU5HE" },
	{ "combo(93MWZE9VGpMDTpj6PyCYXX7V51iZkg9qjhMxCZKA1sNd5Zat7w2)",
	    "combo(0439a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c23cbe7ded0e7ce6a594896b8f62888fdbc5c8821305e2ea42bf01e37300116281)#rsjnaqpy",
	    0, 1, "mpxEQfU3ufTMjJAEtJS2gJCx566792fora" },
	{ "multi(2,0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8)",
	    "multi(2,0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8)#6jjng9gt",
	    0, 0, NULL },
	{ "sh(multi(2,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2))",
	    "sh(multi(2,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2))#s5z2tweh",
	    0, 0, "2Mx1qgX9JgQRUhuCx7KVGqHxdEydMWccF6L" },
	{ "wsh(sortedmulti(2,02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2))",
	    "wsh(sortedmulti(2,02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2))#v3gvnepv",
	    0, 0, "bcrt1qfw33kx6lkaz84e3k5n7nutx32xy2hf3sfmznhkncjarfqcq9cufsyepsz4" },
	{ "wsh(pk(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))",
	    "wsh(pk(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))#35m26dd5",
	    0, 0, "bcrt1q9cn3l23ryhqen5jayts74kvzu3dkfm457v088k7lgx75khlvy0aqrgmv7t" },
	{ "sh(wsh(sortedmulti(1,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2)))",
	    "sh(wsh(sortedmulti(1,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2)))#ux48k2k0",
	    0, 0, "2MudNP9rZ14B2w8HBDLoCdMNXk8yLPfQVao" },
	{ "tr(0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2)",
	    "tr(0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2)#mxw8c4yj",
	    0, 0, "bcrt1p7x4krdxtfwv5mwu2hhq6y2pnp5msc8mnczk5rr06zsulrn395zzqykuk49" },
	{ "tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)",
	    "tr(a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)#dh4fyxrd",
	    0, 0, "bcrt1pw74tdcrxlzn5r8z6ku2vztr86fgq0m245s72mjktf4afwzsf8ugs4evwdf" },
	{ "tr(0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2,pk(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))",
	    "tr(0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2,pk(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd))#0exwhv7y",
	    0, 0, "bcrt1p82ltxrv4sq83gweqrts4dshrlv7l7zcvc00htnzfc9v40wfhhrpqydnnhc" },
	{ "tr(0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2,{pk(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd),{multi_a(1,02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9,a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd),sortedmulti_a(2,02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2)}})",
	    "tr(0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2,{pk(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd),{multi_a(1,02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9,a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd),sortedmulti_a(2,02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd,0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2)}})#y3e46r9n",
	    0, 0, "bcrt1pgedrqvfqkg8phzg9p2u0xscezdsm8m6fumd6rutsdfks8ju9m8vq4tegaf" },
	{ "tr(0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2,{{pk(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd),pk(02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9)},{pk(39a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2),pk(cVPXTF2TnozE1PenpP3x9huctiATZmp27T9Ue1d8nqLSExoPwfN5)}})",
	    "tr(0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2,{{pk(03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd),pk(02f9308a019258c31049344f85f89d5229b531c845836f99b08601f113bce036f9)},{pk(39a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2),pk(39a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2)}})#fsyrup5a",
	    0, 1, "bcrt1per7zz265u2tcapdv9mvx58l6h26t4khyla2t9ldw7qrd56et5kzqszzah3" },
	{ "pkh(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp)",
	    "pkh(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp)#t5h7jwcv",
	    0, 0, "mkHGce7dctSxHgaWSSbmmrRWsZfzz7MxMk" },
	{ "pkh(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/0)",
	    "pkh(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/0)#h78sky9n",
	    0, 0, "muowReuD37GjLG1KPJxYR7RGf5C9tZc3z6" },
	{ "pkh(tprv8ZgxMBicQKsPeDgjzdC36fs6bMjGApWDNLR9erAXMs5skhMv36j9MV5ecvfavji5khqjWaWSFhN3YcCUUdiKH6isR4Pwy3U5y5egddBr16m/1h/2'/3)",
	    "pkh(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/1'/2'/3)#xj9pvct4",
	    0, 1, "mj7KB7UN55rL8QTjUJaRac3k5qD9urEmc4" },
	{ "pkh(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/1/2h)",
	    "pkh(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/1/2h)#hndlekyd",
	    0, 0, NULL },
	{ "wpkh([d34db33f/44'/1'/0']tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/0/*)",
	    "wpkh([d34db33f/44'/1'/0']tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/0/*)#nznfzpe6",
	    1, 0, "bcrt1qrfxr69jqnhwufxgkqgcdep9prq4j4vuwzpxkrk" },
	{ "sh(wpkh([00000000]tprv8ZgxMBicQKsPeDgjzdC36fs6bMjGApWDNLR9erAXMs5skhMv36j9MV5ecvfavji5khqjWaWSFhN3YcCUUdiKH6isR4Pwy3U5y5egddBr16m/0h/*))",
	    "sh(wpkh([00000000]tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/0h/*))#awaauumn",
	    1, 1, "2N5XyEfAXtVde7mv6idZDXp5NFwajYEj9TD" },
	{ "pkh([d34db33f/44h/0h/0']tprv8ZgxMBicQKsPeDgjzdC36fs6bMjGApWDNLR9erAXMs5skhMv36j9MV5ecvfavji5khqjWaWSFhN3YcCUUdiKH6isR4Pwy3U5y5egddBr16m/1'/2/*h)",
	    "pkh([d34db33f/44'/0'/0']tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/1'/2/*')#q8ek2acx",
	    1, 1, "mjM8RN8AQvNz9LGNm6DBc8KBy4G8JmVR34" },
	{ "pkh([d34db33f/44'/0'/0']tprv8ZgxMBicQKsPeDgjzdC36fs6bMjGApWDNLR9erAXMs5skhMv36j9MV5ecvfavji5khqjWaWSFhN3YcCUUdiKH6isR4Pwy3U5y5egddBr16m/1/2h/*)",
	    "pkh([d34db33f/44h/0h/0h]tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/1/2h/*)#56pyrd8v",
	    1, 1, "msg8GVqv4234EPbadZWxtyteE6JMDAcK8v" },
	{ "tr(tprv8ZgxMBicQKsPeDgjzdC36fs6bMjGApWDNLR9erAXMs5skhMv36j9MV5ecvfavji5khqjWaWSFhN3YcCUUdiKH6isR4Pwy3U5y5egddBr16m/86h/1h/0h/0/*)",
	    "tr(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/86h/1h/0h/0/*)#hj5gxksw",
	    1, 1, "bcrt1pyz8vmclll4w4z36wzs20l5lfy3sfvt870r5mpd985d7trgew9lpqz3gzpt" },
	{ "tr(0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2,{pk(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/2/*),multi_a(1,tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/3/*,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)})",
	    "tr(0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2,{pk(tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/2/*),multi_a(1,tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/3/*,03a34b99f22c790c4e36b2b3c2c35a36db06226e41c692fc82b8b56ac1c540c5bd)})#encz0tdg",
	    1, 0, "bcrt1p97n73uxgdhxae7krarv259x0jtckdqajsc5tf0jvqj6ksjj0qtesn492la" },
	{ "wsh(multi(2,tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/0/*,tprv8ZgxMBicQKsPeDgjzdC36fs6bMjGApWDNLR9erAXMs5skhMv36j9MV5ecvfavji5khqjWaWSFhN3YcCUUdiKH6isR4Pwy3U5y5egddBr16m/1h/*,0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2))",
	    "wsh(multi(2,tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/0/*,tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/1h/*,0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2))#2spmqmqj",
	    1, 1, "bcrt1qe9x5yhmajzf3wfkkcukw8t8u055lju52me9edsaav4sks96nrrdszykurp" },
	{ "sh(sortedmulti(1,tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/0/*,tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/1/*))",
	    "sh(sortedmulti(1,tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/0/*,tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp/1/*))#rq5jersr",
	    1, 0, "2NBG11hXehhoqz3Fd94vxCzQVjhJD3eTCqH" },
};

static struct chainparams *regtest;

static void
test_descriptor_table(void)
{
	char err[DESCRIPTOR_ERR_LEN], *s, *s2, *addr;
	struct descriptor *d, *d2;
	struct descriptor_output o;
	size_t i, k;

	regtest = chainparams_new(CHAIN_REGTEST);
	for (i = 0; i < sizeof(desc_cases) / sizeof(desc_cases[0]); i++) {
		const struct desc_case *c = &desc_cases[i];

		if (descriptor_parse(regtest, c->in, 0, &d, err,
			sizeof(err)) != 0) {
			CHECK_EQ_STR(err, c->in);
			continue;
		}
		s = descriptor_to_string(d);
		CHECK_EQ_STR(s, c->canonical);
		CHECK_EQ_INT(descriptor_is_range(d), c->range);
		CHECK_EQ_INT(descriptor_has_private_keys(d), c->priv);
		/* The canonical form parses, with its checksum, to itself. */
		CHECK(descriptor_parse(regtest, s, 1, &d2, err, sizeof(err)) ==
		    0);
		s2 = descriptor_to_string(d2);
		CHECK_EQ_STR(s2, s);
		CHECK(!descriptor_has_private_keys(d2));
		free(s2);
		descriptor_free(d2);
		free(s);
		/* Only where Core could not derive either (hardened, xpub). */
		if (descriptor_expand(d, c->range ? 1 : 0, &o) != 0) {
			CHECK(c->addr == NULL);
			descriptor_free(d);
			continue;
		}
		addr = NULL;
		for (k = o.n; k-- > 0 && addr == NULL;)
			addr = address_from_script(regtest, o.script[k],
			    o.len[k]);
		if (c->addr != NULL)
			CHECK_EQ_STR(addr, c->addr);
		free(addr);
		descriptor_output_free(&o);
		descriptor_free(d);
	}
}

static const char *const K1 =
    "0339a36013301597daef41fbe593a02cc513d0b55527ec2df1050e2e8ff49c85c2";
static const char *const TPUB =
    "tpubD6NzVbkrYhZ4XgiXtGrdW5XDAPFCL9h7we1vwNCpn8tGbBcgfVYjXyhWo4E1xkh56"
    "hjod1RhGjxbaTLV3X4FyWuejifB9jusQ46QzG87VKp";

static void
expect_error(const char *fmt, const char *arg, const char *want)
{
	char text[600], err[DESCRIPTOR_ERR_LEN];
	struct descriptor *d;

	snprintf(text, sizeof(text), fmt, arg);
	CHECK(descriptor_parse(regtest, text, 0, &d, err, sizeof(err)) == -1);
	CHECK(d == NULL);
	CHECK_EQ_STR(err, want);
}

static void
test_descriptor_errors(void)
{
	char want[300];

	expect_error("wpkh(%s)",
	    "0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f8179"
	    "8483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8",
	    "wpkh(): Uncompressed keys are not allowed");
	expect_error("sh(sh(pk(%s)))", K1, "Can only have sh() at top level");
	expect_error("wsh(wpkh(%s))", K1,
	    "Can only have wpkh() at top level or inside sh()");
	expect_error("multi_a(1,%s)", K1,
	    "Can only have multi_a/sortedmulti_a inside tr()");
	snprintf(want, sizeof(want), "%s,%s,%s,%s", K1, K1, K1, K1);
	expect_error("multi(1,%s)", want,
	    "Cannot have 4 pubkeys in bare multisig; only at most 3 pubkeys");
	expect_error("pk(%s))", K1, "");
	expect_error("pkh(%s/2147483648)", TPUB,
	    "pkh(): Key path value 2147483648 is out of range");
	expect_error("pkh(%s/<0;1>/*)", TPUB,
	    "pkh(): Key path value '<0;1>' is not a valid uint32");
	expect_error("pkh(%s/)", TPUB,
	    "pkh(): Key path value '' is not a valid uint32");
	snprintf(want, sizeof(want), "pkh(): key '%s' is not valid", K1);
	expect_error("pkh(%s/0)", K1, want);
	expect_error("tr(%s,{pk(02f9308a019258c31049344f85f89d5229b531c845836f"
		     "99b08601f113bce036f9)})",
	    K1,
	    "tr(): expected ',' after script expression");
	expect_error("rawtr(%s,pk())", K1, "rawtr(): only one key expected.");
	expect_error("pkh([d34db3zz]%s)", TPUB,
	    "pkh(): Fingerprint 'd34db3zz' is not hex");
	/* Core's Miniscript pass reports a bad key of a leading pk(. */
	expect_error("%s", "pk(zz)x", "key 'zz' is not valid");
	expect_error("pkh(%s)#aaaaaaaa", K1,
	    "Provided checksum 'aaaaaaaa' does not match computed checksum "
	    "'nqmpmlk2'");
}

static void
test_descriptor_expand(void)
{
	char err[DESCRIPTOR_ERR_LEN], text[300];
	struct descriptor *d;
	struct descriptor_output o;
	uint8_t keys[4][32];
	int comp[4];

	/* combo() of a compressed key: P2PK, P2PKH, P2WPKH, P2SH-P2WPKH. */
	snprintf(text, sizeof(text), "combo(%s)", K1);
	CHECK(descriptor_parse(regtest, text, 0, &d, err, sizeof(err)) == 0);
	CHECK(descriptor_expand(d, 0, &o) == 0);
	CHECK_EQ_INT(o.n, 4);
	CHECK_EQ_INT(o.len[0], 35);
	CHECK_EQ_INT(o.len[1], 25);
	CHECK_EQ_INT(o.len[2], 22);
	CHECK_EQ_INT(o.len[3], 23);
	CHECK(strncmp(o.inferred[3], "sh(wpkh([3442193e]03", 20) == 0);
	descriptor_output_free(&o);
	descriptor_free(d);
	/* A hardened step from an xpub cannot be derived. */
	snprintf(text, sizeof(text), "pkh(%s/1h/*)", TPUB);
	CHECK(descriptor_parse(regtest, text, 0, &d, err, sizeof(err)) == 0);
	CHECK(descriptor_expand(d, 0, &o) == -1);
	CHECK_EQ_INT(descriptor_private_keys(d, 0, keys, comp, 4), 0);
	descriptor_free(d);
	/* The WIF and the xprv give their keys, derived at the position. */
	snprintf(text, sizeof(text),
	    "wsh(multi(1,cVPXTF2TnozE1PenpP3x9huctiATZmp27T9Ue1d8nqLSExoPwfN5,"
	    "tprv8ZgxMBicQKsPeDgjzdC36fs6bMjGApWDNLR9erAXMs5skhMv36j9MV5ecvfavji5"
	    "khqjWaWSFhN3YcCUUdiKH6isR4Pwy3U5y5egddBr16m/1h/*))");
	CHECK(descriptor_parse(regtest, text, 0, &d, err, sizeof(err)) == 0);
	CHECK_EQ_INT(descriptor_private_keys(d, 3, keys, comp, 4), 2);
	CHECK(comp[0] && comp[1]);
	CHECK(descriptor_expand(d, 3, &o) == 0);
	descriptor_output_free(&o);
	descriptor_free(d);
	chainparams_free(regtest);
	regtest = NULL;
}

UNIT_MAIN(UNIT_CASE(test_bip32_vectors), UNIT_CASE(test_bip32_parse),
    UNIT_CASE(test_descriptor_table), UNIT_CASE(test_descriptor_errors),
    UNIT_CASE(test_descriptor_expand))
