import { SettingsError } from '../domain/vendor-module.js';

/**
 * Small readers every module's `settings.read` uses, so each variable is checked the same way
 * and a wrong one stops the start with one line naming it (PRODUCT.md §3).
 */
export type Env = Readonly<Record<string, string | undefined>>;

const HTTP_URL = /^https?:\/\/[^\s]+$/;

/** A set value, trimmed; `NAME=` (as in .env.example) means unset. */
export function text(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** A vendor is configured when all of its credential group is set; part of a group is a mistake. */
export function credentialGroup(env: Env, names: readonly string[]): boolean {
  const missing = names.filter((name) => text(env, name) === undefined);
  if (missing.length === names.length) return false;
  if (missing.length > 0) {
    const prefix = missing[0]!.split('_')[0];
    throw new SettingsError(missing[0]!, `is required once any ${prefix}_ credential is set`);
  }
  return true;
}

export function httpUrl(env: Env, name: string, fallback?: string): string | undefined {
  const value = text(env, name) ?? fallback;
  if (value !== undefined && !HTTP_URL.test(value)) throw new SettingsError(name, 'must be an http(s) URL');
  return value;
}

export function trimSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

export function wholeNumber(env: Env, name: string, options: { min?: number } = {}): number | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new SettingsError(name, 'must be a whole number');
  if (!Number.isInteger(number)) throw new SettingsError(name, 'must be a whole number');
  if (options.min !== undefined && number < options.min) throw new SettingsError(name, `must be at least ${options.min}`);
  return number;
}

/** Seconds (fractions allowed), in milliseconds. */
export function positiveSeconds(env: Env, name: string, fallback: number): number {
  const value = text(env, name);
  const number = value === undefined ? fallback : Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new SettingsError(name, 'must be a number above 0');
  return Math.round(number * 1000);
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[]): T | undefined {
  const value = text(env, name);
  if (value === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw new SettingsError(name, `must be one of ${allowed.join(', ')}`);
  return value as T;
}
