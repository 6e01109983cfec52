// Defence in depth: code never logs a contact or a secret on purpose, and this scrubs any that
// slip into a message or a field anyway (a vendor error body echoing a phone number, say).

/**
 * Query or form parameters whose value is a secret, whatever the URL: `secret=` (the Apizee
 * webhook's), `token=`, `access_token=`, `key=`, `api_key=`, `client_secret=`, `password=`…
 */
const SECRET_PARAMETER = /\b([\w-]*(?:token|secret|password|passwd|pwd|key|signature|sig))=([^&\s"'#<>]+)/gi;

/**
 * The same names as JSON members whose value is a string (`"client_secret":"…"`), as in the Web
 * API client's debug line of a request body (`oauth.v2.access` sends the app's client secret).
 */
const SECRET_MEMBER = /"([\w-]*(?:token|secret|password|passwd|pwd|key|signature|sig))"(\s*:\s*)"[^"]*"/gi;

/** An OAuth authorization code (`"code":"4724469134.46440…"`, `code=4724469134.46440…`): single use, still a credential until traded. */
const OAUTH_CODE = /(\bcode"\s*:\s*"|\bcode=)\d+\.[\w.]+/g;

const SCRUBBERS: Array<[RegExp, string]> = [
  [/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/xox[a-z]-[A-Za-z0-9-]+/g, 'xox…[redacted]'],
  [/xapp-[A-Za-z0-9-]+/g, 'xapp-…[redacted]'],
  [SECRET_PARAMETER, '$1=[redacted]'],
  [SECRET_MEMBER, '"$1"$2"[redacted]"'],
  [OAUTH_CODE, '$1[redacted]'],
  // `https://user:password@host`: the credentials, before the e-mail rule reads them as an address.
  [/\b([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, '$1[redacted]@'],
  [/[A-Za-z0-9._%+-]+(?:@|%40)[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
  // A phone number percent-encoded in a URL (`?phone=%2B33612345678`).
  [/%2B\d{8,15}\b/gi, '[phone]'],
];

/** `192.168.1.10`: an IPv4 address, not a phone number written with dots. */
const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)$/;

/**
 * A run of digits that may be a phone number: an optional `+` or `(`, digits, and single spaces,
 * dots, hyphens or brackets between them. It starts where no word, dot, hyphen, colon or slash
 * comes before (so never inside a UUID, a Slack id, a path or a time) and ends where no word, and
 * no dot, hyphen or colon before a digit, follows (so never in the middle of a date or a time).
 * Whether it is a phone number is decided by `looksLikePhone`, so ids and timestamps survive.
 */
const PHONE_CANDIDATE = /(?<![\w.+\-:/#])[+(]?\d(?:[ .\-()]{0,2}\d)*(?!\w|[.\-:]\d)/g;

/**
 * Phone numbers as people write them: E.164 (`+33612345678`, `+1 415-555-2671`), or national with
 * separators (`06 12 34 56 78`, `06.12.34.56.78`, `(415) 555-2671`), or a bare run of 9 to 15 digits
 * (`0612345678`, `612345678`, `33612345678`). Never: an ISO date or time (separators `-`/`:` with 8 digits or fewer
 * before a `T` or `:`), epoch seconds or milliseconds (bare, starting with 1), a Slack ts
 * (`1700000000.123456`: a group of 10 digits), a UUID (starts after a hex letter or a hyphen).
 */
function looksLikePhone(candidate: string): boolean {
  const digits = candidate.replace(/\D/g, '');
  if (candidate.startsWith('+')) return digits.length >= 8 && digits.length <= 15;
  const groups = candidate.split(/[ .\-()]+/).filter(Boolean);
  if (IPV4.test(candidate)) return false;
  if (groups.length > 1) {
    // Written in groups: a phone's groups are short; a Slack ts or a decimal has a long one.
    return digits.length >= 9 && digits.length <= 15 && groups.every((group) => group.length <= 5);
  }
  // One bare run of 9 to 15 digits: a national number with or without its trunk 0 (Blitzz's
  // `MobileNo` is `612345678`), or an international one without its `+`; but not epoch seconds
  // or milliseconds (10 or 13 digits starting with 1, until 2033).
  if (digits.length < 9 || digits.length > 15) return false;
  return !(digits.startsWith('1') && (digits.length === 10 || digits.length === 13));
}

function scrubPhones(text: string): string {
  return text.replace(PHONE_CANDIDATE, (candidate) => (looksLikePhone(candidate) ? '[phone]' : candidate));
}

/** The text with any token, secret parameter, password, e-mail address or phone number in it masked. */
export function scrub(text: string): string {
  return scrubPhones(SCRUBBERS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text));
}
