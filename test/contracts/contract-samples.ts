import { readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

/**
 * The samples printed in the vendor documents, as contract fixtures.
 *
 * Each vendor folder holds a `manifest.json` and, for every sample, the text as printed
 * (`<id>.printed.txt`, copied verbatim from the document) and, where the print is not JSON
 * (Python reprs, a truncated body…), the same sample normalised by hand as `<id>.json`, with each
 * change listed under `normalised`. `samples.test.ts` checks every printed text against its
 * document, so a fixture cannot drift from what the vendor wrote.
 */

const here = dirname(fileURLToPath(import.meta.url));
export const DOCUMENTS_DIR = join(here, 'documents');

export const SampleKind = z.enum(['request', 'response', 'notification', 'error', 'webhook', 'query']);

const SampleEntry = z
  .object({
    /** Unique in the folder; also the file names' stem. */
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    /** The document's headings leading to the sample, outermost first, joined by " > ". */
    heading: z.string().min(1),
    kind: SampleKind,
    /** The endpoint it belongs to, as the document names it, e.g. "POST /tickets". */
    endpoint: z.string().min(1),
    /** HTTP status the document gives with a response or error sample, when it gives one. */
    status: z.number().int().optional(),
    /** Each hand change between the print and `<id>.json`; empty when the print is JSON. */
    normalised: z.array(z.string().min(1)).default([]),
    /** Why the sample matters, or what the document leaves open about it. */
    note: z.string().optional(),
  })
  .strict();

const Manifest = z
  .object({
    vendor: z.string(),
    /** The document's file name in test/contracts/documents/. */
    document: z.string(),
    samples: z.array(SampleEntry).min(1),
  })
  .strict();

export type SampleEntry = z.infer<typeof SampleEntry>;
export type Manifest = z.infer<typeof Manifest>;

export interface ContractSample extends SampleEntry {
  vendor: string;
  document: string;
  /** The sample exactly as the document prints it. */
  printed: string;
  /** The sample as a value: the print parsed, or the hand-normalised JSON. */
  body: unknown;
  /** True when `<id>.json` exists because the print is not JSON. */
  normalisedByHand: boolean;
}

export function contractVendors(): string[] {
  return readdirSync(here, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && entry.name !== 'documents')
    .map((entry) => entry.name)
    .sort();
}

export function readManifest(vendor: string): Manifest {
  const text = readFileSync(join(here, vendor, 'manifest.json'), 'utf8');
  return Manifest.parse(JSON.parse(text));
}

export function contractSamples(vendor: string): ContractSample[] {
  const manifest = readManifest(vendor);
  return manifest.samples.map((entry) => {
    const printed = readFileSync(join(here, vendor, `${entry.id}.printed.txt`), 'utf8');
    const jsonFile = join(here, vendor, `${entry.id}.json`);
    const normalised = readOptional(jsonFile);
    const body = normalised === undefined ? parsePrinted(printed) : JSON.parse(normalised);
    return {
      ...entry,
      vendor,
      document: manifest.document,
      printed,
      body,
      normalisedByHand: normalised !== undefined,
    };
  });
}

/** One sample's value by id; throws when the id is unknown, so a typo fails the test. */
export function sample<T = unknown>(vendor: string, id: string): T {
  const found = contractSamples(vendor).find((entry) => entry.id === id);
  if (!found) throw new Error(`no contract sample "${id}" for ${vendor}`);
  return structuredClone(found.body) as T;
}

/** A printed sample that is not JSON (a query string, a form) stays text. */
function parsePrinted(printed: string): unknown {
  try {
    return JSON.parse(printed);
  } catch {
    return printed.trim();
  }
}

function readOptional(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/**
 * The set of key paths of a JSON value: `a`, `a.b`, `a[].c`. Arrays contribute the union of
 * their items' paths, so a list sample with one row and a live answer with many compare equal.
 */
export function keyPaths(value: unknown, prefix = ''): Set<string> {
  const paths = new Set<string>();
  if (Array.isArray(value)) {
    for (const item of value) for (const path of keyPaths(item, `${prefix}[]`)) paths.add(path);
  } else if (value !== null && typeof value === 'object') {
    for (const [key, child] of Object.entries(value)) {
      const path = prefix === '' ? key : `${prefix}.${key}`;
      paths.add(path);
      for (const inner of keyPaths(child, path)) paths.add(inner);
    }
  }
  return paths;
}

/** Key paths in `actual` that the sample does not show, and the sample's that `actual` lacks. */
export function keyDifference(actual: unknown, printed: unknown): { extra: string[]; missing: string[] } {
  const got = keyPaths(actual);
  const want = keyPaths(printed);
  return {
    extra: [...got].filter((path) => !want.has(path)).sort(),
    missing: [...want].filter((path) => !got.has(path)).sort(),
  };
}
