// Owners through crm.owners.ownersApi (GET /crm/v3/owners/ with the SDK's
// trailing slash, GET /crm/v3/owners/{id}). Owners cannot be created through
// the API (nor through Tandem's CLI), so a fresh server has none.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useTandem, expectApiError, assertErrorBody } from './harness.mjs';

const T = { timeout: 60_000 };

describe('owners', T, () => {
  const h = useTandem({ before, after });
  const owners = () => h.client.crm.owners.ownersApi;

  it('ownersApi.getPage answers 200 with an empty page and no paging', async () => {
    const res = await owners().getPageWithHttpInfo();
    assert.equal(res.httpStatusCode, 200);
    assert.match(res.headers['content-type'], /^application\/json/);
    assert.deepEqual(res.data.results, []);
    assert.equal(res.data.paging, undefined);
  });

  it('ownersApi.getPage with email, after, limit and archived', async () => {
    const res = await owners().getPage('nobody@example.com', undefined, 10, false);
    assert.deepEqual(res.results, []);
    const archived = await owners().getPage(undefined, undefined, 100, true);
    assert.deepEqual(archived.results, []);
  });

  it('ownersApi.getById of an unknown id is a 404', async () => {
    const err = await expectApiError(owners().getById(12345), 404, 'unknown owner');
    assertErrorBody(err, 'OBJECT_NOT_FOUND');
  });

  it('ownersApi.getById with idProperty=userId of an unknown user is a 404', async () => {
    const err = await expectApiError(owners().getById(12345, 'userId'), 404, 'unknown owner userId');
    assertErrorBody(err, 'OBJECT_NOT_FOUND');
  });
});
