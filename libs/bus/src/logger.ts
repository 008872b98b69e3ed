/** Where the bus reports what it does; the services pass their own (pino) logger through an adapter. */
export interface BusLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export const silentLogger: BusLogger = {
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/** The default: warnings and errors as JSON lines on stderr, so a bus without a logger is quiet but never mute. */
export const stderrJsonLogger: BusLogger = {
  info: () => undefined,
  warn: (message, fields) => writeLine('warn', message, fields),
  error: (message, fields) => writeLine('error', message, fields),
};

function writeLine(level: string, message: string, fields?: Record<string, unknown>): void {
  process.stderr.write(
    `${JSON.stringify({ level, time: new Date().toISOString(), logger: 'bus', msg: message, ...fields })}\n`,
  );
}
