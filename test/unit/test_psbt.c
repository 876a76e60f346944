/*
 * The PSBT codec (script/psbt.h): the test vectors of BIP174 and BIP371
 * (valid and invalid), each with the error text or the bytes Bitcoin Core
 * 28.1 gives for it (its decodepsbt message after "TX decode failed ", and
 * the re-serialization combinepsbt writes of a valid one); PSBTs built
 * from a transaction; combining; and finalising and extracting P2PKH,
 * P2WPKH, P2SH-P2WPKH and 1-of-1 P2WSH multisig spends signed here.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/hash.h"
#include "crypto/key.h"
#include "primitives/tx.h"
#include "rpc/rpc_int.h"
#include "script/psbt.h"
#include "script/script.h"
#include "script/solver.h"
#include "unit.h"
#include "util/buf.h"
#include "util/hex.h"
#include "util/xmalloc.h"

static const struct vector {
	const char *b64;
	const char *err; /* Core's error, or NULL when valid */
	const char *ser; /* Core's re-serialization when valid */
} vectors[] = {
	{ "AgAAAAEmgXE3Ht/yhek3re6ks3t4AAwFZsuzrWRkFxPKQhcb9gAAAABqRzBEAiBw"
	  "siRRI+a/R01gxbUMBD1MaRpdJDXwmjSnZiqdwlF5CgIgATKcqdrPKAvfMHQOwDkE"
	  "IkIsgctFg5RXrrdvwS7dlbMBIQJlfRGNM1e44PTCzUbbezn22cONmnCry5st5dyN"
	  "v+TOMf7///8C09/1BQAAAAAZdqkU0MWZA8W6woaHYOkP1SGkZlqnZSCIrADh9QUA"
	  "AAAAF6kUNUXm4zuDLEcFDyTT7rk8nAOUi8eHsy4TAA==",
	    "Invalid PSBT magic bytes: iostream error", NULL },
	{ "cHNidP8BACoCAAAAAAFAQg8AAAAAABepFG6Rty1Vk+fUOR4v9E6R6YXDFkHwhwAA"
	  "AAAAAQEAAQEBagA=",
	    "Duplicate Key, output witnessScript already provided: iostream error",
	    NULL },
	{ "cHNidP8BACoCAAAAAAFAQg8AAAAAABepFG6Rty1Vk+fUOR4v9E6R6YXDFkHwhwAA"
	  "AAAAAQAAAQABagA=",
	    "Duplicate Key, output redeemScript already provided: iostream error",
	    NULL },
	{ "cHNidP8BADMBAAAAAREREREREREREREREREREREREfrK3hERERERERERERERfwAA"
	  "AAD/////AAAAAAAAAQEJ//////////8AAQEJAADK/gAAAAAAAA==",
	    "Duplicate Key, input witness utxo already provided: iostream error",
	    NULL },
	{ "cHNidP8BADMBAAAAAREREREREREREREREREREREREfrK3hERERERERERERERfwAA"
	  "AAD/////AAAAAAAAAQMErd7f7gEDBAEAAAAA",
	    "Duplicate Key, input sighash type already provided: iostream error",
	    NULL },
	{ "cHNidP8BADMBAAAAAREREREREREREREREREREREREfrK3hERERERERERERERfwAA"
	  "AAD/////AAAAAAAAAQQAAQQBagA=",
	    "Duplicate Key, input redeemScript already provided: iostream error",
	    NULL },
	{ "cHNidP8BADMBAAAAAREREREREREREREREREREREREfrK3hERERERERERERERfwAA"
	  "AAD/////AAAAAAAAAQEJAOH1BQAAAAAAAQUAAQUBUQA=",
	    "Duplicate Key, input witnessScript already provided: iostream error",
	    NULL },
	{ "cHNidP8BADMBAAAAAREREREREREREREREREREREREfrK3hERERERERERERERfwAA"
	  "AAD/////AAAAAAAAAQcAAQcBUQA=",
	    "Duplicate Key, input final scriptSig already provided: iostream error",
	    NULL },
	{ "cHNidP8BADMBAAAAAREREREREREREREREREREREREfrK3hERERERERERERERfwAA"
	  "AAD/////AAAAAAAAAQEJAOH1BQAAAAAAAQgBAAEIAwEBUQA=",
	    "Duplicate Key, input final scriptWitness already provided: iostream error",
	    NULL },
	{ "cHNidP8BAHECAAAAASd0Srq/MCf+DWzyOpbu4u+xiO9SMBlUWFiD5ptmJLJCAAAA"
	  "AAD/////Anh8AQAAAAAAFgAUg6fjS9mf8DpJYu+KGhAbspVGHs5gawQqAQAAABYA"
	  "FHrDad8bIOAz1hFmI5V7CsSfPFLoAAAAAAABASsA8gUqAQAAACJRIFosLPW1LPMf"
	  "g60ujaY/8DGD7Nj2CcdRCuikjgORCgdXARchAv40kGTJjW4qhT+jybEr2LMEoZwZ"
	  "XGDvp+4jkwRtP6IyAAAA",
	    "Size of value was not the stated size: iostream error", NULL },
	{ "cHNidP8BAHECAAAAASd0Srq/MCf+DWzyOpbu4u+xiO9SMBlUWFiD5ptmJLJCAAAA"
	  "AAD/////Anh8AQAAAAAAFgAUg6fjS9mf8DpJYu+KGhAbspVGHs5gawQqAQAAABYA"
	  "FHrDad8bIOAz1hFmI5V7CsSfPFLoAAAAAAABASsA8gUqAQAAACJRIFosLPW1LPMf"
	  "g60ujaY/8DGD7Nj2CcdRCuikjgORCgdXIhYC/jSQZMmNbiqFP6PJsSvYswShnBlc"
	  "YO+n7iOTBG0/ojIZAHcrLadWAACAAQAAgAAAAIABAAAAAAAAAAAAAA==",
	    "Input Taproot BIP32 keypath key is not at 33 bytes: iostream error",
	    NULL },
	{ "cHNidP8BAH0CAAAAASd0Srq/MCf+DWzyOpbu4u+xiO9SMBlUWFiD5ptmJLJCAAAA"
	  "AAD/////Aoh7AQAAAAAAFgAUI4KHHH6EIaAAk/dU2RKB5nWHS59gawQqAQAAACJR"
	  "IFosLPW1LPMfg60ujaY/8DGD7Nj2CcdRCuikjgORCgdXAAAAAAABASsA8gUqAQAA"
	  "ACJRIFosLPW1LPMfg60ujaY/8DGD7Nj2CcdRCuikjgORCgdXAAABBSEC/jSQZMmN"
	  "biqFP6PJsSvYswShnBlcYO+n7iOTBG0/ojIA",
	    "Size of value was not the stated size: iostream error", NULL },
	{ "cHNidP8BAH0CAAAAASd0Srq/MCf+DWzyOpbu4u+xiO9SMBlUWFiD5ptmJLJCAAAA"
	  "AAD/////Aoh7AQAAAAAAFgAUI4KHHH6EIaAAk/dU2RKB5nWHS59gawQqAQAAACJR"
	  "IFosLPW1LPMfg60ujaY/8DGD7Nj2CcdRCuikjgORCgdXAAAAAAABASsA8gUqAQAA"
	  "ACJRIFosLPW1LPMfg60ujaY/8DGD7Nj2CcdRCuikjgORCgdXAAAiBwL+NJBkyY1u"
	  "KoU/o8mxK9izBKGcGVxg76fuI5MEbT+iMhkAdystp1YAAIABAACAAAAAgAEAAAAA"
	  "AAAAAA==",
	    "Output Taproot BIP32 keypath key is not at 33 bytes: iostream error",
	    NULL },
	{ "cHNidP8BAF4CAAAAAZvUh2UjC/mnLmYgAflyVW5U8Mb5f+tWvLVgDYF/aZUmAQAA"
	  "AAD/////AUjmBSoBAAAAIlEgAw2k/OT32yjCyylRYx4ANxOFZZf+ljiCy1AOaBEs"
	  "ymMAAAAAAAEBKwDyBSoBAAAAIlEgwiR++/2SrEf29AuNQtFpF1oZ+p+hDkol1/Ne"
	  "tN2FtpJCFAIssTrGgkjegGqmo2Wc88A+toIdCcgRSk6Gj+vehlu20s2XDhX1P8DI"
	  "L5UP1WD/qRm3YXK+AXNoqJkTrwdPQAsJQIl1aqNznMxonsD886NgvjLMC1mxbpOh"
	  "6LtGBXJrLKej/3BsQXZkljKyzGjh+RK4pXjjcZzncQiFx6lm9JvNQ8sAAA==",
	    "Input Taproot script signature key is not 65 bytes: iostream error",
	    NULL },
	{ "cHNidP8BAF4CAAAAAZvUh2UjC/mnLmYgAflyVW5U8Mb5f+tWvLVgDYF/aZUmAQAA"
	  "AAD/////AUjmBSoBAAAAIlEgAw2k/OT32yjCyylRYx4ANxOFZZf+ljiCy1AOaBEs"
	  "ymMAAAAAAAEBKwDyBSoBAAAAIlEgwiR++/2SrEf29AuNQtFpF1oZ+p+hDkol1/Ne"
	  "tN2FtpJBFCyxOsaCSN6AaqajZZzzwD62gh0JyBFKToaP696GW7bSzZcOFfU/wMgv"
	  "lQ/VYP+pGbdhcr4Bc2iomROvB09ACwlCiXVqo3OczGiewPzzo2C+MswLWbFuk6Ho"
	  "u0YFcmssp6P/cGxBdmSWMrLMaOH5ErileONxnOdxCIXHqWb0m81DywEBAAA=",
	    "Input Taproot script path signature is longer than 65 bytes: iostream error",
	    NULL },
	{ "cHNidP8BAF4CAAAAAZvUh2UjC/mnLmYgAflyVW5U8Mb5f+tWvLVgDYF/aZUmAQAA"
	  "AAD/////AUjmBSoBAAAAIlEgAw2k/OT32yjCyylRYx4ANxOFZZf+ljiCy1AOaBEs"
	  "ymMAAAAAAAEBKwDyBSoBAAAAIlEgwiR++/2SrEf29AuNQtFpF1oZ+p+hDkol1/Ne"
	  "tN2FtpJBFCyxOsaCSN6AaqajZZzzwD62gh0JyBFKToaP696GW7bSzZcOFfU/wMgv"
	  "lQ/VYP+pGbdhcr4Bc2iomROvB09ACwk5iXVqo3OczGiewPzzo2C+MswLWbFuk6Ho"
	  "u0YFcmssp6P/cGxBdmSWMrLMaOH5ErileONxnOdxCIXHqWb0m81DywAA",
	    "Input Taproot script path signature is shorter than 64 bytes: iostream error",
	    NULL },
	{ "cHNidP8BAF4CAAAAAZvUh2UjC/mnLmYgAflyVW5U8Mb5f+tWvLVgDYF/aZUmAQAA"
	  "AAD/////AUjmBSoBAAAAIlEgAw2k/OT32yjCyylRYx4ANxOFZZf+ljiCy1AOaBEs"
	  "ymMAAAAAAAEBKwDyBSoBAAAAIlEgwiR++/2SrEf29AuNQtFpF1oZ+p+hDkol1/Ne"
	  "tN2FtpJjFcFQkpt0waBJVLeLS2A16XpeB4paDyjsltVHv+6azoA6wG99YgWelJeh"
	  "pKJnVp2YdtpgEBr/OONSm5uTnOf5GulwEV8uSQr3zEXE94UR82BXzlxaXFYyWin7"
	  "RN/CA/NW4fgAIyAssTrGgkjegGqmo2Wc88A+toIdCcgRSk6Gj+vehlu20qzAAAA=",
	    "Input Taproot leaf script key's control block size is not valid: iostream error",
	    NULL },
	{ "cHNidP8BAF4CAAAAAZvUh2UjC/mnLmYgAflyVW5U8Mb5f+tWvLVgDYF/aZUmAQAA"
	  "AAD/////AUjmBSoBAAAAIlEgAw2k/OT32yjCyylRYx4ANxOFZZf+ljiCy1AOaBEs"
	  "ymMAAAAAAAEBKwDyBSoBAAAAIlEgwiR++/2SrEf29AuNQtFpF1oZ+p+hDkol1/Ne"
	  "tN2FtpJhFcFQkpt0waBJVLeLS2A16XpeB4paDyjsltVHv+6azoA6wG99YgWelJeh"
	  "pKJnVp2YdtpgEBr/OONSm5uTnOf5GulwEV8uSQr3zEXE94UR82BXzlxaXFYyWin7"
	  "RN/CA/NW4SMgLLE6xoJI3oBqpqNlnPPAPraCHQnIEUpOho/r3oZbttKswAAA",
	    "Input Taproot leaf script key's control block size is not valid: iostream error",
	    NULL },
	{ "cHNidP8BAgQCAAAAAQQBAQEFAQIB+wQCAAAAAA==",
	    "Unsupported version number: iostream error", NULL },
	{ "cHNidP8BAFUCAAAAASeaIyOl37UfxF8iD6WLD8E+HjNCeSqF1+Ns1jM7XLw5AAAA"
	  "AAD/////AaBa6gsAAAAAGXapFP/pwAYQl8w7Y28ssEYPpPxCfStFiKwAAAAAAAEB"
	  "IJVe6gsAAAAAF6kUY0UgD2jRieGtwN8cTRbqjxTA2+uHIgIDsTQcy6doO2r08SOM"
	  "1ul+cWfVafrEfx5I1HVBhENVvUZGMEMCIAQktY7/qqaU4VWepck7v9SokGQiQFXN"
	  "8HC2dxRpRC0HAh9cjrD+plFtYLisszrWTt5g6Hhb+zqpS5m9+GFR25qaAQEEIgAg"
	  "dx/RitRZZm3Unz1WTj28QvTIR3TjYK2haBao7UiNVoEBBUdSIQOxNBzLp2g7avTx"
	  "I4zW6X5xZ9Vp+sR/HkjUdUGEQ1W9RiED3lXR4drIBeP4pYwfv5uUwC89uq/hJ/78"
	  "pJlfJvggg71SriIGA7E0HMunaDtq9PEjjNbpfnFn1Wn6xH8eSNR1QYRDVb1GELSm"
	  "umcAAACAAAAAgAQAAIAiBgPeVdHh2sgF4/iljB+/m5TALz26r+En/vykmV8m+CCD"
	  "vRC0prpnAAAAgAAAAIAFAACAAAA=",
	    NULL,
	    "cHNidP8BAFUCAAAAASeaIyOl37UfxF8iD6WLD8E+HjNCeSqF1+Ns1jM7XLw5AAAA"
	    "AAD/////AaBa6gsAAAAAGXapFP/pwAYQl8w7Y28ssEYPpPxCfStFiKwAAAAAAAEB"
	    "IJVe6gsAAAAAF6kUY0UgD2jRieGtwN8cTRbqjxTA2+uHIgIDsTQcy6doO2r08SOM"
	    "1ul+cWfVafrEfx5I1HVBhENVvUZGMEMCIAQktY7/qqaU4VWepck7v9SokGQiQFXN"
	    "8HC2dxRpRC0HAh9cjrD+plFtYLisszrWTt5g6Hhb+zqpS5m9+GFR25qaAQEEIgAg"
	    "dx/RitRZZm3Unz1WTj28QvTIR3TjYK2haBao7UiNVoEBBUdSIQOxNBzLp2g7avTx"
	    "I4zW6X5xZ9Vp+sR/HkjUdUGEQ1W9RiED3lXR4drIBeP4pYwfv5uUwC89uq/hJ/78"
	    "pJlfJvggg71SriIGA7E0HMunaDtq9PEjjNbpfnFn1Wn6xH8eSNR1QYRDVb1GELSm"
	    "umcAAACAAAAAgAQAAIAiBgPeVdHh2sgF4/iljB+/m5TALz26r+En/vykmV8m+CCD"
	    "vRC0prpnAAAAgAAAAIAFAACAAAA=" },
	{ "cHNidP8BAHUCAAAAASaBcTce3/KF6Tet7qSze3gADAVmy7OtZGQXE8pCFxv2AAAA"
	  "AAD+////AtPf9QUAAAAAGXapFNDFmQPFusKGh2DpD9UhpGZap2UgiKwA4fUFAAAA"
	  "ABepFDVF5uM7gyxHBQ8k0+65PJwDlIvHh7MuEwAAAQD9pQEBAAAAAAECiaPHHqtN"
	  "IOA3G7ukzGmPopXJRjr6Ljl/hTPMti+VZ+UBAAAAFxYAFL4Y0VKpsBIDna89p95P"
	  "UzSe7LmF/////4b4qkOnHf8USIk6UwpyN+9rRgi7st0tAXHmOuxqSJC0AQAAABcW"
	  "ABT+Pp7xp0XpdNkCxDVZQ6vLNL1TU/////8CAMLrCwAAAAAZdqkUhc/xCX/Z4Ai7"
	  "NK9wnGIZeziXikiIrHL++E4sAAAAF6kUM5cluiHv1irHU6m80GfWx6ajnQWHAkcw"
	  "RAIgJxK+IuAnDzlPVoMR3HyppolwuAJf3TskAinwf4pfOiQCIAGLONfc0xTnNMkn"
	  "a9b7QPZzMlvEuqFEyADS8vAtsnZcASED0uFWdJQbrUqZY3LLh+GFbTZSYG2YVi/j"
	  "nF6efkE/IQUCSDBFAiEA0SuFLYXc2WHS9fSrZgZU327tzHlMDDPOXMMJ/7X85Y0C"
	  "IGczio4OFyXBl/saiK9Z9R5E5CVbIBZ8hoQDHAXR8lkqASECI7cr7vCWXRC+B3jv"
	  "7NYfysb3mk6haTkzgHNEZPhPKrMAAAAAAAAA",
	    NULL,
	    "cHNidP8BAHUCAAAAASaBcTce3/KF6Tet7qSze3gADAVmy7OtZGQXE8pCFxv2AAAA"
	    "AAD+////AtPf9QUAAAAAGXapFNDFmQPFusKGh2DpD9UhpGZap2UgiKwA4fUFAAAA"
	    "ABepFDVF5uM7gyxHBQ8k0+65PJwDlIvHh7MuEwAAAQDMAQAAAAKJo8ceq00g4Dcb"
	    "u6TMaY+ilclGOvouOX+FM8y2L5Vn5QEAAAAXFgAUvhjRUqmwEgOdrz2n3k9TNJ7s"
	    "uYX/////hviqQ6cd/xRIiTpTCnI372tGCLuy3S0BceY67GpIkLQBAAAAFxYAFP4+"
	    "nvGnRel02QLENVlDq8s0vVNT/////wIAwusLAAAAABl2qRSFz/EJf9ngCLs0r3Cc"
	    "Yhl7OJeKSIiscv74TiwAAAAXqRQzlyW6Ie/WKsdTqbzQZ9bHpqOdBYcAAAAAAAAA" },
};

