/**
 * Who an Invite brings in. The seed's parameter table (001 "Invite") takes "the user uri to
 * invite or queue uri to invite through" as `targetUri`, or "the user path … or queue path" as
 * `targetPath`; it shows neither form. Assumption [I]: Web Services resources live at
 * `/api/v2/users/{id}` and `/api/v2/queues/{id}`, and a resource's path is the part after
 * `/api/v2` (`/users/{id}`), as the sandbox also reads them. Free text ("Support FR") names
 * nothing Genesys can resolve, so it is refused before any call.
 */

export type GenesysTargetKind = 'user' | 'queue';

export interface GenesysTarget {
  kind: GenesysTargetKind;
  /** What the agent wrote (or what the shorthand stands for): an http(s) URI or a path. */
  value: string;
  /** `uri` is sent as `targetUri`, `path` as `targetPath` (or both as `userUri`, see the client). */
  form: 'uri' | 'path';
  /** The user or queue id, for the card ("agent-2 → SMS session …"). */
  id: string;
}

/** Ids as Genesys prints them (hex, or names without blanks); one safe path segment. */
const ID = '[A-Za-z0-9][A-Za-z0-9._~@-]{0,127}';
const SHORTHAND = `(agent|user|queue):(${ID})`;
const PATH = `(?:/api/v2)?/(users|queues)/(${ID})`;
/** An http(s) URI whose path ends in `/users/<id>` or `/queues/<id>` (no query, no fragment). */
const URI = `https?://[^\\s/?#@]+(?:/[^\\s?#]*)?/(users|queues)/(${ID})`;
const SHORTHAND_RE = new RegExp(`^${SHORTHAND}$`, 'i');
const PATH_RE = new RegExp(`^${PATH}$`, 'i');
const URI_RE = new RegExp(`^${URI}$`, 'i');

/** Every accepted form in one rule, for the modal field (the same rules as `parseTarget`). */
export const TARGET_PATTERN = new RegExp(`^\\s*(?:${SHORTHAND}|${PATH}|${URI})\\s*$`, 'i');

/** Plain words for a target that is none of the forms (command refusal, modal field error). */
export function targetRefusal(written?: string): string {
  const forms = 'Give agent:<id>, queue:<id>, a user or queue URI (https://…/api/v2/users/<id>) or a path (/users/<id>, /queues/<id>).';
  if (written === undefined) return `A Genesys user or queue is needed, not a name. ${forms}`;
  const shown = written.length > 40 ? `${written.slice(0, 40)}…` : written;
  return `"${shown}" is not a Genesys user or queue. ${forms}`;
}

export function parseTarget(written: string): GenesysTarget | undefined {
  const text = written.trim();
  const shorthand = SHORTHAND_RE.exec(text);
  if (shorthand) {
    const kind: GenesysTargetKind = shorthand[1]!.toLowerCase() === 'queue' ? 'queue' : 'user';
    const id = shorthand[2]!;
    return { kind, id, form: 'path', value: `/${kind === 'queue' ? 'queues' : 'users'}/${id}` };
  }
  const path = PATH_RE.exec(text);
  if (path) return { kind: path[1]!.toLowerCase() === 'queues' ? 'queue' : 'user', id: path[2]!, form: 'path', value: text };
  const uri = URI_RE.exec(text);
  if (uri) return { kind: uri[1]!.toLowerCase() === 'queues' ? 'queue' : 'user', id: uri[2]!, form: 'uri', value: text };
  return undefined;
}

/** The URI of a path target under the deployment, for `userUri` (the sample's parameter takes a URI). */
export function targetUriOf(target: GenesysTarget, apiUrl: string): string {
  if (target.form === 'uri') return target.value;
  const path = target.value.startsWith('/api/v2/') ? target.value : `/api/v2${target.value}`;
  return `${apiUrl.replace(/\/+$/, '')}${path}`;
}
