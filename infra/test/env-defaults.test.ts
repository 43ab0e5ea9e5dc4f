/**
 * One source of truth for the defaults: the CDK app and the emulator resolve a minimal .env
 * against the same .env.example and must agree. Both test suites read the same expectations,
 * tests/fixtures/env/defaults.json (the emulator's: tests/local/env_defaults_test.cpp).
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { ConfigError, loadConfig, REPOSITORY_ROOT } from '../lib/config';

const FIXTURE = JSON.parse(fs.readFileSync(path.join(REPOSITORY_ROOT, 'tests', 'fixtures', 'env', 'defaults.json'), 'utf8'));
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-defaults-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

let files = 0;
/** The configuration of a .env holding exactly `text`, over .env.example, with no shell variables. */
function resolve(text: string) {
  const file = path.join(scratch, `case-${files++}.env`);
  fs.writeFileSync(file, text);
  return loadConfig({ envFile: file, environment: {} });
}

describe('a minimal .env resolves as the emulator resolves it (tests/fixtures/env/defaults.json)', () => {
  for (const expected of FIXTURE.resolved) {
    it(expected.name, () => {
      const config = resolve(expected.env);
      assert.deepEqual(config.auth.usagePlans, expected.usagePlans);
      assert.deepEqual(config.auth.apiKeys, expected.apiKeys);
      const cors = config.cors === undefined ? null : { ...config.cors, allowMethods: config.cors.allowMethods.join(','), allowHeaders: config.cors.allowHeaders.join(',') };
      assert.deepEqual(cors, expected.cors);
    });
  }
  for (const { env, message } of FIXTURE.refused) {
    it(`refuses ${JSON.stringify(env)} with the emulator's message`, () => {
      assert.throws(
        () => resolve(env),
        (error: unknown) => error instanceof ConfigError && error.message === message,
      );
    });
  }
});
