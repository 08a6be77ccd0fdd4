// Associations v4 through crm.associations.v4.basicApi / batchApi /
// schema.definitionsApi, plus associations given at record create,
// embedded in object reads (?associations=) and the associations.{type}
// search pseudo-property.
//
// Note: SDK models name the JSON field "from" `_from`; requests must use
// `_from`, or the serializer drops it.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useTandem, expectApiError, assertErrorBody, assertDate, uniq } from './harness.mjs';

const T = { timeout: 60_000 };

const HUBSPOT = 'HUBSPOT_DEFINED';
const USER = 'USER_DEFINED';
// §3.3
const CONTACT_TO_COMPANY_PRIMARY = 1;
const CONTACT_TO_COMPANY = 279;
const COMPANY_TO_CONTACT = 280;
const DEAL_TO_CONTACT = 3;

describe('associations v4', T, () => {
  const h = useTandem({ before, after });
  const v4 = () => h.client.crm.associations.v4;
  const c = {}; // contacts
  const co = {}; // companies
  let deal;

  before(async () => {
    for (const k of ['a', 'b', 'c', 'd']) {
      c[k] = (await h.client.crm.contacts.basicApi.create({ properties: { email: `${k}.${uniq()}@example.com` }, associations: [] })).id;
    }
    for (const k of ['x', 'y']) {
      co[k] = (await h.client.crm.companies.basicApi.create({ properties: { name: `Co ${k}`, domain: `${k}-${uniq()}.example.com` }, associations: [] })).id;
    }
    deal = (await h.client.crm.deals.basicApi.create({
      properties: { dealname: 'Assoc deal', pipeline: 'default', dealstage: 'appointmentscheduled' }, associations: [],
    })).id;
  });

  const typesTo = async (fromType, fromId, toType, toId) => {
    const page = await v4().basicApi.getPage(fromType, fromId, toType);
    const row = page.results.find((r) => String(r.toObjectId) === String(toId));
    return row ? row.associationTypes : [];
  };

  it('basicApi.create (PUT) answers 201 with LabelsBetweenObjectPair', async () => {
    const res = await v4().basicApi.createWithHttpInfo('contacts', c.a, 'companies', co.x,
      [{ associationCategory: HUBSPOT, associationTypeId: CONTACT_TO_COMPANY }]);
    assert.equal(res.httpStatusCode, 201);
    assert.equal(res.data.fromObjectTypeId, '0-1');
    assert.equal(String(res.data.fromObjectId), c.a);
    assert.equal(res.data.toObjectTypeId, '0-2');
    assert.equal(String(res.data.toObjectId), co.x);
    assert.ok(Array.isArray(res.data.labels), `labels: ${JSON.stringify(res.data)}`);
  });

  it('basicApi.getPage answers 200 with the association and its types', async () => {
    const res = await v4().basicApi.getPageWithHttpInfo('contacts', c.a, 'companies');
    assert.equal(res.httpStatusCode, 200);
    assert.equal(res.data.results.length, 1);
    const row = res.data.results[0];
    assert.equal(String(row.toObjectId), co.x);
    const t = row.associationTypes.find((x) => x.typeId === CONTACT_TO_COMPANY);
    assert.ok(t, `type 279 in ${JSON.stringify(row.associationTypes)}`);
    assert.equal(t.category, HUBSPOT);
    assert.equal(t.label ?? null, null, 'unlabeled type has a null label');
    assert.equal(res.data.paging, undefined);
  });

  it('the inverse direction is associated too (company → contact 280)', async () => {
    const types = await typesTo('companies', co.x, 'contacts', c.a);
    assert.ok(types.some((t) => t.typeId === COMPANY_TO_CONTACT), `types ${JSON.stringify(types)}`);
  });

  it('the primary type carries the label "Primary"', async () => {
    await v4().basicApi.create('contacts', c.b, 'companies', co.y, [{ associationCategory: HUBSPOT, associationTypeId: CONTACT_TO_COMPANY_PRIMARY }]);
    const types = await typesTo('contacts', c.b, 'companies', co.y);
    const primary = types.find((t) => t.typeId === CONTACT_TO_COMPANY_PRIMARY);
    assert.ok(primary, `primary in ${JSON.stringify(types)}`);
    assert.equal(primary.label, 'Primary');
  });

  it('basicApi.createDefault answers 200 with a batch response of the default association', async () => {
    const res = await v4().basicApi.createDefaultWithHttpInfo('contacts', c.c, 'companies', co.x);
    assert.equal(res.httpStatusCode, 200);
    assert.equal(res.data.status, 'COMPLETE');
    assertDate(res.data.startedAt, 'startedAt');
    assertDate(res.data.completedAt, 'completedAt');
    assert.ok(res.data.results.length >= 1);
    const r = res.data.results[0];
    assert.equal(String(r._from.id), c.c);
    assert.equal(String(r.to.id), co.x);
    assert.equal(r.associationSpec.associationCategory, HUBSPOT);
    assert.equal(r.associationSpec.associationTypeId, CONTACT_TO_COMPANY);
    const types = await typesTo('contacts', c.c, 'companies', co.x);
    assert.ok(types.some((t) => t.typeId === CONTACT_TO_COMPANY));
  });

  it('basicApi.getPage pages with limit and after', async () => {
    for (const k of ['a', 'b', 'c', 'd']) await v4().basicApi.createDefault('companies', co.y, 'contacts', c[k]);
    const seen = [];
    let after;
    for (let guard = 0; guard < 10; guard++) {
      const page = await v4().basicApi.getPage('companies', co.y, 'contacts', after, 3);
      assert.ok(page.results.length <= 3);
      seen.push(...page.results.map((r) => String(r.toObjectId)));
      if (!page.paging) break;
      after = page.paging.next.after;
    }
    assert.deepEqual([...seen].sort(), [c.a, c.b, c.c, c.d].sort());
  });

  it('embedded in list reads: getPage(..., associations=[companies])', async () => {
    const page = await h.client.crm.contacts.basicApi.getPage(100, undefined, ['email'], undefined, ['companies']);
    const rec = page.results.find((r) => r.id === c.a);
    assert.ok(rec?.associations?.companies?.results?.some((r) => r.id === co.x), `associations of ${c.a}: ${JSON.stringify(rec?.associations)}`);
  });

  it('embedded in object reads: getById(..., associations=[companies])', async () => {
    const rec = await h.client.crm.contacts.basicApi.getById(c.a, ['email'], undefined, ['companies']);
    const assoc = rec.associations?.companies;
    assert.ok(assoc, `associations.companies: ${JSON.stringify(rec.associations)}`);
    assert.ok(assoc.results.some((r) => r.id === co.x && typeof r.type === 'string'), JSON.stringify(assoc));
  });

  it('associations given at record create', async () => {
    const rec = await h.client.crm.contacts.basicApi.create({
      properties: { email: `withassoc.${uniq()}@example.com` },
      associations: [{ to: { id: co.x }, types: [{ associationCategory: HUBSPOT, associationTypeId: CONTACT_TO_COMPANY }] }],
    });
    const types = await typesTo('contacts', rec.id, 'companies', co.x);
    assert.ok(types.some((t) => t.typeId === CONTACT_TO_COMPANY), `types ${JSON.stringify(types)}`);
  });

  it('associations.contact pseudo-property in search', async () => {
    await v4().basicApi.create('deals', deal, 'contacts', c.d, [{ associationCategory: HUBSPOT, associationTypeId: DEAL_TO_CONTACT }]);
    const res = await h.client.crm.deals.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'associations.contact', operator: 'EQ', value: c.d }] }], limit: 10,
    });
    assert.deepEqual(res.results.map((r) => r.id), [deal]);
  });

  it('basicApi.archive answers 204 and removes the association both ways', async () => {
    const res = await v4().basicApi.archiveWithHttpInfo('contacts', c.a, 'companies', co.x);
    assert.equal(res.httpStatusCode, 204);
    assert.deepEqual(await typesTo('contacts', c.a, 'companies', co.x), []);
    assert.deepEqual(await typesTo('companies', co.x, 'contacts', c.a), []);
  });

  it('basicApi.create to an unknown record is a 404', async () => {
    const err = await expectApiError(v4().basicApi.create('contacts', c.a, 'companies', '987654321',
      [{ associationCategory: HUBSPOT, associationTypeId: CONTACT_TO_COMPANY }]), 404, 'associate to unknown record');
    assertErrorBody(err, 'OBJECT_NOT_FOUND');
  });

  it('basicApi.create with a type id of other objects is a 400', async () => {
    const err = await expectApiError(v4().basicApi.create('contacts', c.a, 'companies', co.x,
      [{ associationCategory: HUBSPOT, associationTypeId: DEAL_TO_CONTACT }]), 400, 'wrong type id');
    assertErrorBody(err, 'VALIDATION_ERROR');
  });
});

