// Harness for the compatibility suite: starts a real `tandem serve` on a
// fresh data directory and hands back an official @hubspot/api-client Client
// pointed at it. It builds nothing: TANDEM_BIN must name a built binary
// (`make compat` builds one into bin/tandem).
//
// Every wait is bounded and fails with a message that says what it waited
// for, with the tail of the server's log; nothing sleeps for a fixed time.
//
// This file has no tests of its own (node --test also runs it, as it runs
// every file under test/; it passes trivially).

import { spawn, execFile } from 'node:child_process';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import assert from 'node:assert/strict';
import hubspot from '@hubspot/api-client';

export { hubspot };

const START_TIMEOUT_MS = 30_000; // tokens create, then serve until "tandem started"
const STOP_TIMEOUT_MS = 20_000; // SIGTERM until exit (shutdown_timeout is 5s)
const LOG_TAIL = 200; // server log lines kept for failure messages

function tandemBin() {
  const bin = process.env.TANDEM_BIN;
  if (!bin) {
    throw new Error('TANDEM_BIN is not set: build tandem (go build -o bin/tandem ./cmd/tandem) and run with TANDEM_BIN=/abs/path/bin/tandem, or run `make compat`');
  }
  if (!existsSync(bin)) {
    throw new Error(`TANDEM_BIN=${bin} does not exist`);
  }
  return bin;
}

function run(bin, args, timeoutMs) {
  return new Promise((resolve, reject) => {
    execFile(bin, args, { timeout: timeoutMs, killSignal: 'SIGKILL' }, (err, stdout, stderr) => {
      if (err) {
        const why = err.killed ? `timed out after ${timeoutMs} ms` : `exit code ${err.code}`;
        reject(new Error(`${bin} ${args.join(' ')} failed (${why}):\n${stderr}`));
        return;
      }
      resolve({ stdout, stderr });
    });
  });
}

// Servers still running when the process exits (a crashed test file) are
// killed so that no daemon outlives the suite.
const live = new Set();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

/**
 * Starts tandem (options: rateLimitPer10s turns the API rate limit on,
 * maxBodyBytes sets api.max_body_bytes) and returns
 *   { client, basePath, token, apiAddr, dir, newClient(token), logTail(), cli(...args), stop() }.
 * stop() sends SIGTERM, waits for the exit and resolves to
 *   { code, signal, panics } (panics: log lines of recovered handler panics).
 */
