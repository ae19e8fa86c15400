// Workflow interceptor for the crash tests' workers (campaign-worker.ts `shortTimeouts`): Temporal
// learns that a killed worker's activity attempt is dead only when a timeout runs out (5 minutes
// for a notice, a 2-minute heartbeat for the publication in production: workflows/common.ts).
// As the rehearsal clock compresses the quarter's days, this compresses those timeouts, so a
// crash test waits seconds for the retry. Only the options of scheduled activities change; every
// activity, argument and retry policy stays the production one.
import type { Duration } from '@temporalio/common';
import type { ActivityInput, Next, WorkflowInterceptorsFactory, WorkflowOutboundCallsInterceptor } from '@temporalio/workflow';

const START_TO_CLOSE: Duration = '20 seconds';
const HEARTBEAT: Duration = '10 seconds';

export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      scheduleActivity(input: ActivityInput, next: Next<WorkflowOutboundCallsInterceptor, 'scheduleActivity'>) {
        const options = { ...input.options, startToCloseTimeout: START_TO_CLOSE };
        if (input.options.heartbeatTimeout !== undefined) options.heartbeatTimeout = HEARTBEAT;
        return next({ ...input, options });
      },
    },
  ],
});
