// Defence in depth: code never logs a contact or a secret on purpose, and this scrubs any that
// slip into a message or a field anyway (a vendor error body echoing a phone number, say).
const SCRUBBERS: Array<[RegExp, string]> = [
  [/xox[a-z]-[A-Za-z0-9-]+/g, 'xox…[redacted]'],
  [/xapp-[A-Za-z0-9-]+/g, 'xapp-…[redacted]'],
  [/(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi, '$1 [redacted]'],
  [/(access_token|password|pwd|token|secret)=([^&\s"']+)/gi, '$1=[redacted]'],
  [/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, '[email]'],
  [/\+?\d[\d .-]{7,}\d/g, '[phone]'],
];

/** The text with any token, password, e-mail address or phone number in it masked. */
export function scrub(text: string): string {
  return SCRUBBERS.reduce((out, [pattern, replacement]) => out.replace(pattern, replacement), text);
}
