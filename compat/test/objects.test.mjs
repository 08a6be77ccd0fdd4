// Objects API through crm.contacts.basicApi / crm.companies / crm.objects:
// create (201), read with properties and propertiesWithHistory, update,
// archive (204), archived reads, list paging and getAll.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useTandem, expectApiError, assertErrorBody, assertRecord, assertDate, uniq } from './harness.mjs';

const T = { timeout: 60_000 };

describe('contacts CRUD', T, () => {
  const h = useTandem({ before, after });
  const email = `jane.${uniq()}@example.com`;
  let id;

  it('basicApi.create answers 201 with the record', async () => {
    const res = await h.client.crm.contacts.basicApi.createWithHttpInfo({
      properties: { email, firstname: 'Jane', lastname: 'Doe', lifecyclestage: 'lead' },
      associations: [],
    });
    assert.equal(res.httpStatusCode, 201);
    assert.match(res.headers['content-type'], /^application\/json/);
    const rec = res.data;
    assertRecord(rec, 'created contact');
    assert.equal(rec.properties.email, email);
    assert.equal(rec.properties.firstname, 'Jane');
    assert.equal(rec.properties.lastname, 'Doe');
    assert.equal(rec.properties.hs_object_id, rec.id, 'hs_object_id equals the id');
    assert.equal(rec.archived, false);
    id = rec.id;
  });

  it('basicApi.getById with properties and propertiesWithHistory', async () => {
    const rec = await h.client.crm.contacts.basicApi.getById(id, ['email', 'firstname', 'lifecyclestage'], ['firstname']);
    assertRecord(rec, 'contact');
    assert.equal(rec.id, id);
    assert.equal(rec.properties.email, email);
    assert.equal(rec.properties.firstname, 'Jane');
    assert.equal(rec.properties.lifecyclestage, 'lead');
    assert.ok(rec.propertiesWithHistory, 'propertiesWithHistory present');
    const hist = rec.propertiesWithHistory.firstname;
    assert.ok(Array.isArray(hist) && hist.length >= 1, `firstname history: ${JSON.stringify(rec.propertiesWithHistory)}`);
    assert.equal(hist[0].value, 'Jane');
    assertDate(hist[0].timestamp, 'history timestamp');
    assert.equal(typeof hist[0].sourceType, 'string');
    assert.ok(hist[0].sourceType.length > 0, 'sourceType is required');
  });

  it('basicApi.getById without properties returns the default set', async () => {
    const rec = await h.client.crm.contacts.basicApi.getById(id);
    assertRecord(rec, 'contact');
    assert.equal(rec.properties.email, email);
    assert.equal(rec.properties.firstname, 'Jane');
    assert.equal(rec.properties.hs_object_id, id);
    assert.ok('createdate' in rec.properties, `default properties: ${Object.keys(rec.properties)}`);
  });

  it('properties given as one comma-separated value are honoured too', async () => {
    // The SDK repeats keys; curl users send comma lists. The SDK passes a
    // single string through, so this exercises the comma form.
    const rec = await h.client.crm.contacts.basicApi.getById(id, ['email,lifecyclestage']);
    assert.equal(rec.properties.email, email);
    assert.equal(rec.properties.lifecyclestage, 'lead');
  });

  it('unknown names in properties and associations are ignored, not errors', async () => {
    const rec = await h.client.crm.contacts.basicApi.getById(id, ['email', 'no_such_property_abc'], undefined, ['no_such_objects']);
    assert.equal(rec.properties.email, email);
  });

  it('basicApi.getById by idProperty=email', async () => {
    const rec = await h.client.crm.contacts.basicApi.getById(email, ['firstname'], undefined, undefined, false, 'email');
    assert.equal(rec.id, id);
    assert.equal(rec.properties.firstname, 'Jane');
  });

  it('basicApi.update answers 200 with the updated record, and history grows', async () => {
    const res = await h.client.crm.contacts.basicApi.updateWithHttpInfo(id, { properties: { firstname: 'Janet', lastname: '' } });
    assert.equal(res.httpStatusCode, 200);
    assertRecord(res.data, 'updated contact');
    assert.equal(res.data.id, id);
    assert.equal(res.data.properties.firstname, 'Janet');
    assert.ok(res.data.updatedAt.getTime() >= res.data.createdAt.getTime(), 'updatedAt >= createdAt');

    const rec = await h.client.crm.contacts.basicApi.getById(id, ['firstname', 'lastname'], ['firstname']);
    assert.equal(rec.properties.firstname, 'Janet');
    assert.ok([null, '', undefined].includes(rec.properties.lastname), `cleared lastname is ${JSON.stringify(rec.properties.lastname)}`);
    const values = rec.propertiesWithHistory.firstname.map((v) => v.value);
    assert.ok(values.includes('Jane') && values.includes('Janet'), `firstname history ${JSON.stringify(values)}`);
  });

  it('basicApi.update by idProperty=email', async () => {
    const rec = await h.client.crm.contacts.basicApi.update(email, { properties: { jobtitle: 'CTO' } }, 'email');
    assert.equal(rec.id, id);
    assert.equal(rec.properties.jobtitle, 'CTO');
  });

  it('basicApi.update of an unknown property is a 400 naming it', async () => {
    const err = await expectApiError(
      h.client.crm.contacts.basicApi.update(id, { properties: { no_such_property_xyz: 'x' } }), 400, 'update unknown property');
    assertErrorBody(err, 'VALIDATION_ERROR');
    assert.match(JSON.stringify(err.body), /no_such_property_xyz/);
  });

  it('basicApi.archive answers 204, then the record is gone from reads', async () => {
    const res = await h.client.crm.contacts.basicApi.archiveWithHttpInfo(id);
    assert.equal(res.httpStatusCode, 204);
    const err = await expectApiError(h.client.crm.contacts.basicApi.getById(id), 404, 'getById after archive');
    assertErrorBody(err, 'OBJECT_NOT_FOUND');
  });

  it('archived=true reads the archived record', async () => {
    const rec = await h.client.crm.contacts.basicApi.getById(id, ['email'], undefined, undefined, true);
    assert.equal(rec.id, id);
    assert.equal(rec.archived, true);
    assertDate(rec.archivedAt, 'archivedAt');
  });

  it('getPage(archived=true) lists only archived records', async () => {
    const live = await h.client.crm.contacts.basicApi.create({ properties: { email: `live.${uniq()}@example.com` } });
    const page = await h.client.crm.contacts.basicApi.getPage(100, undefined, ['email'], undefined, undefined, true);
    const ids = page.results.map((r) => r.id);
    assert.ok(ids.includes(id), 'archived contact listed');
    assert.ok(!ids.includes(live.id), 'live contact not listed with archived=true');
    for (const r of page.results) assert.equal(r.archived, true);
    const livePage = await h.client.crm.contacts.basicApi.getPage(100);
    const liveIds = livePage.results.map((r) => r.id);
    assert.ok(liveIds.includes(live.id) && !liveIds.includes(id), `live list ${liveIds}`);
  });

  it('archive is idempotent: an unknown or archived id answers 204 too (as HubSpot)', async () => {
    const res = await h.client.crm.contacts.basicApi.archiveWithHttpInfo('987654321');
    assert.equal(res.httpStatusCode, 204);
    const again = await h.client.crm.contacts.basicApi.archiveWithHttpInfo(id);
    assert.equal(again.httpStatusCode, 204);
  });
});

