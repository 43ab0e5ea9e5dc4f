/**
 * The function package check: synth reads `bootstrap` out of function.zip (stored or deflated)
 * and refuses a package Lambda could not start, above all one built for the other CPU than
 * FUNCTION_ARCHITECTURE. Packages are built here with a minimal zip writer, plus the real one.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';

import { buildApp } from '../lib/app';
import { ConfigError, FunctionArchitecture, loadConfig } from '../lib/config';
import { checkFunctionPackage, crc32, FunctionPackageError, inspectFunctionPackage } from '../lib/function-package';
import { functionZipPath, resolveDistDir } from '../lib/route-table';
import { elfHeader, functionZipFor, writeZip, ZipFileSpec } from './support/function-zip';
import { copyOfDist } from './support/synth';

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'cppstack-package-'));
after(() => fs.rmSync(scratch, { recursive: true, force: true }));

let zipCount = 0;
function zipFile(contents: Buffer | readonly ZipFileSpec[]): string {
  const file = path.join(scratch, `function-${++zipCount}.zip`);
  fs.writeFileSync(file, Buffer.isBuffer(contents) ? contents : writeZip(contents));
  return file;
}

function configWith(architecture: FunctionArchitecture) {
  return loadConfig({ envFile: path.join(scratch, 'absent.env'), environment: {}, overrides: { FUNCTION_ARCHITECTURE: architecture } });
}

const OTHER: Record<FunctionArchitecture, FunctionArchitecture> = { x86_64: 'arm64', arm64: 'x86_64' };

/** Asserts the mismatch error: it names the key, both architectures and the way out. */
function assertMismatch(action: () => unknown, configured: FunctionArchitecture, binary: FunctionArchitecture): void {
  assert.throws(action, (error: Error) => {
    assert.ok(error instanceof ConfigError, error.message);
    assert.equal(error.key, 'FUNCTION_ARCHITECTURE');
    assert.match(error.message, new RegExp(`^FUNCTION_ARCHITECTURE: is ${configured}, but bootstrap in \\S+function(-\\d+)?\\.zip is built for ${binary}`));
    assert.ok(error.message.includes(`set FUNCTION_ARCHITECTURE=${binary} in .env`), error.message);
    assert.ok(error.message.includes('make package'), error.message);
    return true;
  });
}

function assertPackageError(file: string, pattern: RegExp): void {
  assert.throws(
    () => inspectFunctionPackage(file),
    (error: Error) => {
      assert.ok(error instanceof FunctionPackageError, error.message);
      assert.ok(error.message.startsWith(`${file}: `), error.message);
      assert.match(error.message, pattern);
      return true;
    },
  );
}

describe('the real dist/function.zip', () => {
  const realZip = functionZipPath(resolveDistDir());
  const real = inspectFunctionPackage(realZip);

  it('holds an executable ELF bootstrap for x86_64 or arm64, read from the file itself', () => {
    assert.ok(real.architecture === 'x86_64' || real.architecture === 'arm64', real.architecture);
    assert.ok(real.bootstrap.size > 64 * 1024, `a real executable, ${real.bootstrap.size} bytes`);
    assert.ok(real.bootstrap.unixMode === undefined || (real.bootstrap.unixMode & 0o111) !== 0);
  });

  it('synthesizes with FUNCTION_ARCHITECTURE set to its architecture', () => {
    const built = buildApp({ config: configWith(real.architecture), distDir: resolveDistDir(), outdir: path.join(scratch, 'real-cdk-out') });
    assert.equal(built.devStack.handler.architecture.name, real.architecture);
  });

  it('stops synth when FUNCTION_ARCHITECTURE is the other architecture', () => {
    const configured = OTHER[real.architecture];
    assertMismatch(() => buildApp({ config: configWith(configured), distDir: resolveDistDir() }), configured, real.architecture);
  });
});

