// Imports through crm.imports.coreApi (create = multipart POST
// /crm/v3/imports/ with a files part and an importRequest JSON string,
// getPage, getById, cancel) and crm.imports.publicImportsApi.getErrors.
// Every success is 200, create and cancel included (hubspot-api.md §5.4).
// Imports run in the background: the tests follow them with getById until
// they end, bounded by a deadline.

import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { useTandem, expectApiError, assertErrorBody, assertDate, uniq } from './harness.mjs';

const T = { timeout: 60_000 };
const DONE_TIMEOUT_MS = 30_000;
const POLL_MS = 50;

/** The importRequest of a contacts file with Email and First Name columns. */
function contactsRequest(name, fileName) {
  return JSON.stringify({
    name,
    importOperations: { '0-1': 'UPSERT' },
    dateFormat: 'YEAR_MONTH_DAY',
    files: [{
      fileName,
      fileFormat: 'CSV',
      fileImportPage: {
        hasHeader: true,
        columnMappings: [
          { columnObjectTypeId: '0-1', columnName: 'Email', propertyName: 'email', columnType: 'HUBSPOT_ALTERNATE_ID' },
          { columnObjectTypeId: '0-1', columnName: 'First Name', propertyName: 'firstname' },
        ],
      },
    }],
  });
}

