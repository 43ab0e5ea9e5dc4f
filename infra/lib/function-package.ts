/**
 * Reads the deployable `function.zip` and checks what Lambda will find in it: a `bootstrap` at
 * the root that is an executable 64-bit ELF file for the CPU of FUNCTION_ARCHITECTURE. A
 * binary built for the other CPU deploys without complaint and only fails when invoked
 * (`Runtime.InvalidEntrypoint`), so synth refuses it instead.
 *
 * The zip is parsed here (central directory, local headers, stored or deflated entries) to keep
 * the app free of archive dependencies.
 *
 * @example
 *   const { architecture } = inspectFunctionPackage('dist/function.zip');   // 'x86_64'
 *   checkFunctionPackage('dist/function.zip', config.functionArchitecture);  // throws on mismatch
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

import { ConfigError, FunctionArchitecture } from './config';

/** The file Lambda's custom runtimes (provided.al2023) execute. */
export const BOOTSTRAP_ENTRY = 'bootstrap';

/** ELF e_machine values of the CPUs Lambda runs, and the FUNCTION_ARCHITECTURE of each. */
export const ELF_MACHINES: Readonly<Record<number, FunctionArchitecture>> = { 0x3e: 'x86_64', 0xb7: 'arm64' };

const ELF_MACHINE_NAMES: Readonly<Record<FunctionArchitecture, string>> = { x86_64: 'x86_64', arm64: 'arm64 (aarch64)' };

export class FunctionPackageError extends Error {
  constructor(
    readonly zipFile: string,
    message: string,
  ) {
    super(`${zipFile}: ${message}`);
    this.name = 'FunctionPackageError';
  }
}

export interface ZipEntry {
  readonly name: string;
  /** Unix permission and type bits, when the archiver recorded them (`zip` on Unix does). */
  readonly unixMode?: number;
  readonly method: number;
  readonly flags: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly size: number;
  readonly localHeaderOffset: number;
}

export interface FunctionPackage {
  readonly zipFile: string;
  readonly bootstrap: ZipEntry;
  readonly architecture: FunctionArchitecture;
}

const SIGNATURE = { endOfCentralDirectory: 0x06054b50, centralDirectory: 0x02014b50, localHeader: 0x04034b50 } as const;
const METHOD = { stored: 0, deflated: 8 } as const;
const FLAG_ENCRYPTED = 0x1;
const HOST_UNIX = 3;
const END_RECORD_SIZE = 22;
const MAX_COMMENT_SIZE = 0xffff;

