/**
 * The errors a command reports. A CliError carries the code that goes between the parentheses of
 * `<command>: error (<Code>): <message>`: an AWS error code from the service, or one of ours for
 * failures that never reached a service (ConnectionError, MissingCredentials, ...).
 */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * A CliError, also one thrown by a separately bundled module (dist/admin.js has its own copy of
 * the class, so instanceof alone would miss it).
 */
export function isCliError(e: unknown): e is CliError {
  return (
    e instanceof CliError || (e instanceof Error && e.name === 'CliError' && typeof (e as CliError).code === 'string')
  );
}

/** A mistake in how the command was called: the dispatcher prints usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/** Keeps only the first line, so an error can never spill a multi-line dump onto stderr. */
export function oneLine(text: string): string {
  return text
    .split(/\r?\n/)
    .map((s) => s.trim())
    .filter(Boolean)
    .join(' ');
}
