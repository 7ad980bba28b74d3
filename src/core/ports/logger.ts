/** The subset of pino the core uses, so a fake is trivial. */
export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
  debug(obj: object | string, msg?: string): void;
  child(bindings: Record<string, unknown>): Logger;
  /** pino's: whether a line at this level would be written (absent: assume it would). */
  isLevelEnabled?(level: string): boolean;
}
