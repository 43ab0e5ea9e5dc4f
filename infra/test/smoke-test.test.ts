/**
 * The post-deployment checks against the real API: `cppstack-local` serving the real bootstrap
 * and route table, as API Gateway serves the stage. Both checks request every parameter-free
 * GET route of the table: CodeDeploy's post-traffic hook (lambda/smoke-test, whose failure rolls
 * the alias back) and the pipeline's SmokeTest step (a shell command run by CodeBuild).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';

import { checkRoutes } from '../lambda/smoke-test/index.mjs';
import { smokeTestRoutes } from '../lib/api-stack';
import { smokeTestCommand } from '../lib/pipeline-stack';
import { loadRouteTable, resolveDistDir, ROUTES_FILE } from '../lib/route-table';
import { LocalApi, startLocalApi } from './support/local-api';

const routesFile = path.join(resolveDistDir(), ROUTES_FILE);
const routes = loadRouteTable(routesFile).routes;
const checked = smokeTestRoutes(routes);
/** A path the table does not have: the gateway answers 403 Missing Authentication Token. */
const MISSING = { path: '/v1/no-such-route', auth: 'none' };

let api: LocalApi;
before(async () => {
  api = await startLocalApi({ routesFile });
});
after(async () => {
  await api?.stop();
});

describe('the routes the smoke tests request', () => {
  it('are every GET route without path parameters', () => {
    const expected = routes.filter((r) => (r.method === 'GET' || r.method === 'ANY') && !r.path.includes('{')).map((r) => r.path);
    assert.deepEqual(
      checked.map((r) => r.path),
      expected,
    );
    assert.ok(expected.includes('/v1/health') && expected.length >= 3, `more than /v1/health: ${expected.join(', ')}`);
  });
});

describe('CodeDeploy post-traffic hook', () => {
  it('passes when every route answers 2XX', async () => {
    const results = await checkRoutes(api.stageUrl, checked.map((r) => ({ path: r.path, auth: r.auth })), { attempts: 1 });
    assert.deepEqual(
      results.map((r) => [r.path, r.ok]),
      checked.map((r) => [r.path, true]),
      JSON.stringify(results),
    );
    assert.ok(results.every((r) => r.status === 200));
  });

  it('fails a route the deployed API does not answer with 2XX, and reports its status', async () => {
    const [result] = await checkRoutes(api.stageUrl, [MISSING], { attempts: 1 });
    assert.equal(result.ok, false);
    assert.equal(result.status, 403);
    assert.match(result.detail, /Missing Authentication Token/);
  });

  it('fails when the API cannot be reached', async () => {
    const [result] = await checkRoutes('http://127.0.0.1:9/prod', [{ path: '/v1/health', auth: 'none' }], { attempts: 2, retryDelayMs: 10 });
    assert.equal(result.ok, false);
    assert.equal(result.status, 0);
  });
});

describe('pipeline SmokeTest step command', () => {
  const run = (paths: string[]) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-smoke-'));
    try {
      return spawnSync('sh', ['-c', smokeTestCommand(paths)], {
        cwd: dir,
        encoding: 'utf8',
        env: { PATH: process.env.PATH, API_URL: `${api.stageUrl}/` },
        timeout: 60000,
      });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };

  it('succeeds and prints each route when all answer 2XX', () => {
    const result = run(checked.map((r) => r.path));
    assert.equal(result.status, 0, result.stdout + result.stderr);
    for (const route of checked) assert.match(result.stdout, new RegExp(`GET ${api.stageUrl}${route.path} -> HTTP 200`));
  });

  it('fails when one route does not answer 2XX, after checking the others', () => {
    const result = run([MISSING.path, '/v1/health']);
    assert.notEqual(result.status, 0);
    assert.match(result.stdout, /no-such-route -> HTTP 403/);
    assert.match(result.stdout, /v1\/health -> HTTP 200/);
  });
});