static char *
encode(const struct psbt *p)
{
	struct wbuf w;
	char *b64;

	wbuf_init(&w);
	psbt_serialize(p, &w);
	b64 = xmalloc((w.len + 2) / 3 * 4 + 1);
	rpc_base64_encode(w.p, w.len, b64);
	wbuf_free(&w);
	return b64;
}

static int
decode(const char *b64, struct psbt *p, char *err, size_t errlen)
{
	size_t len;
	char *raw = rpc_base64_decode(b64, &len);
	int rc;

	if (raw == NULL) {
		snprintf(err, errlen, "invalid base64");
		return -1;
	}
	rc = psbt_parse((const uint8_t *)raw, len, p, err, errlen);
	free(raw);
	return rc;
}

static void
test_vectors(void)
{
	struct psbt p;
	char err[256], *b64;
	size_t i;

	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		err[0] = '\0';
		if (vectors[i].err != NULL) {
			CHECK_EQ_INT(decode(vectors[i].b64, &p, err,
					 sizeof(err)),
			    -1);
			CHECK_EQ_STR(err, vectors[i].err);
			continue;
		}
		CHECK_EQ_INT(decode(vectors[i].b64, &p, err, sizeof(err)), 0);
		b64 = encode(&p);
		CHECK_EQ_STR(b64, vectors[i].ser);
		free(b64);
		psbt_free(&p);
	}
}

