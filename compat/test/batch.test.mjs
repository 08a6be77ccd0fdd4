// Batch API through crm.contacts.batchApi: create (201 / 207), read
// (200 / 207), update, upsert, archive (204), and what the Node SDK does
// with a 207: it returns the BatchResponse...WithErrors body, it does not
// throw (§5.4: 207 is a documented success code of these endpoints).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useTandem, expectApiError, assertErrorBody, assertRecord, assertDate, uniq } from './harness.mjs';

const T = { timeout: 60_000 };

function assertBatchResponse(res, what) {
  assert.equal(res.status, 'COMPLETE', `${what}: status`);
  assert.ok(Array.isArray(res.results), `${what}: results`);
  assertDate(res.startedAt, `${what}: startedAt`);
  assertDate(res.completedAt, `${what}: completedAt`);
}

// StandardError: the TS model requires status, category, message, context,
// links and errors.
function assertStandardError(e, category) {
  assert.equal(e.status, 'error', `error status: ${JSON.stringify(e)}`);
  assert.equal(e.category, category, `error category: ${JSON.stringify(e)}`);
  assert.equal(typeof e.message, 'string');
  assert.ok(e.context && typeof e.context === 'object', `error context: ${JSON.stringify(e)}`);
  assert.ok(e.links && typeof e.links === 'object', `error links: ${JSON.stringify(e)}`);
  assert.ok(Array.isArray(e.errors), `error errors[]: ${JSON.stringify(e)}`);
}

describe('contacts batch API', T, () => {
  const h = useTandem({ before, after });
  const tag = uniq();
  const emails = [0, 1, 2].map((i) => `batch${i}.${tag}@example.com`);
  let ids;

  it('batchApi.create answers 201 with every record', async () => {
    const res = await h.client.crm.contacts.batchApi.createWithHttpInfo({
      inputs: emails.map((email, i) => ({ properties: { email, firstname: `B${i}` }, associations: [] })),
    });
    assert.equal(res.httpStatusCode, 201);
    assertBatchResponse(res.data, 'batch create');
    assert.equal(res.data.results.length, 3);
    for (const r of res.data.results) assertRecord(r, 'batch-created contact');
    const byEmail = new Map(res.data.results.map((r) => [r.properties.email, r.id]));
    ids = emails.map((e) => byEmail.get(e));
    assert.ok(ids.every(Boolean), `every input created: ${JSON.stringify([...byEmail])}`);
  });

  it('batchApi.read answers 200 with the requested properties', async () => {
    const res = await h.client.crm.contacts.batchApi.readWithHttpInfo({
      inputs: ids.map((id) => ({ id })), properties: ['email', 'firstname'], propertiesWithHistory: ['firstname'],
    });
    assert.equal(res.httpStatusCode, 200);
    assertBatchResponse(res.data, 'batch read');
    assert.deepEqual(res.data.results.map((r) => r.id).sort(), [...ids].sort());
    for (const r of res.data.results) {
      assertRecord(r, 'batch-read contact');
      assert.ok(emails.includes(r.properties.email));
      assert.ok(r.propertiesWithHistory?.firstname?.length >= 1, `history of ${r.id}: ${JSON.stringify(r.propertiesWithHistory)}`);
    }
  });

  it('batchApi.read by idProperty=email', async () => {
    const res = await h.client.crm.contacts.batchApi.read({
      inputs: emails.map((id) => ({ id })), idProperty: 'email', properties: ['firstname'], propertiesWithHistory: [],
    });
    assert.deepEqual(res.results.map((r) => r.id).sort(), [...ids].sort());
  });

  it('batchApi.read with an unknown id answers 207, which the SDK returns (no throw)', async () => {
    const res = await h.client.crm.contacts.batchApi.readWithHttpInfo({
      inputs: [{ id: ids[0] }, { id: '987654321' }], properties: ['email'], propertiesWithHistory: [],
    });
    assert.equal(res.httpStatusCode, 207);
    assertBatchResponse(res.data, 'batch read 207');
    assert.deepEqual(res.data.results.map((r) => r.id), [ids[0]]);
    assert.equal(res.data.numErrors, 1);
    assert.equal(res.data.errors.length, 1);
    assertStandardError(res.data.errors[0], 'OBJECT_NOT_FOUND');
    assert.deepEqual(res.data.errors[0].context.ids, ['987654321']);
  });

  it('batchApi.update answers 200 with the updated records', async () => {
    const res = await h.client.crm.contacts.batchApi.updateWithHttpInfo({
      inputs: ids.map((id, i) => ({ id, properties: { lastname: `Updated${i}` } })),
    });
    assert.equal(res.httpStatusCode, 200);
    assertBatchResponse(res.data, 'batch update');
    assert.equal(res.data.results.length, 3);
    for (const r of res.data.results) {
      assertRecord(r, 'batch-updated contact');
      assert.equal(r.properties.lastname, `Updated${ids.indexOf(r.id)}`);
    }
  });

  it('batchApi.update by idProperty=email', async () => {
    const res = await h.client.crm.contacts.batchApi.update({
      inputs: [{ id: emails[0], idProperty: 'email', properties: { jobtitle: 'Engineer' } }],
    });
    assert.equal(res.results.length, 1);
    assert.equal(res.results[0].id, ids[0]);
    assert.equal(res.results[0].properties.jobtitle, 'Engineer');
  });

  it('batchApi.upsert by email updates existing and creates new records (200, `new` flags)', async () => {
    const fresh = `upsert.${tag}@example.com`;
    const res = await h.client.crm.contacts.batchApi.upsertWithHttpInfo({
      inputs: [
        { id: emails[1], idProperty: 'email', properties: { firstname: 'Upserted' } },
        { id: fresh, idProperty: 'email', properties: { firstname: 'New' } },
      ],
    });
    assert.equal(res.httpStatusCode, 200);
    assertBatchResponse(res.data, 'batch upsert');
    assert.equal(res.data.results.length, 2);
    const existing = res.data.results.find((r) => r.id === ids[1]);
    assert.ok(existing, `existing record in results: ${JSON.stringify(res.data.results)}`);
    assert.equal(existing._new, false, 'existing record has new=false');
    assert.equal(existing.properties.firstname, 'Upserted');
    const created = res.data.results.find((r) => r.id !== ids[1]);
    assertRecord(created, 'upserted new contact');
    assert.equal(created._new, true, 'created record has new=true');
    const got = await h.client.crm.contacts.basicApi.getById(fresh, ['firstname'], undefined, undefined, false, 'email');
    assert.equal(got.id, created.id);
    assert.equal(got.properties.firstname, 'New');
  });

  it('batchApi.archive answers 204 and the records are archived', async () => {
    const res = await h.client.crm.contacts.batchApi.archiveWithHttpInfo({ inputs: ids.slice(0, 2).map((id) => ({ id })) });
    assert.equal(res.httpStatusCode, 204);
    for (const id of ids.slice(0, 2)) {
      await expectApiError(h.client.crm.contacts.basicApi.getById(id), 404, `getById ${id} after batch archive`);
    }
    const again = await h.client.crm.contacts.basicApi.getById(ids[2]);
    assert.equal(again.id, ids[2]);
  });

  it('batchApi.read with archived=true reads the archived records', async () => {
    const res = await h.client.crm.contacts.batchApi.read({ inputs: ids.slice(0, 2).map((id) => ({ id })), properties: ['email'], propertiesWithHistory: [] }, true);
    assert.deepEqual(res.results.map((r) => r.id).sort(), ids.slice(0, 2).sort());
    for (const r of res.results) assert.equal(r.archived, true);
  });

  it('batchApi.upsert by a non-unique property is a 400', async () => {
    const err = await expectApiError(h.client.crm.contacts.batchApi.upsert({
      inputs: [{ id: 'Someone', idProperty: 'firstname', properties: { lastname: 'X' } }],
    }), 400, 'upsert by firstname');
    assertErrorBody(err, 'VALIDATION_ERROR');
    assert.match(err.body.message, /firstname/);
  });
});