describe('associations v4 batch', T, () => {
  const h = useTandem({ before, after });
  const batch = () => h.client.crm.associations.v4.batchApi;
  const c = [];
  const co = [];

  before(async () => {
    for (let i = 0; i < 3; i++) {
      c.push((await h.client.crm.contacts.basicApi.create({ properties: { email: `b${i}.${uniq()}@example.com` }, associations: [] })).id);
      co.push((await h.client.crm.companies.basicApi.create({ properties: { name: `B${i}` }, associations: [] })).id);
    }
  });

  it('batchApi.create answers 201 with the created pairs', async () => {
    const res = await batch().createWithHttpInfo('contacts', 'companies', {
      inputs: [0, 1].map((i) => ({ _from: { id: c[i] }, to: { id: co[i] }, types: [{ associationCategory: HUBSPOT, associationTypeId: CONTACT_TO_COMPANY }] })),
    });
    assert.equal(res.httpStatusCode, 201);
    assert.equal(res.data.status, 'COMPLETE');
    assert.equal(res.data.results.length, 2);
    assert.deepEqual(res.data.results.map((r) => String(r.fromObjectId)).sort(), [c[0], c[1]].sort());
    for (const r of res.data.results) {
      assert.equal(r.fromObjectTypeId, '0-1');
      assert.equal(r.toObjectTypeId, '0-2');
      assert.ok(r.toObjectId !== undefined && Array.isArray(r.labels), `LabelsBetweenObjectPair: ${JSON.stringify(r)}`);
    }
  });

  it('batchApi.createDefault answers 200', async () => {
    const res = await batch().createDefaultWithHttpInfo('contacts', 'companies', { inputs: [{ _from: { id: c[2] }, to: { id: co[2] } }] });
    assert.equal(res.httpStatusCode, 200);
    // HubSpot lists both directions of each default association.
    const fwd = res.data.results.find((r) => String(r._from.id) === c[2] && String(r.to.id) === co[2]);
    assert.ok(fwd, `contact → company in ${JSON.stringify(res.data.results)}`);
    assert.equal(fwd.associationSpec.associationTypeId, CONTACT_TO_COMPANY);
  });

  it('batchApi.getPage (batch/read) answers 200 with each input\'s associations', async () => {
    const res = await batch().getPageWithHttpInfo('contacts', 'companies', { inputs: c.map((id) => ({ id })) });
    assert.equal(res.httpStatusCode, 200);
    assert.equal(res.data.status, 'COMPLETE');
    const byFrom = new Map(res.data.results.map((r) => [String(r._from.id), r.to.map((t) => String(t.toObjectId))]));
    for (let i = 0; i < 3; i++) assert.deepEqual(byFrom.get(c[i]), [co[i]], `associations of ${c[i]}: ${JSON.stringify([...byFrom])}`);
  });

  it('batchApi.getPage with an unknown record answers 207 with a per-input error', async () => {
    const res = await batch().getPageWithHttpInfo('contacts', 'companies', { inputs: [{ id: c[0] }, { id: '987654321' }] });
    assert.equal(res.httpStatusCode, 207);
    assert.equal(res.data.results.length, 1);
    assert.ok(res.data.numErrors >= 1, `numErrors: ${JSON.stringify(res.data)}`);
    assert.match(JSON.stringify(res.data.errors), /987654321/);
  });

  it('batchApi.archive answers 204 and removes the pairs', async () => {
    const res = await batch().archiveWithHttpInfo('contacts', 'companies', { inputs: [{ _from: { id: c[0] }, to: [{ id: co[0] }] }] });
    assert.equal(res.httpStatusCode, 204);
    const page = await h.client.crm.associations.v4.basicApi.getPage('contacts', c[0], 'companies');
    assert.deepEqual(page.results, []);
    const other = await h.client.crm.associations.v4.basicApi.getPage('contacts', c[1], 'companies');
    assert.equal(other.results.length, 1, 'other pairs stay');
  });
});

