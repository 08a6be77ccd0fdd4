// Search through crm.{contacts,deals}.searchApi.doSearch: filter groups
// (ORed) of filters (ANDed) with every operator, sorts (objects and bare
// names), free-text query, properties, limit/after paging and total.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useTandem, expectApiError, assertErrorBody, assertRecord } from './harness.mjs';

const T = { timeout: 60_000 };

const people = [
  { key: 'alice', firstname: 'Alice', lastname: 'Smith', email: 'alice@acme.example', lifecyclestage: 'lead' },
  { key: 'bob', firstname: 'Bob', lastname: 'Smith', email: 'bob@acme.example', lifecyclestage: 'customer' },
  { key: 'carol', firstname: 'Carol', lastname: 'Jones', email: 'carol@other.example', lifecyclestage: 'lead' },
  { key: 'dave', firstname: 'Dave', email: 'dave@acme.example', lifecyclestage: 'customer' },
  { key: 'erin', firstname: 'Erin', lastname: 'Brown', lifecyclestage: 'subscriber' },
  { key: 'frank', firstname: 'Frank', lastname: 'Miller', email: 'frank.miller@other.example', jobtitle: 'Head of Zymurgy' },
];

const deals = [
  { key: 'd100', dealname: 'Deal 100', amount: '100' },
  { key: 'd250', dealname: 'Deal 250', amount: '250.5' },
  { key: 'd500', dealname: 'Deal 500', amount: '500' },
  { key: 'd1000', dealname: 'Deal 1000', amount: '1000' },
];

