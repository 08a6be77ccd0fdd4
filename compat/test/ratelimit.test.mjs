// Rate limiting (api.rate_limit in the config, off by default): 429 with
// policyName TEN_SECONDLY_ROLLING and the X-HubSpot-RateLimit-* headers, so
// that the SDK's own retry (numberOfApiCallRetries) waits 10 s and succeeds.
// In its own file because the SDK's retry settings are process-wide.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useTandem, expectApiError, assertErrorBody } from './harness.mjs';

const LIMIT = 5;

describe('rate limiting', { timeout: 60_000 }, () => {
  const h = useTandem({ before, after }, { rateLimitPer10s: LIMIT });

  it('answers 429 TEN_SECONDLY_ROLLING after the limit, with rate-limit headers', async () => {
    const first = await h.client.crm.contacts.basicApi.getPageWithHttpInfo();
    assert.equal(first.headers['x-hubspot-ratelimit-max'], String(LIMIT));
    assert.equal(first.headers['x-hubspot-ratelimit-interval-milliseconds'], '10000');
    assert.ok('x-hubspot-ratelimit-remaining' in first.headers, `headers: ${JSON.stringify(first.headers)}`);
    for (let i = 1; i < LIMIT; i++) await h.client.crm.contacts.basicApi.getPage();
    const err = await expectApiError(h.client.crm.contacts.basicApi.getPage(), 429, 'over the limit');
    assertErrorBody(err, 'RATE_LIMITS');
    assert.equal(err.body.policyName, 'TEN_SECONDLY_ROLLING');
    assert.ok(Number(err.headers['retry-after']) > 0, `Retry-After: ${err.headers['retry-after']}`);
  });

  it('the SDK retry (numberOfApiCallRetries) waits and then succeeds', async () => {
    const retrying = h.newClient(h.token, { numberOfApiCallRetries: 2 });
    const started = Date.now();
    const page = await retrying.crm.contacts.basicApi.getPage();
    assert.deepEqual(page.results, []);
    // The window is still full from the previous test, so this took a retry.
    assert.ok(Date.now() - started >= 9_000, `took ${Date.now() - started} ms; expected one 10 s SDK retry`);
  });
});