describe('merge and GDPR delete', T, () => {
  const h = useTandem({ before, after });

  it('basicApi.merge answers 200 with the surviving record', async () => {
    const a = await h.client.crm.contacts.basicApi.create({ properties: { email: `keep.${uniq()}@example.com`, firstname: 'Keep' }, associations: [] });
    const b = await h.client.crm.contacts.basicApi.create({ properties: { email: `gone.${uniq()}@example.com`, lastname: 'Merged' }, associations: [] });
    const res = await h.client.crm.contacts.basicApi.mergeWithHttpInfo({ primaryObjectId: a.id, objectIdToMerge: b.id });
    assert.equal(res.httpStatusCode, 200);
    assertRecord(res.data, 'merged record');
    assert.equal(res.data.id, a.id);
    assert.equal(res.data.properties.firstname, 'Keep');
    // As in HubSpot, the merged-away id now reads as the surviving record.
    const old = await h.client.crm.contacts.basicApi.getById(b.id, ['email']);
    assert.equal(old.id, a.id);
    const page = await h.client.crm.contacts.basicApi.getPage(100);
    assert.ok(!page.results.some((r) => r.id === b.id), 'merged-away record not listed');
  });

  it('basicApi.purge (GDPR delete) answers 204 and the record is gone, archived reads included', async () => {
    const email = `gdpr.${uniq()}@example.com`;
    const c = await h.client.crm.contacts.basicApi.create({ properties: { email }, associations: [] });
    const res = await h.client.crm.contacts.basicApi.purgeWithHttpInfo({ objectId: email, idProperty: 'email' });
    assert.equal(res.httpStatusCode, 204);
    await expectApiError(h.client.crm.contacts.basicApi.getById(c.id), 404, 'purged record');
    await expectApiError(h.client.crm.contacts.basicApi.getById(c.id, undefined, undefined, undefined, true), 404, 'purged record, archived=true');
  });
});

