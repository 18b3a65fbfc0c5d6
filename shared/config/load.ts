import { InvalidValue } from './parsers.js';
import { settings, type Config, type Setting, type SettingKey } from './settings.js';

export class ConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface LoadOptions {
  /** Settings without a default that this service cannot run without. */
  readonly require?: readonly SettingKey[];
}

type Env = Readonly<Record<string, string | undefined>>;

/**
 * Reads and validates every setting once. All problems are reported together, each naming the
 * variable at fault; values of secret settings are never echoed.
 */
export function loadConfig(env: Env, options: LoadOptions = {}): Config {
  const problems: string[] = [];
  const values: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(settings) as [SettingKey, Setting<unknown>][]) {
    const raw = env[spec.env] ?? spec.default;
    if (raw === undefined || raw === '') {
      if (options.require?.includes(key)) problems.push(`${spec.env} is required: ${spec.doc}`);
      continue;
    }
    try {
      values[key] = spec.parse(raw);
    } catch (error) {
      if (!(error instanceof InvalidValue)) throw error;
      const shown = spec.secret ? '' : ` (got "${raw}")`;
      problems.push(`${spec.env} ${error.message}${shown}`);
    }
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(values) as Config;
}

/** The configuration table of the README, generated so docs and code cannot drift. */
export function configTable(): string {
  const rows = Object.values(settings).map((s: Setting<unknown>) => {
    const shown = s.default === undefined ? '(unset)' : `\`${s.default}\``;
    return `| \`${s.env}\` | ${shown} | ${s.doc} |`;
  });
  return ['| variable | default | meaning |', '|---|---|---|', ...rows].join('\n');
}
