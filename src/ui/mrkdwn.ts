// The pure text helpers live in domain/ so that vendor modules write milestones with them too.
export { escapeMrkdwn, fitMrkdwn, link, messageText, SLACK_LIMITS, truncate } from '../domain/mrkdwn.js';

/** Slack date formatting: each reader sees their own time zone. */
export function slackDate(when: Date | string, format = '{date_short_pretty} at {time}'): string {
  const date = new Date(when);
  const fallback = date.toISOString().replace('T', ' ').slice(0, 16) + ' UTC';
  return `<!date^${Math.floor(date.getTime() / 1000)}^${format}|${fallback}>`;
}
