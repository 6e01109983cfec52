import { z } from 'zod';
import { SettingsError, type CommonSettings, type SettingField, type VendorSettings } from '../domain/vendor-module.js';

/**
 * A module's slice of the environment as one zod schema (STYLE.md: every boundary is parsed with
 * zod), and the one reader every module's `settings.read` is: each variable is checked the same
 * way, and a wrong one stops the start with one line naming it (PRODUCT.md §3).
 */
export type Env = Readonly<Record<string, string | undefined>>;

/** The names of a module's variables, drawn from its `fields` (the schema's keys are exactly these). */
export type VariableOf<F extends readonly SettingField[]> = F[number]['env'];

const HTTP_URL = /^https?:\/\/[^\s]+$/;

/** A set value, trimmed; `NAME=` (as in .env.example) means unset. */
export const text = z
  .string()
  .optional()
  .transform((value) => value?.trim() || undefined);

/** A credential: one of the group that is set all together or not at all (see `vendorEnv`). */
export const credential = text.pipe(z.string());

const url = z.string().regex(HTTP_URL, 'must be an http(s) URL');

/** A credential that is an http(s) URL (its form is checked once the whole group is set). */
export const credentialUrl = text.pipe(url);

/** An http(s) URL, or the fallback when unset. */
export function httpUrl(fallback: string): z.ZodType<string, string | undefined>;
export function httpUrl(): z.ZodType<string | undefined, string | undefined>;
export function httpUrl(fallback?: string): z.ZodType<string | undefined, string | undefined> {
  return text.pipe(url.optional()).transform((value) => value ?? fallback);
}

/** A whole number (at least `min`), or the fallback when unset. */
export function wholeNumber(options: { min?: number; fallback: number }): z.ZodType<number, string | undefined>;
export function wholeNumber(options?: { min?: number }): z.ZodType<number | undefined, string | undefined>;
export function wholeNumber(options: { min?: number; fallback?: number } = {}): z.ZodType<number | undefined, string | undefined> {
  let number = z.coerce.number<string>({ error: 'must be a whole number' }).refine(Number.isInteger, 'must be a whole number');
  if (options.min !== undefined) number = number.refine((value) => value >= options.min!, `must be at least ${options.min}`);
  return text.pipe(number.optional()).transform((value) => value ?? options.fallback);
}

/** Seconds (fractions allowed, the fallback when unset), in milliseconds. */
export function seconds(fallback: number): z.ZodType<number, string | undefined> {
  const above0 = 'must be a number above 0';
  return text
    .pipe(z.coerce.number<string>({ error: above0 }).refine((value) => value > 0, above0).optional())
    .transform((value) => Math.round((value ?? fallback) * 1000));
}

/** One of `values` as written in the environment (`0`, `me/smssessions`), or the fallback when unset. */
export function oneOf<const T extends string | number>(values: readonly T[], fallback: T): z.ZodType<T, string | undefined>;
export function oneOf<const T extends string | number>(values: readonly T[]): z.ZodType<T | undefined, string | undefined>;
export function oneOf<const T extends string | number>(values: readonly T[], fallback?: T): z.ZodType<T | undefined, string | undefined> {
  const words = values.map(String);
  const reason = `must be one of ${words.join(', ')}`;
  return text
    .pipe(z.string().refine((value) => words.includes(value), reason).optional())
    .transform((value) => (value === undefined ? fallback : values[words.indexOf(value)]));
}

/** Trailing slashes off a base URL (paths are appended to it). */
export function trimSlash(value: string): string {
  return value.replace(/\/+$/, '');
}

/** Members that may be undefined become optional ones (`webhookSecret?: string`), as a client takes them. */
export type Settings<T> = {
  [K in keyof T as undefined extends T[K] ? never : K]: T[K];
} & {
  [K in keyof T as undefined extends T[K] ? K : never]?: T[K];
} extends infer O
  ? { [K in keyof O]: O[K] }
  : never;

/** The settings object a schema's last step builds; every member is kept (an unset one as `undefined`). */
export function settings<T extends object>(value: T): Settings<T> {
  return value as unknown as Settings<T>;
}