describe('packages built by the tests', () => {
  for (const method of ['stored', 'deflated'] as const) {
    it(`an aarch64 bootstrap (${method}) passes for arm64 and is refused for x86_64`, () => {
      const file = zipFile(functionZipFor('arm64', method));
      const inspected = checkFunctionPackage(file, 'arm64');
      assert.equal(inspected.architecture, 'arm64');
      assert.equal(inspected.bootstrap.method, method === 'stored' ? 0 : 8);
      assertMismatch(() => checkFunctionPackage(file, 'x86_64'), 'x86_64', 'arm64');
    });
  }

  it('an x86_64 package with FUNCTION_ARCHITECTURE=arm64 stops the app before any stack is built', () => {
    const distDir = copyOfDist({ functionZip: functionZipFor('x86_64') });
    try {
      assertMismatch(() => buildApp({ config: configWith('arm64'), distDir }), 'arm64', 'x86_64');
      assert.equal(inspectFunctionPackage(functionZipPath(distDir)).architecture, 'x86_64');
    } finally {
      fs.rmSync(distDir, { recursive: true, force: true });
    }
  });

  it('finds bootstrap among other files and accepts a static-PIE (ET_DYN) executable', () => {
    const file = zipFile([
      { name: 'README.txt', data: Buffer.from('notes '.repeat(50)), method: 'deflated', unixMode: 0o100644 },
      { name: 'bootstrap', data: Buffer.concat([elfHeader(0xb7, 3), Buffer.alloc(4096, 0x90)]), method: 'deflated' },
    ]);
    assert.equal(inspectFunctionPackage(file).architecture, 'arm64');
  });

  it('accepts a package whose archiver recorded no Unix mode', () => {
    assert.equal(inspectFunctionPackage(zipFile([{ name: 'bootstrap', data: elfHeader(0x3e), unixMode: 0 }])).architecture, 'x86_64');
  });
});

describe('packages Lambda could not start', () => {
  it('no bootstrap at the root: names what the zip holds', () => {
    const file = zipFile([{ name: 'handler', data: elfHeader(0x3e) }, { name: 'lib/bootstrap', data: elfHeader(0x3e) }]);
    assertPackageError(file, /has no 'bootstrap' at its root \(it holds handler, lib\/bootstrap\).*make package/);
    assertPackageError(zipFile([]), /has no 'bootstrap' at its root \(it holds nothing\)/);
  });

  it('bootstrap that is not an ELF executable (a shell script)', () => {
    const file = zipFile([{ name: 'bootstrap', data: Buffer.from('#!/bin/sh\nexec ./server\n'), method: 'deflated' }]);
    assertPackageError(file, /bootstrap is not an ELF executable \(it starts with '#!\/bin\/sh.exec \.'\)/);
  });

  it('an ELF file that is 32-bit, relocatable, or for another CPU', () => {
    const thirtyTwoBit = elfHeader(0x03);
    thirtyTwoBit[4] = 1;
    assertPackageError(zipFile([{ name: 'bootstrap', data: thirtyTwoBit }]), /not a 64-bit little-endian ELF file/);
    assertPackageError(zipFile([{ name: 'bootstrap', data: elfHeader(0x3e, 1) }]), /ELF file of type 1, not an executable/);
    assertPackageError(zipFile([{ name: 'bootstrap', data: elfHeader(0x28) }]), /ELF executable for machine 0x28, which Lambda cannot run/);
  });

  it('bootstrap without execute permission', () => {
    assertPackageError(zipFile([{ name: 'bootstrap', data: elfHeader(0x3e), unixMode: 0o100644 }]), /bootstrap is not executable \(mode 644\)/);
  });

  it('a file that is not a zip, a corrupt entry, an unsupported compression method', () => {
    assertPackageError(zipFile(Buffer.concat([elfHeader(0x3e), Buffer.alloc(100)])), /is not a zip archive/);

    const corrupt = functionZipFor('x86_64', 'stored');
    corrupt[30 + 'bootstrap'.length + 18] = 0xb7; // e_machine inside the stored data, CRC unchanged
    assertPackageError(zipFile(corrupt), /entry 'bootstrap' is corrupt/);

    const bzip2 = functionZipFor('x86_64', 'stored');
    bzip2.writeUInt16LE(12, bzip2.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 10);
    assertPackageError(zipFile(bzip2), /compression method 12; only stored \(0\) and deflated \(8\)/);
  });

  it('computes CRC-32 as zip does', () => {
    assert.equal(crc32(Buffer.from('123456789')), 0xcbf43926);
    assert.equal(crc32(Buffer.alloc(0)), 0);
  });
});
