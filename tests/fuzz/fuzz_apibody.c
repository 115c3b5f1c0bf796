/*
 * fuzz_apibody.c: bodies of the hub API's requests that change something (hub/apibody.h), as
 * anyone holding a token could send them. Nothing may crash or hang. A body that parses must be
 * one the handler can trust: a known decision, a reason that is NUL-terminated UTF-8 without
 * control characters other than newline and tab, and a reason whenever a filing is returned. A
 * body that does not parse must say why. Violations abort().
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "apibody.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    hub_decision_body_t d;
    char msg[256];
    memset(&d, 0x5a, sizeof d);
    memset(msg, 0x5a, sizeof msg);
    mm_err_t err = hub_body_decision((const char *)data, size, &d, msg, sizeof msg);
    if (err == MM_OK) {
        const char *nul = memchr(d.reason, 0, sizeof d.reason);
        if (!nul || (d.accepted != 0 && d.accepted != 1) ||
            !mm_utf8_valid(d.reason, (size_t)(nul - d.reason)))
            abort();
        for (const char *p = d.reason; p < nul; p++)
            if ((unsigned char)*p < 0x20 && *p != '\n' && *p != '\t')
                abort();
        if (!d.accepted && !d.reason[0])
            abort();
    } else if (err != MM_EPROTO || !memchr(msg, 0, sizeof msg) || !msg[0]) {
        abort();
    }
    return 0;
}