type Parsed<S extends Record<string, z.ZodType>> = { [K in keyof S]: z.output<S[K]> };

/**
 * The variables of one module, keyed by their names: each is checked on its own first (in order);
 * then the credential group, all or none (part of it is a mistake naming the first one missing);
 * then each credential's own form, and the form of the variables listed in `afterGroup` (in
 * order; these are checked even when the vendor is not configured). Undefined when none of the
 * group is set: the vendor is not configured.
 */
export function vendorEnv<S extends Record<string, z.ZodType<unknown, string | undefined>>, C extends keyof S & string>(
  shape: S,
  credentials: readonly C[],
  options: { afterGroup?: readonly (keyof S & string)[] } = {},
): z.ZodType<Parsed<S> | undefined, Env> {
  const late = [...credentials, ...(options.afterGroup ?? [])] as readonly string[];
  const subset = (names: readonly string[]) =>
    z.object(Object.fromEntries(Object.entries(shape).filter(([name]) => names.includes(name))));
  const own = Object.fromEntries(Object.entries(shape).map(([name, schema]) => [name, late.includes(name) ? text : schema]));
  const configured = subset(late);
  const unconfigured = subset(options.afterGroup ?? []);
  return z.object(own).transform((env, ctx) => {
    const missing = credentials.filter((name) => env[name] === undefined);
    if (missing.length > 0 && missing.length < credentials.length) {
      const prefix = missing[0]!.split('_')[0];
      ctx.addIssue({ code: 'custom', path: [missing[0]!], message: `is required once any ${prefix}_ credential is set` });
      return z.NEVER;
    }
    const checked = (missing.length === 0 ? configured : unconfigured).safeParse(env);
    if (!checked.success) {
      for (const issue of checked.error.issues) ctx.addIssue({ code: 'custom', path: issue.path, message: issue.message });
      return z.NEVER;
    }
    return missing.length === 0 ? ({ ...env, ...checked.data } as Parsed<S>) : undefined;
  }) as unknown as z.ZodType<Parsed<S> | undefined, Env>;
}

/** A module's settings type: what its schema builds once configured. */
export type SettingsOf<F extends (common: CommonSettings) => z.ZodType> = NonNullable<z.output<ReturnType<F>>>;

/** Runs a module's schema over the environment; the first problem becomes the `SettingsError` naming its variable. */
export function readSettings<T>(schema: z.ZodType<T | undefined, Env>, env: Env): T | undefined {
  const parsed = schema.safeParse(env);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new SettingsError(String(issue.path[0] ?? 'environment'), issue.message);
}

/** A module's `settings`: its fields as declared, read through its schema. */
export function schemaSettings<T>(
  fields: readonly SettingField[],
  schema: (common: CommonSettings) => z.ZodType<T | undefined, Env>,
): VendorSettings<T> {
  return {
    fields: [...fields],
    read: (env, common) => readSettings(schema(common), env),
    problems: (env, common) => {
      const parsed = schema(common).safeParse(env);
      if (!parsed.success) {
        // The first problem of each variable, in the order the schema found them.
        const byVariable = new Map<string, string>();
        for (const issue of parsed.error.issues) {
          const variable = String(issue.path[0] ?? fields[0]?.env ?? 'settings');
          if (!byVariable.has(variable)) byVariable.set(variable, issue.message);
        }
        return [...byVariable].map(([variable, reason]) => ({ variable, reason }));
      }
      if (parsed.data !== undefined) return [];
      // Nothing of the credential group: the vendor would not be set up at all.
      return fields.filter((field) => field.required && !env[field.env]?.trim()).map((field) => ({ variable: field.env, reason: 'is required' }));
    },
  };
}

/** The credentials of a module's fields (`required: true`): set all together, or none. */
export function requiredOf<const F extends readonly SettingField[]>(fields: F): Array<Extract<F[number], { required: true }>['env']> {
  return fields.filter((field) => field.required).map((field) => field.env) as Array<Extract<F[number], { required: true }>['env']>;
}
