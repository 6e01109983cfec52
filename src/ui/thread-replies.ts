import type { KnownBlock } from '@slack/types';
import type { MediaItem } from '../domain/outcome.js';
import { escapeMrkdwn, link, truncate } from './mrkdwn.js';

export type { MediaItem };

/** A milestone reply: plain words in one section (the words are already safe mrkdwn). */
export function milestoneBlocks(text: string): KnownBlock[] {
  return [{ type: 'section', text: { type: 'mrkdwn', text: truncate(text, 3000) } }];
}

export function mapLink({ lat, lon }: { lat: number; lon: number }): string {
  return `https://www.openstreetmap.org/?mlat=${lat}&mlon=${lon}#map=17/${lat}/${lon}`;
}

export function humanSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}

const KIND_OF_TYPE = (type: string) =>
  type.startsWith('image/') ? 'photo' : type.startsWith('video/') || type === 'video' ? 'video' : type.startsWith('audio/') ? 'audio' : 'file';

function mediaLine(item: MediaItem): string {
  const parts = [KIND_OF_TYPE(item.type), escapeMrkdwn(item.type)];
  if (item.sizeBytes !== undefined) parts.push(humanSize(item.sizeBytes));
  const where = item.location ? ` · ${link(mapLink(item.location), '📍 map')}` : '';
  return `• ${link(item.url, item.title || 'untitled')} (${parts.join(', ')})${where}`;
}

/**
 * Slack refuses a message whose blocks are too long in total (`msg_blocks_too_long`, seen around
 * 13,000 characters though undocumented), so a long list stops there and counts the rest.
 */
const MEDIA_REPLY_MAX_CHARS = 11_000;

/** The reply's plain text (notifications, screen readers): short, the blocks hold the list. */
export function mediaReplyText(items: MediaItem[]): string {
  const noun = items.length === 1 ? 'file' : 'files';
  return truncate(`📎 ${items.length} ${noun} from the session:\n${items.map(mediaLine).join('\n')}`, 3000);
}

export function mediaBlocks(items: MediaItem[]): KnownBlock[] {
  const header: KnownBlock = {
    type: 'section',
    text: { type: 'mrkdwn', text: `📎 ${items.length} ${items.length === 1 ? 'file' : 'files'} from the session:` },
  };
  const sections: KnownBlock[] = [];
  let current = '';
  let total = 0;
  const lines = items.map(mediaLine);
  for (const [index, line] of lines.entries()) {
    if (total + line.length > MEDIA_REPLY_MAX_CHARS || sections.length >= 45) {
      const rest = lines.length - index;
      current = `${current}\n…and ${rest} more ${rest === 1 ? 'file' : 'files'} in the vendor's console.`;
      break;
    }
    total += line.length + 1;
    if (current && current.length + line.length + 1 > 2900) {
      sections.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
      current = '';
    }
    current = current ? `${current}\n${line}` : truncate(line, 2900);
  }
  if (current) sections.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
  return [header, ...sections];
}
