/**
 * The modules of lib/ form no import cycle (type-only imports included): each file can be read
 * and tested after the files it imports, and load order never decides what a module sees.
 */
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';

const LIB = path.join(__dirname, '..', 'lib');

/** The lib/ modules a file imports (`import ... from './x'`, `import type`, `export ... from`). */
export function localImports(file: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const imports = new Set<string>();
  for (const match of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'(\.\/[^']+)'/gms)) {
    imports.add(path.join(path.dirname(file), `${match[1]}.ts`));
  }
  return [...imports];
}

/** One cycle of the graph as a list of files (first = last), or undefined. */
export function findCycle(graph: ReadonlyMap<string, readonly string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string): string[] | undefined => {
    if (state.get(node) === 'done') return undefined;
    if (state.get(node) === 'open') return [...stack.slice(stack.indexOf(node)), node];
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next);
      if (cycle) return cycle;
    }
    stack.pop();
    state.set(node, 'done');
    return undefined;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node);
    if (cycle) return cycle;
  }
  return undefined;
}

describe('lib/ module structure', () => {
  it('finds a cycle when there is one (the check itself works)', () => {
    const graph = new Map([
      ['api-stage.ts', ['nag-suppressions.ts']],
      ['nag-suppressions.ts', ['pipeline-stack.ts']],
      ['pipeline-stack.ts', ['api-stage.ts']],
    ]);
    assert.deepEqual(findCycle(graph), ['api-stage.ts', 'nag-suppressions.ts', 'pipeline-stack.ts', 'api-stage.ts']);
    assert.equal(findCycle(new Map([['a', ['b']], ['b', []]])), undefined);
  });

  it('has no import cycle, type-only imports included', () => {
    const files = fs.readdirSync(LIB).filter((file) => file.endsWith('.ts')).map((file) => path.join(LIB, file));
    const graph = new Map(files.map((file) => [file, localImports(file)]));
    assert.ok((graph.get(path.join(LIB, 'app.ts')) ?? []).length > 3, 'the parser sees the imports of app.ts');
    const cycle = findCycle(graph);
    assert.equal(cycle, undefined, `import cycle: ${(cycle ?? []).map((file) => path.basename(file)).join(' -> ')}`);
  });
});