describe('associations v3 batch and types', T, () => {
  const h = useTandem({ before, after });
  const c = [];
  const co = [];

  before(async () => {
    for (let i = 0; i < 2; i++) {
      c.push((await h.client.crm.contacts.basicApi.create({ properties: { email: `v3${i}.${uniq()}@example.com` }, associations: [] })).id);
      co.push((await h.client.crm.companies.basicApi.create({ properties: { name: `V3 ${i}` }, associations: [] })).id);
    }
  });

  it('schema.typesApi.getAll lists contact_to_company', async () => {
    const res = await h.client.crm.associations.schema.typesApi.getAllWithHttpInfo('contacts', 'companies');
    assert.equal(res.httpStatusCode, 200);
    // One entry per type: the primary type is contact_to_company, the
    // unlabeled one (279) contact_to_company_unlabeled (cf. §1.2, §3.2).
    assert.ok(res.data.results.some((t) => t.name === 'contact_to_company'), `types: ${JSON.stringify(res.data.results)}`);
    assert.ok(res.data.results.some((t) => String(t.id) === String(CONTACT_TO_COMPANY)), `types: ${JSON.stringify(res.data.results)}`);
    for (const t of res.data.results) assert.equal(typeof t.id, 'string');
  });

  it('batchApi.create (v3) answers 201', async () => {
    const res = await h.client.crm.associations.batchApi.createWithHttpInfo('contacts', 'companies', {
      inputs: [0, 1].map((i) => ({ _from: { id: c[i] }, to: { id: co[i] }, type: 'contact_to_company' })),
    });
    assert.equal(res.httpStatusCode, 201);
    assert.equal(res.data.status, 'COMPLETE');
    assert.equal(res.data.results.length, 2);
  });

  it('batchApi.read (v3) answers 200 with {id, type} entries', async () => {
    const res = await h.client.crm.associations.batchApi.readWithHttpInfo('contacts', 'companies', { inputs: c.map((id) => ({ id })) });
    assert.equal(res.httpStatusCode, 200);
    const byFrom = new Map(res.data.results.map((r) => [String(r._from.id), r.to]));
    for (let i = 0; i < 2; i++) {
      const to = byFrom.get(c[i]) ?? [];
      assert.ok(to.some((t) => String(t.id) === co[i] && typeof t.type === 'string'), `v3 associations of ${c[i]}: ${JSON.stringify(to)}`);
    }
  });

  it('batchApi.archive (v3) answers 204 and the named association is gone', async () => {
    const res = await h.client.crm.associations.batchApi.archiveWithHttpInfo('contacts', 'companies', {
      inputs: [{ _from: { id: c[0] }, to: { id: co[0] }, type: 'contact_to_company' }],
    });
    assert.equal(res.httpStatusCode, 204);
    const read = await h.client.crm.associations.batchApi.read('contacts', 'companies', { inputs: [{ id: c[0] }, { id: c[1] }] });
    const to = (id) => read.results.find((r) => String(r._from.id) === id)?.to ?? [];
    assert.ok(!to(c[0]).some((t) => String(t.id) === co[0] && t.type === 'contact_to_company'), `after archive: ${JSON.stringify(to(c[0]))}`);
    assert.ok(to(c[1]).some((t) => String(t.id) === co[1] && t.type === 'contact_to_company'), 'other pair stays');
  });
});

