// Properties through crm.properties.coreApi / groupsApi / batchApi:
// list, read, create (201), update, archive (204), groups, and records
// using the new properties (options checked, unique values enforced).

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useTandem, expectApiError, assertErrorBody, assertDate, uniq } from './harness.mjs';

const T = { timeout: 60_000 };

// Property: the TS model requires name, label, type, fieldType,
// description, groupName, options.
function assertProperty(p, what) {
  for (const k of ['name', 'label', 'type', 'fieldType', 'groupName']) {
    assert.equal(typeof p[k], 'string', `${what}.${k}: ${JSON.stringify(p)}`);
  }
  assert.equal(typeof p.description, 'string', `${what}.description must be a string`);
  assert.ok(Array.isArray(p.options), `${what}.options must be an array`);
  for (const o of p.options) {
    assert.equal(typeof o.label, 'string');
    assert.equal(typeof o.value, 'string');
    assert.equal(typeof o.hidden, 'boolean', `${what} option.hidden is required: ${JSON.stringify(o)}`);
  }
}

describe('properties', T, () => {
  const h = useTandem({ before, after });
  const core = () => h.client.crm.properties.coreApi;
  const name = `compat_colour_${uniq()}`;

  it('coreApi.getAll lists the built-in contact properties', async () => {
    const res = await core().getAllWithHttpInfo('contacts');
    assert.equal(res.httpStatusCode, 200);
    const byName = new Map(res.data.results.map((p) => [p.name, p]));
    for (const n of ['email', 'firstname', 'lastname', 'lifecyclestage', 'createdate', 'hs_object_id']) {
      assert.ok(byName.has(n), `built-in property ${n} listed`);
    }
    for (const p of res.data.results) assertProperty(p, `property ${p.name}`);
    assert.equal(byName.get('lifecyclestage').type, 'enumeration');
    assert.ok(byName.get('lifecyclestage').options.some((o) => o.value === 'lead'));
  });

  it('coreApi.getByName reads one property', async () => {
    const p = await core().getByName('contacts', 'email');
    assertProperty(p, 'email');
    assert.equal(p.name, 'email');
    assert.equal(p.type, 'string');
    assert.equal(p.groupName, 'contactinformation');
  });

  it('coreApi.create answers 201 with the property', async () => {
    const res = await core().createWithHttpInfo('contacts', {
      name, label: 'Favourite colour', type: 'enumeration', fieldType: 'select', groupName: 'contactinformation',
      description: 'made by the compat suite',
      options: [
        { label: 'Red', value: 'red', hidden: false, displayOrder: 0 },
        { label: 'Green', value: 'green', hidden: false, displayOrder: 1 },
      ],
    });
    assert.equal(res.httpStatusCode, 201);
    assertProperty(res.data, 'created property');
    assert.equal(res.data.name, name);
    assert.equal(res.data.label, 'Favourite colour');
    assert.deepEqual(res.data.options.map((o) => o.value), ['red', 'green']);
    if (res.data.createdAt !== undefined) assertDate(res.data.createdAt, 'property createdAt');
  });

  it('records accept a valid option and refuse an invalid one with a 400 naming the property', async () => {
    const ok = await h.client.crm.contacts.basicApi.create({ properties: { email: `c.${uniq()}@example.com`, [name]: 'red' }, associations: [] });
    const got = await h.client.crm.contacts.basicApi.getById(ok.id, [name]);
    assert.equal(got.properties[name], 'red');
    const err = await expectApiError(
      h.client.crm.contacts.basicApi.create({ properties: { [name]: 'purple' }, associations: [] }), 400, 'invalid option');
    assertErrorBody(err, 'VALIDATION_ERROR');
    assert.match(err.body.message, new RegExp(name));
    assert.ok(err.body.errors?.some((e) => e.context?.propertyName?.includes(name)), `errors[] names ${name}: ${JSON.stringify(err.body.errors)}`);
  });

  it('coreApi.create of an existing name is a 409 CONFLICT', async () => {
    const err = await expectApiError(core().create('contacts', {
      name, label: 'Again', type: 'string', fieldType: 'text', groupName: 'contactinformation',
    }), 409, 'duplicate property');
    assertErrorBody(err, 'CONFLICT');
  });

  it('coreApi.create with a fieldType that does not fit the type is a 400', async () => {
    const err = await expectApiError(core().create('contacts', {
      name: `compat_bad_${uniq()}`, label: 'Bad', type: 'number', fieldType: 'select', groupName: 'contactinformation',
    }), 400, 'number/select');
    assertErrorBody(err, 'VALIDATION_ERROR');
  });

  it('coreApi.update answers 200 with the updated property', async () => {
    const res = await core().updateWithHttpInfo('contacts', name, {
      label: 'Colour',
      options: [
        { label: 'Red', value: 'red', hidden: false, displayOrder: 0 },
        { label: 'Green', value: 'green', hidden: false, displayOrder: 1 },
        { label: 'Blue', value: 'blue', hidden: false, displayOrder: 2 },
      ],
    });
    assert.equal(res.httpStatusCode, 200);
    assert.equal(res.data.label, 'Colour');
    assert.deepEqual(res.data.options.map((o) => o.value), ['red', 'green', 'blue']);
    const again = await core().getByName('contacts', name);
    assert.equal(again.label, 'Colour');
  });

  it('a unique-value property: duplicates are a 409 and it works as idProperty', async () => {
    const ext = `compat_ext_id_${uniq()}`;
    await core().create('contacts', {
      name: ext, label: 'External id', type: 'string', fieldType: 'text', groupName: 'contactinformation', hasUniqueValue: true,
    });
    const first = await h.client.crm.contacts.basicApi.create({ properties: { [ext]: 'X-1' }, associations: [] });
    const err = await expectApiError(
      h.client.crm.contacts.basicApi.create({ properties: { [ext]: 'X-1' }, associations: [] }), 409, 'duplicate unique value');
    assertErrorBody(err, 'CONFLICT');
    assert.match(err.body.message, new RegExp(first.id));
    const byExt = await h.client.crm.contacts.basicApi.getById('X-1', [ext], undefined, undefined, false, ext);
    assert.equal(byExt.id, first.id);
  });

  it('coreApi.archive answers 204; the property is then only listed with archived=true', async () => {
    const res = await core().archiveWithHttpInfo('contacts', name);
    assert.equal(res.httpStatusCode, 204);
    const err = await expectApiError(core().getByName('contacts', name), 404, 'getByName after archive');
    assertErrorBody(err, 'OBJECT_NOT_FOUND');
    const live = await core().getAll('contacts');
    assert.ok(!live.results.some((p) => p.name === name), 'archived property not in the live list');
    const archived = await core().getAll('contacts', true);
    const p = archived.results.find((x) => x.name === name);
    assert.ok(p, 'archived property listed with archived=true');
    assert.equal(p.archived, true);
  });

  it('coreApi.getByName of an unknown property is a 404', async () => {
    const err = await expectApiError(core().getByName('contacts', 'no_such_property_xyz'), 404, 'unknown property');
    assertErrorBody(err, 'OBJECT_NOT_FOUND');
  });

  it('batchApi.create (201), read (200) and archive (204)', async () => {
    const a = `compat_batch_a_${uniq()}`;
    const b = `compat_batch_b_${uniq()}`;
    const created = await h.client.crm.properties.batchApi.createWithHttpInfo('companies', {
      inputs: [
        { name: a, label: 'Batch A', type: 'string', fieldType: 'text', groupName: 'companyinformation' },
        { name: b, label: 'Batch B', type: 'number', fieldType: 'number', groupName: 'companyinformation' },
      ],
    });
    assert.equal(created.httpStatusCode, 201);
    assert.equal(created.data.status, 'COMPLETE');
    assert.deepEqual(created.data.results.map((p) => p.name).sort(), [a, b].sort());
    const read = await h.client.crm.properties.batchApi.readWithHttpInfo('companies', { archived: false, inputs: [{ name: a }, { name: b }] });
    assert.equal(read.httpStatusCode, 200);
    assert.deepEqual(read.data.results.map((p) => p.name).sort(), [a, b].sort());
    const archived = await h.client.crm.properties.batchApi.archiveWithHttpInfo('companies', { inputs: [{ name: a }, { name: b }] });
    assert.equal(archived.httpStatusCode, 204);
    await expectApiError(core().getByName('companies', a), 404, 'batch-archived property');
  });
});

