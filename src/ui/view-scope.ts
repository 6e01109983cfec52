import type { ModalView } from '@slack/types';
import { z } from 'zod';
import type { WorkspaceScope } from '../domain/actor.js';

/** Kept beside a view's own fields in `private_metadata`; short keys, as the whole must fit in 3000 characters. */
const Scope = z.object({ t: z.string().min(1), e: z.string().min(1).optional() });

/**
 * The view with the workspace it was opened in added to its `private_metadata` (a JSON object;
 * its other fields stay as they are), so that its submission and its in-place switches are
 * checked against the workspace they come from.
 */
export function withScope(view: ModalView, scope: WorkspaceScope): ModalView {
  const metadata = jsonObject(view.private_metadata);
  metadata.scope = { t: scope.teamId, ...(scope.enterpriseId ? { e: scope.enterpriseId } : {}) };
  return { ...view, private_metadata: JSON.stringify(metadata) };
}

/** The workspace a view says it was opened in; undefined when it says none (or nothing readable). */
export function scopeOf(privateMetadata: string | undefined): WorkspaceScope | undefined {
  const parsed = Scope.safeParse(jsonObject(privateMetadata).scope);
  return parsed.success ? { teamId: parsed.data.t, enterpriseId: parsed.data.e } : undefined;
}

/** What replaces a modal that was refused: plain words, and nothing to submit. */
export function refusedViewModal(text: string): ModalView {
  return {
    type: 'modal',
    title: { type: 'plain_text', text: 'Rendezvous' },
    close: { type: 'plain_text', text: 'Close' },
    blocks: [{ type: 'section', text: { type: 'mrkdwn', text } }],
  };
}

function jsonObject(raw: string | undefined): Record<string, unknown> {
  try {
    const value: unknown = JSON.parse(raw || '{}');
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? { ...(value as Record<string, unknown>) } : {};
  } catch {
    return {};
  }
}
