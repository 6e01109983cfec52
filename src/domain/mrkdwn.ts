/**
 * Slack's length limits for what the app sends (docs.slack.dev/reference/block-kit: blocks,
 * composition objects, elements; chat.postMessage: the top-level `text` is cut after 40,000
 * characters). Builders fit their text with `truncate`, or `fitMrkdwn` for user or vendor input.
 */
export const SLACK_LIMITS = {
  /** chat.postMessage / chat.update / chat.postEphemeral / response_url `text`. */
  messageText: 40_000,
  /** A section's text, and any text object (a context element, a confirm's text is less). */
  sectionText: 3000,
  sectionField: 2000,
  sectionFields: 10,
  contextText: 3000,
  contextElements: 10,
  headerText: 150,
  buttonText: 75,
  buttonValue: 2000,
  buttonUrl: 3000,
  optionText: 75,
  confirmTitle: 100,
  confirmText: 300,
  confirmButton: 30,
  modalTitle: 24,
  blocksPerMessage: 50,
  blocksPerView: 100,
} as const;

/** Slack's three control characters; every user- or vendor-supplied string goes through this. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A link whose label is escaped and whose URL cannot break out of `<…|…>`. */
export function link(url: string, label: string): string {
  const safeUrl = url.replace(/[<>|\s]/g, encodeURIComponent);
  return `<${safeUrl}|${escapeMrkdwn(label).replace(/\|/g, '¦')}>`;
}

/** The text without a trailing partial escape (`&am`) or half a surrogate pair. */
function cleanEnd(text: string): string {
  const cut = text.replace(/&[a-z#0-9]*$/i, '');
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/**
 * The text cut to `max` characters, ending with an ellipsis. The cut never splits an escape
 * (`&amp;` would show as `&am`) or a surrogate pair (half an emoji); a cut inside a link's label
 * shortens the label and keeps the link working; a cut inside any other Slack token (`<@U123>`,
 * a link's URL, `<!date^…>`, which Slack would show raw) drops the token.
 */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, Math.max(0, max - 1));
  const open = /<[^>]*$/.exec(cut);
  if (!open) return `${cleanEnd(cut)}…`;
  const labelStart = open[0].indexOf('|');
  if (labelStart >= 0) {
    const shortened = cleanEnd(cut.slice(0, -1));
    if (shortened.length > open.index + labelStart + 1) return `${shortened}…>`;
  }
  return `${cleanEnd(cut.slice(0, open.index))}…`;
}

/** User or vendor input as mrkdwn: escaped (no live mention, link or date), then fitted to `max`. */
export function fitMrkdwn(text: string, max: number): string {
  return truncate(escapeMrkdwn(text), max);
}

/** A message's top-level `text` (notifications, screen readers): within Slack's 40,000 characters. */
export function messageText(text: string): string {
  return truncate(text, SLACK_LIMITS.messageText);
}
