/*
 * vocab.c: the name tables of vocab.h.
 */
#include "common/vocab.h"

MM_ENUM_DEFINE(mm_policy, MM_POLICY, MM_POLICY_MAP, "policy")
MM_ENUM_DEFINE(mm_role, MM_ROLE, MM_ROLE_MAP, "role")
MM_ENUM_DEFINE(mm_role_change, MM_ROLE_CHANGE, MM_ROLE_CHANGE_MAP, "role change")
MM_ENUM_DEFINE(mm_viewing_state, MM_VIEWING_STATE, MM_VIEWING_STATE_MAP, "viewing state")
MM_ENUM_DEFINE(mm_cam_state, MM_CAM_STATE, MM_CAM_STATE_MAP, "camera state")
MM_ENUM_DEFINE(mm_alarm, MM_ALARM, MM_ALARM_MAP, "storage alarm")
MM_ENUM_DEFINE(mm_erase_reason, MM_ERASE_REASON, MM_ERASE_REASON_MAP, "erasure reason")
MM_ENUM_DEFINE(mm_request_kind, MM_REQUEST_KIND, MM_REQUEST_KIND_MAP, "request kind")
MM_ENUM_DEFINE(mm_legal_basis, MM_LEGAL_BASIS, MM_LEGAL_BASIS_MAP, "legal basis")
MM_ENUM_DEFINE(mm_disclosure_step, MM_DISCLOSURE_STEP, MM_DISCLOSURE_STEP_MAP, "disclosure step")
MM_ENUM_DEFINE(mm_complaint_step, MM_COMPLAINT_STEP, MM_COMPLAINT_STEP_MAP, "complaint step")
MM_ENUM_DEFINE(mm_complaint_channel, MM_COMPLAINT_CHANNEL, MM_COMPLAINT_CHANNEL_MAP,
               "complaint channel")
MM_ENUM_DEFINE(mm_integrity, MM_INTEGRITY, MM_INTEGRITY_MAP, "integrity fault")

int mm_request_kind_is_notice(mm_request_kind_t kind)
{
    switch (kind) {
    case MM_REQUEST_KIND_FILING_DECISION:
    case MM_REQUEST_KIND_GUIDANCE:
    case MM_REQUEST_KIND_RECOMMENDATION:
    case MM_REQUEST_KIND_HEARING_OFFER:
    case MM_REQUEST_KIND_PUBLICATION:
    case MM_REQUEST_KIND_CITY_RULE:
        return 1;
    default:
        return 0;
    }
}
