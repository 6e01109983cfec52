import type { KnownBlock } from '@slack/types';
import { escapeMrkdwn, link, truncate } from './mrkdwn.js';

export interface MediaItem {
  title: string | null;
  type: string;
  url: string;
  sizeBytes?: number;
  location?: { lat: number; lon: number };
}

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

/** One reply listing every photo, video and recording; long lists split over sections. */
export function mediaReplyText(items: MediaItem[]): string {
  const noun = items.length === 1 ? 'file' : 'files';
  return `📎 ${items.length} ${noun} from the session:\n${items.map(mediaLine).join('\n')}`;
}

export function mediaBlocks(items: MediaItem[]): KnownBlock[] {
  const header: KnownBlock = {
    type: 'section',
    text: { type: 'mrkdwn', text: `📎 ${items.length} ${items.length === 1 ? 'file' : 'files'} from the session:` },
  };
  const sections: KnownBlock[] = [];
  let current = '';
  for (const line of items.map(mediaLine)) {
    if (current && current.length + line.length + 1 > 2900) {
      sections.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
      current = '';
    }
    current = current ? `${current}\n${line}` : truncate(line, 2900);
  }
  if (current) sections.push({ type: 'section', text: { type: 'mrkdwn', text: current } });
  return [header, ...sections].slice(0, 50);
}