describe('search', T, () => {
  const h = useTandem({ before, after });
  const ids = {}; // key -> id
  const keyOf = {}; // id -> key
  let createdBefore;

  before(async () => {
    createdBefore = Date.now() - 1000;
    for (const { key, ...properties } of people) {
      const r = await h.client.crm.contacts.basicApi.create({ properties, associations: [] });
      ids[key] = r.id;
      keyOf[r.id] = key;
    }
    for (const { key, ...properties } of deals) {
      const r = await h.client.crm.deals.basicApi.create({
        properties: { ...properties, pipeline: 'default', dealstage: 'appointmentscheduled' }, associations: [],
      });
      ids[key] = r.id;
      keyOf[r.id] = key;
    }
  });

  const contacts = (req) => h.client.crm.contacts.searchApi.doSearch({ limit: 100, ...req });
  const keys = (res) => res.results.map((r) => keyOf[r.id]);
  const sortedKeys = (res) => keys(res).sort();
  const one = (propertyName, operator, extra = {}) => ({ filterGroups: [{ filters: [{ propertyName, operator, ...extra }] }] });

  it('answers 200 with total and records; no paging when everything fits', async () => {
    const res = await h.client.crm.contacts.searchApi.doSearchWithHttpInfo({ filterGroups: [], limit: 100 });
    assert.equal(res.httpStatusCode, 200);
    assert.equal(res.data.total, people.length);
    assert.equal(res.data.results.length, people.length);
    for (const r of res.data.results) assertRecord(r, 'search hit');
    assert.equal(res.data.paging, undefined);
  });

  it('EQ is case-insensitive on strings', async () => {
    const res = await contacts(one('firstname', 'EQ', { value: 'alice' }));
    assert.deepEqual(keys(res), ['alice']);
    assert.equal(res.total, 1);
  });

  it('EQ on an enumeration is case-sensitive', async () => {
    const exact = await contacts(one('lifecyclestage', 'EQ', { value: 'lead' }));
    assert.deepEqual(sortedKeys(exact), ['alice', 'carol']);
    const upper = await contacts(one('lifecyclestage', 'EQ', { value: 'LEAD' }));
    assert.deepEqual(keys(upper), []);
  });

  it('EQ on hs_object_id', async () => {
    const res = await contacts(one('hs_object_id', 'EQ', { value: ids.bob }));
    assert.deepEqual(keys(res), ['bob']);
  });

  it('NEQ', async () => {
    const res = await contacts(one('lastname', 'NEQ', { value: 'Smith' }));
    assert.ok(!keys(res).includes('alice') && !keys(res).includes('bob'), `NEQ Smith: ${keys(res)}`);
    assert.ok(keys(res).includes('carol'));
  });

  it('filters in a group are ANDed', async () => {
    const res = await contacts({ filterGroups: [{ filters: [
      { propertyName: 'lastname', operator: 'EQ', value: 'smith' },
      { propertyName: 'lifecyclestage', operator: 'EQ', value: 'customer' },
    ] }] });
    assert.deepEqual(keys(res), ['bob']);
  });

  it('filter groups are ORed', async () => {
    const res = await contacts({ filterGroups: [
      { filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'Alice' }] },
      { filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'Carol' }] },
    ] });
    assert.deepEqual(sortedKeys(res), ['alice', 'carol']);
    assert.equal(res.total, 2);
  });

  it('IN and NOT_IN on an enumeration', async () => {
    const inRes = await contacts(one('lifecyclestage', 'IN', { values: ['lead', 'subscriber'] }));
    assert.deepEqual(sortedKeys(inRes), ['alice', 'carol', 'erin']);
    const notIn = await contacts(one('lifecyclestage', 'NOT_IN', { values: ['lead', 'subscriber'] }));
    assert.ok(notIn.results.length > 0);
    for (const k of keys(notIn)) assert.ok(!['alice', 'carol', 'erin'].includes(k), `NOT_IN returned ${k}`);
    assert.ok(keys(notIn).includes('bob') && keys(notIn).includes('dave'));
  });

  it('IN on a string property (lowercase values)', async () => {
    const res = await contacts(one('firstname', 'IN', { values: ['alice', 'bob'] }));
    assert.deepEqual(sortedKeys(res), ['alice', 'bob']);
  });

  it('HAS_PROPERTY and NOT_HAS_PROPERTY', async () => {
    const has = await contacts(one('email', 'HAS_PROPERTY'));
    assert.deepEqual(sortedKeys(has), ['alice', 'bob', 'carol', 'dave', 'frank']);
    const hasNot = await contacts(one('email', 'NOT_HAS_PROPERTY'));
    assert.deepEqual(keys(hasNot), ['erin']);
  });

  it('CONTAINS_TOKEN with a * wildcard, and NOT_CONTAINS_TOKEN', async () => {
    const res = await contacts(one('email', 'CONTAINS_TOKEN', { value: '*@acme.example' }));
    assert.deepEqual(sortedKeys(res), ['alice', 'bob', 'dave']);
    const prefix = await contacts(one('firstname', 'CONTAINS_TOKEN', { value: 'ali*' }));
    assert.deepEqual(keys(prefix), ['alice']);
    const tok = await contacts(one('jobtitle', 'CONTAINS_TOKEN', { value: 'zymurgy' }));
    assert.deepEqual(keys(tok), ['frank']);
    const not = await contacts(one('jobtitle', 'NOT_CONTAINS_TOKEN', { value: 'zymurgy' }));
    assert.ok(!keys(not).includes('frank'), `NOT_CONTAINS_TOKEN returned frank: ${keys(not)}`);
  });

  it('GT/GTE/LT/LTE/BETWEEN on a number (deals.amount)', async () => {
    const d = (req) => h.client.crm.deals.searchApi.doSearch({ limit: 100, ...req }).then(sortedKeys);
    assert.deepEqual(await d(one('amount', 'GT', { value: '250.5' })), ['d1000', 'd500']);
    assert.deepEqual(await d(one('amount', 'GTE', { value: '250.5' })), ['d1000', 'd250', 'd500']);
    assert.deepEqual(await d(one('amount', 'LT', { value: '250.5' })), ['d100']);
    assert.deepEqual(await d(one('amount', 'LTE', { value: '500' })), ['d100', 'd250', 'd500']);
    assert.deepEqual(await d(one('amount', 'BETWEEN', { value: '200', highValue: '600' })), ['d250', 'd500']);
    assert.deepEqual(await d(one('amount', 'BETWEEN', { value: '250.5', highValue: '500' })), ['d250', 'd500'], 'BETWEEN is inclusive');
    assert.deepEqual(await d(one('amount', 'EQ', { value: '500' })), ['d500']);
  });

  it('sorting a number property is numeric, not lexicographic', async () => {
    const asc = await h.client.crm.deals.searchApi.doSearch({ filterGroups: [], sorts: [{ propertyName: 'amount', direction: 'ASCENDING' }], limit: 10 });
    assert.deepEqual(keys(asc), ['d100', 'd250', 'd500', 'd1000']);
    const desc = await h.client.crm.deals.searchApi.doSearch({ filterGroups: [], sorts: [{ propertyName: 'amount', direction: 'DESCENDING' }], limit: 10 });
    assert.deepEqual(keys(desc), ['d1000', 'd500', 'd250', 'd100']);
  });

  it('sorting by createdate DESCENDING is newest first', async () => {
    const res = await contacts({ filterGroups: [], sorts: [{ propertyName: 'createdate', direction: 'DESCENDING' }], properties: ['createdate'] });
    assert.equal(res.results.length, people.length);
    const times = res.results.map((r) => Date.parse(r.properties.createdate));
    for (let i = 1; i < times.length; i++) assert.ok(times[i - 1] >= times[i], `createdate not descending: ${res.results.map((r) => r.properties.createdate)}`);
  });

  it('GTE on createdate with an epoch-ms value', async () => {
    const res = await contacts(one('createdate', 'GTE', { value: String(createdBefore) }));
    assert.equal(res.total, people.length);
    const none = await contacts(one('createdate', 'LT', { value: String(createdBefore) }));
    assert.equal(none.total, 0);
    assert.deepEqual(none.results, []);
  });

  it('sorts given as objects, both directions', async () => {
    const asc = await contacts({ filterGroups: [], sorts: [{ propertyName: 'firstname', direction: 'ASCENDING' }] });
    assert.deepEqual(keys(asc), ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
    const desc = await contacts({ filterGroups: [], sorts: [{ propertyName: 'firstname', direction: 'DESCENDING' }] });
    assert.deepEqual(keys(desc), ['frank', 'erin', 'dave', 'carol', 'bob', 'alice']);
  });

  it('sorts given as a bare property name (the SDK type is string[])', async () => {
    const res = await contacts({ filterGroups: [], sorts: ['lastname'] });
    const ln = res.results.map((r) => r.properties.lastname ?? '');
    const withValues = ln.filter(Boolean);
    assert.deepEqual(withValues, [...withValues].sort(), `ascending by lastname: ${ln}`);
  });

  it('default order is creation date, oldest first', async () => {
    const res = await contacts({ filterGroups: [] });
    assert.deepEqual(keys(res), people.map((p) => p.key));
  });

  it('free-text query over searchable properties', async () => {
    const res = await contacts({ query: 'carol', filterGroups: [] });
    assert.deepEqual(keys(res), ['carol']);
    const byLastname = await contacts({ query: 'Jones', filterGroups: [] });
    assert.deepEqual(keys(byLastname), ['carol']);
    const combined = await contacts({ query: 'smith', filterGroups: [{ filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'Bob' }] }] });
    assert.deepEqual(keys(combined), ['bob']);
  });

  it('without properties, the default contact properties are returned', async () => {
    const res = await contacts(one('firstname', 'EQ', { value: 'Alice' }));
    const p = res.results[0].properties;
    assert.equal(p.email, 'alice@acme.example');
    assert.equal(p.firstname, 'Alice');
    assert.equal(p.lastname, 'Smith');
    assert.equal(p.hs_object_id, ids.alice);
    assert.ok('createdate' in p && 'lastmodifieddate' in p, `default properties: ${Object.keys(p)}`);
  });

  it('after given as an integer offset (the documented search format) is accepted', async () => {
    // §1.5: search `after` "must be formatted as an integer" (a string
    // offset); clients build it themselves (after = page * limit).
    const res = await contacts({ filterGroups: [], sorts: [{ propertyName: 'firstname', direction: 'ASCENDING' }], limit: 4, after: '4' });
    assert.deepEqual(keys(res), ['erin', 'frank']);
    assert.equal(res.total, people.length);
    const past = await contacts({ filterGroups: [], limit: 10, after: '100' });
    assert.deepEqual(past.results, []);
    assert.equal(past.paging, undefined);
  });

  it('properties selects the returned properties', async () => {
    const res = await contacts({ ...one('firstname', 'EQ', { value: 'Frank' }), properties: ['jobtitle', 'lastname'] });
    assert.equal(res.results[0].properties.jobtitle, 'Head of Zymurgy');
    assert.equal(res.results[0].properties.lastname, 'Miller');
  });

  it('limit and after page through the results; total stays the same', async () => {
    const seen = [];
    const sizes = [];
    let after;
    for (let guard = 0; guard < 10; guard++) {
      const res = await h.client.crm.contacts.searchApi.doSearch({
        filterGroups: [], sorts: [{ propertyName: 'firstname', direction: 'ASCENDING' }], limit: 4, after,
      });
      assert.equal(res.total, people.length);
      sizes.push(res.results.length);
      seen.push(...keys(res));
      if (!res.paging) break;
      assert.equal(typeof res.paging.next.after, 'string');
      after = res.paging.next.after;
    }
    assert.deepEqual(sizes, [4, 2]);
    assert.deepEqual(seen, ['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
  });

  it('reads its own writes', async () => {
    const r = await h.client.crm.contacts.basicApi.create({ properties: { firstname: 'Zed', email: 'zed@fresh.example' }, associations: [] });
    const res = await contacts(one('email', 'EQ', { value: 'zed@fresh.example' }));
    assert.deepEqual(res.results.map((x) => x.id), [r.id]);
    await h.client.crm.contacts.basicApi.archive(r.id);
    const gone = await contacts(one('email', 'EQ', { value: 'zed@fresh.example' }));
    assert.equal(gone.total, 0, 'archived records never appear');
  });

  it('more than 5 filter groups is a 400 VALIDATION_ERROR', async () => {
    const filterGroups = Array.from({ length: 6 }, () => ({ filters: [{ propertyName: 'firstname', operator: 'EQ', value: 'x' }] }));
    const err = await expectApiError(contacts({ filterGroups }), 400, '6 filter groups');
    assertErrorBody(err, 'VALIDATION_ERROR');
  });

  it('more than 6 filters in a group is a 400 VALIDATION_ERROR', async () => {
    const filters = Array.from({ length: 7 }, () => ({ propertyName: 'firstname', operator: 'HAS_PROPERTY' }));
    const err = await expectApiError(contacts({ filterGroups: [{ filters }] }), 400, '7 filters in a group');
    assertErrorBody(err, 'VALIDATION_ERROR');
  });

  it('more than 18 filters in total is a 400 VALIDATION_ERROR', async () => {
    const group = { filters: Array.from({ length: 4 }, () => ({ propertyName: 'firstname', operator: 'HAS_PROPERTY' })) };
    const err = await expectApiError(contacts({ filterGroups: [group, group, group, group, group] }), 400, '20 filters');
    assertErrorBody(err, 'VALIDATION_ERROR');
  });

  it('an unknown operator is a 400 VALIDATION_ERROR', async () => {
    const err = await expectApiError(contacts(one('firstname', 'LIKE', { value: 'x' })), 400, 'unknown operator');
    assertErrorBody(err, 'VALIDATION_ERROR');
  });

  it('search on an unknown object type is a 404', async () => {
    const err = await expectApiError(h.client.crm.objects.searchApi.doSearch('no_such_objects', { filterGroups: [] }), 404, 'unknown object');
    assertErrorBody(err, 'OBJECT_NOT_FOUND');
  });
});