/* Core's own messages for the stream running out and for extra bytes. */
static void
test_truncated(void)
{
	const char *full = vectors[sizeof(vectors) / sizeof(vectors[0]) - 2]
			       .b64;
	struct psbt p;
	uint8_t *raw;
	size_t len, n;
	char err[256];
	char *r = rpc_base64_decode(full, &len);

	raw = (uint8_t *)r;
	CHECK_EQ_INT(psbt_parse(raw, 3, &p, err, sizeof(err)), -1);
	CHECK_EQ_STR(err, "DataStream::read(): end of data: iostream error");
	CHECK_EQ_INT(psbt_parse(raw, len - 1, &p, err, sizeof(err)), -1);
	CHECK_EQ_STR(err,
	    "Outputs provided does not match the number of "
	    "outputs in transaction.: iostream error");
	/* Every prefix fails, none reads past its end. */
	for (n = 0; n < len; n++)
		CHECK_EQ_INT(psbt_parse(raw, n, &p, err, sizeof(err)), -1);
	raw = xrealloc(raw, len + 1);
	raw[len] = 0;
	CHECK_EQ_INT(psbt_parse(raw, len + 1, &p, err, sizeof(err)), -1);
	CHECK_EQ_STR(err, "extra data after PSBT");
	free(raw);
}

