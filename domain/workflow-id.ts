// Workflow ids become folder names (manifests, notices, the publication under the data folder), so
// every id is checked against one pattern before it reaches a path. The pattern admits the ids the
// programme makes (`campaign-<programme>-2024q1`, `<campaign>.batch.0`, `<campaign>.insp.<hex>`)
// and those a Schedule makes, which end in the scheduled time (`…-2024-04-01T00:00:00Z`), but no
// `/`, `\`, NUL, space, or a leading `.` (so never `.` or `..`).
export const WORKFLOW_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;

/** The failure type of an id refused as a path (non-retryable: the id never changes). */
export const UNSAFE_WORKFLOW_ID = 'UnsafeWorkflowId';

/** Why `id` may not be used as a folder name, or null when it may. */
export function workflowIdProblem(id: unknown): string | null {
  if (typeof id !== 'string') return `workflow id must be a string, got ${typeof id}`;
  if (WORKFLOW_ID_PATTERN.test(id)) return null;
  return (
    `workflow id ${JSON.stringify(id.length > 80 ? `${id.slice(0, 80)}…` : id)} cannot name a folder: ` +
    `it must match ${String(WORKFLOW_ID_PATTERN)} (letters, digits, . _ : -, not starting with a dot, at most 128 characters)`
  );
}

/** A workflow id refused as a folder name (activities turn it into a non-retryable `UnsafeWorkflowId`). */
export class UnsafeWorkflowIdError extends Error {
  override name = 'UnsafeWorkflowIdError';
}

/** `id`, checked: call it wherever a workflow id becomes part of a path. */
export function safeWorkflowId(id: string): string {
  const problem = workflowIdProblem(id);
  if (problem) throw new UnsafeWorkflowIdError(problem);
  return id;
}
