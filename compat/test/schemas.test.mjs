// Custom object schemas through crm.schemas.coreApi (SDK path
// /crm-object-schemas/v3/schemas), and records of the custom object through
// the generic crm.objects APIs with its objectTypeId.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { useTandem, expectApiError, assertErrorBody, assertRecord, uniq } from './harness.mjs';

const T = { timeout: 60_000 };

describe('custom object schemas', T, () => {
  const h = useTandem({ before, after });
  const schemas = () => h.client.crm.schemas.coreApi;
  const name = `cars_${uniq()}`.toLowerCase();
  let typeId;
  let carId;

  it('coreApi.create answers 201 with the ObjectSchema', async () => {
    const res = await schemas().createWithHttpInfo({
      name,
      labels: { singular: 'Car', plural: 'Cars' },
      description: 'made by the compat suite',
      primaryDisplayProperty: 'model',
      secondaryDisplayProperties: ['year'],
      requiredProperties: ['model'],
      searchableProperties: ['model'],
      properties: [
        { name: 'model', label: 'Model', type: 'string', fieldType: 'text' },
        { name: 'year', label: 'Year', type: 'number', fieldType: 'number' },
        { name: 'vin', label: 'VIN', type: 'string', fieldType: 'text', hasUniqueValue: true },
      ],
      associatedObjects: ['0-1'],
    });
    assert.equal(res.httpStatusCode, 201);
    const s = res.data;
    assert.equal(typeof s.id, 'string');
    assert.equal(s.name, name);
    assert.match(s.objectTypeId ?? '', /^2-\d+$/, `objectTypeId: ${s.objectTypeId}`);
    assert.deepEqual({ ...s.labels }, { singular: 'Car', plural: 'Cars' });
    assert.deepEqual(s.requiredProperties, ['model']);
    assert.equal(s.primaryDisplayProperty, 'model');
    const props = new Set(s.properties.map((p) => p.name));
    for (const n of ['model', 'year', 'vin']) assert.ok(props.has(n), `schema property ${n}: ${[...props]}`);
    for (const p of s.properties) {
      // Property: the SDK models require these (Python raises without them).
      for (const k of ['name', 'label', 'type', 'fieldType', 'groupName', 'description']) {
        assert.equal(typeof p[k], 'string', `schema property ${p.name}.${k}: ${JSON.stringify(p)}`);
      }
      assert.ok(Array.isArray(p.options), `schema property ${p.name}.options`);
    }
    assert.ok(Array.isArray(s.associations), 'associations[]');
    assert.ok(s.associations.some((a) => a.fromObjectTypeId === s.objectTypeId && a.toObjectTypeId === '0-1'),
      `association to contacts: ${JSON.stringify(s.associations)}`);
    typeId = s.objectTypeId;
  });

  it('coreApi.create of an existing name is a 409', async () => {
    const err = await expectApiError(schemas().create({
      name, labels: { singular: 'Car', plural: 'Cars' }, requiredProperties: [], properties: [], associatedObjects: [],
    }), 409, 'duplicate schema');
    assertErrorBody(err, 'CONFLICT');
  });

  it('coreApi.create with a required property it does not define is a 400', async () => {
    const err = await expectApiError(schemas().create({
      name: `bad_${uniq()}`.toLowerCase(), labels: { singular: 'Bad', plural: 'Bads' },
      requiredProperties: ['nope'], properties: [{ name: 'x', label: 'X', type: 'string', fieldType: 'text' }], associatedObjects: [],
    }), 400, 'required property not defined');
    assertErrorBody(err, 'VALIDATION_ERROR');
  });

  it('coreApi.getAll lists it', async () => {
    const res = await schemas().getAllWithHttpInfo();
    assert.equal(res.httpStatusCode, 200);
    const s = res.data.results.find((x) => x.objectTypeId === typeId);
    assert.ok(s, `schema ${typeId} listed`);
    assert.equal(s.name, name);
  });

  it('coreApi.getById by objectTypeId, by name and by p_name', async () => {
    for (const ref of [typeId, name, `p_${name}`]) {
      const s = await schemas().getById(ref);
      assert.equal(s.objectTypeId, typeId, `getById(${ref})`);
    }
  });

  it('coreApi.getById of an unknown object is a 404', async () => {
    const err = await expectApiError(schemas().getById('2-999999'), 404, 'unknown schema');
    assertErrorBody(err, 'OBJECT_NOT_FOUND');
  });

  it('coreApi.update answers 200 with the ObjectTypeDefinition', async () => {
    const res = await schemas().updateWithHttpInfo(typeId, {
      labels: { singular: 'Automobile', plural: 'Automobiles' }, searchableProperties: ['model', 'vin'],
    });
    assert.equal(res.httpStatusCode, 200);
    assert.equal(res.data.objectTypeId, typeId);
    assert.deepEqual({ ...res.data.labels }, { singular: 'Automobile', plural: 'Automobiles' });
    const s = await schemas().getById(typeId);
    assert.equal(s.labels.singular, 'Automobile');
    assert.deepEqual([...s.searchableProperties].sort(), ['model', 'vin']);
  });

  it('coreApi.createAssociation answers 201 with the AssociationDefinition', async () => {
    const res = await schemas().createAssociationWithHttpInfo(typeId, { fromObjectTypeId: typeId, toObjectTypeId: '0-2', name: `${name}_to_company` });
    assert.equal(res.httpStatusCode, 201);
    assert.equal(typeof res.data.id, 'string');
    assert.equal(res.data.fromObjectTypeId, typeId);
    assert.equal(res.data.toObjectTypeId, '0-2');
  });

  it('records of the custom object: create (201), read, update, list, search', async () => {
    const objects = h.client.crm.objects;
    const res = await objects.basicApi.createWithHttpInfo(typeId, { properties: { model: 'Model T', year: '1908', vin: 'VIN-1' }, associations: [] });
    assert.equal(res.httpStatusCode, 201);
    assertRecord(res.data, 'car');
    carId = res.data.id;
    const got = await objects.basicApi.getById(typeId, carId, ['model', 'year']);
    assert.equal(got.properties.model, 'Model T');
    assert.equal(Number(got.properties.year), 1908);
    const byName = await objects.basicApi.getById(name, carId, ['model']);
    assert.equal(byName.properties.model, 'Model T');
    const byVin = await objects.basicApi.getById(typeId, 'VIN-1', ['model'], undefined, undefined, false, 'vin');
    assert.equal(byVin.id, carId);
    const upd = await objects.basicApi.update(typeId, carId, { properties: { year: '1909' } });
    assert.equal(Number(upd.properties.year), 1909);
    const page = await objects.basicApi.getPage(typeId, 10, undefined, ['model']);
    assert.deepEqual(page.results.map((r) => r.id), [carId]);
  });

  it('search over the custom object (filters and free-text query)', async () => {
    const objects = h.client.crm.objects;
    const found = await objects.searchApi.doSearch(typeId, {
      filterGroups: [{ filters: [{ propertyName: 'model', operator: 'EQ', value: 'model t' }] }], properties: ['model'], limit: 10,
    });
    assert.equal(found.total, 1);
    assert.equal(found.results[0].id, carId);
    const q = await objects.searchApi.doSearch(typeId, { query: 'Model', filterGroups: [], limit: 10 });
    assert.deepEqual(q.results.map((r) => r.id), [carId]);
  });

  it('a record missing a required property is a 400 naming it', async () => {
    const err = await expectApiError(
      h.client.crm.objects.basicApi.create(typeId, { properties: { year: '2000' }, associations: [] }), 400, 'missing required');
    assertErrorBody(err, 'VALIDATION_ERROR');
    assert.match(JSON.stringify(err.body), /model/);
  });

  it('batch create of custom records', async () => {
    const res = await h.client.crm.objects.batchApi.createWithHttpInfo(typeId, {
      inputs: [{ properties: { model: 'A' }, associations: [] }, { properties: { model: 'B' }, associations: [] }],
    });
    assert.equal(res.httpStatusCode, 201);
    assert.equal(res.data.results.length, 2);
    await h.client.crm.objects.batchApi.archive(typeId, { inputs: res.data.results.map((r) => ({ id: r.id })) });
  });

  it('coreApi.archive is refused (400) while the object has live records', async () => {
    const err = await expectApiError(schemas().archive(typeId), 400, 'archive schema with records');
    assertErrorBody(err, 'VALIDATION_ERROR');
  });

  it('coreApi.archive answers 204 once the records are gone; the schema is then 404', async () => {
    await h.client.crm.objects.basicApi.archive(typeId, carId);
    const res = await schemas().archiveWithHttpInfo(typeId);
    assert.equal(res.httpStatusCode, 204);
    const err = await expectApiError(schemas().getById(typeId), 404, 'archived schema');
    assertErrorBody(err, 'OBJECT_NOT_FOUND');
    const live = await schemas().getAll();
    assert.ok(!live.results.some((s) => s.objectTypeId === typeId), 'archived schema not in the live list');
    const archived = await schemas().getAll(true);
    assert.ok(archived.results.some((s) => s.objectTypeId === typeId), 'archived schema listed with archived=true');
  });
});