/*
 * An empty value at the very end of the input (the fuzzer's first find:
 * copying it read one byte past the buffer, which ASan builds catch).
 */
static void
test_empty_value_at_end(void)
{
	static const uint8_t head[] = { 'p', 's', 'b', 't', 0xff, 0x01, 0x00,
		10, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
		0x00 };
	struct psbt p;
	uint8_t *raw;
	char err[128];
	size_t n = sizeof(head);

	/* A transaction without inputs and outputs, then an unknown record. */
	raw = xmalloc(n + 3);
	memcpy(raw, head, n);
	raw[n] = 1;
	raw[n + 1] = 0x42;
	raw[n + 2] = 0;
	CHECK_EQ_INT(psbt_parse(raw, n + 3, &p, err, sizeof(err)), -1);
	CHECK_EQ_STR(err,
	    "Separator is missing at the end of the global "
	    "map: iostream error");
	free(raw);
}

/* A transaction spending nin made-up outputs to one P2WPKH output. */
static void
make_tx(struct tx *tx, size_t nin, uint8_t *spk)
{
	size_t i;

	memset(tx, 0, sizeof(*tx));
	tx->version = 2;
	tx->vin_count = nin;
	tx->vin = xcalloc(nin, sizeof(*tx->vin));
	for (i = 0; i < nin; i++) {
		memset(tx->vin[i].prevout.hash, 0x30 + (int)i, 32);
		tx->vin[i].prevout.n = (uint32_t)i;
		tx->vin[i].sequence = 0xfffffffd;
	}
	tx->vout_count = 1;
	tx->vout = xcalloc(1, sizeof(*tx->vout));
	tx->vout[0].value = 90000;
	spk[0] = 0x00;
	spk[1] = 20;
	memset(spk + 2, 0x77, 20);
	tx->vout[0].script = spk;
	tx->vout[0].script_len = 22;
}

