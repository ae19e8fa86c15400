// The operations pages in one call for the server: the quarter (./quarter.ts), the year's
// statistics (./year.ts), the publication (./publication.ts) and the registry templates (./registries.ts).
import type { Client } from '@temporalio/client';
import type { FastifyInstance } from 'fastify';
import type { RouteContext } from './approvals';
import { registerPublication } from './publication';
import { registerRegistries } from './registries';
import { registerQuarter, type OperationsDeps } from './quarter';
import { registerYear } from './year';

export type { OperationsDeps };

export function registerOperationsPages(app: FastifyInstance, ctx: RouteContext, temporal: Client, ops: OperationsDeps): void {
  registerQuarter(app, ctx, temporal, ops);
  registerYear(app, ctx, temporal, ops);
  registerPublication(app, ctx, temporal);
  registerRegistries(app, ctx);
}
