/*
 * siteconf.h: the site configuration an edge runs from.
 *
 *   {"site": "site-a",
 *    "key_file": "site-a.key",
 *    "state_dir": "state/site-a",
 *    "segment_seconds": 10,
 *    "hub": {"endpoint": "tcp://127.0.0.1:7400", "curve_public": "<Z85>",
 *            "verifier": "hub+1a2b3c4d+AQ..."},
 *    "cameras": [{"id": "cam1", "url": "rtsp://127.0.0.1:8554/cam1"}]}
 *
 * Relative paths resolve against the directory of the configuration file. Loading checks every
 * key and reports every problem at once, each naming the file and the key.
 */
#ifndef EDGE_SITECONF_H
#define EDGE_SITECONF_H

#include <stddef.h>

#include "config.h"
#include "entry.h"
#include "err.h"
#include "keys.h"
#include "note.h"

#define EDGE_MAX_CAMERAS 64

typedef struct {
    char id[MM_ID_MAX];
    char *url;
} edge_config_camera_t;

typedef struct {
    char site[MM_KEY_NAME_MAX];
    char *key_file;        /* resolved */
    char *state_dir;       /* resolved */
    int segment_seconds;   /* target segment length */
    char *hub_endpoint;
    char hub_curve_public[MM_Z85_KEY_LEN + 1];
    mm_note_verifier_t hub_verifier;
    size_t n_cameras;
    edge_config_camera_t cameras[EDGE_MAX_CAMERAS];
} edge_config_t;

/*
 * Reads the configuration out of conf (already loaded, see common/config.h), recording every
 * problem in conf. Returns MM_ECONFIG when conf has problems afterwards.
 */
mm_err_t edge_config_parse(mm_conf_t *conf, edge_config_t *out);

/* Loads path and parses it; on MM_ECONFIG every problem has been written to the log. */
mm_err_t edge_config_load(const char *path, edge_config_t *out);
void edge_config_free(edge_config_t *cfg);

#endif