/** Every entry of the archive's central directory. */
export function listZipEntries(zip: Buffer, zipFile: string): ZipEntry[] {
  const end = findEndOfCentralDirectory(zip, zipFile);
  const count = zip.readUInt16LE(end + 10);
  const directorySize = zip.readUInt32LE(end + 12);
  const directoryOffset = zip.readUInt32LE(end + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    throw new FunctionPackageError(zipFile, 'is a ZIP64 archive, which is not supported (a Lambda package is far below 4 GiB)');
  }
  if (directoryOffset + directorySize > end) throw new FunctionPackageError(zipFile, 'is not a valid zip archive (central directory out of bounds)');

  const entries: ZipEntry[] = [];
  let offset = directoryOffset;
  for (let index = 0; index < count; index++) {
    if (offset + 46 > end || zip.readUInt32LE(offset) !== SIGNATURE.centralDirectory) {
      throw new FunctionPackageError(zipFile, `is not a valid zip archive (central directory entry ${index} is damaged)`);
    }
    const nameLength = zip.readUInt16LE(offset + 28);
    const extraLength = zip.readUInt16LE(offset + 30);
    const commentLength = zip.readUInt16LE(offset + 32);
    const mode = zip.readUInt32LE(offset + 38) >>> 16;
    entries.push({
      name: zip.toString('utf8', offset + 46, offset + 46 + nameLength),
      unixMode: zip.readUInt8(offset + 5) === HOST_UNIX && mode !== 0 ? mode : undefined,
      flags: zip.readUInt16LE(offset + 8),
      method: zip.readUInt16LE(offset + 10),
      crc32: zip.readUInt32LE(offset + 16),
      compressedSize: zip.readUInt32LE(offset + 20),
      size: zip.readUInt32LE(offset + 24),
      localHeaderOffset: zip.readUInt32LE(offset + 42),
    });
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

function findEndOfCentralDirectory(zip: Buffer, zipFile: string): number {
  const lowest = Math.max(0, zip.length - END_RECORD_SIZE - MAX_COMMENT_SIZE);
  for (let offset = zip.length - END_RECORD_SIZE; offset >= lowest; offset--) {
    if (zip.readUInt32LE(offset) === SIGNATURE.endOfCentralDirectory) return offset;
  }
  throw new FunctionPackageError(zipFile, 'is not a zip archive (no end of central directory record); run `make package` to rebuild it');
}

/** The uncompressed content of an entry, checked against its CRC-32. */
export function readZipEntry(zip: Buffer, entry: ZipEntry, zipFile: string): Buffer {
  const where = `entry '${entry.name}'`;
  if ((entry.flags & FLAG_ENCRYPTED) !== 0) throw new FunctionPackageError(zipFile, `${where} is encrypted; Lambda cannot read it`);
  const header = entry.localHeaderOffset;
  if (header + 30 > zip.length || zip.readUInt32LE(header) !== SIGNATURE.localHeader) {
    throw new FunctionPackageError(zipFile, `${where}: local header is damaged`);
  }
  const dataStart = header + 30 + zip.readUInt16LE(header + 26) + zip.readUInt16LE(header + 28);
  if (dataStart + entry.compressedSize > zip.length) throw new FunctionPackageError(zipFile, `${where} is truncated`);
  const stored = zip.subarray(dataStart, dataStart + entry.compressedSize);

  let data: Buffer;
  if (entry.method === METHOD.stored) {
    data = stored;
  } else if (entry.method === METHOD.deflated) {
    try {
      data = zlib.inflateRawSync(stored);
    } catch (error) {
      throw new FunctionPackageError(zipFile, `${where} cannot be inflated: ${(error as Error).message}`);
    }
  } else {
    throw new FunctionPackageError(zipFile, `${where} uses compression method ${entry.method}; only stored (0) and deflated (8) are supported`);
  }
  if (data.length !== entry.size || crc32(data) !== entry.crc32) {
    throw new FunctionPackageError(zipFile, `${where} is corrupt (size or CRC-32 differs from the central directory)`);
  }
  return data;
}

const CRC_TABLE = Uint32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let bit = 0; bit < 8; bit++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

/** CRC-32 as zip computes it (IEEE 802.3, reflected); node:zlib has no crc32 before Node 20.15. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

const ELF_MAGIC = Buffer.from([0x7f, 0x45, 0x4c, 0x46]);
const ELF_CLASS_64 = 2;
const ELF_LITTLE_ENDIAN = 1;
const ELF_TYPE_EXECUTABLE = 2;
/** Static-PIE executables are ET_DYN, like shared libraries; the loader runs both. */
const ELF_TYPE_SHARED = 3;
const ELF64_HEADER_SIZE = 64;

/** The FUNCTION_ARCHITECTURE an ELF file runs on; throws unless it is a 64-bit executable for Lambda's CPUs. */
export function elfArchitecture(file: Buffer, zipFile: string): FunctionArchitecture {
  const where = BOOTSTRAP_ENTRY;
  if (file.length < ELF_MAGIC.length || !file.subarray(0, ELF_MAGIC.length).equals(ELF_MAGIC)) {
    const start = file.subarray(0, 16).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
    throw new FunctionPackageError(
      zipFile,
      `${where} is not an ELF executable (it starts with '${start}'); the custom runtime needs the compiled binary, built by \`make package\``,
    );
  }
  if (file.length < ELF64_HEADER_SIZE || file[4] !== ELF_CLASS_64 || file[5] !== ELF_LITTLE_ENDIAN) {
    throw new FunctionPackageError(zipFile, `${where} is not a 64-bit little-endian ELF file; Lambda runs only x86_64 and arm64 executables`);
  }
  const type = file.readUInt16LE(16);
  if (type !== ELF_TYPE_EXECUTABLE && type !== ELF_TYPE_SHARED) {
    throw new FunctionPackageError(zipFile, `${where} is an ELF file of type ${type}, not an executable`);
  }
  const machine = file.readUInt16LE(18);
  const architecture = ELF_MACHINES[machine];
  if (architecture === undefined) {
    throw new FunctionPackageError(
      zipFile,
      `${where} is an ELF executable for machine 0x${machine.toString(16)}, which Lambda cannot run; Lambda runs x86_64 (0x3e) and arm64 (0xb7)`,
    );
  }
  return architecture;
}

/** Finds `bootstrap` in the zip and reads its architecture; throws when Lambda could not start it. */
export function inspectFunctionPackage(zipFile: string): FunctionPackage {
  const zip = fs.readFileSync(zipFile);
  const entries = listZipEntries(zip, zipFile);
  const bootstrap = entries.find((entry) => entry.name === BOOTSTRAP_ENTRY);
  if (bootstrap === undefined) {
    const names = entries.map((entry) => entry.name);
    throw new FunctionPackageError(
      zipFile,
      `has no '${BOOTSTRAP_ENTRY}' at its root (it holds ${names.length === 0 ? 'nothing' : names.join(', ')}); ` +
        'the custom runtime starts that file. Run `make package` to rebuild it.',
    );
  }
  if (bootstrap.unixMode !== undefined && (bootstrap.unixMode & 0o111) === 0) {
    throw new FunctionPackageError(
      zipFile,
      `${BOOTSTRAP_ENTRY} is not executable (mode ${(bootstrap.unixMode & 0o777).toString(8)}); Lambda could not start it`,
    );
  }
  const architecture = elfArchitecture(readZipEntry(zip, bootstrap, zipFile), zipFile);
  return { zipFile, bootstrap, architecture };
}

/** As inspectFunctionPackage, and fails when the binary's CPU is not the configured one. */
export function checkFunctionPackage(zipFile: string, configured: FunctionArchitecture): FunctionPackage {
  const inspected = inspectFunctionPackage(zipFile);
  if (inspected.architecture !== configured) {
    throw new ConfigError(
      'FUNCTION_ARCHITECTURE',
      `is ${configured}, but ${BOOTSTRAP_ENTRY} in ${zipFile} is built for ${ELF_MACHINE_NAMES[inspected.architecture]}, ` +
        `so Lambda could not run it. Either set FUNCTION_ARCHITECTURE=${inspected.architecture} in .env, ` +
        `or build the package on an ${ELF_MACHINE_NAMES[configured]} machine (\`make package\` there, or point CPPSTACK_DIST_DIR ` +
        `at a dist/ built there). The pipeline builds on ${ELF_MACHINE_NAMES[configured]} when FUNCTION_ARCHITECTURE=${configured}.`,
    );
  }
  return inspected;
}
