/** Parsers turn one raw environment string into a typed value or throw a message for the user. */
export type Parser<T> = (raw: string) => T;

export class InvalidValue extends Error {}

export function text(opts: { pattern?: RegExp; hint?: string } = {}): Parser<string> {
  return (raw) => {
    if (opts.pattern && !opts.pattern.test(raw)) {
      throw new InvalidValue(opts.hint ?? `must match ${String(opts.pattern)}`);
    }
    return raw;
  };
}

export function url(protocols: readonly string[]): Parser<string> {
  return (raw) => {
    let parsed: URL;
    try {
      parsed = new URL(raw);
    } catch {
      throw new InvalidValue(`must be a URL (${protocols.join(' or ')})`);
    }
    if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
      throw new InvalidValue(`must use ${protocols.join(' or ')}, not ${parsed.protocol}`);
    }
    return raw;
  };
}

export function integer(min: number, max: number): Parser<number> {
  return (raw) => {
    if (!/^-?\d+$/.test(raw.trim())) throw new InvalidValue('must be a whole number');
    const value = Number(raw);
    if (value < min || value > max) throw new InvalidValue(`must be between ${min} and ${max}`);
    return value;
  };
}

export function port(): Parser<number> {
  return integer(0, 65535);
}

export function boolean(): Parser<boolean> {
  return (raw) => {
    const value = raw.trim().toLowerCase();
    if (['true', '1', 'yes', 'on'].includes(value)) return true;
    if (['false', '0', 'no', 'off'].includes(value)) return false;
    throw new InvalidValue('must be true or false');
  };
}

export function oneOf<const T extends string>(values: readonly T[]): Parser<T> {
  return (raw) => {
    const match = values.find((v) => v === raw.trim());
    if (match === undefined) throw new InvalidValue(`must be one of: ${values.join(', ')}`);
    return match;
  };
}

/** A comma-separated list of bearer tokens; short tokens are refused because they can be guessed. */
export function tokenList(minLength: number): Parser<string[]> {
  return (raw) => {
    const tokens = raw
      .split(',')
      .map((t) => t.trim())
      .filter((t) => t.length > 0);
    if (tokens.some((t) => t.length < minLength)) {
      throw new InvalidValue(`every token must be at least ${minLength} characters`);
    }
    return tokens;
  };
}
