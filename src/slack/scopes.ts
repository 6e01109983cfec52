/**
 * The bot scopes Rendezvous asks for at install (`/slack/install`); manifest.yml lists the same
 * (test/slack/scopes.test.ts compares them), each with why it is needed.
 */
export const BOT_SCOPES = [
  'commands',
  'chat:write',
  'chat:write.public',
  'channels:history',
  'groups:history',
  'users:read',
  'usergroups:read',
  // Meetings shown as Slack calls: calls.add/update/end, calls.info.
  'calls:read',
  'calls:write',
  // Link unfurls (README "Link unfurls"): link_shared, then chat.unfurl.
  'links:read',
  'links:write',
] as const;
