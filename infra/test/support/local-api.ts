/**
 * Runs `cppstack-local start-api` with the real bootstrap and route table on a free loopback
 * port, for tests that send real HTTP requests to the API as API Gateway would serve it.
 *
 * @example
 *   const api = await startLocalApi({ routesFile: path.join(distDir, 'routes.json') });
 *   await fetch(`${api.stageUrl}/v1/health`);
 *   await api.stop();
 */
import { ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { REPOSITORY_ROOT } from '../../lib/config';

export interface LocalApi {
  /** `http://127.0.0.1:<port>/prod`, the stage's base URL without a trailing slash. */
  readonly stageUrl: string;
  stop(): Promise<void>;
}

export interface LocalApiOptions {
  readonly routesFile: string;
  /** Default: <build>/src/app/bootstrap. */
  readonly bootstrap?: string;
  /** Further start-api options. */
  readonly extraArguments?: readonly string[];
}

/** The release build directory: $CPPSTACK_BUILD_DIR, else <repo>/build/release. */
export function buildDir(): string {
  return process.env.CPPSTACK_BUILD_DIR ?? path.join(REPOSITORY_ROOT, 'build', 'release');
}

function existing(file: string, what: string): string {
  if (!fs.existsSync(file)) throw new Error(`${what} ${file} does not exist: build the release preset first (make package)`);
  return file;
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const emulator = existing(path.join(buildDir(), 'src', 'local', 'cppstack-local'), 'the emulator');
  const bootstrap = existing(options.bootstrap ?? path.join(buildDir(), 'src', 'app', 'bootstrap'), 'the function');
  // An empty working directory: no developer .env is read.
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-local-api-'));
  const child: ChildProcess = spawn(
    emulator,
    ['start-api', '--bootstrap', bootstrap, '--routes', options.routesFile, '--host', '127.0.0.1', '--port', '0', ...(options.extraArguments ?? [])],
    { cwd, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`cppstack-local did not start within 20 s:\n${output}`)), 20000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on 127\.0\.0\.1:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`cppstack-local exited with ${code}:\n${output}`));
    });
  });
  return {
    stageUrl: `http://127.0.0.1:${port}/prod`,
    stop: () =>
      new Promise<void>((resolve) => {
        child.removeAllListeners('exit');
        child.once('exit', () => {
          fs.rmSync(cwd, { recursive: true, force: true });
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