describe('batch create failures', T, () => {
  const h = useTandem({ before, after });

  it('without objectWriteTraceIds batch create is atomic: one bad input fails all (400)', async () => {
    const good = `atomic.${uniq()}@example.com`;
    const err = await expectApiError(h.client.crm.contacts.batchApi.create({
      inputs: [
        { properties: { email: good }, associations: [] },
        { properties: { email: 'not-an-email' }, associations: [] },
      ],
    }), 400, 'atomic batch create');
    assertErrorBody(err, 'VALIDATION_ERROR');
    assert.match(JSON.stringify(err.body), /email/);
    await expectApiError(
      h.client.crm.contacts.basicApi.getById(good, undefined, undefined, undefined, false, 'email'), 404, 'good input of a failed atomic batch');
  });

  it('with a unique objectWriteTraceId per input: 207, good inputs created, errors name the trace id', async () => {
    const good = `partial.${uniq()}@example.com`;
    const res = await h.client.crm.contacts.batchApi.createWithHttpInfo({
      inputs: [
        { properties: { email: good }, associations: [], objectWriteTraceId: 'trace-good' },
        { properties: { email: 'not-an-email' }, associations: [], objectWriteTraceId: 'trace-bad' },
      ],
    });
    assert.equal(res.httpStatusCode, 207);
    assertBatchResponse(res.data, 'batch create 207');
    assert.equal(res.data.results.length, 1);
    assert.equal(res.data.results[0].properties.email, good);
    assert.equal(res.data.numErrors, 1);
    assertStandardError(res.data.errors[0], 'VALIDATION_ERROR');
    assert.deepEqual(res.data.errors[0].context.objectWriteTraceId, ['trace-bad']);
  });

  it('a duplicate email in batch create with trace ids is a per-input CONFLICT', async () => {
    const email = `dup.${uniq()}@example.com`;
    const first = await h.client.crm.contacts.basicApi.create({ properties: { email }, associations: [] });
    const res = await h.client.crm.contacts.batchApi.createWithHttpInfo({
      inputs: [
        { properties: { email: `ok.${uniq()}@example.com` }, associations: [], objectWriteTraceId: 't1' },
        { properties: { email }, associations: [], objectWriteTraceId: 't2' },
      ],
    });
    assert.equal(res.httpStatusCode, 207);
    assert.equal(res.data.numErrors, 1);
    assertStandardError(res.data.errors[0], 'CONFLICT');
    assert.deepEqual(res.data.errors[0].context.objectWriteTraceId, ['t2']);
    assert.match(res.data.errors[0].message, new RegExp(`Existing ID: ${first.id}`));
  });

  it('more than 100 inputs is a 400', async () => {
    const inputs = Array.from({ length: 101 }, (_, i) => ({ properties: { email: `many${i}.${uniq()}@example.com` }, associations: [] }));
    const err = await expectApiError(h.client.crm.contacts.batchApi.create({ inputs }), 400, 'batch of 101');
    assertErrorBody(err, 'VALIDATION_ERROR');
  });
});