describe('association labels (schema.definitionsApi)', T, () => {
  const h = useTandem({ before, after });
  const defs = () => h.client.crm.associations.v4.schema.definitionsApi;
  let typeId;
  let contact;
  let company;

  before(async () => {
    contact = (await h.client.crm.contacts.basicApi.create({ properties: { email: `l.${uniq()}@example.com` }, associations: [] })).id;
    company = (await h.client.crm.companies.basicApi.create({ properties: { name: 'Labelled' }, associations: [] })).id;
  });

  it('definitionsApi.getAll lists the HubSpot-defined types', async () => {
    const res = await defs().getAllWithHttpInfo('contacts', 'companies');
    assert.equal(res.httpStatusCode, 200);
    const ids = res.data.results.map((t) => t.typeId);
    assert.ok(ids.includes(CONTACT_TO_COMPANY_PRIMARY) && ids.includes(CONTACT_TO_COMPANY), `types ${JSON.stringify(res.data.results)}`);
    assert.equal(res.data.results.find((t) => t.typeId === CONTACT_TO_COMPANY_PRIMARY).label, 'Primary');
  });

  it('definitionsApi.create answers 200 with the new USER_DEFINED type', async () => {
    const res = await defs().createWithHttpInfo('contacts', 'companies', { label: 'Billing contact', name: `billing_contact_${uniq()}`, inverseLabel: 'Billed company' });
    assert.equal(res.httpStatusCode, 200);
    const t = res.data.results.find((x) => x.label === 'Billing contact');
    assert.ok(t, `created label in ${JSON.stringify(res.data.results)}`);
    assert.equal(t.category, USER);
    assert.equal(typeof t.typeId, 'number');
    typeId = t.typeId;
    const all = await defs().getAll('contacts', 'companies');
    assert.ok(all.results.some((x) => x.typeId === typeId && x.label === 'Billing contact'));
    const inverse = await defs().getAll('companies', 'contacts');
    assert.ok(inverse.results.some((x) => x.category === USER && x.label === 'Billed company'), `inverse label: ${JSON.stringify(inverse.results)}`);
  });

  it('a labelled association shows its label on both sides', async () => {
    const res = await h.client.crm.associations.v4.basicApi.create('contacts', contact, 'companies', company,
      [{ associationCategory: USER, associationTypeId: typeId }]);
    assert.ok(res.labels.includes('Billing contact'), `labels ${JSON.stringify(res.labels)}`);
    const page = await h.client.crm.associations.v4.basicApi.getPage('contacts', contact, 'companies');
    const types = page.results.find((r) => String(r.toObjectId) === company).associationTypes;
    assert.ok(types.some((t) => t.typeId === typeId && t.label === 'Billing contact' && t.category === USER), JSON.stringify(types));
    const back = await h.client.crm.associations.v4.basicApi.getPage('companies', company, 'contacts');
    const backTypes = back.results.find((r) => String(r.toObjectId) === contact).associationTypes;
    assert.ok(backTypes.some((t) => t.label === 'Billed company'), JSON.stringify(backTypes));
  });

  it('definitionsApi.update answers 204 and renames the label', async () => {
    const res = await defs().updateWithHttpInfo('contacts', 'companies', { associationTypeId: typeId, label: 'Invoice contact', inverseLabel: 'Invoiced company' });
    assert.equal(res.httpStatusCode, 204);
    const all = await defs().getAll('contacts', 'companies');
    assert.equal(all.results.find((x) => x.typeId === typeId)?.label, 'Invoice contact');
  });

  it('definitionsApi.remove answers 204; the label and its associations are gone', async () => {
    const res = await defs().removeWithHttpInfo('contacts', 'companies', typeId);
    assert.equal(res.httpStatusCode, 204);
    const all = await defs().getAll('contacts', 'companies');
    assert.ok(!all.results.some((x) => x.typeId === typeId), 'removed label not listed');
    const page = await h.client.crm.associations.v4.basicApi.getPage('contacts', contact, 'companies');
    const types = page.results.flatMap((r) => r.associationTypes);
    assert.ok(!types.some((t) => t.typeId === typeId), `labelled association removed: ${JSON.stringify(types)}`);
  });

  it('definitionsApi.remove of an unknown type is refused (4xx)', async () => {
    // The reference does not say 400 or 404; Tandem answers 400.
    let err;
    try {
      await defs().remove('contacts', 'companies', 999999);
    } catch (e) {
      err = e;
    }
    assert.ok(err && (err.code === 400 || err.code === 404), `want 400/404, got ${err?.code ?? 'success'}`);
    assert.ok(!/^no such endpoint/.test(err.body?.message ?? ''), 'endpoint not served');
    assertErrorBody(err, err.code === 404 ? 'OBJECT_NOT_FOUND' : 'VALIDATION_ERROR');
  });
});
