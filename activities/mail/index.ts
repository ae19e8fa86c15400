// Mail: notices sent once each (mailer + outbox), their Chinese templates, and the local catcher.
export * from './mailer';
export * from './templates';
export { Outbox, type OutboxRow, type OutboxStatus } from './outbox';
