/** Where the runtime reports what an operator should see; the handlers pass Powertools Logger methods. */
export interface LogSink {
  warn(message: string, detail: Record<string, unknown>): void;
  error(message: string, detail: Record<string, unknown>): void;
}
