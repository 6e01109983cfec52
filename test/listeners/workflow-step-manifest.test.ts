import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { InviteStepInputs, INVITE_STEP_CALLBACK_ID } from '../../src/domain/workflow-step.js';

/** The lines of one mapping under `parent` (by indentation), read without a YAML library. */
function block(text: string, header: RegExp): string {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => header.test(line));
  assert.ok(start >= 0, `${header} not found`);
  const indent = /^\s*/.exec(lines[start]!)![0].length;
  const body: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() !== '' && /^\s*/.exec(line)![0].length <= indent) break;
    body.push(line);
  }
  return body.join('\n');
}

const keysAt = (text: string, indent: number) => [...text.matchAll(new RegExp(`^ {${indent}}([a-z_]+):`, 'gm'))].map((match) => match[1]);
const listAfter = (text: string, key: string) => (/required:\n((?:\s+- .*\n?)+)/.exec(block(text, new RegExp(`^\\s+${key}:`)))?.[1] ?? '').split('\n').map((line) => line.replace(/^\s+- /, '').trim()).filter(Boolean);

describe('manifest.yml: the Workflow Builder step', () => {
  const manifest = readFileSync(new URL('../../manifest.yml', import.meta.url), 'utf8');
  const step = block(manifest, new RegExp(`^  ${INVITE_STEP_CALLBACK_ID}:`));

  it('declares the inputs the step reads, and requires those the schema requires', () => {
    const inputs = block(step, /^\s+input_parameters:/);
    assert.deepEqual(keysAt(block(inputs, /^\s+properties:/), 8).sort(), Object.keys(InviteStepInputs.shape).sort());
    const required = listAfter(step, 'input_parameters');
    assert.deepEqual(required, ['contacts', 'channel', 'acting_user']);
    for (const [name, schema] of Object.entries(InviteStepInputs.shape)) {
      assert.equal(schema.safeParse(undefined).success, !required.includes(name), `${name}: required in the manifest exactly when the schema needs it`);
    }
    assert.match(inputs, /channel:\n\s+type: slack#\/types\/channel_id/);
    assert.match(inputs, /acting_user:\n\s+type: slack#\/types\/user_id/);
  });

  it('declares the outputs the completion sends, the three always sent required', () => {
    const outputs = block(step, /^\s+output_parameters:/);
    assert.deepEqual(keysAt(block(outputs, /^\s+properties:/), 8).sort(), ['agent_link', 'card_link', 'reference', 'session_id', 'status']);
    assert.deepEqual(listAfter(step, 'output_parameters'), ['session_id', 'status', 'reference']);
  });

  it('makes the app org-ready with a remote function runtime', () => {
    const settings = block(manifest, /^settings:/);
    assert.match(settings, /^ {2}org_deploy_enabled: true\b/m);
    assert.match(settings, /^ {2}function_runtime: remote\b/m);
  });
});
