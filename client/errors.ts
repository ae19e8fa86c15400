// Errors the command line turns into a message and an exit code that scripts can trust.

export const ExitCode = {
  ok: 0,
  /** The command ran and the answer is "no" (e.g. verify found a difference). */
  failed: 1,
  /** Bad input: a flag, a file, a row or a message broke a rule. Nothing was changed. */
  badInput: 2,
  /** The thing named does not exist, or is in a state that refuses the action. */
  refused: 3,
  /** A server (Temporal, SMTP) could not be reached. */
  unavailable: 4,
  /** Something the program did not expect: a bug or a broken installation. Details go to a log file. */
  unexpected: 5,
} as const;

export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = ExitCode.badInput,
    /** What the user should do about it, printed after the message. */
    readonly hint?: string,
  ) {
    super(message);
    this.name = 'UserError';
  }
}
