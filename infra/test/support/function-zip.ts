/**
 * Builds function packages for the tests: a minimal zip writer (stored or deflated entries,
 * Unix modes) and the 64-byte header of an ELF executable, enough for what synth inspects.
 */
import * as zlib from 'node:zlib';

import { FunctionArchitecture } from '../../lib/config';
import { crc32, ELF_MACHINES } from '../../lib/function-package';

export interface ZipFileSpec {
  readonly name: string;
  readonly data: Buffer;
  readonly method?: 'stored' | 'deflated';
  /** Unix mode with file type bits; 0o100755 unless given. */
  readonly unixMode?: number;
}

/** A zip archive of the files, in order, with a central directory made on "Unix". */
export function writeZip(files: readonly ZipFileSpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const deflated = file.method === 'deflated';
    const body = deflated ? zlib.deflateRawSync(file.data) : file.data;
    const crc = crc32(file.data);

    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0
    local.writeUInt16LE(deflated ? 8 : 0, 8);
    local.writeUInt16LE(0x2821, 12); // 2000-01-01, time 00:00
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(file.data.length, 22);
    local.writeUInt16LE(name.length, 26);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt8(20, 4); // made by version 2.0 ...
    central.writeUInt8(3, 5); // ... on Unix, so the external attributes hold the mode
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(deflated ? 8 : 0, 10);
    central.writeUInt16LE(0x2821, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(file.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(((file.unixMode ?? 0o100755) << 16) >>> 0, 38);
    central.writeUInt32LE(offset, 42);

    locals.push(local, name, body);
    centrals.push(central, name);
    offset += local.length + name.length + body.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

export const ELF_MACHINE_OF: Readonly<Record<FunctionArchitecture, number>> = Object.fromEntries(
  Object.entries(ELF_MACHINES).map(([machine, architecture]) => [architecture, Number(machine)]),
) as Record<FunctionArchitecture, number>;

/** The 64-byte header of a little-endian ELF64 executable (ET_EXEC) for the given e_machine. */
export function elfHeader(machine: number, type = 2): Buffer {
  const header = Buffer.alloc(64);
  Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]).copy(header, 0); // magic, ELFCLASS64, little-endian, version 1
  header.writeUInt16LE(type, 16);
  header.writeUInt16LE(machine, 18);
  header.writeUInt32LE(1, 20); // e_version
  header.writeUInt16LE(64, 52); // e_ehsize
  return header;
}

/** A deployable-looking function.zip whose `bootstrap` is an ELF header for the architecture. */
export function functionZipFor(architecture: FunctionArchitecture, method: 'stored' | 'deflated' = 'deflated'): Buffer {
  return writeZip([{ name: 'bootstrap', data: elfHeader(ELF_MACHINE_OF[architecture]), method }]);
}
