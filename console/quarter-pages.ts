// The operations pages in one call for the server: the quarter (./quarter.ts), the year's
// statistics (./year.ts), and the publication (./publication.ts); the registries (./registries.ts) need no Temporal and are registered by the server.
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './approvals';
import { registerProgramme } from './programme-page';
import { registerPublication } from './publication';
import { registerQuarter, type OperationsDeps } from './quarter';
import { registerYear } from './year';

export type { OperationsDeps };

export function registerOperationsPages(app: FastifyInstance, ctx: RouteContext, temporal: Client, ops: OperationsDeps): void {
  registerQuarter(app, ctx, temporal, ops);
  registerYear(app, ctx, temporal, ops);
  registerProgramme(app, ctx, temporal, ops);
  registerPublication(app, ctx, temporal);
}
