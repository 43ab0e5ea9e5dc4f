#!/usr/bin/env node
// Entry point of `cdk synth` / `cdk deploy` (see cdk.json): configuration from <repo>/.env,
// deployable package and route table from $CPPSTACK_DIST_DIR or <repo>/dist.
import { buildApp } from '../lib/app';
import { loadConfig } from '../lib/config';
import { resolveDistDir } from '../lib/route-table';

try {
  buildApp({ config: loadConfig(), distDir: resolveDistDir() }).app.synth();
} catch (error) {
  console.error(`error: ${(error as Error).message}`);
  process.exit(1);
}
