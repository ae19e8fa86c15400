// The console's saved result forms (保存草稿, stores/result-drafts.ts): one row per inspection
// (campaign + unit), last writer wins. The form's values and the evidence list are JSON text; the
// evidence bytes are in the blob store (blobs), named here by SHA-256. Portable SQL.
export const RESULT_DRAFTS_SCHEMA = `
  CREATE TABLE result_drafts (
    campaign_id TEXT NOT NULL,
    unit_id TEXT NOT NULL,
    values_json TEXT NOT NULL,
    evidence_json TEXT NOT NULL,
    updated_by TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (campaign_id, unit_id)
  );
`;