static void
test_from_tx_and_combine(void)
{
	struct psbt a, b, c;
	struct tx tx;
	uint8_t spk[22], key[34];
	char err[128], *x, *y;

	make_tx(&tx, 2, spk);
	psbt_from_tx(&a, &tx);
	psbt_from_tx(&b, &tx);
	x = encode(&a);
	CHECK_EQ_INT(decode(x, &c, err, sizeof(err)), 0);
	psbt_free(&c);
	/* Unknown records of each side end up in the combination, sorted. */
	key[0] = 0x99;
	key[1] = 0x02;
	CHECK_EQ_INT(psbt_map_add(&a.in[1].unknown, key, 2, key, 1), 1);
	key[1] = 0x01;
	CHECK_EQ_INT(psbt_map_add(&b.in[1].unknown, key, 2, key, 1), 1);
	CHECK_EQ_INT(psbt_map_add(&b.in[1].unknown, key, 2, key, 2), 0);
	CHECK_EQ_INT(psbt_merge(&a, &b), 0);
	CHECK_EQ_INT(a.in[1].unknown.n, 2);
	CHECK_EQ_INT(a.in[1].unknown.r[0].key[1], 0x01);
	/* A PSBT of another transaction does not combine. */
	free(x);
	tx.locktime = 1;
	psbt_free(&b);
	psbt_from_tx(&b, &tx);
	CHECK_EQ_INT(psbt_merge(&a, &b), -1);
	y = encode(&a);
	CHECK(strlen(y) > 0);
	free(y);
	psbt_free(&a);
	psbt_free(&b);
	free(tx.vin);
	free(tx.vout);
}

