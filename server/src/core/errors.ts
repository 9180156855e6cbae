/** The message of anything thrown, without its stack: what a user or a log line should read. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
