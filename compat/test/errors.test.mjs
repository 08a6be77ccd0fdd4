// Error answers as the SDK sees them: ApiException{code, body, headers}
// with HubSpot's error JSON (status, message, correlationId, category,
// errors[] with code and context). Also the few protocol details that only
// client.apiRequest can reach (malformed JSON, date-versioned paths).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { hubspot, useTandem, expectApiError, assertErrorBody, uniq } from './harness.mjs';

const T = { timeout: 60_000 };

describe('tokens and body limits', T, () => {
  const h = useTandem({ before, after }, { maxBodyBytes: 4096 });

  it('a token made with `tandem tokens create` works, and stops working after `tandem tokens revoke`', async () => {
    const name = `revoke-${uniq()}`;
    const token = (await h.cli('tokens', 'create', '--name', name)).trim();
    const c = h.newClient(token);
    await c.crm.contacts.basicApi.getPage();
    await h.cli('tokens', 'revoke', name);
    // "A running server stops accepting it within five seconds": poll, bounded.
    const deadline = Date.now() + 10_000;
    let code = 200;
    while (Date.now() < deadline) {
      try {
        await c.crm.contacts.basicApi.getPage();
      } catch (err) {
        code = err.code;
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(code, 401, 'revoked token still accepted after 10 s');
    await h.client.crm.contacts.basicApi.getPage(); // the suite's own token still works
  });

  it('a body over api.max_body_bytes is refused with 413 in HubSpot\'s error shape', async () => {
    const err = await expectApiError(h.client.crm.contacts.basicApi.create({
      properties: { email: `big.${uniq()}@example.com`, jobtitle: 'x'.repeat(8192) }, associations: [],
    }), 413, 'oversized body');
    assert.equal(typeof err.body.category, 'string');
    assert.match(err.body.correlationId ?? '', /^[0-9a-f-]{36}$/);
  });
});

describe('error answers', T, () => {
  const h = useTandem({ before, after });

  it('409 on a duplicate email: CONFLICT with the existing id in message and context', async () => {
    const email = `dup.${uniq()}@example.com`;
    const first = await h.client.crm.contacts.basicApi.create({ properties: { email }, associations: [] });
    const err = await expectApiError(
      h.client.crm.contacts.basicApi.create({ properties: { email: email.toUpperCase() }, associations: [] }), 409, 'duplicate email (case-insensitive)');
    assertErrorBody(err, 'CONFLICT');
    assert.match(err.body.message, new RegExp(`Existing ID: ${first.id}\\b`));
    const ctx = JSON.stringify(err.body.context ?? {}) + JSON.stringify(err.body.errors ?? []);
    assert.match(ctx, new RegExp(`"${first.id}"`), `existing id in context: ${ctx}`);
  });

  it('409 on update to a duplicate email', async () => {
    const a = await h.client.crm.contacts.basicApi.create({ properties: { email: `a.${uniq()}@example.com` }, associations: [] });
    const b = await h.client.crm.contacts.basicApi.create({ properties: { email: `b.${uniq()}@example.com` }, associations: [] });
    const err = await expectApiError(h.client.crm.contacts.basicApi.update(b.id, { properties: { email: a.properties.email } }), 409, 'update to duplicate');
    assertErrorBody(err, 'CONFLICT');
    assert.match(err.body.message, new RegExp(a.id));
  });

  it('404 on an unknown record id, with the correlation id header', async () => {
    const err = await expectApiError(h.client.crm.contacts.basicApi.getById('987654321'), 404, 'unknown record');
    assertErrorBody(err, 'OBJECT_NOT_FOUND');
    assert.match(err.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(err.headers['x-hubspot-correlation-id'], err.body.correlationId);
  });

  it('the correlation id of an error appears in the server log line of that request', async () => {
    const err = await expectApiError(h.client.crm.contacts.basicApi.getById('987654322'), 404, 'unknown record');
    const id = err.body.correlationId;
    // The access log line is written when the handler returns; wait for it (bounded).
    const deadline = Date.now() + 5_000;
    let line;
    while (!(line = h.logTail().split('\n').find((l) => l.includes(id))) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(line, `no server log line carries correlationId ${id}`);
    assert.equal(JSON.parse(line).status, 404);
  });

  it('404 on an unknown record for PATCH', async () => {
    const err = await expectApiError(h.client.crm.contacts.basicApi.update('987654321', { properties: { firstname: 'x' } }), 404, 'update unknown');
    assertErrorBody(err, 'OBJECT_NOT_FOUND');
  });

  it('400 on an invalid value names the property (message and errors[])', async () => {
    const err = await expectApiError(
      h.client.crm.contacts.basicApi.create({ properties: { email: 'not-an-email' }, associations: [] }), 400, 'invalid email');
    assertErrorBody(err, 'VALIDATION_ERROR');
    assert.match(err.body.message, /email/);
    assert.ok(Array.isArray(err.body.errors) && err.body.errors.length >= 1, `errors[]: ${JSON.stringify(err.body)}`);
    const e = err.body.errors[0];
    assert.equal(e.code, 'INVALID_EMAIL');
    assert.deepEqual(e.context?.propertyName, ['email']);
  });

  it('400 on an unknown property names it (PROPERTY_DOESNT_EXIST)', async () => {
    const err = await expectApiError(
      h.client.crm.contacts.basicApi.create({ properties: { no_such_prop_abc: '1' }, associations: [] }), 400, 'unknown property');
    assertErrorBody(err, 'VALIDATION_ERROR');
    assert.match(err.body.message, /no_such_prop_abc/);
    assert.ok(err.body.errors?.some((e) => e.code === 'PROPERTY_DOESNT_EXIST' && e.context?.propertyName?.includes('no_such_prop_abc')),
      `errors[]: ${JSON.stringify(err.body.errors)}`);
  });

  it('400 on a bad number value', async () => {
    const err = await expectApiError(h.client.crm.deals.basicApi.create({
      properties: { dealname: 'x', pipeline: 'default', dealstage: 'appointmentscheduled', amount: 'lots' }, associations: [],
    }), 400, 'bad number');
    assertErrorBody(err, 'VALIDATION_ERROR');
    assert.match(err.body.message, /amount/);
  });

  it('400 on a read-only property', async () => {
    const err = await expectApiError(
      h.client.crm.contacts.basicApi.create({ properties: { hs_object_id: '5' }, associations: [] }), 400, 'read-only property');
    assertErrorBody(err, 'VALIDATION_ERROR');
    assert.match(err.body.message, /hs_object_id/);
  });

  it('401 INVALID_AUTHENTICATION with a bad token', async () => {
    const bad = h.newClient('not-a-real-token');
    const err = await expectApiError(bad.crm.contacts.basicApi.getPage(), 401, 'bad token');
    assertErrorBody(err, 'INVALID_AUTHENTICATION');
  });

  it('401 INVALID_AUTHENTICATION without any token', async () => {
    const anon = new hubspot.Client({ basePath: h.basePath, numberOfApiCallRetries: 0 });
    const err = await expectApiError(anon.crm.contacts.basicApi.getPage(), 401, 'no token');
    assertErrorBody(err, 'INVALID_AUTHENTICATION');
  });

  it('400 on malformed JSON that says where (client.apiRequest, raw body)', async () => {
    const res = await h.client.apiRequest({
      method: 'POST', path: '/crm/v3/objects/contacts', body: '{"properties": {"email": "x@example.com",}}',
      defaultJson: false, headers: { 'Content-Type': 'application/json' },
    });
    assert.equal(res.status, 400);
    assert.match(res.headers.get('content-type') ?? '', /^application\/json/);
    const body = await res.json();
    assert.equal(body.category, 'VALIDATION_ERROR');
    assert.match(body.message, /offset|line|column|position|character/i, `where in the body: ${body.message}`);
  });

  it('date-versioned object paths are served (client.apiRequest)', async () => {
    const created = await h.client.crm.contacts.basicApi.create({ properties: { email: `dated.${uniq()}@example.com` }, associations: [] });
    const res = await h.client.apiRequest({ method: 'GET', path: `/crm/objects/2026-03/contacts/${created.id}` });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.id, created.id);
  });

  it('date-versioned search and the /crm/v3/schemas spelling are served (client.apiRequest)', async () => {
    const res = await h.client.apiRequest({ method: 'POST', path: '/crm/objects/2026-03/contacts/search', body: { filterGroups: [], limit: 1 } });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(typeof body.total, 'number');
    const schemas = await h.client.apiRequest({ method: 'GET', path: '/crm/v3/schemas' });
    assert.equal(schemas.status, 200);
    assert.ok(Array.isArray((await schemas.json()).results));
  });

  it('comma-separated and repeated properties query parameters (client.apiRequest)', async () => {
    const created = await h.client.crm.contacts.basicApi.create({ properties: { email: `qs.${uniq()}@example.com`, firstname: 'Q', lastname: 'S' }, associations: [] });
    for (const qs of ['properties=firstname,lastname', 'properties=firstname&properties=lastname', 'properties=firstname,lastname&properties=email']) {
      const res = await h.client.apiRequest({ method: 'GET', path: `/crm/v3/objects/contacts/${created.id}?${qs}` });
      assert.equal(res.status, 200, qs);
      const body = await res.json();
      assert.equal(body.properties.firstname, 'Q', qs);
      assert.equal(body.properties.lastname, 'S', qs);
    }
  });

  it('date-versioned association paths and trailing slashes (client.apiRequest)', async () => {
    const contact = await h.client.crm.contacts.basicApi.create({ properties: { email: `dp.${uniq()}@example.com` }, associations: [] });
    const company = await h.client.crm.companies.basicApi.create({ properties: { name: 'Dated' }, associations: [] });
    await h.client.crm.associations.v4.basicApi.createDefault('contacts', contact.id, 'companies', company.id);
    const res = await h.client.apiRequest({ method: 'GET', path: `/crm/objects/2026-03/contacts/${contact.id}/associations/companies` });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.ok(body.results.some((r) => String(r.toObjectId) === company.id), JSON.stringify(body));
    const labels = await h.client.apiRequest({ method: 'GET', path: '/crm/associations/2026-03/contacts/companies/labels' });
    assert.equal(labels.status, 200);
    assert.ok((await labels.json()).results.length > 0);
    const slash = await h.client.apiRequest({ method: 'GET', path: `/crm/v3/objects/contacts/${contact.id}/` });
    assert.equal(slash.status, 200);
    assert.equal((await slash.json()).id, contact.id);
  });

  it('DELETE answers 204 with an empty body', async () => {
    const created = await h.client.crm.contacts.basicApi.create({ properties: { email: `del.${uniq()}@example.com` }, associations: [] });
    const res = await h.client.apiRequest({ method: 'DELETE', path: `/crm/v3/objects/contacts/${created.id}` });
    assert.equal(res.status, 204);
    assert.equal(await res.text(), '');
  });
});
