import type { KnownBlock } from '@slack/types';

/**
 * Block Kit limits (api.slack.com/reference/block-kit) that the app's builders must respect;
 * returns one line per breach, so an assertion shows what broke.
 */
export function blockKitProblems(blocks: KnownBlock[], maxBlocks = 50): string[] {
  const problems: string[] = [];
  if (blocks.length > maxBlocks) problems.push(`${blocks.length} blocks (max ${maxBlocks})`);
  blocks.forEach((block, index) => {
    if (block.type === 'section') {
      if (block.text && block.text.text.length > 3000) problems.push(`block ${index}: section text of ${block.text.text.length}`);
      if (block.fields && block.fields.length > 10) problems.push(`block ${index}: ${block.fields.length} fields`);
      for (const field of block.fields ?? []) {
        if (field.text.length > 2000) problems.push(`block ${index}: field of ${field.text.length}`);
      }
    }
    if (block.type === 'context') {
      for (const element of block.elements) {
        if ('text' in element && element.text.length > 3000) problems.push(`block ${index}: context text of ${element.text.length}`);
      }
    }
    if (block.type === 'actions') {
      if (block.elements.length > 25) problems.push(`block ${index}: ${block.elements.length} elements`);
      for (const element of block.elements) {
        if (element.type !== 'button') continue;
        if (element.text.text.length > 75) problems.push(`block ${index}: button text of ${element.text.text.length}`);
        if ((element.value ?? '').length > 2000) problems.push(`block ${index}: button value of ${element.value!.length}`);
        if ((element.url ?? '').length > 3000) problems.push(`block ${index}: button url of ${element.url!.length}`);
      }
    }
  });
  return problems;
}
