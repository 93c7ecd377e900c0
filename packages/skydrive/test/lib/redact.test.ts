import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { redactText, redactUrl } from '../../src/graph/redact.ts';

const graph = 'https://graph.microsoft.com';

describe('redactUrl', () => {
  it('keeps Graph URLs whole but drops user info', () => {
    assert.equal(
      redactUrl('https://user:pass@graph.microsoft.com/v1.0/me/drive/root:/a%23b.txt', graph),
      'https://graph.microsoft.com/v1.0/me/drive/root:/a%23b.txt',
    );
  });

  it('hides a credential in an upload URL path', () => {
    const shown = redactUrl('https://sn3302.up.1drv.com/up/fe6987415ace7X4e1eF866337', graph);
    assert.equal(shown, 'https://sn3302.up.1drv.com/up/<redacted>');
    assert.doesNotMatch(shown, /fe6987415ace7/);
  });

  it('hides a credential in a download query', () => {
    const shown = redactUrl('https://contoso.sharepoint.com/download.aspx?tempauth=secret', graph);
    assert.equal(shown, 'https://contoso.sharepoint.com/download.aspx/<redacted>');
    assert.doesNotMatch(shown, /secret/);
  });

  it('leaves a bare foreign origin readable', () => {
    assert.equal(redactUrl('http://127.0.0.1:4000/', graph), 'http://127.0.0.1:4000');
  });
});

describe('redactText', () => {
  it('removes bearer tokens from messages', () => {
    assert.equal(
      redactText('sent Authorization: Bearer eyJ0eXAi.abc-def_ghi= to host'),
      'sent Authorization: Bearer <redacted> to host',
    );
  });
});