describe('other objects through the generic crm.objects API', T, () => {
  const h = useTandem({ before, after });

  it('companies by name and by objectTypeId 0-2', async () => {
    const domain = `acme-${uniq()}.example.com`;
    const res = await h.client.crm.objects.basicApi.createWithHttpInfo('companies', { properties: { name: 'Acme', domain }, associations: [] });
    assert.equal(res.httpStatusCode, 201);
    assertRecord(res.data, 'company');
    const byTypeId = await h.client.crm.objects.basicApi.getById('0-2', res.data.id, ['name', 'domain']);
    assert.equal(byTypeId.properties.name, 'Acme');
    assert.equal(byTypeId.properties.domain, domain);
    const upd = await h.client.crm.companies.basicApi.update(res.data.id, { properties: { name: 'Acme Ltd' } });
    assert.equal(upd.properties.name, 'Acme Ltd');
    await h.client.crm.companies.basicApi.archive(res.data.id);
  });

  it('deals with pipeline and stage', async () => {
    const deal = await h.client.crm.deals.basicApi.create({
      properties: { dealname: 'Big deal', pipeline: 'default', dealstage: 'appointmentscheduled', amount: '1000' },
      associations: [],
    });
    assertRecord(deal, 'deal');
    const got = await h.client.crm.deals.basicApi.getById(deal.id, ['dealname', 'amount', 'dealstage']);
    assert.equal(got.properties.dealname, 'Big deal');
    assert.equal(got.properties.dealstage, 'appointmentscheduled');
    assert.equal(Number(got.properties.amount), 1000);
  });

  it('an unknown object type is a 404', async () => {
    const err = await expectApiError(h.client.crm.objects.basicApi.getPage('no_such_objects'), 404, 'unknown object type');
    assertErrorBody(err, 'OBJECT_NOT_FOUND');
  });
});

describe('contacts paging: getPage with limit/after, and getAll', T, () => {
  const h = useTandem({ before, after });
  const N = 25;
  const created = new Set();

  before(async () => {
    for (let i = 0; i < N; i++) {
      const rec = await h.client.crm.contacts.basicApi.create({
        properties: { email: `page${i}.${uniq()}@example.com`, firstname: `P${i}` },
        associations: [],
      });
      created.add(rec.id);
    }
  });

  it('pages of 10 with after cover every record once; the last page has no paging', async () => {
    const seen = [];
    const sizes = [];
    let after;
    for (let guard = 0; guard < 10; guard++) {
      const page = await h.client.crm.contacts.basicApi.getPage(10, after, ['email', 'firstname']);
      sizes.push(page.results.length);
      for (const r of page.results) assertRecord(r, 'listed contact');
      seen.push(...page.results.map((r) => r.id));
      if (!page.paging) break;
      assert.equal(typeof page.paging.next.after, 'string', `paging.next.after must be a string: ${JSON.stringify(page.paging)}`);
      assert.ok(page.paging.next.after.length > 0, 'paging.next.after is empty');
      after = page.paging.next.after;
    }
    assert.deepEqual(sizes, [10, 10, 5]);
    assert.equal(new Set(seen).size, seen.length, 'no record listed twice');
    assert.deepEqual(new Set(seen), created);
  });

  it('limit 25 returns all records and no paging', async () => {
    const page = await h.client.crm.contacts.basicApi.getPage(25);
    assert.equal(page.results.length, 25);
    assert.equal(page.paging, undefined, `paging on the last page: ${JSON.stringify(page.paging)}`);
  });

  it('getAll loops the pages and returns every record', async () => {
    const all = await h.client.crm.contacts.getAll(10, undefined, ['email']);
    assert.equal(all.length, N);
    assert.deepEqual(new Set(all.map((r) => r.id)), created);
  });

  it('default limit is 10', async () => {
    const page = await h.client.crm.contacts.basicApi.getPage();
    assert.equal(page.results.length, 10);
    assert.ok(page.paging?.next?.after, 'paging.next.after on a non-last page');
  });
});
