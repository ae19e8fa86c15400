// Reading the notice-problem log for `ssj quarter status`. The log and its types live in
// stores/notice-problems.ts on the shared store; an old per-host notice-problems.db is imported
// into it once when the worker starts (./legacy-files.ts).
import { NoticeProblemLog, type NoticeProblem } from '../stores/notice-problems';
import { openStoreDatabase, type StoreSettings } from '../stores/open';

export type { DeliveryStatus, NoticeAlert, NoticeProblem, RefusalCode, RefusedRecipient } from '../stores/notice-problems';

/** The campaign's notice problems from the shared store, oldest first. */
export async function campaignNoticeProblems(store: StoreSettings, campaignId: string): Promise<NoticeProblem[]> {
  const db = await openStoreDatabase(store);
  try {
    return await new NoticeProblemLog(db).list(campaignId);
  } finally {
    await db.close();
  }
}