/* Kinds of output spent in test_finalize. */
enum { K_P2PKH, K_P2WPKH, K_P2SH_P2WPKH, K_P2WSH_MULTI, K_COUNT };

static void
test_finalize(void)
{
	uint8_t secret[32], pk[65], h[32], h20[20], der[KEY_DER_MAX + 1];
	uint8_t spk[22], prev_spk[K_COUNT][40], redeem[22], ws[40], code[26];
	size_t pklen, derlen, i, code_len, plen[K_COUNT];
	const uint8_t *keys[1];
	struct psbt p;
	struct tx tx, prev, out;
	struct wbuf w;
	char err[128], *b64;
	int64_t amount = 100000;

	memset(secret, 0, 32);
	secret[31] = 7;
	CHECK_EQ_INT(key_pubkey(secret, 1, pk, &pklen), 0);
	hash160(pk, pklen, h20);
	/* The outputs spent: one of each kind. */
	prev_spk[K_P2PKH][0] = 0x76;
	prev_spk[K_P2PKH][1] = 0xa9;
	prev_spk[K_P2PKH][2] = 20;
	memcpy(prev_spk[K_P2PKH] + 3, h20, 20);
	prev_spk[K_P2PKH][23] = 0x88;
	prev_spk[K_P2PKH][24] = 0xac;
	plen[K_P2PKH] = 25;
	prev_spk[K_P2WPKH][0] = 0;
	prev_spk[K_P2WPKH][1] = 20;
	memcpy(prev_spk[K_P2WPKH] + 2, h20, 20);
	plen[K_P2WPKH] = 22;
	memcpy(redeem, prev_spk[K_P2WPKH], 22);
	hash160(redeem, 22, h20);
	prev_spk[K_P2SH_P2WPKH][0] = 0xa9;
	prev_spk[K_P2SH_P2WPKH][1] = 20;
	memcpy(prev_spk[K_P2SH_P2WPKH] + 2, h20, 20);
	prev_spk[K_P2SH_P2WPKH][22] = 0x87;
	plen[K_P2SH_P2WPKH] = 23;
	keys[0] = pk;
	wbuf_init(&w);
	script_build_multisig(&w, 1, keys, &pklen, 1);
	CHECK_EQ_INT(w.len, 37);
	memcpy(ws, w.p, w.len);
	wbuf_free(&w);
	sha256(ws, 37, h);
	prev_spk[K_P2WSH_MULTI][0] = 0;
	prev_spk[K_P2WSH_MULTI][1] = 32;
	memcpy(prev_spk[K_P2WSH_MULTI] + 2, h, 32);
	plen[K_P2WSH_MULTI] = 34;

	make_tx(&tx, K_COUNT, spk);
	/* The previous transaction of the P2PKH input (a non-witness UTXO). */
	memset(&prev, 0, sizeof(prev));
	prev.version = 1;
	prev.vin_count = 1;
	prev.vin = xcalloc(1, sizeof(*prev.vin));
	prev.vout_count = 1;
	prev.vout = xcalloc(1, sizeof(*prev.vout));
	prev.vout[0].value = amount;
	prev.vout[0].script = prev_spk[K_P2PKH];
	prev.vout[0].script_len = plen[K_P2PKH];
	tx_compute_ids(&prev);
	memcpy(tx.vin[K_P2PKH].prevout.hash, prev.txid, 32);
	tx.vin[K_P2PKH].prevout.n = 0;
	psbt_from_tx(&p, &tx);
	psbt_input_set_nwu(&p.in[K_P2PKH], &prev);
	for (i = K_P2WPKH; i < K_COUNT; i++) {
		p.in[i].have_wu = 1;
		p.in[i].wu_value = amount;
		psbt_set_bytes(&p.in[i].wu_script, &p.in[i].wu_script_len,
		    prev_spk[i], plen[i]);
	}
	psbt_set_bytes(&p.in[K_P2SH_P2WPKH].redeem,
	    &p.in[K_P2SH_P2WPKH].redeem_len, redeem, 22);
	psbt_set_bytes(&p.in[K_P2WSH_MULTI].wscript,
	    &p.in[K_P2WSH_MULTI].wscript_len, ws, 37);
	/* Nothing signed: nothing final. */
	CHECK_EQ_INT(psbt_finalize(&p), 0);
	CHECK(!psbt_input_is_final(&p.in[K_P2PKH]));
	/* Each input signed (SIGHASH_ALL) into a partial signature. */
	for (i = 0; i < K_COUNT; i++) {
		if (i == K_P2PKH) {
			script_sighash_legacy(&p.tx, i, prev_spk[i], plen[i],
			    SIGHASH_ALL, h);
		} else {
			code_len = i == K_P2WSH_MULTI ? 37 : 25;
			memcpy(code, prev_spk[K_P2PKH], 25);
			script_sighash_v0(&p.tx, i,
			    i == K_P2WSH_MULTI ? ws : code, code_len, amount,
			    SIGHASH_ALL, NULL, h);
		}
		CHECK_EQ_INT(key_sign_ecdsa(secret, h, der, &derlen), 0);
		der[derlen++] = SIGHASH_ALL;
		{
			uint8_t k[66];

			k[0] = PSBT_IN_PARTIAL_SIG;
			memcpy(k + 1, pk, pklen);
			CHECK_EQ_INT(psbt_map_add(&p.in[i].sigs, k, pklen + 1,
					 der, derlen),
			    1);
		}
	}
	CHECK_EQ_INT(psbt_finalize(&p), 1);
	for (i = 0; i < K_COUNT; i++) {
		CHECK(psbt_input_is_final(&p.in[i]));
		CHECK_EQ_INT(p.in[i].sigs.n, 0);
		/* Segwit spends get their witness UTXO. */
		CHECK_EQ_INT(p.in[i].have_wu, i != K_P2PKH);
	}
	CHECK(p.in[K_P2SH_P2WPKH].final_sig_len == 23);
	CHECK(p.in[K_P2WPKH].final_sig_len == 0);
	/* The extracted transaction passes the script checks. */
	psbt_extract(&p, &out);
	for (i = 0; i < K_COUNT; i++) {
		struct txout spent;
		int e;

		CHECK(psbt_input_utxo(&p, i, &spent));
		CHECK_EQ_INT(script_verify_input(&out, i, &spent,
				 SCRIPT_STANDARD_VERIFY_FLAGS, NULL, &e),
		    1);
	}
	psbt_extract_free(&out);
	/* And the finalised PSBT reads back. */
	b64 = encode(&p);
	psbt_free(&p);
	CHECK_EQ_INT(decode(b64, &p, err, sizeof(err)), 0);
	CHECK_EQ_INT(psbt_finalize(&p), 1);
	free(b64);
	psbt_free(&p);
	free(prev.vin);
	free(prev.vout);
	free(tx.vin);
	free(tx.vout);
}

UNIT_MAIN(UNIT_CASE(test_vectors), UNIT_CASE(test_truncated),
    UNIT_CASE(test_empty_value_at_end), UNIT_CASE(test_from_tx_and_combine),
    UNIT_CASE(test_finalize))
