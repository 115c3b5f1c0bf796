/*
 * standards.h: the site's standards document, in Japanese, generated from the configuration the
 * edge enforces (R-K2.2.7, R-N4.1).
 *
 * Both rules ask the installer to write down how the cameras are run: Kawaguchi's standard
 * 2.2(7) asks for a 「防犯カメラの管理・運用に関する規程」 covering its items ア–キ; Naha's
 * ordinance (第4条) asks for a 「防犯カメラ設置運用基準」 covering what 第5条–第7条 demand, filed
 * with the mayor and again on every change (R-N4.2). An installer outside Kawaguchi's scope
 * (voluntary, 第4) gets the 規程 by the standard's spirit; the city's own cameras (city, Naha
 * 第9条) get a 規程 in the ordinance's order under the personal-information law. Every document
 * opens by saying which policy applies and why (common/policy.h), states the legal bases its
 * text admits with their clauses, and where the retention period comes from: the text's number,
 * or the city's rule as received (meta->city_rule), or that the rule is not yet received. Written
 * by hand, such a document drifts from what the recorder does. Here it is rendered from
 * edge_config_t (siteconf.h, governance.h): purpose, cameras, coverage, signage, people and roles,
 * retention and storage all come from the configuration that loaded, so the document says what the
 * edge enforces. Fixed text states the measures the software takes whatever the configuration
 * (encryption, the signed site log, cryptographic erasure); it changes only with the software.
 *
 * The document is one string in Markdown or in HTML (a complete page, printable on A4, with no
 * scripts and nothing fetched from elsewhere). Every text taken from the configuration or from
 * meta is escaped for the format, so no value can become markup. An optional value that is
 * absent is written 「未記載」. The output depends on nothing but the arguments: the same inputs
 * always give the same bytes, so a document can be hashed, filed and compared.
 */
#ifndef EDGE_STANDARDS_H
#define EDGE_STANDARDS_H

#include <stdint.h>

#include "edge/cityrule.h"
#include "edge/siteconf.h"

/* What the configuration does not say about a document: its version and what is in force now.
 * Every pointer is borrowed for the call. */
typedef struct {
    uint32_t version;                /* 1, 2, ...; 0 renders a draft ("案") with no version */
    const char *effective;           /* "YYYY-MM-DD" the version took effect, or NULL */
    const int *is_operator;          /* NULL: cfg->gov.is_operator; else the operators in force now
                                        (runtime designations/revocations), indexed like cfg->gov.people */
    const char *const *camera_state; /* NULL, or per camera "recording"/"suspended"/"abolished" */
    const edge_city_rule_t *city_rule; /* the city's rule for the retention period received
                                          (cityrule.h), or NULL: not received */
} edge_standards_meta_t;

typedef enum { EDGE_DOC_MARKDOWN = 1, EDGE_DOC_HTML = 2 } edge_doc_format_t;

/*
 * The document for cfg as a malloc'd NUL-terminated UTF-8 string, which the caller frees; NULL
 * when out of memory, when cfg is NULL or when fmt is neither format. meta may be NULL: a draft
 * with the configured operators and every camera recording. A camera_state entry that is NULL
 * means "recording"; any other unknown state is shown as given. The manager is never listed as
 * an operator, whatever is_operator says (the edge refuses that designation, R-N6.1). The same
 * inputs always give the same bytes.
 */
char *edge_standards_render(const edge_config_t *cfg, const edge_standards_meta_t *meta,
                            edge_doc_format_t fmt);

#endif
