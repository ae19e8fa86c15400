// Saved inspection result forms (保存草稿): one draft per inspection (campaign + unit), written by
// any member of its team, last writer wins (updated_by / updated_at say who and when). The form's
// values are the console's (console/inspection-form.ts) and stored as JSON; evidence files are
// listed by SHA-256, their bytes in the blob store. Submitting the result deletes the draft.
import type { SqlDatabase } from './sql';

/** An uploaded evidence file as a draft lists it (bytes in the blob store under `sha256`). */
export interface EvidenceFile {
  fileName: string;
  sha256: string;
  /** The checked type: image/jpeg, image/png or application/pdf. */
  contentType: string;
  size: number;
  uploadedBy: string;
  uploadedAt: string;
}

export interface ResultDraft {
  campaignId: string;
  unitId: string;
  /** The form as the console saved it (its own shape; the console checks it on reading). */
  values: unknown;
  evidence: EvidenceFile[];
  updatedBy: string;
  /** ISO-8601 UTC. */
  updatedAt: string;
}

interface Row {
  campaign_id: string;
  unit_id: string;
  values_json: string;
  evidence_json: string;
  updated_by: string;
  updated_at: string;
}

export class ResultDraftStore {
  constructor(private readonly db: SqlDatabase) {}

  async get(campaignId: string, unitId: string): Promise<ResultDraft | null> {
    const r = await this.db.get<Row>('SELECT * FROM result_drafts WHERE campaign_id = ? AND unit_id = ?', [campaignId, unitId]);
    return r
      ? {
          campaignId: String(r.campaign_id),
          unitId: String(r.unit_id),
          values: JSON.parse(String(r.values_json)) as unknown,
          evidence: JSON.parse(String(r.evidence_json)) as EvidenceFile[],
          updatedBy: String(r.updated_by),
          updatedAt: String(r.updated_at),
        }
      : null;
  }

  /** Writes the whole draft (last writer wins). */
  async save(d: ResultDraft): Promise<void> {
    await this.db.run(
      `INSERT INTO result_drafts (campaign_id, unit_id, values_json, evidence_json, updated_by, updated_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (campaign_id, unit_id) DO UPDATE SET values_json = excluded.values_json, evidence_json = excluded.evidence_json,
         updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
      [d.campaignId, d.unitId, JSON.stringify(d.values), JSON.stringify(d.evidence), d.updatedBy, d.updatedAt],
    );
  }

  /** After the result is submitted (deleting a draft that is not there changes nothing). */
  async delete(campaignId: string, unitId: string): Promise<void> {
    await this.db.run('DELETE FROM result_drafts WHERE campaign_id = ? AND unit_id = ?', [campaignId, unitId]);
  }
}
