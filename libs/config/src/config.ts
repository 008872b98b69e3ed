import { z } from 'zod';

/**
 * Configuration comes from environment variables and is validated once, at start-up: a missing or
 * malformed variable stops the process with one line that names it, instead of a failure later.
 */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly problem: string,
  ) {
    super(`configuration error: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/** Variables whose values an error line never repeats. */
const SECRET_NAME = /(PASSWORD|SECRET)$/;

/** Parses `env` with a zod object whose keys are the variable names. Throws ConfigError. */
export function parseConfig<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Env = process.env,
): z.infer<z.ZodObject<Shape>> {
  const relevant = Object.fromEntries(
    Object.keys(shape).map((name) => [name, emptyToUndefined(env[name])]),
  );
  const result = z.object(shape).safeParse(relevant);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const variable = String(issue.path[0] ?? '(unknown)');
  const given = relevant[variable];
  // A secret's value would end up in the logs that collect the error line.
  const shown =
    SECRET_NAME.test(variable) || isConfidential(issue) ? '' : ` (${JSON.stringify(given)})`;
  throw new ConfigError(
    variable,
    given === undefined ? `is required: ${issue.message}` : `is invalid${shown}: ${issue.message}`,
  );
}

/** For entry points: print the one line and exit, so a misconfigured deployment fails loudly and at once. */
export function loadConfigOrExit<Shape extends z.ZodRawShape>(
  shape: Shape,
  env: Env = process.env,
): z.infer<z.ZodObject<Shape>> {
  try {
    return parseConfig(shape, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`firstline: ${error.message}\n`);
    process.exit(78); // EX_CONFIG
  }
}

/** A problem a validator reports without the value, which holds secrets (see `jsonList`). */
function isConfidential(issue: z.core.$ZodIssue): boolean {
  return issue.code === 'custom' && issue.params?.confidential === true;
}

function emptyToUndefined(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}