export async function startTandem({ rateLimitPer10s, maxBodyBytes } = {}) {
  const bin = tandemBin();
  const dir = await mkdtemp(path.join(tmpdir(), 'tandem-compat-'));
  const cfg = path.join(dir, 'tandem.yaml');
  await writeFile(cfg, [
    `data_dir: ${JSON.stringify(path.join(dir, 'data'))}`,
    'api:',
    '  listen: 127.0.0.1:0',
    ...(maxBodyBytes ? [`  max_body_bytes: ${maxBodyBytes}`] : []),
    ...(rateLimitPer10s ? ['  rate_limit:', '    enabled: true', `    requests_per_10s: ${rateLimitPer10s}`] : []),
    'admin:',
    '  listen: 127.0.0.1:0',
    'log:',
    '  level: info',
    '  format: json',
    'shutdown_timeout: 5s',
    '',
  ].join('\n'));

  let stdout;
  try {
    ({ stdout } = await run(bin, ['tokens', 'create', '--name', 'compat', '--config', cfg], START_TIMEOUT_MS));
  } catch (err) {
    await rm(dir, { recursive: true, force: true });
    throw err;
  }
  const token = stdout.trim();
  assert.match(token, /^\S+$/, `tokens create printed ${JSON.stringify(stdout)}, want only the token`);

  const child = spawn(bin, ['serve', '--config', cfg], { stdio: ['ignore', 'ignore', 'pipe'] });
  live.add(child);
  const tail = [];
  const panics = [];
  let started = null;
  let exited = null;
  let spawnError = null;
  const exitPromise = new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      live.delete(child);
      resolve(exited);
    });
    // A process that could not be spawned never exits.
    child.on('error', (err) => {
      spawnError = err;
      if (!exited && child.pid === undefined) {
        exited = { code: null, signal: null };
        live.delete(child);
        resolve(exited);
      }
    });
  });
  const startedPromise = new Promise((resolve, reject) => {
    const rl = readline.createInterface({ input: child.stderr });
    rl.on('line', (line) => {
      tail.push(line);
      if (tail.length > LOG_TAIL) tail.shift();
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        return; // not JSON: kept in the tail only
      }
      if (entry.msg === 'handler panic') panics.push(line);
      if (entry.msg === 'tandem started' && !started) {
        started = entry;
        resolve(entry);
      }
    });
    exitPromise.then(({ code, signal }) => {
      if (started) return;
      reject(spawnError
        ? new Error(`cannot run ${bin} serve: ${spawnError.message}`)
        : new Error(`tandem serve exited before "tandem started" (code ${code}, signal ${signal})`));
    });
  });
  const logTail = () => tail.join('\n');

  let timer;
  try {
    await Promise.race([
      startedPromise,
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`tandem serve did not log "tandem started" within ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
      }),
    ]);
  } catch (err) {
    child.kill('SIGKILL');
    await exitPromise;
    await rm(dir, { recursive: true, force: true });
    throw new Error(`${err.message}\n--- server log ---\n${logTail()}`);
  } finally {
    clearTimeout(timer);
  }

  const apiAddr = started.api_addr;
  assert.ok(apiAddr, `"tandem started" has no api_addr: ${JSON.stringify(started)}`);
  const basePath = `http://${apiAddr}`;
  // No retries: a status the SDK does not expect must surface at once.
  const newClient = (accessToken, extra = {}) => new hubspot.Client({ accessToken, basePath, numberOfApiCallRetries: 0, ...extra });
  const client = newClient(token);

  async function stop() {
    if (!exited) {
      child.kill('SIGTERM');
      let t;
      const res = await Promise.race([
        exitPromise,
        new Promise((resolve) => { t = setTimeout(() => resolve(null), STOP_TIMEOUT_MS); }),
      ]);
      clearTimeout(t);
      if (!res) {
        child.kill('SIGKILL');
        await exitPromise;
        await rm(dir, { recursive: true, force: true });
        throw new Error(`tandem serve did not exit within ${STOP_TIMEOUT_MS} ms of SIGTERM\n--- server log ---\n${logTail()}`);
      }
    }
    await rm(dir, { recursive: true, force: true });
    return { ...exited, panics: [...panics] };
  }

  // Runs another tandem command on the same configuration (stdout).
  const cli = async (...args) => (await run(bin, [...args, '--config', cfg], START_TIMEOUT_MS)).stdout;

  return { client, basePath, token, apiAddr, dir, newClient, logTail, cli, stop };
}

/**
 * Registers before/after hooks (node:test) that start tandem for the
 * enclosing suite and stop it afterwards, asserting a clean exit and no
 * handler panics. Returns a holder whose fields are set once started.
 */
export function useTandem({ before, after }, options = {}) {
  const h = {};
  before(async () => {
    Object.assign(h, await startTandem(options));
  }, { timeout: START_TIMEOUT_MS + 5_000 });
  after(async () => {
    if (!h.stop) return;
    const res = await h.stop();
    assert.deepEqual(res.panics, [], `server recovered from handler panics:\n${res.panics.join('\n')}`);
    assert.equal(res.code, 0, `tandem serve exited with code ${res.code} (signal ${res.signal}) after SIGTERM`);
  }, { timeout: STOP_TIMEOUT_MS + 5_000 });
  return h;
}

/**
 * Awaits promise, which must reject with the SDK's ApiException of HTTP
 * status code; returns the exception (its .body is the deserialized
 * HubSpot error). A resolved promise or another error fails with details.
 */
export async function expectApiError(promise, code, what = '') {
  let res;
  try {
    res = await promise;
  } catch (err) {
    // Tandem's catch-all route: the endpoint itself is missing, which must
    // not pass for the 404 of an unknown record or object.
    if (err?.code === 404 && /^no such endpoint/.test(err?.body?.message ?? '')) {
      assert.fail(`${what}: endpoint not served: ${err.body.message}`);
    }
    if (err?.code !== code) {
      assert.fail(`${what}: want ApiException ${code}, got ${err?.code ?? ''} ${err?.message ?? err}`);
    }
    return err;
  }
  assert.fail(`${what}: want ApiException ${code}, but the call succeeded: ${JSON.stringify(res)?.slice(0, 500)}`);
}

/** Asserts err.body is HubSpot's error shape with the given category. */
export function assertErrorBody(err, category) {
  const body = err.body;
  assert.ok(body && typeof body === 'object', `error body is not JSON: ${JSON.stringify(body)}`);
  assert.equal(body.category, category, `category of ${JSON.stringify(body)}`);
  assert.equal(typeof body.message, 'string');
  assert.ok(body.message.length > 0, 'error message is empty');
  assert.match(body.correlationId ?? '', /^[0-9a-f-]{36}$/, `correlationId of ${JSON.stringify(body)}`);
}

/** A valid Date as the SDK deserializes timestamps. */
export function assertDate(d, what) {
  assert.ok(d instanceof Date && !Number.isNaN(d.getTime()), `${what}: want a valid timestamp, got ${d}`);
}

/** Asserts the fields the SDK models require of a record. */
export function assertRecord(rec, what = 'record') {
  assert.ok(rec, `${what} is missing`);
  assert.equal(typeof rec.id, 'string', `${what}.id must be a string: ${JSON.stringify(rec)}`);
  assert.match(rec.id, /^\d+$/, `${what}.id`);
  assert.ok(rec.properties && typeof rec.properties === 'object', `${what}.properties`);
  for (const [k, v] of Object.entries(rec.properties)) {
    assert.ok(v === null || typeof v === 'string', `${what}.properties.${k} must be a string or null, got ${JSON.stringify(v)}`);
  }
  assertDate(rec.createdAt, `${what}.createdAt`);
  assertDate(rec.updatedAt, `${what}.updatedAt`);
}

/** A short unique suffix, so values never clash across tests. */
let seq = 0;
export function uniq() {
  seq += 1;
  return `${process.pid.toString(36)}${Date.now().toString(36)}${seq}`;
}
