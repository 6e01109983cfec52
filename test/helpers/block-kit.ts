import type { KnownBlock } from '@slack/types';
import { SLACK_LIMITS } from '../../src/domain/mrkdwn.js';

type Json = Record<string, unknown>;
const texts = (value: unknown): string | undefined =>
  typeof value === 'object' && value !== null && typeof (value as Json).text === 'string' ? ((value as Json).text as string) : undefined;

/** One line per over-long text object of an element (a button, a select's options, a confirm dialog). */
function elementProblems(element: Json, where: string): string[] {
  const problems: string[] = [];
  const over = (what: string, text: string | undefined, max: number) => {
    if (text !== undefined && text.length > max) problems.push(`${where}: ${what} of ${text.length} (max ${max})`);
  };
  if (element.type === 'button') {
    over('button text', texts(element.text), SLACK_LIMITS.buttonText);
    over('button value', element.value as string | undefined, SLACK_LIMITS.buttonValue);
    over('button url', element.url as string | undefined, SLACK_LIMITS.buttonUrl);
  }
  for (const option of [...((element.options as Json[] | undefined) ?? []), ...((element.initial_options as Json[] | undefined) ?? [])]) {
    over('option text', texts(option.text), SLACK_LIMITS.optionText);
  }
  const confirm = element.confirm as Json | undefined;
  if (confirm) {
    over('confirm title', texts(confirm.title), SLACK_LIMITS.confirmTitle);
    over('confirm text', texts(confirm.text), SLACK_LIMITS.confirmText);
    over('confirm button', texts(confirm.confirm), SLACK_LIMITS.confirmButton);
    over('deny button', texts(confirm.deny), SLACK_LIMITS.confirmButton);
  }
  return problems;
}

/**
 * Block Kit limits (docs.slack.dev/reference/block-kit: blocks, elements, composition objects)
 * that the app's builders must respect; returns one line per breach, so an assertion shows what broke.
 */
export function blockKitProblems(blocks: KnownBlock[], maxBlocks: number = SLACK_LIMITS.blocksPerMessage): string[] {
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks (max ${maxBlocks})`);
  blocks.forEach((block, index) => {
    const where = `block ${index}`;
    if (block.type === 'section') {
      if (block.text && block.text.text.length > SLACK_LIMITS.sectionText) problems.push(`${where}: section text of ${block.text.text.length}`);
      if (block.fields && block.fields.length > SLACK_LIMITS.sectionFields) problems.push(`${where}: ${block.fields.length} fields`);
      for (const field of block.fields ?? []) {
        if (field.text.length > SLACK_LIMITS.sectionField) problems.push(`${where}: field of ${field.text.length}`);
      }
      if (block.accessory) problems.push(...elementProblems(block.accessory as unknown as Json, `${where} accessory`));
    }
    if (block.type === 'header' && block.text.text.length > SLACK_LIMITS.headerText) problems.push(`${where}: header text of ${block.text.text.length}`);
    if (block.type === 'context') {
      if (block.elements.length > SLACK_LIMITS.contextElements) problems.push(`${where}: ${block.elements.length} context elements`);
      for (const element of block.elements) {
        if ('text' in element && element.text.length > SLACK_LIMITS.contextText) problems.push(`${where}: context text of ${element.text.length}`);
      }
    }
    if (block.type === 'actions') {
      if (block.elements.length > 25) problems.push(`${where}: ${block.elements.length} elements`);
      for (const element of block.elements) problems.push(...elementProblems(element as unknown as Json, where));
    }
    if (block.type === 'input') problems.push(...elementProblems(block.element as unknown as Json, `${where} input`));
  });
  return problems;
}

/** Breaches of a whole message: its top-level `text` (40,000 characters) and its blocks. */
export function messageProblems(message: { text?: string; blocks?: KnownBlock[] }): string[] {
  const problems = blockKitProblems(message.blocks ?? []);
  if ((message.text ?? '').length > SLACK_LIMITS.messageText) problems.push(`text of ${message.text!.length} (max ${SLACK_LIMITS.messageText})`);
  return problems;
}

/**
 * The strings a hostile name, nickname or reference carries, to be shown, never acted on:
 * a broadcast, a mention, a link, and a bare ampersand.
 */
export const HOSTILE_INPUT = '<!channel> <@U123> & <http://evil|click> <!here> <#C999>';

/**
 * Every live Slack token in `message` (its `text` and every text in its blocks) that a hostile
 * input could have produced: `<!channel>`, `<!here>`, `<!everyone>`, `<@U123>`, `<#C999>`, a link
 * to evil, and any `&` that does not start an escape. An empty list: nothing in it pings or links.
 */
export function liveTokensFrom(message: { text?: string; blocks?: unknown }): string[] {
  const all = [message.text ?? '', ...allTexts(message.blocks)];
  const found: string[] = [];
  for (const text of all) {
    found.push(...(text.match(/<!(channel|here|everyone)[^>]*>|<@U123>|<#C999[^>]*>|<https?:\/\/evil[^>]*>/g) ?? []));
    found.push(...(text.match(/&(?!amp;|lt;|gt;)/g) ?? []).map(() => `bare & in ${JSON.stringify(text.slice(0, 80))}`));
  }
  return found;
}

/** Every `text` string anywhere in a block tree (sections, fields, contexts, buttons, confirms…). */
function allTexts(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(allTexts);
  if (typeof value !== 'object' || value === null) return [];
  return Object.entries(value as Json).flatMap(([key, item]) => (key === 'text' && typeof item === 'string' ? [item] : allTexts(item)));
}