describe('imports', T, () => {
  const h = useTandem({ before, after });
  const core = () => h.client.crm.imports.coreApi;
  const errorsApi = () => h.client.crm.imports.publicImportsApi;

  /** Polls getById until the import leaves STARTED/PROCESSING. */
  async function waitDone(id) {
    const deadline = Date.now() + DONE_TIMEOUT_MS;
    for (;;) {
      const imp = await core().getById(Number(id));
      if (imp.state !== 'STARTED' && imp.state !== 'PROCESSING') return imp;
      if (Date.now() > deadline) {
        assert.fail(`import ${id} still ${imp.state} after ${DONE_TIMEOUT_MS} ms\n--- server log ---\n${h.logTail()}`);
      }
      await delay(POLL_MS);
    }
  }

  const u = uniq();
  const csv = [
    'Email,First Name',
    `ann.${u}@example.com,Ann`,
    'not-an-email,Bob',
    `carl.${u}@example.com,Carl`,
  ].join('\r\n') + '\r\n';
  let imported;

  it('coreApi.create answers 200 with the import in STARTED, then getById shows it DONE with counters', async () => {
    const res = await core().createWithHttpInfo({ data: Buffer.from(csv), name: 'leads.csv' }, contactsRequest('Leads ' + u, 'leads.csv'));
    assert.equal(res.httpStatusCode, 200);
    assert.match(res.headers['content-type'], /^application\/json/);
    const created = res.data;
    assert.match(created.id, /^\d+$/);
    assert.ok(['STARTED', 'PROCESSING', 'DONE'].includes(created.state), `state ${created.state}`);
    assert.equal(created.importName, 'Leads ' + u);
    assert.equal(created.importSource, 'API');
    assert.equal(created.optOutImport, false);
    assert.deepEqual(created.mappedObjectTypeIds, ['0-1']);
    assertDate(created.createdAt, 'createdAt');
    assertDate(created.updatedAt, 'updatedAt');
    assert.equal(created.importRequestJson.name, 'Leads ' + u);

    imported = await waitDone(created.id);
    assert.equal(imported.state, 'DONE');
    assert.equal(imported.metadata.counters.TOTAL_ROWS, 3);
    assert.equal(imported.metadata.counters.CREATED_OBJECTS, 2);
    assert.equal(imported.metadata.counters.ERRORS, 1);
    assert.deepEqual(imported.metadata.fileIds, ['leads.csv']);

    const carl = await h.client.crm.contacts.basicApi.getById(`carl.${u}@example.com`, ['firstname'], undefined, undefined, false, 'email');
    assert.equal(carl.properties.firstname, 'Carl');
  });

  it('publicImportsApi.getErrors lists the failed row, with message and row data when asked', async () => {
    const bare = await errorsApi().getErrorsWithHttpInfo(Number(imported.id));
    assert.equal(bare.httpStatusCode, 200);
    assert.equal(bare.data.results.length, 1);
    const e = bare.data.results[0];
    assert.equal(e.errorType, 'INVALID_EMAIL');
    assert.equal(typeof e.createdAt, 'number');
    assert.equal(e.errorMessage, undefined);
    assert.equal(e.sourceData.lineNumber, 3);
    assert.equal(e.sourceData.fileId, 'leads.csv');
    assert.deepEqual(e.sourceData.rowData, []);
    assert.equal(bare.data.paging, undefined);

    const full = await errorsApi().getErrors(Number(imported.id), undefined, 10, true, true);
    const f = full.results[0];
    assert.match(f.errorMessage, /Email/);
    assert.deepEqual(f.sourceData.rowData, ['not-an-email', 'Bob']);
  });

  it('coreApi.getPage lists imports newest first with paging', async () => {
    const second = await core().create({ data: Buffer.from(csv), name: 'again.csv' }, contactsRequest('Again ' + u, 'again.csv'));
    await waitDone(second.id);
    const res = await core().getPageWithHttpInfo(undefined, undefined, 1);
    assert.equal(res.httpStatusCode, 200);
    assert.equal(res.data.results.length, 1);
    assert.equal(res.data.results[0].id, second.id);
    const after = res.data.paging?.next?.after;
    assert.ok(after, `paging of the first page: ${JSON.stringify(res.data.paging)}`);
    const next = await core().getPage(after, undefined, 1);
    assert.equal(next.results[0].id, imported.id);
    // The re-import of the same rows updates nothing and creates nothing.
    const again = await core().getById(Number(second.id));
    assert.equal(again.metadata.counters.CREATED_OBJECTS, 0);
  });

  it('coreApi.cancel answers 200 with an ActionResponse; canceling an ended import changes nothing', async () => {
    const res = await core().cancelWithHttpInfo(Number(imported.id));
    assert.equal(res.httpStatusCode, 200);
    assert.equal(res.data.status, 'COMPLETE');
    assertDate(res.data.startedAt, 'startedAt');
    assertDate(res.data.completedAt, 'completedAt');
    assert.equal((await core().getById(Number(imported.id))).state, 'DONE');
  });

  it('a large import can be canceled while it runs', async () => {
    const rows = ['Email,First Name'];
    for (let i = 0; i < 200_000; i++) rows.push(`big${i}.${u}@example.com,Big${i}`);
    const created = await core().create({ data: Buffer.from(rows.join('\n') + '\n'), name: 'big.csv' }, contactsRequest('Big ' + u, 'big.csv'));
    // 200,000 rows take seconds to import; the cancel comes right after
    // the create and waits for the import to stop.
    const res = await core().cancel(Number(created.id));
    assert.equal(res.status, 'COMPLETE');
    const ended = await waitDone(created.id);
    assert.equal(ended.state, 'CANCELED');
    assert.ok(ended.metadata.counters.CREATED_OBJECTS < 200_000, `created ${ended.metadata.counters.CREATED_OBJECTS}`);
  });

  it('errors: 404 for an unknown import, 400 naming what is wrong with a request', async () => {
    assertErrorBody(await expectApiError(core().getById(999999), 404, 'getById unknown'), 'OBJECT_NOT_FOUND');
    assertErrorBody(await expectApiError(errorsApi().getErrors(999999), 404, 'getErrors unknown'), 'OBJECT_NOT_FOUND');
    assertErrorBody(await expectApiError(core().cancel(999999), 404, 'cancel unknown'), 'OBJECT_NOT_FOUND');

    const badObject = contactsRequest('Bad', 'bad.csv').replaceAll('"0-1"', '"9-9"');
    const err = await expectApiError(core().create({ data: Buffer.from(csv), name: 'bad.csv' }, badObject), 400, 'unknown object');
    assertErrorBody(err, 'VALIDATION_ERROR');
    assert.match(err.body.message, /9-9/);

    const noRequest = await expectApiError(core().create({ data: Buffer.from(csv), name: 'x.csv' }), 400, 'no importRequest');
    assert.match(noRequest.body.message, /importRequest/);
  });

  it('the date-versioned path serves imports (client.apiRequest)', async () => {
    const res = await h.client.apiRequest({ method: 'GET', path: `/crm/imports/2026-09/${imported.id}` });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.equal(body.id, imported.id);
    assert.equal(body.state, 'DONE');
  });
});
