/*
 * policies.js: on a site's page, where its retention period comes from (the registry record's
 * "retention", hub/cityrules.h): the number its policy's text sets, or the city's rule and
 * whether the site has received it; and the words of a finding about it. The hub decides and
 * sends; this only shows what the record says, in the site's zone (common.js fmtTime).
 */
'use strict';
(function () {
  const { fmtTime } = window.mm;
  const t = window.mmI18n.t;

  function range(min, max) {
    return max ? t('ret.range', { min, max }) : t('ret.range_min', { min });
  }

  /* The retention's source as one line, or null when the record says nothing of it. */
  function retentionText(rec) {
    const r = rec && rec.retention;
    if (!r) return null;
    if (r.source === 'text') return t('ret.text', { text: r.text, clause: r.clause, floor: r.floor_days });
    const head = r.rule ? t('ret.rule', { rule: r.rule.rule, range: range(r.rule.retention_days_min, r.rule.retention_days_max) }) : '';
    const state = t('ret.state.' + r.state, {
      text: r.text, clause: r.clause, notice: r.notice || '—', time: fmtTime(r.received_us),
    });
    return head ? `${head} — ${state}` : state;
  }

  /* The Japanese sentence of a retention_outside_city_rule finding (words.js). */
  function findingJa(f, rec) {
    const ev = f.evidence || {};
    const fa = (rec && rec.facts) || {};
    const one = (v) => (Array.isArray(v) ? v[0] : v);
    return t('fmsg.retention_outside_city_rule', {
      days: fa.retention_days !== undefined ? fa.retention_days : '—',
      reg: fa.registered_retention_days || '—',
      rule: ev.rule || '—',
      range: range(one(ev.retention_days_min), one(ev.retention_days_max)),
      received: ev.entries && ev.entries.length > 1 ? '' : t('fmsg.city_rule_not_received'),
      message: f.message || '',
    });
  }

  window.mmPolicies = { retentionText, findingJa };
})();