describe('property groups', T, () => {
  const h = useTandem({ before, after });
  const groups = () => h.client.crm.properties.groupsApi;
  const group = `compat_group_${uniq()}`;
  const inGroup = `compat_in_group_${uniq()}`;

  it('groupsApi.getAll lists the default group', async () => {
    const res = await groups().getAllWithHttpInfo('contacts');
    assert.equal(res.httpStatusCode, 200);
    const g = res.data.results.find((x) => x.name === 'contactinformation');
    assert.ok(g, 'contactinformation listed');
    assert.equal(typeof g.label, 'string');
    assert.equal(typeof g.displayOrder, 'number');
    assert.equal(g.archived, false);
  });

  it('groupsApi.create answers 201; getByName reads it back', async () => {
    const res = await groups().createWithHttpInfo('contacts', { name: group, label: 'Compat group', displayOrder: 5 });
    assert.equal(res.httpStatusCode, 201);
    assert.equal(res.data.name, group);
    assert.equal(res.data.label, 'Compat group');
    const g = await groups().getByName('contacts', group);
    assert.equal(g.name, group);
    assert.equal(g.displayOrder, 5);
  });

  it('a property can be created in the new group', async () => {
    const p = await h.client.crm.properties.coreApi.create('contacts', {
      name: inGroup, label: 'In group', type: 'string', fieldType: 'text', groupName: group,
    });
    assert.equal(p.groupName, group);
  });

  it('groupsApi.create of an existing name is a 409', async () => {
    const err = await expectApiError(groups().create('contacts', { name: group, label: 'Again' }), 409, 'duplicate group');
    assertErrorBody(err, 'CONFLICT');
  });

  it('groupsApi.update answers 200 with the updated group', async () => {
    const res = await groups().updateWithHttpInfo('contacts', group, { label: 'Compat group renamed', displayOrder: 7 });
    assert.equal(res.httpStatusCode, 200);
    assert.equal(res.data.label, 'Compat group renamed');
    assert.equal(res.data.displayOrder, 7);
  });

  it('groupsApi.archive is refused (400) while the group holds live properties', async () => {
    const err = await expectApiError(groups().archive('contacts', group), 400, 'archive a non-empty group');
    assertErrorBody(err, 'VALIDATION_ERROR');
  });

  it('groupsApi.archive answers 204 once empty; getByName is then a 404', async () => {
    await h.client.crm.properties.coreApi.archive('contacts', inGroup);
    const res = await groups().archiveWithHttpInfo('contacts', group);
    assert.equal(res.httpStatusCode, 204);
    const err = await expectApiError(groups().getByName('contacts', group), 404, 'archived group');
    assertErrorBody(err, 'OBJECT_NOT_FOUND');
  });
});
