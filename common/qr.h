/*
 * qr.h: a QR code of a text (an otpauth:// URI for an authenticator app) drawn from
 * libqrencode's modules — as an SVG picture for a web page (the site console's enrolment) or as
 * lines of block characters for a terminal (mimamori-hub person passwd).
 */
#ifndef COMMON_QR_H
#define COMMON_QR_H

/* One path of unit squares on a white field with a four-module quiet zone, scaled by the page;
 * malloc'd, or NULL. */
char *mm_qr_svg(const char *text);
/* The code as text for a terminal: two rows of modules a line in Unicode half blocks (light
 * modules drawn, dark ones blank), each line indented two spaces, with a two-module quiet zone;
 * malloc'd, or NULL. */
char *mm_qr_text(const char *text);

#endif
